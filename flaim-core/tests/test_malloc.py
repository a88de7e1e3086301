"""Importing flaim keeps XLA's freed CPU buffers mapped (glibc): a repeated program stops page-faulting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# A program with 64 MB of temporary buffers (two 8192×1024 matrix products), called repeatedly; prints the page
# faults of its last four calls.
PROGRAM = """
import resource
import flaim
import jax, jax.numpy as jnp
f = jax.jit(lambda x, w: jnp.tanh(jnp.tanh(x @ w) @ w).sum())
x, w = jnp.ones((8192, 1024)), jnp.ones((1024, 1024)) / 1024
for _ in range(3):
    f(x, w).block_until_ready()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    f(x, w).block_until_ready()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
PAGES = 2 * 8192 * 1024 * 4 // 4096  # one call's temporaries, in 4 KiB pages


def page_faults(**env: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return int(run.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc settings apply on Linux only")
def test_freed_buffers_are_reused_without_page_faults() -> None:
    assert page_faults() < PAGES // 4
    assert page_faults(FLAIM_CPU_MALLOC="system") > 2 * PAGES  # glibc's defaults: each call maps its temporaries anew
