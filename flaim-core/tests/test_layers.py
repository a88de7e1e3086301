"""Generic layers and activations against their formulas (float64 numpy references)."""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from flaim.layers import Affine, GatedMlp, GluMlp, SpatialGatingUnit, get_act

X = np.linspace(-6.0, 6.0, 2001).astype(np.float32).astype(np.float64)  # exact float32 inputs
ERF = np.vectorize(math.erf)
FORMULAS = {
    "gelu": lambda x: x * 0.5 * (1 + ERF(x / math.sqrt(2))),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    "quick_gelu": lambda x: x / (1 + np.exp(-1.702 * x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
}


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_activation_matches_formula(name: str) -> None:
    """Within float32 rounding (a few ulp; up to 6e-7 in the GELUs' cancelling negative tails): the exact and
    tanh GELUs differ by up to 4.7e-4 here."""
    got = np.asarray(jax.jit(get_act(name))(jnp.asarray(X, jnp.float32)), np.float64)
    np.testing.assert_allclose(got, FORMULAS[name](X), rtol=1e-6, atol=1e-6)


def test_activations_table_is_covered() -> None:
    from flaim.layers.activations import ACTIVATIONS

    assert set(ACTIVATIONS) == set(FORMULAS)


def _init_apply(module, x: np.ndarray):
    variables = module.init(jax.random.key(0), jnp.asarray(x, jnp.float32))
    variables = jax.tree.map(lambda v: jax.random.normal(jax.random.key(1), v.shape), variables)
    return variables["params"], np.asarray(module.apply(variables, jnp.asarray(x, jnp.float32)), np.float64)


def _p(params, *path) -> np.ndarray:
    for part in path:
        params = params[part]
    return np.asarray(params, np.float64)


def _ln(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * scale + bias


X3 = np.random.default_rng(0).standard_normal((2, 5, 8))


def test_affine() -> None:
    params, y = _init_apply(Affine(), X3)
    np.testing.assert_allclose(y, X3 * _p(params, "alpha") + _p(params, "beta"), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("gate_last", [True, False])
def test_glu_mlp_timm_defaults(gate_last: bool) -> None:
    """timm's defaults: sigmoid gate on the second half; ``gate_last=False`` gates with the first (SwiGLUPacked
    with ``act_layer='silu'``)."""
    params, y = _init_apply(GluMlp(hidden_features=6, gate_last=gate_last), X3)
    h = X3 @ _p(params, "fc1", "kernel") + _p(params, "fc1", "bias")
    x1, x2 = h[..., :3], h[..., 3:]
    sig = FORMULAS["sigmoid"]
    h = x1 * sig(x2) if gate_last else sig(x1) * x2
    np.testing.assert_allclose(y, h @ _p(params, "fc2", "kernel") + _p(params, "fc2", "bias"), rtol=1e-4, atol=1e-5)


def test_gated_mlp_with_spatial_gating() -> None:
    """gMLP: fc1 → GELU → split u, v → u · proj over tokens(LayerNorm(v)) → fc2."""
    module = GatedMlp(hidden_features=6, gate_layer=partial(SpatialGatingUnit, seq_len=5))
    params, y = _init_apply(module, X3)
    h = FORMULAS["gelu"](X3 @ _p(params, "fc1", "kernel") + _p(params, "fc1", "bias"))
    u, v = h[..., :3], h[..., 3:]
    v = _ln(v, _p(params, "gate", "norm", "scale"), _p(params, "gate", "norm", "bias"), 1e-5)
    v = np.swapaxes(
        np.swapaxes(v, -1, -2) @ _p(params, "gate", "proj", "kernel") + _p(params, "gate", "proj", "bias"), -1, -2
    )
    expected = (u * v) @ _p(params, "fc2", "kernel") + _p(params, "fc2", "bias")
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


def test_spatial_gating_rejects_wrong_length() -> None:
    with pytest.raises(ValueError, match="5 tokens"):
        SpatialGatingUnit(seq_len=5).init(jax.random.key(0), jnp.zeros((1, 4, 6)))
