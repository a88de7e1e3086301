"""`get_model`: name → flax module + variables, random or pretrained."""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from flaim import random_init, saved_config, weights
from flaim import sharding as placement
from flaim.convert import flatten, unflatten
from flaim.errors import PluginError, UnknownTagError, WeightsError
from flaim.registry import REGISTRY
from flaim.specs import ModelSpec

_RESERVED = {"parent", "name", "n_classes"}


def load_ref(ref: str) -> Any:
    """Import ``'package.module:attribute'``."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def _spec_ref(spec: ModelSpec, field: str) -> Any:
    """The spec's `field` reference (``'builder'`` or ``'converter'``), imported; `PluginError` naming all if not."""
    ref = getattr(spec, field)
    try:
        return load_ref(ref)
    except (ImportError, AttributeError) as exc:
        dist = REGISTRY.distribution(spec)
        raise PluginError(
            f"'{spec.name}' (from {dist}) has {field}={ref!r}, which cannot be imported: {type(exc).__name__}: "
            f"{exc}. Reinstall {dist}, or report it to its authors."
        ) from exc


def build(spec: ModelSpec, n_classes: int, model_kwargs: dict[str, Any]) -> nn.Module:
    """Instantiate the spec's module with its default arguments overridden by `model_kwargs` (checked)."""
    cls = _spec_ref(spec, "builder")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module) and "n_classes" in cls.__dataclass_fields__):
        raise PluginError(
            f"'{spec.name}' (from {REGISTRY.distribution(spec)}) has builder={spec.builder!r}, which is not a "
            f"flax Module class with an n_classes field."
        )
    valid = sorted(f.name for f in dataclasses.fields(cls) if f.init and f.name not in _RESERVED)
    foreign = sorted(set(spec.model_args) - set(valid))
    if foreign:
        raise PluginError(
            f"'{spec.name}' (from {REGISTRY.distribution(spec)}) has model_args {foreign} that {spec.builder} does "
            f"not take; valid arguments: {', '.join(valid)}"
        )
    unknown = sorted(set(model_kwargs) - set(valid))
    if unknown:
        raise TypeError(f"{spec.name} got unknown model arguments {unknown}; valid arguments: {', '.join(valid)}")
    if "img_size" in model_kwargs:
        _check_img_size(model_kwargs["img_size"])
    return cls(n_classes=n_classes, **{**spec.model_args, **model_kwargs})


