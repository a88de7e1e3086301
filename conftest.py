"""Repo-wide test hygiene: free jax's compiled executables after each test so long parity runs stay in memory."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _free_compiled_models() -> Iterator[None]:
    yield
    if "jax" in sys.modules:
        sys.modules["jax"].clear_caches()
    gc.collect()
