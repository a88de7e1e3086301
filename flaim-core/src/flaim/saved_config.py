"""The ``config.json`` that `save_pretrained` writes beside flaim's weights, and how `get_model` reads it back.

It records the model name (with its tag), the architecture, ``n_classes`` and every model argument that differs from
the architecture's defaults, so ``get_model(pretrained=folder)`` rebuilds the model without repeating them. Arguments
are stored as JSON: dtypes (fields whose name ends in ``dtype``) by name, e.g. ``"bfloat16"``, tuples as lists;
both come back as they were.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from flaim.errors import WeightsError
from flaim.registry import REGISTRY
from flaim.weights import CONFIG_FILE, NATIVE_FORMAT, WEIGHTS_FILE, looks_like_path

_NOT_ARGUMENTS = {"parent", "name", "n_classes"}


def describe(model_name: str, model: Any | None = None) -> dict[str, Any]:
    """The config of a flaim checkpoint of `model_name`; with `model`, its ``n_classes`` and non-default arguments.

    Raises:
        ValueError: `model` is not an instance of `model_name`'s architecture.
        TypeError: a model argument has no JSON form (the message names it).
    """
    spec, tag = REGISTRY.resolve(model_name)
    config: dict[str, Any] = {"format": NATIVE_FORMAT, "model_name": model_name, "architecture": spec.name, "tag": tag}
    if model is None:
        return config
    built_by = f"{type(model).__module__}:{type(model).__qualname__}"
    if built_by != spec.builder:
        raise ValueError(f"model is a {built_by}, but '{spec.name}' is built by {spec.builder}: pass its own name.")
    kwargs = {}
    for field in dataclasses.fields(model):
        if field.init and field.name not in _NOT_ARGUMENTS:
            value = getattr(model, field.name)
            if value != spec.model_args.get(field.name, field.default):
                kwargs[field.name] = _encode(field.name, value)
    return {**config, "n_classes": model.n_classes, "model_kwargs": kwargs}


def read(pretrained: Any) -> dict[str, Any]:
    """The config saved with the local flaim checkpoint `pretrained` (a folder or its weights file); {} if none."""
    if isinstance(pretrained, str) and (pretrained.startswith("hf-hub:") or not looks_like_path(pretrained)):
        return {}  # a Hub reference or a tag
    if not isinstance(pretrained, str | os.PathLike):
        return {}
    path = Path(pretrained).expanduser()
    if path.name == WEIGHTS_FILE:
        path = path.parent
    if not (path / CONFIG_FILE).is_file():
        return {}
    try:
        config = json.loads((path / CONFIG_FILE).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeightsError(f"'{path / CONFIG_FILE}' is not valid JSON ({exc}); save the model again.") from None
    if not isinstance(config, dict) or config.get("format") != NATIVE_FORMAT:
        return {}
    if not isinstance(config.get("model_name"), str):
        raise WeightsError(f"'{path / CONFIG_FILE}' has no model_name; save the model again.")
    return config


def merge(
    config: dict[str, Any], model_name: str | None, n_classes: int | None, model_kwargs: dict[str, Any]
) -> tuple[str, int | None, dict[str, Any], str]:
    """Explicit `get_model` arguments over the recorded ones: ``(model_name, n_classes, model_kwargs, note)``.

    A different architecture is an error. A different ``n_classes`` is a new head, and a different model argument
    simply wins; `note` names both values, for the error raised if the weights then do not fit.

    Raises:
        ValueError: `model_name` names another architecture than the recorded one, or is None with no record.
    """
    if not config:
        if model_name is None:
            raise ValueError("get_model needs a model_name unless pretrained is a folder written by save_pretrained.")
        return model_name, n_classes, model_kwargs, ""
    recorded_name = config["model_name"]
    architecture = config.get("architecture") or REGISTRY.resolve(recorded_name)[0].name
    if model_name is not None and REGISTRY.resolve(model_name)[0].name != architecture:
        raise ValueError(
            f"The checkpoint holds a '{architecture}' (config.json: model_name '{recorded_name}'), not "
            f"'{model_name}'. Pass model_name='{recorded_name}' or leave model_name out."
        )
    recorded = {name: _decode(value) for name, value in config.get("model_kwargs", {}).items()}
    recorded = {name: _dtype(value) if name.endswith("dtype") else value for name, value in recorded.items()}
    overridden = [f"{k}={recorded[k]!r} recorded, {k}={v!r} given" for k, v in model_kwargs.items() if k in recorded]
    note = f" (config.json: {'; '.join(overridden)})" if overridden else ""
    classes = config.get("n_classes") if n_classes is None else n_classes
    return model_name or recorded_name, classes, {**recorded, **model_kwargs}, note


def _encode(name: str, value: Any) -> Any:
    if name.endswith("dtype") and value is not None:
        import numpy as np

        return np.dtype(value).name
    if isinstance(value, tuple | list):
        return [_encode(name, v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(
        f"Cannot record the model argument {name}={value!r} in config.json: only None, booleans, numbers, strings, "
        f"dtypes and tuples of them have a JSON form."
    )


def _decode(value: Any) -> Any:
    return tuple(_decode(v) for v in value) if isinstance(value, list) else value


def _dtype(name: str | None) -> Any:
    import jax.numpy as jnp

    return None if name is None else jnp.dtype(name)
