"""The hook a family plugin implements, and the marker it decorates it with."""

from __future__ import annotations

import pluggy

from flaim.specs import ModelSpec

PROJECT = "flaim"
ENTRY_POINT_GROUP = "flaim.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def flaim_models() -> list[ModelSpec]:
    """Return the architectures this plugin provides.

    A complete plugin, registered in its ``pyproject.toml`` with
    ``[project.entry-points."flaim.plugins"] tiny = "flaim_tiny.plugin"``::

        # flaim_tiny/plugin.py
        from flaim import ModelSpec, PretrainedCfg, hookimpl

        @hookimpl
        def flaim_models():
            return [
                ModelSpec(
                    name="tinynet",
                    family="tiny",
                    builder="flaim_tiny.model:TinyNet",
                    converter="flaim_tiny.convert:timm_to_flax",
                    model_args={"width": 32},
                    pretrained=(PretrainedCfg(tag="in1k"),),
                )
            ]

    Keep this module free of jax imports: the builder and converter are imported only when a model is built.
    """
