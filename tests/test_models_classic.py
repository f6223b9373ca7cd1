"""The classic half of the zoo against the numbers of the slides and papers.

Every literal below is copied from a slide (DL1, GDSC and MODELS), a paper, or a reference
implementation (keras.applications, torchvision), or derived by hand next to it from the
paper's layer table; the models are built and counted, never compared with themselves. Models whose numbers are only counted are built once, inside
``without_weights()`` (weights declared, never allocated): VGG-19 then costs milliseconds and
no memory instead of seconds and 575 MB, and JAX compiles no random initialiser per shape.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest

from cnncourse import accounting, models
from cnncourse._keras import fill_declared, pending_variables, without_weights
from cnncourse.models._common import check_input_shape, output_side, smallest_input
from cnncourse.models.blocks import LocalResponseNormalization

import keras  # noqa: E402  (after cnncourse, which imports it with the chatter silenced)

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch


@dataclass(frozen=True)
class Built:
    """What the tests need from a model after its weights are gone."""

    params: dict       # layer name -> count_params()
    kernels: dict      # layer name -> weights without biases (kernel size)
    shapes: dict       # layer name -> output shape without the batch axis
    total: int
    trainable: int
    weighted_depth: int  # longest input->output chain counting layers that have weights
    output_shapes: tuple


def _weighted_depth(model) -> int:
    """Longest chain of layers with weights, following each layer's input tensors (public API)."""
    producer = {id(t): layer.name for layer in model.layers
                for t in keras.tree.flatten(layer.output)}
    depth = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            parents = []
        else:
            parents = [producer[id(t)] for t in keras.tree.flatten(layer.input)]
        depth[layer.name] = max((depth[p] for p in parents), default=0) + bool(layer.weights)
    return max(depth.values())


def _summarise(model) -> Built:
    weighted = [layer for layer in model.layers if layer.weights]
    outs = model.output_shape if isinstance(model.output_shape, list) else [model.output_shape]
    return Built(
        params={layer.name: layer.count_params() for layer in weighted},
        kernels={layer.name: int(np.prod(layer.kernel.shape))
                 for layer in weighted if hasattr(layer, "kernel")},
        shapes={layer.name: tuple(layer.output.shape[1:]) for layer in model.layers},
        total=model.count_params(),
        trainable=sum(int(np.prod(w.shape)) for w in model.trainable_weights),
        weighted_depth=_weighted_depth(model),
        output_shapes=tuple(tuple(s) for s in outs),
    )


@functools.lru_cache(maxsize=None)
def built(name: str, **kwargs) -> Built:
    return _summarise(accounting.zoo_model(name, **kwargs))  # shapes only, shared in the process


def runnable(name: str, seed: int = 0, **kwargs):
    """A model to call, its weights filled from a seeded NumPy generator.

    Building inside ``without_weights()`` and filling the variables with ``fill_declared`` skips
    the random initialisers, which JAX compiles once per weight shape (seconds per model on CPU).
    """
    with without_weights():
        model = models.build(name, **kwargs)
    rng = np.random.default_rng(seed)
    fill_declared(model, lambda v: rng.uniform(0.0, 0.05, size=v.shape).astype("float32"))
    return model


@functools.lru_cache(maxsize=None)
def keras_applications(name: str) -> Built:
    with without_weights():
        return _summarise(getattr(keras.applications, name)(weights=None))


# --------------------------------------------------------------------------------------------
# LeNet-5: DL1, "LeNet-5(1998)"
LENET5_PARAMS = {"c1": 156, "c3": 2_416, "c5": 48_120, "f6": 10_164, "output": 850}
LENET5_SIDES = {"c1": 28, "s2": 14, "c3": 10, "s4": 5}


def test_lenet5_counts_match_slide():
    m = built("lenet5")
    assert m.params == LENET5_PARAMS
    assert m.total == 61_706
    assert {k: m.shapes[k][0] for k in LENET5_SIDES} == LENET5_SIDES
    assert m.shapes["c5_flatten"] == (120,)  # the slide's Flatten(): 5*5*16 -> C5's 120


def test_lenet5_reconciles_with_papers_60000():
    # Paper: C3 wires each map to a subset of S2 (1,516 params), S2/S4 have a coefficient and
    # a bias per map (12 and 32), the RBF output layer is fixed: 60,000 trainable parameters.
    m = built("lenet5")
    assert m.total - m.params["c3"] + 1_516 + 12 + 32 - m.params["output"] == 60_000


