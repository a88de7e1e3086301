"""`flaim new-plugin NAME`: write a plugin distribution that installs and passes its own tests out of the box.

The generated family is a working port of timm's MLP-Mixer (two rows, one with a pretrained tag): the layout of
the first-party families (configs → model → convert → plugin) with real code to replace, and tests that run
flaim's conformance suite against timm.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

NAME = re.compile(r"[a-z][a-z0-9_]*")

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "$dist"
version = "0.1.0"
description = "$family models for flaim (Flax Image Models)"
requires-python = ">=3.10"
dependencies = ["flaim-core>=0.1,<0.2"]

[project.optional-dependencies]
test = ["pytest>=8", "torch", "timm"]  # timm and torch are test-only: parity checks

[project.entry-points."flaim.plugins"]
$family = "$package.plugin"

[tool.hatch.build.targets.wheel]
packages = ["src/$package"]
"""

README = """\
# $dist

flaim plugin for the `$family` family. `pip install -e .[test]`, then `flaim list mixer` lists its models and
`pytest tests` runs flaim's conformance suite (model contract and parity with timm). See flaim's PLUGINS.md.
"""

INIT = '''\
"""$family models for flaim; registered through the `flaim.plugins` entry point (see plugin.py)."""
'''

CONFIGS = '''\
"""The $family table: one row of architecture arguments per timm name, and the pretrained tags."""

from __future__ import annotations

from flaim import PretrainedCfg
from flaim.specs import INCEPTION_MEAN, INCEPTION_STD

ARCHS = {
    "mixer_s32_224": dict(patch_size=32, num_blocks=8, embed_dim=512),
    "mixer_b16_224": dict(patch_size=16, num_blocks=12, embed_dim=768),
}

TAGS = {  # default tag first; weights at timm/<arch>.<tag> on the Hugging Face Hub
    "mixer_b16_224": (PretrainedCfg("goog_in21k_ft_in1k", mean=INCEPTION_MEAN, std=INCEPTION_STD),),
}
'''

MODEL = '''\
"""MLP-Mixer: An all-MLP Architecture for Vision — https://arxiv.org/abs/2105.01601 (weights: Apache-2.0)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from flax import linen as nn

from flaim.layers import ClassifierHead, DropPath, LayerNorm, Mlp, PatchEmbed, check_image_batch


class MixerBlock(nn.Module):
    """Pre-norm residual token-mixing MLP (across patches), then channel MLP."""

    seq_len: int
    mlp_ratio: tuple[float, float] = (0.5, 4.0)
    drop: float = 0.0
    drop_path: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool) -> jax.Array:
        tokens_dim, channels_dim = (int(r * x.shape[-1]) for r in self.mlp_ratio)
        norm = partial(LayerNorm, eps=1e-6, dtype=self.dtype, param_dtype=self.param_dtype)
        mlp = partial(Mlp, drop=self.drop, dtype=self.dtype, param_dtype=self.param_dtype)
        y = mlp(tokens_dim, name="mlp_tokens")(jnp.swapaxes(norm(name="norm1")(x), 1, 2), training)
        x = x + DropPath(self.drop_path)(jnp.swapaxes(y, 1, 2), training)
        y = mlp(channels_dim, name="mlp_channels")(norm(name="norm2")(x), training)
        return x + DropPath(self.drop_path)(y, training)


class MlpMixer(nn.Module):
    """Patch embedding → Mixer blocks → LayerNorm → mean over tokens → classifier; NHWC input of `img_size`."""

    n_classes: int = 1000
    img_size: int = 224
    in_chans: int = 3
    patch_size: int = 16
    num_blocks: int = 8
    embed_dim: int = 512
    mlp_ratio: tuple[float, float] = (0.5, 4.0)
    drop_rate: float = 0.0
    proj_drop_rate: float = 0.0
    drop_path_rate: float = 0.0
    dtype: Any = None
    param_dtype: Any = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, training: bool = False) -> jax.Array:
        check_image_batch(x, self.in_chans, multiple_of=self.patch_size)
        if x.shape[1:3] != (self.img_size, self.img_size):
            raise ValueError(
                f"MLP-Mixer mixes a fixed number of patches: input {x.shape[1]}×{x.shape[2]} must be "
                f"{self.img_size}×{self.img_size}; build the model with img_size={x.shape[1]} for that size."
            )
        kw = {"dtype": self.dtype, "param_dtype": self.param_dtype}
        x = PatchEmbed(self.patch_size, self.embed_dim, **kw, name="stem")(x)
        x = x.reshape(x.shape[0], -1, x.shape[-1])
        self.sow("intermediates", "block_0", x)  # block_0: the patch embeddings
        block = partial(MixerBlock, x.shape[1], self.mlp_ratio, self.proj_drop_rate, self.drop_path_rate, **kw)
        for i in range(self.num_blocks):  # timm gives every block the same drop-path rate
            x = block(name=f"blocks_{i}")(x, training)
            self.sow("intermediates", f"block_{i + 1}", x)
        x = LayerNorm(eps=1e-6, **kw, name="norm")(x)
        if self.n_classes == 0:
            return x
        return ClassifierHead(self.n_classes, self.drop_rate, **kw, name="head")(x.mean(axis=1), training)
'''

