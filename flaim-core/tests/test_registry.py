"""Plugin discovery: listing, names and tags, broken and duplicate plugins, allow/block lists."""

from __future__ import annotations

import os
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
    monkeypatch.setenv("FLAIM_DISABLE_PLUGINS", "flaim-toy")
    REGISTRY.reset()
    assert "toynet" not in flaim.list_models()
    monkeypatch.delenv("FLAIM_DISABLE_PLUGINS")
    monkeypatch.setenv("FLAIM_PLUGINS", "flaim-toy")
    REGISTRY.reset()
    assert [p.distribution for p in flaim.list_plugins()] == ["flaim-toy"]


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
