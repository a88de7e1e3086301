"""flaim.jit: the same results as jax.jit, with XLA's own convolutions on CPU."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import flaim
from flaim import xla
from flaim.layers.conv import conv2d

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 40, 40, 24), dtype=np.float32)
KERNEL = RNG.standard_normal((3, 3, 24, 32), dtype=np.float32) * 0.1
WEIGHT = RNG.standard_normal((32, 10), dtype=np.float32) * 0.1


def net(kernel: jax.Array, x: jax.Array) -> jax.Array:
    """A conv (an XLA convolution), a ReLU and a matrix product over channels."""
    return jnp.dot(jax.nn.relu(conv2d(x, kernel, padding=1)), WEIGHT)


def ynn_ops(fun) -> list[str]:
    """The ops (by HLO opcode) inside each YNNPACK fusion of `fun` compiled for (KERNEL, X)."""
    text = fun.lower(KERNEL, X).compile().as_text()
    bodies = dict(re.findall(r"^%(\S+) \(.*?\{\n(.*?)\n\}", text, re.S | re.M))
    called = re.findall(r"calls=%([^,\s]+).*__ynn_fusion", text)
    return [" ".join(re.findall(r"= \S+ ([a-z-]+)\(", bodies[name])) for name in called]


def assert_close(got: jax.Array, expected: jax.Array) -> None:
    """Equal up to float32 summation order: max error ≤ 1e-5 of the largest magnitude."""
    assert np.abs(got - expected).max() <= 1e-5 * np.abs(expected).max()


def test_jit_matches_jax_jit_with_gradients() -> None:
    assert_close(flaim.jit(net)(KERNEL, X), jax.jit(net)(KERNEL, X))
    grad = jax.grad(lambda k, x: net(k, x).sum())
    assert_close(flaim.jit(grad)(KERNEL, X), jax.jit(grad)(KERNEL, X))


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="the options are CPU-only; on GPU/TPU flaim.jit is jax.jit")
def test_cpu_convolutions_leave_ynnpack_and_matmuls_stay() -> None:
    assert xla._cpu_options() == xla.CPU_COMPILER_OPTIONS, "this jaxlib rejected flaim's CPU compiler options"
    assert any("convolution" in ops for ops in ynn_ops(jax.jit(net)))  # XLA's default: YNNPACK convolves
    fused = ynn_ops(flaim.jit(net))
    assert any("dot" in ops for ops in fused) and not any("convolution" in ops for ops in fused)
    # A caller's own compiler_options win over flaim's.
    mine = {"xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION"}
    assert any("convolution" in ops for ops in ynn_ops(flaim.jit(net, compiler_options=mine)))


def test_options_this_jaxlib_rejects_fall_back_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xla, "CPU_COMPILER_OPTIONS", {"xla_cpu_experimental_ynn_fusion_type": "NOT_A_FUSION_TYPE"})
    xla._cpu_options.cache_clear()
    try:
        if jax.default_backend() == "cpu":
            with pytest.warns(UserWarning, match="rejects flaim's CPU compiler options"):
                fun = flaim.jit(net)
        else:
            fun = flaim.jit(net)
        assert_close(fun(KERNEL, X), jax.jit(net)(KERNEL, X))
    finally:
        xla._cpu_options.cache_clear()


def test_materialize_gradient_is_the_identity_with_its_gradient() -> None:
    """Values and gradients (also under jit, where the cotangent is materialised) are the identity's."""
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)

    def loss(x: jax.Array) -> jax.Array:
        return (jnp.sin(xla.materialize_gradient(x)) * w).sum()

    np.testing.assert_array_equal(xla.materialize_gradient(x), x)
    expected = np.cos(x) * w
    np.testing.assert_allclose(jax.grad(loss)(x), expected, rtol=1e-6)
    np.testing.assert_allclose(flaim.jit(jax.grad(loss))(x), expected, rtol=1e-6)