def test_lenet5_needs_32_pixels_and_says_how_to_pad_mnist():
    with pytest.raises(ValueError, match=r"at least 32x32.*input_shape=\(32, 32, 1\)"):
        models.build("lenet5", input_shape=(28, 28, 1))


# --------------------------------------------------------------------------------------------
# AlexNet: DL1, "AlexNet(2012)", per-layer list (ungrouped)
ALEXNET_PARAMS = {
    "conv1": 34_944, "conv2": 614_656, "conv3": 885_120, "conv4": 1_327_488,
    "conv5": 884_992, "fc6": 37_752_832, "fc7": 16_781_312, "fc8": 4_097_000,
}
ALEXNET_SIDES = {"conv1": 55, "pool1": 27, "conv2": 27, "pool2": 13, "conv5": 13, "pool5": 6}


def test_alexnet_counts_match_slide():
    m = built("alexnet")
    assert m.params == ALEXNET_PARAMS
    assert m.total == 62_378_344
    assert {k: m.shapes[k][0] for k in ALEXNET_SIDES} == ALEXNET_SIDES
    assert m.shapes["pool5"] == (6, 6, 256) and m.output_shapes == ((None, 1000),)
    assert m.weighted_depth == 8  # GDSC: "AlexNet (8-layers)"


def test_alexnet_has_about_the_papers_650000_neurons():
    m = built("alexnet_grouped")
    layers = ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    neurons = sum(int(np.prod(m.shapes[k])) for k in layers)
    assert neurons == 659_272 and abs(neurons / 650_000 - 1) < 0.02


def test_alexnet_grouped_is_the_papers_60_million():
    m = built("alexnet_grouped")
    assert m.total == 60_965_224
    # The grouped kernels are the ones the slide writes (5x5x48, 3x3x192), whose counts are
    # not the ones the slide lists next to them (614,656 / 1,327,488 / 884,992).
    assert m.params["conv2"] == 5 * 5 * 48 * 256 + 256 == 307_456
    assert m.params["conv4"] == 3 * 3 * 192 * 384 + 384 == 663_936
    assert m.params["conv5"] == 3 * 3 * 192 * 256 + 256 == 442_624
    assert m.params["conv2"] != ALEXNET_PARAMS["conv2"]


def test_alexnet_rejects_224_and_names_227():
    with pytest.raises(ValueError, match=r"224 leaves 1 pixel.*223 or 227.*227"):
        models.build("alexnet", input_shape=(224, 224, 3))


def test_alexnet_rejects_tiny_input_with_its_minimum():
    with pytest.raises(ValueError, match=r"alexnet needs an input of at least 67x67"):
        models.build("alexnet", input_shape=(35, 35, 3))


def test_alexnet_forward_pass_on_two_gpu_layout():
    model = runnable("alexnet_grouped", input_shape=(67, 67, 3), num_classes=7)
    assert model.get_layer("pool5").output.shape[1:] == (1, 1, 256)
    probs = keras.ops.convert_to_numpy(model(np.ones((1, 67, 67, 3), "float32")))
    assert probs.shape == (1, 7)
    np.testing.assert_allclose(probs.sum(), 1.0, rtol=1e-5)


# --------------------------------------------------------------------------------------------
# ZFNet: Zeiler & Fergus 2013, Figure 3 sides; wide variant = DL1 Table 8.1 volumes
ZFNET_SIDES = {"conv1": 110, "pool1": 55, "conv2": 26, "pool2": 13,
               "conv3": 13, "conv4": 13, "conv5": 13, "pool5": 6}


def test_zfnet_layer_sides_match_paper():
    m = built("zfnet")
    assert {k: m.shapes[k][0] for k in ZFNET_SIDES} == ZFNET_SIDES
    assert [m.shapes[k][-1] for k in ("conv1", "conv2", "conv3", "conv4", "conv5")] == \
        [96, 256, 384, 384, 256]
    assert m.params["conv1"] == 7 * 7 * 3 * 96 + 96  # 7x7 kernels instead of AlexNet's 11x11


