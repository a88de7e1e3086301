"""flaim's initialisers: numpy's host samples (`sample`, what `get_model` uses) against JAX's draws (`draw`, what
``model.init`` uses) — the same distribution, checked on large tensors within sampling error."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from flax import linen as nn

from flaim import random_init
from flaim.layers import init

CASES = [  # (initialiser, shape)
    (init.trunc_normal(0.02), (256, 384)),
    (init.trunc_normal(0.5, bound=0.6), (256, 384)),  # the clip acts
    (init.normal(1e-6), (197, 768)),
    (init.symmetric_uniform(0.3), (384, 255)),
    (init.torch_default_kernel, (3, 3, 64, 96)),  # conv: fan_in over the receptive field
    (init.kaiming_fan_out, (1, 1, 256, 320)),
    (init.VarianceScaling(1.0, "fan_in", "truncated_normal", in_axis=(0, 1, 2), out_axis=3), (7, 7, 1, 1536)),
    (init.VarianceScaling(0.5, "fan_avg", "normal"), (300, 500)),
    (init.constant(1e-6), (768,)),
    (init.ones, (3, 5)),
]
SIGMAS = 6.0  # tolerance in standard errors


@pytest.mark.parametrize(("initializer", "shape"), CASES, ids=[f"{i}-{s}" for i, s in CASES])
def test_host_samples_have_jax_draws_distribution(initializer: init.HostInitializer, shape: tuple) -> None:
    ours = initializer.sample(np.random.default_rng(0), shape)
    theirs = np.asarray(initializer(jax.random.key(0), shape), np.float64)
    assert ours.shape == shape and ours.dtype == np.float32
    n, sd = ours.size, theirs.std()
    assert abs(ours.mean() - theirs.mean()) <= SIGMAS * sd * np.sqrt(2 / n) + 1e-12
    assert abs(ours.std() - sd) <= SIGMAS * sd / np.sqrt(n) + 1e-12
    assert ours.min() >= theirs.min() - SIGMAS * sd and ours.max() <= theirs.max() + SIGMAS * sd
    if sd > 0:  # random: both have the same range (a clip or a truncation shows at the ends)
        lo, hi = np.quantile(theirs, [0.001, 0.999])
        assert np.mean((ours < lo) | (ours > hi)) < 0.004


def test_truncated_normal_stays_inside_its_bounds() -> None:
    shape = (7, 7, 1, 4096)
    initializer = init.VarianceScaling(1.0, "fan_in", "truncated_normal", in_axis=(0, 1, 2), out_axis=3)
    ours = initializer.sample(np.random.default_rng(1), shape)
    bound = 2 * np.sqrt(1 / 49) / 0.87962566103423978
    assert np.abs(ours).max() <= bound * (1 + 1e-6) and np.abs(ours).max() > 0.95 * bound


def test_recording_notes_each_value_with_its_initializer() -> None:
    with init.recording() as record:
        value = init.zeros(None, (3,))
        other = init.trunc_normal(0.02)(jax.random.key(0), (2, 2))
    assert record == {id(value): (value, init.zeros), id(other): (other, init.trunc_normal(0.02))}
    init.ones(None, (1,))  # outside the block: nothing noted, no error
    with init.recording(placeholders=True) as record:
        placeholder = init.trunc_normal(0.02)(jax.random.key(0), (2, 2))
    assert record == {id(placeholder): (placeholder, init.trunc_normal(0.02))} and not placeholder.any()


def test_plan_leaves_host_draws_out_of_its_trace() -> None:
    """With a concrete key the host samples these variables, so the trace holds no random draws (they were most of
    its tracing time); under a traced key every variable comes from the trace, so the draws are in it."""

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
            return nn.Dense(4, kernel_init=init.trunc_normal(0.02), bias_init=init.zeros)(x)

    assert "random_bits" not in str(random_init.plan(Net(), jax.random.key(0)).jaxpr)
    jaxprs = []
    jax.eval_shape(lambda key: jaxprs.append(str(random_init.plan(Net(), key).jaxpr)), jax.random.key(0))
    assert "random_bits" in jaxprs[0]
