"""Declarative timm → flax key mapping: rules of (timm key regex → flax path template, named transform).

A family's converter is a list of `Rule`s plus, where needed, a few array fix-ups (e.g. position-embedding
resampling). `apply_rules` maps every checkpoint tensor by exactly one rule and reports leftovers together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flaim.errors import WeightsError

Transform = Callable[[np.ndarray], np.ndarray]


def identity(x: np.ndarray) -> np.ndarray:
    """Leave the tensor as it is (norm scales, biases, embeddings)."""
    return x


def conv_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch conv weight (O, I, H, W) → flax kernel (H, W, I, O)."""
    return np.transpose(x, (2, 3, 1, 0))


def linear_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch linear weight (out, in) → flax kernel (in, out)."""
    return np.transpose(x)


def squeeze_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch 1×1 conv weight (O, I, 1, 1) → dense kernel (I, O)."""
    return np.transpose(x[:, :, 0, 0])


IGNORED_KEYS = re.compile(r".*num_batches_tracked")


@dataclass(frozen=True)
class Rule:
    """Map timm keys matching `pattern` (full match) to the flax path `target` (``\\1`` groups allowed).

    The target's first component is the variable collection, e.g. ``params/stages_0/conv1/kernel`` or
    ``batch_stats/bn1/mean``.
    """

    pattern: str
    target: str
    transform: Transform = identity
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))


def batchnorm(timm_prefix: str, flax_prefix: str) -> list[Rule]:
    """The four BatchNorm tensors: weight/bias → params scale/bias, running stats → batch_stats mean/var."""
    return [
        Rule(rf"{timm_prefix}\.weight", f"params/{flax_prefix}/scale"),
        Rule(rf"{timm_prefix}\.bias", f"params/{flax_prefix}/bias"),
        Rule(rf"{timm_prefix}\.running_mean", f"batch_stats/{flax_prefix}/mean"),
        Rule(rf"{timm_prefix}\.running_var", f"batch_stats/{flax_prefix}/var"),
    ]


def apply_rules(state: Mapping[str, np.ndarray], rules: Iterable[Rule]) -> dict[str, Any]:
    """Convert a flat timm state dict to nested flax variables.

    Raises:
        WeightsError: listing every key no rule matched and every key more than one rule matched.
    """
    rules = list(rules)
    out: dict[str, Any] = {}
    unmatched, ambiguous = [], []
    for key, value in state.items():
        if IGNORED_KEYS.fullmatch(key):
            continue
        hits = [(rule, m) for rule in rules if (m := rule._regex.fullmatch(key))]
        if not hits:
            unmatched.append(key)
            continue
        if len(hits) > 1:
            ambiguous.append(f"{key} (rules {', '.join(r.pattern for r, _ in hits)})")
            continue
        rule, match = hits[0]
        set_path(out, match.expand(rule.target), rule.transform(np.asarray(value)))
    if unmatched or ambiguous:
        lines = [f"+ unexpected {k}" for k in unmatched] + [f"? ambiguous {k}" for k in ambiguous]
        raise WeightsError("checkpoint keys the converter cannot place:\n" + "\n".join(lines))
    return out


def set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set ``tree[a][b][c] = value`` for ``path == 'a/b/c'``."""
    *parents, leaf = path.split("/")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dict → ``{'a/b/c': leaf}``."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "/"))
        else:
            flat[path] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{'a/b/c': leaf}`` → nested dict."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        set_path(tree, path, value)
    return tree
