"""Test sessions: `nox` runs them all (lint, core alone, each family alone, everything, parity against timm)."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = False


def first_party_families() -> tuple[str, ...]:
    """The families in flaim-core's `FIRST_PARTY` (flaim/registry.py), read without importing flaim."""
    source = (Path(__file__).parent / "flaim-core/src/flaim/registry.py").read_text(encoding="utf-8")
    table = next(
        n.value for n in ast.parse(source).body if isinstance(n, ast.Assign) and n.targets[0].id == "FIRST_PARTY"
    )
    return tuple(dist.removeprefix("flaim-") for dist in ast.literal_eval(table))


FAMILIES = first_party_families()
PARITY_DEPS = ("torch==2.14.1", "torchvision==0.29.1", "timm==1.0.31")
EXAMPLE_DEPS = ("scikit-learn",)  # examples/finetune.py's data set (tests only, never a flaim dependency)
STRICT = {"FLAIM_STRICT_PLUGINS": "1"}
NO_TORCH = ("-m", "not torch")  # tests marked `torch` need torch + timm: the parity session only
# pytest-xdist: a worker per logical CPU, at most 4 (each holds compiled models). JAX compiles on one thread, so two
# workers nearly halve a 2-core machine's test time.
WORKERS = ("--numprocesses=logical", "--maxprocesses=4")


def install(session: nox.Session, *families: str, extra: tuple[str, ...] = (), core_extras: str = "test") -> None:
    """Install flaim-core (with `core_extras`) and the given families from this checkout (built wheels)."""
    session.install(f"./flaim-core[{core_extras}]", *(f"./flaim-{f}" for f in families), *extra)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check over the whole repo."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def core(session: nox.Session) -> None:
    """flaim-core alone: registry, loading, layers, CLI; no model is listed and names hint the install."""
    install(session)
    env = {**STRICT, "FLAIM_EXPECT_FAMILIES": ""}
    session.run("pytest", "flaim-core/tests", "tests/test_install.py", *NO_TORCH, *WORKERS, env=env)


@nox.session
@nox.parametrize("family", FAMILIES)
def family(session: nox.Session, family: str) -> None:
    """flaim-core with one family: its table, shapes and options, and that it lists only its own models."""
    install(session, family)
    env = {**STRICT, "FLAIM_EXPECT_FAMILIES": f"flaim-{family}"}
    session.run("pytest", f"flaim-{family}/tests", "tests/test_install.py", *NO_TORCH, *WORKERS, env=env)


@nox.session(name="all")
def all_families(session: nox.Session) -> None:
    """Every family installed together: cross-package tests without torch (NNX training, optimisers, the example)."""
    install(session, *FAMILIES, extra=EXAMPLE_DEPS, core_extras="test,train")
    env = {**STRICT, "FLAIM_EXPECT_FAMILIES": ",".join(f"flaim-{f}" for f in FAMILIES)}
    session.run("pytest", "tests", "--ignore=tests/sharding", *NO_TORCH, *WORKERS, env=env)


@nox.session
def sharding(session: nox.Session) -> None:
    """Many devices: FSDP, get_model(mesh=...) and the training example, on 8 simulated CPU devices.

    tests/sharding/conftest.py sets XLA_FLAGS before JAX starts, so that folder runs in this session only; the
    example's optax comes from flaim-core's `train` extra.
    """
    install(session, *FAMILIES, core_extras="test,train")
    session.run("pytest", "tests/sharding", env=STRICT)


@nox.session(venv_backend="virtualenv")
def parity(session: nox.Session) -> None:
    """Numerical parity with timm through flaim's real loading path (torch + timm in this session only).

    Installed with pip, which finds the pinned torch wheels where the machine keeps them.
    """
    install(session, *FAMILIES, extra=PARITY_DEPS, core_extras="test,train")
    folders = ("tests", "flaim-core/tests", *(f"flaim-{f}/tests" for f in FAMILIES))
    # glibc's default malloc here: flaim's (one arena, flaim.malloc) may slow torch in the same process, and this
    # session checks numerics, which the allocator does not change; the core session tests flaim.malloc itself.
    env = {**STRICT, "FLAIM_CPU_MALLOC": "system"}
    session.run("pytest", *folders, "--ignore=tests/sharding", "-m", "torch", *WORKERS, "--durations=20", env=env)
    # A `flaim new-plugin` project installs next to flaim-core and passes its own conformance tests (~1 min).
    tmp = tempfile.mkdtemp(prefix="flaim-scaffold-")
    session.run("flaim", "new-plugin", "scaffolded", "--dir", tmp)
    session.install(f"{tmp}/flaim-scaffolded")
    session.run("pytest", f"{tmp}/flaim-scaffolded/tests", "-p", "no:cacheprovider", env=STRICT)
