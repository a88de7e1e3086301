"""`jit`: ``jax.jit`` with the XLA compiler options flaim's models run fastest with; `fusion_barrier`, `materialize`,
`materialize_gradient`.

On CPU, XLA hands dense convolutions to YNNPACK by default. For ResNet's convolutions XLA's own convolution is faster,
so `jit` keeps YNNPACK for matrix products and reductions only (ViT's and ConvNeXt's dense convolutions are matrix
products already). The HLO is the same either way; only XLA's choice of kernels differs. Figures in
benchmarks/README.md. `fusion_barrier` keeps XLA's CPU library fusions from swallowing a value.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

CPU_COMPILER_OPTIONS = {
    # XLA's default YNNPACK fusions (matrix products, reductions, individual convolutions) less the convolutions.
    "xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT,LIBRARY_FUSION_TYPE_REDUCE",
}

# Programs run once (random init): LLVM at -O1 compiles them faster than the default and computes the same values.
RUN_ONCE_COMPILER_OPTIONS = {"xla_backend_optimization_level": 1}


def jit(fun: Callable[..., Any], **jit_kwargs: Any) -> Any:
    """``jax.jit(fun, **jit_kwargs)`` for JAX's default backend: on the CPU with `CPU_COMPILER_OPTIONS`, and traced
    with only that backend's formulations of flaim's layers (`flaim.layers.config.tracing_for`), where ``jax.jit``
    traces every platform's and picks one at lowering (use ``jax.jit`` to export for other platforms).

    ``compiler_options`` passed by the caller are kept and win over flaim's.
    """
    platform = jax.default_backend()
    options = _cpu_options() if platform == "cpu" else {}
    if options:
        jit_kwargs["compiler_options"] = {**options, **(jit_kwargs.get("compiler_options") or {})}
    return jax.jit(_traced_for("cpu" if platform == "cpu" else "accelerator", fun), **jit_kwargs)


def _traced_for(kernels: str, fun: Callable[..., Any]) -> Callable[..., Any]:
    """`fun`, traced with only the `kernels` formulations of flaim's layers (`flaim.layers.config.tracing_for`)."""
    from flaim.layers.config import tracing_for  # flaim.layers imports this module

    @functools.wraps(fun)
    def traced(*args: Any, **kwargs: Any) -> Any:
        with tracing_for(kernels):
            return fun(*args, **kwargs)

    return traced


def jit_run_once(fun: Callable[..., Any], **jit_kwargs: Any) -> Any:
    """``jax.jit`` for a program that runs once, such as random init: on CPU compiled with
    `RUN_ONCE_COMPILER_OPTIONS` (where this jaxlib takes compiler options), since compiling dominates its cost."""
    if jax.default_backend() == "cpu" and _cpu_options():
        jit_kwargs["compiler_options"] = {**RUN_ONCE_COMPILER_OPTIONS, **(jit_kwargs.get("compiler_options") or {})}
    return jax.jit(fun, **jit_kwargs)


def fusion_barrier(x: jax.Array) -> jax.Array:
    """Identity that makes XLA's CPU backend materialise `x` rather than fuse it into its consumers; no-op elsewhere.

    A ``reduce_precision`` to the dtype's own precision changes no value; unlike ``optimization_barrier`` (removed
    before fusion) it survives to XLA's CPU fusion passes, and its library fusions (YNNPACK: matmuls with their
    elementwise neighbours) stop at it. Ordinary loop fusions may still fuse through it.

    Args:
        x: any floating-point array.
    """
    from flaim.layers.config import by_platform  # flaim.layers imports this module

    info = jnp.finfo(x.dtype)
    barrier = functools.partial(jax.lax.reduce_precision, exponent_bits=info.nexp, mantissa_bits=info.nmant)
    return by_platform(barrier, lambda x: x, x)


def materialize(x: jax.Array) -> jax.Array:
    """Identity that makes XLA's CPU backend write `x` to memory once for all its consumers; no-op elsewhere.

    XLA copies an elementwise producer into every consumer fusion it deems cheap to recompute: a LayerNorm after a
    depthwise conv recomputed the conv's 49 taps in each of its three passes (three times the conv's compile and
    run time at batch 1). Writing `x`'s first element over itself (a dynamic-update-slice, which XLA does not fuse
    into consumers) makes `x` a buffer; like `fusion_barrier`, it also keeps library fusions out.

    Args:
        x: an array of at least one dimension.
    """
    from flaim.layers.config import by_platform  # flaim.layers imports this module

    def rewrite_first(x: jax.Array) -> jax.Array:
        first = jax.lax.slice(x, (0,) * x.ndim, (1,) * x.ndim)
        return jax.lax.dynamic_update_slice(x, first, (jnp.zeros((), jnp.int32),) * x.ndim)

    return by_platform(rewrite_first, lambda x: x, x)


@functools.cache
def _cpu_options() -> dict[str, str]:
    """`CPU_COMPILER_OPTIONS`, or none (with a warning) on a jaxlib whose XLA does not know them: they are XLA's
    experimental flags, so an older or newer jaxlib may lack them."""
    try:
        jax.jit(lambda x: x + 1, compiler_options=CPU_COMPILER_OPTIONS).lower(np.float32(0)).compile()
    except (RuntimeError, TypeError) as error:  # unknown option or value; TypeError: a jax.jit without the argument
        warnings.warn(
            f"flaim.jit: XLA in jax {jax.__version__} rejects flaim's CPU compiler options "
            f"{CPU_COMPILER_OPTIONS} ({error}); compiling with XLA's defaults, which are slower for convolutions.",
            stacklevel=4,  # the caller of flaim.jit
        )
        return {}
    return CPU_COMPILER_OPTIONS


@jax.custom_vjp
def materialize_gradient(x: jax.Array) -> jax.Array:
    """Identity whose gradient `materialize`s: XLA's CPU backend writes the cotangent of `x` once.

    For a residual stream: its gradient at block ``k`` is a sum over every later block, and XLA copied that whole
    chain of additions into each consumer (ViT-B's LayerNorm input transposes recomputed up to 24 additions per
    element). Supports reverse-mode differentiation only, like every ``jax.custom_vjp``.

    Args:
        x: an array of at least one dimension.
    """
    return x


def _materialize_gradient_forward(x: jax.Array) -> tuple[jax.Array, None]:
    return x, None


def _materialize_gradient_backward(_: None, grad: jax.Array) -> tuple[jax.Array]:
    return (materialize(grad),)


materialize_gradient.defvjp(_materialize_gradient_forward, _materialize_gradient_backward)
