"""Test kit for plugin authors: randomise a timm model, save it as timm saves to the Hub, load it through
flaim's real loading path, and measure eval, train-mode and gradient parity; the conformance suite
(`flaim.conformance`) re-exported.

Needs torch and timm (a test dependency, never a user one): ``pip install torch timm``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flaim.conformance import check_architecture, check_conformance, check_distribution, conformance_suite
from flaim.convert import flatten
from flaim.registry import REGISTRY

__all__ = [
    "ParityReport",
    "check_architecture",
    "check_conformance",
    "check_distribution",
    "check_parity",
    "conformance_suite",
    "max_rel_err",
    "randomize_timm",
    "registered",
    "save_timm_checkpoint",
    "timm_state",
    "write_hub_cache",
]


def max_rel_err(actual: Any, expected: Any, floor: float = 0.0) -> float:
    """``max |actual - expected| / max(max |expected|, floor)``: the error relative to the tensor's scale.

    `floor` keeps tensors whose true value is (nearly) zero from comparing rounding noise with rounding noise.
    """
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        raise AssertionError(f"shape {actual.shape} != expected {expected.shape}")
    scale = max(np.abs(expected).max(initial=0.0), floor)
    diff = np.abs(actual - expected).max(initial=0.0)
    return float(diff / scale) if scale > 0 else float(diff)


TINY_SPREAD = 1e-3  # a tensor whose values spread less than this carries no test signal: it is re-randomised


def randomize_timm(model: Any, seed: int = 0, residual_gain: tuple[float, float] | None = (0.1, 0.3)) -> Any:
    """Give every parameter and running statistic of a timm model O(1)-meaningful random values, in place.

    Whatever the names, each 1-D parameter is a shift (names with ``bias``/``beta``/``shift``: N(0, 0.05²)) or
    a scale (all others: norm scales, layer-scale gammas, ``Affine.alpha``: U(0.5, 1.5)); each linear ``weight``
    (2-D) gets N(0, 1/fan_in), so that MLPs and attention see O(1) inputs (where GELU variants and softmax
    temperatures differ); convolutions keep timm's init (a norm follows them); class / register / distillation
    tokens and position embeddings get N(0, 1); any other parameter with a spread under `TINY_SPREAD` N(0, 1)
    (constants included, e.g. gMLP's N(0, 1e-6²) gate weights). BatchNorm
    running means get N(0, 0.1²), running variances U(0.5, 1.5); other buffers are left alone unless constant
    (then N(0, 0.02²)).

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
        params = dict(model.named_parameters())
        for name, tensor in [*params.items(), *model.named_buffers()]:
            if not tensor.is_floating_point():
                continue
            new = _random_value(name, tensor, name in params, uniform, normal)
            if new is not None:
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


def _random_value(name: str, tensor: Any, is_param: bool, uniform: Any, normal: Any) -> Any:
    """The new value of one tensor for `randomize_timm` (None: keep it)."""
    leaf = name.rsplit(".", 1)[-1]
    spread = float(tensor.std()) if tensor.numel() > 1 else 0.0
    if leaf == "running_var":
        return uniform(tensor)
    if leaf == "running_mean":
        return normal(tensor, 0.1)
    if not is_param:
        return None if spread > 0 else normal(tensor, 0.02)
    if tensor.ndim <= 1:
        return normal(tensor, 0.05) if re.search("bias|beta|shift", leaf) else uniform(tensor)
    if leaf == "weight" and tensor.ndim == 2:
        return normal(tensor, tensor.shape[1] ** -0.5)
    if "token" in leaf or "pos_embed" in leaf or spread < TINY_SPREAD:
        return normal(tensor, 1.0)
    return None


def timm_state(model: Any) -> dict[str, np.ndarray]:
    """A timm model's state_dict as numpy arrays."""
    return {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}


def timm_names(model_name: str, model: Any, module: Any) -> dict[str, str]:
    """The timm parameter each flax parameter path (``'layer1/0/conv1/conv/kernel'``) is converted from.

    Runs the family's real converter on a state where every timm tensor is a constant (zero-memory) array holding
    its own index, so it works on timm models built on the meta device.

    Args:
        model_name: the flaim / timm architecture name.
        model: timm's ``nn.Module``.
        module: flaim's flax module, as ``flaim.factory.build`` returns it.
    """
    from flaim.factory import load_ref

    keys = list(model.state_dict())
    encoded = {k: np.broadcast_to(np.float32(i), tuple(t.shape)) for i, (k, t) in enumerate(model.state_dict().items())}
    converted = flatten(load_ref(REGISTRY.resolve(model_name)[0].converter)(encoded, module))
    prefix = "params/"
    return {p[len(prefix) :]: keys[int(np.ravel(v)[0])] for p, v in converted.items() if p.startswith(prefix)}


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
    """Max relative errors flaim vs timm, by what was compared, and the comparisons over their tolerance."""

    errors: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, what: str, actual: Any, expected: Any, tol: float, floor: float = 0.0) -> None:
        """Record `what`'s error (see `max_rel_err`), and a failure when it is over `tol`."""
        err = max_rel_err(actual, expected, floor)
        self.errors[what] = err
        if not err <= tol:
            self.failures.append(f"{what}: max relative error {err:.3g} > {tol:g}")

    def raise_failures(self) -> None:
        """Raise one AssertionError listing every failed comparison, if any."""
        if self.failures:
            raise AssertionError(f"{len(self.failures)} comparisons over tolerance:\n" + "\n".join(self.failures))


