"""Plugin discovery: entry points in the ``flaim.plugins`` group, loaded once, lazily, through pluggy.

Environment switches:
    FLAIM_PLUGINS: comma-separated allow-list of distribution (or entry-point) names; others are not loaded.
    FLAIM_DISABLE_PLUGINS: comma-separated block-list, same names.
    FLAIM_STRICT_PLUGINS=1: a broken plugin raises `PluginError` instead of warning.
"""

from __future__ import annotations

import difflib
import os
import re
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import importlib_metadata
import pluggy

from flaim import hookspecs
from flaim.errors import AmbiguousModelError, PluginError, UnknownModelError, UnknownTagError
from flaim.specs import ModelSpec

_NAME = re.compile(r"[a-z0-9_]+")
_REF = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")

# Which first-party distribution provides a name, for the install hint when it is not installed.
FIRST_PARTY = {
    "flaim-resnet": re.compile(r"^((se|eca)?resne(t|xt)|wide_resnet|senet|test_resnet)"),
    "flaim-vit": re.compile(r"^(vit_|deit|aimv2_|beit3_|eva_|flexivit_|test_vit)"),
    "flaim-convnext": re.compile(r"^convnext"),
}


@dataclass(frozen=True)
class PluginInfo:
    """One discovered plugin: where it comes from, how many models it gave, and why it failed if it did."""

    name: str
    distribution: str
    version: str
    n_models: int
    error: str | None = None


@dataclass(frozen=True)
class _Entry:
    spec: ModelSpec
    distribution: str


def _env_list(var: str) -> set[str]:
    return {item.strip() for item in os.environ.get(var, "").split(",") if item.strip()}


