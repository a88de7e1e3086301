"""BatchNorm with PyTorch's semantics: biased batch variance to normalise, unbiased variance in the running stats.

Training mode normalises through `batch_norm_train`, whose hand-written gradient needs two per-channel sums (of the
output gradient, and of it times the centred input) and one element-wise pass for the input gradient, with the
mean and variance paths folded into per-channel coefficients; autodiff of the plain formulation differentiates the
mean and the variance separately, in more reductions and larger element-wise fusions. Figures in
benchmarks/README.md.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers.init import Initializer, ones, zeros
from flaim.layers.params import param


def batch_norm(
    x: jax.Array, mean: jax.Array, var: jax.Array, scale: jax.Array, bias: jax.Array, epsilon: float
) -> jax.Array:
    """Normalise the last axis of `x` with the given statistics and affine parameters, in at least float32.

    Centres before scaling, so that gradients through batch statistics do not cancel catastrophically.

    Args:
        x: features, channels last.
        mean: per-channel mean.
        var: per-channel (biased) variance.
        scale: per-channel gain (PyTorch ``weight``).
        bias: per-channel shift.
        epsilon: added to the variance.
    """
    f = _stats_dtype(x.dtype)
    mul = scale.astype(f) * jax.lax.rsqrt(var.astype(f) + epsilon)
    return ((x.astype(f) - mean.astype(f)) * mul + bias.astype(f)).astype(x.dtype)


def batch_norm_train(
    x: jax.Array, scale: jax.Array, bias: jax.Array, epsilon: float
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """`batch_norm` with the batch statistics of `x`; returns the output, the batch mean and the biased variance.

    The plain formulation (mean, centred variance, `batch_norm`) with a custom VJP: its gradients equal autodiff's,
    also through the returned mean and variance (tested in flaim-core/tests/test_batchnorm.py).

    Args:
        x: features, channels last, more than one value per channel.
        scale: per-channel gain.
        bias: per-channel shift.
        epsilon: added to the variance.
    """
    return _batch_norm_train(x, scale, bias, epsilon)


def _batch_stats(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    axes = tuple(range(x.ndim - 1))
    xf = x.astype(_stats_dtype(x.dtype))
    mean = xf.mean(axes)
    return mean, jnp.square(xf - mean).mean(axes)


@partial(jax.custom_vjp, nondiff_argnums=(3,))
def _batch_norm_train(
    x: jax.Array, scale: jax.Array, bias: jax.Array, epsilon: float
) -> tuple[jax.Array, jax.Array, jax.Array]:
    mean, var = _batch_stats(x)
    return batch_norm(x, mean, var, scale, bias, epsilon), mean, var


def _batch_norm_train_forward(
    x: jax.Array, scale: jax.Array, bias: jax.Array, epsilon: float
) -> tuple[tuple[jax.Array, jax.Array, jax.Array], tuple[jax.Array, ...]]:
    out = _batch_norm_train(x, scale, bias, epsilon)
    return out, (x, out[1], out[2], scale, bias)


def _batch_norm_train_backward(
    epsilon: float, residuals: tuple[jax.Array, ...], cotangents: tuple[jax.Array, jax.Array, jax.Array]
) -> tuple[jax.Array, jax.Array, jax.Array]:
    x, mean, var, scale, bias = residuals
    grad, grad_mean, grad_var = cotangents
    f = mean.dtype
    axes = tuple(range(x.ndim - 1))
    n = x.size // x.shape[-1]
    rstd = jax.lax.rsqrt(var + epsilon)
    centred = x.astype(f) - mean
    g = grad.astype(f)
    # One pass over g and x for both sums: the bias and scale gradients.
    grad_bias = g.sum(axes)
    grad_scale = (g * centred).sum(axes) * rstd
    gain = scale.astype(f) * rstd
    # d/dx of (x - mean) * gain with mean and var the batch's, plus the direct mean / variance cotangents.
    slope = 2 * grad_var / n - gain * rstd * grad_scale / n
    grad_x = gain * (g - grad_bias / n) + slope * centred + grad_mean / n
    return grad_x.astype(x.dtype), grad_scale.astype(scale.dtype), grad_bias.astype(bias.dtype)


_batch_norm_train.defvjp(_batch_norm_train_forward, _batch_norm_train_backward)


def _stats_dtype(dtype: Any) -> Any:
    """Statistics and affine maths run in float32, or wider when the input is (e.g. float64 checks)."""
    return jnp.promote_types(dtype, jnp.float32)


class BatchNorm(nn.Module):
    """PyTorch ``BatchNorm2d`` over the last axis: params ``scale``/``bias``, batch_stats ``mean``/``var``.

    Training normalises with the batch mean and biased variance and, unless initialising, updates the running
    stats as PyTorch does: ``running = (1 - momentum) * running + momentum * batch`` with the unbiased variance.
    Inference uses the running stats. Training with one value per channel (batch 1 on a 1×1 map) is refused, as in
    PyTorch: its batch variance would be zero.
    """

    momentum: float = 0.1
    epsilon: float = 1e-5
    scale_init: Initializer = ones
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        features = x.shape[-1]
        scale = param(self, "scale", self.scale_init, (features,), self.param_dtype)
        bias = param(self, "bias", zeros, (features,), self.param_dtype)
        ra_mean = self.variable("batch_stats", "mean", zeros, None, (features,), self.param_dtype)
        ra_var = self.variable("batch_stats", "var", ones, None, (features,), self.param_dtype)
        x = x.astype(self.dtype or x.dtype)
        if not training:
            return batch_norm(x, ra_mean.value, ra_var.value, scale, bias, self.epsilon)
        if x.size <= features:  # shapes are static, so this is decided at trace time
            raise ValueError(
                f"BatchNorm in training mode needs more than one value per channel, got input shape {x.shape}: "
                f"train with a batch of at least 2 (or larger images), or use training=False."
            )
        y, mean, var = batch_norm_train(x, scale, bias, self.epsilon)
        if not self.is_initializing():
            n = x.size // features
            m = self.momentum
            ra_mean.value = ((1 - m) * ra_mean.value + m * mean).astype(ra_mean.value.dtype)
            ra_var.value = ((1 - m) * ra_var.value + m * var * (n / max(n - 1, 1))).astype(ra_var.value.dtype)
        return y