def check_parity(
    name: str,
    img_size: int = 64,
    batch: int = 2,
    timm_kwargs: Mapping[str, Any] | None = None,
    flaim_kwargs: Mapping[str, Any] | None = None,
    train: bool = True,
    grads: bool = False,
    seed: int = 0,
    eval_tol: float = 1e-5,
    train_tol: float = 1e-4,
    grad_tol: float = 1e-4,
    residual_gain: tuple[float, float] | None = (0.1, 0.3),
    randomize: Callable[[Any], Any] | None = None,
    timm_model: Any = None,
    grad_floor: float = 1e-2,
) -> ParityReport:
    """Prove that flaim's `name` computes what timm's does, through flaim's real loading code.

    Builds timm's model with random weights (`randomize_timm`), saves it as timm does for the Hub, loads it with
    ``flaim.get_model(name, pretrained=<folder>)`` and compares: eval logits and pre-logits (`eval_tol`); with
    `train`, train-mode outputs and the updated BatchNorm running stats (`train_tol`); with `grads`, the gradient
    of a random projection of the train-mode output w.r.t. every parameter, both sides in float64 (`grad_tol`).
    All comparisons run; the error lists every one over its tolerance.

    Args:
        name: the architecture (timm's name, registered with flaim).
        img_size: input height and width; also given to both models as ``img_size`` when flaim's module has that
            field (fixed-size models) and the kwargs do not set it.
        batch: input batch size.
        timm_kwargs: extra ``timm.create_model`` arguments (e.g. fewer blocks).
        flaim_kwargs: extra ``flaim.get_model`` arguments, usually the same overrides in flaim's spelling.
        train: compare train-mode outputs and BatchNorm statistics.
        grads: compare gradients of every parameter.
        seed: seeds weights, input and projection.
        eval_tol: tolerance of the eval outputs. Deep nets whose float32 conditioning needs more pass a larger
            one per model, with the reason next to it.
        train_tol: tolerance of train-mode outputs and running statistics.
        grad_tol: tolerance of the gradients.
        residual_gain: passed to `randomize_timm`.
        randomize: called with the randomised timm model, to give family-specific tensors meaningful values.
        timm_model: a prepared timm model used as given (no `randomize_timm`, no `timm_kwargs`).
        grad_floor: each gradient is compared relative to at least ``grad_floor`` × the largest gradient of the
            model, so that a parameter whose true gradient is zero (a bias before a norm) compares noise to the
            model's scale, not noise to noise.

    Returns:
        The report of every error measured.

    Raises:
        AssertionError: naming every comparison over its tolerance.
    """
    import timm
    import torch

    from flaim.factory import get_model, load_ref

    spec, _ = REGISTRY.resolve(name)
    timm_kwargs, flaim_kwargs = dict(timm_kwargs or {}), dict(flaim_kwargs or {})
    if "img_size" in {f.name for f in dataclasses.fields(load_ref(spec.builder))}:
        flaim_kwargs.setdefault("img_size", img_size)
        timm_kwargs.setdefault("img_size", img_size)
    torch.manual_seed(seed)
    if timm_model is None:
        tmodel = randomize_timm(timm.create_model(name, pretrained=False, **timm_kwargs), seed, residual_gain)
    elif timm_kwargs.keys() - {"img_size"}:
        raise TypeError(f"check_parity got both timm_model and timm_kwargs {sorted(timm_kwargs)}; give one.")
    else:
        tmodel = timm_model
    if randomize is not None:
        randomize(tmodel)
    tmodel.eval()
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, img_size, img_size, 3), dtype=np.float32)
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
    report = ParityReport()
    with tempfile.TemporaryDirectory() as tmp:
        save_timm_checkpoint(tmodel, tmp)
        model, variables = get_model(name, pretrained=tmp, **flaim_kwargs)
        pooled_model, pooled_vars = get_model(name, pretrained=tmp, n_classes=-1, **flaim_kwargs)
    with torch.no_grad():
        logits = _jit_apply(model, training=False)(variables, x)
        report.check("eval", logits, tmodel(xt).numpy(), eval_tol)
        expected = tmodel.forward_head(tmodel.forward_features(xt), pre_logits=True).numpy()
        report.check("pre_logits", _jit_apply(pooled_model, training=False)(pooled_vars, x), expected, eval_tol)
    converter = load_ref(spec.converter)
    if train:
        tmodel.train()
        out_t = tmodel(xt)
        out, updated = _jit_apply(model, training=True, mutable=["batch_stats"])(variables, x)
        report.check("train", out, out_t.detach().numpy(), train_tol)
        stats = flatten(dict(updated))
        for key, value in flatten(converter(timm_state(tmodel), model)).items():
            if key.startswith("batch_stats/"):
                report.check(key, stats[key], value, train_tol)
    if grads:
        proj = rng.standard_normal(logits.shape)
        _check_gradients(report, model, variables, tmodel, x, proj, converter, grad_tol, grad_floor)
    report.raise_failures()
    return report


