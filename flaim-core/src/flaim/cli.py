"""The ``flaim`` command: list models, describe one, show the installed plugins, classify images.

Mistakes a user can make (a bad name, a missing or unreadable image, no weights offline) end with one line on
stderr and exit status 1; bad arguments with argparse's usage message and status 2. `predict` reports the images it
could read and one error line per image it could not, and then exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import importlib_metadata
import numpy as np

import flaim
from flaim.data import DataConfig, ImageError, decode_predictions, preprocess, resolve_data_config, synsets
from flaim.errors import AmbiguousModelError, PluginError, UnknownModelError, UnknownTagError, WeightsError
from flaim.registry import REGISTRY
from flaim.specs import PretrainedCfg

DEFAULT_MODEL = "resnet50.a1_in1k"
_BATCH = 32  # images per forward pass in `predict`
_NO_PLUGINS = "flaim: no model plugins are installed; install a family, e.g. pip install flaim-resnet"


class CommandError(Exception):
    """A user mistake the command line reports in one line."""


_USER_ERRORS = (
    AmbiguousModelError,
    CommandError,
    FileNotFoundError,
    ImageError,
    PluginError,
    UnknownModelError,
    UnknownTagError,
    WeightsError,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``flaim`` command line with `argv` (default: ``sys.argv[1:]``); returns the exit status."""
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            status = args.run(args)
        except _USER_ERRORS as exc:
            print(f"flaim: error: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:  # e.g. `flaim list | head`: silence the flush at exit too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return status or 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flaim", description="Flax Image Models: timm's architectures and pretrained weights in JAX/Flax."
    )
    parser.add_argument("--version", action="version", version=f"flaim {importlib_metadata.version('flaim-core')}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    sub = _command(commands, "list", _list, "list architecture names, or name.tag entries with --pretrained")
    sub.add_argument("pattern", nargs="?", metavar="PATTERN", help="regular expression searched in each name")
    sub.add_argument("--pretrained", action="store_true", help="list name.tag entries that have weights")

    sub = _command(commands, "info", _info, "describe an architecture and its pretrained tag")
    sub.add_argument("model", metavar="NAME[.TAG]")

    _command(commands, "plugins", _plugins, "list installed model plugins, their model counts and load errors")

    sub = _command(commands, "predict", _predict, "classify images with a pretrained model")
    sub.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, WebP, ...)")
    sub.add_argument("--model", default=DEFAULT_MODEL, metavar="NAME.TAG", help=f"default: {DEFAULT_MODEL}")
    sub.add_argument("--top-k", type=_positive_int, default=5, metavar="K", help="classes per image (default: 5)")
    sub.add_argument(
        "--weights", metavar="PATH", help="a .safetensors file or folder (or hf-hub:REPO) instead of the Hub tag"
    )
    sub.add_argument("--json", action="store_true", help="print JSON for scripts instead of a table")

    sub = _command(commands, "new-plugin", _new_plugin, "write a plugin project that passes its own tests")
    sub.add_argument("name", metavar="NAME", help="family name: lowercase letters, digits, '_' (flaim-NAME)")
    sub.add_argument("--dir", default=".", metavar="DIR", help="folder to create the project in (default: .)")

    sub = _command(commands, "cache", _cache, "show the size of flaim's compilation cache, or clear it")
    sub.add_argument("--clear", action="store_true", help="remove every cached program")
    return parser


def _command(commands: Any, name: str, run: Callable[[argparse.Namespace], None], summary: str) -> Any:
    sub = commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
    sub.set_defaults(run=run)
    return sub


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    print(f"flaim: warning: {message}", file=sys.stderr)


# -- list, info, plugins --------------------------------------------------------------------------------------
def _list(args: argparse.Namespace) -> None:
    try:
        names = flaim.list_models(args.pattern, pretrained=args.pretrained)
    except re.error as exc:
        raise CommandError(
            f"PATTERN {args.pattern!r} is not a valid regular expression ({exc}); it is searched in each name, "
            f"e.g. '^resnet5' or 'patch16_224'"
        ) from None
    if not names:
        print("flaim: no models match" if flaim.list_plugins() else _NO_PLUGINS, file=sys.stderr)
    for name in names:
        print(name)


def _info(args: argparse.Namespace) -> None:
    spec, tag = REGISTRY.resolve(args.model)
    cfg = spec.pretrained_cfg(tag)
    name = f"{spec.name}.{cfg.tag}" if cfg else spec.name
    dist = args.model.split(":", 1)[0] + ":" if ":" in args.model else ""  # keeps a chosen distribution
    rows = [("model", name), ("family", spec.family), ("parameters", f"{_count_params(dist + name):,}")]
    if cfg is not None:
        data = resolve_data_config(cfg)
        height, width = data.img_size
        rows += [
            ("classes", f"{cfg.num_classes}" + (f" ({cfg.label_set})" if cfg.label_set else "")),
            ("input size", f"{height}×{width}"),
            ("preprocess", f"{data.crop_mode} crop, crop_pct {data.crop_pct}, {data.interpolation}"),
            ("mean", _floats(data.mean)),
            ("std", _floats(data.std)),
            ("license", cfg.license or "unknown"),
            ("hub repo", f"{cfg.hf_hub_id} (https://huggingface.co/{cfg.hf_hub_id})"),
        ]
    tags = [f"{t} (default)" if i == 0 else t for i, t in enumerate(spec.tags)]
    rows.append(("tags", ", ".join(tags) or "none: no pretrained weights"))
    _print_rows(rows)


def _new_plugin(args: argparse.Namespace) -> None:
    from flaim.scaffold import new_plugin

    try:
        root = new_plugin(args.name, args.dir)
    except (ValueError, FileExistsError) as exc:
        raise CommandError(str(exc)) from None
    print(f"wrote {root}; next: pip install -e '{root}[test]' && pytest {root / 'tests'}")


