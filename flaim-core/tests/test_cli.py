"""The `flaim` command line on a toy 1000-class family: list, info, plugins, predict, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jax
import numpy as np
import pytest
from fake_dist import install_fake_dist
from flaim_toy_model import timm_style_state
from safetensors.numpy import save_file

import flaim
from flaim.cli import main
from flaim.data import decode_predictions, preprocess_batch
from flaim.testing import write_hub_cache

SAMPLES = Path(str(files("flaim.data") / "samples"))
IMAGES = [str(SAMPLES / "cat.jpg"), str(SAMPLES / "coffee.jpg")]
TOY_DIR = Path(__file__).parent / "toy"
FLAIM = Path(sys.executable).parent / "flaim"  # the console script installed with flaim-core
PLUGIN = """
from flaim import ModelSpec, PretrainedCfg, hookimpl

@hookimpl
def flaim_models():
    return [
        ModelSpec(
            name="toyclf",
            family="toy",
            builder="flaim_toy_model:ToyNet",
            converter="flaim_toy_model:timm_to_flax",
            classifier="head/fc",
            pretrained=(
                PretrainedCfg(tag="in1k", input_size=(3, 32, 32), crop_pct=1.0, interpolation="bilinear"),
                PretrainedCfg(tag="in10", num_classes=10, input_size=(3, 32, 32)),
                PretrainedCfg(tag="clip", num_classes=0, label_set=None),
            ),
        )
    ]
"""


@pytest.fixture
def toyclf(site: Path) -> Path:
    """A 1000-class toy family installed as 'flaim-toyclf'; returns its timm-layout checkpoint folder."""
    install_fake_dist(site, "flaim-toyclf", "flaim_toyclf", PLUGIN)
    folder = site / "ckpt"
    folder.mkdir()
    save_file(timm_style_state(n_classes=1000), str(folder / "model.safetensors"))
    yield folder
    sys.modules.pop("flaim_toyclf", None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def flaim_cli(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `flaim` script with the toy plugins importable (env entries are added)."""
    path = os.pathsep.join([*env.pop("PYTHONPATH", "").split(os.pathsep), str(TOY_DIR)])
    return subprocess.run(
        [str(FLAIM), *argv], capture_output=True, text=True, env={**os.environ, **env, "PYTHONPATH": path}, timeout=300
    )


def test_list_info_plugins(toyclf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "list", "^toyclf") == (0, "toyclf\n", "")
    assert run(capsys, "list", "toyclf", "--pretrained")[1].split() == ["toyclf.clip", "toyclf.in10", "toyclf.in1k"]
    assert run(capsys, "list", "^nothing") == (0, "", "flaim: no models match\n")
    status, _, err = run(capsys, "list", "*clf")
    assert status == 1 and "is not a valid regular expression" in err and "e.g. '^resnet5'" in err

    status, out, _ = run(capsys, "info", "toyclf")
    assert status == 0
    assert "model:       toyclf.in1k" in out
    assert f"parameters:  {8 * 27 + 8 + 8 * 1000 + 1000:,}" in out
    assert "classes:     1000 (imagenet-1k)" in out
    assert "preprocess:  center crop, crop_pct 1.0, bilinear" in out
    assert "hub repo:    timm/toyclf.in1k" in out
    assert "tags:        in1k (default), in10, clip" in out
    assert f"parameters:  {8 * 27 + 8 + 8 * 10 + 10:,}" in run(capsys, "info", "toyclf.in10")[1]


