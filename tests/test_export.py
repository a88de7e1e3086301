"""`jax.export` with symbolic shapes, one small model per family: exported with a symbolic batch, serialised,
deserialised and run at batch 1 and 7 equal to the jitted model; ViT with a symbolic image size; and a program
exported on this CPU host for CUDA carries the GPU formulations (decided at lowering, `flaim.layers.config`)."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import export

import flaim

MODELS = {
    "test_resnet": {},  # im2col at batch 1, XLA's convolution at batch 7 in the stem: the route is chosen in-program
    "convnext_atto": {"depths": (1, 1, 1, 1)},
    "test_vit": {"img_size": 32, "depth": 1},
}


def _exported(name: str, shape: tuple, platforms: tuple[str, ...] | None = None):
    model, variables = flaim.get_model(name, **MODELS[name])
    forward = jax.jit(lambda v, x: model.apply(v, x, training=False))
    spec = jax.ShapeDtypeStruct(export.symbolic_shape(shape), jnp.float32)
    return forward, variables, export.export(forward, platforms=platforms)(variables, spec)


def _check(forward, variables, exported, shapes) -> None:
    restored = export.deserialize(exported.serialize())
    for i, shape in enumerate(shapes):
        x = np.random.default_rng(i).standard_normal(shape, dtype=np.float32)
        expected = forward(variables, x)
        np.testing.assert_allclose(restored.call(variables, x), expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_symbolic_batch_round_trip(name: str) -> None:
    forward, variables, exported = _exported(name, "b, 32, 32, 3")
    _check(forward, variables, exported, [(1, 32, 32, 3), (7, 32, 32, 3)])


def test_vit_symbolic_image_size() -> None:
    """dynamic_img_size with height and width symbolic multiples of the patch: the position embedding is resampled
    inside the program."""
    forward, variables, exported = _exported("test_vit", "b, 16*h, 16*w, 3")
    _check(forward, variables, exported, [(1, 48, 64, 3), (2, 32, 16, 3)])


def _groups(text: str) -> set[int]:
    return {int(g) for g in re.findall(r"feature_group_count = (\d+)", text)}


def test_cuda_export_from_a_cpu_host_has_the_gpu_formulations() -> None:
    texts = {p: _exported("convnext_atto", "b, 32, 32, 3", (p,))[2].mlir_module() for p in ("cpu", "cuda")}
    assert max(_groups(texts["cuda"])) > 1 and "reduce_precision" not in texts["cuda"]  # grouped conv, no barrier
    assert _groups(texts["cpu"]) <= {1} and "reduce_precision" in texts["cpu"]  # shift-and-add, fusion barriers
    texts = {p: _exported("test_vit", "b, 32, 32, 3", (p,))[2].mlir_module() for p in ("cpu", "cuda")}
    assert '"_fused"' in texts["cuda"] and '"_heads_first"' not in texts["cuda"]  # jax's fused-op attention
    assert '"_heads_first"' in texts["cpu"] and '"_fused"' not in texts["cpu"]
