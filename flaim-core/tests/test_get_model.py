"""get_model on the toy family: random init, n_classes contract, local / native / Hub weights, errors."""

from __future__ import annotations

import json
import os
import pydoc
import subprocess
import sys
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest
from flaim_toy_model import timm_style_state
from safetensors.numpy import save_file

import flaim
from flaim import factory
from flaim.convert import flatten
from flaim.testing import write_hub_cache

X = np.random.default_rng(1).standard_normal((2, 16, 16, 3), dtype=np.float32)


def test_help_shows_the_real_get_model() -> None:
    assert flaim.get_model is factory.get_model
    text = pydoc.render_doc(flaim.get_model, renderer=pydoc.plaintext)
    assert "get_model(model_name: 'str | None' = None," in text and factory.get_model.__doc__.splitlines()[0] in text


@pytest.fixture
def ckpt(toy: Path) -> Path:
    """A timm-layout checkpoint of toynet."""
    folder = toy / "ckpt"
    folder.mkdir()
    save_file(timm_style_state(), str(folder / "model.safetensors"))
    return folder


def reference_logits(state: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """ToyNet's forward pass in plain numpy, from the PyTorch-layout state."""
    w, b = state["conv.weight"], state["conv.bias"]
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    h, wd = x.shape[1:3]
    patches = np.stack([padded[:, i : i + h, j : j + wd] for i in range(3) for j in range(3)], axis=-2)
    conv = np.einsum("bhwkc,okc->bhwo", patches, w.transpose(0, 2, 3, 1).reshape(w.shape[0], 9, 3)) + b
    pooled = np.maximum(conv, 0).mean((1, 2))
    return pooled @ state["head.fc.weight"].T + state["head.fc.bias"]


def test_random_init_and_n_classes(toy: Path) -> None:
    model, variables = flaim.get_model("toynet")
    assert model.apply(variables, X, training=False).shape == (2, 10)
    for n_classes, shape in [(0, (2, 16, 16, 8)), (-1, (2, 8)), (5, (2, 5))]:
        model, variables = flaim.get_model("toynet", n_classes=n_classes, jit=False)
        assert model.apply(variables, X, training=False).shape == shape
    _, again = flaim.get_model("toynet", n_classes=5, prng=jax.random.key(0))
    _, other = flaim.get_model("toynet", n_classes=5, prng=jax.random.key(1))
    assert np.array_equal(again["params"]["head"]["fc"]["kernel"], variables["params"]["head"]["fc"]["kernel"])
    assert not np.array_equal(other["params"]["head"]["fc"]["kernel"], variables["params"]["head"]["fc"]["kernel"])


def test_random_init_samples_flaim_initializers_on_the_host_and_traces_the_rest(ckpt: Path) -> None:
    from flaim import random_init

    model, variables = flaim.get_model("toynet", n_classes=5)
    got = flatten(variables)
    reference = flatten(model.init(jax.random.key(0), np.zeros((1, 16, 16, 3), np.float32), training=False))
    assert got.keys() == reference.keys()
    # the head's initialisers are flaim's: numpy draws them on the host, from the key and the variable's path
    init_plan = random_init.plan(model, jax.random.key(0))
    assert set(init_plan.host) == {"params/head/fc/kernel", "params/head/fc/bias"}
    assert not np.array_equal(got["params/head/fc/kernel"], reference["params/head/fc/kernel"])
    # the conv's are flax's defaults (a third-party layer): computed from the traced model.init, exactly its values
    assert all(np.array_equal(got[k], reference[k]) for k in ("params/conv/kernel", "params/conv/bias"))
    _, eager = flaim.get_model("toynet", n_classes=5, jit=False)
    assert all(np.allclose(v, got[k], rtol=1e-6, atol=0) for k, v in flatten(eager).items())
    assert np.array_equal(eager["params"]["head"]["fc"]["kernel"], got["params/head/fc/kernel"])
    _, head = flaim.get_model("toynet", pretrained=str(ckpt), n_classes=5)  # a fresh head: the same draw
    assert np.array_equal(head["params"]["head"]["fc"]["kernel"], got["params/head/fc/kernel"])
    traced = jax.eval_shape(lambda key: flaim.get_model("toynet", n_classes=5, prng=key)[1], jax.random.key(0))
    assert jax.tree.map(lambda v: (v.shape, v.dtype), traced) == jax.tree.map(lambda v: (v.shape, v.dtype), variables)


def test_intermediates_are_sown(toy: Path) -> None:
    model, variables = flaim.get_model("toynet")
    _, state = model.apply(variables, X, training=False, mutable=["intermediates"])
    assert state["intermediates"]["stage_0"][0].shape == (2, 16, 16, 8)


def test_local_timm_checkpoint_matches_reference(ckpt: Path) -> None:
    model, variables = flaim.get_model("toynet", pretrained=str(ckpt))
    expected = reference_logits(timm_style_state(), X)
    np.testing.assert_allclose(model.apply(variables, X, training=False), expected, rtol=1e-5, atol=1e-5)
    _, from_file = flaim.get_model("toynet", pretrained=str(ckpt / "model.safetensors"))
    pairs = zip(jax.tree.leaves(variables), jax.tree.leaves(from_file), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)


def test_new_classifier_only_replaces_the_head(ckpt: Path) -> None:
    _, loaded = flaim.get_model("toynet", pretrained=str(ckpt))
    _, five = flaim.get_model("toynet", pretrained=str(ckpt), n_classes=5)
    assert five["params"]["head"]["fc"]["kernel"].shape == (8, 5)
    assert np.array_equal(five["params"]["conv"]["kernel"], loaded["params"]["conv"]["kernel"])
    model, pooled = flaim.get_model("toynet", pretrained=str(ckpt), n_classes=-1)
    assert "head" not in pooled["params"] and model.apply(pooled, X, training=False).shape == (2, 8)


def test_save_pretrained_round_trip_is_bit_exact(ckpt: Path, tmp_path: Path) -> None:
    _, variables = flaim.get_model("toynet", pretrained=str(ckpt))
    flaim.save_pretrained(variables, str(tmp_path / "native"), "toynet")
    assert json.loads((tmp_path / "native" / "config.json").read_text())["model_name"] == "toynet"
    _, back = flaim.get_model("toynet", pretrained=str(tmp_path / "native"))
    a, b = flatten(variables), flatten(back)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)


