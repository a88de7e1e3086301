"""Declarative timm → flax key mapping: rules of (timm key regex → flax path template, named transform).

A family's converter is a list of `Rule`s plus, where needed, a few array fix-ups (e.g. position-embedding
resampling). `apply_rules` maps every checkpoint tensor by exactly one rule and reports leftovers together;
`reverse_rules` reads the same rules backwards (flax variables → timm state dict) to export to timm.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flaim.errors import WeightsError

Transform = Callable[[np.ndarray], np.ndarray]


def inverse(undo: Transform) -> Callable[[Transform], Transform]:
    """Decorator: `undo` maps the decorated transform's output back to timm's layout (used by `reverse_rules`)."""

    def mark(transform: Transform) -> Transform:
        transform.inverse = undo  # type: ignore[attr-defined]
        return transform

    return mark


def identity(x: np.ndarray) -> np.ndarray:
    """Leave the tensor as it is (norm scales, biases, embeddings)."""
    return x


identity.inverse = identity  # type: ignore[attr-defined]


def conv_weight(x: np.ndarray) -> np.ndarray:
    """flax conv kernel (H, W, I, O) → PyTorch weight (O, I, H, W)."""
    return np.transpose(x, (3, 2, 0, 1))


@inverse(conv_weight)
def conv_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch conv weight (O, I, H, W) → flax kernel (H, W, I, O)."""
    return np.transpose(x, (2, 3, 1, 0))


def linear_kernel(x: np.ndarray) -> np.ndarray:
    """PyTorch linear weight (out, in) → flax kernel (in, out); its own inverse."""
    return np.transpose(x)


linear_kernel.inverse = linear_kernel  # type: ignore[attr-defined]


def unsqueeze_kernel(x: np.ndarray) -> np.ndarray:
    """Dense kernel (I, O) → PyTorch 1×1 conv weight (O, I, 1, 1)."""
    return np.transpose(x)[:, :, None, None]


@inverse(unsqueeze_kernel)
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


def linear(timm_prefix: str, flax_prefix: str) -> list[Rule]:
    """A linear layer: weight → params kernel (transposed), bias (if any) → params bias."""
    return [
        Rule(rf"{timm_prefix}\.weight", f"params/{flax_prefix}/kernel", linear_kernel),
        Rule(rf"{timm_prefix}\.bias", f"params/{flax_prefix}/bias"),
    ]


def conv(timm_prefix: str, flax_prefix: str) -> list[Rule]:
    """A convolution: weight → params kernel (OIHW → HWIO), bias (if any) → params bias."""
    return [
        Rule(rf"{timm_prefix}\.weight", f"params/{flax_prefix}/kernel", conv_kernel),
        Rule(rf"{timm_prefix}\.bias", f"params/{flax_prefix}/bias"),
    ]


def layernorm(timm_prefix: str, flax_prefix: str) -> list[Rule]:
    """A LayerNorm (or any norm with weight and bias): weight → params scale, bias → params bias."""
    return [
        Rule(rf"{timm_prefix}\.weight", f"params/{flax_prefix}/scale"),
        Rule(rf"{timm_prefix}\.bias", f"params/{flax_prefix}/bias"),
    ]


_GROUP_REF = re.compile(r"\\(\d+)|\\g<(\d+)>")


def nest(timm_prefix: str, flax_prefix: str, rules: Iterable[Rule]) -> list[Rule]:
    """`rules` written for one block, moved under ``timm_prefix.`` and ``flax_prefix/`` in every collection.

    Group references need no counting: ``\\1`` in a nested rule still means its own first group, renumbered
    after the prefix's groups, which the flax prefix may use. For example ``nest(r"blocks\\.(\\d+)",
    r"blocks_\\1", linear(r"mlp\\.fc(\\d)", r"mlp/fc\\1"))`` maps ``blocks.3.mlp.fc2.weight`` to
    ``params/blocks_3/mlp/fc2/kernel``.
    """
    shift = re.compile(timm_prefix).groups
    nested = []
    for rule in rules:
        collection, _, path = rule.target.partition("/")
        path = _GROUP_REF.sub(lambda m: f"\\{int(m.group(1) or m.group(2)) + shift}", path)
        nested.append(Rule(rf"{timm_prefix}\.{rule.pattern}", f"{collection}/{flax_prefix}/{path}", rule.transform))
    return nested


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


def reverse_rules(variables: Mapping[str, Any], rules: Iterable[Rule]) -> dict[str, np.ndarray]:
    """Flax variables (nested or flat ``'a/b/c'`` keys) → a flat timm state dict: `apply_rules` read backwards.

    A rule reverses when its pattern is literal text and capture groups (every group used in the target) and its
    transform declares an inverse (`inverse`). Where several rules give one flax path (a legacy timm layout next to
    the current one), the first rule in the list wins, so list the current layout first.

    Raises:
        WeightsError: listing every variable no rule produces, and rules that cannot be reversed.
    """
    reversed_rules = [_Reversed(rule) for rule in rules]
    state: dict[str, np.ndarray] = {}
    unplaced = []
    for path, value in flatten(variables).items():
        hit = next(((r, m) for r in reversed_rules if (m := r.regex.fullmatch(path))), None)
        if hit is None:
            unplaced.append(f"- no rule produces {path}")
            continue
        rule, match = hit
        state[rule.timm_key(match)] = rule.undo(np.asarray(value))
    if unplaced:
        raise WeightsError("variables the converter's rules cannot map back to timm:\n" + "\n".join(unplaced))
    return state


_PATTERN_TOKEN = re.compile(r"\\(\W)|\(([^()?][^()]*)\)|([^\\.^$*+?{}\[\]|()])")  # escaped char | group | literal


class _Reversed:
    """A `Rule` read backwards: a regex over flax paths and the timm key its groups fill in."""

    def __init__(self, rule: Rule) -> None:
        self.pieces: list[str | int] = []  # literal timm text, or a group number
        groups: list[str] = []
        position, literal = 0, ""
        while position < len(rule.pattern):
            token = _PATTERN_TOKEN.match(rule.pattern, position)
            if token is None:
                raise WeightsError(
                    f"rule '{rule.pattern}' cannot be reversed: its pattern is not literal text and (…) groups"
                )
            escaped, group, char = token.groups()
            if group is None:
                literal += escaped or char
            else:
                groups.append(group)
                self.pieces += [literal, len(groups)]
                literal = ""
            position = token.end()
        self.pieces.append(literal)
        target, seen = "", set()
        for index, part in enumerate(re.split(r"\\(\d+)", rule.target)):
            if index % 2 == 0:
                target += re.escape(part)
            else:
                n = int(part)
                target += f"(?P=g{n})" if n in seen else f"(?P<g{n}>{groups[n - 1]})"
                seen.add(n)
        if seen != set(range(1, len(groups) + 1)):
            raise WeightsError(f"rule '{rule.pattern}' cannot be reversed: its target '{rule.target}' drops a group")
        self.regex = re.compile(target)
        self.undo: Transform | None = getattr(rule.transform, "inverse", None)
        if self.undo is None:
            name = getattr(rule.transform, "__name__", rule.transform)
            raise WeightsError(f"rule '{rule.pattern}' cannot be reversed: its transform {name} declares no inverse")

    def timm_key(self, match: re.Match[str]) -> str:
        """The timm key for a flax path this rule's target matched."""
        return "".join(p if isinstance(p, str) else match.group(f"g{p}") for p in self.pieces)


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