def _check_gradients(
    report: ParityReport,
    model: Any,
    variables: Any,
    tmodel: Any,
    x: np.ndarray,
    proj: np.ndarray,
    converter: Callable[..., Any],
    tol: float,
    floor: float,
) -> None:
    """Compare the gradients of ``sum(proj * train-mode output)`` w.r.t. every parameter, both sides in float64.

    In float32, a ReLU input within rounding of zero can land on either side in two programs that sum in different
    orders, and that one flipped mask moves gradients upstream by percents (seen: resnetaa50d, one value of -2.7e-7
    on a scale of 5). Float64 keeps every such value on its true side; the float32 gradients of flaim's custom VJPs
    are tested against autodiff in flaim-core/tests.
    """
    import copy

    import jax
    import torch

    tmodel = copy.deepcopy(tmodel).double().train()
    (tmodel(torch.from_numpy(x.transpose(0, 3, 1, 2).astype(np.float64))) * torch.from_numpy(proj)).sum().backward()
    grads_t = {k: (p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in tmodel.named_parameters()}
    state_t = {k: v.detach().numpy() for k, v in {**tmodel.state_dict(), **grads_t}.items()}
    expected = flatten(converter(state_t, model)["params"])
    floor *= max(float(np.abs(g).max(initial=0.0)) for g in expected.values())
    with jax.enable_x64(True):
        wide = jax.tree.map(
            lambda v: np.asarray(v, np.float64 if np.issubdtype(v.dtype, np.floating) else v.dtype), variables
        )

        def loss(params: Any) -> Any:
            y, _ = model.apply({**wide, "params": params}, x.astype(np.float64), training=True, mutable=["batch_stats"])
            return (y * proj).sum()

        for key, value in flatten(_compile(jax.grad(loss))(wide["params"])).items():
            report.check(f"grad {key}", value, expected[key], tol, floor)


def _jit_apply(model: Any, **kwargs: Any) -> Any:
    """``model.apply(variables, x, **kwargs)`` compiled as one program by `flaim.jit`, as users run it."""
    return _compile(lambda variables, x: model.apply(variables, x, **kwargs))


def _compile(fun: Callable[..., Any]) -> Any:
    """`flaim.jit` with LLVM at -O0: each parity program runs once, on a small input, so compiling dominates; -O0
    compiles ~1.5× faster (resnet18's three programs: 10.4 → ~6 s) from the same HLO, fusions and library kernels."""
    from flaim.xla import jit

    return jit(fun, compiler_options={"xla_backend_optimization_level": 0})
