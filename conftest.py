"""Repo-wide test hygiene: free jax's compiled executables after each test so long parity runs stay in memory, keep
the `flaim` command's compilation cache out of the user's home (the cache tests switch it on in a tmp dir), and leave
torch-marked test files unimported when `-m` deselects them (sessions without torch import no torch)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.mark.expression import Expression  # the parser behind `-m` (pytest has no public one)

os.environ["FLAIM_NO_COMPILE_CACHE"] = "1"
TORCH_MARK = "pytestmark = pytest.mark.torch"  # how a test file that needs torch and timm says so


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip importing a torch-marked file when `-m` would deselect a test marked `torch` alone (e.g. "not torch")."""
    markexpr = config.getoption("markexpr")
    if not markexpr or not collection_path.name.startswith("test_") or collection_path.suffix != ".py":
        return None
    if Expression.compile(markexpr).evaluate(lambda name, **kwargs: name == "torch"):
        return None
    return TORCH_MARK in collection_path.read_text(encoding="utf-8") or None


@pytest.fixture(autouse=True)
def _free_compiled_models() -> Iterator[None]:
    yield
    if "jax" in sys.modules:
        sys.modules["jax"].clear_caches()
    gc.collect()
