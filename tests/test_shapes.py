"""cnncourse.shapes: output sizes and receptive fields against the slides and real Keras layers."""
import itertools

import numpy as np
import pytest

from cnncourse import shapes
from cnncourse._keras import import_backend

keras = import_backend()
layers = keras.layers
ZEROS = dict(kernel_initializer="zeros")  # random initialisers are slow to start on JAX


def keras_side(x, *stack) -> int:
    """Spatial side of what a stack of Keras layers actually returns for the batch x."""
    for layer in stack:
        x = layer(x)
    return int(keras.ops.shape(x)[1])


# --- slide numbers ---------------------------------------------------------------------------

def test_alexnet_conv1_227_gives_55():
    # DL1 and MODELS: 227x227x3 input, 11x11 kernels, stride 4, no padding -> 55x55x96
    assert shapes.conv_output_size(227, 11, p=0, s=4) == 55


def test_alexnet_224_is_refused_with_the_inputs_that_would_work():
    with pytest.raises(ValueError) as info:
        shapes.conv_output_size(224, 11, p=0, s=4)
    message = str(info.value)
    assert "54.25" in message
    assert "n=227 (-> 55)" in message and "n=223 (-> 54)" in message
    assert "no symmetric padding" in message  # 224 - 11 is odd, stride 4 is even
    assert "strict=False" in message


def test_non_strict_rounds_down_like_keras():
    assert shapes.conv_output_size(224, 11, s=4, strict=False) == 54
    conv = layers.Conv2D(1, 11, strides=4, **ZEROS)
    assert keras_side(np.zeros((1, 224, 224, 1)), conv) == 54


def test_refusal_offers_a_padding_when_one_exists():
    # (9 - 3)/4 + 1 = 2.5; with p=1, (9 + 2 - 3)/4 + 1 = 3
    with pytest.raises(ValueError, match=r"padding p=1 also tiles \(-> 3\)"):
        shapes.conv_output_size(9, 3, p=0, s=4)
    assert shapes.conv_output_size(9, 3, p=1, s=4) == 3


def test_models_notes_formula_divides_by_2_instead_of_the_stride():
    # MODELS writes out = (in - kernel + 2 pad) / 2 + 1 for AlexNet conv1 and claims 55:
    # that needs the stride, 4; with 2 the formula gives 109.
    assert shapes.conv_output_size(227, 11, s=2) == 109
    assert shapes.conv_output_size(227, 11, s=4) == 55


def test_alexnet_feature_map_chain():
    # DL1: 227 -conv11/4-> 55 -pool3/2-> 27 -conv5,p2-> 27 -pool3/2-> 13 -conv3,p1 (x3)-> 13
    # -pool3/2-> 6, and 6 x 6 x 256 feeds the first dense layer
    side = shapes.conv_output_size(227, 11, s=4)
    assert side == 55
    side = shapes.pool_output_size(side, 3, s=2)
    assert side == 27
    side = shapes.pool_output_size(shapes.conv_output_size(side, 5, p=2), 3, s=2)
    assert side == 13
    for _ in range(3):
        side = shapes.conv_output_size(side, 3, p=1)
    assert side == 13
    assert shapes.pool_output_size(side, 3, s=2) == 6


def test_lenet5_feature_map_sides():
    # DL1: 32 -conv5-> 28 -pool2-> 14 -conv5-> 10 -pool2-> 5
    sides = [32]
    for step in ("conv", "pool", "conv", "pool"):
        n = sides[-1]
        sides.append(shapes.conv_output_size(n, 5) if step == "conv" else
                     shapes.pool_output_size(n, 2))
    assert sides == [32, 28, 14, 10, 5]


def test_pool_output_size_defaults_stride_to_pool_size_and_is_strict():
    assert shapes.pool_output_size(27, 3, s=2) == 13  # AlexNet's overlapping pool: 27 -> 13
    with pytest.raises(ValueError, match="pool_output_size.*n=26 .*or n=28"):
        shapes.pool_output_size(27, 2)


@pytest.mark.parametrize("f,s", itertools.product((1, 2, 3, 5), (1, 2, 3)))
def test_example_9_3_2_formula_matches_keras(f, s):
    conv = layers.Conv2D(1, f, strides=s, **ZEROS)  # its weights do not depend on n
    for n, p in itertools.product((6, 7, 8), (0, 1)):
        side = keras_side(np.zeros((1, n, n, 1), "float32"), layers.ZeroPadding2D(p), conv)
        assert shapes.conv_output_size(n, f, p, s, strict=False) == side, (n, p)
        if (n + 2 * p - f) % s:
            with pytest.raises(ValueError, match="not a whole number"):
                shapes.conv_output_size(n, f, p, s)
        else:
            assert shapes.conv_output_size(n, f, p, s) == (n + 2 * p - f) // s + 1 == side


