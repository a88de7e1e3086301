"""Install a module as a fake distribution with a flaim.plugins entry point (no pip needed)."""

from __future__ import annotations

import shutil
from pathlib import Path


def install_fake_dist(root: Path, dist: str, module: str, source: str | Path, entry_point: str | None = None) -> None:
    """Make `module` importable from `root` and register it as distribution `dist` in the flaim.plugins group.

    The entry point is named `entry_point` (default: the distribution's name).
    """
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[flaim.plugins]\n{entry_point or dist} = {module}\n")
    target = root / f"{module}.py"
    if isinstance(source, Path):
        shutil.copy(source, target)
    else:
        target.write_text(source)