def get_model(
    model_name: str | None = None,
    pretrained: bool | str = False,
    n_classes: int | None = None,
    jit: bool = True,
    prng: jax.Array | None = None,
    mesh: jax.sharding.Mesh | None = None,
    sharding: str = "fsdp",
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
        jit: compile the init of variables whose initialiser numpy cannot sample (none in flaim's families, whose
            random init is drawn on the host and compiles nothing; see `flaim.random_init`); with `mesh`, always.
        prng: key for random init (default ``jax.random.key(0)``).
        mesh: place the variables on these devices (see `flaim.sharding.param_shardings`): random and checkpoint
            tensors go from host memory to each device shard by shard, so no device holds a whole sharded tensor.
        sharding: with `mesh`, ``'fsdp'`` (large tensors split over the mesh axis ``'data'``) or ``'replicate'``.
        **model_kwargs: architecture options, e.g. ``drop_path_rate``, ``dtype``, ``img_size``.

    Returns:
        ``(model, variables)``; call ``model.apply(variables, x, training=False)`` with NHWC input.
    """
    recorded = saved_config.read(pretrained)
    model_name, n_classes, model_kwargs, note = saved_config.merge(recorded, model_name, n_classes, model_kwargs)
    spec, tag = REGISTRY.resolve(model_name)
    _check_args(n_classes, jit, prng)
    n_classes = None if n_classes is None else int(n_classes)
    source = _weights_source(spec, tag, pretrained)
    prng = jax.random.key(0) if prng is None else prng
    if source is None:
        cfg = spec.pretrained_cfg(tag)
        classes = (cfg.num_classes or -1) if cfg else 1000
        model = build(spec, classes if n_classes is None else n_classes, model_kwargs)
        init_plan = random_init.plan(model, prng)
        return model, unflatten(random_init.random_variables(init_plan, prng, jit, mesh=mesh, sharding=sharding))
    checkpoint = weights.read(source)
    probe = build(spec, -1, model_kwargs)
    loaded = flatten(checkpoint.tensors if checkpoint.native else _convert(spec, checkpoint, probe))
    head = f"params/{spec.classifier}/"
    ckpt_classes = head_width(spec, loaded) or -1
    model = build(spec, ckpt_classes if n_classes is None else n_classes, model_kwargs)
    init_plan = random_init.plan(model, prng)
    expected = init_plan.shapes
    fresh_head = any(k.startswith(head) for k in expected) and model.n_classes != ckpt_classes
    if fresh_head:
        fresh = random_init.random_variables(init_plan, prng, jit, lambda path: path.startswith(head), mesh, sharding)
        loaded.update(fresh)
    features_only = getattr(model, "features_only", False)
    if model.n_classes != ckpt_classes or features_only:
        # the checkpoint's own classifier (with features_only, also its head and final norms) goes unused: drop
        # exactly the tensors the checkpoint's full model has and this one lacks; anything else stays unexpected
        full = build(spec, ckpt_classes, {**model_kwargs, "features_only": False} if features_only else model_kwargs)
        own = random_init.plan(full, prng).shapes
        loaded = {k: v for k, v in loaded.items() if k in expected or k not in own}
    _check(loaded, expected, source, note)
    if mesh is not None:  # numpy → each device's shards; a fresh head is already placed
        return model, placement.shard(
            unflatten({k: v.astype(expected[k].dtype, copy=False) for k, v in loaded.items()}), mesh, sharding
        )
    # device_put, not jnp.asarray: that compiles a copy program for every distinct shape
    return model, unflatten(
        {k: jax.device_put(np.asarray(v).astype(expected[k].dtype, copy=False)) for k, v in loaded.items()}
    )


def head_width(spec: ModelSpec, flat: dict[str, Any]) -> int:
    """The classifier width of flat variables (``'a/b/c'`` keys) of `spec`'s architecture; 0 without a classifier."""
    head = f"params/{spec.classifier}/"
    kernel = next((v for k, v in flat.items() if k.startswith(head) and k.endswith("kernel")), None)
    return 0 if kernel is None else int(np.shape(kernel)[-1])


def _check_args(n_classes: Any, jit: Any, prng: Any) -> None:
    if n_classes is not None and (not isinstance(n_classes, int | np.integer) or isinstance(n_classes, bool)):
        raise TypeError(f"n_classes must be None, 0, -1 or a positive int, got {n_classes!r}")
    if n_classes is not None and n_classes < -1:
        raise ValueError(
            f"n_classes must be None (the checkpoint's output), 0 (features), -1 (pre-logits) or N > 0, got {n_classes}"
        )
    if not isinstance(jit, bool):
        raise TypeError(f"jit must be True or False, got {jit!r}")
    if prng is not None and not _is_key(prng):
        raise TypeError(f"prng must be a key from jax.random.key(seed) (or jax.random.PRNGKey), got {prng!r}")


def _is_key(prng: Any) -> bool:
    dtype = getattr(prng, "dtype", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        return getattr(prng, "shape", None) == ()
    return dtype == jnp.uint32 and getattr(prng, "shape", None) == (2,)  # a legacy raw key


def _check_img_size(size: Any) -> None:
    sizes = size if isinstance(size, tuple | list) and len(size) == 2 else (size,)
    if not all(isinstance(s, int | np.integer) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"img_size must be a positive int or a (height, width) pair of them, got {size!r}")


def _weights_source(spec: ModelSpec, tag: str | None, pretrained: Any) -> Any:
    if pretrained is False or pretrained is None:
        return None
    if pretrained is True:
        cfg = spec.pretrained_cfg(tag)
        if cfg is None:
            raise UnknownTagError(f"'{spec.name}' has no pretrained weights; use pretrained=False or a local file.")
        return weights.hub_file(cfg.hf_hub_id)
    if isinstance(pretrained, os.PathLike):
        return weights.locate(os.fspath(pretrained))
    if not isinstance(pretrained, str) or not pretrained:
        raise TypeError(
            f"pretrained must be True/False, a tag, 'hf-hub:<repo>' or a path to a .safetensors file or folder, "
            f"got {pretrained!r}"
        )
    if pretrained.startswith("hf-hub:") or weights.looks_like_path(pretrained):
        return weights.locate(pretrained)
    if pretrained not in spec.tags:
        hint = f" To load the local '{pretrained}', pass './{pretrained}'." if os.path.exists(pretrained) else ""
        close = difflib.get_close_matches(pretrained, spec.tags, n=1)
        hint = (f" Did you mean '{close[0]}'?" if close else "") + hint
        raise UnknownTagError(
            f"Unknown pretrained tag '{pretrained}' for '{spec.name}'.{hint} Available tags: "
            f"{', '.join(spec.tags) or 'none'}."
        )
    if tag is not None and pretrained != tag:
        raise ValueError(f"Two different tags given: '{tag}' in the name and pretrained='{pretrained}'.")
    return _weights_source(spec, pretrained, True)


def _convert(spec: ModelSpec, checkpoint: weights.Checkpoint, model: nn.Module) -> dict[str, Any]:
    converter = _spec_ref(spec, "converter")
    try:
        converted = converter(checkpoint.tensors, model)
    except WeightsError as exc:
        raise WeightsError(f"{checkpoint.path} does not fit '{spec.name}': {exc}") from None
    except Exception as exc:  # a converter's own bug or a checkpoint it did not expect: never a bare KeyError
        raise WeightsError(
            f"{checkpoint.path} could not be converted for '{spec.name}' by {spec.converter} (from "
            f"{REGISTRY.distribution(spec)}): {type(exc).__name__}: {exc}. Check that the file is a timm checkpoint "
            f"of '{spec.name}'; if it is, report this to the plugin's authors."
        ) from exc
    if not isinstance(converted, dict):
        raise PluginError(
            f"{spec.converter} (from {REGISTRY.distribution(spec)}) returned {type(converted).__name__}, not a "
            f"dict of flax variables."
        )
    return converted


def _is_float(dtype: Any) -> bool:
    return jnp.issubdtype(dtype, jnp.floating)


def _check(loaded: dict[str, Any], expected: dict[str, Any], source: Any, note: str = "") -> None:
    lines = [f"- missing {k} {tuple(expected[k].shape)}" for k in sorted(set(expected) - set(loaded))]
    lines += [f"+ unexpected {k} {tuple(np.shape(loaded[k]))}" for k in sorted(set(loaded) - set(expected))]
    lines += [
        f"~ shape {k}: checkpoint {tuple(np.shape(loaded[k]))}, model {tuple(expected[k].shape)}"
        for k in sorted(set(loaded) & set(expected))
        if tuple(np.shape(loaded[k])) != tuple(expected[k].shape)
    ]
    lines += [
        f"~ dtype {k}: checkpoint {np.asarray(loaded[k]).dtype}, model {expected[k].dtype}"
        for k in sorted(set(loaded) & set(expected))
        if _is_float(expected[k].dtype) and not _is_float(np.asarray(loaded[k]).dtype)
    ]
    if lines:
        raise WeightsError(f"Weights in {source} do not match the model{note}:\n" + "\n".join(lines))
