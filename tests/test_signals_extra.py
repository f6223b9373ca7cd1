"""Additions to cnncourse.signals for chapters 2 and 3 (slide filters, frequency responses,
correlation theorem, impulse-response prediction, shifts of layers) and cnncourse.viz.dsp."""
import matplotlib.pyplot as plt  # the Agg backend is set in conftest.py
import numpy as np
import pytest

from cnncourse import ops, signals
from cnncourse.viz import dsp as viz


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def keras():
    from cnncourse._quiet import import_backend

    return import_backend()


# --- the slide filters -----------------------------------------------------------------------

def test_slide_filters_as_printed_in_seed_002():
    np.testing.assert_array_equal(signals.slide_filter("blur"),
                                  [[0.06, 0.12, 0.06], [0.12, 0.25, 0.12], [0.06, 0.12, 0.06]])
    np.testing.assert_array_equal(signals.slide_filter("emboss"),
                                  [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    np.testing.assert_array_equal(signals.slide_filter("outline"),
                                  [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])


def test_printed_blur_sums_to_0_97_because_of_rounding():
    # by hand: 4 corners * 0.06 + 4 edges * 0.12 + 0.25 = 0.24 + 0.48 + 0.25 = 0.97
    assert round(signals.slide_filter("blur").sum(), 12) == 0.97
    exact = signals.binomial_blur(3)
    np.testing.assert_array_equal(exact * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert exact.sum() == 1.0
    np.testing.assert_array_equal(np.round(exact, 2), signals.slide_filter("blur"))


def test_binomial_blur_of_size_5_is_the_pascal_row_squared():
    np.testing.assert_array_equal(signals.binomial_blur(5)[2] * 256, [6, 24, 36, 24, 6])
    np.testing.assert_array_equal(signals.binomial_blur(1), [[1.0]])


def test_slide_filter_rejects_unknown_names_with_a_hint():
    with pytest.raises(ValueError, match="did you mean 'blur'"):
        signals.slide_filter("blurr")
    with pytest.raises(ValueError, match="size must be >= 1"):
        signals.binomial_blur(0)


# --- frequency responses ---------------------------------------------------------------------

def test_dtft_of_two_tap_filters_by_hand():
    # [1, 1]: H(f) = 1 + e^{-2 pi i f}: 2 at DC, 0 at f = 1/2; [1, -1]: 0 at DC, 2 at f = 1/2
    np.testing.assert_allclose(signals.dtft([1, 1], [0.0, 0.5]), [2, 0], atol=1e-15)
    np.testing.assert_allclose(signals.dtft([1, -1], [0.0, 0.5]), [0, 2], atol=1e-15)
    np.testing.assert_allclose(signals.dtft([1, 1], 0.25), 1 - 1j, atol=1e-15)


def test_dtft_of_the_slide_kernels_dc_and_nyquist():
    # DC gain = sum of taps; at (1/2, 1/2) every tap is weighted by (-1)^(row + col)
    cases = {"blur": (0.97, 0.01), "emboss": (1.0, 1.0), "outline": (0.0, 8.0)}
    for name, (dc, corner) in cases.items():
        h = signals.slide_filter(name)
        assert abs(signals.dtft(h, (0, 0)) - dc) < 1e-12, name
        assert abs(signals.dtft(h, (0.5, 0.5)) - corner) < 1e-12, name
    # outline at (1/2, 0): column sums -3, 6, -3 weighted +1, -1, +1 -> -12
    assert abs(signals.dtft(signals.slide_filter("outline"), (0, 0.5)) + 12) < 1e-12
    assert abs(signals.dtft(signals.binomial_blur(), (0.5, 0.5))) < 1e-15


def test_dtft_2d_needs_frequency_pairs():
    with pytest.raises(ValueError, match=r"pairs \(f_rows, f_cols\)"):
        signals.dtft(np.ones((3, 3)), 0.0)
    with pytest.raises(ValueError, match="1-D filter"):
        signals.dtft(np.ones((2, 2, 2)), (0, 0))


def test_frequency_response_samples_the_dtft_with_dc_in_the_middle(rng):
    h = rng.standard_normal((3, 3))
    freqs, response = signals.frequency_response(h, size=8)
    np.testing.assert_array_equal(freqs, np.arange(-4, 4) / 8)
    grid = np.stack(np.meshgrid(freqs, freqs, indexing="ij"), axis=-1)
    np.testing.assert_allclose(response, signals.dtft(h, grid), atol=1e-12)
    assert abs(response[4, 4] - h.sum()) < 1e-12
    freqs1, response1 = signals.frequency_response([1.0, 1.0], size=4)
    np.testing.assert_allclose(np.abs(response1), [0, np.sqrt(2), 2, np.sqrt(2)], atol=1e-15)


def test_frequency_response_rejects_a_grid_smaller_than_the_filter():
    with pytest.raises(ValueError, match="size >= 5"):
        signals.frequency_response(np.ones(5), size=4)


# --- the correlation theorem -----------------------------------------------------------------

@pytest.mark.parametrize("lx,lh", [(1, 1), (5, 3), (3, 5), (16, 4)])
def test_fft_correlate_matches_numpy_correlate(rng, lx, lh):
    x, h = rng.standard_normal(lx), rng.standard_normal(lh)
    np.testing.assert_allclose(signals.fft_correlate(x, h), np.correlate(x, h, mode="full"),
                               atol=1e-12)


def test_plain_spectrum_product_is_convolution_not_correlation():
    x, h = [3.0, -1.0, 2.0, 0.5, 4.0], [0.5, -2.0, 1.0]   # h is not symmetric
    full = np.correlate(x, h, mode="full")
    assert np.max(np.abs(signals.fft_convolve(x, h) - full)) > 1
    np.testing.assert_allclose(signals.fft_convolve(x, h[::-1]), full, atol=1e-12)


# --- systems ---------------------------------------------------------------------------------

def test_prediction_from_the_impulse_response(rng):
    x = rng.standard_normal(12)
    average = signals.moving_average(3)
    np.testing.assert_allclose(signals.predict_from_impulse_response(average, x), average(x),
                               atol=1e-12)
    # squarer: delta^2 = delta, so the "prediction" is x itself, while the system gives x^2
    np.testing.assert_allclose(signals.predict_from_impulse_response(signals.squarer(), x), x)
    # n * x[n] answers delta (at n = 0) with 0: the prediction is all zeros
    np.testing.assert_array_equal(
        signals.predict_from_impulse_response(signals.time_varying_gain(), x), np.zeros(12))


def test_lti_table_of_the_example_systems():
    table = signals.lti_table()
    expected = {  # from the definitions: y = mean, 2 x[n-1], x^2, n x, x + 1, x[n] - x[n-1]
        "moving_average(3)": (True, True), "scaled_delay(2, 1)": (True, True),
        "squarer()": (False, True), "time_varying_gain()": (True, False),
        "add_constant(1)": (False, True), "fir([1.0, -1.0])": (True, True)}
    assert list(table.columns) == ["linear", "time-invariant", "LTI"]
    for name, (linear, invariant) in expected.items():
        assert tuple(table.loc[name, ["linear", "time-invariant"]]) == (linear, invariant), name
        assert table.loc[name, "LTI"] == (linear and invariant)
    named = signals.lti_table([signals.squarer()])
    assert list(named.index) == ["squarer()"]


def test_layer_system_conv1d_is_lti_and_its_impulse_response_is_the_flipped_kernel(keras):
    layer = keras.layers.Conv1D(1, 3, padding="causal", use_bias=False, name="causal_conv")
    system = signals.layer_system(layer)
    h = signals.impulse_response(system, 8)
    kernel = keras.ops.convert_to_numpy(layer.kernel)[:, 0, 0]
    # the layer correlates: y[n] = sum_k w[k] x[n - 2 + k], so h[m] = w[2 - m]
    np.testing.assert_allclose(h[:3], kernel[::-1], atol=1e-7)
    np.testing.assert_array_equal(h[3:], 0)
    assert system.__name__ == "causal_conv"
    assert signals.is_linear(system, trials=5, tol=1e-5)
    assert signals.is_time_invariant(system, trials=5, tol=1e-5)
    relu = signals.layer_system(keras.layers.ReLU())
    assert not signals.is_linear(relu, trials=5, tol=1e-5)
    assert signals.is_time_invariant(relu, trials=5, tol=1e-5)


def test_layer_system_rejects_non_callables():
    with pytest.raises(ValueError, match="Keras layer"):
        signals.layer_system(3)


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
    assert signals.linearity_gap(conv, x, rng.standard_normal(x.shape)) < 1e-4
    assert signals.equivariance_gap(pool, x, 2, 1) < 1e-6
    assert min(signals.equivariance_gap(pool, x, 1, k) for k in (0, 1)) > 0.1


def test_linearity_gap_by_hand():
    pool = lambda image: ops.max_pool2d(image, 2)   # noqa: E731
    # max(1, 1) = 1, but max(1, 0) + max(0, 1) = 2
    assert signals.linearity_gap(pool, [[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]],
                                 a=1, b=1) == 1.0
    relu = lambda v: np.maximum(v, 0)   # noqa: E731
    assert signals.linearity_gap(relu, [1.0], [-1.0], a=1, b=1) == 1.0   # relu(0) vs 1 + 0
    with pytest.raises(ValueError, match="same shape"):
        signals.linearity_gap(relu, [1.0], [1.0, 2.0])


# --- plots -----------------------------------------------------------------------------------

def test_plots_return_figures():
    assert len(viz.plot_decomposition(signals.decompose([1.0, -2.0, 0.5])).axes) == 4
    images = {"a": np.zeros((4, 4)), "b": np.ones((4, 4)), "c": np.eye(4)}
    assert len(viz.plot_images(images, ncols=2).axes) == 4
    kernels = {name: signals.slide_filter(name) for name in signals.SLIDE_FILTERS}
    freqs, _ = signals.frequency_response(kernels["blur"], 16)
    responses = {name: signals.frequency_response(k, 16)[1] for name, k in kernels.items()}
    assert len(viz.plot_frequency_responses(kernels, responses, freqs).axes) == 9  # + colorbars
    assert len(viz.plot_spectra([1.0, 2.0, 0.5], [1.0, -1.0]).axes) == 2
    results = {"a": (np.ones(4), np.ones(4)), "b": (np.zeros(4), np.ones(4))}
    assert len(viz.plot_predictions(results).axes) == 2


def test_plots_reject_bad_input():
    with pytest.raises(ValueError, match="signals.decompose"):
        viz.plot_decomposition(np.ones(3))
    with pytest.raises(ValueError, match="2-D"):
        viz.plot_images({"rgb": np.ones((2, 2, 3))})
    with pytest.raises(ValueError, match="same names"):
        viz.plot_frequency_responses({"a": np.ones((3, 3))}, {}, np.zeros(4))
    with pytest.raises(ValueError, match="empty"):
        viz.plot_predictions({})
    with pytest.raises(ValueError, match="larger n_fft"):
        viz.plot_spectra(np.ones(8), np.ones(3), n_fft=8)
