"""Plugin discovery: entry points in the ``flaim.plugins`` group, loaded once, lazily, through pluggy.

Plugins are keyed by distribution: two distributions may use the same entry-point name. A plugin that fails in any
way (an exception, even ``sys.exit``, at import or in its hook; invalid specs) is disabled with a warning naming its
distribution; whatever it prints while loading goes to stderr, never stdout.

Environment switches (distribution names, compared as pip does: case and ``-_.`` insensitive):
    FLAIM_PLUGINS: comma-separated allow-list; other distributions are not loaded.
    FLAIM_DISABLE_PLUGINS: comma-separated block-list.
    FLAIM_STRICT_PLUGINS=1: while a plugin is broken, every query raises `PluginError` (`plugins()` still reports).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
import warnings
from collections.abc import Iterator
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
_PATH = re.compile(r"\w+(/\w+)*")
_TAG = re.compile(r"[A-Za-z0-9_-]+")

# The first-party families: distribution → regex of the names it provides (for the install hint when it is not
# installed). The one list of them: noxfile.py reads its keys for the per-family test sessions, so it stays a literal.
FIRST_PARTY = {
    "flaim-resnet": r"^((se|eca)?resne(t|xt)|wide_resnet|senet|test_resnet)",
    "flaim-vit": r"^(vit_|deit|aimv2_|beit3_|eva_|flexivit_|test_vit)",
    "flaim-convnext": r"^convnext",
}


@dataclass(frozen=True)
class PluginInfo:
    """One discovered plugin: where it comes from, how many models it gave, why it failed or was not loaded."""

    name: str
    distribution: str
    version: str
    n_models: int
    error: str | None = None
    disabled: str | None = None  # why it was not loaded (an environment switch), None when it was


@dataclass(frozen=True)
class _Entry:
    spec: ModelSpec
    distribution: str
    plugin: str  # the pluggy name, "<distribution>:<entry point>"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _env_list(var: str) -> set[str]:
    return {_normalise(item.strip()) for item in os.environ.get(var, "").split(",") if item.strip()}


def _strict() -> bool:
    return os.environ.get("FLAIM_STRICT_PLUGINS", "") not in ("", "0")


def _disabled_reason(dist: str) -> str | None:
    allow, block, name = _env_list("FLAIM_PLUGINS"), _env_list("FLAIM_DISABLE_PLUGINS"), _normalise(dist)
    if name in block:
        return "disabled by FLAIM_DISABLE_PLUGINS"
    if allow and name not in allow:
        return "disabled: not in FLAIM_PLUGINS"
    return None


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Plugin code runs with print() going to stderr, so that `flaim list` and `--json` output stay clean."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


class Registry:
    """Every model spec from every installed plugin, keyed by architecture name."""

    def __init__(self) -> None:
        self._pm: pluggy.PluginManager | None = None
        self._plugins: dict[str, PluginInfo] = {}  # by pluggy name, "<distribution>:<entry point>"
        self._causes: dict[str, BaseException] = {}  # why a plugin failed, for the traceback in strict mode
        self._models: dict[str, list[_Entry]] = {}

    # -- discovery -------------------------------------------------------------------------------------
    def _manager(self, check: bool = True) -> pluggy.PluginManager:
        """The plugin manager, discovering on first use; in strict mode raise while any plugin is broken."""
        if self._pm is None:
            pm = pluggy.PluginManager(hookspecs.PROJECT)
            pm.add_hookspecs(hookspecs)
            self._plugins, self._causes, self._models = {}, {}, {}
            self._discover(pm)
            self._pm = pm
            if not _strict():
                for info in self._plugins.values():
                    if info.error:
                        warnings.warn(_failure_message(info), RuntimeWarning, stacklevel=4)
        if check and _strict():
            broken = [key for key, info in self._plugins.items() if info.error]
            if broken:
                message = "\n".join(_failure_message(self._plugins[key]) for key in broken)
                raise PluginError(f"{message}\n(FLAIM_STRICT_PLUGINS is set)") from self._causes.get(broken[0])
        return self._pm

    def _discover(self, pm: pluggy.PluginManager) -> None:
        for ep in importlib_metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist else ep.name
            version = ep.dist.version if ep.dist else "unknown"
            info = PluginInfo(ep.name, dist, version, 0, disabled=_disabled_reason(dist))
            key = f"{dist}:{ep.name}"
            if info.disabled:
                self._plugins[key] = info
                continue
            try:
                with _stdout_to_stderr():
                    module = ep.load()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # a broken plugin, even one calling sys.exit, is isolated
                self._failed(key, info, f"import failed: {_describe(exc)}", exc)
                continue
            self._add(pm, key, module, info)

    def _add(self, pm: pluggy.PluginManager, key: str, plugin: Any, info: PluginInfo) -> None:
        """Register `plugin` under `key` and take its specs; on any failure record it as broken instead."""
        try:
            with _stdout_to_stderr():
                pm.register(plugin, name=key)
                impls = [impl for impl in pm.hook.flaim_models.get_hookimpls() if impl.plugin_name == key]
                if not impls:
                    raise PluginError("it has no @flaim.hookimpl flaim_models() function")
                specs = [spec for impl in impls for spec in _as_list(impl.function())]
            _validate(specs)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            if pm.get_plugin(key) is not None:
                pm.unregister(name=key)
            self._failed(key, info, _describe(exc), exc)
            return
        for spec in specs:
            self._models.setdefault(spec.name, []).append(_Entry(spec, info.distribution, key))
        self._plugins[key] = PluginInfo(info.name, info.distribution, info.version, len(specs))

    def _failed(self, key: str, info: PluginInfo, error: str, cause: BaseException) -> None:
        self._plugins[key] = PluginInfo(info.name, info.distribution, info.version, 0, error)
        self._causes[key] = cause

    def register(self, plugin: ModuleType | Any, name: str, distribution: str = "<local>", version: str = "0") -> None:
        """Register a plugin object (a module or any object with a `flaim_models` hookimpl).

        A broken plugin is recorded and warned about (`PluginError` in strict mode, and then not recorded).
        """
        pm = self._manager()
        key = f"{distribution}:{name}"
        if key in self._plugins:
            raise PluginError(f"a plugin named '{name}' from {distribution} is already registered")
        self._add(pm, key, plugin, PluginInfo(name, distribution, version, 0))
        info = self._plugins[key]
        if info.error and _strict():
            cause = self._causes.pop(key)
            del self._plugins[key]
            raise PluginError(_failure_message(info)) from cause
        if info.error:
            warnings.warn(_failure_message(info), RuntimeWarning, stacklevel=2)

    def unregister(self, name: str, distribution: str = "<local>") -> None:
        """Remove a plugin and its models (mainly for tests that register a plugin of their own)."""
        pm = self._manager(check=False)
        key = f"{distribution}:{name}"
        if pm.get_plugin(key) is not None:
            pm.unregister(name=key)
        self._plugins.pop(key, None)
        self._causes.pop(key, None)
        for model, entries in list(self._models.items()):
            kept = [e for e in entries if e.plugin != key]
            if kept:
                self._models[model] = kept
            else:
                del self._models[model]

    def reset(self) -> None:
        """Forget everything; the next query discovers the plugins again."""
        self.__init__()

    # -- queries ---------------------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        """Every discovered plugin, broken and disabled ones included (never raises for a broken plugin)."""
        self._manager(check=False)
        return sorted(self._plugins.values(), key=lambda p: (p.name, p.distribution))

    def names(self) -> list[str]:
        self._manager()
        return sorted(self._models)

    def specs(self, distribution: str | None = None) -> list[ModelSpec]:
        """One spec per name (the first registered where two distributions clash), or every spec `distribution`
        registers."""
        self._manager()
        if distribution is not None:
            return [
                e.spec for name in sorted(self._models) for e in self._models[name] if e.distribution == distribution
            ]
        return [self._models[name][0].spec for name in sorted(self._models)]

    def distribution(self, spec: ModelSpec) -> str:
        """The distribution that registered `spec` (for messages about its builder or converter)."""
        self._manager(check=False)
        return next((e.distribution for e in self._models.get(spec.name, ()) if e.spec is spec), "<unregistered>")

    def resolve(self, model_name: str) -> tuple[ModelSpec, str | None]:
        """Split ``[distribution:]name[.tag]`` and return the spec and the tag (None when not given)."""
        if not isinstance(model_name, str):
            raise TypeError(f"model_name must be a string such as 'resnet50.a1_in1k', got {model_name!r}")
        self._manager()
        dist = None
        if ":" in model_name:
            dist, model_name = model_name.split(":", 1)
        name, _, tag = model_name.partition(".")
        entries = self._models.get(name)
        if not entries:
            raise UnknownModelError(self._unknown_message(name))
        if dist is not None:
            entries = [e for e in entries if _normalise(e.distribution) == _normalise(dist)]
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
        by_dist = {_normalise(p.distribution): p for p in self._plugins.values()}
        for dist, pattern in FIRST_PARTY.items():
            if re.search(pattern, name) and by_dist.get(dist) is None:
                message += f" '{name}' looks like a {dist} model, which is not installed: pip install {dist}"
        unusable = [p for p in self._plugins.values() if p.error or p.disabled]
        if unusable:
            message += " Not loaded: " + "; ".join(f"{p.distribution} ({p.error or p.disabled})" for p in unusable)
            message += "."
        elif not self._models:
            message += " No model plugins are installed; install a family, e.g. pip install flaim-resnet"
        return message


def _failure_message(info: PluginInfo) -> str:
    return f"flaim plugin '{info.name}' from {info.distribution} {info.version} is disabled: {info.error}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit: it called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def _as_list(specs: Any) -> list[Any]:
    if not isinstance(specs, list | tuple):
        raise TypeError(f"flaim_models() must return a list of ModelSpec, got {type(specs).__name__}")
    return list(specs)


def _validate(specs: list[Any]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not isinstance(spec, ModelSpec):
            raise TypeError(f"flaim_models() returned {spec!r}, not a ModelSpec")
        if not _NAME.fullmatch(spec.name):
            raise ValueError(f"model name {spec.name!r} must use lowercase letters, digits and '_' only")
        if spec.name in seen:
            raise ValueError(f"it registers '{spec.name}' twice; each model name must appear once")
        seen.add(spec.name)
        for ref in (spec.builder, spec.converter):
            if not _REF.fullmatch(ref):
                raise ValueError(f"{spec.name}: {ref!r} is not a 'package.module:attribute' reference")
        if not isinstance(spec.classifier, str) or not _PATH.fullmatch(spec.classifier):
            raise ValueError(f"{spec.name}: classifier {spec.classifier!r} must be a params path such as 'head/fc'")
        bad_tags = [tag for tag in spec.tags if not isinstance(tag, str) or not _TAG.fullmatch(tag)]
        if bad_tags:
            raise ValueError(f"{spec.name}: pretrained tags {bad_tags} must use letters, digits, '_' and '-' only")
        if len(set(spec.tags)) != len(spec.tags):
            raise ValueError(f"{spec.name}: duplicate pretrained tags in {spec.tags}")


REGISTRY = Registry()
