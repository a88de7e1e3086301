"""`flaim new-plugin`: the generated project registers its models and builds them (its own parity tests run
against timm in the nox parity session)."""

from __future__ import annotations

import importlib
from pathlib import Path

import jax.numpy as jnp
import pytest

import flaim
from flaim.cli import main
from flaim.testing import registered


def test_generated_plugin_registers_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["new-plugin", "scaffold_demo", "--dir", str(tmp_path)]) == 0
    root = tmp_path / "flaim-scaffold-demo"
    assert {p.name for p in root.rglob("*.py")} == {
        "__init__.py",
        "configs.py",
        "model.py",
        "convert.py",
        "plugin.py",
        "test_parity.py",
    }
    assert 'scaffold_demo = "flaim_scaffold_demo.plugin"' in (root / "pyproject.toml").read_text()
    monkeypatch.syspath_prepend(str(root / "src"))
    plugin = importlib.import_module("flaim_scaffold_demo.plugin")
    with registered(plugin, name="scaffold_demo", distribution="flaim-scaffold-demo"):
        assert flaim.list_models("mixer") == ["mixer_b16_224", "mixer_s32_224"]
        model, variables = flaim.get_model("mixer_s32_224", img_size=64, num_blocks=1, embed_dim=16, n_classes=5)
        assert model.apply(variables, jnp.zeros((2, 64, 64, 3))).shape == (2, 5)
        with pytest.raises(ValueError, match="img_size=32"):
            model.apply(variables, jnp.zeros((1, 32, 32, 3)))


def test_new_plugin_rejects_bad_names_and_existing_folders(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["new-plugin", "Bad-Name", "--dir", str(tmp_path)]) == 1
    assert "lowercase letters" in capsys.readouterr().err
    (tmp_path / "flaim-taken").mkdir()
    assert main(["new-plugin", "taken", "--dir", str(tmp_path)]) == 1
    assert "exists already" in capsys.readouterr().err
