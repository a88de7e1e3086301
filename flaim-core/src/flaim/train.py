"""The pieces of a classification training loop that are easy to get wrong: one `TrainState` (parameters,
BatchNorm statistics, optimiser state, step, rng) and jit-compiled train / eval steps that carry the BatchNorm
statistics, split the dropout / drop-path rng every step, smooth labels and mix images (mixup / cutmix).

Needs optax: ``pip install flaim-core[train]``. A loop::

    state = TrainState.create(variables, tx, jax.random.key(0))
    train_step, eval_step = make_train_step(model, label_smoothing=0.1), make_eval_step(model)
    for epoch in range(epochs):
        for images, labels in batches:
            state, metrics = train_step(state, images, labels)
    logits = eval_step(state, images)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn
from flax import struct

from flaim.xla import jit


class TrainState(struct.PyTreeNode):
    """Everything a training step reads and replaces; ``variables`` is what ``model.apply`` and
    ``flaim.save_pretrained`` take."""

    step: jax.Array
    params: Any
    batch_stats: Any
    opt_state: Any
    rng: jax.Array
    tx: optax.GradientTransformation = struct.field(pytree_node=False)

    @classmethod
    def create(cls, variables: dict[str, Any], tx: optax.GradientTransformation, rng: jax.Array) -> TrainState:
        """A state at step 0 from ``get_model``'s variables, an optax optimiser and a PRNG key."""
        params = variables["params"]
        return cls(jnp.zeros([], jnp.int32), params, variables.get("batch_stats", {}), tx.init(params), rng, tx)

    @property
    def variables(self) -> dict[str, Any]:
        """``{'params': ..., 'batch_stats': ...}`` (no batch_stats entry for models without BatchNorm)."""
        return {"params": self.params, **({"batch_stats": self.batch_stats} if self.batch_stats else {})}


def mix(
    rng: jax.Array, images: jax.Array, targets: jax.Array, mixup_alpha: float, cutmix_alpha: float
) -> tuple[jax.Array, jax.Array]:
    """timm's batch-wise mixup / cutmix with the batch flipped as partner: mixup blends whole images with
    ``lam ~ Beta(a, a)``, cutmix pastes a box covering ``1 - lam`` of the image; with both, each batch picks one
    at even odds. Targets (one-hot, maybe smoothed) are blended by the area actually kept.
    """
    k_choice, k_lam, k_y, k_x = jax.random.split(rng, 4)
    use_cutmix = jnp.asarray(cutmix_alpha > 0) & ((mixup_alpha <= 0) | jax.random.bernoulli(k_choice))
    alpha = jnp.where(use_cutmix, cutmix_alpha, mixup_alpha)
    lam = jax.random.beta(k_lam, alpha, alpha)
    h, w = images.shape[1:3]
    half_h, half_w = (h * jnp.sqrt(1 - lam)).astype(int) // 2, (w * jnp.sqrt(1 - lam)).astype(int) // 2
    cy, cx = jax.random.randint(k_y, (), 0, h), jax.random.randint(k_x, (), 0, w)
    rows, cols = jnp.arange(h)[:, None], jnp.arange(w)[None, :]
    box = (rows >= cy - half_h) & (rows < cy + half_h) & (cols >= cx - half_w) & (cols < cx + half_w) & use_cutmix
    blend = jnp.where(use_cutmix, 1.0, lam)  # mixup blends everywhere; cutmix copies the box only
    partner = images[::-1]
    mixed = jnp.where(box[None, :, :, None], partner, blend * images + (1 - blend) * partner)
    keep = jnp.where(use_cutmix, 1 - box.mean(), lam)
    return mixed.astype(images.dtype), keep * targets + (1 - keep) * targets[::-1]


def make_train_step(
    model: nn.Module, *, label_smoothing: float = 0.0, mixup_alpha: float = 0.0, cutmix_alpha: float = 0.0
) -> Callable[[TrainState, jax.Array, jax.Array], tuple[TrainState, dict[str, jax.Array]]]:
    """A compiled ``train_step(state, images, labels) -> (state, {'loss', 'accuracy'})``; `state` is donated.

    Args:
        model: the flax module from ``get_model``.
        label_smoothing: timm's ``--smoothing`` (0.1 is usual).
        mixup_alpha: mixup's Beta parameter (0: off).
        cutmix_alpha: cutmix's Beta parameter (0: off).
    """
    if model.n_classes <= 0:
        raise ValueError(
            f"make_train_step needs a classifier, got a model with n_classes={model.n_classes}; build it with "
            "get_model(name, n_classes=N)."
        )

    def train_step(state: TrainState, images: jax.Array, labels: jax.Array) -> tuple[TrainState, dict[str, Any]]:
        rng, mix_rng, dropout_rng = jax.random.split(state.rng, 3)
        targets = optax.smooth_labels(jax.nn.one_hot(labels, model.n_classes), label_smoothing)
        if mixup_alpha > 0 or cutmix_alpha > 0:
            images, targets = mix(mix_rng, images, targets, mixup_alpha, cutmix_alpha)

        def loss_fn(params: Any) -> tuple[jax.Array, tuple[jax.Array, Any]]:
            variables = {"params": params, "batch_stats": state.batch_stats}
            logits, updates = model.apply(
                variables, images, training=True, mutable=["batch_stats"], rngs={"dropout": dropout_rng}
            )
            loss = optax.softmax_cross_entropy(logits, targets).mean()
            return loss, (logits, updates.get("batch_stats", {}))

        (loss, (logits, batch_stats)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
        updates, opt_state = state.tx.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        new = state.replace(step=state.step + 1, params=params, batch_stats=batch_stats, opt_state=opt_state, rng=rng)
        return new, {"loss": loss, "accuracy": (logits.argmax(-1) == labels).mean()}

    return jit(train_step, donate_argnums=0)


def make_eval_step(model: nn.Module) -> Callable[[TrainState, jax.Array], jax.Array]:
    """A compiled ``eval_step(state, images) -> logits`` (inference mode: running BatchNorm statistics)."""
    return jit(lambda state, images: model.apply(state.variables, images, training=False))
