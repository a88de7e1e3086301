"""A new user's first minutes, flaim vs timm: whole-process wall times, each case run as a fresh process.

- ``init``: random init, ``flaim.get_model(name)`` against ``timm.create_model(name)``.
- ``first``: classify a photo with local weights, ``flaim predict IMAGE --model NAME --weights DIR`` with an empty
  compilation cache, against a timm script doing the same (load the file, timm's eval transform, top-5 labels).
- ``repeat``: the same prediction again, flaim's compilation cache now warm.
- ``head``: the pretrained file with a fresh 10-way classifier, ``get_model(name, pretrained=DIR, n_classes=10)``
  against ``timm.create_model(name, pretrained=True, num_classes=10, ...)``.

The weights are a randomised timm model saved as timm saves for the Hub (no network needed). flaim and timm take
turns, the order alternating every round; the median over rounds and the flaim/timm ratio are printed.
Needs torch and timm next to flaim and the model's family plugin.

    python benchmarks/first_contact.py resnet50 convnext_tiny vit_base_patch16_224 --rounds 3 [--cases init head]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

CASES = ("init", "first", "head", "repeat")
IMAGE = str(files("flaim.data") / "samples" / "cat.jpg")
FLAIM = str(Path(sys.executable).parent / "flaim")

FLAIM_INIT = "import jax, flaim; jax.block_until_ready(flaim.get_model({name!r})[1])"
TIMM_INIT = "import timm; timm.create_model({name!r})"
FLAIM_HEAD = (
    "import jax, flaim; jax.block_until_ready(flaim.get_model({name!r}, pretrained={folder!r}, n_classes=10)[1])"
)
TIMM_HEAD = (
    "import timm; timm.create_model({name!r}, pretrained=True, num_classes=10, "
    "pretrained_cfg_overlay={{'file': {weights!r}}})"
)
TIMM_PREDICT = """
import timm, timm.data, torch
from PIL import Image
torch.set_grad_enabled(False)
model = timm.create_model({name!r}, pretrained=True, pretrained_cfg_overlay=dict(file={weights!r})).eval()
config = timm.data.resolve_data_config(model=model)
x = timm.data.create_transform(**config)(Image.open({image!r}).convert("RGB"))[None]
probs, idx = model(x).softmax(-1)[0].topk(5)
labels = timm.data.ImageNetInfo().index_to_description
for p, i in zip(probs.tolist(), idx.tolist()):
    print(f"{{p:7.2%}}  {{labels(i)}}")
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds from starting `cmd` to its exit (which must be 0)."""
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed:\n{result.stderr}")
    return elapsed


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def bench(name: str, rounds: int, work: Path, only: list[str]) -> dict[str, tuple[float, float]]:
    """Median wall seconds ``{case: (flaim, timm)}`` for one model."""
    import timm

    from flaim.testing import randomize_timm, save_timm_checkpoint

    folder = work / name
    weights = str(save_timm_checkpoint(randomize_timm(timm.create_model(name)), folder))
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("FLAIM_NO_COMPILE_CACHE", None)
    warm = work / f"{name}-warm-cache"
    predict = [FLAIM, "predict", IMAGE, "--model", name, "--weights", str(folder)]
    if "repeat" in only:
        timed(predict, {**env, "FLAIM_COMPILE_CACHE_DIR": str(warm)})  # fills the warm cache
    timm_predict = [sys.executable, "-c", TIMM_PREDICT.format(name=name, weights=weights, image=IMAGE)]
    cases = {
        "init": (
            lambda: timed([sys.executable, "-c", FLAIM_INIT.format(name=name)], env),
            lambda: timed([sys.executable, "-c", TIMM_INIT.format(name=name)], env),
        ),
        "first": (lambda: cold(predict, env, work), lambda: timed(timm_predict, env)),
        "head": (
            lambda: timed([sys.executable, "-c", FLAIM_HEAD.format(name=name, folder=str(folder))], env),
            lambda: timed([sys.executable, "-c", TIMM_HEAD.format(name=name, weights=weights)], env),
        ),
        "repeat": (
            lambda: timed(predict, {**env, "FLAIM_COMPILE_CACHE_DIR": str(warm)}),
            lambda: timed(timm_predict, env),
        ),
    }
    medians = {}
    for case, (run_flaim, run_timm) in [(case, cases[case]) for case in only]:
        times: dict[str, list[float]] = {"flaim": [], "timm": []}
        for i in range(rounds):
            order = [("flaim", run_flaim), ("timm", run_timm)]
            for framework, run in order if i % 2 == 0 else order[::-1]:
                times[framework].append(run())
            print(
                f"  {name} {case} round {i}: flaim {times['flaim'][-1]:.2f} s, timm {times['timm'][-1]:.2f} s",
                flush=True,
            )
        medians[case] = (statistics.median(times["flaim"]), statistics.median(times["timm"]))
    return medians


def cold(cmd: list[str], env: dict[str, str], work: Path) -> float:
    """`cmd` timed with an empty compilation cache."""
    cache = Path(tempfile.mkdtemp(dir=work))
    try:
        return timed(cmd, {**env, "FLAIM_COMPILE_CACHE_DIR": str(cache)})
    finally:
        shutil.rmtree(cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="*", default=["resnet50", "convnext_tiny", "vit_base_patch16_224"])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per case (median reported)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES), help="which cases to time")
    args = parser.parse_args()
    print(f"whole-process wall times, median of {args.rounds} alternating rounds; CPU: {cpu_name()}")
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name in args.models:
            results[name] = bench(name, args.rounds, Path(work), args.cases)
    print(f"\n{'model':<24}{'case':<8}{'flaim s':>9}{'timm s':>9}{'flaim/timm':>12}")
    for name, medians in results.items():
        for case, (flaim_s, timm_s) in medians.items():
            print(f"{name:<24}{case:<8}{flaim_s:>9.2f}{timm_s:>9.2f}{flaim_s / timm_s:>11.2f}x")


if __name__ == "__main__":
    main()