def test_zfnet_wide_matches_table_8_1_volumes():
    m = built("zfnet", wide=True)
    assert m.shapes["pool1"] == (55, 55, 96)
    assert m.shapes["pool2"] == (13, 13, 256)
    assert [m.shapes[k] for k in ("conv3", "conv4", "conv5")] == \
        [(13, 13, 512), (13, 13, 1024), (13, 13, 512)]
    assert m.shapes["fc6"] == (4096,) and m.shapes["fc7"] == (4096,) and m.shapes["fc8"] == (1000,)


def test_zfnet_rejects_tiny_input():
    with pytest.raises(ValueError, match=r"zfnet needs an input of at least 53x53"):
        models.build("zfnet", input_shape=(40, 60, 3))


# --------------------------------------------------------------------------------------------
# VGG: DL1 "VGGNet(2014)" table (weights without bias, VGG-16), keras.applications,
# torchvision's vgg16_bn.
VGG16_SLIDE_WEIGHTS = {  # the slide's "weights" column, row by row
    "conv1_1": 1_728, "conv1_2": 36_864, "conv2_1": 73_728, "conv2_2": 147_456,
    "conv3_1": 294_912, "conv3_2": 589_824, "conv3_3": 589_824,
    "conv4_1": 1_179_648, "conv4_2": 2_359_296, "conv4_3": 2_359_296,
    "conv5_1": 2_359_296, "conv5_2": 2_359_296, "conv5_3": 2_359_296,
    "fc6": 102_760_448, "fc7": 16_777_216, "fc8": 4_096_000,
}
VGG16_SLIDE_SHAPES = {
    "conv1_2": (224, 224, 64), "pool1": (112, 112, 64), "conv2_2": (112, 112, 128),
    "pool2": (56, 56, 128), "conv3_3": (56, 56, 256), "pool3": (28, 28, 256),
    "conv4_3": (28, 28, 512), "pool4": (14, 14, 512), "conv5_3": (14, 14, 512),
    "pool5": (7, 7, 512), "fc6": (4096,), "fc7": (4096,), "fc8": (1000,),
}


@pytest.mark.parametrize("depth, app, total", [(16, "VGG16", 138_357_544),
                                               (19, "VGG19", 143_667_240)])
def test_vgg_equals_keras_applications(depth, app, total):
    ours, reference = built(f"vgg{depth}"), keras_applications(app)
    assert ours.total == reference.total == total
    assert list(ours.params.values()) == list(reference.params.values())
    assert ours.weighted_depth == depth


def test_vgg16_rows_match_slide_table():
    m = built("vgg16")
    assert m.kernels == VGG16_SLIDE_WEIGHTS
    assert {k: m.shapes[k] for k in VGG16_SLIDE_SHAPES} == VGG16_SLIDE_SHAPES
    assert round(sum(m.kernels.values()) / 1e6) == 138  # slide: "TOTAL params: 138M"


def test_vgg16_activation_memory_is_15m_not_the_slides_24m():
    m = built("vgg16")
    rows = ["input"] + list(VGG16_SLIDE_WEIGHTS) + [f"pool{i}" for i in range(1, 6)]
    values = sum(int(np.prod(m.shapes[r])) for r in rows)
    assert values == 15_237_608
    assert round(values / 1e6) != 24


def test_vgg_sizes_in_gdsc_quiz():
    # GDSC: "VGGNet (19-layers) -> 138M": 138M is VGG-16, VGG-19 rounds to 144M.
    assert round(built("vgg16").total / 1e6) == 138
    assert round(built("vgg19").total / 1e6) == 144


TORCHVISION_VGG_PARAMS = {  # num_params of torchvision's VGG*_Weights
    "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg13": 133_047_848,
    "vgg13_bn": 133_053_736, "vgg16": 138_357_544, "vgg16_bn": 138_365_992,
    "vgg19": 143_667_240, "vgg19_bn": 143_678_248,
}


@pytest.mark.parametrize("name", sorted(TORCHVISION_VGG_PARAMS))
def test_vgg_trainable_params_match_torchvision(name):
    assert built(name).trainable == TORCHVISION_VGG_PARAMS[name]


def test_vgg16_bn_keeps_moving_statistics_apart():
    m = built("vgg16_bn")
    # Keras also stores BN's moving mean and variance: 2 x 4,224 non-trainable values.
    assert m.total - m.trainable == 2 * (2 * 64 + 2 * 128 + 3 * 256 + 6 * 512)
    assert m.shapes["conv1_1_bn"] == (224, 224, 64)


