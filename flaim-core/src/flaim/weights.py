"""Where weights come from (Hub tag, ``hf-hub:`` repo, local file or folder) and how they are read and saved.

Only safetensors files are read, with numpy: flaim never unpickles anything.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flaim.errors import WeightsError

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
NATIVE_FORMAT = "flaim"
TIMM_FORMAT = "timm"


@dataclass(frozen=True)
class Checkpoint:
    """A read checkpoint: flat tensors, and whether they are already in flaim's layout."""

    path: Path
    tensors: dict[str, np.ndarray]
    native: bool


def hub_file(repo_id: str, revision: str | None = None) -> Path:
    """Download (or find in the cache) ``model.safetensors`` of a Hub repo.

    Raises:
        WeightsError: the repo, revision or file does not exist, or the machine is offline with nothing cached.
    """
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        HFValidationError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        return Path(hf_hub_download(repo_id, WEIGHTS_FILE, revision=revision))
    except HFValidationError as exc:
        raise WeightsError(
            f"'hf-hub:{repo_id}{'@' + revision if revision else ''}' is not a valid Hub reference ({exc}); "
            f"expected 'hf-hub:<namespace>/<repo>[@revision]', e.g. 'hf-hub:timm/resnet50.a1_in1k'."
        ) from None
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise WeightsError(f"Hub repo '{repo_id}' (revision {revision or 'main'}) was not found: {exc}") from None
    except LocalEntryNotFoundError:
        offline = "HF_HUB_OFFLINE is set and " if constants.HF_HUB_OFFLINE else ""
        raise WeightsError(
            f"Cannot get '{WEIGHTS_FILE}' of '{repo_id}': {offline}it is not in the Hub cache "
            f"({constants.HF_HUB_CACHE}) and the Hub cannot be reached. Connect once (unset HF_HUB_OFFLINE) to "
            f"download it, point HF_HOME at a cache that has it, or pass pretrained='/path/to/model.safetensors'."
        ) from None
    except EntryNotFoundError:
        raise WeightsError(
            f"Hub repo '{repo_id}' has no '{WEIGHTS_FILE}'. flaim reads safetensors only and never unpickles "
            f"'pytorch_model.bin'; convert the checkpoint to safetensors first."
        ) from None
    except HfHubHTTPError as exc:  # after the subclasses above: gated, rate-limited, server errors
        raise WeightsError(f"Cannot download '{WEIGHTS_FILE}' of '{repo_id}' from the Hub: {exc}") from None


def looks_like_path(reference: str) -> bool:
    """``./x``, ``/x``, ``~/x``, ``x.safetensors`` or anything with a path separator; a bare word is a tag."""
    separators = {os.path.sep, os.path.altsep, "/"} - {None}
    return reference.startswith("~") or reference.endswith(".safetensors") or any(s in reference for s in separators)


def locate(source: str) -> Path:
    """The weights file of a ``hf-hub:<repo>[@revision]`` reference or a local file or folder."""
    if source.startswith("hf-hub:"):
        repo, _, revision = source[len("hf-hub:") :].partition("@")
        if not repo:
            raise WeightsError(f"'{source}' names no repo; expected 'hf-hub:<namespace>/<repo>[@revision]'.")
        return hub_file(repo, revision or None)
    path = Path(source).expanduser()
    if path.is_dir():
        path = path / WEIGHTS_FILE
    if not path.is_file():
        raise WeightsError(f"No weights at '{source}': expected a .safetensors file or a folder with {WEIGHTS_FILE}.")
    if path.suffix != ".safetensors":
        raise WeightsError(f"'{path}' is not a .safetensors file; flaim never unpickles checkpoints.")
    return path


def read(path: Path) -> Checkpoint:
    """Read every tensor of a safetensors file as numpy arrays.

    Raises:
        WeightsError: the file is truncated or corrupt; the message names it and how to clear it.
    """
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            native = (f.metadata() or {}).get("format") == NATIVE_FORMAT
            tensors = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118 (safe_open is not a mapping)
    except Exception as exc:
        raise WeightsError(f"Cannot read weights file '{path}' ({type(exc).__name__}: {exc}). {_fix(path)}") from None
    return Checkpoint(path, tensors, native)


