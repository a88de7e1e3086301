"""Rule helpers of `flaim.convert`: each maps timm's tensors to the flax paths and layouts it documents."""

from __future__ import annotations

import numpy as np

from flaim.convert import apply_rules, conv, layernorm, linear, nest, reverse_rules


def test_linear_conv_layernorm_helpers() -> None:
    w, b = np.arange(6.0).reshape(3, 2), np.arange(3.0)
    k = np.arange(24.0).reshape(2, 3, 2, 2)
    state = {"fc.weight": w, "fc.bias": b, "proj.weight": k, "norm.weight": b, "norm.bias": -b}
    out = apply_rules(state, [*linear(r"fc", "head/fc"), *conv(r"proj", "stem"), *layernorm(r"norm", "ln")])
    np.testing.assert_array_equal(out["params"]["head"]["fc"]["kernel"], w.T)
    np.testing.assert_array_equal(out["params"]["head"]["fc"]["bias"], b)
    np.testing.assert_array_equal(out["params"]["stem"]["kernel"], k.transpose(2, 3, 1, 0))
    np.testing.assert_array_equal(out["params"]["ln"]["scale"], b)
    np.testing.assert_array_equal(out["params"]["ln"]["bias"], -b)


def test_nest_renumbers_groups() -> None:
    """The nested rule's ``\\1`` stays its own group; the prefix's group is usable in the flax prefix."""
    block = [*linear(r"mlp\.fc(\d)", r"mlp/fc\1"), *layernorm(r"norm(\d)", r"norm\1")]
    rules = nest(r"stages\.(\d+)\.blocks\.(\d+)", r"stages_\1/blocks_\2", block)
    w = np.ones((4, 2))
    out = apply_rules({"stages.1.blocks.3.mlp.fc2.weight": w, "stages.0.blocks.2.norm1.bias": w[0]}, rules)
    assert out["params"]["stages_1"]["blocks_3"]["mlp"]["fc2"]["kernel"].shape == (2, 4)
    assert out["params"]["stages_0"]["blocks_2"]["norm1"]["bias"].shape == (2,)
    back = reverse_rules(out, rules)  # nested rules stay reversible (save_pretrained format="timm")
    assert back.keys() == {"stages.1.blocks.3.mlp.fc2.weight", "stages.0.blocks.2.norm1.bias"}
    np.testing.assert_array_equal(back["stages.1.blocks.3.mlp.fc2.weight"], w)