class Registry:
    """Every model spec from every installed plugin, keyed by architecture name."""

    def __init__(self) -> None:
        self._pm: pluggy.PluginManager | None = None
        self._plugins: dict[str, PluginInfo] = {}
        self._models: dict[str, list[_Entry]] = {}

    # -- discovery -------------------------------------------------------------------------------------
    def _manager(self) -> pluggy.PluginManager:
        if self._pm is None:
            self._pm = pluggy.PluginManager(hookspecs.PROJECT)
            self._pm.add_hookspecs(hookspecs)
            self._discover()
        return self._pm

    def _discover(self) -> None:
        allow, block = _env_list("FLAIM_PLUGINS"), _env_list("FLAIM_DISABLE_PLUGINS")
        for ep in importlib_metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else ep.name
            version = ep.dist.version if ep.dist else "unknown"
            names = {ep.name, dist}
            if (allow and not names & allow) or names & block:
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not break the others
                self._fail(ep.name, dist, version, f"import failed: {type(exc).__name__}: {exc}")
                continue
            self.register(module, name=ep.name, distribution=dist, version=version)

    def _fail(self, name: str, dist: str, version: str, error: str) -> None:
        self._plugins[name] = PluginInfo(name, dist, version, 0, error)
        message = f"flaim plugin '{name}' from {dist} {version} is disabled: {error}"
        if os.environ.get("FLAIM_STRICT_PLUGINS", "") not in ("", "0"):
            raise PluginError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)

    def register(self, plugin: ModuleType | Any, name: str, distribution: str = "<local>", version: str = "0") -> None:
        """Register a plugin object (a module or any object with a `flaim_models` hookimpl)."""
        pm = self._manager()
        if name in self._plugins:
            raise PluginError(
                f"a plugin named '{name}' is already registered (from {self._plugins[name].distribution})"
            )
        try:
            pm.register(plugin, name=name)
            impls = [impl for impl in pm.hook.flaim_models.get_hookimpls() if impl.plugin_name == name]
            if not impls:
                raise PluginError("it has no @flaim.hookimpl flaim_models() function")
            specs = [spec for impl in impls for spec in impl.function()]
            _validate(specs)
        except Exception as exc:
            if pm.is_registered(plugin):
                pm.unregister(plugin)
            self._fail(name, distribution, version, f"{type(exc).__name__}: {exc}")
            return
        for spec in specs:
            self._models.setdefault(spec.name, []).append(_Entry(spec, distribution))
        self._plugins[name] = PluginInfo(name, distribution, version, len(specs))

    def unregister(self, name: str) -> None:
        """Remove a plugin and its models (mainly for tests that register a plugin of their own)."""
        pm = self._manager()
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin)
        info = self._plugins.pop(name, None)
        if info is None:
            return
        for model, entries in list(self._models.items()):
            kept = [e for e in entries if e.distribution != info.distribution]
            if kept:
                self._models[model] = kept
            else:
                del self._models[model]

    def reset(self) -> None:
        """Forget everything; the next query discovers the plugins again."""
        self.__init__()

    # -- queries ---------------------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        self._manager()
        return sorted(self._plugins.values(), key=lambda p: p.name)

    def names(self) -> list[str]:
        self._manager()
        return sorted(self._models)

    def specs(self) -> list[ModelSpec]:
        """One spec per name (the first registered where two distributions clash)."""
        self._manager()
        return [self._models[name][0].spec for name in sorted(self._models)]

    def resolve(self, model_name: str) -> tuple[ModelSpec, str | None]:
        """Split ``[distribution:]name[.tag]`` and return the spec and the tag (None when not given)."""
        self._manager()
        dist = None
        if ":" in model_name:
            dist, model_name = model_name.split(":", 1)
        name, _, tag = model_name.partition(".")
        entries = self._models.get(name)
        if not entries:
            raise UnknownModelError(self._unknown_message(name))
        if dist is not None:
            entries = [e for e in entries if e.distribution == dist]
            if not entries:
                found = ", ".join(e.distribution for e in self._models[name])
                raise UnknownModelError(f"'{name}' is not provided by '{dist}'; it comes from: {found}")
        if len(entries) > 1:
            dists = [e.distribution for e in entries]
            raise AmbiguousModelError(
                f"'{name}' is registered by several distributions: {', '.join(dists)}. "
                f"Pick one explicitly, e.g. get_model('{dists[0]}:{model_name}')."
            )
        spec = entries[0].spec
        if tag and tag not in spec.tags:
            have = ", ".join(spec.tags) or "none"
            close = difflib.get_close_matches(tag, spec.tags, n=1)
            hint = f" Did you mean '{name}.{close[0]}'?" if close else ""
            raise UnknownTagError(f"Unknown pretrained tag '{tag}' for '{name}'.{hint} Available tags: {have}.")
        return spec, tag or None

    def _unknown_message(self, name: str) -> str:
        message = f"Unknown model '{name}'."
        close = difflib.get_close_matches(name, self._models, n=3, cutoff=0.75)
        if close:
            message += " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        for dist, pattern in FIRST_PARTY.items():
            installed = any(p.distribution == dist for p in self._plugins.values())
            if pattern.search(name) and not installed:
                message += f" '{name}' looks like a {dist} model, which is not installed: pip install {dist}"
        if not self._models:
            message += " No model plugins are installed; install a family, e.g. pip install flaim-resnet"
        return message


def _validate(specs: Any) -> None:
    if not isinstance(specs, list | tuple):
        raise TypeError(f"flaim_models() must return a list of ModelSpec, got {type(specs).__name__}")
    for spec in specs:
        if not isinstance(spec, ModelSpec):
            raise TypeError(f"flaim_models() returned {spec!r}, not a ModelSpec")
        if not _NAME.fullmatch(spec.name):
            raise ValueError(f"model name {spec.name!r} must use lowercase letters, digits and '_' only")
        for ref in (spec.builder, spec.converter):
            if not _REF.fullmatch(ref):
                raise ValueError(f"{spec.name}: {ref!r} is not a 'package.module:attribute' reference")
        if len(set(spec.tags)) != len(spec.tags):
            raise ValueError(f"{spec.name}: duplicate pretrained tags in {spec.tags}")


REGISTRY = Registry()
