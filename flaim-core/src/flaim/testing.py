"""Test kit for plugin authors: randomise a timm model, save it as timm saves to the Hub, load it through
flaim's real loading path, and measure eval, train-mode and gradient parity.

Needs torch and timm (a test dependency, never a user one): ``pip install torch timm``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flaim.convert import flatten
from flaim.registry import REGISTRY


def max_rel_err(actual: Any, expected: Any) -> float:
    """``max |actual - expected| / max |expected|``: the error relative to the tensor's scale."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"shape {actual.shape} != expected {expected.shape}")
    scale = np.abs(expected).max(initial=0.0)
    diff = np.abs(actual - expected).max(initial=0.0)
    return float(diff / scale) if scale > 0 else float(diff)


def randomize_timm(model: Any, seed: int = 0, residual_gain: tuple[float, float] | None = (0.1, 0.3)) -> Any:
    """Give every parameter and buffer of a timm model non-trivial random values, in place.

    Norm scales and layer-scale gammas → U(0.5, 1.5), biases and norm shifts → N(0, 0.05²), running means →
    N(0, 0.1²), running variances → U(0.5, 1.5); weights keep timm's random init unless constant, then N(0, 0.02²).
    The norm that timm zero-initialises at the end of each residual branch (``zero_init_last``) gets
    U(*residual_gain): non-zero, so it cannot hide a bug, and by default small, so that deep nets keep
    float32-sized activations; None leaves it at U(0.5, 1.5) like the other norm scales (shallow gradient checks).
    """
    import torch

    gen = torch.Generator().manual_seed(seed)

    def uniform(t: Any) -> Any:
        return 0.5 + torch.rand(t.shape, generator=gen)

    def normal(t: Any, std: float) -> Any:
        return torch.randn(t.shape, generator=gen) * std

    with torch.no_grad():
        for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
            if not tensor.is_floating_point():
                continue
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "running_var":
                new = uniform(tensor)
            elif leaf == "running_mean":
                new = normal(tensor, 0.1)
            elif tensor.ndim == 1 and leaf == "bias":
                new = normal(tensor, 0.05)
            elif tensor.ndim == 1 and (leaf in ("weight", "gamma", "scale") or "gamma" in leaf):
                new = uniform(tensor)
            elif tensor.numel() > 1 and float(tensor.std()) > 0:
                continue
            else:
                new = normal(tensor, 0.02)
            tensor.copy_(new.to(tensor.dtype))
        for module in model.modules() if residual_gain else ():
            if hasattr(module, "zero_init_last"):
                before = {name: p.clone() for name, p in module.named_parameters()}
                module.zero_init_last()
                for name, p in module.named_parameters():
                    if not p.any() and before[name].any():
                        low, high = residual_gain
                        p.copy_(low + (high - low) * torch.rand(p.shape, generator=gen))
    return model


def timm_state(model: Any) -> dict[str, np.ndarray]:
    """A timm model's state_dict as numpy arrays."""
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def save_timm_checkpoint(model: Any, folder: str | os.PathLike[str]) -> Path:
    """Save a timm model exactly as timm saves for the Hub (``model.safetensors`` + ``config.json``)."""
    from timm.models import save_for_hf

    save_for_hf(model, str(folder), safe_serialization=True)
    return Path(folder) / "model.safetensors"


def write_hub_cache(hf_home: str | os.PathLike[str], repo_id: str, weights_file: str | os.PathLike[str]) -> Path:
    """Lay out a Hugging Face cache under `hf_home` holding `weights_file` as ``repo_id``'s model.safetensors.

    Run flaim with ``HF_HOME=hf_home`` and ``HF_HUB_OFFLINE=1`` to exercise the real Hub code path offline.
    """
    data = Path(weights_file).read_bytes()
    repo = Path(hf_home) / "hub" / ("models--" + repo_id.replace("/", "--"))
    revision = hashlib.sha1(repo_id.encode()).hexdigest()
    blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
    snapshot = repo / "snapshots" / revision / "model.safetensors"
    blob.parent.mkdir(parents=True, exist_ok=True)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    blob.write_bytes(data)
    if not snapshot.exists():
        snapshot.symlink_to(os.path.relpath(blob, snapshot.parent))
    (repo / "refs" / "main").write_text(revision)
    return snapshot