def test_unknown_model_kwarg_lists_valid_ones(toy: Path) -> None:
    with pytest.raises(
        TypeError,
        match=r"unknown model arguments \['widht'\]; valid arguments: img_size, kernel_size, param_dtype, width",
    ):
        flaim.get_model("toynet", widht=4)


def test_bad_input_layout_is_explained(toy: Path) -> None:
    model, variables = flaim.get_model("toynet")
    with pytest.raises(ValueError, match="looks like NCHW"):
        model.apply(variables, X.transpose(0, 3, 1, 2), training=False)
    with pytest.raises(ValueError, match="rank 4"):
        model.apply(variables, X[0], training=False)


def test_mismatched_checkpoint_lists_every_problem(toy: Path) -> None:
    state = timm_style_state(width=4)
    del state["conv.bias"]
    save_file(state, str(toy / "bad.safetensors"))
    with pytest.raises(flaim.WeightsError) as err:
        flaim.get_model("toynet", pretrained=str(toy / "bad.safetensors"))
    assert "- missing params/conv/bias (8,)" in str(err.value)
    assert "~ shape params/conv/kernel: checkpoint (3, 3, 3, 4), model (3, 3, 3, 8)" in str(err.value)


def test_unconvertible_keys_are_listed(toy: Path) -> None:
    save_file({**timm_style_state(), "extra.weight": np.zeros(3, np.float32)}, str(toy / "extra.safetensors"))
    with pytest.raises(flaim.WeightsError, match=r"\+ unexpected extra.weight"):
        flaim.get_model("toynet", pretrained=str(toy / "extra.safetensors"))


def test_pickles_are_refused(toy: Path) -> None:
    (toy / "pytorch_model.bin").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(flaim.WeightsError, match="never unpickles"):
        flaim.get_model("toynet", pretrained=str(toy / "pytorch_model.bin"))


