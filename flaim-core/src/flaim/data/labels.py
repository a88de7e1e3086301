"""Class names of the label sets timm's checkpoints predict, and top-k decoding of logits into them."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.resources import files
from typing import Any, NamedTuple

import numpy as np

# The values `PretrainedCfg.label_set` may take (timm's ImageNet subsets), each a file in labels/.
LABEL_SETS = (
    "imagenet-1k",
    "imagenet-12k",
    "imagenet-22k",
    "imagenet-22k-ms",
    "imagenet-21k-goog",
    "imagenet-21k-miil",
)


class Prediction(NamedTuple):
    """One of the top-k classes of an image."""

    index: int
    label: str
    probability: float
    synset: str | None = None  # the WordNet id, for ImageNet label sets


def _read(name: str) -> str:
    return (files("flaim.data") / "labels" / name).read_text(encoding="utf-8")


@functools.cache
def synsets(label_set: str) -> tuple[str, ...]:
    """The WordNet synset ids of `label_set`, in the classifier's output order.

    Raises:
        ValueError: `label_set` is not one of `LABEL_SETS`.
    """
    if label_set not in LABEL_SETS:
        raise ValueError(f"Unknown label set {label_set!r}; choose one of: {', '.join(LABEL_SETS)}")
    return tuple(_read(f"{label_set}.txt").split())


@functools.cache
def label_names(label_set: str) -> tuple[str, ...]:
    """The class names of `label_set` (WordNet lemmas, e.g. ``'tabby, tabby cat'``), in output order."""
    lemmas = dict(line.split("\t", 1) for line in _read("synset_to_lemma.tsv").splitlines())
    return tuple(lemmas[synset] for synset in synsets(label_set))


def decode_predictions(
    logits: Any, label_set: str | Sequence[str] | None = "imagenet-1k", top_k: int = 5
) -> list[list[Prediction]]:
    """The `top_k` most probable classes of each image, most probable first.

    Args:
        logits: ``(batch, classes)`` or ``(classes,)`` scores before softmax (numpy or jax).
        label_set: one of `LABEL_SETS` (a checkpoint's is ``get_pretrained_cfg(name)['label_set']``), your own
            list of class names, or None to name classes by index (``'class 7'``).
        top_k: how many classes per image (at most the number of classes).

    Returns:
        One list of `Prediction` per image (1-D logits are one image).

    Raises:
        ValueError: the logits' class count differs from the label set's, or `top_k` < 1.
    """
    scores = np.asarray(logits, np.float64)
    scores = scores[None] if scores.ndim == 1 else scores
    if scores.ndim != 2 or scores.shape[1] == 0:
        raise ValueError(f"logits must be (batch, classes) or (classes,), got shape {np.shape(logits)}")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    n_classes = scores.shape[1]
    names, ids = _class_names(label_set, n_classes)
    probs = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :top_k]
    return [
        [Prediction(int(i), names[i], float(row[i]), ids[i] if ids else None) for i in indices]
        for row, indices in zip(probs, top, strict=True)
    ]


def _class_names(label_set: str | Sequence[str] | None, n_classes: int) -> tuple[Sequence[str], Sequence[str]]:
    if label_set is None:
        return [f"class {i}" for i in range(n_classes)], ()
    if isinstance(label_set, str):
        names, ids = label_names(label_set), synsets(label_set)
        source = f"label set '{label_set}'"
    else:
        names, ids = list(label_set), ()
        source = "the given label list"
    if len(names) != n_classes:
        raise ValueError(
            f"The logits have {n_classes} classes but {source} has {len(names)} names; pass the checkpoint's "
            f"label set (get_pretrained_cfg(name)['label_set']), your own list of names, or label_set=None."
        )
    return names, ids
