"""What a user sees for a given set of installed families (nox sets FLAIM_EXPECT_FAMILIES per session).

Without the variable, the expectation is read from the installed distributions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import importlib_metadata
import pytest

import flaim
from flaim.registry import FIRST_PARTY


def expected_families() -> set[str]:
    if "FLAIM_EXPECT_FAMILIES" in os.environ:
        return {f for f in os.environ["FLAIM_EXPECT_FAMILIES"].split(",") if f}
    installed = {d.metadata["Name"] for d in importlib_metadata.distributions()}
    return set(FIRST_PARTY) & installed


EXPECTED = expected_families()
EXAMPLE = {"flaim-resnet": "resnet50", "flaim-vit": "vit_base_patch16_224", "flaim-convnext": "convnext_tiny"}


def test_exactly_the_installed_families_load() -> None:
    plugins = flaim.list_plugins()
    assert {p.distribution for p in plugins} == EXPECTED
    assert all(p.error is None and p.n_models > 0 for p in plugins)


def test_models_come_from_installed_families_only() -> None:
    names = flaim.list_models()
    if not EXPECTED:
        assert names == []
    for dist, pattern in FIRST_PARTY.items():
        assert any(re.search(pattern, n) for n in names) == (dist in EXPECTED), dist


def test_first_party_names_every_family_folder() -> None:
    """`FIRST_PARTY` is the one list of families (noxfile.py reads it; ruff finds packages under `*/src`)."""
    folders = {p.name for p in Path(__file__).parents[1].glob("flaim-*") if p.name != "flaim-core"}
    assert set(FIRST_PARTY) == folders


@pytest.mark.parametrize("dist", sorted(FIRST_PARTY))
def test_each_first_party_name_resolves_or_hints_its_install(dist: str) -> None:
    if dist in EXPECTED:
        assert flaim.get_pretrained_cfg(EXAMPLE[dist])["hf_hub_id"].startswith(f"timm/{EXAMPLE[dist]}.")
    else:
        with pytest.raises(flaim.UnknownModelError, match=f"pip install {dist}"):
            flaim.get_model(EXAMPLE[dist])


def test_listing_imports_no_jax() -> None:
    code = (
        "import sys, flaim; flaim.list_models(); flaim.list_plugins(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'flax')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_broken_plugin_beside_the_families_warns_and_the_rest_work(tmp_path: Path) -> None:
    info = tmp_path / "flaim_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: flaim-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[flaim.plugins]\nbroken = flaim_broken\n")
    (tmp_path / "flaim_broken.py").write_text("raise ImportError('missing dependency')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "FLAIM_STRICT_PLUGINS": "0"}
    code = "import flaim; print(len(flaim.list_models()))"
    out = subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "flaim-broken 0.1 is disabled: import failed: ImportError: missing dependency" in out.stderr
    assert int(out.stdout) == len(flaim.list_models())


def test_each_installed_family_refuses_integer_pixels_with_one_message() -> None:
    import jax
    import numpy as np

    from flaim.factory import build
    from flaim.registry import REGISTRY

    for dist in sorted(EXPECTED):  # this session's families (none in the core session)
        model = build(REGISTRY.resolve(EXAMPLE[dist])[0], 10, {})
        pixels = jax.ShapeDtypeStruct((1, 224, 224, 3), np.uint8)
        with pytest.raises(ValueError, match=r"Expected a float image batch, got uint8.*flaim\.data\.preprocess"):
            jax.eval_shape(lambda x, model=model: model.init(jax.random.key(0), x, training=False), pixels)  # traced
