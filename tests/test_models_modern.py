"""ResNet, pre-activation ResNet, SENet and MLP-Mixer checked against the papers' numbers.

Oracles: torchvision's published parameter counts, He et al. 2015 Table 1 (stage sizes, depths),
Hu et al. (SE-ResNet-50 ~28.1M, r = 16), Tolstikhin et al. Table 1 (Mixer sizes without the
head), and NumPy re-implementations of the SE and Mixer equations.
"""
import math

import numpy as np
import pytest


from cnncourse import _keras, accounting, models
from cnncourse._keras import import_backend
from cnncourse.models.mixer import mixer, mixer_block
from cnncourse.models.resnet import build_resnet, weighted_depth
from cnncourse.models.blocks import se_block

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch

keras = import_backend()

# torchvision.models.resnet*: sum of p.numel() over model.parameters().
TORCHVISION_PARAMS = {18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160, 152: 60_192_808}
# gluon-cv resnet*_v2 (listed by osmr/imgclsmob as PreResNet-18 … -152). gluon-cv also gives the
# first unit of conv2_x its own BN-ReLU although conv1 is already followed by one; He et al. 2016
# let the first unit reuse "the first activation right after conv1", which saves 2 x 64 parameters.
GLUON_V2_PARAMS = {18: 11_687_848, 34: 21_796_008, 50: 25_549_480, 101: 44_541_608, 152: 60_185_256}
FIRST_UNIT_PREACT_BN = 2 * 64
# Tolstikhin et al. 2021, Table 1: parameters in millions, head excluded.
MIXER_PAPER_MILLIONS = {"s32": 19, "s16": 18, "b32": 60, "b16": 59, "l32": 206, "l16": 207, "h14": 431}
# He et al. 2015, Table 1 (blocks per stage) and the paper's stage output sizes for 224 x 224.
PAPER_BLOCKS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}
STAGE_SIZES = {"conv1": 112, "conv2": 56, "conv3": 28, "conv4": 14, "conv5": 7}