@pytest.mark.parametrize("n,f,s,d", [(7, 3, 1, 1), (7, 3, 2, 1), (8, 4, 3, 1), (9, 3, 1, 2),
                                     (5, 5, 2, 1)])
def test_same_and_dilation_match_keras(n, f, s, d):
    x = np.zeros((1, n, n, 1), "float32")
    for padding in ("same", "valid"):
        conv = layers.Conv2D(1, f, strides=s, padding=padding, dilation_rate=d, **ZEROS)
        assert shapes.conv_output_size(n, f, padding, s, d, strict=False) == keras_side(x, conv)


def test_same_padding_puts_the_odd_pixel_last():
    # 6 pixels, 3 taps, stride 2: ceil(6/2) = 3 outputs need (3-1)*2 + 3 = 7 pixels: 1 extra
    assert shapes.same_padding(6, 3, s=2) == (0, 1)
    assert shapes.same_padding(7, 5) == (2, 2)


@pytest.mark.parametrize("n,f,s,padding,output_padding", [
    (3, 3, 2, "same", None), (3, 3, 2, "valid", None), (4, 4, 2, "same", None),
    (3, 2, 3, "valid", None), (3, 3, 2, "same", 1), (3, 3, 3, "valid", 2), (5, 5, 2, "same", 0)])
def test_transpose_output_size_matches_keras(n, f, s, padding, output_padding):
    layer = layers.Conv2DTranspose(1, f, strides=s, padding=padding,
                                   output_padding=output_padding, **ZEROS)
    side = keras_side(np.zeros((1, n, n, 1), "float32"), layer)
    assert shapes.transpose_output_size(n, f, s, padding, output_padding) == side


@pytest.mark.parametrize("n,f,p,s", [(5, 3, 0, 2), (3, 3, 1, 2), (7, 4, 1, 1), (9, 4, 2, 3)])
def test_transpose_undoes_the_convolution_size(n, f, p, s):
    out = shapes.conv_output_size(n, f, p, s)  # strict: these tile exactly
    assert shapes.transpose_output_size(out, f, s, p) == n


def test_transpose_output_padding_must_be_below_the_stride():
    with pytest.raises(ValueError, match="output_padding=2 must be smaller than the stride s=2"):
        shapes.transpose_output_size(3, 3, 2, "same", output_padding=2)


# --- receptive fields ------------------------------------------------------------------------

def test_stacked_3x3_see_5x5_and_7x7():
    # DL1: "3x3 2개 = 5x5 1개, 3x3 3개 = 7x7 1개"; GDSC: second 3x3 conv sees 5x5
    table = shapes.receptive_field([("conv1", 3, 1), ("conv2", 3, 1), ("conv3", 3, 1)])
    assert table["rf"].tolist() == [1, 3, 5, 7]
    assert table["name"].tolist() == ["input", "conv1", "conv2", "conv3"]


def test_dilated_3x3_sees_5x5_with_9_weights():
    # ML9, 9.5: "A 3x3 kernel with a dilation rate of 2 will have the same field of view
    # as a 5x5 kernel, while only using 9 parameters."
    table = shapes.receptive_field([("dilated", 3, 1, 2)])
    assert table["rf"].iloc[-1] == 5
    layer = layers.Conv2D(1, 3, dilation_rate=2, use_bias=False, **ZEROS)
    layer.build((None, 9, 9, 1))
    assert layer.count_params() == 9


def test_jump_multiplies_strides():
    table = shapes.receptive_field([("conv1", 11, 4), ("pool1", 3, 2), ("conv2", 5, 1)])
    assert table["jump"].tolist() == [1, 4, 8, 8]
    assert table["rf"].tolist() == [1, 11, 19, 51]  # 11 + 2*4, then 19 + 4*8


def test_non_square_layers_give_pairs():
    table = shapes.receptive_field([("row", (1, 7), 1), ("col", (7, 1), 1)])
    assert table["rf"].tolist() == [(1, 1), (1, 7), (7, 7)]


def measured_field(model, side: int) -> tuple[int, int]:
    """(field, jump) measured by feeding every one-pixel image through a non-negative model."""
    images = np.eye(side * side, dtype="float32").reshape(-1, side, side, 1)
    out = keras.ops.convert_to_numpy(model(images))
    centre = out.shape[1] // 2

    def rows_seen(row):
        return np.flatnonzero(out[:, row, centre].reshape(side, side).any(axis=1))

    here, below = rows_seen(centre), rows_seen(centre + 1)
    return int(here[-1] - here[0] + 1), int(below[0] - here[0])


def ones(**kw):
    return dict(kernel_initializer="ones", use_bias=False, **kw)


