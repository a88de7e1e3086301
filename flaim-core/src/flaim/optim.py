"""Optimisers as timm builds them (``create_optimizer_v2``), in optax: weight decay off for biases, norm and
layer-scale gains and tokens, layer-wise learning-rate decay, warmup + cosine schedule, clipping, parameter EMA.

Needs optax: ``pip install flaim-core[train]``.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from flaim.errors import check_choice
from flaim.registry import REGISTRY

OPTIMIZERS = ("adamw", "sgd", "lamb")
SCHEDULES = ("cosine", "constant")
_JOIN_PREVIOUS = 99999.0  # timm's MATCH_PREV_GROUP suffix


def _path_key(path: tuple[Any, ...]) -> str:
    return "/".join(str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", k)))) for k in path)


def _leaves(params: Any) -> dict[str, Any]:
    """``{'a/b/kernel': leaf}`` for every array of `params` (nested dicts, FrozenDicts or optax's masked trees)."""
    return {_path_key(path): leaf for path, leaf in jax.tree_util.tree_leaves_with_path(params)}


def _by_path(table: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A function mapping any tree with `table`'s paths, or a subset (optax ``MaskedNode`` holes), to the table's
    values. Looking up by path, not by tree position, keeps it right inside ``optax.multi_transform``."""
    return lambda tree: jax.tree_util.tree_map_with_path(lambda path, _: table[_path_key(path)], tree)


def no_weight_decay_mask(params: Any, model_name: str | None = None) -> Any:
    """True where weight decay applies, as timm's ``param_groups_weight_decay``: not on 1-D parameters (biases, norm
    scales and offsets, layer-scale gammas) nor on the model's ``ModelSpec.no_weight_decay`` patterns (position
    embedding, class / register / distillation tokens).

    Args:
        params: the model's ``variables['params']``.
        model_name: whose ``no_weight_decay`` patterns apply (None: only the 1-D rule).
    """
    patterns = REGISTRY.resolve(model_name)[0].no_weight_decay if model_name else ()
    return jax.tree_util.tree_map_with_path(lambda path, p: bool(_decays(_path_key(path), p, patterns)), params)


def _decays(path: str, param: Any, patterns: tuple[str, ...]) -> bool:
    # ECA's 1-D kernel is a (1, 1, k) conv weight in timm, so it decays there too.
    flat = jnp.ndim(param) <= 1 and not path.endswith("kernel")
    return not flat and not any(fnmatch.fnmatchcase(path, p) for p in patterns)


def layer_ids(model_name: str, params: Any) -> dict[str, int]:
    """Depth group of every parameter path (0 = stem / embeddings, the last = head), from the model's
    ``ModelSpec.group_matcher`` as timm's ``group_with_matcher`` computes it."""
    spec = REGISTRY.resolve(model_name)[0]
    if not spec.group_matcher:
        raise ValueError(f"'{spec.name}' declares no group_matcher in its ModelSpec, so it has no layer-wise decay.")
    rules = []
    for index, group in enumerate(spec.group_matcher.values()):
        for regex, suffix in ((group, None),) if isinstance(group, str) else group:
            rules.append((re.compile(regex), index, suffix or ()))

    def ordinal(path: str) -> tuple[float, ...]:
        for regex, index, suffix in rules:
            match = regex.match(path)
            if match:
                return tuple(map(float, (index, *match.groups(), *suffix)))
        return (math.inf,)  # the head

    ordinals = {path: ordinal(path) for path in _leaves(params)}
    ids: dict[tuple[float, ...], int] = {}
    layer = -1
    for key in sorted(set(ordinals.values())):
        if layer < 0 or key[-1] != _JOIN_PREVIOUS:
            layer += 1
        ids[key] = layer
    return {path: ids[key] for path, key in ordinals.items()}


def layer_decay_scales(model_name: str, params: Any, decay: float) -> Any:
    """Per-parameter learning-rate scale, timm's ``param_groups_layer_decay``: ``decay ** (last - layer)``, so the
    head keeps 1.0 and the stem gets the smallest.

    Args:
        model_name: the architecture (its ``ModelSpec.group_matcher`` orders the layers).
        params: the model's ``variables['params']``.
        decay: factor per layer, e.g. 0.75.
    """
    ids = layer_ids(model_name, params)
    last = max(ids.values())
    return _by_path({path: decay ** (last - i) for path, i in ids.items()})(params)


class EmaState(NamedTuple):
    """Exponential moving average of the parameters, kept in the optimiser state."""

    count: jax.Array
    ema: Any


def ema_params(opt_state: Any) -> Any:
    """The averaged parameters held by `create_optimizer(..., ema=decay)`'s state."""
    is_ema = lambda s: isinstance(s, EmaState)  # noqa: E731
    found = [s for s in jax.tree_util.tree_leaves(opt_state, is_leaf=is_ema) if is_ema(s)]
    if not found:
        raise ValueError("This optimiser state holds no EMA; create the optimiser with ema=<decay>, e.g. 0.9998.")
    return found[0].ema


