"""Fine-tune a flaim model on scikit-learn's handwritten digits (1797 scans of 8×8 pixels, no download), save it,
load it back and report test accuracy.

    pip install "flaim-core[train]" flaim-resnet scikit-learn
    python examples/finetune.py --model resnet10t --img-size 32 --epochs 3            # from random init
    python examples/finetune.py --model resnet50.a1_in1k --pretrained --img-size 64   # from timm's weights (Hub)
    python examples/finetune.py --model resnet50 --weights ./model.safetensors        # from a local file
"""

from __future__ import annotations

import argparse
import tempfile

import jax
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import flaim
from flaim.data import resolve_data_config
from flaim.optim import create_optimizer
from flaim.train import TrainState, make_eval_step, make_train_step

N_CLASSES = 10


def digits(img_size: int, mean: tuple[float, ...], std: tuple[float, ...], limit: int | None, seed: int):
    """Train / test images as normalised NHWC float32 RGB, upsampled from 8×8 to `img_size`."""
    data = load_digits()
    images, labels = data.images[:limit] / 16.0, data.target[:limit]
    images = jax.image.resize(images[..., None].repeat(3, -1), (len(images), img_size, img_size, 3), "bilinear")
    images = (np.asarray(images, np.float32) - np.float32(mean)) / np.float32(std)
    return train_test_split(images, labels, test_size=0.25, stratify=labels, random_state=seed)


def batches(images: np.ndarray, labels: np.ndarray, size: int, rng: np.random.Generator | None = None):
    """Full batches in a shuffled order when `rng` is given; every sample, in order, otherwise."""
    order = rng.permutation(len(images)) if rng is not None else np.arange(len(images))
    stop = len(images) - len(images) % size if rng is not None else len(images)
    for i in range(0, stop, size):
        idx = order[i : i + size]
        yield images[idx], labels[idx]


def accuracy(eval_step, state: TrainState, images: np.ndarray, labels: np.ndarray, batch_size: int) -> float:
    correct = sum(int((eval_step(state, x).argmax(-1) == y).sum()) for x, y in batches(images, labels, batch_size))
    return correct / len(images)


def load_model(args: argparse.Namespace, pretrained: bool | str):
    """``get_model`` with a fresh 10-way head; ViTs are built for the input size, CNNs take any."""
    kwargs = dict(pretrained=pretrained, n_classes=N_CLASSES, prng=jax.random.key(args.seed))
    try:
        return flaim.get_model(args.model, img_size=args.img_size, drop_path_rate=args.drop_path, **kwargs)
    except TypeError as error:  # a model without an img_size argument
        if "img_size" not in str(error):
            raise
        return flaim.get_model(args.model, drop_path_rate=args.drop_path, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet10t", help="name or name.tag")
    parser.add_argument("--pretrained", action="store_true", help="start from the tag's weights on the Hub")
    parser.add_argument("--weights", help="start from a local .safetensors file or folder instead")
    parser.add_argument("--img-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--layer-decay", type=float, default=None, help="e.g. 0.75 when fine-tuning a ViT")
    parser.add_argument("--smoothing", type=float, default=0.1)
    parser.add_argument("--drop-path", type=float, default=0.0)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images (quick runs)")
    parser.add_argument("--out", help="where to write the fine-tuned model (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    model, variables = load_model(args, args.weights or args.pretrained)
    cfg = resolve_data_config(args.model)  # the normalisation the model's weights were trained with
    x_train, x_test, y_train, y_test = digits(args.img_size, cfg.mean, cfg.std, args.limit, args.seed)

    steps_per_epoch = len(x_train) // args.batch_size
    total = args.epochs * steps_per_epoch
    tx = create_optimizer(
        args.model,
        variables["params"],
        lr=args.lr,
        weight_decay=args.weight_decay,
        layer_decay=args.layer_decay,
        warmup_steps=min(steps_per_epoch, total // 5),
        total_steps=total,
    )
    state = TrainState.create(variables, tx, jax.random.key(args.seed))
    train_step, eval_step = make_train_step(model, label_smoothing=args.smoothing), make_eval_step(model)

    rng = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        bar = tqdm(batches(x_train, y_train, args.batch_size, rng), total=steps_per_epoch, desc=f"epoch {epoch + 1}")
        for images, labels in bar:
            state, metrics = train_step(state, images, labels)
            bar.set_postfix(loss=f"{float(metrics['loss']):.3f}")
        print(f"epoch {epoch + 1}: test accuracy {accuracy(eval_step, state, x_test, y_test, args.batch_size):.3f}")

    out = args.out or tempfile.mkdtemp(prefix="flaim-finetune-")
    flaim.save_pretrained(state.variables, out, args.model, model=model)  # config.json records the model's arguments
    model, variables = flaim.get_model(args.model, pretrained=out, n_classes=N_CLASSES)
    reloaded = TrainState.create(variables, tx, state.rng)
    print(f"saved to {out} and loaded back")
    print(f"test accuracy: {accuracy(make_eval_step(model), reloaded, x_test, y_test, args.batch_size):.3f}")


if __name__ == "__main__":
    main()
