"""Random init of every installed family compiles nothing: every variable is drawn with numpy on the host
(`flaim.random_init`), whatever `jit` says, and the same values come back either way."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import flaim
from flaim.convert import flatten

MODELS = {"flaim-resnet": "resnet10t", "flaim-vit": "vit_tiny_patch16_224", "flaim-convnext": "convnext_atto"}
FAMILIES = sorted({p.distribution for p in flaim.list_plugins()} & set(MODELS))


@pytest.mark.parametrize("family", FAMILIES)
def test_random_init_compiles_nothing(family: str) -> None:
    key = jax.random.key(3)
    compiled: list[str] = []

    def listen(event: str, duration: float, **kwargs: object) -> None:
        if event.endswith("backend_compile_duration"):
            compiled.append(event)

    jax.monitoring.register_event_duration_secs_listener(listen)
    try:
        variables = flaim.get_model(MODELS[family], prng=key)[1]
        jax.block_until_ready(variables)
    finally:
        jax.monitoring.unregister_event_duration_listener(listen)
    assert compiled == []
    _, eager = flaim.get_model(MODELS[family], prng=key, jit=False)
    got, again = flatten(variables), flatten(eager)
    assert got.keys() == again.keys() and all(np.array_equal(got[k], again[k]) for k in got)
    assert all(np.isfinite(v).all() for v in got.values())


@pytest.mark.parametrize("family", FAMILIES)
def test_rematerialised_blocks_get_real_draws(family: str) -> None:
    """Under ``grad_checkpointing`` the initialisers run inside ``nn.remat``, out of the host sampler's sight: those
    variables come from the traced init, which then must hold the real draws, not the zeros that stand in for
    host-sampled ones (the same spread as the host samples)."""
    plain = flatten(flaim.get_model(MODELS[family], prng=jax.random.key(4))[1])
    remat = flatten(flaim.get_model(MODELS[family], prng=jax.random.key(4), grad_checkpointing=True)[1])
    assert plain.keys() == remat.keys()
    for path, value in plain.items():
        spread, remat_spread = float(np.std(value)), float(np.std(remat[path]))
        assert (spread == 0) == (remat_spread == 0), path
        if value.size >= 1000:
            assert remat_spread == pytest.approx(spread, rel=0.15), path