def test_vgg16_rejects_16_pixels_naming_32():
    with pytest.raises(ValueError, match=r"vgg16 needs an input of at least 32x32.*got 16x16"):
        models.build("vgg16", input_shape=(16, 16, 3))


def test_unknown_vgg_name_lists_close_names():
    with pytest.raises(ValueError, match=r"Unknown model 'vgg17'.*'vgg1[169]'"):
        models.build("vgg17")


# --------------------------------------------------------------------------------------------
# Network in Network, CIFAR-10 configuration
NIN_PARAMS = {  # k*k*in*out + out for each layer of the released CIFAR-10 network
    "conv1": 14_592, "cccp1": 30_880, "cccp2": 15_456,
    "conv2": 460_992, "cccp3": 37_056, "cccp4": 37_056,
    "conv3": 331_968, "cccp5": 37_056, "cccp6": 1_930,
}


def test_nin_counts_and_no_fully_connected_layer():
    m = built("nin")
    assert m.params == NIN_PARAMS and m.total == 966_986
    assert m.shapes["pool1"] == (16, 16, 96) and m.shapes["cccp6"] == (8, 8, 10)
    assert m.shapes["global_avg_pool"] == (10,)
    with without_weights():
        model = models.build("nin")
    assert not any(isinstance(layer, keras.layers.Dense) for layer in model.layers)