def test_keras_sequential_field_matches_the_measured_one():
    side = 40
    model = keras.Sequential([
        keras.Input((side, side, 1)),
        layers.Conv2D(1, 3, **ones(name="c1")),
        layers.MaxPooling2D(2, name="p1"),
        layers.ReLU(name="relu"),
        layers.Conv2D(1, 3, **ones(dilation_rate=2, name="c2")),
        layers.DepthwiseConv2D(3, strides=2, depthwise_initializer="ones", use_bias=False,
                               name="dw"),
    ])
    table = shapes.receptive_field(model)
    assert table["name"].tolist() == ["input", "c1", "p1", "c2", "dw"]
    assert (table["rf"].iloc[-1], table["jump"].iloc[-1]) == measured_field(model, side)


def test_keras_functional_field_takes_the_widest_branch():
    side = 32
    inputs = keras.Input((side, side, 1))
    stem = layers.Conv2D(1, 3, strides=2, **ones(name="stem"))(inputs)
    narrow = layers.Conv2D(1, 1, **ones(name="narrow"))(stem)
    wide = layers.Conv2D(1, 5, padding="same", **ones(name="wide"))(stem)
    merged = layers.Add(name="add")([narrow, wide])
    top = layers.AveragePooling2D(2, name="pool")(merged)
    model = keras.Model(inputs, top)
    table = shapes.receptive_field(model)
    assert table.set_index("name")["rf"].to_dict() == {
        "input": 1, "stem": 3, "narrow": 3, "wide": 11, "pool": 13}
    assert (table["rf"].iloc[-1], table["jump"].iloc[-1]) == measured_field(model, side)


def test_factorised_branches_merge_into_the_union_of_their_fields():
    """A 1×7 and a 7×1 'same' branch, concatenated, see 7×7 (the input gradient says so)."""
    side = 15
    inputs = keras.Input((side, side, 1))
    tall = layers.Conv2D(1, (7, 1), padding="same", **ones(name="tall"))(inputs)
    flat = layers.Conv2D(1, (1, 7), padding="same", **ones(name="flat"))(inputs)
    merged = layers.Concatenate(name="concat")([tall, flat])
    model = keras.Model(inputs, layers.Conv2D(1, 1, **ones(name="mix"))(merged))
    table = shapes.receptive_field(model).set_index("name")
    assert table.loc["mix", "rf"] == (7, 7)
    images = np.eye(side * side, dtype="float32").reshape(-1, side, side, 1)
    out = keras.ops.convert_to_numpy(model(images))[:, side // 2, side // 2, 0]
    seen = out.reshape(side, side) != 0
    assert (seen.any(axis=1).sum(), seen.any(axis=0).sum()) == (7, 7)


def test_keras_nested_block_is_seen_through_the_field_that_reaches_it():
    side = 24
    block = keras.Sequential([layers.Conv2D(1, 3, **ones(name="conv")),
                              layers.MaxPooling2D(2, name="pool")], name="block")
    inputs = keras.Input((side, side, 1))
    x = layers.Conv2D(1, 3, **ones(name="stem"))(inputs)
    x = layers.Conv2D(1, 3, **ones(name="head"))(block(x))
    model = keras.Model(inputs, x)
    table = shapes.receptive_field(model)
    assert table["name"].tolist() == ["input", "stem", "block/conv", "block/pool", "head"]
    assert table["rf"].tolist() == [1, 3, 5, 6, 10]
    assert (table["rf"].iloc[-1], table["jump"].iloc[-1]) == measured_field(model, side)


# --- bad input -------------------------------------------------------------------------------

def test_filter_larger_than_padded_input_says_what_padding_fits():
    with pytest.raises(ValueError, match=r"spans 7 pixels .* n \+ 2p = 3; use p >= 2"):
        shapes.conv_output_size(3, 7)


def test_bad_padding_word_gets_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'same'"):
        shapes.conv_output_size(8, 3, p="sam")


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(n=0, f=3), "n must be >= 1"), (dict(n=8, f=3, s=0), "s must be >= 1"),
    (dict(n=8, f=3, p=-1), "p must be >= 0"), (dict(n=8.5, f=3), "n must be a whole number")])
def test_bad_numbers_are_named(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        shapes.conv_output_size(**kwargs)


def test_receptive_field_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match=r"\(name, kernel, stride\)"):
        shapes.receptive_field([("conv", 3)])
    with pytest.raises(ValueError, match="conv: kernel must be >= 1"):
        shapes.receptive_field([("conv", 0, 1)])
    with pytest.raises(ValueError, match="takes a Keras model or a list"):
        shapes.receptive_field("conv 3x3")
    model = keras.Sequential([keras.Input((8, 8, 1)),
                              layers.Conv2DTranspose(1, 3, name="up", **ZEROS)])
    with pytest.raises(ValueError, match="'up' .*upsamples"):
        shapes.receptive_field(model)
