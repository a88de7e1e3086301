"""Feature extraction (timm's ``features_only``): which feature maps a model returns, by timm's numbering."""

from __future__ import annotations

from collections.abc import Sequence

import jax


def take_indices(n_features: int, out_indices: int | Sequence[int]) -> tuple[int, ...]:
    """Validated feature indices (timm's ``feature_take_indices``): an int n is the last n maps, negative indices
    count from the end.

    Args:
        n_features: maps the model has.
        out_indices: the model's ``out_indices``.
    """
    if isinstance(out_indices, int):
        if not 0 < out_indices <= n_features:
            raise ValueError(f"out_indices={out_indices} must be between 1 and {n_features} (the last n maps).")
        return tuple(range(n_features - out_indices, n_features))
    wrong = [i for i in out_indices if not -n_features <= i < n_features]
    if wrong or not out_indices:
        raise ValueError(
            f"out_indices {tuple(out_indices)} must be non-empty, in 0..{n_features - 1} (negative: from the end)."
        )
    return tuple(i % n_features for i in out_indices)


def select(features: Sequence[jax.Array], out_indices: int | Sequence[int]) -> list[jax.Array]:
    """The maps of `features` at `out_indices` (see `take_indices`)."""
    return [features[i] for i in take_indices(len(features), out_indices)]