def test_nin_forward_pass_gives_probabilities(rng):
    model = runnable("nin", num_classes=4)
    probs = keras.ops.convert_to_numpy(model(rng.normal(size=(2, 32, 32, 3)).astype("float32")))
    assert probs.shape == (2, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


# --------------------------------------------------------------------------------------------
# GoogLeNet: the paper's Table 1 (params in K = 1024 weights without bias, ops in M = 10**6
# multiply-accumulates) and DL1's inception (3a) row.
GOOGLENET_TABLE1 = {  # name: (output size, params K, ops M)
    "conv1_7x7_s2": ((112, 112, 64), 2.7, 34),
    "pool1_3x3_s2": ((56, 56, 64), None, None),
    "conv2_3x3": ((56, 56, 192), 112, 360),
    "pool2_3x3_s2": ((28, 28, 192), None, None),
    "inception_3a": ((28, 28, 256), 159, 128),
    "inception_3b": ((28, 28, 480), 380, 304),
    "pool3_3x3_s2": ((14, 14, 480), None, None),
    "inception_4a": ((14, 14, 512), 364, 73),
    "inception_4b": ((14, 14, 512), 437, 88),
    "inception_4c": ((14, 14, 512), 463, 100),
    "inception_4d": ((14, 14, 528), 580, 119),
    "inception_4e": ((14, 14, 832), 840, 170),
    "pool4_3x3_s2": ((7, 7, 832), None, None),
    "inception_5a": ((7, 7, 832), 1072, 54),
    "inception_5b": ((7, 7, 1024), 1388, 71),
    "pool5_7x7_s1": ((1024,), None, None),
    "loss3_classifier": ((1000,), 1000, 1),
}
# Rows whose printed params/ops do not follow from the filter numbers in the same table
# (see the module report): conv1 counts about 2.7K weights where 7x7x3x64 = 9,408.
TABLE1_PARAM_ERRATA = {"conv1_7x7_s2", "inception_4a", "inception_4c", "inception_4d",
                       "inception_4e", "inception_5a", "inception_5b"}
TABLE1_OPS_ERRATA = {"conv1_7x7_s2", "inception_5a"}


def _stage_layers(m: Built, stage: str) -> list[str]:
    if stage == "conv2_3x3":
        return ["conv2_3x3_reduce", "conv2_3x3"]
    return [k for k in m.kernels if k == stage or k.startswith(stage + "_")]


def _stage_weights_and_macs(m: Built, stage: str) -> tuple[int, int]:
    names = _stage_layers(m, stage)
    weights = sum(m.kernels[k] for k in names)
    macs = sum(m.kernels[k] * int(np.prod(m.shapes[k][:-1])) for k in names)
    return weights, macs


def test_googlenet_output_sizes_match_table1():
    m = built("googlenet")
    for stage, (size, _, _) in GOOGLENET_TABLE1.items():
        shape = m.shapes[f"{stage}_output"] if stage.startswith("inception") else m.shapes[stage]
        assert shape == size, stage


def test_inception_3a_is_159k_params_and_128m_ops():
    weights, macs = _stage_weights_and_macs(built("googlenet"), "inception_3a")
    assert weights == 163_328 and weights / 1024 == 159.5  # paper and DL1: "159K"
    assert macs == 163_328 * 28 * 28 == 128_049_152        # paper and DL1: "128M"
    assert int(weights / 1024) == 159 and round(macs / 1e6) == 128


@pytest.mark.parametrize("stage", [s for s, row in GOOGLENET_TABLE1.items() if row[1]])
def test_googlenet_table1_params_and_ops(stage):
    _, paper_k, paper_m = GOOGLENET_TABLE1[stage]
    weights, macs = _stage_weights_and_macs(built("googlenet"), stage)
    params_agree = abs(weights / 1024 - paper_k) <= 1.0
    ops_agree = abs(macs / 1e6 - paper_m) <= 1.0
    assert params_agree == (stage not in TABLE1_PARAM_ERRATA), (weights / 1024, paper_k)
    assert ops_agree == (stage not in TABLE1_OPS_ERRATA), (macs / 1e6, paper_m)


def test_googlenet_is_22_layers_deep_and_about_7m_params():
    m = built("googlenet")
    assert m.weighted_depth == 22  # paper: "22 layers deep when counting only layers with
    #                                 parameters"
    assert m.output_shapes == ((None, 1000),)
    paper_column_k = 2.7 + 112 + 159 + 380 + 364 + 437 + 463 + 580 + 840 + 1072 + 1388 + 1000
    assert abs(sum(m.kernels.values()) / 1024 / paper_column_k - 1) < 0.03
    assert round(m.total / 1e6) == 7  # GDSC says "GoogLeNet (22-layers) -> 4M"


def test_googlenet_aux_classifiers_are_extra_outputs():
    m = built("googlenet", aux_logits=True)
    assert m.output_shapes == ((None, 1000),) * 3
    assert m.shapes["loss1_ave_pool"] == (4, 4, 512) and m.shapes["loss2_ave_pool"] == (4, 4, 528)
    assert m.params["loss1_conv"] == 512 * 128 + 128 and m.params["loss2_conv"] == 528 * 128 + 128
    assert m.params["loss1_fc"] == m.params["loss2_fc"] == 4 * 4 * 128 * 1024 + 1024
    plain = built("googlenet")
    assert set(plain.params) < set(m.params)  # the main path keeps its names
    assert m.total - plain.total == 2 * (2_098_176 + 1_025_000) + 65_664 + 67_712


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_googlenet_aux_forward_pass_on_small_input(rng):
    model = runnable("googlenet", input_shape=(65, 65, 3), num_classes=5, aux_logits=True)
    outs = model(rng.normal(size=(1, 65, 65, 3)).astype("float32"))
    assert [tuple(o.shape) for o in outs] == [(1, 5)] * 3


def test_googlenet_aux_needs_65_pixels():
    with pytest.raises(ValueError, match=r"googlenet needs an input of at least 65x65"):
        models.build("googlenet", input_shape=(64, 64, 3), aux_logits=True)
    with pytest.raises(ValueError, match="aux_logits must be True or False"):
        models.build("googlenet", aux_logits="yes")


# --------------------------------------------------------------------------------------------
# Small MNIST models; mnist_gap against the Keras summary printed in DL1
GAP_SLIDE_ROWS = [  # (name, output shape, params) as printed on the slide
    ("max_pooling2d_1", (7, 7, 128), 0),
    ("global_average_pooling2d", (128,), 0),
    ("dense", (500,), 64_500),
    ("activation_3", (500,), 0),
    ("dense_1", (10,), 5_010),
    ("activation_4", (10,), 0),
]


def test_mnist_gap_matches_slide_summary():
    with without_weights():
        model = models.build("mnist_gap")
    tail = [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers[-len(GAP_SLIDE_ROWS):]]
    assert tail == GAP_SLIDE_ROWS
    assert model.count_params() == 326_534
    convs = [model.get_layer(n).count_params() for n in ("conv2d", "conv2d_1", "conv2d_2")]
    assert convs == [832, 51_264, 204_928] and sum(convs) == 326_534 - 64_500 - 5_010


def test_mnist_cnn_has_far_fewer_params_than_mlp(rng):
    mlp, cnn = runnable("mnist_mlp"), runnable("mnist_cnn")
    assert mlp.count_params() == 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10
    assert cnn.count_params() * 10 < mlp.count_params()
    x = rng.random((3, 28, 28, 1)).astype("float32")
    for model in (mlp, cnn, runnable("mnist_gap")):
        assert tuple(model(x).shape) == (3, 10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_shape=(28, 28)), r"input_shape must be \(height, width, channels\)"),
    (dict(input_shape=(2, 2, 1)), r"at least 4x4"),
    (dict(num_classes=0), r"num_classes must be >= 1"),
    (dict(input_shape=(28, 28.5, 1)), r"width must be a whole number"),
])
def test_small_models_reject_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.build("mnist_cnn", **kwargs)


