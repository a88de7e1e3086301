"""Exceptions flaim raises for bad names, broken plugins and unusable weights; `check_choice` for bad options."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any


def check_choice(what: str, value: Any, choices: Collection[Any]) -> Any:
    """`value` if it is one of `choices` (for a mapping: the entry it names), else a ValueError listing them.

    Args:
        what: the option's name for the message, e.g. ``'norm_layer'``.
        value: the option's value.
        choices: the valid values, or a mapping from them.
    """
    if value not in choices:
        raise ValueError(f"Unknown {what} {value!r}; choose one of: {', '.join(map(repr, choices))}.")
    return choices[value] if isinstance(choices, Mapping) else value


class UnknownModelError(ValueError):
    """No installed plugin provides the requested architecture."""


class UnknownTagError(ValueError):
    """The architecture exists but has no pretrained tag of that name."""


class AmbiguousModelError(ValueError):
    """Two distributions register the same architecture name."""


class PluginError(RuntimeError):
    """A plugin is broken: it failed to load or returned invalid specs (raised on every query with
    FLAIM_STRICT_PLUGINS=1, a warning otherwise), or a model's builder or converter reference does not resolve."""


class WeightsError(RuntimeError):
    """Weights could not be found, read or matched to the model."""


class ImageError(ValueError):
    """An input that is not an image flaim can read."""
