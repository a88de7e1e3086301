"""Registers the resnet models with flaim."""

from flaim import ModelSpec, hookimpl


@hookimpl
def flaim_models() -> list[ModelSpec]:
    return []