CONVERT = '''\
"""timm's MLP-Mixer state dict → flax variables: one rule per tensor group, blocks composed with `nest`."""

from __future__ import annotations

from typing import Any

import numpy as np
from flax import linen as nn

from flaim.convert import Rule, apply_rules, conv, layernorm, linear, nest

BLOCK = [*layernorm(r"norm(\\d)", r"norm\\1"), *linear(r"mlp_(tokens|channels)\\.fc(\\d)", r"mlp_\\1/fc\\2")]
RULES = [
    *conv(r"stem\\.proj", "stem/proj"),
    *nest(r"blocks\\.(\\d+)", r"blocks_\\1", BLOCK),
    *layernorm(r"norm", "norm"),
    *linear(r"head", "head/fc"),
]


def timm_to_flax(state: dict[str, np.ndarray], model: nn.Module) -> dict[str, Any]:
    """Convert a timm checkpoint; every key must match exactly one rule."""
    return apply_rules(state, RULES)


def rules(model: nn.Module) -> list[Rule]:
    """The table, read backwards by ``flaim.save_pretrained(..., format="timm")``."""
    return RULES
'''

PLUGIN = '''\
"""The flaim hook: no jax imports here, so listing models stays cheap."""

from __future__ import annotations

from flaim import ModelSpec, hookimpl
from $package.configs import ARCHS, TAGS


@hookimpl
def flaim_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            name=name,
            family="$family",
            builder="$package.model:MlpMixer",
            converter="$package.convert:timm_to_flax",
            rules="$package.convert:rules",
            model_args=args,
            pretrained=TAGS.get(name, ()),
            classifier="head/fc",
            hierarchical=False,
        )
        for name, args in ARCHS.items()
    ]
'''

TESTS = '''\
"""flaim's conformance suite on every architecture of $dist: model contract, then parity with timm."""

from __future__ import annotations

from flaim.testing import check_parity, conformance_suite

TestConformance = conformance_suite("$dist")


def test_gradients() -> None:
    check_parity("mixer_s32_224", grads=True)
'''

FILES = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    "src/$package/__init__.py": INIT,
    "src/$package/configs.py": CONFIGS,
    "src/$package/model.py": MODEL,
    "src/$package/convert.py": CONVERT,
    "src/$package/plugin.py": PLUGIN,
    "tests/test_parity.py": TESTS,
}


def new_plugin(name: str, parent: str | Path = ".") -> Path:
    """Write the distribution ``flaim-<name>`` (package ``flaim_<name>``, family `name`) under `parent`.

    Args:
        name: the family name: lowercase letters, digits and '_', starting with a letter.
        parent: folder to create the project folder in.

    Returns:
        The project folder.

    Raises:
        ValueError: for an invalid name.
        FileExistsError: when the project folder exists already.
    """
    if not NAME.fullmatch(name):
        raise ValueError(f"plugin name {name!r} must be lowercase letters, digits and '_', starting with a letter")
    values = {"family": name, "package": f"flaim_{name}", "dist": f"flaim-{name.replace('_', '-')}"}
    root = Path(parent) / values["dist"]
    if root.exists():
        raise FileExistsError(f"{root} exists already; choose another name or folder")
    for path, text in FILES.items():
        target = root / Template(path).substitute(values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(text).substitute(values))
    return root
