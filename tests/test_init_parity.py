"""Random init as timm's: every parameter of a freshly built flaim model has the mean and standard deviation of
the same tensor in timm's ``create_model`` (its ``init_weights``: ResNet's kaiming fan-out convs, zero-init last
BatchNorm of each residual branch and PyTorch-default head; ViT's and ConvNeXt's trunc-normal 0.02 weights, zero
biases, tiny class tokens and layer-scale gammas), within sampling error.

Each flax parameter is traced to its timm tensor through the family's real converter (`flaim.testing.timm_names`).
Both ways of drawing them are checked: ``model.init`` (JAX's random numbers) and ``get_model``'s random init, which
samples the same initialisers with numpy on the host (`flaim.random_init`).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
import timm
import torch

import flaim
from flaim.convert import flatten
from flaim.factory import build
from flaim.registry import REGISTRY
from flaim.testing import timm_names

pytestmark = pytest.mark.torch

# (name, overrides for both libraries): a basic and a bottleneck (SE) ResNet, a distilled ViT (DeiT), a ConvNeXt.
MODELS = (
    ("resnet10t", {}),
    ("seresnext26d_32x4d", {}),
    ("deit_tiny_distilled_patch16_224", {"img_size": 32}),
    ("convnext_atto", {}),
)
SIGMAS = 6.0  # tolerance in standard errors


@pytest.mark.parametrize("source", ["model.init", "get_model"])
@pytest.mark.parametrize(("name", "overrides"), MODELS, ids=[m[0] for m in MODELS])
def test_random_init_statistics_match_timm(name: str, overrides: dict, source: str) -> None:
    torch.manual_seed(0)
    reference = timm.create_model(name, pretrained=False, **overrides)
    module = build(REGISTRY.resolve(name)[0], 1000, overrides)
    if source == "model.init":  # initialised on a small input: params do not care
        variables = jax.jit(module.init)(jax.random.key(0), np.zeros((1, 32, 32, 3), np.float32))
    else:
        variables = flaim.get_model(name, **overrides)[1]
    params = flatten(variables["params"])
    names = timm_names(name, reference, module)
    assert set(names) == set(params)
    timm_state = {k: v.detach().double().numpy() for k, v in reference.state_dict().items()}
    problems = []
    for path, value in params.items():
        ours, theirs = np.asarray(value, np.float64), timm_state[names[path]]
        n, sd = ours.size, theirs.std()
        mean_tol = SIGMAS * sd * np.sqrt(2 / n) + 1e-12
        std_tol = SIGMAS * sd / np.sqrt(n) + 1e-12
        if abs(ours.mean() - theirs.mean()) > mean_tol or abs(ours.std() - sd) > std_tol:
            problems.append(
                f"{path} ({names[path]}, n={n}): mean {ours.mean():.3g} vs {theirs.mean():.3g}, "
                f"std {ours.std():.3g} vs {sd:.3g}"
            )
    assert not problems, "\n".join(problems)
