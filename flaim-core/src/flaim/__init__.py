"""flaim: Flax Image Models — timm's architectures and pretrained weights in JAX/Flax.

Importing flaim loads neither jax nor any family plugin; both come in when a model is built. On Linux it sets glibc's
malloc to keep freed memory for reuse (`flaim.malloc`), before jax starts XLA's threads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flaim.errors import (
    AmbiguousModelError,
    ImageError,
    PluginError,
    UnknownModelError,
    UnknownTagError,
    WeightsError,
)
from flaim.hookspecs import hookimpl
from flaim.malloc import keep_freed_memory
from flaim.registry import REGISTRY, PluginInfo
from flaim.specs import ModelSpec, PretrainedCfg

keep_freed_memory()  # XLA's CPU buffers stay mapped between calls: see flaim.malloc

if TYPE_CHECKING:
    from flax import linen as nn

    from flaim.factory import get_model

__all__ = [
    "AmbiguousModelError",
    "ImageError",
    "ModelSpec",
    "PluginError",
    "PluginInfo",
    "PretrainedCfg",
    "UnknownModelError",
    "UnknownTagError",
    "WeightsError",
    "backbone",
    "enable_compilation_cache",
    "feature_info",
    "get_model",
    "get_pretrained_cfg",
    "hookimpl",
    "jit",
    "list_models",
    "list_plugins",
    "save_pretrained",
]


def __getattr__(name: str) -> Any:
    """`flaim.get_model` is `flaim.factory.get_model` itself (its signature and docstring), imported on first use."""
    if name == "get_model":
        from flaim.factory import get_model

        globals()["get_model"] = get_model
        return get_model
    raise AttributeError(f"module 'flaim' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted({*globals(), "get_model"})


def enable_compilation_cache(path: str | None = None) -> Any:
    """Keep compiled programs on disk for later processes (changes JAX's global config); see `flaim.compile_cache`."""
    from flaim.compile_cache import enable_compilation_cache as _enable

    return _enable(path)


def feature_info(model_name: str, **model_kwargs: Any) -> list[dict[str, Any]]:
    """Channels, reduction and timm module name of each ``features_only`` map; see `flaim.backbone.feature_info`."""
    from flaim.backbone import feature_info as _feature_info

    return _feature_info(model_name, **model_kwargs)


def backbone(model_name: str, pretrained: bool | str = False, **kwargs: Any) -> tuple[nn.Module, Callable[..., Any]]:
    """A model and a function grafting its loaded variables into a parent module's; see `flaim.backbone.backbone`."""
    from flaim.backbone import backbone as _backbone

    return _backbone(model_name, pretrained, **kwargs)


def jit(fun: Callable[..., Any], **jit_kwargs: Any) -> Any:
    """``jax.jit`` with the compiler options flaim's models run fastest with on CPU; see `flaim.xla.jit`."""
    from flaim.xla import jit as _jit

    return _jit(fun, **jit_kwargs)


def list_models(pattern: str | None = None, *, pretrained: bool = False) -> list[str]:
    """Sorted architecture names matching the regex `pattern` (``re.search``).

    With ``pretrained=True``, the ``name.tag`` entries that have weights (the pattern applies to those).
    """
    names = [f"{spec.name}.{tag}" for spec in REGISTRY.specs() for tag in spec.tags] if pretrained else REGISTRY.names()
    regex = re.compile(pattern) if pattern else None
    return sorted(n for n in names if regex is None or regex.search(n))


def get_pretrained_cfg(model_name: str) -> dict[str, Any]:
    """The pretrained config (input_size, mean, std, crop_pct, …) of ``name`` (default tag) or ``name.tag``."""
    spec, tag = REGISTRY.resolve(model_name)
    cfg = spec.pretrained_cfg(tag)
    if cfg is None:
        raise UnknownTagError(f"'{spec.name}' has no pretrained weights, so no pretrained config.")
    return cfg.to_dict()


def list_plugins() -> list[PluginInfo]:
    """Every discovered plugin: distribution, version, model count and load error (None when it loaded)."""
    return REGISTRY.plugins()


def save_pretrained(
    variables: dict[str, Any], path: str, model_name: str, *, model: nn.Module | None = None, format: str = "flaim"
) -> Any:
    """Write variables as safetensors + config.json (flaim's or timm's layout); see `flaim.weights.save_pretrained`."""
    from flaim.weights import save_pretrained as _save

    return _save(variables, path, model_name, model=model, format=format)
