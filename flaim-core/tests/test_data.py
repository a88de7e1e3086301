"""flaim.data: data configs, timm's resize/crop arithmetic, image inputs and their errors, label sets, top-k."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from flaim import PretrainedCfg, UnknownModelError
from flaim.data import (
    LABEL_SETS,
    DataConfig,
    ImageError,
    decode_predictions,
    label_names,
    load_image,
    preprocess,
    preprocess_batch,
    resolve_data_config,
    synsets,
)
from flaim.data.transforms import center_crop_or_pad, resize_size

SAMPLES = Path(str(files("flaim.data") / "samples"))
CAT = SAMPLES / "cat.jpg"  # 451 × 300


# -- configs ---------------------------------------------------------------------------------------------------
def test_resolve_fills_timm_defaults() -> None:
    assert resolve_data_config({}) == DataConfig()
    assert DataConfig().to_dict() == {
        "input_size": (3, 224, 224),
        "interpolation": "bicubic",
        "mean": (0.485, 0.456, 0.406),
        "std": (0.229, 0.224, 0.225),
        "crop_pct": 0.875,
        "crop_mode": "center",
    }
    # as timm: empty values mean "default", keys that are not about preprocessing are ignored
    cfg = resolve_data_config({"crop_pct": None, "interpolation": "", "num_classes": 10, "url": "x", "tag": "t"})
    assert cfg == DataConfig()


def test_resolve_from_each_source(toy: Path) -> None:
    pretrained = PretrainedCfg(tag="t", input_size=(3, 32, 48), crop_pct=1.0, crop_mode="squash", mean=[0.5] * 3)
    cfg = resolve_data_config(pretrained)
    assert (cfg.img_size, cfg.crop_pct, cfg.crop_mode, cfg.mean) == ((32, 48), 1.0, "squash", (0.5, 0.5, 0.5))
    assert resolve_data_config(pretrained.to_dict()) == cfg
    assert resolve_data_config(cfg) is cfg
    assert resolve_data_config("toynet") == resolve_data_config("toynet.wide") == DataConfig()
    with pytest.raises(UnknownModelError, match="toynett"):
        resolve_data_config("toynett")
    with pytest.raises(TypeError, match="model name, a config dict"):
        resolve_data_config(224)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"interpolation": "cubic"}, "choose one of: nearest, bilinear, bicubic, box, hamming, lanczos"),
        ({"crop_mode": "centre"}, "choose one of: center, squash, border"),
        ({"crop_pct": 1.5}, r"crop_pct must be in \(0, 1\]"),
        ({"input_size": (1, 224, 224)}, r"input_size must be \(3, height, width\)"),
        ({"input_size": 224}, r"input_size must be \(3, height, width\)"),
        ({"mean": (0.5, 0.5)}, "one value per RGB channel"),
        ({"std": (0.5, 0.0, 0.5)}, "std must be positive"),
    ],
)
def test_bad_config_values_are_named(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_data_config(fields)


# -- timm's size arithmetic ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("image_hw", "config", "expected"),
    [
        ((300, 451), {}, (256, 384)),  # shorter side → floor(224 / 0.875) = 256; longer side truncated
        ((451, 300), {}, (384, 256)),
        ((300, 300), {"crop_pct": 0.95}, (235, 235)),  # floor(235.78)
        ((300, 451), {"crop_mode": "squash"}, (256, 256)),
        ((300, 451), {"crop_mode": "border"}, (170, 256)),  # longer side → 256; round(170.29)
        ((300, 451), {"input_size": (3, 224, 320), "crop_pct": 1.0}, (224, 337)),  # keep-ratio, non-square target
        ((20, 30), {"input_size": (3, 224, 224), "crop_pct": 1.0}, (224, 336)),  # upscaling
    ],
)
def test_resize_size_follows_timm(image_hw: tuple[int, int], config: dict, expected: tuple[int, int]) -> None:
    assert resize_size(*image_hw, resolve_data_config(config)) == expected


def test_center_crop_or_pad_matches_torchvision_offsets() -> None:
    pixels = np.arange(4 * 7 * 1, dtype=np.uint8).reshape(4, 7, 1)
    # cropping: top = round((4 - 2) / 2) = 1, left = round((7 - 4) / 2) = round(1.5) = 2
    assert np.array_equal(center_crop_or_pad(pixels, (2, 4), (0,)), pixels[1:3, 2:6])
    # padding a short side: pad (crop - size) // 2 before and the rest after, then crop the long side
    out = center_crop_or_pad(pixels, (7, 5), (9,))
    assert out.shape == (7, 5, 1)
    assert np.all(out[:1] == 9) and np.all(out[5:] == 9)
    assert np.array_equal(out[1:5], pixels[:, 1:6])


# -- preprocess ------------------------------------------------------------------------------------------------
def test_preprocess_shape_and_normalisation() -> None:
    cfg = DataConfig(input_size=(3, 32, 40), mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.5))
    grey = np.full((50, 60, 3), 51, np.uint8)  # 51 / 255 = 0.2 everywhere
    out = preprocess(grey, cfg)
    assert out.shape == (32, 40, 3) and out.dtype == np.float32
    expected = (np.float32(51) / np.float32(255) - np.float32(cfg.mean)) / np.float32(cfg.std)
    assert np.array_equal(out, np.broadcast_to(expected, out.shape))


def test_border_mode_pads_with_the_mean() -> None:
    cfg = DataConfig(input_size=(3, 32, 32), crop_pct=1.0, crop_mode="border")
    out = preprocess(np.zeros((10, 40, 3), np.uint8), cfg)  # resized to 8 × 32, padded to 32 × 32
    fill = (np.round(255 * np.float32(cfg.mean)) / 255 - np.float32(cfg.mean)) / np.float32(cfg.std)
    assert np.allclose(out[:12], fill, atol=1e-6) and np.allclose(out[20:], fill, atol=1e-6)
    assert np.allclose(out[12:20], -np.float32(cfg.mean) / np.float32(cfg.std), atol=1e-6)


def test_every_image_input_gives_the_same_result() -> None:
    cfg = DataConfig(input_size=(3, 64, 64))
    pil = Image.open(CAT).convert("RGB")
    expected = preprocess(pil, cfg)
    array = np.asarray(pil)
    for image in (CAT, str(CAT), array, pil.convert("RGBA"), np.concatenate([array, array[..., :1]], -1)):
        assert np.array_equal(preprocess(image, cfg), expected)
    grey = pil.convert("L")
    for image in (grey, np.asarray(grey), np.asarray(grey)[..., None]):
        assert np.array_equal(preprocess(image, cfg), preprocess(grey.convert("RGB"), cfg))
    assert load_image(pil.convert("P")).mode == "RGB"


def test_preprocess_takes_a_name_and_batches(toy: Path) -> None:
    pil = Image.open(CAT)
    batch = preprocess_batch([CAT, pil.rotate(90, expand=True)], "toynet")
    assert batch.shape == (2, 224, 224, 3) and batch.dtype == np.float32
    assert np.array_equal(batch[0], preprocess(CAT, DataConfig()))
    with pytest.raises(ValueError, match="no images"):
        preprocess_batch([], DataConfig())


def test_bad_images_raise_clear_errors(tmp_path: Path) -> None:
    cfg = DataConfig()
    with pytest.raises(FileNotFoundError, match=r"No such image file: '.*missing\.jpg'"):
        preprocess(tmp_path / "missing.jpg", cfg)
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(ImageError, match="is not an image file Pillow can read"):
        preprocess(tmp_path / "notes.jpg", cfg)
    (tmp_path / "truncated.jpg").write_bytes(CAT.read_bytes()[:2000])
    with pytest.raises(ImageError, match="Cannot decode image"):
        preprocess(tmp_path / "truncated.jpg", cfg)
    with pytest.raises(ImageError, match="is a folder"):
        preprocess(tmp_path, cfg)
    with pytest.raises(ImageError, match=r"must be uint8 .* got float32"):
        preprocess(np.zeros((8, 8, 3), np.float32), cfg)
    with pytest.raises(ImageError, match=r"got shape \(8, 8, 2\)"):
        preprocess(np.zeros((8, 8, 2), np.uint8), cfg)
    with pytest.raises(TypeError, match="got list"):
        preprocess([[0]], cfg)


# -- labels ----------------------------------------------------------------------------------------------------
def test_label_sets_have_timms_class_counts() -> None:
    counts = {name: len(synsets(name)) for name in LABEL_SETS}
    assert counts == {
        "imagenet-1k": 1000,
        "imagenet-12k": 11821,
        "imagenet-22k": 21841,
        "imagenet-22k-ms": 21842,
        "imagenet-21k-goog": 21843,
        "imagenet-21k-miil": 11221,
    }
    for name in LABEL_SETS:
        assert len(label_names(name)) == counts[name] and all(label_names(name))
    names = label_names("imagenet-1k")
    assert (names[0], names[281], synsets("imagenet-1k")[281]) == (
        "tench, Tinca tinca",
        "tabby, tabby cat",
        "n02123045",
    )
    with pytest.raises(ValueError, match="Unknown label set 'imagenet-1000'; choose one of: imagenet-1k, "):
        synsets("imagenet-1000")


def test_decode_predictions_ranks_by_softmax() -> None:
    logits = np.zeros((2, 1000), np.float32)
    logits[0, [281, 285, 7]] = [5.0, 4.0, 3.0]
    logits[1, 1] = 2.0
    top = decode_predictions(logits, "imagenet-1k", top_k=3)
    assert [[p.index for p in row] for row in top] == [[281, 285, 7], [1, 0, 2]]  # ties keep index order
    first = top[0][0]
    assert (first.label, first.synset) == ("tabby, tabby cat", "n02123045")
    expected = np.exp(5.0) / (np.exp([5.0, 4.0, 3.0]).sum() + 997)
    assert first.probability == pytest.approx(expected, rel=1e-12)
    assert decode_predictions(logits[0], top_k=1) == [top[0][:1]]  # 1-D logits: one image


def test_decode_predictions_label_choices() -> None:
    logits = np.array([[0.0, 3.0, 1.0]])
    assert [p.label for p in decode_predictions(logits, None, top_k=10)[0]] == ["class 1", "class 2", "class 0"]
    top = decode_predictions(logits, ["cat", "dog", "fox"], top_k=1)[0][0]
    assert (top.label, top.synset) == ("dog", None)
    with pytest.raises(ValueError, match="logits have 3 classes but label set 'imagenet-1k' has 1000 names"):
        decode_predictions(logits, "imagenet-1k")
    with pytest.raises(ValueError, match="top_k must be at least 1"):
        decode_predictions(logits, None, top_k=0)
    with pytest.raises(ValueError, match=r"got shape \(1, 1, 3\)"):
        decode_predictions(logits[None], None)