def trainable_params(model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def main_path_layers(model) -> int:
    """Weighted layers in the paper's sense: convolutions and fc, projection shortcuts excluded."""
    return sum(isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
               and not layer.name.endswith("_0_conv") for layer in model.layers)


def without_weights(build, *args, **kwargs):
    """``build(*args, **kwargs)`` with shapes but no initial values (``_keras.without_weights``).

    Parameter counts and layer shapes need no weights, and skipping the random draws spares the
    tests ~1.7 GB for Mixer-H/14 (and the JAX backend a compile per weight shape).
    """
    with _keras.without_weights():
        return build(*args, **kwargs)


@pytest.fixture(scope="module")
def resnets():
    return {depth: accounting.zoo_model(f"resnet{depth}") for depth in TORCHVISION_PARAMS}


@pytest.fixture(scope="module")
def mixers():
    return {key: accounting.zoo_model(f"mixer_{key}") for key in MIXER_PAPER_MILLIONS}


def outputs_of(model, *names):
    return keras.Model(model.input, [model.get_layer(n).output for n in names])


# ---------------------------------------------------------------- ResNet


@pytest.mark.parametrize("depth", sorted(TORCHVISION_PARAMS))
def test_resnet_parameters_equal_torchvision(resnets, depth):
    assert trainable_params(resnets[depth]) == TORCHVISION_PARAMS[depth]


@pytest.mark.parametrize("depth", sorted(TORCHVISION_PARAMS))
def test_resnet_depth_counts_weighted_layers_like_the_slide(resnets, depth):
    # ML9: 152 = (3 + 8 + 36 + 3) x 3 + 2; basic blocks hold two convolutions instead of three.
    per_block = 2 if depth < 50 else 3
    assert main_path_layers(resnets[depth]) == per_block * sum(PAPER_BLOCKS[depth]) + 2 == depth


def test_slide_cfg_for_resnet101_builds_a_116_layer_net():
    # ML9 lists ResNet-101 as cfg=[3,4,23,8]; the paper's Table 1 has [3,4,23,3].
    model = without_weights(build_resnet, "bottleneck", [3, 4, 23, 8])
    assert main_path_layers(model) == weighted_depth("bottleneck", [3, 4, 23, 8]) == 116


@pytest.mark.parametrize("depth", [18, 50])
def test_resnet_stage_outputs_match_table1(resnets, depth):
    model = resnets[depth]
    last = {f"conv{s}": f"conv{s}_block{n}_out" for s, n in zip(range(2, 6), PAPER_BLOCKS[depth])}
    last["conv1"] = "conv1_relu"
    expansion = 1 if depth < 50 else 4
    channels = {"conv1": 64, **{f"conv{s}": w * expansion for s, w in zip(range(2, 6), (64, 128, 256, 512))}}
    for stage, size in STAGE_SIZES.items():
        assert tuple(model.get_layer(last[stage]).output.shape) == (None, size, size, channels[stage])
    assert tuple(model.output.shape) == (None, 1000)


def test_projection_shortcuts_only_where_the_shape_changes(resnets):
    def projections(model):
        return sorted(layer.name for layer in model.layers if layer.name.endswith("_0_conv"))

    assert projections(resnets[18]) == ["conv3_block1_0_conv", "conv4_block1_0_conv", "conv5_block1_0_conv"]
    # bottleneck conv2_x widens 64 -> 256 channels, so its first unit projects too
    assert projections(resnets[50]) == [f"conv{s}_block1_0_conv" for s in range(2, 6)]


def test_convolutions_before_batchnorm_have_no_bias(resnets):
    convs = [layer for layer in resnets[50].layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 53 and not any(layer.use_bias for layer in convs)


def test_bottleneck_stride_sits_in_the_first_1x1_as_in_the_paper(resnets):
    paper = resnets[50]
    assert paper.get_layer("conv3_block1_1_conv").strides == (2, 2)
    assert paper.get_layer("conv3_block1_2_conv").strides == (1, 1)
    v15 = accounting.zoo_model("resnet50", stride_in="3x3")
    assert v15.get_layer("conv3_block1_1_conv").strides == (1, 1)
    assert v15.get_layer("conv3_block1_2_conv").strides == (2, 2)
    assert trainable_params(v15) == TORCHVISION_PARAMS[50]  # same weights, moved stride


def _zero(layer, *attrs):
    for attr in attrs:
        weight = getattr(layer, attr)
        weight.assign(np.zeros(weight.shape, dtype="float32"))


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_zeroing_the_residual_branch_leaves_the_identity(rng):
    model = models.build("resnet18", input_shape=(32, 32, 3), num_classes=10)
    probe = outputs_of(model, "conv2_block1_out", "conv2_block2_out")
    x = rng.normal(size=(2, 32, 32, 3)).astype("float32")
    block_in, block_out = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    assert not np.allclose(block_in, block_out, atol=1e-3)  # the branch does contribute
    _zero(model.get_layer("conv2_block2_2_bn"), "gamma", "beta")
    block_in, block_out = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    np.testing.assert_allclose(block_out, block_in, atol=1e-6)  # relu(x + 0) = x for x >= 0


@pytest.mark.slow  # 10 s on JAX, which compiles each new model; checked on TensorFlow
def test_preact_unit_is_a_pure_sum_without_relu_after_it(rng):
    model = models.build("preact_resnet18", input_shape=(32, 32, 3), num_classes=10)
    probe = outputs_of(model, "conv2_block1_out", "conv2_block2_out")
    x = rng.normal(size=(2, 32, 32, 3)).astype("float32")
    block_in, _ = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    assert block_in.min() < 0  # no ReLU after the addition, unlike the original unit
    _zero(model.get_layer("conv2_block2_2_conv"), "kernel")
    block_in, block_out = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    np.testing.assert_allclose(block_out, block_in, atol=1e-6)


@pytest.mark.parametrize("depth", sorted(GLUON_V2_PARAMS))
def test_preact_parameters_equal_gluon_v2_without_its_extra_bn(depth):
    model = accounting.zoo_model(f"preact_resnet{depth}")
    assert trainable_params(model) == GLUON_V2_PARAMS[depth] - FIRST_UNIT_PREACT_BN
    assert main_path_layers(model) == depth
    assert model.get_layer("post_relu").output.shape[1:] == (7, 7, 512 * (1 if depth < 50 else 4))


# ---------------------------------------------------------------- SENet


def test_se_block_matches_the_papers_equations(rng):
    inputs = keras.Input((5, 5, 32))
    model = keras.Model(inputs, se_block(inputs, reduction=16, name="se"))
    x = rng.normal(size=(3, 5, 5, 32)).astype("float32")
    w1, b1 = (np.asarray(w) for w in model.get_layer("se_reduce").weights)
    w2, b2 = (np.asarray(w) for w in model.get_layer("se_expand").weights)
    assert w1.shape == (32, 2) and w2.shape == (2, 32)  # C/r = 32/16 units, with biases
    z = x.mean(axis=(1, 2))                                       # squeeze
    s = 1 / (1 + np.exp(-(np.maximum(z @ w1 + b1, 0) @ w2 + b2)))  # excitation
    expected = x * s[:, None, None, :]                            # scale
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), expected, rtol=1e-5, atol=1e-6)


