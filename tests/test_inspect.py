"""Tests of cnncourse.inspect (chapters 8-9 helpers) and cnncourse.viz.architectures.

Oracles: the slides' window walk (seed 004), the papers' kernel/stride/padding, hand-built
inputs whose answer is known by construction, hand-computed LRN values, TensorFlow's own LRN,
and GoogLeNet's Table 1 (Szegedy et al. 2015).
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import accounting, inspect, models, shapes, viz  # noqa: E402
from cnncourse._quiet import import_backend  # noqa: E402

keras = import_backend()
L = keras.layers


def _counting(name, **kw):
    with accounting.shapes_only():
        return models.build(name, **kw)


# ---------------------------------------------------------------- conv_windows

def test_conv_windows_follow_the_walk_of_seed_004():
    table = inspect.conv_windows(227, 11, 4)
    n = table["unit"].to_numpy()
    # seed 004: filter n covers 4(n-1)+1 ... 4(n-1)+11; 55 filters, the last 217 ... 227
    assert len(table) == 55
    assert np.array_equal(table["first"], 4 * (n - 1) + 1)
    assert np.array_equal(table["last"], 4 * (n - 1) + 11)
    assert table.iloc[-1].tolist() == [55, 217, 227]
    assert table.attrs["uncovered"] == []


def test_conv_windows_on_224_miss_the_last_pixel():
    table = inspect.conv_windows(224, 11, 4)
    assert len(table) == 54 and table["last"].iloc[-1] == 223
    assert table.attrs["uncovered"] == [224]


def test_conv_windows_number_padding_pixels_outside_the_image():
    # seed 002's example: 5x5 input, 3x3 filter, 1 pixel of zero padding, stride 2 -> 3 windows
    table = inspect.conv_windows(5, 3, s=2, p=1)
    assert table["first"].tolist() == [0, 2, 4] and table["last"].tolist() == [2, 4, 6]
    assert table.attrs["uncovered"] == []


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=5, f=7), "does not fit in n \\+ 2p = 5"),
    (dict(n=0, f=1), "n must be >= 1"),
    (dict(n=5, f=3, p=-1), "p must be >= 0"),
    (dict(n=5, f=3, s=1.5), "s must be a whole number"),
])
def test_conv_windows_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        inspect.conv_windows(**kwargs)


# ---------------------------------------------------------------- field_geometry

def test_field_geometry_of_alexnet_matches_the_paper_and_the_rf_table():
    model = _counting("alexnet")
    conv1 = inspect.field_geometry(model, "conv1")
    assert conv1 == {"rf": (11, 11), "jump": (4, 4), "start": (0, 0)}   # 11x11, stride 4, pad 0
    # unit n (1-based) of conv1 starts at pixel 4(n-1)+1, i.e. 0-based 4(n-1): the same walk
    walk = inspect.conv_windows(227, 11, 4)
    top, bottom, _, _ = inspect.input_window(conv1, 54, 0)
    assert (top + 1, bottom) == tuple(walk.iloc[-1][["first", "last"]])
    rf_table = shapes.receptive_field(model).set_index("name")
    for layer in ("conv1", "pool1", "conv2", "pool2", "conv5", "pool5"):
        geometry = inspect.field_geometry(model, layer)
        assert geometry["rf"][0] == rf_table.loc[layer, "rf"]
        assert geometry["jump"][0] == rf_table.loc[layer, "jump"]
    # conv2 pads 2 pixels ('same' 5x5) in pool1's grid, whose units are 8 pixels apart
    assert inspect.field_geometry(model, "conv2")["start"] == (-16, -16)
    assert inspect.field_geometry(model, "pool5")["rf"] == (195, 195)


def test_field_geometry_counts_zero_padding_and_same_padding():
    zf = inspect.field_geometry(_counting("zfnet"), "conv1")
    assert zf == {"rf": (7, 7), "jump": (2, 2), "start": (-1, -1)}      # 1 pixel of zeros
    cnn = models.build("mnist_cnn")
    assert inspect.field_geometry(cnn, "conv1")["start"] == (-1, -1)    # 'same' 3x3
    assert inspect.field_geometry(cnn, "conv2") == {"rf": (8, 8), "jump": (2, 2),
                                                     "start": (-3, -3)}


def test_field_geometry_rejects_branches_and_unknown_layers():
    net = _counting("googlenet")
    with pytest.raises(ValueError, match="plain chain of layers"):
        inspect.field_geometry(net, "inception_3a_output")
    with pytest.raises(ValueError, match="no layer 'conv3'.*'conv2'"):
        inspect.field_geometry(models.build("mnist_cnn"), "conv3")


def test_input_window_steps_by_the_jump():
    geometry = {"rf": (8, 8), "jump": (2, 2), "start": (-3, -3)}
    assert inspect.input_window(geometry, 0, 0) == (-3, 5, -3, 5)
    assert inspect.input_window(geometry, 2, 5) == (1, 9, 7, 15)
    with pytest.raises(ValueError, match="row must be >= 0"):
        inspect.input_window(geometry, -1, 0)


# ---------------------------------------------------------------- ten_crops

def test_ten_crops_are_the_corners_the_centre_and_their_mirrors():
    image = np.arange(36).reshape(6, 6)
    crops = inspect.ten_crops(image, 4)
    assert crops.shape == (10, 4, 4)
    assert crops[0][0, 0] == 0 and crops[1][0, -1] == 5          # top-left, top-right
    assert crops[2][-1, 0] == 30 and crops[3][-1, -1] == 35      # bottom-left, bottom-right
    assert np.array_equal(crops[4], image[1:5, 1:5])             # centre
    for plain, mirror in zip(crops[:5], crops[5:]):
        assert np.array_equal(mirror, plain[:, ::-1])
    assert inspect.ten_crops(np.zeros((8, 8, 3)), 5).shape == (10, 5, 5, 3)


def test_ten_crops_rejects_crops_that_do_not_fit():
    with pytest.raises(ValueError, match="does not fit in a 6x8 image; use crop <= 6"):
        inspect.ten_crops(np.zeros((6, 8)), 7)
    with pytest.raises(ValueError, match="one image"):
        inspect.ten_crops(np.zeros((2, 6, 6, 1)), 4)


# ---------------------------------------------------------------- feature maps and top units

def _mirror_model():
    """(6, 6, 1) -> channel 0 = x, channel 1 = -x (a 1x1 conv with weights +1, -1)."""
    inputs = keras.Input((6, 6, 1), name="image")
    conv = L.Conv2D(2, 1, use_bias=False, name="mirror")
    model = keras.Model(inputs, conv(inputs), name="mirror_model")
    conv.set_weights([np.array([1.0, -1.0], "float32").reshape(1, 1, 1, 2)])
    return model


def _dots():
    """Four images, each one pixel: image i has value v_i at (r_i, c_i); background 0."""
    x = np.zeros((4, 6, 6, 1), "float32")
    for i, (r, c, v) in enumerate([(0, 0, 1.0), (2, 3, 5.0), (5, 1, 3.0), (4, 4, -7.0)]):
        x[i, r, c, 0] = v
    return x


def test_layer_outputs_returns_named_feature_maps():
    x = _dots()
    maps = inspect.layer_outputs(_mirror_model(), x, "mirror")["mirror"]
    assert maps.shape == (4, 6, 6, 2)
    np.testing.assert_allclose(maps[..., 0], x[..., 0])
    np.testing.assert_allclose(maps[..., 1], -x[..., 0])


def test_layer_outputs_checks_names_and_shapes_first():
    model = _mirror_model()
    with pytest.raises(ValueError, match="no layer 'mirorr'.*'mirror'"):
        inspect.layer_outputs(model, _dots(), "mirorr")
    with pytest.raises(ValueError, match=r"batch of shape \(N, 6, 6, 1\), got \(6, 6, 1\)"):
        inspect.layer_outputs(model, _dots()[0], "mirror")


def test_top_activations_find_the_planted_pixels():
    table = inspect.top_activations(_mirror_model(), "mirror", _dots(), k=2)
    first = table[table["channel"] == 0]
    assert first["image"].tolist() == [1, 2]                       # values 5 and 3
    assert first[["row", "col"]].values.tolist() == [[2, 3], [5, 1]]
    np.testing.assert_allclose(first["activation"], [5.0, 3.0])
    second = table[table["channel"] == 1]                          # -x: the -7 pixel wins
    assert second["image"].tolist()[0] == 3
    assert second[["row", "col"]].values.tolist()[0] == [4, 4]
    assert table["rank"].tolist() == [1, 2, 1, 2]


def test_top_activations_rejects_bad_channels_and_k():
    model = _mirror_model()
    with pytest.raises(ValueError, match=r"channels 0 \.\.\. 1, got \[5\]"):
        inspect.top_activations(model, "mirror", _dots(), channels=[5])
    with pytest.raises(ValueError, match="k=9 top images asked for, but x holds only 4"):
        inspect.top_activations(model, "mirror", _dots(), k=9)


def test_top_patches_cut_the_receptive_field_with_zero_padding():
    inputs = keras.Input((6, 6, 1), name="image")
    conv = L.Conv2D(1, 3, padding="same", use_bias=False, name="centre")
    model = keras.Model(inputs, conv(inputs), name="centre_model")
    kernel = np.zeros((3, 3, 1, 1), "float32")
    kernel[1, 1] = 1.0                                             # the unit copies its centre
    conv.set_weights([kernel])
    x = np.arange(2 * 36, dtype="float32").reshape(2, 6, 6, 1)
    table = inspect.top_activations(model, "centre", x, k=1)
    assert table[["image", "row", "col"]].values.tolist() == [[1, 5, 5]]
    patch = inspect.top_patches(model, "centre", x, table)[0, ..., 0]
    expected = np.zeros((3, 3), "float32")
    expected[:2, :2] = x[1, 4:6, 4:6, 0]                           # the rest is padding
    np.testing.assert_array_equal(patch, expected)


# ---------------------------------------------------------------- LRN reference

def test_local_response_norm_hand_computed():
    # a = (1, 2, 3), window 3 cut at the edges, k = alpha = beta = 1
    out = inspect.local_response_norm(np.array([1.0, 2.0, 3.0]), size=3, alpha=1, beta=1, k=1)
    np.testing.assert_allclose(out, [1 / 6, 2 / 15, 3 / 14])
    # one channel, k=2: 2 / (2 + 1e-4 * 4) ** 0.75
    np.testing.assert_allclose(inspect.local_response_norm(np.array([[2.0]])),
                               [[2.0 / (2.0 + 4e-4) ** 0.75]])


@pytest.mark.tensorflow_only
def test_local_response_norm_matches_tensorflow(rng):
    import tensorflow as tf

    x = rng.normal(scale=30.0, size=(2, 3, 3, 12)).astype("float32")
    expected = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4,
                                                  beta=0.75).numpy()
    np.testing.assert_allclose(inspect.local_response_norm(x), expected, rtol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(size=4), "size must be odd"),
    (dict(alpha=0), "alpha must be a number > 0"),
    (dict(k=-2), "k must be a number > 0"),
])
def test_local_response_norm_rejects_bad_constants(kwargs, message):
    with pytest.raises(ValueError, match=message):
        inspect.local_response_norm(np.ones((1, 4)), **kwargs)


# ---------------------------------------------------------------- GoogLeNet Table 1

def test_googlenet_table_reproduces_the_papers_columns():
    table = inspect.googlenet_table().set_index("row")
    assert list(table.index) == ["conv1", "conv2", "3a", "3b", "4a", "4b", "4c", "4d", "4e",
                                 "5a", "5b", "linear"]
    # inception (3a): 159K parameters and 128M operations (Table 1; seed 001)
    assert table.loc["3a", "output"] == "(28, 28, 256)"
    assert table.loc["3a", "params_k"] == 159.5 and round(table.loc["3a", "ops_m"]) == 128
    # conv2 (1x1 64 + 3x3 192): 112K and 360M; the linear layer 1000K and 1M
    assert table.loc["conv2", "params_k"] == 112 and round(table.loc["conv2", "ops_m"]) == 360
    assert table.loc["linear", "params_k"] == 1000 and round(table.loc["linear", "ops_m"]) == 1
    # most rows agree with the printed columns to 2 %; the paper's conv1 row does not
    agree = (table["ops_ratio"] - 1).abs() < 0.02
    assert agree.sum() >= 9 and not agree["conv1"]
    # section 5: "a computational budget of 1.5 billion multiply-adds at inference time"
    assert abs(table["macs"].sum() / 1.5e9 - 1) < 0.1


def test_googlenet_table_leaves_out_the_auxiliary_heads():
    plain = inspect.googlenet_table()
    with_aux = inspect.googlenet_table(_counting("googlenet", aux_logits=True))
    assert with_aux["weights"].tolist() == plain["weights"].tolist()


# ---------------------------------------------------------------- plots

def test_plot_conv_windows_shades_the_missed_pixel():
    ax = viz.plot_conv_windows(inspect.conv_windows(224, 11, 4), 224)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "unit 1", "unit 2", "unit 3", "unit 53", "unit 54"]
    assert len(ax.patches) == 5 + 1                      # five bars and one shaded pixel
    plt.close("all")
    with pytest.raises(ValueError, match="none of the units"):
        viz.plot_conv_windows(inspect.conv_windows(224, 11, 4), 224, units=[99])


def test_plot_layer_bars_and_map_sides():
    import pandas as pd

    frame = pd.DataFrame({"name": ["a", "b"], "x": [1, 2], "y": [3, 4]})
    ax = viz.plot_layer_bars(frame, ["x", "y"], log=True)
    assert len(ax.patches) == 4 and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match=r"no column\(s\) \['z'\]"):
        viz.plot_layer_bars(frame, ["x", "z"])
    ax = viz.plot_map_sides({"AlexNet": [("input", 227), ("conv1", 55)]})
    assert len(ax.lines) == 1
    with pytest.raises(ValueError, match="non-empty dict"):
        viz.plot_map_sides({})
    plt.close("all")


def test_plot_top_patches_lays_out_channels_by_rank():
    table = inspect.top_activations(_mirror_model(), "mirror", _dots(), k=2)
    patches = np.zeros((len(table), 3, 3, 1))
    fig = viz.plot_top_patches(patches, table)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="got 1 patches for 4 table rows"):
        viz.plot_top_patches(patches[:1], table)
    plt.close("all")
