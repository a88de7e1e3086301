"""The persistent XLA compilation cache: compiled programs kept on disk, so that a repeated run skips compiling.

The ``flaim`` command uses it by default; library users switch it on with `enable_compilation_cache`. Its folder is
``$FLAIM_COMPILE_CACHE_DIR``, else ``$XDG_CACHE_HOME/flaim/xla``, else ``~/.cache/flaim/xla``;
``FLAIM_NO_COMPILE_CACHE=1`` keeps the ``flaim`` command from using it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DIR_ENV = "FLAIM_COMPILE_CACHE_DIR"
OFF_ENV = "FLAIM_NO_COMPILE_CACHE"


def cache_dir() -> Path:
    """The cache folder: ``$FLAIM_COMPILE_CACHE_DIR``, else ``$XDG_CACHE_HOME/flaim/xla`` (default ``~/.cache``)."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "flaim" / "xla"


def disabled() -> bool:
    """True when ``FLAIM_NO_COMPILE_CACHE`` is set to anything but ``''``, ``0``, ``false`` or ``no``."""
    return os.environ.get(OFF_ENV, "").strip().lower() not in ("", "0", "false", "no")


def enable_compilation_cache(path: str | os.PathLike[str] | None = None) -> Path:
    """Keep every program JAX compiles from now on in a folder on disk, and reuse it in later processes.

    This changes JAX's global configuration (``jax_compilation_cache_dir``, and caches programs however fast they
    compiled), which is why flaim's library functions never do it unasked.

    Args:
        path: the folder (created if missing); default `cache_dir()`.

    Returns:
        The folder used.
    """
    import jax

    folder = Path(path).expanduser() if path is not None else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    return folder


def usage(folder: Path) -> tuple[int, int]:
    """``(files, bytes)`` held in `folder` (0, 0 when it does not exist)."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def clear(folder: Path) -> None:
    """Remove the cache folder and everything in it."""
    shutil.rmtree(folder, ignore_errors=True)