def test_conflicting_tags(toy: Path) -> None:
    with pytest.raises(ValueError, match="Two different tags"):
        flaim.get_model("toynet.in10", pretrained="wide")
    with pytest.raises(flaim.UnknownTagError, match="Available tags: in10, wide"):
        flaim.get_model("toynet", pretrained="in11")


def run_offline(hf_home: Path, site: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HF_HOME": str(hf_home),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join([str(site), *sys.path]),
    }
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_offline_hub_cache_path(ckpt: Path, tmp_path: Path) -> None:
    hf_home = tmp_path / "hf"
    write_hub_cache(hf_home, "timm/toynet.wide", ckpt / "model.safetensors")
    code = (
        "import numpy as np, flaim\n"
        "m, v = flaim.get_model('toynet.wide', pretrained=True)\n"
        "x = np.random.default_rng(1).standard_normal((2, 16, 16, 3), dtype=np.float32)\n"
        "np.save('out.npy', np.asarray(m.apply(v, x, training=False)))\n"
    )
    result = run_offline(hf_home, ckpt.parent, f"import os; os.chdir({str(tmp_path)!r})\n" + code)
    assert result.returncode == 0, result.stderr
    expected = reference_logits(timm_style_state(), X)
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=1e-5, atol=1e-5)

    by_repo = run_offline(
        hf_home, ckpt.parent, "import flaim; flaim.get_model('toynet', pretrained='hf-hub:timm/toynet.wide')"
    )
    assert by_repo.returncode == 0, by_repo.stderr

    missing = run_offline(hf_home, ckpt.parent, "import flaim; flaim.get_model('toynet.in10', pretrained=True)")
    assert "HF_HUB_OFFLINE is set" in missing.stderr and "timm/toynet.in10" in missing.stderr


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (dict(n_classes="10"), TypeError, "n_classes must be None, 0, -1 or a positive int, got '10'"),
        (dict(n_classes=1.5), TypeError, "n_classes must be None, 0, -1 or a positive int, got 1.5"),
        (dict(n_classes=True), TypeError, "n_classes must be None, 0, -1 or a positive int, got True"),
        (dict(n_classes=-2), ValueError, r"n_classes must be None \(the checkpoint's output\), 0 .* got -2"),
        (dict(img_size=0), ValueError, r"img_size must be a positive int or a \(height, width\) pair .* got 0"),
        (dict(img_size="224"), ValueError, "img_size must be a positive int .* got '224'"),
        (dict(img_size=(16, -1)), ValueError, r"img_size must be .* got \(16, -1\)"),
        (dict(jit="yes"), TypeError, "jit must be True or False, got 'yes'"),
        (dict(prng=0), TypeError, r"prng must be a key from jax.random.key\(seed\)"),
        (dict(pretrained=1), TypeError, "pretrained must be True/False, a tag, 'hf-hub:<repo>' or a path"),
        (dict(pretrained=""), TypeError, "pretrained must be True/False, a tag"),
    ],
)
def test_bad_arguments_are_named(toy: Path, arguments: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        flaim.get_model("toynet", **arguments)


def test_valid_argument_forms(ckpt: Path) -> None:
    model, _ = flaim.get_model("toynet", n_classes=np.int64(3), prng=jax.random.PRNGKey(1), img_size=(8, 12), jit=False)
    assert (model.n_classes, type(model.n_classes)) == (3, int)
    _, variables = flaim.get_model("toynet", pretrained=ckpt)  # a pathlib.Path
    assert variables["params"]["head"]["fc"]["kernel"].shape == (8, 10)


def test_a_bare_word_is_a_tag_not_a_folder(ckpt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ckpt.parent)
    (ckpt.parent / "ckpt.safetensors").write_bytes((ckpt / "model.safetensors").read_bytes())
    with pytest.raises(flaim.UnknownTagError, match=r"Unknown pretrained tag 'ckpt' .* pass './ckpt'. Available"):
        flaim.get_model("toynet", pretrained="ckpt")
    for path in ("./ckpt", "ckpt.safetensors"):
        _, variables = flaim.get_model("toynet", pretrained=path)
        assert variables["params"]["conv"]["kernel"].shape == (3, 3, 3, 8)


def test_integer_and_bool_weights_are_refused(toy: Path) -> None:
    state = timm_style_state()
    state["conv.bias"] = np.arange(8, dtype=np.int64)
    state["head.fc.bias"] = np.ones(10, dtype=bool)
    save_file(state, str(toy / "ints.safetensors"))
    with pytest.raises(flaim.WeightsError) as err:
        flaim.get_model("toynet", pretrained=str(toy / "ints.safetensors"))
    assert "~ dtype params/conv/bias: checkpoint int64, model float32" in str(err.value)
    assert "~ dtype params/head/fc/bias: checkpoint bool, model float32" in str(err.value)


def test_extra_native_keys_under_the_classifier_are_refused(ckpt: Path, tmp_path: Path) -> None:
    _, variables = flaim.get_model("toynet", pretrained=str(ckpt))
    flat = {k: np.asarray(v) for k, v in flatten(variables).items()}
    flat["params/head/fc/extra"] = np.zeros(3, np.float32)
    save_file(flat, str(tmp_path / "native.safetensors"), metadata={"format": "flaim"})
    for n_classes in (None, 5, -1):
        with pytest.raises(flaim.WeightsError, match=r"\+ unexpected params/head/fc/extra \(3,\)"):
            flaim.get_model("toynet", pretrained=str(tmp_path / "native.safetensors"), n_classes=n_classes)


def spec_plugin(**fields: Any) -> object:
    """A plugin object registering 'badnet': the toy model with some spec fields replaced."""

    class Plugin:
        @flaim.hookimpl
        def flaim_models(self) -> list[flaim.ModelSpec]:
            refs = {"builder": "flaim_toy_model:ToyNet", "converter": "flaim_toy_model:timm_to_flax", **fields}
            return [flaim.ModelSpec(name="badnet", family="x", classifier="head/fc", **refs)]

    return Plugin()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            dict(builder="flaim_toy_model:Nope"),
            "'badnet' \\(from bad-dist\\) has builder='flaim_toy_model:Nope', which cannot be imported: AttributeError",
        ),
        (
            dict(converter="no_such_module:f"),
            "'badnet' \\(from bad-dist\\) has converter='no_such_module:f', which "
            "cannot be imported: ModuleNotFoundError",
        ),
        (
            dict(builder="flaim_toy_model:timm_to_flax"),
            "builder='flaim_toy_model:timm_to_flax', which is not a flax Module class",
        ),
        (
            dict(model_args={"widht": 4}),
            r"'badnet' \(from bad-dist\) has model_args \['widht'\] that flaim_toy_model:ToyNet does not take; "
            r"valid arguments: img_size, kernel_size, param_dtype, width",
        ),
        (
            dict(converter="flaim_toy_model:timm_style_state"),
            r"could not be converted for 'badnet' by "
            r"flaim_toy_model:timm_style_state \(from bad-dist\): TypeError",
        ),
    ],
)
def test_broken_spec_references_name_model_field_and_distribution(
    ckpt: Path, fields: dict[str, Any], message: str
) -> None:
    from flaim.testing import registered

    plugin = spec_plugin(**fields)
    with registered(plugin, name="bad", distribution="bad-dist"), pytest.raises(Exception, match=message) as err:
        flaim.get_model("badnet", pretrained=str(ckpt))
    assert isinstance(err.value, flaim.PluginError | flaim.WeightsError)


def test_integer_image_batches_are_refused(toy: Path) -> None:
    model, variables = flaim.get_model("toynet")
    with pytest.raises(ValueError, match=r"Expected a float image batch, got uint8.*flaim\.data\.preprocess"):
        model.apply(variables, (X * 255).astype(np.uint8), training=False)
    with pytest.raises(TypeError, match="Expected an NHWC image batch as an array, got list"):
        model.apply(variables, X.tolist(), training=False)
