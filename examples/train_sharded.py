"""Data-parallel + FSDP training of a flaim model on every local device, with a plain optax loop.

    pip install "flaim-core[train]" flaim-vit
    python examples/train_sharded.py --model vit_base_patch16_224 --steps 20

The parameters and the optimiser state are split over the mesh axis "data" (FSDP, `flaim.sharding`), and every
step's batch is split over the same axis (data parallelism): XLA gathers the weights each layer needs and reduces
the gradients across devices. The data here is synthetic (a fixed set of random images, so the loss falls); replace
`synthetic_batches` with your pipeline.

Several hosts: start this same script on every host with ``--multi-host``. It calls ``jax.distributed.initialize()``,
which finds the other processes by itself on SLURM, Open MPI, Cloud TPU and GKE; elsewhere give ``--coordinator
host0:1234 --num-processes N --process-id I``. The mesh then spans the devices of every host, each process reads only
its own part of each batch and places only its own devices' shards of the weights.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence

import jax
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

import flaim
from flaim.sharding import param_shardings


def synthetic_batches(
    batch_size: int, img_size: int, n_classes: int, seed: int = 0
) -> Iterator[tuple[np.ndarray, ...]]:
    """This process's share of each global batch: (images NHWC, labels), cycling over 4 batches of random data."""
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((4 * batch_size, img_size, img_size, 3), dtype=np.float32)
    labels = rng.integers(0, n_classes, 4 * batch_size, dtype=np.int32)
    local = batch_size // jax.process_count()
    for step in range(10**9):
        start = (step % 4) * batch_size + jax.process_index() * local
        yield images[start : start + local], labels[start : start + local]


def main(argv: Sequence[str] | None = None) -> list[float]:
    """Train for ``--steps`` steps and return the loss of each step."""
    args = parse_args(argv)
    if args.multi_host:
        jax.distributed.initialize(args.coordinator, args.num_processes, args.process_id)
    devices = jax.devices()[: args.devices] if args.devices else jax.devices()
    if args.batch_size % len(devices):
        raise SystemExit(f"--batch-size {args.batch_size} must be a multiple of the {len(devices)} devices.")
    mesh = Mesh(devices, ("data",))
    model_kwargs = {"img_size": args.img_size} if args.img_size else {}
    model, variables = flaim.get_model(
        args.model, pretrained=args.pretrained or False, mesh=mesh, sharding=args.sharding, **model_kwargs
    )
    img_size = args.img_size or flaim.get_pretrained_cfg(args.model)["input_size"][-1]

    optimizer = optax.adamw(args.lr, weight_decay=0.05)
    opt_shapes = jax.eval_shape(optimizer.init, variables["params"])
    opt_shardings = param_shardings(opt_shapes, mesh, args.sharding)  # shaped like the params: sharded like them
    opt_state = jax.jit(optimizer.init, out_shardings=opt_shardings)(variables["params"])
    var_shardings = jax.tree.map(lambda x: x.sharding, variables)
    batch = NamedSharding(mesh, PartitionSpec("data"))

    def loss_fn(params, others, images, labels, key):
        logits, updates = model.apply(
            {"params": params, **others}, images, training=True, mutable=["batch_stats"], rngs={"dropout": key}
        )
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean(), updates

    def train_step(variables, opt_state, images, labels, key):
        others = {k: v for k, v in variables.items() if k != "params"}
        (loss, updates), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            variables["params"], others, images, labels, key
        )
        changes, opt_state = optimizer.update(grads, opt_state, variables["params"])
        return {**variables, **updates, "params": optax.apply_updates(variables["params"], changes)}, opt_state, loss

    # the state stays where it started (FSDP shards in, FSDP shards out) and is updated in place
    out_shardings = (var_shardings, opt_shardings, NamedSharding(mesh, PartitionSpec()))
    train_step = jax.jit(train_step, out_shardings=out_shardings, donate_argnums=(0, 1))

    losses = []
    data = synthetic_batches(args.batch_size, img_size, model.n_classes, args.seed)
    for step in range(args.steps):
        start = time.perf_counter()
        images, labels = (jax.make_array_from_process_local_data(batch, part) for part in next(data))
        key = jax.random.fold_in(jax.random.key(args.seed), step)
        variables, opt_state, loss = train_step(variables, opt_state, images, labels, key)
        losses.append(float(loss))
        if jax.process_index() == 0:
            print(f"step {step + 1}: loss {losses[-1]:.4f} ({time.perf_counter() - start:.2f} s)", flush=True)
    return losses


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="vit_base_patch16_224", help="flaim model name (name or name.tag)")
    parser.add_argument("--pretrained", help="start from these weights (True, a tag or a path); default: random")
    parser.add_argument("--img-size", type=int, help="ViTs: input size (position embeddings follow)")
    parser.add_argument("--batch-size", type=int, default=32, help="global batch, a multiple of the device count")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--sharding", default="fsdp", choices=("fsdp", "replicate"), help="parameter placement")
    parser.add_argument("--devices", type=int, help="use the first N devices (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--multi-host", action="store_true", help="call jax.distributed.initialize() first")
    parser.add_argument("--coordinator", help="with --multi-host where not detected: host:port of process 0")
    parser.add_argument("--num-processes", type=int, help="with --multi-host where not detected")
    parser.add_argument("--process-id", type=int, help="with --multi-host where not detected")
    args = parser.parse_args(argv)
    if args.pretrained == "True":
        args.pretrained = True
    return args


if __name__ == "__main__":
    main()
