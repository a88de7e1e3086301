"""flaim models inside a user's program: feature-map metadata (timm's ``feature_info``) and pretrained backbones
grafted into a parent linen module's variables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.convert import flatten, unflatten
from flaim.factory import build, get_model
from flaim.layers.features import take_indices
from flaim.registry import REGISTRY


def feature_info(model_name: str, **model_kwargs: Any) -> list[dict[str, Any]]:
    """Per feature map of ``features_only=True``: channels, reduction (input size / map size) and timm's module name,
    as timm's ``model.feature_info.get_dicts()``. Shapes only: nothing is computed.

    Args:
        model_name: ``'resnet50'`` (a tag is ignored).
        **model_kwargs: architecture options, e.g. ``out_indices=(2, 3, 4)`` or ``img_size``.
    """
    spec, _ = REGISTRY.resolve(model_name)
    model = build(spec, 0, {**model_kwargs, "features_only": True})
    modules = model.feature_modules()
    size = getattr(model, "img_size", None) or 224
    size = tuple(size) if isinstance(size, tuple | list) else (size, size)
    x = jax.ShapeDtypeStruct((1, *size, getattr(model, "in_chans", 3)), jnp.float32)
    maps = jax.eval_shape(lambda x: model.init_with_output(jax.random.key(0), x, training=False)[0], x)
    indices = take_indices(len(modules), model.out_indices)
    return [
        {"num_chs": int(m.shape[-1]), "reduction": size[0] // m.shape[1], "module": modules[i], "index": i}
        for i, m in zip(indices, maps, strict=True)
    ]


def backbone(
    model_name: str, pretrained: bool | str = False, **kwargs: Any
) -> tuple[nn.Module, Callable[[dict[str, Any], str], dict[str, Any]]]:
    """A flaim model to use as a submodule of your own linen module, with its loaded variables.

    Returns ``(module, graft)``: pass `module` to your parent module (e.g. as a field), ``init`` the parent, then
    ``graft(variables, name)`` puts the loaded variables (``params``, ``batch_stats``) under the submodule `name`
    in every collection, checking that the parent built the same variables.

    Args:
        model_name: as for `flaim.get_model`.
        pretrained: as for `flaim.get_model`.
        **kwargs: the other `flaim.get_model` arguments, e.g. ``features_only=True, out_indices=(2, 3, 4)``.
    """
    model, loaded = get_model(model_name, pretrained=pretrained, **kwargs)

    def graft(variables: dict[str, Any], name: str) -> dict[str, Any]:
        merged = flatten(dict(variables))
        theirs = {}
        for key, value in flatten(loaded).items():
            collection, path = key.split("/", 1)
            theirs[f"{collection}/{name}/{path}"] = value
        lines = [f"- {k}" for k in sorted(set(theirs) - set(merged))]
        lines += [
            f"~ {k}: parent {tuple(merged[k].shape)}, loaded {tuple(v.shape)}"
            for k, v in theirs.items()
            if k in merged and tuple(merged[k].shape) != tuple(v.shape)
        ]
        if lines:
            raise ValueError(f"The parent's variables under '{name}' do not match {model_name}'s:\n" + "\n".join(lines))
        return unflatten({**merged, **theirs})

    return model, graft