def test_se_resnet50_size_matches_the_paper(resnets):
    model = accounting.zoo_model("se_resnet50")
    count = trainable_params(model)
    assert abs(count - 28.1e6) / 28.1e6 < 0.005  # Hu et al.: ~28.1M vs ResNet-50's ~25.6M
    # each SE block adds 2C^2/r + C/r + C (two FC layers with biases), C = 4 x width, r = 16
    added = sum(n * (2 * c * c // 16 + c // 16 + c) for n, c in zip(PAPER_BLOCKS[50], (256, 512, 1024, 2048)))
    assert count - trainable_params(resnets[50]) == added


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_se_sits_on_the_residual_branch_before_the_addition(rng):
    model = models.build("se_resnet18", input_shape=(32, 32, 3), num_classes=10)
    probe = outputs_of(model, "conv3_block1_0_bn", "conv3_block1_out")
    gate = model.get_layer("conv3_block1_se_expand")
    _zero(gate, "kernel")
    gate.bias.assign(np.full(gate.bias.shape, -60.0, dtype="float32"))  # sigmoid -> 0: branch closed
    x = rng.normal(size=(2, 32, 32, 3)).astype("float32")
    shortcut, out = (keras.ops.convert_to_numpy(t) for t in probe(x, training=False))
    assert np.abs(shortcut).max() > 0.1
    np.testing.assert_allclose(out, np.maximum(shortcut, 0), atol=1e-5)


# ---------------------------------------------------------------- MLP-Mixer


@pytest.mark.parametrize("key", sorted(MIXER_PAPER_MILLIONS))
def test_mixer_sizes_match_table1(mixers, key):
    model = mixers[key]
    without_head = trainable_params(model) - model.get_layer("head").count_params()
    assert round(without_head / 1e6) == MIXER_PAPER_MILLIONS[key]


def test_mixer_s16_layout(mixers):
    model = mixers["s16"]
    assert model.name == "mixer_s16"
    assert tuple(model.get_layer("stem_tokens").output.shape) == (None, 196, 512)  # S = 224^2 / 16^2
    assert model.get_layer("stem").kernel.shape == (16, 16, 3, 512)
    assert model.get_layer("mixer_block_0_token_mixing_dense_1").kernel.shape == (196, 256)
    assert model.get_layer("mixer_block_7_channel_mixing_dense_2").kernel.shape == (2048, 512)
    assert sum(layer.name.endswith("_token_skip") for layer in model.layers) == 8


def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def _layer_norm(x, gamma, beta, eps=1e-6):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_mixer_block_matches_the_papers_equations(rng):
    # U = X + W2 gelu(W1 LN(X)^T) ^T  (token mixing);  Y = U + W4 gelu(W3 LN(U))  (channel mixing)
    inputs = keras.Input((6, 4))  # S = 6 tokens, C = 4 channels
    model = keras.Model(inputs, mixer_block(inputs, tokens_mlp_dim=5, channels_mlp_dim=7, name="m"))
    for layer in model.layers:  # non-trivial LayerNorm affine parameters and biases
        for w in layer.weights:
            w.assign(rng.normal(size=w.shape).astype("float32"))
    weights = {layer.name: [np.asarray(w) for w in layer.weights] for layer in model.layers}
    x = rng.normal(size=(2, 6, 4)).astype("float32")

    def mlp(v, prefix):
        (w1, b1), (w2, b2) = weights[f"{prefix}_dense_1"], weights[f"{prefix}_dense_2"]
        return _gelu(v @ w1 + b1) @ w2 + b2

    transposed = _layer_norm(x, *weights["m_token_norm"]).transpose(0, 2, 1)  # (N, C, S)
    u = x + mlp(transposed, "m_token_mixing").transpose(0, 2, 1)
    y = u + mlp(_layer_norm(u, *weights["m_channel_norm"]), "m_channel_mixing")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), y, rtol=1e-4, atol=1e-4)


