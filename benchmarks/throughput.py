"""flaim vs timm throughput, side by side: inference, or a full training step.

Each framework runs in its own worker process (a torch thread pool spinning in the same process would slow XLA);
the workers take turns, A/B alternated, so both see the same machine load. Prints images/s per round and the
flaim/timm ratio (median over rounds). Needs torch and timm next to flaim and the model's family plugin.

The train step is the same on both sides: forward in training mode (BatchNorm batch statistics, running-stat
updates), softmax cross-entropy, backward, SGD with momentum 0.9; drop rates 0, state carried between steps.

    python benchmarks/throughput.py resnet50 --batch 1 8
    python benchmarks/throughput.py convnext_tiny --bench train --batch 8 --rounds 3
    python benchmarks/throughput.py vit_base_patch16_224 --bench both --dtype bfloat16 --device gpu
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def worker(framework: str, args: argparse.Namespace) -> None:
    """Build the model, warm up, then answer each 'run <seconds>' line on stdin with images/s on stdout."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch[0], args.size, args.size, 3), dtype=np.float32)
    labels = rng.integers(0, 1000, args.batch[0])
    step = (flaim_step if framework == "flaim" else timm_step)(args, x, labels)
    for _ in range(3):
        step()
    print("ready", flush=True)
    for line in sys.stdin:
        budget = float(line.split()[1])
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < budget or count < 2:
            step()
            count += 1
        print(json.dumps({"img_per_s": count * len(x) / elapsed}), flush=True)


def flaim_step(args: argparse.Namespace, x: Any, labels: Any) -> Callable[[], None]:
    """One inference forward, or one train step (forward with batch statistics, softmax cross-entropy, backward,
    SGD with momentum 0.9) carrying parameters, BatchNorm statistics and optimiser state, its buffers donated."""
    import jax
    import jax.numpy as jnp
    import optax

    import flaim

    device = jax.devices(args.device)[0]
    dtype = jnp.bfloat16 if args.dtype == "bfloat16" else jnp.float32
    with jax.default_device(device):
        model, variables = flaim.get_model(args.model, pretrained=False, dtype=dtype)
    variables = jax.device_put(variables, device)
    xs, ys = jax.device_put(x, device), jax.device_put(labels, device)
    if args.bench == "infer":
        forward = flaim.jit(lambda v, x: model.apply(v, x, training=False))
        return lambda: forward(variables, xs).block_until_ready()

    tx = optax.sgd(args.lr, momentum=0.9)

    def train_step(state: tuple[Any, Any, Any], x: Any, y: Any) -> tuple[tuple[Any, Any, Any], Any]:
        params, batch_stats, opt_state = state

        def loss_fn(params: Any) -> tuple[Any, Any]:
            logits, updates = model.apply(
                {"params": params, "batch_stats": batch_stats}, x, training=True, mutable=["batch_stats"]
            )
            loss = optax.softmax_cross_entropy_with_integer_labels(logits.astype(jnp.float32), y).mean()
            return loss, updates.get("batch_stats", {})

        (loss, batch_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), batch_stats, opt_state), loss

    compiled = flaim.jit(train_step, donate_argnums=0)
    params = variables["params"]
    state = [(params, variables.get("batch_stats", {}), tx.init(params))]

    def step() -> None:
        state[0], loss = compiled(state[0], xs, ys)
        loss.block_until_ready()

    return step


def timm_step(args: argparse.Namespace, x: Any, labels: Any) -> Callable[[], None]:
    """timm's counterpart of `flaim_step`: ``.eval()`` forward under no_grad, or ``.train()`` forward,
    ``cross_entropy``, ``backward`` and ``torch.optim.SGD(momentum=0.9).step()``; bf16 through ``torch.autocast``."""
    import timm
    import torch

    device = torch.device("cuda" if args.device == "gpu" else "cpu")
    net = timm.create_model(args.model, pretrained=False, drop_rate=0.0, drop_path_rate=0.0).to(device)
    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).to(device)
    yt = torch.from_numpy(labels).to(device)
    autocast = torch.autocast(device.type, torch.bfloat16, enabled=args.dtype == "bfloat16")
    sync = torch.cuda.synchronize if device.type == "cuda" else lambda: None
    if args.bench == "infer":
        net.eval()

        def infer() -> None:
            with torch.no_grad(), autocast:
                net(xt)
            sync()

        return infer

    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)

    def train() -> None:
        optimizer.zero_grad(set_to_none=True)
        with autocast:
            loss = torch.nn.functional.cross_entropy(net(xt), yt)
        loss.backward()
        optimizer.step()
        sync()

    return train


def machine(device: str) -> str:
    """The CPU's model name (lscpu) and core count, and the GPU's name when benchmarking on one."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lscpu().splitlines() if line.startswith("Model name")), "unknown"
    )
    text = f"CPU {cpu}, {os.cpu_count()} cores"
    if device == "gpu":
        import jax

        text += f"; GPU {jax.devices('gpu')[0].device_kind}"
    return text


def _lscpu() -> str:
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def spawn(framework: str, args: argparse.Namespace, bench: str, batch: int) -> subprocess.Popen[str]:
    cmd = [sys.executable, __file__, "--worker", framework, args.model, "--bench", bench, "--batch", str(batch)]
    cmd += ["--size", str(args.size), "--dtype", args.dtype, "--device", args.device, "--lr", str(args.lr)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        raise SystemExit(f"{framework} {bench} worker failed to start for {args.model}")
    return proc


def measure(proc: subprocess.Popen[str], seconds: float) -> float:
    proc.stdin.write(f"run {seconds}\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())["img_per_s"]


def compare(args: argparse.Namespace, bench: str, batch: int) -> None:
    """Alternate the two workers for `args.rounds` rounds; print each round and the median flaim/timm ratio."""
    procs = {name: spawn(name, args, bench, batch) for name in ("flaim", "timm")}
    ratios = []
    for i in range(args.rounds):
        order = ("flaim", "timm") if i % 2 == 0 else ("timm", "flaim")
        rates = {}
        for name in order:
            time.sleep(args.pause)
            rates[name] = measure(procs[name], args.seconds)
        ratios.append(rates["flaim"] / rates["timm"])
        print(
            f"  {bench} batch {batch} round {i}: flaim {rates['flaim']:.2f} img/s, timm {rates['timm']:.2f} img/s, "
            f"ratio {ratios[-1]:.3f}",
            flush=True,
        )
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    print(
        f"{bench} batch {batch}: flaim/timm throughput ratio {statistics.median(ratios):.3f} "
        f"(median of {args.rounds}; rounds {', '.join(f'{r:.3f}' for r in ratios)})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="timm/flaim architecture name, e.g. resnet50")
    parser.add_argument("--bench", choices=["infer", "train", "both"], default="infer")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32", help="compute dtype")
    parser.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--lr", type=float, default=1e-3, help="SGD learning rate of the train step")
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds per batch size")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per turn")
    parser.add_argument("--pause", type=float, default=1.0, help="idle seconds between turns (lets thread pools sleep)")
    parser.add_argument("--worker", choices=["flaim", "timm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args)
        return
    print(
        f"{args.model} {args.size}px {args.dtype} on {machine(args.device)}; "
        f"{args.rounds} alternating rounds of {args.seconds:g}s per framework",
        flush=True,
    )
    for bench in ("infer", "train") if args.bench == "both" else (args.bench,):
        for batch in args.batch:
            compare(args, bench, batch)


if __name__ == "__main__":
    main()