def _fix(path: Path) -> str:
    """What to do about an unreadable file: delete it only where it is a Hub cache blob flaim downloaded."""
    from huggingface_hub import constants

    cache, real = Path(constants.HF_HUB_CACHE).resolve(), path.resolve()
    if (path.absolute().parent.resolve() / path.name).is_relative_to(cache) and real.is_relative_to(cache):
        return (
            f"The downloaded file is truncated or corrupt: delete it (rm {real}) and load again to download "
            f"a fresh copy."
        )
    return "The file is truncated, corrupt or not a safetensors file; save or download it again."


def save_pretrained(
    variables: dict[str, Any],
    path: str | os.PathLike[str],
    model_name: str,
    *,
    model: Any | None = None,
    format: str = NATIVE_FORMAT,
) -> Path:
    """Write flax variables as ``model.safetensors`` + ``config.json`` in the folder `path`.

    ``format='flaim'``: flaim's own layout; `get_model(pretrained=path)` reads it back bit-exactly, and with `model`
    rebuilds the same module (``n_classes`` and the model arguments are recorded in config.json).
    ``format='timm'``: timm's layout (the family's converter rules read backwards) and timm's config.json, for
    ``timm.create_model(name, pretrained=True, pretrained_cfg_overlay=dict(file=...))`` or a Hub upload.
    Each file is written under a unique temporary name and renamed into place, so concurrent saves never mix
    files and an interrupted save leaves the previous files intact; temporaries of dead saves are removed.

    Args:
        variables: the model's variables (``params`` and, where it has them, ``batch_stats``).
        path: folder to write; created if missing.
        model_name: the architecture (``name`` or ``name.tag``) the variables belong to.
        model: the module `get_model` returned with the variables: records its ``n_classes`` and arguments.
        format: ``'flaim'`` or ``'timm'``.

    Returns:
        The path of the written weights file.
    """
    from safetensors.numpy import save_file

    from flaim.convert import flatten

    if not isinstance(variables, Mapping) or not variables:
        raise TypeError(f"variables must be the non-empty dict get_model returned, got {type(variables).__name__}")
    if format == NATIVE_FORMAT:
        from flaim.saved_config import describe

        config = describe(model_name, model)
        flat = {key: value for key, value in flatten(variables).items() if not key.startswith("intermediates/")}
        metadata = {"format": NATIVE_FORMAT, "model_name": model_name}
    elif format == TIMM_FORMAT:
        from flaim.timm_export import timm_checkpoint

        flat, config = timm_checkpoint(variables, model_name, model)
        metadata = {"format": "pt"}
    else:
        raise ValueError(f"Unknown checkpoint format {format!r}; choose '{NATIVE_FORMAT}' or '{TIMM_FORMAT}'.")
    flat = {key: np.ascontiguousarray(np.asarray(value)) for key, value in flat.items()}
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(folder)
    target = folder / WEIGHTS_FILE
    _write_atomically(target, lambda tmp: save_file(flat, str(tmp), metadata=metadata))
    _write_atomically(folder / CONFIG_FILE, lambda tmp: tmp.write_text(json.dumps(config, indent=2)))
    return target


_TMP_PREFIX = ".flaim-tmp"  # <prefix>.<host>.<pid>.<random>.<file name>


def _write_atomically(target: Path, write: Callable[[Path], Any]) -> None:
    """Run `write` on a unique temporary path next to `target`, then rename it over `target` in one step."""
    tmp = target.parent / f"{_TMP_PREFIX}.{_host()}.{os.getpid()}.{uuid.uuid4().hex}.{target.name}"
    try:
        write(tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files left by killed saves on this host (their process no longer runs)."""
    host = _host()
    for tmp in folder.glob(f"{_TMP_PREFIX}.*"):
        parts = tmp.name[len(_TMP_PREFIX) + 1 :].split(".", 2)
        if len(parts) == 3 and parts[0] == host and parts[1].isdigit() and not _running(int(parts[1])):
            tmp.unlink(missing_ok=True)


def _host() -> str:
    return socket.gethostname().replace(".", "_")


def _running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would stop the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        pass
    return True
