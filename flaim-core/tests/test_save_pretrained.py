"""save_pretrained: config.json records the model, get_model rebuilds it; timm's layout through the rules reversed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
from flaim_toy_model import timm_style_state
from safetensors.numpy import load_file, save_file

import flaim
from flaim.convert import Rule, flatten, reverse_rules

X = np.random.default_rng(1).standard_normal((2, 16, 16, 3), dtype=np.float32)


def same(a: dict, b: dict) -> bool:
    a, b = flatten(a), flatten(b)
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)


@pytest.fixture
def saved(toy: Path) -> tuple:
    """A toynet.wide with a 5-way head and non-default arguments, saved with its module."""
    model, variables = flaim.get_model(
        "toynet.wide", n_classes=5, width=4, kernel_size=(1, 3), param_dtype=jnp.bfloat16
    )
    flaim.save_pretrained(variables, str(toy / "native"), "toynet.wide", model=model)
    return model, variables, toy / "native"


def test_config_records_name_tag_classes_and_arguments(saved: tuple) -> None:
    _, _, folder = saved
    assert json.loads((folder / "config.json").read_text()) == {
        "format": "flaim",
        "model_name": "toynet.wide",
        "architecture": "toynet",
        "tag": "wide",
        "n_classes": 5,
        "model_kwargs": {"width": 4, "kernel_size": [1, 3], "param_dtype": "bfloat16"},
    }


def test_get_model_rebuilds_from_the_folder_alone(saved: tuple) -> None:
    model, variables, folder = saved
    for pretrained in (str(folder), str(folder / "model.safetensors")):
        again, back = flaim.get_model(pretrained=pretrained)
        assert again == model and same(variables, back)
        np.testing.assert_array_equal(again.apply(back, X, training=False), model.apply(variables, X, training=False))


def test_explicit_arguments_win(saved: tuple) -> None:
    _, variables, folder = saved
    three, head3 = flaim.get_model("toynet", pretrained=str(folder), n_classes=3)  # a new head, the rest loaded
    assert three.n_classes == 3 and head3["params"]["head"]["fc"]["kernel"].shape == (4, 3)
    assert np.array_equal(head3["params"]["conv"]["kernel"], variables["params"]["conv"]["kernel"])
    f32, _ = flaim.get_model("toynet.in10", pretrained=str(folder), param_dtype=jnp.float32)
    assert f32.param_dtype == jnp.float32 and f32.width == 4
    with pytest.raises(flaim.WeightsError, match=r"config.json: width=4 recorded, width=8 given\).*\n~ shape"):
        flaim.get_model(pretrained=str(folder), width=8)


def test_another_architecture_is_an_error(saved: tuple) -> None:
    _, _, folder = saved
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "architecture": "othernet"}))
    with pytest.raises(ValueError, match=r"holds a 'othernet'.*not 'toynet'\. Pass model_name='toynet\.wide'"):
        flaim.get_model("toynet", pretrained=str(folder))


def test_old_config_and_no_name(toy: Path) -> None:
    model, variables = flaim.get_model("toynet")
    flaim.save_pretrained(variables, str(toy / "plain"), "toynet")  # without the module: name and tag only
    again, back = flaim.get_model(pretrained=str(toy / "plain"))
    assert again == model and same(variables, back)
    with pytest.raises(ValueError, match="needs a model_name unless pretrained is a folder written by"):
        flaim.get_model(pretrained=False)


def test_unrecordable_argument_and_wrong_module_are_named(toy: Path) -> None:
    model, variables = flaim.get_model("toynet", jit=False)
    with pytest.raises(TypeError, match=r"Cannot record the model argument width=<object"):
        flaim.save_pretrained(variables, str(toy / "bad"), "toynet", model=model.clone(width=object()))
    with pytest.raises(ValueError, match="but 'toynet' is built by flaim_toy_model:ToyNet"):
        flaim.save_pretrained(variables, str(toy / "bad"), "toynet", model=object())


def test_timm_format_is_the_converter_reversed(toy: Path) -> None:
    save_file(timm_style_state(), str(toy / "timm.safetensors"))
    model, variables = flaim.get_model("toynet", pretrained=str(toy / "timm.safetensors"))
    flaim.save_pretrained(variables, str(toy / "out"), "toynet", model=model, format="timm")
    written = load_file(str(toy / "out" / "model.safetensors"))
    expected = timm_style_state()
    assert written.keys() == expected.keys() and all(np.array_equal(written[k], expected[k]) for k in expected)
    assert json.loads((toy / "out" / "config.json").read_text()) == {"architecture": "toynet", "num_classes": 10}
    _, back = flaim.get_model("toynet", pretrained=str(toy / "out"))
    assert same(variables, back)
    with pytest.raises(ValueError, match="Unknown checkpoint format 'onnx'; choose 'flaim' or 'timm'"):
        flaim.save_pretrained(variables, str(toy / "out"), "toynet", format="onnx")


def test_rules_that_cannot_be_reversed_are_named() -> None:
    variables = {"params": {"a": {"kernel": np.zeros(2)}}}
    with pytest.raises(flaim.WeightsError, match=re.escape(r"rule 'a\.\w+' cannot be reversed: its pattern is not")):
        reverse_rules(variables, [Rule(r"a\.\w+", "params/a/kernel")])
    with pytest.raises(flaim.WeightsError, match=r"its target 'params/a/kernel' drops a group"):
        reverse_rules(variables, [Rule(r"(a)\.weight", "params/a/kernel")])
    with pytest.raises(flaim.WeightsError, match=r"its transform <lambda> declares no inverse"):
        reverse_rules(variables, [Rule(r"a\.weight", "params/a/kernel", lambda x: x)])
    with pytest.raises(flaim.WeightsError, match=r"\n- no rule produces params/a/kernel"):
        reverse_rules(variables, [Rule(r"b\.weight", "params/b/kernel")])
