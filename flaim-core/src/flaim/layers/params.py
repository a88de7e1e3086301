"""`param`: a module's parameter, as ``module.param`` gives it, without flax's per-apply shape check.

At every ``apply``, flax's ``Module.param`` learns the shape an existing parameter should have by tracing its
initialiser (a ``jax.eval_shape`` per parameter, with a fresh random key): about 0.1 s of ConvNeXt-T's 0.2 s trace.
flaim's layers pass the shape, so `param` checks it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from flax import linen as nn
from flax.core import meta

from flaim.layers.init import Initializer


def param(module: nn.Module, name: str, init: Initializer, shape: Sequence[int], dtype: Any) -> jax.Array:
    """``module.param(name, init, shape, dtype)``; an existing value is returned once its shape is checked.

    Args:
        module: the bound module that owns the parameter, usually ``self``.
        name: the parameter's name.
        init: its initialiser, ``init(key, shape, dtype)``.
        shape: the shape it must have.
        dtype: the dtype it is created in.
    """
    if not module.has_variable("params", name):
        return module.param(name, init, tuple(shape), dtype)
    value = meta.unbox(module.get_variable("params", name))
    if np.shape(value) != tuple(shape):
        raise ValueError(
            f"Parameter '{name}' of '{'/'.join(module.scope.path)}' has shape {np.shape(value)}; this model needs "
            f"{tuple(shape)}: the variables come from a model built with other options."
        )
    return value
