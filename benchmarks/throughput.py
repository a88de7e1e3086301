"""flaim vs timm inference throughput, side by side.

Each framework runs in its own worker process (a torch thread pool spinning in the same process would slow XLA);
the workers take turns, A/B alternated, so both see the same machine load. Prints images/s per round and the
flaim/timm ratio (median over rounds). Needs torch and timm next to flaim and the model's family plugin.

    python benchmarks/throughput.py resnet50 --batch 1 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def worker(framework: str, model_name: str, batch: int, size: int) -> None:
    """Build the model, warm up, then answer each 'run <seconds>' line on stdin with images/s on stdout."""
    import numpy as np

    x = np.random.default_rng(0).standard_normal((batch, size, size, 3), dtype=np.float32)
    if framework == "flaim":
        import jax

        import flaim

        model, variables = flaim.get_model(model_name, pretrained=False)
        forward = flaim.jit(lambda v, x: model.apply(v, x, training=False))
        xs = jax.device_put(x)

        def step() -> None:
            forward(variables, xs).block_until_ready()

    else:
        import timm
        import torch

        torch.set_grad_enabled(False)
        net = timm.create_model(model_name, pretrained=False).eval()
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())

        def step() -> None:
            net(xt)

    for _ in range(3):
        step()
    print("ready", flush=True)
    for line in sys.stdin:
        budget = float(line.split()[1])
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < budget or count < 2:
            step()
            count += 1
        print(json.dumps({"img_per_s": count * batch / elapsed}), flush=True)


def spawn(framework: str, args: argparse.Namespace, batch: int) -> subprocess.Popen[str]:
    cmd = [sys.executable, __file__, "--worker", framework, args.model, "--batch", str(batch), "--size", str(args.size)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"{framework} worker failed to start for {args.model}")
    return proc


def measure(proc: subprocess.Popen[str], seconds: float) -> float:
    proc.stdin.write(f"run {seconds}\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())["img_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="timm/flaim architecture name, e.g. resnet50")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds per batch size")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per turn")
    parser.add_argument("--pause", type=float, default=1.0, help="idle seconds between turns (lets thread pools sleep)")
    parser.add_argument("--worker", choices=["flaim", "timm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.model, args.batch[0], args.size)
        return
    print(f"{args.model} {args.size}px fp32, {args.rounds} alternating rounds of {args.seconds:g}s per framework")
    for batch in args.batch:
        procs = {name: spawn(name, args, batch) for name in ("flaim", "timm")}
        ratios = []
        for i in range(args.rounds):
            order = ("flaim", "timm") if i % 2 == 0 else ("timm", "flaim")
            rates = {}
            for name in order:
                time.sleep(args.pause)
                rates[name] = measure(procs[name], args.seconds)
            ratios.append(rates["flaim"] / rates["timm"])
            print(
                f"  batch {batch} round {i}: flaim {rates['flaim']:.2f} img/s, timm {rates['timm']:.2f} img/s, "
                f"ratio {ratios[-1]:.3f}"
            )
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
        print(
            f"batch {batch}: flaim/timm throughput ratio {statistics.median(ratios):.3f} "
            f"(median of {args.rounds}; min {min(ratios):.3f}, max {max(ratios):.3f})"
        )


if __name__ == "__main__":
    main()
