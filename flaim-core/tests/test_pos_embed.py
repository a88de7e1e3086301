"""Position-embedding resampling: numpy and jax agree, and the bicubic weights are a partition of unity."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from flaim.layers.pos_embed import bicubic_matrix, resample_abs_pos_embed


def test_resample_numpy_and_jax_agree() -> None:
    pe = np.random.default_rng(0).standard_normal((1, 2 + 25, 8)).astype(np.float32)
    for antialias in (True, False):
        a = resample_abs_pos_embed(pe, (3, 7), num_prefix_tokens=2, antialias=antialias)
        b = jax.jit(lambda p, aa=antialias: resample_abs_pos_embed(p, (3, 7), num_prefix_tokens=2, antialias=aa))
        np.testing.assert_allclose(np.asarray(b(jnp.asarray(pe))), a, rtol=1e-5, atol=1e-6)


def test_bicubic_matrix_rows_sum_to_one_and_identity_at_same_size() -> None:
    for antialias in (True, False):
        np.testing.assert_allclose(bicubic_matrix(7, 3, antialias).sum(1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(bicubic_matrix(3, 8, antialias).sum(1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(bicubic_matrix(5, 5, antialias), np.eye(5), atol=1e-12)
