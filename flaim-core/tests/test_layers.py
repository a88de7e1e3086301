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


def test_get_act_and_get_norm_take_a_name_or_a_callable() -> None:
    from flaim.layers import BatchNorm, GroupNorm, LayerNorm, get_norm

    assert get_act(jnp.tanh) is jnp.tanh and get_act("tanh") is jnp.tanh
    assert (get_norm("layernorm"), get_norm("batchnorm"), get_norm("groupnorm")) == (LayerNorm, BatchNorm, GroupNorm)
    custom = partial(LayerNorm, eps=1e-3)
    assert get_norm(custom) is custom
    with pytest.raises(ValueError, match="Unknown norm 'layer_norm'; choose one of: 'layernorm', 'rmsnorm', "):
        get_norm("layer_norm")
    with pytest.raises(ValueError, match="Unknown activation 'swish'; choose one of: 'gelu', "):
        get_act("swish")


def test_conv_norm_act_norm_by_name_or_constructor() -> None:
    """GroupNorm by name is PyTorch's (32 groups, eps 1e-5); a constructor with its own options works alike."""
    from flaim.layers import ConvNormAct, GroupNorm

    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 4, 4, 8)), jnp.float32)
    outs = []
    for norm in ("groupnorm", partial(GroupNorm, num_groups=4)):
        module = ConvNormAct(64 if norm == "groupnorm" else 8, 3, norm=norm, act="relu")
        variables = module.init(jax.random.key(0), x, False)
        assert set(variables["params"]["norm"]) == {"scale", "bias"}
        outs.append(module.apply(variables, x, False))
    assert outs[0].shape == (2, 4, 4, 64) and outs[1].shape == (2, 4, 4, 8)
    assert float(outs[1].min()) == 0.0  # the activation by name


def test_drop_path_rates_rise_linearly_over_all_blocks() -> None:
    from flaim.layers import drop_path_rates

    assert drop_path_rates(0.3, (2, 3, 1)) == [(0.0, 0.06), (0.12, 0.18, 0.24), (0.3,)]
    assert drop_path_rates(0.1, (1,)) == [(0.0,)]


def test_make_divisible_like_timm() -> None:
    from flaim.layers import make_divisible

    assert [make_divisible(v) for v in (3, 10, 20, 36.5, 100)] == [8, 16, 24, 40, 104]
    assert make_divisible(2.0, round_limit=0.0) == 8 and make_divisible(47, 16, min_value=32) == 48


def test_check_choice_names_the_valid_values() -> None:
    from flaim.errors import check_choice

    assert check_choice("pool", "avg", ("avg", "max")) == "avg"
    assert check_choice("act", "relu", {"relu": 1}) == 1
    with pytest.raises(ValueError, match=r"Unknown pool 'mean'; choose one of: 'avg', 'max'\."):
        check_choice("pool", "mean", ("avg", "max"))
