"""Preprocessing as timm does it at eval time, and the class names of timm's label sets.

With a model and variables from `flaim.get_model('resnet50.a1_in1k', pretrained=True)`::

    x = preprocess_batch(["cat.jpg", "dog.png"], "resnet50.a1_in1k")  # (2, 224, 224, 3) float32
    logits = model.apply(variables, x, training=False)
    for top in decode_predictions(logits, "imagenet-1k", top_k=5):
        print([(p.label, round(p.probability, 3)) for p in top])
"""

from flaim.data.config import CROP_MODES, INTERPOLATIONS, DataConfig, resolve_data_config
from flaim.data.labels import LABEL_SETS, Prediction, decode_predictions, label_names, synsets
from flaim.data.transforms import load_image, preprocess, preprocess_batch
from flaim.errors import ImageError

__all__ = [
    "CROP_MODES",
    "INTERPOLATIONS",
    "LABEL_SETS",
    "DataConfig",
    "ImageError",
    "Prediction",
    "decode_predictions",
    "label_names",
    "load_image",
    "preprocess",
    "preprocess_batch",
    "resolve_data_config",
    "synsets",
]
