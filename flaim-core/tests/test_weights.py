"""Where weights come from and how they are written: Hub references, unreadable files, atomic saves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import huggingface_hub
import numpy as np
import pytest
from flaim_toy_model import timm_style_state
from safetensors.numpy import save_file

import flaim
from flaim import weights
from flaim.testing import write_hub_cache


@pytest.mark.parametrize("ref", ["hf-hub:", "hf-hub:../../etc", "hf-hub:a/b/c", "hf-hub:a--b/c", "hf-hub:@main"])
def test_malformed_hub_references_are_one_weights_error(ref: str) -> None:
    with pytest.raises(flaim.WeightsError, match=r"hf-hub:<namespace>/<repo>\[@revision\]"):
        weights.locate(ref)


def test_hub_http_errors_are_weights_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        response = SimpleNamespace(headers={}, request=None, status_code=503)
        raise huggingface_hub.errors.HfHubHTTPError("503 Server Error: Service Unavailable", response=response)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", unavailable)
    with pytest.raises(flaim.WeightsError, match=r"Cannot download 'model\.safetensors' of 'timm/x' from the Hub: 503"):
        weights.locate("hf-hub:timm/x")


def truncated(path: Path) -> Path:
    save_file(timm_style_state(), str(path))
    path.write_bytes(path.read_bytes()[:100])
    return path


def test_a_corrupt_local_file_is_named_and_never_to_be_deleted(tmp_path: Path) -> None:
    own = truncated(tmp_path / "mine.safetensors")
    link = tmp_path / "link.safetensors"
    link.symlink_to(own)
    for path in (own, link):
        with pytest.raises(flaim.WeightsError) as err:
            weights.read(path)
        assert f"Cannot read weights file '{path}'" in str(err.value)
        assert "truncated, corrupt or not a safetensors file" in str(err.value) and "rm " not in str(err.value)


def test_a_corrupt_hub_download_is_named_with_the_command_to_remove_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = write_hub_cache(tmp_path / "hf", "timm/toynet.in10", truncated(tmp_path / "t.safetensors"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(flaim.WeightsError, match=rf"delete it \(rm {snapshot.resolve()}\) and load again"):
        weights.read(snapshot)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("model.safetensors", "config.json"))


def test_a_failed_save_leaves_the_previous_files_and_no_temporary(toy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = toy / "saved"
    flaim.save_pretrained({"params": {"w": np.ones(3, np.float32)}}, folder, "toynet")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def interrupted(*args: object, **kwargs: object) -> None:
        Path(args[1]).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("safetensors.numpy.save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        flaim.save_pretrained({"params": {"w": np.zeros(3, np.float32)}}, folder, "toynet.wide")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_temporaries_of_dead_saves_are_removed(toy: Path) -> None:
    folder = toy / "saved"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = weights._host()
    stale = folder / f".flaim-tmp.{host}.{dead.stdout.strip()}.abc.model.safetensors"
    live = folder / f".flaim-tmp.{host}.{os.getpid()}.abc.model.safetensors"
    other_host = folder / f".flaim-tmp.elsewhere.{dead.stdout.strip()}.abc.model.safetensors"
    for path in (stale, live, other_host):
        path.write_bytes(b"partial")
    flaim.save_pretrained({"params": {"w": np.ones(3, np.float32)}}, folder, "toynet")
    assert leftovers(folder) == sorted([live.name, other_host.name])


SAVER = """
import sys
import numpy as np
import flaim
variables = {"params": {"w": np.full((64, 1024), float(sys.argv[2]), np.float32)}}
for _ in range(50):
    flaim.save_pretrained(variables, sys.argv[1], "toynet")
"""


def test_concurrent_saves_into_one_folder(toy: Path) -> None:
    folder = toy / "saved"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(toy), *sys.path])}
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, str(folder), str(i)], env=env) for i in range(3)]
    assert [p.wait(timeout=120) for p in savers] == [0, 0, 0]  # one shared temporary name failed every time
    assert leftovers(folder) == []
    w = weights.read(folder / "model.safetensors").tensors["params/w"]
    assert w.shape == (64, 1024) and np.unique(w).size == 1  # one whole file, never a mix


def test_save_pretrained_refuses_what_is_not_variables(toy: Path, tmp_path: Path) -> None:
    for bad in ({}, [np.ones(3)]):
        with pytest.raises(TypeError, match="variables must be the non-empty dict get_model returned"):
            flaim.save_pretrained(bad, tmp_path, "toynet")


@pytest.mark.parametrize(
    ("text", "message"), [("{not json", "is not valid JSON"), ('{"format": "flaim"}', "has no model_name")]
)
def test_a_corrupt_config_json_is_a_weights_error(toy: Path, text: str, message: str) -> None:
    folder = toy / "saved"
    flaim.save_pretrained({"params": {"w": np.ones(3, np.float32)}}, folder, "toynet")
    (folder / "config.json").write_text(text)
    with pytest.raises(flaim.WeightsError, match=f"'{folder / 'config.json'}' {message}.*save the model again"):
        flaim.get_model(pretrained=str(folder))
