"""cnncourse: a notebook course on convolutional networks in which every number is computed.

Submodules load on first use, so ``import cnncourse`` stays fast and does not start a
deep-learning backend::

    import cnncourse
    cnncourse.shapes.conv_output_size(227, 11, s=4)   # NumPy only
    cnncourse.models.build("vgg16")                   # imports Keras here
"""
import importlib
import os

# Quiet the C++ logging of TensorFlow before anything can import it: notebooks are compared
# cell by cell under nbval, and the backend's start-up banner would land in stderr.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

_SUBMODULES = (
    "accounting", "cli", "data", "homework", "models", "ops", "runner", "shapes",
    "signals", "slides", "train", "viz", "references",
)
__all__ = list(_SUBMODULES) + ["__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cnncourse' has no attribute {name!r}")
