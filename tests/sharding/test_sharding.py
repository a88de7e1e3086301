"""flaim.sharding and get_model(mesh=...) on 8 simulated CPU devices: the FSDP rule, numerics, memory, loading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec

import flaim
from flaim.sharding import param_shardings, shard

MIN_SIZE = 2**14
TINY = {  # one model of each family, cut down (compiling gradients dominates this file's time)
    "test_resnet": {},
    "test_vit": {"img_size": 32, "depth": 2},
    "convnext_atto": {"depths": (1, 1, 1, 1)},
}
X = np.random.default_rng(0).standard_normal((8, 32, 32, 3), dtype=np.float32)  # one image per device


def assert_relative(actual: Any, expected: Any, tol: float) -> None:
    """Every leaf: max |actual - expected| ≤ tol · max |expected|."""
    for (path, a), b in zip(jax.tree_util.tree_leaves_with_path(actual), jax.tree.leaves(expected), strict=True):
        a, b = np.asarray(a), np.asarray(b)
        error, scale = np.abs(a - b).max(), np.abs(b).max()
        assert error <= tol * scale, f"{jax.tree_util.keystr(path)}: max error {error:.3g}, max value {scale:.3g}"


def nontrivial_float64(variables: Any) -> Any:
    """Every leaf in float64, placed as before, with 1-D tensors (norm scales and shifts, biases, running stats) at
    U(0.5, 1.5): timm's init zeroes the last norm of each residual branch, which would leave the branches out of
    the comparison."""
    rng = np.random.default_rng(0)

    def redraw(v: jax.Array) -> jax.Array:
        value = rng.uniform(0.5, 1.5, v.shape) if v.ndim == 1 else np.asarray(v)
        return jax.device_put(value.astype(np.float64), v.sharding)

    return jax.tree.map(redraw, variables)


def device_bytes(variables: Any) -> dict[jax.Device, int]:
    """Bytes of variables that each device holds."""
    held: dict[jax.Device, int] = {}
    for leaf in jax.tree.leaves(variables):
        for piece in leaf.addressable_shards:
            held[piece.device] = held.get(piece.device, 0) + piece.data.nbytes
    return held


def test_fsdp_rule_splits_the_largest_divisible_dimension(mesh: Mesh) -> None:
    shapes = {
        "kernel": jax.ShapeDtypeStruct((768, 2304), jnp.float32),  # both divisible: the larger one
        "conv": jax.ShapeDtypeStruct((3, 3, 256, 256), jnp.float32),  # equal sizes: the first
        "odd": jax.ShapeDtypeStruct((1001, 64), jnp.float32),  # 1001 is not divisible by 8
        "bias": jax.ShapeDtypeStruct((2304,), jnp.float32),  # small
    }
    specs = {k: s.spec for k, s in param_shardings(shapes, mesh).items()}
    assert specs == {
        "kernel": PartitionSpec(None, "data"),
        "conv": PartitionSpec(None, None, "data", None),
        "odd": PartitionSpec(None, "data"),
        "bias": PartitionSpec(),
    }
    replicated = param_shardings(shapes, mesh, strategy="replicate")
    assert all(s.spec == PartitionSpec() for s in replicated.values())
    arrays = shard({"kernel": np.ones((768, 2304), np.float32)}, mesh)
    assert arrays["kernel"].addressable_shards[0].data.shape == (768, 2304 // 8)


def test_bad_mesh_strategy_or_axis_is_a_clear_error(mesh: Mesh) -> None:
    shapes = {"kernel": jax.ShapeDtypeStruct((768, 2304), jnp.float32)}
    with pytest.raises(TypeError, match=r"mesh must be a jax.sharding.Mesh, e.g. Mesh\(jax.devices\(\), \('data',\)\)"):
        param_shardings(shapes, jax.devices())
    with pytest.raises(ValueError, match="Unknown sharding strategy 'zero3'; choose one of: fsdp, replicate"):
        param_shardings(shapes, mesh, strategy="zero3")
    with pytest.raises(ValueError, match="no axis 'batch'; its axes are data"):
        param_shardings(shapes, mesh, axis="batch")
    explicit = jax.make_mesh((8,), ("data",), axis_types=(AxisType.Explicit,))
    with pytest.raises(ValueError, match=r"FSDP needs mesh axis 'data' to be AxisType\.Auto"):
        param_shardings(shapes, explicit)
    assert param_shardings(shapes, explicit, strategy="replicate")["kernel"].is_fully_replicated


@pytest.mark.parametrize("name", TINY)
def test_sharded_forward_and_gradients_equal_single_device(mesh: Mesh, name: str) -> None:
    """Compared with float64 inputs and variables, so that the placement, not rounding, makes any difference: in
    float32 the order of the 8 shards' partial sums moved a small gradient (a BatchNorm scale's, over 8 values per
    channel) by 1.04e-5 of its size on one build machine (AMD EPYC, 2026-12-06 evening) and not on others."""
    kwargs = TINY[name]
    model, single = flaim.get_model(name, **kwargs)
    _, sharded = flaim.get_model(name, mesh=mesh, sharding="fsdp", **kwargs)
    assert any(
        len(leaf.sharding.device_set) == 8 and not leaf.sharding.is_fully_replicated
        for leaf in jax.tree.leaves(sharded)
    )  # FSDP really split something
    pairs = zip(jax.tree.leaves(single), jax.tree.leaves(sharded), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)  # the same random init, whatever the placement

    def forward_and_grads(variables: dict[str, Any], x: jax.Array) -> tuple[jax.Array, Any]:
        def loss(params: Any) -> jax.Array:  # training mode: batch statistics over the whole (sharded) batch
            logits, _ = model.apply({**variables, "params": params}, x, training=True, mutable=["batch_stats"])
            return jnp.mean(jax.nn.log_softmax(logits)[:, :5])

        return model.apply(variables, x, training=False), jax.grad(loss)(variables["params"])

    with jax.enable_x64(True):
        single, sharded = nontrivial_float64(single), nontrivial_float64(sharded)
        expected = jax.jit(forward_and_grads)(single, X.astype(np.float64))
        x = jax.device_put(X.astype(np.float64), NamedSharding(mesh, PartitionSpec("data")))
        actual = jax.jit(forward_and_grads)(sharded, x)
        assert jax.tree.leaves(actual)[0].dtype == np.float64
        assert_relative(actual, expected, 1e-5)


def test_vit_base_fsdp_holds_an_eighth_per_device(mesh: Mesh) -> None:
    _, variables = flaim.get_model("vit_base_patch16_224", mesh=mesh, sharding="fsdp")
    leaves = jax.tree.leaves(variables)
    total = sum(leaf.nbytes for leaf in leaves)
    replicated = [leaf for leaf in leaves if leaf.sharding.is_fully_replicated]
    small = sum(leaf.nbytes for leaf in replicated)
    assert all(leaf.size < MIN_SIZE for leaf in replicated)  # only small tensors are copied to every device
    held = device_bytes(variables)
    assert len(held) == 8 and total > 300 * 2**20 and small < 2**20
    assert max(held.values()) <= (total - small) / 8 + small


def test_checkpoint_loads_shard_by_shard(mesh: Mesh, tmp_path: Path) -> None:
    name, kwargs = "vit_tiny_patch16_224", {"img_size": 32}
    _, saved = flaim.get_model(name, **kwargs)
    flaim.save_pretrained(saved, tmp_path, name)
    for n_classes in (None, 10):  # the checkpoint's head, and a fresh one initialised on the mesh
        _, loaded = flaim.get_model(name, pretrained=str(tmp_path), n_classes=n_classes, mesh=mesh, **kwargs)
        for (path, leaf), original in zip(
            jax.tree_util.tree_leaves_with_path(loaded), jax.tree.leaves(saved), strict=True
        ):
            where = jax.tree_util.keystr(path)
            assert len(leaf.sharding.device_set) == 8, where
            if leaf.size >= MIN_SIZE:  # no device holds the whole tensor, each holds an eighth
                assert all(piece.data.size == leaf.size // 8 for piece in leaf.addressable_shards), where
            if n_classes is None or "head" not in where:
                assert np.array_equal(leaf, original), where
    _, copies = flaim.get_model(name, pretrained=str(tmp_path), mesh=mesh, sharding="replicate", **kwargs)
    assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(copies))


def test_mesh_that_divides_nothing_falls_back_to_replication(mesh: Mesh) -> None:
    seven = Mesh(jax.devices()[:7], ("data",))  # test_vit's widths (64, 192, 1000, 16, 3, 5 tokens): none divisible
    with pytest.warns(UserWarning, match=r"axis 'data' of size 7: \d+ leaves .* no dimension divisible by 7"):
        model, variables = flaim.get_model("test_vit", mesh=seven, img_size=32)
    assert all(leaf.sharding.is_fully_replicated for leaf in jax.tree.leaves(variables))
    assert all(len(leaf.sharding.device_set) == 7 for leaf in jax.tree.leaves(variables))
    _, single = flaim.get_model("test_vit", img_size=32)
    x = X[:7]
    expected = model.apply(single, x, training=False)
    actual = jax.jit(model.apply, static_argnames="training")(variables, x, training=False)
    assert_relative(actual, expected, 1e-5)