def params_ema(decay: float, warmup: bool = True) -> optax.GradientTransformation:
    """Average the parameters after each update (timm's ``ModelEmaV3``); updates pass through unchanged.

    With `warmup`, the decay at step t is ``min(decay, (1 + t) / (10 + t))``, so early averages follow the weights.
    """

    def init(params: Any) -> EmaState:
        return EmaState(jnp.zeros([], jnp.int32), jax.tree_util.tree_map(jnp.array, params))  # a copy, never aliased

    def update(updates: Any, state: EmaState, params: Any = None) -> tuple[Any, EmaState]:
        if params is None:
            raise ValueError("params_ema needs the parameters: call tx.update(grads, opt_state, params).")
        t = state.count.astype(jnp.float32)
        d = jnp.minimum(decay, (1 + t) / (10 + t)) if warmup else decay
        new = optax.apply_updates(params, updates)
        ema = jax.tree_util.tree_map(lambda e, p: (d * e + (1 - d) * p).astype(e.dtype), state.ema, new)
        return updates, EmaState(state.count + 1, ema)

    return optax.GradientTransformation(init, update)


def _scale_by_tree(scales: Callable[[Any], Any]) -> optax.GradientTransformation:
    def update(updates: Any, state: Any, params: Any = None) -> tuple[Any, Any]:
        return jax.tree_util.tree_map(lambda u, s: u * s, updates, scales(updates)), state

    return optax.GradientTransformation(lambda _: optax.EmptyState(), update)


def make_schedule(lr: float, schedule: str, warmup_steps: int, total_steps: int | None) -> optax.Schedule:
    """Linear warmup from 0 over `warmup_steps`, then cosine decay to 0 at `total_steps`, or constant."""
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "cosine":
        if not total_steps or total_steps <= warmup_steps:
            raise ValueError(
                f"schedule='cosine' needs total_steps (optimiser steps) above warmup_steps={warmup_steps}, got "
                f"{total_steps}; pass epochs × steps per epoch, or use schedule='constant'."
            )
        return optax.warmup_cosine_decay_schedule(0.0, lr, warmup_steps, total_steps)
    if not warmup_steps:
        return optax.constant_schedule(lr)
    return optax.join_schedules(
        [optax.linear_schedule(0.0, lr, warmup_steps), optax.constant_schedule(lr)], [warmup_steps]
    )


def create_optimizer(
    model_name: str,
    params: Any,
    *,
    opt: str = "adamw",
    lr: float,
    weight_decay: float = 0.05,
    layer_decay: float | None = None,
    warmup_steps: int = 0,
    total_steps: int | None = None,
    schedule: str = "cosine",
    grad_clip: float | None = None,
    ema: float | None = None,
    momentum: float = 0.9,
) -> optax.GradientTransformation:
    """An optax optimiser built as timm's ``create_optimizer_v2`` builds it.

    Weight decay skips `no_weight_decay_mask`'s parameters; with `layer_decay`, each update (decay included) is
    scaled by `layer_decay_scales`. The masks and scales are looked up by parameter path, so the result also works
    inside ``optax.multi_transform`` (e.g. with a frozen backbone).

    Args:
        model_name: the architecture, e.g. ``'vit_base_patch16_224'`` (its masks and layer groups).
        params: the model's ``variables['params']`` (only paths and shapes are read).
        opt: ``'adamw'`` (decoupled decay), ``'sgd'`` (Nesterov momentum, decay added to the gradient) or
            ``'lamb'``.
        lr: peak learning rate.
        weight_decay: decay factor (0 for none).
        layer_decay: layer-wise learning-rate decay per layer, e.g. 0.75 (None: off).
        warmup_steps: linear warmup from 0.
        total_steps: optimiser steps in the run (needed by the cosine schedule).
        schedule: ``'cosine'`` (to 0 at `total_steps`) or ``'constant'``.
        grad_clip: clip gradients to this global norm (None: off).
        ema: keep an exponential moving average of the parameters with this decay (read it with `ema_params`).
        momentum: SGD's momentum.
    """
    check_choice("opt", opt, OPTIMIZERS)
    decay_mask = _by_path(_leaves(no_weight_decay_mask(params, model_name)))
    lr_schedule = make_schedule(lr, schedule, warmup_steps, total_steps)
    steps = [optax.clip_by_global_norm(grad_clip)] if grad_clip else []
    decay = [optax.add_decayed_weights(weight_decay, decay_mask)] if weight_decay else []
    if opt == "adamw":
        steps += [optax.scale_by_adam(), *decay]
    elif opt == "lamb":
        steps += [optax.scale_by_adam(eps=1e-6), *decay, optax.scale_by_trust_ratio()]
    else:
        steps += [*decay, optax.trace(decay=momentum, nesterov=True)]
    if layer_decay is not None:
        steps.append(_scale_by_tree(_by_path(_leaves(layer_decay_scales(model_name, params, layer_decay)))))
    steps.append(optax.scale_by_learning_rate(lr_schedule))
    if ema is not None:
        steps.append(params_ema(ema))
    return optax.chain(*steps)
