"""flaim models as Flax NNX modules: the linen model wrapped by ``nnx.bridge.ToNNX``, its weights loaded.

Imported on use (``import flaim.nnx``), never by ``import flaim``.
"""

from __future__ import annotations

from typing import Any

import jax
from flax import linen as nn
from flax import nnx
from flax.nnx.bridge import variables as bridge_variables


class Model(nnx.Module):
    """A flaim linen module and its variables as one stateful NNX module (NHWC input).

    Eval mode by default; ``model.train()`` switches to batch statistics, updated BatchNorm running stats and
    dropout (drawn from the ``dropout`` stream of `rngs`), ``model.eval()`` back. ``training=`` overrides per call.
    """

    def __init__(self, module: nn.Module, variables: dict[str, Any], rngs: nnx.Rngs | None = None) -> None:
        self.net = nnx.bridge.ToNNX(module, rngs=rngs if rngs is not None else nnx.Rngs(dropout=0))
        for name, value in bridge_variables.linen_vars_to_nnx_attrs(variables).items():
            setattr(self.net, name, value)  # ToNNX marks the dicts of variables as data
        self.deterministic = True  # what nnx's .train() / .eval() set

    def __call__(self, x: jax.Array, training: bool | None = None) -> jax.Array:
        training = not self.deterministic if training is None else training
        return self.net(x, training=training, mutable=["batch_stats"] if training else False)

    def linen_variables(self) -> dict[str, Any]:
        """The current weights as linen variables (``params``, ``batch_stats``), e.g. for `flaim.save_pretrained`."""
        attrs = {k: v for k, v in vars(self.net).items() if not k.startswith(("to_nnx__", "_pytree__"))}
        return bridge_variables.nnx_attrs_to_linen_vars(attrs)

    @property
    def module(self) -> nn.Module:
        """The wrapped linen module (its ``n_classes`` and arguments; `flaim.save_pretrained`'s ``model=``)."""
        return self.net.to_nnx__module


def get_model(
    model_name: str | None = None,
    pretrained: bool | str = False,
    n_classes: int | None = None,
    *,
    rngs: nnx.Rngs | None = None,
    **kwargs: Any,
) -> Model:
    """`flaim.get_model` as an NNX module: same names, weights and arguments, outputs equal to the linen model's.

    Args:
        model_name: as for `flaim.get_model`.
        pretrained: as for `flaim.get_model`.
        n_classes: as for `flaim.get_model`.
        rngs: streams for training-mode randomness (``dropout``, used by ``drop_rate`` / ``drop_path_rate``);
            default ``nnx.Rngs(dropout=0)``.
        **kwargs: the rest of `flaim.get_model`'s arguments (``prng``, ``jit``) and model arguments.

    Returns:
        A `Model` in eval mode; ``optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)`` trains it.
    """
    from flaim.factory import get_model as linen_get_model

    module, variables = linen_get_model(model_name, pretrained, n_classes, **kwargs)
    return Model(module, variables, rngs)
