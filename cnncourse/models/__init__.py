"""The architecture zoo: ``build(name, **kw)`` returns a functional Keras model.

Architectures are written as data next to the paper's table, layers carry the paper's stage
names, and only ``keras.layers`` / ``keras.ops`` are used, so every model runs unchanged on the
TensorFlow, JAX and PyTorch backends.
"""
from ._registry import available, build, builder, register

# Importing a family module registers its names.
from . import (  # noqa: E402,F401  (imported for their registrations)
    alexnet,
    googlenet,
    lenet,
    mixer,
    nin,
    resnet,
    senet,
    small,
    vgg,
    zfnet,
)

__all__ = ["available", "build", "builder", "register"]
