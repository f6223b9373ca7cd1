"""cnncourse.signals for chapters 2 and 3 (the lecture's filters, the convolution theorem, Keras layers
as systems, shifts of layers and equivariance) and cnncourse.viz.dsp."""
import numpy as np
import pytest

from cnncourse import ops, signals
from cnncourse.viz import dsp as viz


@pytest.fixture(scope="module")
def keras():
    from cnncourse._quiet import import_backend

    return import_backend()


# --- the slide filters -----------------------------------------------------------------------

def test_slide_filters_as_printed_in_gdsc():
    np.testing.assert_array_equal(signals.slide_filter("blur"),
                                  [[0.06, 0.12, 0.06], [0.12, 0.25, 0.12], [0.06, 0.12, 0.06]])
    np.testing.assert_array_equal(signals.slide_filter("emboss"),
                                  [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    np.testing.assert_array_equal(signals.slide_filter("outline"),
                                  [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])


def test_printed_blur_sums_to_0_97_because_of_rounding():
    # by hand: 4 corners * 0.06 + 4 edges * 0.12 + 0.25 = 0.24 + 0.48 + 0.25 = 0.97
    assert round(signals.slide_filter("blur").sum(), 12) == 0.97
    exact = np.outer([1, 2, 1], [1, 2, 1]) / 16   # the binomial kernel the slide rounds
    assert exact.sum() == 1.0
    np.testing.assert_array_equal(np.round(exact, 2), signals.slide_filter("blur"))


def test_slide_filter_rejects_unknown_names_with_a_hint():
    with pytest.raises(ValueError, match="did you mean 'blur'"):
        signals.slide_filter("blurr")


# --- the correlation theorem -----------------------------------------------------------------

def test_plain_spectrum_product_is_convolution_not_correlation():
    x, h = [3.0, -1.0, 2.0, 0.5, 4.0], [0.5, -2.0, 1.0]   # h is not symmetric
    full = np.correlate(x, h, mode="full")
    assert np.max(np.abs(signals.fft_convolve(x, h) - full)) > 1
    np.testing.assert_allclose(signals.fft_convolve(x, h[::-1]), full, atol=1e-12)


# --- systems ---------------------------------------------------------------------------------

def _as_system(keras, layer):
    """A Keras 1-D layer as a system: (L,) -> a batch (1, L, 1) -> the layer -> (L,)."""
    return lambda x: keras.ops.convert_to_numpy(layer(np.asarray(x, "float32")[None, :, None]))[0, :, 0]


def test_a_conv1d_layer_is_lti_and_its_impulse_response_is_the_flipped_kernel(keras):
    layer = keras.layers.Conv1D(1, 3, padding="causal", use_bias=False, name="causal_conv")
    system = _as_system(keras, layer)
    h = signals.impulse_response(system, 8)
    kernel = keras.ops.convert_to_numpy(layer.kernel)[:, 0, 0]
    # the layer correlates: y[n] = sum_k w[k] x[n - 2 + k], so h[m] = w[2 - m]
    np.testing.assert_allclose(h[:3], kernel[::-1], atol=1e-7)
    np.testing.assert_array_equal(h[3:], 0)
    assert signals.is_linear(system, trials=5, tol=1e-5)
    assert signals.is_time_invariant(system, trials=5, tol=1e-5)
    relu = _as_system(keras, keras.layers.ReLU())
    assert not signals.is_linear(relu, trials=5, tol=1e-5)
    assert signals.is_time_invariant(relu, trials=5, tol=1e-5)


def test_a_conv1d_layer_correlates_like_signals_correlate(keras, rng):
    x, w = rng.standard_normal(10), np.array([0.5, -2.0, 1.0])
    layer = keras.layers.Conv1D(1, 3, use_bias=False, name="valid_conv")
    layer.build((None, None, 1))
    layer.set_weights([w.reshape(3, 1, 1)])
    out = keras.ops.convert_to_numpy(layer(x[None, :, None].astype("float32")))[0, :, 0]
    np.testing.assert_allclose(out, signals.correlate(x, w), atol=1e-5)


# --- shifts and equivariance -----------------------------------------------------------------

def test_translate_by_hand():
    np.testing.assert_array_equal(signals.translate([1, 2, 3, 4], 2), [0, 0, 1, 2])
    np.testing.assert_array_equal(signals.translate([1, 2, 3, 4], -1), [2, 3, 4, 0])
    image = np.arange(1, 10).reshape(3, 3)
    np.testing.assert_array_equal(signals.translate(image, (1, -1)),
                                  [[0, 0, 0], [2, 3, 0], [5, 6, 0]])
    batch = image[None, :, :, None]
    np.testing.assert_array_equal(signals.translate(batch, 1)[0, :, :, 0],
                                  [[0, 0, 0], [0, 1, 2], [0, 4, 5]])
    np.testing.assert_array_equal(signals.translate(np.ones((2, 4, 3)), 1)[:, 0], 0)  # (N, L, C)


def test_translate_rejects_bad_offsets_and_layouts():
    with pytest.raises(ValueError, match="one entry per spatial axis"):
        signals.translate(np.ones((3, 3)), (1, 1, 1))
    with pytest.raises(ValueError, match=r"\|offset\| < 3"):
        signals.translate(np.ones(3), 3)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        signals.translate(np.ones((1, 2, 2, 2, 1)), 1)


def test_numpy_convolution_is_shift_equivariant(rng):
    x, w = rng.standard_normal((10, 10)), rng.standard_normal((3, 3))
    conv = lambda image: ops.correlate2d(image, w)   # noqa: E731
    assert signals.equivariance_gap(conv, x, (2, 1), (2, 1)) < 1e-12
    # 'same' padding: the frame of the output sees zeros, the interior does not
    same = lambda image: ops.conv2d(image, w, padding="same")   # noqa: E731
    assert signals.equivariance_gap(same, x, 1, 1) > 1e-3
    assert signals.equivariance_gap(same, x, 1, 1, margin=1) < 1e-12


def test_max_pooling_commutes_only_with_shifts_by_the_stride():
    # one bright pixel at (1, 1): pooled 2x2/2 it lands in output cell (0, 0)
    x = np.zeros((6, 6))
    x[1, 1] = 5.0
    pool = lambda image: ops.max_pool2d(image, 2)   # noqa: E731
    assert signals.equivariance_gap(pool, x, 2, 1) == 0.0
    # shifted by 1 the pixel sits at (2, 2), pooled into cell (1, 1): an output shift of 1,
    # not 0; shifted by 1 once more (3, 3) it stays in cell (1, 1)
    assert signals.equivariance_gap(pool, x, 1, 0) == 5.0
    assert signals.equivariance_gap(pool, signals.translate(x, 1), 1, 1) == 5.0


def test_equivariance_gap_reports_when_nothing_is_left():
    with pytest.raises(ValueError, match="nothing is left to compare"):
        signals.equivariance_gap(lambda x: x, np.ones((4, 4)), 2, 2, margin=1)
    with pytest.raises(ValueError, match="same shape"):
        signals.equivariance_gap(lambda x: x[: int(x[0, 0]) + 2], np.ones((4, 4)), 1, 1)


def test_keras_layers_shift_and_linearity(keras, rng):
    x = rng.standard_normal((1, 12, 12, 1))
    conv = keras.layers.Conv2D(2, 3, use_bias=False, name="conv")
    pool = keras.layers.MaxPooling2D(2, name="pool")
    assert signals.equivariance_gap(conv, x, 1, 1) < 1e-5
    x2 = rng.standard_normal(x.shape)
    combined = keras.ops.convert_to_numpy(conv(2 * x - 3 * x2))
    separate = 2 * keras.ops.convert_to_numpy(conv(x)) - 3 * keras.ops.convert_to_numpy(conv(x2))
    assert np.max(np.abs(combined - separate)) < 1e-4
    assert signals.equivariance_gap(pool, x, 2, 1) < 1e-6
    assert min(signals.equivariance_gap(pool, x, 1, k) for k in (0, 1)) > 0.1


# --- plots -----------------------------------------------------------------------------------

def test_plot_images_draws_one_panel_per_image():
    images = {"a": np.zeros((4, 4)), "b": np.ones((4, 4)), "c": np.eye(4)}
    fig = viz.plot_images(images, ncols=2)
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="2-D"):
        viz.plot_images({"rgb": np.ones((2, 2, 3))})
    with pytest.raises(ValueError, match="empty"):
        viz.plot_images({})


# --- the chapters' text ----------------------------------------------------------------------

def test_chapter_2_names_the_filters_chapter_8_really_shows():
    """Chapter 2 once said chapter 8 shows AlexNet's filters; chapter 8 trains a small MNIST CNN."""
    import json
    import pathlib

    notebooks = pathlib.Path(__file__).resolve().parents[1] / "notebooks"

    def text(name):
        cells = json.loads((notebooks / name).read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells]

    pointers = [t for t in text("02_dsp_convolution.ipynb") if "chapter 8" in t.lower()]
    assert pointers and all("MNIST" in t and "AlexNet" not in t for t in pointers)
    assert any("mnist_cnn" in t for t in text("08_lenet_alexnet_zfnet.ipynb"))
