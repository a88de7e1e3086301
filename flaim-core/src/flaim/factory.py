"""`get_model`: name → flax module + variables, random or pretrained."""

from __future__ import annotations

import dataclasses
import importlib
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from flaim import saved_config, weights
from flaim.convert import flatten, unflatten
from flaim.errors import UnknownTagError, WeightsError
from flaim.registry import REGISTRY
from flaim.specs import ModelSpec

_RESERVED = {"parent", "name", "n_classes"}
_KEPT_COLLECTIONS = ("params", "batch_stats")


def load_ref(ref: str) -> Any:
    """Import ``'package.module:attribute'``."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def build(spec: ModelSpec, n_classes: int, model_kwargs: dict[str, Any]) -> nn.Module:
    """Instantiate the spec's module with its default arguments overridden by `model_kwargs` (checked)."""
    cls = load_ref(spec.builder)
    valid = sorted(f.name for f in dataclasses.fields(cls) if f.init and f.name not in _RESERVED)
    unknown = sorted(set(model_kwargs) - set(valid))
    if unknown:
        raise TypeError(f"{spec.name} got unknown model arguments {unknown}; valid arguments: {', '.join(valid)}")
    return cls(n_classes=n_classes, **{**spec.model_args, **model_kwargs})


def get_model(
    model_name: str | None = None,
    pretrained: bool | str = False,
    n_classes: int | None = None,
    jit: bool = True,
    prng: jax.Array | None = None,
    **model_kwargs: Any,
) -> tuple[nn.Module, dict[str, Any]]:
    """Build a model by timm name, with random or pretrained variables.

    Args:
        model_name: ``'resnet50'`` or ``'resnet50.a1_in1k'`` (the tag picks the weights; default: timm's default
            tag). Prefix ``'<distribution>:'`` to choose between two plugins that register the same name. May be
            left out when `pretrained` is a folder written by `save_pretrained`, whose config.json names it.
        pretrained: False for a random init from `prng`; True for the tag's weights from the Hugging Face Hub;
            a string for another tag, ``'hf-hub:<repo>[@revision]'``, or a local ``.safetensors`` file or folder
            (timm's layout or flaim's own, see `save_pretrained`). A flaim folder's recorded ``n_classes`` and
            model arguments apply unless given here; another architecture than the recorded one is an error.
        n_classes: None → the checkpoint's own output (logits, or pooled features if it has no classifier);
            0 → final feature maps / tokens, no head; -1 → head without its last linear layer; N > 0 → an N-way
            classifier, freshly initialised from `prng` when N differs from the checkpoint's.
        jit: jit the init function.
        prng: key for random init (default ``jax.random.key(0)``).
        **model_kwargs: architecture options, e.g. ``drop_path_rate``, ``dtype``, ``img_size``.

    Returns:
        ``(model, variables)``; call ``model.apply(variables, x, training=False)`` with NHWC input.
    """
    recorded = saved_config.read(pretrained)
    model_name, n_classes, model_kwargs, note = saved_config.merge(recorded, model_name, n_classes, model_kwargs)
    spec, tag = REGISTRY.resolve(model_name)
    source = _weights_source(spec, tag, pretrained)
    prng = jax.random.key(0) if prng is None else prng
    if source is None:
        cfg = spec.pretrained_cfg(tag)
        classes = (cfg.num_classes or -1) if cfg else 1000
        model = build(spec, classes if n_classes is None else n_classes, model_kwargs)
        return model, _initializer(model, jit)(prng)
    checkpoint = weights.read(source)
    probe = build(spec, -1, model_kwargs)
    loaded = flatten(checkpoint.tensors if checkpoint.native else _convert(spec, checkpoint, probe))
    head = f"params/{spec.classifier}/"
    ckpt_classes = head_width(spec, loaded) or -1
    model = build(spec, ckpt_classes if n_classes is None else n_classes, model_kwargs)
    expected = flatten(jax.eval_shape(_init_fn(model), prng))
    fresh_head = any(k.startswith(head) for k in expected) and model.n_classes != ckpt_classes
    if fresh_head:
        initial = flatten(_initializer(model, jit)(prng))
        loaded.update({k: v for k, v in initial.items() if k.startswith(head)})
    loaded = {k: v for k, v in loaded.items() if k in expected or not k.startswith(head)}
    _check(loaded, expected, source, note)
    return model, unflatten({k: jnp.asarray(v, dtype=expected[k].dtype) for k, v in loaded.items()})


def head_width(spec: ModelSpec, flat: dict[str, Any]) -> int:
    """The classifier width of flat variables (``'a/b/c'`` keys) of `spec`'s architecture; 0 without a classifier."""
    head = f"params/{spec.classifier}/"
    kernel = next((v for k, v in flat.items() if k.startswith(head) and k.endswith("kernel")), None)
    return 0 if kernel is None else int(np.shape(kernel)[-1])


def _weights_source(spec: ModelSpec, tag: str | None, pretrained: bool | str) -> Any:
    if pretrained is False or pretrained is None:
        return None
    if pretrained is True:
        cfg = spec.pretrained_cfg(tag)
        if cfg is None:
            raise UnknownTagError(f"'{spec.name}' has no pretrained weights; use pretrained=False or a local file.")
        return weights.hub_file(cfg.hf_hub_id)
    if pretrained.startswith("hf-hub:") or os.path.sep in pretrained or os.path.exists(pretrained):
        return weights.locate(pretrained)
    if tag is not None and pretrained != tag:
        raise ValueError(f"Two different tags given: '{tag}' in the name and pretrained='{pretrained}'.")
    return _weights_source(spec, REGISTRY.resolve(f"{spec.name}.{pretrained}")[1], True)


def _init_fn(model: nn.Module):
    size = getattr(model, "img_size", None) or 224
    size = size if isinstance(size, tuple | list) else (size, size)
    dummy = jnp.zeros((1, *size, getattr(model, "in_chans", 3)), jnp.float32)
    return lambda key: _kept(model.init(key, dummy, training=False))


def _initializer(model: nn.Module, jit: bool):
    return jax.jit(_init_fn(model)) if jit else _init_fn(model)


def _kept(variables: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in variables.items() if k in _KEPT_COLLECTIONS}


def _convert(spec: ModelSpec, checkpoint: weights.Checkpoint, model: nn.Module) -> dict[str, Any]:
    try:
        return load_ref(spec.converter)(checkpoint.tensors, model)
    except WeightsError as exc:
        raise WeightsError(f"{checkpoint.path} does not fit '{spec.name}': {exc}") from None


def _check(loaded: dict[str, Any], expected: dict[str, Any], source: Any, note: str = "") -> None:
    lines = [f"- missing {k} {tuple(expected[k].shape)}" for k in sorted(set(expected) - set(loaded))]
    lines += [f"+ unexpected {k} {tuple(np.shape(loaded[k]))}" for k in sorted(set(loaded) - set(expected))]
    lines += [
        f"~ shape {k}: checkpoint {tuple(np.shape(loaded[k]))}, model {tuple(expected[k].shape)}"
        for k in sorted(set(loaded) & set(expected))
        if tuple(np.shape(loaded[k])) != tuple(expected[k].shape)
    ]
    if lines:
        raise WeightsError(f"Weights in {source} do not match the model{note}:\n" + "\n".join(lines))