def _count_params(name: str) -> int:
    import jax

    from flaim.convert import flatten

    shapes = jax.eval_shape(lambda: flaim.get_model(name, jit=False)[1])
    return sum(math.prod(leaf.shape) for key, leaf in flatten(shapes).items() if key.startswith("params/"))


def _floats(values: Sequence[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _plugins(args: argparse.Namespace) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the table reports broken plugins itself
        infos = flaim.list_plugins()
    if not infos:
        print(_NO_PLUGINS, file=sys.stderr)
        return
    rows = [("plugin", "distribution", "version", "models", "status")]
    rows += [
        (p.name, p.distribution, p.version, str(p.n_models), f"error: {p.error}" if p.error else p.disabled or "ok")
        for p in infos
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _print_rows(rows: Sequence[tuple[str, str]]) -> None:
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key + ':':<{width + 1}}  {value}")


def _cache(args: argparse.Namespace) -> None:
    from flaim import compile_cache

    folder = compile_cache.cache_dir()
    files, size = compile_cache.usage(folder)
    if args.clear:
        compile_cache.clear(folder)
        print(f"removed {folder} ({files} files, {size / 2**20:.1f} MiB)")
        return
    state = f"off ({compile_cache.OFF_ENV} is set)" if compile_cache.disabled() else "on"
    _print_rows([("folder", str(folder)), ("files", str(files)), ("size", f"{size / 2**20:.1f} MiB"), ("use", state)])


# -- predict ----------------------------------------------------------------------------------------------------
def _predict(args: argparse.Namespace) -> int:
    spec, tag = REGISTRY.resolve(args.model)
    cfg = spec.pretrained_cfg(tag)
    if cfg is None and not args.weights:
        raise CommandError(f"'{spec.name}' has no pretrained weights; pass --weights PATH")
    if cfg is not None and cfg.num_classes <= 0 and not args.weights:
        raise CommandError(
            f"'{spec.name}.{cfg.tag}' outputs image features, not classes (its checkpoint has no classifier); "
            f"pick a classifier tag from: flaim list '^{spec.name}[.]' --pretrained"
        )
    model_name = f"{spec.name}.{cfg.tag}" if cfg else spec.name
    pixels, errors = _read_images(args.images, resolve_data_config(cfg) if cfg else DataConfig())
    results: dict[str, Any] = {}
    source: Path | None = None
    if pixels:
        source = _weights_file(cfg, args.weights)
        logits = _logits(args.model, source, np.stack(list(pixels.values())))
        label_set, n_classes = (cfg.label_set if cfg else None), logits.shape[-1]
        if label_set is not None and len(synsets(label_set)) != n_classes:
            print(
                f"flaim: warning: the model gives {n_classes} classes, not the {len(synsets(label_set))} of "
                f"'{label_set}'; naming classes by index",
                file=sys.stderr,
            )
            label_set = None
        results = dict(zip(pixels, decode_predictions(logits, label_set, args.top_k), strict=True))
    if args.json:
        records = [
            {"image": image, "error": errors[image]}
            if image in errors
            else {
                "image": image,
                "model": model_name,
                "weights": str(source),
                "predictions": [p._asdict() for p in results[image]],
            }
            for image in args.images
        ]
        print(json.dumps(records, indent=2))
    title = f"{model_name}, weights {args.weights}" if args.weights else model_name
    shown = 0
    for image in args.images:
        if image in errors:
            print(f"flaim: error: {errors[image]}", file=sys.stderr)
        elif not args.json:
            print(("\n" if shown else "") + f"{image}  ({title})")
            shown += 1
            for rank, p in enumerate(results[image], 1):
                print(f"  {rank:>2}  {p.probability:7.2%}  {p.label}")
    return 1 if errors else 0


def _read_images(images: Sequence[str], config: DataConfig) -> tuple[dict[str, Any], dict[str, str]]:
    """Each image preprocessed, by path, and the error message of each image that could not be read."""
    pixels, errors = {}, {}
    for image in images:
        try:
            pixels[image] = preprocess(image, config)
        except (FileNotFoundError, ImageError) as exc:
            errors[image] = str(exc)
    return pixels, errors


def _weights_file(cfg: PretrainedCfg | None, weights_arg: str | None) -> Path:
    """The weights to load: `weights_arg` (a file, folder or ``hf-hub:`` reference), else the tag's Hub file."""
    from flaim import weights

    if weights_arg:
        ref = weights_arg if weights_arg.startswith("hf-hub:") else str(Path(weights_arg).expanduser().absolute())
        return weights.locate(ref)
    try:
        return weights.hub_file(cfg.hf_hub_id)
    except WeightsError as exc:
        raise WeightsError(f"{exc} From the command line, pass --weights /path/to/model.safetensors.") from None


def _logits(name: str, source: Path, batch: Any) -> Any:
    """Build `name` with the weights in `source` and run it over `batch`, `_BATCH` images at a time."""
    from flaim import compile_cache

    if not compile_cache.disabled():
        compile_cache.enable_compilation_cache()
    model, variables = flaim.get_model(name, pretrained=str(source))
    forward = _forward(model)
    return np.concatenate([np.asarray(forward(variables, batch[i : i + _BATCH])) for i in range(0, len(batch), _BATCH)])


def _forward(model: Any) -> Any:
    """``(variables, x) → logits``, compiled. The variables are arguments: closed over, they would be constants
    that XLA folds into a program as large as the model, compiled slowly and cached as large."""
    return flaim.jit(lambda variables, x: model.apply(variables, x, training=False))


if __name__ == "__main__":
    sys.exit(main())
