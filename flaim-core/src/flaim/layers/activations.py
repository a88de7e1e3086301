"""Activation functions by timm's names (``act_layer='gelu_tanh'``), so configs stay plain strings."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import jax
import jax.numpy as jnp
import numpy as np

from flaim.errors import check_choice

Activation = Callable[[jax.Array], jax.Array]

# erf(z) ≈ z·P(z²) / Q(z²) on [-4, 4], saturating beyond: the float32 rational approximation of Eigen (and of
# XLA's own erf), |error| < 2e-7. Highest-order coefficient first.
_ERF_NUM = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
_ERF_DEN = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)


def erf(x: jax.Array) -> jax.Array:
    """The error function as plain multiply-adds, which XLA's CPU backend vectorises inside fusions (its own
    ``erf`` is slower there); same float32 accuracy."""
    z = jnp.clip(x, -4.0, 4.0)
    z2 = z * z

    def horner(coeffs: tuple[float, ...]) -> jax.Array:
        return reduce(lambda acc, c: acc * z2 + np.asarray(c, x.dtype), coeffs[1:], jnp.full_like(z2, coeffs[0]))

    return z * horner(_ERF_NUM) / horner(_ERF_DEN)


@jax.custom_jvp
def gelu(x: jax.Array) -> jax.Array:
    """Exact GELU, ``x · Φ(x) = x · (1 + erf(x / √2)) / 2`` (PyTorch ``nn.GELU()``). Its derivative is the exact
    ``Φ(x) + x · φ(x)`` (PyTorch's): autodiff of `erf`'s rational approximation splits into several CPU fusions
    that the backward pass reads again."""
    return x * _normal_cdf(x)


@gelu.defjvp
def _gelu_jvp(primals: tuple[jax.Array], tangents: tuple[jax.Array]) -> tuple[jax.Array, jax.Array]:
    (x,), (t,) = primals, tangents
    cdf = _normal_cdf(x)
    pdf = jnp.exp(x * x * np.asarray(-0.5, x.dtype)) * np.asarray(0.3989422804014327, x.dtype)
    return x * cdf, t * (cdf + x * pdf)


def _normal_cdf(x: jax.Array) -> jax.Array:
    """Φ(x), the standard normal distribution function."""
    return 0.5 + 0.5 * erf(x * np.asarray(0.7071067811865476, x.dtype))


def gelu_tanh(x: jax.Array) -> jax.Array:
    """GELU with the tanh approximation (PyTorch ``nn.GELU(approximate='tanh')``)."""
    return jax.nn.gelu(x, approximate=True)


def quick_gelu(x: jax.Array) -> jax.Array:
    """``x · sigmoid(1.702 x)``, the GELU approximation of OpenAI's CLIP."""
    return x * jax.nn.sigmoid(jnp.asarray(1.702, x.dtype) * x)


ACTIVATIONS: dict[str, Activation] = {
    "gelu": gelu,
    "gelu_tanh": gelu_tanh,
    "quick_gelu": quick_gelu,
    "silu": jax.nn.silu,
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jnp.tanh,
}


def get_act(act: str | Activation) -> Activation:
    """The activation called `act` in timm, or `act` itself when it is a function.

    Args:
        act: a name in `ACTIVATIONS` (``'gelu'``, ``'silu'``, …) or an array → array function.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    return act if callable(act) else check_choice("activation", act, ACTIVATIONS)