def test_bad_dropout_and_hidden_are_explained():
    with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
        models.build("vgg16", dropout=1.5)
    with pytest.raises(ValueError, match=r"hidden\[1\] must be >= 1"):
        models.build("mnist_mlp", hidden=(64, 0))
    with pytest.raises(ValueError, match=r"VGG depth must be one of \[11, 13, 16, 19\]"):
        models.build("vgg16", depth=17)


# --------------------------------------------------------------------------------------------
# Shared helpers: shape arithmetic and Local Response Normalization


def test_output_side_reproduces_alexnet_and_vgg_sides():
    assert output_side(227, [(11, 4, 0)]) == 55       # DL1 / MODELS: 227 -> 55
    assert output_side(224, [(11, 4, 0)]) == 54       # MODELS: 224 cannot give 55
    assert output_side(224, [(2, 2, 0)] * 5) == 7     # VGG: 224 -> 7
    assert smallest_input([(2, 2, 0)] * 5) == 32
    assert output_side(110, [(3, 2, "same")]) == 55


def test_without_weights_leaves_no_weights_behind():
    with without_weights():
        model = models.build("vgg19")
    assert model.count_params() == 143_667_240
    assert not pending_variables()


def test_check_input_shape_names_channels():
    with pytest.raises(ValueError, match=r"takes 1-channel images, got 3.*\(28, 28, 1\)"):
        check_input_shape((28, 28, 3), 4, "demo", channels=1)


def test_lrn_hand_computed_values():
    # One channel, k=2, alpha=1, beta=1: b = a / (2 + a^2) = 2 / 6.
    one = LocalResponseNormalization(size=1, alpha=1.0, beta=1.0, k=2.0)
    out = keras.ops.convert_to_numpy(one(np.full((1, 1, 1, 1), 2.0, "float32")))
    np.testing.assert_allclose(out, [[[[1 / 3]]]], rtol=1e-6)
    # Three channels a = (1, 2, 3), window 3 cut at the edges, k=1, alpha=1, beta=1:
    # (1 / (1+1+4), 2 / (1+1+4+9), 3 / (1+4+9)).
    three = LocalResponseNormalization(size=3, alpha=1.0, beta=1.0, k=1.0)
    out = keras.ops.convert_to_numpy(three(np.array([[[[1.0, 2.0, 3.0]]]], "float32")))
    np.testing.assert_allclose(out.ravel(), [1 / 6, 2 / 15, 3 / 14], rtol=1e-6)


@pytest.mark.tensorflow_only
def test_lrn_matches_tensorflow_with_alexnet_constants(rng):
    import tensorflow as tf

    x = rng.normal(scale=30.0, size=(2, 5, 5, 16)).astype("float32")
    expected = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4,
                                                  beta=0.75).numpy()
    got = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_lrn_keeps_its_constants_through_serialization():
    layer = LocalResponseNormalization(size=3, alpha=2e-5, beta=0.5, k=1.0, name="norm")
    copy = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(copy, LocalResponseNormalization)
    assert (copy.size, copy.alpha, copy.beta, copy.k, copy.name) == (3, 2e-5, 0.5, 1.0, "norm")


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=4), "size must be odd"),
    (dict(alpha=0), "alpha must be a number > 0"),
    (dict(beta=-1), "beta must be a number > 0"),
])
def test_lrn_rejects_bad_constants(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LocalResponseNormalization(**kwargs)