def test_small_models_build_for_small_images():
    small = without_weights(models.build, "preact_resnet34", input_shape=(32, 32, 3), num_classes=10)
    assert tuple(small.get_layer("post_relu").output.shape) == (None, 1, 1, 512)
    tiny = without_weights(mixer, 7, 16, 2, 8, 32, input_shape=(28, 28, 1), num_classes=10)
    assert tuple(tiny.get_layer("stem_tokens").output.shape) == (None, 16, 16)
    assert tuple(tiny.output.shape) == (None, 10)


def test_every_modern_name_is_registered():
    names = set(models.available())
    for depth in TORCHVISION_PARAMS:
        assert {f"resnet{depth}", f"preact_resnet{depth}", f"se_resnet{depth}"} <= names
    assert {f"mixer_{key}" for key in MIXER_PAPER_MILLIONS} <= names


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, message", [
    (lambda: models.build("resnet18", input_shape=(16, 16, 3)), r"at least 32x32.*total stride 32"),
    (lambda: models.build("preact_resnet50", input_shape=(224, 224)), r"\(height, width, channels\)"),
    (lambda: models.build("resnet50", num_classes=0), r"num_classes must be >= 1"),
    (lambda: models.build("resnet50", stride_in="2x2"), r"stride_in must be '1x1' .* or '3x3'"),
    (lambda: models.build("se_resnet50", reduction=0), r"reduction must be >= 1"),
    (lambda: models.build("se_resnet50", reduction=512), r"at most 256"),
    (lambda: models.build("resnet50", se=True), r"unknown option.*\['se'\]"),  # one route: se_resnet50
    (lambda: models.build("se_resnet42"), r"Unknown model 'se_resnet42'"),
    (lambda: build_resnet("botleneck", [3, 4, 6, 3]), r"did you mean 'bottleneck'"),
    (lambda: build_resnet("basic", [2, 2, 2]), r"4 stages .* e\.g\. \[3, 4, 6, 3\]"),
    (lambda: models.build("mixer_s16", input_shape=(100, 100, 3)), r"multiples of 16.*\(96, 96, 3\)"),
    (lambda: models.build("mixer_s32", input_shape=(16, 16, 3)), r"at least 32x32"),
    (lambda: mixer(16, 0, 8, 256, 2048), r"hidden_dim must be >= 1"),
])
def test_bad_arguments_get_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
