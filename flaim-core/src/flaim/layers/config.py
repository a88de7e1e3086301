"""The one switch for backend-specific formulations (timm's ``use_fused_attn()``): which graph a layer builds for
the CPU and which for GPUs/TPUs.

By default the choice is made when the program is lowered for a platform (`jax.lax.platform_dependent`), not when
it is traced: a program traced on a CPU host and exported for ``platforms=("cuda",)`` carries the GPU formulation,
and a multi-platform export carries both. ``FLAIM_KERNELS`` overrides it for every layer, read at each trace:

- ``auto`` (default): per lowering platform, as above;
- ``cpu``: the CPU formulations everywhere;
- ``accelerator``: the GPU/TPU formulations everywhere (so CPU-only CI can run and test them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import jax

ENV = "FLAIM_KERNELS"
MODES = ("auto", "cpu", "accelerator")


def kernels_mode() -> str:
    """The value of ``FLAIM_KERNELS`` (``'auto'`` when unset), checked."""
    mode = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ValueError(f"{ENV}={os.environ[ENV]!r} is not a valid choice; choose one of: {', '.join(MODES)}.")
    return mode


def by_platform(cpu: Callable[..., Any], accelerator: Callable[..., Any], *args: Any) -> Any:
    """``cpu(*args)`` where the program runs on a CPU, ``accelerator(*args)`` on GPUs and TPUs.

    Both functions must return the same shapes and dtypes. Decided at lowering, unless ``FLAIM_KERNELS`` forces one.

    Args:
        cpu: the CPU formulation.
        accelerator: the GPU/TPU formulation.
        *args: arrays passed to whichever runs.
    """
    mode = kernels_mode()
    if mode == "cpu":
        return cpu(*args)
    if mode == "accelerator":
        return accelerator(*args)
    return jax.lax.platform_dependent(*args, cpu=cpu, default=accelerator)
