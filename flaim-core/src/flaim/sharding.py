"""Variables on a device mesh: fully sharded (FSDP) over one mesh axis, or replicated on every device."""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

STRATEGIES = ("fsdp", "replicate")


def param_shardings(
    variables: Any, mesh: Mesh, strategy: str = "fsdp", axis: str = "data", min_size: int = 2**14
) -> Any:
    """A `NamedSharding` for every leaf of `variables`, decided from its shape alone.

    ``'fsdp'`` shards each leaf of at least `min_size` elements along its largest dimension that the size of mesh
    axis `axis` divides (the first of equal ones) and replicates every other leaf; large leaves with no divisible
    dimension stay replicated, with a warning that names them. ``'replicate'`` puts a full copy on every device.
    Other mesh axes hold copies. Because only shapes count, an optimizer state whose leaves mirror the parameters
    gets the parameters' shardings.

    Args:
        variables: a pytree of arrays, numpy arrays or `jax.ShapeDtypeStruct`s (e.g. from `jax.eval_shape`).
        mesh: the devices, e.g. ``jax.sharding.Mesh(jax.devices(), ("data",))``; FSDP needs `axis` to be an
            ``AxisType.Auto`` axis (XLA then inserts the all-gathers; flaim's models carry no sharding annotations).
        strategy: ``'fsdp'`` or ``'replicate'``.
        axis: the mesh axis to shard over; batches are usually split over the same axis (data parallelism).
        min_size: leaves with fewer elements are replicated under FSDP.

    Returns:
        A pytree of `NamedSharding` with the structure of `variables`.

    Raises:
        TypeError: `mesh` is not a `jax.sharding.Mesh`.
        ValueError: an unknown strategy, an axis the mesh lacks, or FSDP over an explicitly sharded axis.
    """
    _check(mesh, strategy, axis)
    replicated = NamedSharding(mesh, PartitionSpec())
    if strategy == "replicate":
        return jax.tree.map(lambda _: replicated, variables)
    n_shards = mesh.shape[axis]
    unshardable: list[tuple[str, tuple[int, ...], int]] = []

    def sharding(path: Any, leaf: Any) -> NamedSharding:
        shape = tuple(getattr(leaf, "shape", ()))
        if math.prod(shape) < min_size:
            return replicated
        divisible = [dim for dim, size in enumerate(shape) if size % n_shards == 0]
        if not divisible:
            unshardable.append((jax.tree_util.keystr(path), shape, math.prod(shape) * np.dtype(leaf.dtype).itemsize))
            return replicated
        split = max(divisible, key=lambda dim: shape[dim])
        return NamedSharding(mesh, PartitionSpec(*(axis if dim == split else None for dim in range(len(shape)))))

    shardings = jax.tree_util.tree_map_with_path(sharding, variables)
    if unshardable:
        path, shape, _ = unshardable[0]
        megabytes = sum(nbytes for *_, nbytes in unshardable) / 2**20
        warnings.warn(
            f"FSDP over mesh axis '{axis}' of size {n_shards}: {len(unshardable)} leaves of ≥ {min_size} elements "
            f"({megabytes:.1f} MiB) have no dimension divisible by {n_shards} and are replicated on every device, "
            f"e.g. {path} {shape}. A mesh axis size that divides the model's widths (a power of two) shards them.",
            stacklevel=2,
        )
    return shardings


def shard(variables: Any, mesh: Mesh, strategy: str = "fsdp", axis: str = "data", min_size: int = 2**14) -> Any:
    """`variables` placed on `mesh` as `param_shardings` decides.

    Host (numpy) arrays are placed shard by shard with `jax.make_array_from_callback`: each device receives only its
    own slice, and on several hosts each process places only its own devices' slices. Arrays already on devices are
    moved with `jax.device_put`.

    Args:
        variables: a pytree of numpy or jax arrays, e.g. flax variables.
        mesh: the devices; see `param_shardings`.
        strategy: ``'fsdp'`` or ``'replicate'``.
        axis: the mesh axis to shard over.
        min_size: leaves with fewer elements are replicated under FSDP.

    Returns:
        The same pytree of jax arrays, sharded.
    """
    return jax.tree.map(_place, variables, param_shardings(variables, mesh, strategy, axis, min_size))


def _place(value: Any, sharding: NamedSharding) -> jax.Array:
    if isinstance(value, jax.Array):
        return jax.device_put(value, sharding)
    host = np.asarray(value)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def _check(mesh: Mesh, strategy: str, axis: str) -> None:
    if not isinstance(mesh, Mesh):
        raise TypeError(f"mesh must be a jax.sharding.Mesh, e.g. Mesh(jax.devices(), ('data',)); got {mesh!r}.")
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown sharding strategy '{strategy}'; choose one of: {', '.join(STRATEGIES)}.")
    if axis not in mesh.shape:
        raise ValueError(f"The mesh has no axis '{axis}'; its axes are {', '.join(mesh.axis_names)}.")
    axis_type = dict(zip(mesh.axis_names, getattr(mesh, "axis_types", None) or (), strict=False)).get(axis)
    if strategy == "fsdp" and getattr(axis_type, "name", None) == "Explicit":  # AxisType exists from jax 0.5
        raise ValueError(
            f"FSDP needs mesh axis '{axis}' to be AxisType.Auto, so that XLA gathers the sharded weights where a "
            f"layer needs them; it is AxisType.Explicit (jax.make_mesh's default). Make the mesh with "
            f"jax.sharding.Mesh(devices, {mesh.axis_names}) or jax.make_mesh(..., "
            f"axis_types=(jax.sharding.AxisType.Auto,) * {len(mesh.axis_names)})."
        )
