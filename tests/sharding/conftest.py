"""8 simulated CPU devices for the sharding tests: only the nox session `sharding` collects this folder.

XLA reads the device count when JAX starts its CPU backend, so it is set here, before any test runs.
"""

from __future__ import annotations

import os

import pytest

DEVICES = 8
FLAG = f"--xla_force_host_platform_device_count={DEVICES}"
if FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {FLAG}".strip()

import jax  # noqa: E402  (after XLA_FLAGS)
from jax.sharding import Mesh  # noqa: E402

if jax.device_count() != DEVICES:
    raise RuntimeError(
        f"tests/sharding needs {DEVICES} CPU devices but JAX started with {jax.device_count()}: run this folder in a "
        f"process of its own (nox -s sharding, or pytest tests/sharding) so that {FLAG} applies."
    )


@pytest.fixture
def mesh() -> Mesh:
    """All 8 devices on the mesh axis 'data'."""
    return Mesh(jax.devices(), ("data",))
