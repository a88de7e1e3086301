"""Fixtures: a toy plugin installed as a real distribution (dist-info + entry point) on sys.path."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flaim.registry import REGISTRY

TOY = Path(__file__).parent / "toy"
sys.path.insert(0, str(TOY))  # the toy plugin's modules, importable by the tests

from fake_dist import install_fake_dist  # noqa: E402


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh site folder on sys.path; the registry rediscovers plugins before and after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.reset()
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith(("flaim_toy.", "broken_", "dup_")) or m == "flaim_toy"]:
        del sys.modules[name]
    monkeypatch.undo()
    REGISTRY.reset()


@pytest.fixture
def toy(site: Path) -> Path:
    """The toy family installed as distribution 'flaim-toy'."""
    install_fake_dist(site, "flaim-toy", "flaim_toy", TOY / "flaim_toy.py")
    return site
