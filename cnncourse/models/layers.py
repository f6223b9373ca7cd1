"""Layers shared by the classic zoo models, written with ``keras.layers`` / ``keras.ops`` only.

* ``LocalResponseNormalization``: the cross-channel normalisation of AlexNet (section 3.3 of
  Krizhevsky et al., 2012), also used by ZFNet and GoogLeNet.
* ``conv_block``: a named convolution with its activation (and optional BatchNorm), so the
  summary of a model shows one row per paper layer.
"""
from __future__ import annotations

from .._checks import positive_int
from ._common import keras_module

keras = keras_module()
ops = keras.ops


def _positive_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"LocalResponseNormalization: {name} must be a number > 0, got {value!r}.")
    return float(value)


@keras.saving.register_keras_serializable(package="cnncourse")
class LocalResponseNormalization(keras.layers.Layer):
    """Divide each activation by the energy of its neighbours across channels.

    For ``x: (N, H, W, C)`` the output has the same shape and, at every pixel,

        b[c] = a[c] / (k + alpha * sum_{j in window(c)} a[j]**2) ** beta

    where the window holds the ``size`` channels centred on ``c`` (cut off at the first and
    last channel). This is the paper's formula: ``alpha`` multiplies the plain sum. Caffe and
    PyTorch divide ``alpha`` by ``size`` first, so their ``alpha=1e-4`` equals ``alpha=2e-5``
    here; TensorFlow's ``tf.nn.local_response_normalization`` uses the paper's convention
    (with ``depth_radius = size // 2`` and ``bias = k``). The defaults are AlexNet's
    ``k=2, n=5, alpha=1e-4, beta=0.75``. The layer has no trainable weights.
    """

    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, k: float = 2.0,
                 **kwargs):
        size = positive_int(size, "LocalResponseNormalization: size")
        if size % 2 == 0:
            raise ValueError(f"LocalResponseNormalization: size must be odd so the window is "
                             f"centred on each channel, got {size}. AlexNet uses size=5.")
        self.size = size
        self.alpha = _positive_number(alpha, "alpha")
        self.beta = _positive_number(beta, "beta")
        self.k = _positive_number(k, "k")
        super().__init__(**kwargs)

    def call(self, x):
        channels = x.shape[-1]
        half = self.size // 2
        squares = ops.pad(ops.square(x), [[0, 0], [0, 0], [0, 0], [half, half]])
        window_sum = squares[..., 0:channels]
        for shift in range(1, self.size):
            window_sum = window_sum + squares[..., shift:shift + channels]
        return x / ops.power(self.k + self.alpha * window_sum, self.beta)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "alpha": self.alpha,
                "beta": self.beta, "k": self.k}


def conv_block(x, filters: int, kernel_size, *, name: str, strides=1, padding="same",
               groups: int = 1, activation: str | None = "relu", batch_norm: bool = False,
               use_bias: bool = True):
    """Conv2D named ``name`` then its activation; with ``batch_norm`` Conv -> BN -> activation.

    ``x: (N, H, W, C_in)`` -> ``(N, H', W', filters)``. Without BatchNorm the activation lives
    inside the Conv2D layer (one summary row per paper layer); with it the extra layers are
    named ``{name}_bn`` and ``{name}_relu``; BatchNorm uses torchvision's epsilon 1e-5 and
    momentum 0.1 (Keras writes that momentum as 0.9), so weights ported from there behave alike.
    """
    layers = keras.layers
    conv_activation = None if batch_norm else activation
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, groups=groups,
                      activation=conv_activation, use_bias=use_bias, name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=1e-5, momentum=0.9, name=f"{name}_bn")(x)
        if activation is not None:
            x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x
