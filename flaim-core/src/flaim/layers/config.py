"""The one switch for backend-specific formulations (timm's ``use_fused_attn()``): which graph a layer builds for
the CPU and which for GPUs/TPUs.

By default the choice is made when the program is lowered for a platform (`jax.lax.platform_dependent`), not when
it is traced: a program traced on a CPU host and exported for ``platforms=("cuda",)`` carries the GPU formulation,
and a multi-platform export carries both. Tracing both costs time, so a tracer that knows its one platform says so
with `tracing_for` (`flaim.jit` does, for the backend it compiles for; so does the shape-only trace of random init)
and only that formulation is traced. ``FLAIM_KERNELS`` overrides both for every layer, read at each trace:

- ``auto`` (default): per platform, as above;
- ``cpu``: the CPU formulations everywhere;
- ``accelerator``: the GPU/TPU formulations everywhere (so CPU-only CI can run and test them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

import jax
from flax import linen as nn
from flax.core import lift
from flax.linen.transforms import lift_direct_transform

M = TypeVar("M", bound=nn.Module)
ENV = "FLAIM_KERNELS"
MODES = ("auto", "cpu", "accelerator")
_TRACING_FOR: ContextVar[str | None] = ContextVar("flaim_tracing_for", default=None)


def kernels_mode() -> str:
    """The value of ``FLAIM_KERNELS`` (``'auto'`` when unset), checked."""
    mode = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ValueError(f"{ENV}={os.environ[ENV]!r} is not a valid choice; choose one of: {', '.join(MODES)}.")
    return mode


@contextmanager
def tracing_for(kernels: str) -> Iterator[None]:
    """Within this context, `by_platform` traces only one set of formulations instead of deciding at lowering.

    It applies to what is traced inside it: a function that ``jax.jit`` has already traced keeps its trace.

    Args:
        kernels: ``'cpu'`` or ``'accelerator'`` (GPU/TPU).
    """
    if kernels not in MODES[1:]:
        raise ValueError(f"tracing_for({kernels!r}): choose one of: {', '.join(MODES[1:])}.")
    token = _TRACING_FOR.set(kernels)
    try:
        yield
    finally:
        _TRACING_FOR.reset(token)


def by_platform(cpu: Callable[..., Any], accelerator: Callable[..., Any], *args: Any) -> Any:
    """``cpu(*args)`` where the program runs on a CPU, ``accelerator(*args)`` on GPUs and TPUs.

    Both functions must return the same shapes and dtypes. Decided at lowering, unless ``FLAIM_KERNELS`` forces one
    or the trace is `tracing_for` one platform.

    Args:
        cpu: the CPU formulation.
        accelerator: the GPU/TPU formulation.
        *args: arrays passed to whichever runs.
    """
    mode = kernels_mode()
    if mode == "auto":
        mode = _TRACING_FOR.get() or mode
    if mode == "cpu":
        return cpu(*args)
    if mode == "accelerator":
        return accelerator(*args)
    return jax.lax.platform_dependent(*args, cpu=cpu, default=accelerator)


def lifted_by_platform(cpu: Callable[..., Any], accelerator: Callable[..., Any], module: M, *args: Any) -> Any:
    """`by_platform` for functions of a flax module, as flax's ``nn.cond`` is ``lax.cond``'s: ``cpu(module, *args)``
    on a CPU, ``accelerator(module, *args)`` on GPUs and TPUs.

    Submodules and variables that either function creates or reads sit at `module`'s own paths (no extra nesting),
    so both must create the same ones. At init they are created by a plain call of `accelerator`, outside any
    transform, so that `flaim.random_init` finds each variable its initialiser made.

    Args:
        cpu: the CPU formulation, ``(module, *args) -> arrays``.
        accelerator: the GPU/TPU formulation, same signature and output shapes.
        module: the (bound) module whose variables the functions use, usually ``self``.
        *args: arrays passed to whichever runs.
    """
    if module.is_initializing():
        return accelerator(module, *args)
    return lift_direct_transform(_lifted_by_platform, (cpu, accelerator), module, *args)


def _lifted_by_platform(cpu: Callable[..., Any], accelerator: Callable[..., Any], scope: Any, *args: Any) -> Any:
    """Scope-level `lifted_by_platform` (flax's ``lift.switch`` with `by_platform` as the switch)."""

    def inner(scope_fn: Callable, repack_fn: Callable, variable_groups: Any, rng_groups: Any, *args: Any) -> Any:
        def branch(fn: Callable[..., Any], *args: Any) -> Any:
            inner_scope = scope_fn(variable_groups, rng_groups)
            return fn(inner_scope, *args), repack_fn(inner_scope)

        return by_platform(partial(branch, cpu), partial(branch, accelerator), *args)

    return lift.pack(inner, (True,), (True,), (True,), name="by_platform")(scope, *args)