@contextmanager
def registered(plugin: Any, name: str = "test-plugin", distribution: str = "test-dist") -> Iterator[None]:
    """Register a plugin object for the duration of a ``with`` block (simonw/llm style)."""
    REGISTRY.register(plugin, name=name, distribution=distribution)
    try:
        yield
    finally:
        REGISTRY.unregister(name, distribution)


@dataclass
class ParityReport:
    """Max relative errors flaim vs timm, by what was compared."""

    errors: dict[str, float] = field(default_factory=dict)

    def check(self, what: str, actual: Any, expected: Any, tol: float) -> None:
        err = max_rel_err(actual, expected)
        self.errors[what] = err
        if not err <= tol:
            raise AssertionError(f"{what}: max relative error {err:.3g} > {tol:g}")


def check_parity(
    name: str,
    img_size: int = 64,
    batch: int = 2,
    timm_kwargs: Mapping[str, Any] | None = None,
    flaim_kwargs: Mapping[str, Any] | None = None,
    train: bool = True,
    grads: bool = False,
    seed: int = 0,
    eval_tol: float = 1e-4,
    train_tol: float = 1e-3,
    grad_tol: float = 1e-3,
    residual_gain: tuple[float, float] | None = (0.1, 0.3),
) -> ParityReport:
    """Prove that flaim's `name` computes what timm's does, through flaim's real loading code.

    Builds timm's model with random weights (`randomize_timm`), saves it as timm does for the Hub, loads it with
    ``flaim.get_model(name, pretrained=<folder>)`` and compares: eval logits and pre-logits (`eval_tol`); with
    `train`, train-mode outputs and the updated BatchNorm running stats (`train_tol`); with `grads`, the gradient
    of a random projection of the train-mode output w.r.t. every parameter (`grad_tol`). `residual_gain` is
    passed to `randomize_timm`.

    Raises:
        AssertionError: naming the first comparison over its tolerance.
    """
    import jax
    import timm
    import torch

    from flaim.factory import get_model, load_ref

    torch.manual_seed(seed)
    tmodel = randomize_timm(timm.create_model(name, pretrained=False, **(timm_kwargs or {})), seed, residual_gain)
    tmodel.eval()
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, img_size, img_size, 3), dtype=np.float32)
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
    report = ParityReport()
    with tempfile.TemporaryDirectory() as tmp:
        save_timm_checkpoint(tmodel, tmp)
        model, variables = get_model(name, pretrained=tmp, **(flaim_kwargs or {}))
        pooled_model, pooled_vars = get_model(name, pretrained=tmp, n_classes=-1, **(flaim_kwargs or {}))
    with torch.no_grad():
        report.check("eval", _jit_apply(model, training=False)(variables, x), tmodel(xt).numpy(), eval_tol)
        expected = tmodel.forward_head(tmodel.forward_features(xt), pre_logits=True).numpy()
        report.check("pre_logits", _jit_apply(pooled_model, training=False)(pooled_vars, x), expected, eval_tol)
    if not (train or grads):
        return report

    spec, _ = REGISTRY.resolve(name)
    converter = load_ref(spec.converter)
    tmodel.train()
    out_t = tmodel(xt)
    train_apply = _jit_apply(model, training=True, mutable=["batch_stats"])
    out, updated = train_apply(variables, x)
    if train:
        report.check("train", out, out_t.detach().numpy(), train_tol)
        stats_t = flatten(converter(timm_state(tmodel), model)).items()
        stats = flatten(dict(updated))
        for key, value in stats_t:
            if key.startswith("batch_stats/"):
                report.check(key, stats[key], value, train_tol)
    if grads:
        proj = rng.standard_normal(out.shape, dtype=np.float32)
        (out_t * torch.from_numpy(proj)).sum().backward()
        grads_t = {k: (p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in tmodel.named_parameters()}
        state_t = {k: v.detach().numpy() for k, v in {**tmodel.state_dict(), **grads_t}.items()}
        expected_grads = flatten(converter(state_t, model)["params"])

        def loss(params: Any) -> Any:
            y, _ = model.apply({**variables, "params": params}, x, training=True, mutable=["batch_stats"])
            return (y * proj).sum()

        got = flatten(jax.grad(loss)(variables["params"]))
        for key, value in got.items():
            report.check(f"grad {key}", value, expected_grads[key], grad_tol)
    return report


def _jit_apply(model: Any, **kwargs: Any) -> Any:
    """``model.apply(variables, x, **kwargs)`` compiled as one program by `flaim.jit`, as users run it."""
    from flaim.xla import jit

    return jit(lambda variables, x: model.apply(variables, x, **kwargs))
