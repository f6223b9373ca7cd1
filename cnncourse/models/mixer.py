"""MLP-Mixer (Tolstikhin et al. 2021, "MLP-Mixer: An all-MLP Architecture for Vision").

The image is cut into S = HW/P² non-overlapping P x P patches; one shared linear map turns each
patch into a C-dimensional token (a Conv2D with kernel = stride = P, layer ``stem``), giving a
table X of shape (S, C). Each of the N Mixer layers then applies, with a skip around each:

* token mixing: LayerNorm, transpose to (C, S), MLP_1 over the S tokens (width D_S), transpose back;
* channel mixing: LayerNorm, MLP_2 over the C channels of every token (width D_C);

where an MLP is Dense -> GELU -> Dense (``blocks.mixer_block``). A final LayerNorm, the mean over the S tokens and a Dense
head give the class scores. ``MIXER_TABLE`` is the paper's Table 1.

LayerNorm uses ε = 1e-6, the default of the authors' Flax code. GELU is the exact erf form; that
code uses the tanh approximation, which is never more than 4.8e-4 away. The token MLP has S input
rows, so a model only takes the input size it was built for.
"""
from __future__ import annotations

from .._checks import positive_int
from .._keras import import_backend
from ._common import check_input_shape, check_num_classes
from ._registry import register
from .blocks import LN_EPSILON, mixer_block

__all__ = ["MIXER_TABLE", "mixer", "mixer_block"]

# Tolstikhin et al. 2021, Table 1: name -> patch P, hidden C, layers N, token MLP D_S, channel MLP D_C.
MIXER_TABLE = {
    "s32": dict(patch_size=32, hidden_dim=512, num_blocks=8, tokens_mlp_dim=256, channels_mlp_dim=2048),
    "s16": dict(patch_size=16, hidden_dim=512, num_blocks=8, tokens_mlp_dim=256, channels_mlp_dim=2048),
    "b32": dict(patch_size=32, hidden_dim=768, num_blocks=12, tokens_mlp_dim=384, channels_mlp_dim=3072),
    "b16": dict(patch_size=16, hidden_dim=768, num_blocks=12, tokens_mlp_dim=384, channels_mlp_dim=3072),
    "l32": dict(patch_size=32, hidden_dim=1024, num_blocks=24, tokens_mlp_dim=512, channels_mlp_dim=4096),
    "l16": dict(patch_size=16, hidden_dim=1024, num_blocks=24, tokens_mlp_dim=512, channels_mlp_dim=4096),
    "h14": dict(patch_size=14, hidden_dim=1280, num_blocks=32, tokens_mlp_dim=640, channels_mlp_dim=5120),
}


def _check_mixer(name, input_shape, num_classes, patch_size, dims):
    patch = positive_int(patch_size, f"{name}: patch_size")
    for dim_name, value in dims.items():
        positive_int(value, f"{name}: {dim_name}")
    h, w, c = check_input_shape(input_shape, patch, name)
    if h % patch or w % patch:
        raise ValueError(
            f"{name} cuts the image into {patch}x{patch} patches, so height and width must be multiples "
            f"of {patch}; got {h}x{w}. Use input_shape=({h // patch * patch or patch}, "
            f"{w // patch * patch or patch}, {c}) or another multiple of {patch}.")
    return (h, w, c), patch, check_num_classes(num_classes, name)


def mixer(patch_size, hidden_dim, num_blocks, tokens_mlp_dim, channels_mlp_dim,
          input_shape=(224, 224, 3), num_classes=1000, model_name=None):
    """An MLP-Mixer with patch P, hidden C, N layers, token-MLP width D_S, channel-MLP width D_C.

    input: (N, H, W, 3) with H, W multiples of P; tokens: (N, S = HW/P², C); output: (N, num_classes)
    softmax probabilities. The registered names ``mixer_s32`` … ``mixer_h14`` fill in Table 1.
    """
    name = model_name or f"mixer_p{patch_size}_c{hidden_dim}_n{num_blocks}"
    dims = dict(hidden_dim=hidden_dim, num_blocks=num_blocks, tokens_mlp_dim=tokens_mlp_dim,
                channels_mlp_dim=channels_mlp_dim)
    (h, w, c), patch, num_classes = _check_mixer(name, input_shape, num_classes, patch_size, dims)
    keras = import_backend()
    layers = keras.layers

    inputs = keras.Input(shape=(h, w, c), name="input")
    x = layers.Conv2D(hidden_dim, patch, strides=patch, name="stem")(inputs)
    x = layers.Reshape(((h // patch) * (w // patch), hidden_dim), name="stem_tokens")(x)
    for i in range(num_blocks):
        x = mixer_block(x, tokens_mlp_dim, channels_mlp_dim, f"mixer_block_{i}")
    x = layers.LayerNormalization(epsilon=LN_EPSILON, name="pre_head_norm")(x)
    x = layers.GlobalAveragePooling1D(name="global_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


for _key, _spec in MIXER_TABLE.items():
    register(f"mixer_{_key}", model_name=f"mixer_{_key}", **_spec)(mixer)
