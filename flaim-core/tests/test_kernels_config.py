"""`FLAIM_KERNELS`, the one switch for backend-specific formulations: forced choices and a clear error; tracers
that know their platform (`flaim.jit`, random init's shape-only trace) trace one formulation."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import linen as nn

import flaim
from flaim.layers import DepthwiseConv2d
from flaim.layers.config import by_platform, tracing_for
from flaim.random_init import plan

X = np.arange(3, dtype=np.float32)


@pytest.mark.parametrize(("mode", "expected"), [("auto", 2.0), ("cpu", 2.0), ("accelerator", 3.0)])
def test_modes(mode: str, expected: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", mode)
    out = jax.jit(lambda x: by_platform(lambda x: 2 * x, lambda x: 3 * x, x))(X)  # a fresh trace per mode
    np.testing.assert_array_equal(out, expected * X)


def test_unknown_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAIM_KERNELS", "gpu")
    with pytest.raises(ValueError, match=r"FLAIM_KERNELS='gpu'.*choose one of: auto, cpu, accelerator"):
        by_platform(lambda x: x, lambda x: x, X)


def both(x: jax.Array) -> jax.Array:
    return by_platform(lambda x: 2 * x, lambda x: 3 * x, x)


def primitives(jaxpr: jax.extend.core.ClosedJaxpr) -> set[str]:
    return {eqn.primitive.name for eqn in jaxpr.jaxpr.eqns}


def test_tracing_for_traces_one_formulation() -> None:
    """``jax.jit`` traces both and decides at lowering; `flaim.jit` and `tracing_for` trace one branch only."""
    assert "platform_index" in primitives(jax.make_jaxpr(lambda x: both(x))(X))  # fresh functions: jax caches traces
    with tracing_for("accelerator"):
        traced = jax.make_jaxpr(lambda x: both(x))(X)
    assert "platform_index" not in primitives(traced)
    np.testing.assert_array_equal(jax.core.eval_jaxpr(traced.jaxpr, traced.consts, X)[0], 3 * X)
    compiled = flaim.jit(both)
    assert "platform_index" not in primitives(compiled.trace(X).jaxpr)
    np.testing.assert_array_equal(compiled(X), 2 * X)  # this host's backend, the CPU


def test_random_init_traces_one_formulation() -> None:
    """The shape-only trace of random init takes the cheapest formulations: no per-platform branches."""

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
            return DepthwiseConv2d(3)(x)

    assert "platform_index" in str(jax.make_jaxpr(Net().init)(jax.random.key(0), np.zeros((1, 8, 8, 3))))
    assert "platform_index" not in str(plan(Net(), jax.random.key(0)).jaxpr)


def test_tracing_for_checks_its_argument() -> None:
    with pytest.raises(ValueError, match=r"tracing_for\('gpu'\): choose one of: cpu, accelerator"), tracing_for("gpu"):
        pass
