"""Exceptions flaim raises for bad names, broken plugins and unusable weights."""


class UnknownModelError(ValueError):
    """No installed plugin provides the requested architecture."""


class UnknownTagError(ValueError):
    """The architecture exists but has no pretrained tag of that name."""


class AmbiguousModelError(ValueError):
    """Two distributions register the same architecture name."""


class PluginError(RuntimeError):
    """A plugin is broken: it failed to load or returned invalid specs (raised on every query with
    FLAIM_STRICT_PLUGINS=1, a warning otherwise), or a model's builder or converter reference does not resolve."""


class WeightsError(RuntimeError):
    """Weights could not be found, read or matched to the model."""


class ImageError(ValueError):
    """An input that is not an image flaim can read."""
