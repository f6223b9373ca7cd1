"""Small Keras models the training and checkpoint tests share."""
from __future__ import annotations


def tiny_cnn(name: str = "tiny", filters: int = 8):
    """8×8×1 digits -> conv 3×3 (``filters``) -> dense softmax over 10 classes."""
    from cnncourse._keras import import_backend

    keras = import_backend()
    inputs = keras.Input((8, 8, 1), name=f"{name}_in")
    x = keras.layers.Conv2D(filters, 3, activation="relu", name=f"{name}_conv")(inputs)
    x = keras.layers.Flatten(name=f"{name}_flat")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name=f"{name}_out")(x)
    return keras.Model(inputs, outputs, name=name)
