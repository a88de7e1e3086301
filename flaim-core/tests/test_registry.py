"""Plugin discovery: listing, names and tags, broken and duplicate plugins, allow/block lists."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fake_dist import install_fake_dist

import flaim
from flaim.registry import REGISTRY

BROKEN = "raise ImportError('needs a library that is not installed')\n"
DUPLICATE = """
from flaim import ModelSpec, hookimpl

@hookimpl
def flaim_models():
    spec = ModelSpec(name="toynet", family="dup", builder="flaim_toy_model:ToyNet", converter="flaim_toy_model:f")
    return [spec]
"""
INVALID = """
from flaim import hookimpl

@hookimpl
def flaim_models():
    return ["not a spec"]
"""


def test_toy_plugin_is_discovered(toy: Path) -> None:
    assert "toynet" in flaim.list_models()
    assert flaim.list_models("^toy") == ["toynet"]
    assert flaim.list_models("nothing-matches") == []
    assert flaim.list_models("toy", pretrained=True) == ["toynet.in10", "toynet.wide"]
    info = next(p for p in flaim.list_plugins() if p.distribution == "flaim-toy")
    assert (info.version, info.n_models, info.error) == ("0.1", 1, None)


def test_pretrained_cfg(toy: Path) -> None:
    cfg = flaim.get_pretrained_cfg("toynet")
    assert cfg["hf_hub_id"] == "timm/toynet.in10"
    assert flaim.get_pretrained_cfg("toynet.wide")["hf_hub_id"] == "timm/toynet.wide"
    assert cfg["input_size"] == (3, 224, 224) and cfg["num_classes"] == 10


def test_unknown_name_suggests_close_names(toy: Path) -> None:
    with pytest.raises(flaim.UnknownModelError, match="Did you mean 'toynet'"):
        flaim.get_pretrained_cfg("toynett")


def test_unknown_tag_lists_tags(toy: Path) -> None:
    with pytest.raises(flaim.UnknownTagError, match=r"Did you mean 'toynet.in10'\?.*Available tags: in10, wide"):
        flaim.get_pretrained_cfg("toynet.in11")


def test_broken_plugin_warns_with_distribution_and_others_work(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_dist(toy, "broken-family", "broken_family", BROKEN)
    monkeypatch.delenv("FLAIM_STRICT_PLUGINS", raising=False)
    with pytest.warns(RuntimeWarning, match=r"broken-family 0\.1 is disabled: import failed: ImportError"):
        assert "toynet" in flaim.list_models()
    info = next(p for p in flaim.list_plugins() if p.distribution == "broken-family")
    assert info.n_models == 0 and "needs a library" in info.error


def test_broken_plugin_is_an_error_when_strict(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_dist(toy, "broken-family", "broken_family", BROKEN)
    monkeypatch.setenv("FLAIM_STRICT_PLUGINS", "1")
    with pytest.raises(flaim.PluginError, match="broken-family"):
        flaim.list_models()


def test_invalid_specs_are_reported(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_dist(toy, "broken-specs", "broken_specs", INVALID)
    monkeypatch.delenv("FLAIM_STRICT_PLUGINS", raising=False)
    with pytest.warns(RuntimeWarning, match="broken-specs.*not a ModelSpec"):
        flaim.list_models()


def test_duplicate_names_are_never_a_silent_winner(toy: Path) -> None:
    install_fake_dist(toy, "dup-family", "dup_family", DUPLICATE)
    with pytest.raises(flaim.AmbiguousModelError, match=r"flaim-toy, dup-family|dup-family, flaim-toy"):
        flaim.get_pretrained_cfg("toynet")
    assert flaim.get_pretrained_cfg("flaim-toy:toynet")["hf_hub_id"] == "timm/toynet.in10"
    with pytest.raises(flaim.UnknownModelError, match="not provided by 'nope'"):
        flaim.get_pretrained_cfg("nope:toynet")


def test_block_and_allow_lists(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAIM_DISABLE_PLUGINS", "Flaim_Toy")  # compared as pip compares names
    REGISTRY.reset()
    assert "toynet" not in flaim.list_models()
    info = next(p for p in flaim.list_plugins() if p.distribution == "flaim-toy")
    assert (info.n_models, info.error, info.disabled) == (0, None, "disabled by FLAIM_DISABLE_PLUGINS")
    with pytest.raises(flaim.UnknownModelError, match=r"Not loaded: flaim-toy \(disabled by FLAIM_DISABLE_PLUGINS"):
        flaim.get_model("toynet")
    monkeypatch.delenv("FLAIM_DISABLE_PLUGINS")
    monkeypatch.setenv("FLAIM_PLUGINS", "flaim-toy")
    REGISTRY.reset()
    assert [p.distribution for p in flaim.list_plugins() if not p.disabled] == ["flaim-toy"]
    assert {p.disabled for p in flaim.list_plugins() if p.distribution != "flaim-toy"} <= {
        "disabled: not in FLAIM_PLUGINS"
    }


def test_plugin_registered_in_a_test(site: Path) -> None:
    class Plugin:
        @flaim.hookimpl
        def flaim_models(self) -> list[flaim.ModelSpec]:
            return [flaim.ModelSpec(name="inline", family="x", builder="m:C", converter="m:f")]

    from flaim.testing import registered

    with registered(Plugin(), name="inline"):
        assert "inline" in flaim.list_models()
    assert "inline" not in flaim.list_models()


def test_import_and_listing_load_no_jax(toy: Path) -> None:
    code = "import sys, flaim; flaim.list_models(); flaim.list_plugins(); print('jax' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toy), *sys.path])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


EVIL = """
from flaim import ModelSpec, hookimpl

