"""Repo-wide test hygiene: free jax's compiled executables after each test so long parity runs stay in memory, and
keep the `flaim` command's compilation cache out of the user's home (the cache tests switch it on in a tmp dir)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator

import pytest

os.environ["FLAIM_NO_COMPILE_CACHE"] = "1"


@pytest.fixture(autouse=True)
def _free_compiled_models() -> Iterator[None]:
    yield
    if "jax" in sys.modules:
        sys.modules["jax"].clear_caches()
    gc.collect()
