"""Random init without compiling the forward pass: variable shapes from a trace of ``model.init``, values from numpy.

``model.init`` runs the forward pass on a dummy input to create the variables. Here it is only traced (as cheap as
``jax.eval_shape``). Every variable made by a `flaim.layers.init.HostInitializer` (all of flaim's layers and
families) is then sampled on the host with numpy, from a generator seeded by the key and the variable's path, so
nothing compiles. Variables made by other initialisers (a third-party plugin's) come from the trace cut down to
them, run as ``model.init`` would. The distributions are ``model.init``'s; the values differ from it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import linen as nn

from flaim import sharding as placement
from flaim.convert import flatten
from flaim.layers.config import tracing_for
from flaim.layers.init import HostInitializer, recording
from flaim.xla import jit_run_once

_KEPT_COLLECTIONS = ("params", "batch_stats")


@dataclass(frozen=True)
class InitPlan:
    """A model's variables (flat ``'params/…/kernel'`` paths) as traced from ``model.init``."""

    shapes: dict[str, jax.ShapeDtypeStruct]
    host: dict[str, HostInitializer]  # the variables numpy can sample
    jaxpr: Any  # the traced init: key → every variable, in `shapes` order


def plan(model: nn.Module, key: jax.Array) -> InitPlan:
    """Trace ``model.init`` on a dummy input the size of ``model.img_size`` (224 px if it has none).

    With a concrete `key`, the trace first leaves the random draws out (zeros stand in; tracing the draws was most
    of its time). That trace is kept when numpy samples every variable (`random_variables`), so its values are
    never used; otherwise (another initialiser, or flaim's inside a transform such as ``nn.remat``, which the record
    cannot see through) `model` is traced again with the draws.
    """
    size = getattr(model, "img_size", None) or 224
    size = size if isinstance(size, tuple | list) else (size, size)
    dummy = jax.ShapeDtypeStruct((1, *size, getattr(model, "in_chans", 3)), jnp.float32)

    def trace(placeholders: bool) -> InitPlan:
        host: dict[str, HostInitializer] = {}

        def variables(key: jax.Array) -> dict[str, Any]:
            with recording(placeholders) as record:
                variables = model.init(key, jnp.zeros(dummy.shape, dummy.dtype), training=False)
                flat = flatten({k: v for k, v in variables.items() if k in _KEPT_COLLECTIONS})
                host.update({path: record[id(v)][1] for path, v in flat.items() if id(v) in record})
            return flat

        with tracing_for("accelerator"):  # any formulation gives the same variables; these trace fastest
            jaxpr, shapes = jax.make_jaxpr(variables, return_shape=True)(key)
        return InitPlan(shapes, host, jaxpr)

    if _seed(key) is not None:
        init_plan = trace(placeholders=True)
        if len(init_plan.host) == len(init_plan.shapes):
            return init_plan
    return trace(placeholders=False)


def random_variables(
    init_plan: InitPlan,
    key: jax.Array,
    jit: bool = True,
    wanted: Callable[[str], bool] | None = None,
    mesh: jax.sharding.Mesh | None = None,
    sharding: str = "fsdp",
) -> dict[str, Any]:
    """The planned variables whose path `wanted` accepts (all by default), flat, drawn from `key`.

    `jit` compiles the variables that numpy cannot sample as one program (else they run op by op); with `mesh`,
    every variable is placed on it (see `flaim.sharding.param_shardings`). A traced `key` (a call inside
    ``jax.jit`` or ``jax.eval_shape``) takes every variable from the traced init, inside the caller's program.
    """
    paths = [path for path in init_plan.shapes if wanted is None or wanted(path)]
    seed = _seed(key)
    host = [path for path in paths if path in init_plan.host and seed is not None]
    traced = [path for path in paths if path not in host]
    values = {path: _sample(init_plan, path, seed) for path in host}
    if mesh is not None:
        values = placement.shard(values, mesh, sharding)
    else:
        values = {path: jax.device_put(v) for path, v in values.items()}  # jnp.asarray would compile per shape
    if traced:
        values.update(_traced(init_plan, traced, key, jit, mesh, sharding))
    return {path: values[path] for path in paths}


def _seed(key: jax.Array) -> list[int] | None:
    """The key's words, or None for a traced key (the variables then come from the trace)."""
    data = jax.random.key_data(key) if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) else key
    try:
        return np.asarray(data).ravel().tolist()
    except jax.errors.TracerArrayConversionError:
        return None


def _sample(init_plan: InitPlan, path: str, seed: list[int]) -> np.ndarray:
    shape = init_plan.shapes[path]
    rng = np.random.default_rng([*seed, zlib.crc32(path.encode())])
    return init_plan.host[path].sample(rng, tuple(shape.shape)).astype(shape.dtype, copy=False)


def _traced(
    init_plan: InitPlan,
    paths: list[str],
    key: jax.Array,
    jit: bool,
    mesh: jax.sharding.Mesh | None,
    sharding: str,
) -> dict[str, Any]:
    """`paths` from the traced init cut down to the equations they depend on, compiled as one program when `jit`
    (with `mesh`: each device computes only its own shards), else run op by op."""
    from jax._src.interpreters.partial_eval import dce_jaxpr  # jax's own pass; no public name for it yet

    wanted = set(paths)
    keep = [path in wanted for path in init_plan.shapes]
    jaxpr = dce_jaxpr(init_plan.jaxpr.jaxpr, keep, instantiate=True)[0]  # keeps the key, even if unused
    names = [path for path, kept in zip(init_plan.shapes, keep, strict=True) if kept]

    def init(key: jax.Array) -> dict[str, Any]:
        return dict(zip(names, jax.core.eval_jaxpr(jaxpr, init_plan.jaxpr.consts, key), strict=True))

    if isinstance(key, jax.core.Tracer):  # inside the caller's trace (e.g. jax.eval_shape), which compiles it
        return init(key)
    if mesh is not None:
        shapes = {path: init_plan.shapes[path] for path in names}
        return jit_run_once(init, out_shardings=placement.param_shardings(shapes, mesh, sharding))(key)
    return (jit_run_once(init) if jit else init)(key)