@hookimpl
def flaim_models():
    return [ModelSpec(name="eviltoy", family="evil", builder="flaim_toy_model:ToyNet", converter="flaim_toy_model:f")]
"""


def test_plugins_are_keyed_by_distribution_not_entry_point_name(toy: Path) -> None:
    install_fake_dist(toy, "evil-toy", "broken_evil", EVIL, entry_point="flaim-toy")
    assert {"toynet", "eviltoy"} <= set(flaim.list_models())
    infos = [(p.name, p.distribution, p.n_models, p.error) for p in flaim.list_plugins() if p.name == "flaim-toy"]
    assert sorted(infos) == [("flaim-toy", "evil-toy", 1, None), ("flaim-toy", "flaim-toy", 1, None)]


MISBEHAVING = {  # failures at import, in the hook, and invalid specs
    "exit-at-import": ("import sys\nsys.exit(3)\n", r"import failed: SystemExit: it called sys.exit\(3\)"),
    "base-at-import": ("raise BaseException('odd')\n", "import failed: BaseException: odd"),
    "exit-in-hook": (
        "import sys\nfrom flaim import hookimpl\n\n@hookimpl\ndef flaim_models():\n    sys.exit('bye')\n",
        r"SystemExit: it called sys.exit\('bye'\)",
    ),
    "generator-hook": (
        "from flaim import hookimpl\n\n@hookimpl\ndef flaim_models():\n    yield from ()\n",
        r"TypeError: flaim_models\(\) must return a list of ModelSpec, got generator",
    ),
    "name-twice": (EVIL.replace("return [", "return 2 * ["), "ValueError: it registers 'eviltoy' twice"),
    "dotted-tag": (
        EVIL.replace("import ModelSpec", "import ModelSpec, PretrainedCfg").replace(
            'converter="flaim_toy_model:f"', 'converter="flaim_toy_model:f", pretrained=(PretrainedCfg("a.b"),)'
        ),
        r"ValueError: eviltoy: pretrained tags \['a.b'\] must use letters",
    ),
    "classifier-path": (
        EVIL.replace('family="evil"', 'family="evil", classifier="/"'),
        "ValueError: eviltoy: classifier '/' must be a params path such as 'head/fc'",
    ),
}


@pytest.mark.parametrize("case", sorted(MISBEHAVING))
def test_misbehaving_plugin_is_isolated_and_named(toy: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    source, error = MISBEHAVING[case]
    install_fake_dist(toy, "broken-odd", "broken_odd", source)
    monkeypatch.delenv("FLAIM_STRICT_PLUGINS", raising=False)
    with pytest.warns(RuntimeWarning, match=f"'broken-odd' from broken-odd 0.1 is disabled: {error}"):
        assert "toynet" in flaim.list_models() and "eviltoy" not in flaim.list_models()
    info = next(p for p in flaim.list_plugins() if p.distribution == "broken-odd")
    assert info.n_models == 0 and re.search(error, info.error)


def test_keyboard_interrupt_in_a_plugin_is_not_swallowed(toy: Path) -> None:
    install_fake_dist(toy, "broken-ctrl-c", "broken_ctrl_c", "raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        flaim.list_models()


def test_plugin_output_goes_to_stderr(toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = "print('hello from import')\n" + EVIL.replace("    return [", "    print('hello from hook')\n    return [")
    install_fake_dist(toy, "broken-chatty", "broken_chatty", source)
    assert "eviltoy" in flaim.list_models()
    out, err = capsys.readouterr()
    assert out == "" and "hello from import" in err and "hello from hook" in err


def test_strict_mode_fails_on_every_call(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_dist(toy, "broken-family", "broken_family", BROKEN)
    monkeypatch.setenv("FLAIM_STRICT_PLUGINS", "1")
    for query in (flaim.list_models, lambda: flaim.get_pretrained_cfg("toynet"), flaim.list_models):
        with pytest.raises(flaim.PluginError, match=r"broken-family 0\.1 is disabled: import failed") as err:
            query()
        assert isinstance(err.value.__cause__, ImportError)  # the plugin's own traceback
    assert {p.distribution for p in flaim.list_plugins()} >= {"flaim-toy", "broken-family"}  # still reports


def test_unknown_model_says_which_plugins_failed(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_dist(toy, "broken-family", "broken_family", BROKEN)
    monkeypatch.delenv("FLAIM_STRICT_PLUGINS", raising=False)
    with pytest.warns(RuntimeWarning), pytest.raises(flaim.UnknownModelError) as err:
        flaim.get_model("brokennet")
    assert "Not loaded: broken-family (import failed: ImportError: needs a library" in str(err.value)


def test_model_name_must_be_a_string(toy: Path) -> None:
    with pytest.raises(TypeError, match=r"model_name must be a string such as 'resnet50\.a1_in1k', got 50"):
        flaim.get_model(50)
    with pytest.raises(TypeError, match="model_name must be a string"):
        flaim.get_pretrained_cfg(None)
