"""timm's initialisers as flax initialisers, so that a randomly initialised model starts where timm's does.

Each is a flax initialiser, ``init(key, shape, dtype)``, that can also draw the same distribution on the host with
numpy (`HostInitializer.sample`): `flaim.get_model` builds random models that way, without compiling anything.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Initializer = Any  # (key, shape, dtype) -> array

_RECORD: contextvars.ContextVar[tuple[dict[int, tuple[Any, HostInitializer]], bool] | None] = contextvars.ContextVar(
    "flaim_init_record", default=None
)


@contextlib.contextmanager
def recording(placeholders: bool = False) -> Iterator[dict[int, tuple[Any, HostInitializer]]]:
    """Within the block, every `HostInitializer` call notes ``id(value) → (value, initializer)`` in the dict given.

    Args:
        placeholders: return zeros instead of drawing (for a trace that needs the initialisers, not their values:
            random draws are many operations to trace).
    """
    token = _RECORD.set(({}, placeholders))
    try:
        yield _RECORD.get()[0]
    finally:
        _RECORD.reset(token)


class HostInitializer:
    """A flax initialiser whose distribution numpy can also sample (`sample`), float32 on the host."""

    def __call__(self, key: jax.Array | None, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        recorded = _RECORD.get()
        if recorded is None:
            return self.draw(key, tuple(shape), dtype)
        record, placeholders = recorded
        value = jnp.zeros(shape, dtype) if placeholders else self.draw(key, tuple(shape), dtype)
        record[id(value)] = (value, self)  # the value is kept alive so that its id stays unique
        return value

    def draw(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any) -> jax.Array:
        """The value with JAX's random numbers (what flax's ``model.init`` gets)."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """The same distribution from numpy's `rng`, as float32."""
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(HostInitializer):
    """Every value `value` (takes no key: also usable for ``Module.variable``, e.g. running statistics)."""

    value: float

    def draw(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any) -> jax.Array:
        return jnp.full(shape, self.value, dtype)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, self.value, np.float32)


@dataclass(frozen=True)
class Normal(HostInitializer):
    """N(0, std²), clipped at ±`bound` when given (timm's ``trunc_normal_``, whose bound is absolute)."""

    std: float
    bound: float | None = None

    def draw(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any) -> jax.Array:
        z = jax.random.normal(key, shape, dtype)
        if self.bound is not None:  # clipped in units of std, then scaled: jit and eager round alike
            z = jnp.clip(z, -self.bound / self.std, self.bound / self.std)
        return z * jnp.asarray(self.std, dtype)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        z = rng.standard_normal(shape, np.float32)
        if self.bound is not None:
            np.clip(z, -self.bound / self.std, self.bound / self.std, out=z)
        return z * np.float32(self.std)


@dataclass(frozen=True)
class Uniform(HostInitializer):
    """U(low, high)."""

    low: float
    high: float

    def draw(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any) -> jax.Array:
        return jax.random.uniform(key, shape, dtype, self.low, self.high)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.float32(self.low) + rng.random(shape, np.float32) * np.float32(self.high - self.low)


@dataclass(frozen=True)
class VarianceScaling(HostInitializer):
    """``jax.nn.initializers.variance_scaling``: variance ``scale / fan``, fans from the kernel shape as JAX counts
    them (the axes other than `in_axis` and `out_axis` are the receptive field)."""

    scale: float
    mode: str  # fan_in | fan_out | fan_avg
    distribution: str  # truncated_normal | normal | uniform
    in_axis: int | tuple[int, ...] = -2
    out_axis: int | tuple[int, ...] = -1

    def draw(self, key: jax.Array | None, shape: tuple[int, ...], dtype: Any) -> jax.Array:
        init = jax.nn.initializers.variance_scaling
        return init(self.scale, self.mode, self.distribution, self.in_axis, self.out_axis)(key, shape, dtype)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        def size(axes: int | tuple[int, ...]) -> int:
            return math.prod(shape[a] for a in ((axes,) if isinstance(axes, int) else axes))

        fan_in, fan_out = size(self.in_axis), size(self.out_axis)
        receptive = math.prod(shape) / fan_in / fan_out
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode] * receptive
        std = math.sqrt(self.scale / fan)
        if self.distribution == "uniform":
            return Uniform(-math.sqrt(3) * std, math.sqrt(3) * std).sample(rng, shape)
        if self.distribution == "normal":
            return Normal(std).sample(rng, shape)
        return _truncated_standard_normal(rng, shape) * np.float32(std / _TRUNCATED_STD)


_TRUNCATED_STD = 0.87962566103423978  # the standard deviation of N(0, 1) truncated to [-2, 2]


def _truncated_standard_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """N(0, 1) truncated to [-2, 2]: values outside are drawn again (4.6% each time)."""
    z = rng.standard_normal(shape, np.float32)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()), np.float32)
        outside = np.abs(z) > 2
    return z


zeros = Constant(0.0)
ones = Constant(1.0)


def constant(value: float) -> Constant:
    """Every value `value` (timm's layer-scale gammas)."""
    return Constant(float(value))


def normal(std: float) -> Normal:
    """N(0, std²)."""
    return Normal(float(std))


def trunc_normal(std: float, bound: float = 2.0) -> Normal:
    """timm's ``trunc_normal_(std=std, a=-bound, b=bound)``: a normal cut at ±`bound`, absolute as in timm (50 σ
    and more at the standard deviations timm uses, so the cut is a clip that practically never acts)."""
    return Normal(float(std), float(bound))


def symmetric_uniform(bound: float) -> Uniform:
    """U(-bound, bound); ``symmetric_uniform(fan_in ** -0.5)`` is PyTorch's default bias (and Conv1d weight)."""
    return Uniform(-float(bound), float(bound))


# PyTorch's default for Linear / Conv weights (kaiming_uniform, a=√5): U(±1/√fan_in), fan_in from the kernel shape.
torch_default_kernel = VarianceScaling(1 / 3, "fan_in", "uniform")
# Kaiming normal, fan_out (timm's ResNet convs and PyTorch's `kaiming_normal_(mode='fan_out', nonlinearity='relu')`).
kaiming_fan_out = VarianceScaling(2.0, "fan_out", "normal")