def test_plugins_table_shows_load_errors(
    toyclf: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLAIM_STRICT_PLUGINS", raising=False)
    install_fake_dist(toyclf.parent, "flaim-broken", "broken_clf", "raise ImportError('needs libfoo')\n")
    status, out, err = run(capsys, "plugins")
    rows = {line.split()[0]: line.split(maxsplit=4) for line in out.splitlines()}
    assert (status, err) == (0, "")
    assert rows["plugin"] == ["plugin", "distribution", "version", "models", "status"]
    assert rows["flaim-toyclf"] == ["flaim-toyclf", "flaim-toyclf", "0.1", "1", "ok"]
    assert rows["flaim-broken"][1:4] == ["flaim-broken", "0.1", "0"]
    assert rows["flaim-broken"][4] == "error: import failed: ImportError: needs libfoo"


def test_predict_table_and_json(toyclf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model, variables = flaim.get_model("toyclf.in1k", pretrained=str(toyclf))
    logits = model.apply(variables, preprocess_batch(IMAGES, "toyclf.in1k"), training=False)
    expected = decode_predictions(logits, "imagenet-1k", top_k=3)

    argv = ["predict", *IMAGES, "--model", "toyclf.in1k", "--weights", str(toyclf), "--json", "--top-k", "3"]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    records = json.loads(out)
    assert [r["image"] for r in records] == IMAGES
    assert records[0]["model"] == "toyclf.in1k" and records[0]["weights"] == str(toyclf / "model.safetensors")
    for record, top in zip(records, expected, strict=True):
        got = [(p["index"], p["label"], p["synset"]) for p in record["predictions"]]
        assert got == [(p.index, p.label, p.synset) for p in top]
        assert [p["probability"] for p in record["predictions"]] == pytest.approx([p.probability for p in top])

    status, out, _ = run(capsys, "predict", IMAGES[0], "--model", "toyclf", "--weights", str(toyclf), "--top-k", "2")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 3
    assert lines[0] == f"{IMAGES[0]}  (toyclf.in1k, weights {toyclf})"
    assert lines[1].split(maxsplit=2)[::2] == ["1", expected[0][0].label]


def test_predict_compiles_a_program_without_the_weights_in_it(toyclf: Path) -> None:
    from jax.experimental.serialize_executable import serialize

    from flaim.cli import _forward

    model, variables = flaim.get_model("toyclf", width=256)  # 1 MB of weights
    weight_bytes = sum(leaf.nbytes for leaf in jax.tree.leaves(variables))
    program = _forward(model).lower(variables, np.zeros((1, 32, 32, 3), np.float32)).compile()
    assert weight_bytes > 2**20 and len(serialize(program)[0]) < weight_bytes / 4


def test_compile_cache_folder_and_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flaim import compile_cache

    monkeypatch.delenv("FLAIM_COMPILE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert compile_cache.cache_dir() == tmp_path / ".cache" / "flaim" / "xla"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert compile_cache.cache_dir() == tmp_path / "xdg" / "flaim" / "xla"
    monkeypatch.setenv("FLAIM_COMPILE_CACHE_DIR", "~/elsewhere")
    assert compile_cache.cache_dir() == tmp_path / "elsewhere"
    for value, off in [("", False), ("0", False), ("no", False), ("1", True), ("yes", True)]:
        monkeypatch.setenv("FLAIM_NO_COMPILE_CACHE", value)
        assert compile_cache.disabled() is off


def test_cache_command_shows_and_clears(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "xla"
    monkeypatch.setenv("FLAIM_COMPILE_CACHE_DIR", str(folder))
    monkeypatch.setenv("FLAIM_NO_COMPILE_CACHE", "")
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "entry").write_bytes(b"x" * 2**20)
    status, out, _ = run(capsys, "cache")
    assert status == 0 and out.split("\n")[:4] == [
        f"folder:  {folder}",
        "files:   1",
        "size:    1.0 MiB",
        "use:     on",
    ]
    monkeypatch.setenv("FLAIM_NO_COMPILE_CACHE", "1")
    assert "use:     off (FLAIM_NO_COMPILE_CACHE is set)" in run(capsys, "cache")[1]
    assert run(capsys, "cache", "--clear")[:2] == (0, f"removed {folder} (1 files, 1.0 MiB)\n")
    assert not folder.exists()


def test_predict_user_errors(toyclf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = ["--model", "toyclf", "--weights", str(toyclf)]
    (tmp_path / "notes.png").write_text("text")
    cases = {
        "No such image file: 'missing.jpg'": ["predict", "missing.jpg", *weights],
        "is not an image file Pillow can read": ["predict", str(tmp_path / "notes.png"), *weights],
        "Unknown model 'toyclff'. Did you mean 'toyclf'?": ["predict", IMAGES[0], "--model", "toyclff"],
        "Unknown pretrained tag 'in2k' for 'toyclf'": ["predict", IMAGES[0], "--model", "toyclf.in2k"],
        "outputs image features, not classes": ["predict", IMAGES[0], "--model", "toyclf.clip"],
        "No weights at": ["predict", IMAGES[0], "--model", "toyclf", "--weights", str(tmp_path / "nothing")],
    }
    for message, argv in cases.items():
        status, out, err = run(capsys, *argv)
        assert (status, out) == (1, "")
        assert err.startswith("flaim: error: ") and message in err and err.count("\n") == 1


def test_predict_names_classes_by_index_when_counts_differ(toyclf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = toyclf.parent / "ckpt10"
    folder.mkdir()
    save_file(timm_style_state(n_classes=10), str(folder / "model.safetensors"))
    status, out, err = run(capsys, "predict", IMAGES[0], "--model", "toyclf.in10", "--weights", str(folder))
    assert status == 0 and "gives 10 classes, not the 1000 of 'imagenet-1k'" in err
    assert "class " in out


def test_top_k_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["predict", IMAGES[0], "--top-k", "0"])
    assert exit_info.value.code == 2 and "must be at least 1" in capsys.readouterr().err


def test_console_script_predicts_from_an_offline_hub_cache(toyclf: Path, tmp_path: Path) -> None:
    hf_home = tmp_path / "hf"
    write_hub_cache(hf_home, "timm/toyclf.in1k", toyclf / "model.safetensors")
    site = str(toyclf.parent)
    xla_cache = tmp_path / "xla"
    result = flaim_cli(
        "predict",
        *IMAGES,
        "--model",
        "toyclf.in1k",
        "--json",
        HF_HOME=str(hf_home),
        HF_HUB_OFFLINE="1",
        PYTHONPATH=site,
        FLAIM_COMPILE_CACHE_DIR=str(xla_cache),
        FLAIM_NO_COMPILE_CACHE="",
    )
    assert result.returncode == 0, result.stderr
    assert any(xla_cache.iterdir())  # the command caches what it compiled
    model, variables = flaim.get_model("toyclf.in1k", pretrained=str(toyclf))
    logits = model.apply(variables, preprocess_batch(IMAGES, "toyclf.in1k"), training=False)
    expected = [[p.index for p in top] for top in decode_predictions(logits)]
    assert [[p["index"] for p in r["predictions"]] for r in json.loads(result.stdout)] == expected

    empty = tmp_path / "empty"
    result = flaim_cli(
        "predict", IMAGES[0], "--model", "toyclf", HF_HOME=str(empty), HF_HUB_OFFLINE="1", PYTHONPATH=site
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for needed in ("HF_HUB_OFFLINE", str(empty / "hub"), "--weights"):
        assert needed in result.stderr


def test_console_script_errors_are_one_line(tmp_path: Path) -> None:
    result = flaim_cli("predict", str(tmp_path / "missing.jpg"), "--model", "nonet")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("flaim: error: Unknown model 'nonet'.") and result.stderr.count("\n") == 1


def test_predict_reports_good_images_and_an_error_per_bad_one(
    toyclf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = str(tmp_path / "missing.jpg")
    argv = ["predict", IMAGES[0], bad, IMAGES[1], "--model", "toyclf", "--weights", str(toyclf), "--top-k", "1"]
    status, out, err = run(capsys, *argv, "--json")
    records = json.loads(out)
    assert status == 1 and [r["image"] for r in records] == [IMAGES[0], bad, IMAGES[1]]
    assert records[1] == {"image": bad, "error": f"No such image file: '{bad}'"}
    assert len(records[0]["predictions"]) == 1 and len(records[2]["predictions"]) == 1
    assert err == f"flaim: error: No such image file: '{bad}'\n"

    status, out, err = run(capsys, *argv)
    assert status == 1 and out.count("(toyclf.in1k, weights") == 2 and bad not in out
    assert err == f"flaim: error: No such image file: '{bad}'\n"


def test_malformed_hub_reference_is_one_line(toyclf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for ref in ("hf-hub:", "hf-hub:../../etc", "hf-hub:a/b/c"):
        status, out, err = run(capsys, "predict", IMAGES[0], "--model", "toyclf", "--weights", ref)
        assert (status, out) == (1, "") and err.startswith("flaim: error: ") and err.count("\n") == 1


def test_info_with_a_distribution_prefix_when_two_plugins_share_a_name(
    toyclf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_dist(toyclf.parent, "flaim-toyclf2", "broken_toyclf2", PLUGIN)
    status, out, err = run(capsys, "info", "flaim-toyclf2:toyclf.in10")
    assert (status, err) == (0, "") and f"parameters:  {8 * 27 + 8 + 8 * 10 + 10:,}" in out
    status, _, err = run(capsys, "info", "toyclf")
    assert status == 1 and "registered by several distributions" in err


def test_disabled_plugins_are_listed_as_disabled(
    toyclf: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLAIM_DISABLE_PLUGINS", "flaim-toyclf")
    status, out, _ = run(capsys, "plugins")
    rows = {line.split()[0]: line.split(maxsplit=4) for line in out.splitlines()}
    assert status == 0 and rows["flaim-toyclf"][1:] == ["flaim-toyclf", "0.1", "0", "disabled by FLAIM_DISABLE_PLUGINS"]


def test_plugin_output_never_reaches_stdout(toyclf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install_fake_dist(
        toyclf.parent, "flaim-chatty", "broken_chatty", "print('loaded!')\n" + PLUGIN.replace("toyclf", "chatty")
    )
    status, out, err = run(capsys, "list", "^(toyclf|chatty)$")
    assert (status, out) == (0, "chatty\ntoyclf\n") and "loaded!" in err


def test_python_dash_m_flaim_exits_like_flaim(toyclf: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toyclf.parent), str(TOY_DIR)])}
    result = subprocess.run([sys.executable, "-m", "flaim", "info", "nonet"], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and result.stderr.startswith("flaim: error: Unknown model 'nonet'.")
    result = subprocess.run(
        [sys.executable, "-m", "flaim", "list", "^toyclf$"], capture_output=True, text=True, env=env
    )
    assert (result.returncode, result.stdout) == (0, "toyclf\n")
