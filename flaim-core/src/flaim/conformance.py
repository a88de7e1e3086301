"""Conformance suite for plugin distributions: every contract flaim relies on, checked per architecture.

`check_conformance` runs it all; `conformance_suite` gives a plugin's tests the same checks as pytest tests in one
line (``TestConformance = conformance_suite("flaim-tiny")``). Parity needs torch and timm in the test environment.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from flaim.data.labels import LABEL_SETS
from flaim.registry import REGISTRY
from flaim.specs import ModelSpec

ParityKwargs = Callable[[str], Mapping[str, Any] | None]
EXPECTED_FIELDS = ("dtype", "param_dtype", "drop_rate", "drop_path_rate")
CROP_MODES = ("center", "squash", "border")
INTERPOLATIONS = ("bilinear", "bicubic", "nearest", "lanczos")
_PROBE_CLASSES = 7


def check_distribution(distribution: str) -> list[ModelSpec]:
    """Check every spec `distribution` registers: references resolve, builders have the expected fields,
    pretrained configs hold valid values, and ``flaim info`` reports the parameter count of timm's model.

    Returns:
        The distribution's specs.

    Raises:
        AssertionError: listing every problem.
    """
    from flaim.factory import load_ref

    specs = REGISTRY.specs(distribution)
    if not specs:
        known = sorted({p.distribution for p in REGISTRY.plugins()})
        raise AssertionError(f"distribution '{distribution}' registers no models; installed: {', '.join(known)}")
    problems = []
    for spec in specs:
        try:
            builder, _ = load_ref(spec.builder), load_ref(spec.converter)
        except (ImportError, AttributeError) as exc:
            problems.append(f"{spec.name}: cannot resolve builder/converter: {exc}")
            continue
        fields = {f.name for f in dataclasses.fields(builder)} if dataclasses.is_dataclass(builder) else set()
        missing = [f for f in ("n_classes", *EXPECTED_FIELDS) if f not in fields]
        if missing:
            problems.append(f"{spec.name}: {spec.builder} lacks the fields {missing}")
        if not spec.classifier or spec.classifier.startswith("/") or spec.classifier.endswith("/"):
            problems.append(f"{spec.name}: classifier {spec.classifier!r} is not a '/'-separated params path")
        problems += [f"{spec.name}.{cfg.tag}: {p}" for cfg in spec.pretrained for p in _cfg_problems(cfg)]
    problems += _info_problems(specs[0].name)
    if problems:
        raise AssertionError(f"{distribution}: {len(problems)} conformance problems:\n" + "\n".join(problems))
    return specs


def _cfg_problems(cfg: Any) -> list[str]:
    problems = []
    if not re.fullmatch(r"[a-z0-9_]+", cfg.tag):
        problems.append(f"tag {cfg.tag!r} must use lowercase letters, digits and '_' (timm's spelling)")
    if cfg.label_set is not None and cfg.label_set not in LABEL_SETS:
        problems.append(f"label_set {cfg.label_set!r} is none of {', '.join(LABEL_SETS)} (or None)")
    if len(cfg.input_size) != 3 or cfg.input_size[0] not in (1, 3):
        problems.append(f"input_size {cfg.input_size} is not (channels, height, width)")
    if cfg.crop_mode not in CROP_MODES:
        problems.append(f"crop_mode {cfg.crop_mode!r} is none of {', '.join(CROP_MODES)}")
    if cfg.interpolation not in INTERPOLATIONS:
        problems.append(f"interpolation {cfg.interpolation!r} is none of {', '.join(INTERPOLATIONS)}")
    if not 0 < cfg.crop_pct <= 1:
        problems.append(f"crop_pct {cfg.crop_pct} is outside (0, 1]")
    if len(cfg.mean) != cfg.input_size[0] or len(cfg.std) != cfg.input_size[0]:
        problems.append(f"mean {cfg.mean} / std {cfg.std} do not have one value per channel")
    return problems


def _info_problems(name: str) -> list[str]:
    """``flaim info name`` runs and prints timm's parameter count (timm's model built on the meta device)."""
    import timm
    import torch

    from flaim.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["info", name])
    match = re.search(r"parameters:?\s+([\d,]+)", out.getvalue())
    with torch.device("meta"):
        expected = sum(p.numel() for p in timm.create_model(name, pretrained=False).parameters())
    if match is None or int(match.group(1).replace(",", "")) != expected:
        return [f"{name}: `flaim info` reports parameters {match and match.group(1)}, timm has {expected:,}"]
    return []


def check_architecture(name: str, parity: bool = True, **parity_kwargs: Any) -> Any:
    """Check one architecture against flaim's model contract, then its parity with timm.

    At the small size of the parity check (its `img_size` and `flaim_kwargs`), by shape inference: ``n_classes=0``
    gives the feature map (B, H, W, C) or tokens (B, N, D); intermediates are sown as ``stage_0 … stage_<n>``
    (hierarchical: maps that never grow) or ``block_0 …``; unknown keyword arguments raise a TypeError naming the
    valid ones; NCHW input raises a ValueError; variables survive a `flaim.save_pretrained` →
    ``get_model(pretrained=folder)`` round trip bit-exactly. Then `flaim.testing.check_parity`, whose comparisons
    with timm cover ``n_classes`` -1 (pooled features) and N (logits, last linear layer at ``spec.classifier``);
    without `parity`, those shapes are checked by inference instead.

    Args:
        name: the architecture.
        parity: run `check_parity` too.
        **parity_kwargs: passed to `check_parity` (`img_size`, `flaim_kwargs`, `timm_kwargs`, tolerances, …).

    Returns:
        The `ParityReport` (None without parity).

    Raises:
        AssertionError: listing every contract problem, or every parity comparison over its tolerance.
    """
    import jax
    import jax.numpy as jnp

    from flaim.factory import build, get_model, load_ref

    spec, _ = REGISTRY.resolve(name)
    kwargs = dict(parity_kwargs.get("flaim_kwargs") or {})
    img_size = parity_kwargs.get("img_size", 64)
    if "img_size" in {f.name for f in dataclasses.fields(load_ref(spec.builder))}:
        kwargs.setdefault("img_size", img_size)
    x = jnp.zeros((1, img_size, img_size, 3), jnp.float32)
    problems = []

    def infer(n_classes: int) -> tuple[Any, dict[str, Any]]:
        model = build(spec, n_classes, kwargs)
        return jax.eval_shape(lambda: model.init_with_output(jax.random.key(0), x, training=False, mutable=True))

    features, variables = infer(0)
    if features.ndim not in (3, 4):
        problems.append(f"n_classes=0 gives shape {features.shape}, not a feature map or tokens")
    problems += _intermediate_problems(spec, variables.get("intermediates", {}))
    if not parity:  # check_parity compares these outputs, shapes included, with timm's
        problems += _head_problems(spec, infer)
    problems += _rejection_problems(spec, kwargs, x, get_model)
    problems += _round_trip_problems(spec, kwargs, variables, get_model)
    if problems:
        raise AssertionError(f"{name}: {len(problems)} conformance problems:\n" + "\n".join(problems))
    if not parity:
        return None
    from flaim.testing import check_parity

    return check_parity(name, **parity_kwargs)


def _head_problems(spec: ModelSpec, infer: Callable[[int], Any]) -> list[str]:
    from flaim.convert import flatten

    problems = []
    pooled, _ = infer(-1)
    if pooled.ndim != 2:
        problems.append(f"n_classes=-1 gives shape {pooled.shape}, not pooled features (batch, features)")
    logits, variables = infer(_PROBE_CLASSES)
    if logits.shape != (1, _PROBE_CLASSES):
        problems.append(f"n_classes={_PROBE_CLASSES} gives shape {logits.shape}, not (1, {_PROBE_CLASSES})")
    head = flatten(variables["params"]).get(f"{spec.classifier}/kernel")
    if head is None or head.shape[-1] != _PROBE_CLASSES:
        problems.append(f"no ({_PROBE_CLASSES}-way) classifier kernel at params/{spec.classifier}/kernel")
    return problems


def _intermediate_problems(spec: ModelSpec, sown: Mapping[str, Any]) -> list[str]:
    """Names ``<prefix>_0 … <prefix>_<n-1>``; stages of a hierarchical model never grow spatially."""
    prefix = "stage" if spec.hierarchical else "block"
    expected = {f"{prefix}_{i}" for i in range(len(sown))}
    if not sown or set(sown) != expected:
        return [f"intermediates sown as {sorted(sown)}; expected {prefix}_0 … {prefix}_{len(sown) - 1}"]
    shapes = [sown[f"{prefix}_{i}"][0].shape for i in range(len(sown))]
    if spec.hierarchical and any(len(a) != 4 or len(b) != 4 or b[1] > a[1] for a, b in itertools.pairwise(shapes)):
        return [f"stage maps {shapes} are not NHWC maps of non-increasing size in stage order"]
    return []


def _rejection_problems(spec: ModelSpec, kwargs: dict[str, Any], x: Any, get_model: Any) -> list[str]:
    import jax

    from flaim.factory import build

    problems = []
    try:
        get_model(spec.name, not_a_model_argument=1)
        problems.append("an unknown keyword argument was accepted")
    except TypeError as exc:
        if "valid arguments" not in str(exc):
            problems.append(f"unknown keyword argument: the TypeError does not list the valid ones: {exc}")
    model = build(spec, -1, kwargs)
    try:
        jax.eval_shape(lambda: model.init(jax.random.key(0), x.transpose(0, 3, 1, 2), training=False))
        problems.append("NCHW input was accepted (call flaim.layers.check_image_batch(x) first)")
    except ValueError:
        pass
    return problems


def _round_trip_problems(spec: ModelSpec, kwargs: dict[str, Any], shapes: Any, get_model: Any) -> list[str]:
    from flaim.convert import flatten, unflatten
    from flaim.weights import save_pretrained

    kept = flatten({k: v for k, v in shapes.items() if k in ("params", "batch_stats")})
    saved = {k: np.arange(v.size, dtype=v.dtype).reshape(v.shape) + i for i, (k, v) in enumerate(kept.items())}
    with tempfile.TemporaryDirectory() as tmp:
        save_pretrained(unflatten(saved), tmp, spec.name)
        _, variables = get_model(spec.name, pretrained=tmp, n_classes=0, **kwargs)
    loaded = flatten(variables)
    differ = sorted(saved.keys() ^ loaded.keys())
    differ += sorted(k for k in saved.keys() & loaded.keys() if not np.array_equal(saved[k], np.asarray(loaded[k])))
    return [f"save_pretrained round trip changed {differ[:5]}"] if differ else []


def check_conformance(
    distribution: str, names: Iterable[str] | None = None, parity_kwargs: ParityKwargs | None = None
) -> dict[str, Any]:
    """Run the whole suite on a plugin distribution: `check_distribution`, then `check_architecture` on each of
    its architectures (or `names`).

    Args:
        distribution: the distribution's name, e.g. ``"flaim-tiny"``.
        names: architectures to check (default: all the distribution registers).
        parity_kwargs: maps an architecture to its `check_parity` keyword arguments (size, overrides such as
            fewer blocks, a per-model tolerance), or None to skip its parity check; default: `check_parity`'s.

    Returns:
        The `ParityReport` of each architecture.
    """
    specs = check_distribution(distribution)
    reports = {}
    for name in names or [s.name for s in specs]:
        kwargs = parity_kwargs(name) if parity_kwargs else {}
        reports[name] = check_architecture(name, parity=kwargs is not None, **(kwargs or {}))
    return reports


def conformance_suite(
    distribution: str, names: Iterable[str] | None = None, parity_kwargs: ParityKwargs | None = None
) -> type:
    """`check_conformance` as a pytest test class, one test per architecture; in a plugin's tests:
    ``TestConformance = conformance_suite("flaim-tiny")``. Arguments as for `check_conformance`."""
    import pytest

    archs = sorted(names or [s.name for s in REGISTRY.specs(distribution)])

    class TestConformance:
        def test_distribution(self) -> None:
            check_distribution(distribution)

        @pytest.mark.parametrize("name", archs)
        def test_architecture(self, name: str) -> None:
            kwargs = parity_kwargs(name) if parity_kwargs else {}
            check_architecture(name, parity=kwargs is not None, **(kwargs or {}))

    return TestConformance
