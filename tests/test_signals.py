"""cnncourse.signals (impulses, convolution, LTI checks) and the plots of cnncourse.viz.signals."""
import numpy as np
import pytest

from cnncourse import signals
from cnncourse.viz import signals as viz


# --- impulses --------------------------------------------------------------------------------

def test_impulse_on_a_range_and_on_given_indices():
    np.testing.assert_array_equal(signals.impulse(5, shift=2), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(signals.impulse(np.arange(-2, 3)), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(signals.impulse(np.arange(-2, 3), shift=-1), [0, 1, 0, 0, 0])


def test_decompose_gives_scaled_shifted_impulses_that_sum_back():
    x = np.array([2.0, -1.0, 0.0, 3.0])
    terms = signals.decompose(x)
    np.testing.assert_array_equal(terms.sum(axis=0), x)
    for k, row in enumerate(terms):  # row k is x[k] delta[n - k]
        np.testing.assert_array_equal(row, x[k] * (np.arange(4) == k))


# --- convolution -----------------------------------------------------------------------------

def test_convolve_by_hand():
    # y[n] = sum_k x[k] h[n-k]: [1, 2, 3] * [1, 1] = [1, 1+2, 2+3, 3]
    np.testing.assert_array_equal(signals.convolve([1, 2, 3], [1, 1]), [1, 3, 5, 3])


@pytest.mark.parametrize("lx,lh", [(1, 1), (5, 3), (3, 5), (17, 4), (8, 8)])
def test_convolve_matches_numpy_and_commutes(rng, lx, lh):
    x, h = rng.standard_normal(lx), rng.standard_normal(lh)
    y = signals.convolve(x, h)
    np.testing.assert_allclose(y, np.convolve(x, h), atol=1e-12)
    np.testing.assert_allclose(signals.convolve(h, x), y, atol=1e-12)  # x * h == h * x


def test_signals_starting_off_zero_shift_the_output(rng):
    x, h = rng.standard_normal(6), rng.standard_normal(3)
    y, trace = signals.convolve(x, h, trace=True, x_start=-2, h_start=1)
    np.testing.assert_allclose(y, np.convolve(x, h), atol=1e-12)  # same values ...
    np.testing.assert_array_equal(trace.n, np.arange(-1, 7))       # ... from n = -2 + 1
    swapped = signals.convolve(h, x, x_start=1, h_start=-2)
    np.testing.assert_allclose(swapped, y, atol=1e-12)


def test_trace_records_the_four_steps(rng):
    x, h = rng.standard_normal(4), np.array([1.0, 2.0, 3.0])
    y, trace = signals.convolve(x, h, trace=True)
    np.testing.assert_array_equal(trace.k, np.arange(-2, 6))
    np.testing.assert_array_equal(trace.x, np.concatenate([[0, 0], x, [0, 0]]))
    row = 3  # n = 3: h[3 - k] is h[2], h[1], h[0] = 3, 2, 1 at k = 1, 2, 3
    np.testing.assert_array_equal(trace.flipped[row], [0, 0, 0, 3, 2, 1, 0, 0])
    np.testing.assert_allclose(trace.products, trace.x * trace.flipped)
    np.testing.assert_allclose(trace.y, y)
    np.testing.assert_allclose(y, np.convolve(x, h), atol=1e-12)


def test_flip_shift_is_h_of_n_minus_k():
    h = np.array([1.0, 2.0, 3.0])
    k = np.arange(-1, 5)
    np.testing.assert_array_equal(signals.flip_shift(h, 2, k), [0, 3, 2, 1, 0, 0])
    # with h[0] at index 1, h[2 - k] is h[0] = 1 at k = 1 and h[2] = 3 at k = -1
    np.testing.assert_array_equal(signals.flip_shift(h, 2, k, h_start=1), [3, 2, 1, 0, 0, 0])


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_correlate_matches_numpy_and_is_convolution_with_a_flipped_filter(rng, mode):
    x, h = rng.standard_normal(10), np.array([1.0, 2.0, -1.0])
    c = signals.correlate(x, h, mode)
    np.testing.assert_allclose(c, np.correlate(x, h, mode), atol=1e-12)
    full = signals.convolve(x, h[::-1])
    np.testing.assert_allclose(c, full if mode == "full" else full[2:10], atol=1e-12)
    assert not np.allclose(signals.correlate(x, h, "full"), signals.convolve(x, h))


def test_correlate_and_convolve_agree_for_a_symmetric_filter(rng):
    x, h = rng.standard_normal(9), np.array([1.0, 2.0, 1.0])
    np.testing.assert_allclose(signals.correlate(x, h, "full"), signals.convolve(x, h))


def test_correlate_valid_is_what_the_slides_1d_layer_computes(rng):
    # ML9, 9.3: h[i] = sum_k w[k] x[i + k], k = -(z-1)/2 .. (z-1)/2, here at the inner i
    x, w = rng.standard_normal(12), rng.standard_normal(5)
    by_formula = [sum(w[k + 2] * x[i + k] for k in range(-2, 3)) for i in range(2, 10)]
    np.testing.assert_allclose(signals.correlate(x, w), by_formula, atol=1e-12)


@pytest.mark.parametrize("lx,lh", [(1, 1), (7, 3), (64, 9), (100, 100), (1000, 31)])
def test_fft_convolve_agrees_to_1e10(rng, lx, lh):
    x, h = rng.standard_normal(lx), rng.standard_normal(lh)
    np.testing.assert_allclose(signals.fft_convolve(x, h), np.convolve(x, h), rtol=0, atol=1e-10)


def test_fft_without_padding_wraps_around(rng):
    x, h = rng.standard_normal(8), rng.standard_normal(3)
    linear = np.convolve(x, h)
    wrapped = linear[:8].copy()
    wrapped[:2] += linear[8:]  # the two samples past the end land on the start
    np.testing.assert_allclose(signals.fft_convolve(x, h, circular=True), wrapped, atol=1e-10)


# --- systems ---------------------------------------------------------------------------------

def moving_average(x):
    """y[n] = mean of x[n-2 .. n] (causal; LTI)."""
    return np.convolve(x, np.ones(3) / 3)[:len(x)]


def scaled_delay(x):
    """y[n] = 2 x[n-1] (LTI)."""
    return 2 * np.concatenate([[0.0], x[:-1]])


def fir(x):
    """y[n] = x[n] - 2 x[n-1] + 0.5 x[n-2] (LTI)."""
    return np.convolve(x, [1.0, -2.0, 0.5])[:len(x)]


def centred_average(x):
    """A non-causal LTI system: mean of x[n-1], x[n], x[n+1]."""
    return np.convolve(x, np.ones(3) / 3, mode="same")


def squarer(x):
    return x ** 2


def time_varying_gain(x):
    return np.arange(len(x)) * x


LTI = [moving_average, scaled_delay, fir, centred_average]


@pytest.mark.parametrize("system", LTI, ids=lambda s: s.__name__)
def test_lti_systems_pass_both_checks(system):
    assert signals.is_linear(system) is True
    assert signals.is_time_invariant(system) is True


@pytest.mark.parametrize("system,linear,time_invariant", [
    (squarer, False, True),
    (lambda x: x + 1.0, False, True),
    (time_varying_gain, True, False),
    (lambda x: np.abs(x) * x[::-1], False, False)], ids=["squarer", "offset", "gain", "mixed"])
def test_non_lti_systems_are_caught(system, linear, time_invariant):
    assert signals.is_linear(system) is linear
    assert signals.is_time_invariant(system) is time_invariant


def test_violation_is_reported_and_large_for_a_failing_system():
    ok, worst = signals.is_linear(squarer, return_violation=True)
    assert ok is False and worst > 0.1
    ok, worst = signals.is_time_invariant(time_varying_gain, return_violation=True)
    assert ok is False and worst > 0.1
    ok, worst = signals.is_linear(moving_average, return_violation=True)
    assert ok is True and worst < 1e-12


def test_impulse_responses_by_hand():
    np.testing.assert_allclose(signals.impulse_response(moving_average, 5),
                               [1 / 3, 1 / 3, 1 / 3, 0, 0])
    np.testing.assert_array_equal(signals.impulse_response(scaled_delay, 4), [0, 2, 0, 0])
    np.testing.assert_array_equal(signals.impulse_response(fir, 4), [1, -2, 0.5, 0])
    # delta^2 = delta: a squarer answers the impulse like the identity would
    np.testing.assert_array_equal(signals.impulse_response(squarer, 3), [1, 0, 0])


@pytest.mark.parametrize("system", LTI[:3], ids=lambda s: s.__name__)
def test_an_lti_system_is_convolution_with_its_impulse_response(rng, system):
    x = rng.standard_normal(20)
    h = signals.impulse_response(system, 20)
    np.testing.assert_allclose(system(x), signals.convolve(x, h)[:20], atol=1e-12)


# --- bad input -------------------------------------------------------------------------------

def test_a_system_must_keep_the_length():
    with pytest.raises(ValueError, match=r"returned shape \(66,\) for an input of shape \(64,\)"):
        signals.is_linear(lambda x: np.convolve(x, [1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="must be a callable"):
        signals.impulse_response([1, 2, 3])


@pytest.mark.parametrize("call,fragment", [
    (lambda: signals.convolve([], [1.0]), "non-empty 1-D"),
    (lambda: signals.convolve(np.ones((2, 2)), [1.0]), r"got shape \(2, 2\)"),
    (lambda: signals.convolve([1.0, 2.0], [1.0], x_start=0.5), "x_start must be a whole"),
    (lambda: signals.correlate([1.0, 2.0], [1.0, 1.0, 1.0]), "use mode='full'"),
    (lambda: signals.correlate([1.0, 2.0], [1.0], mode="same"), "choose 'valid'"),
    (lambda: signals.is_linear(squarer, n=4), "use n >= 8"),
    (lambda: signals.is_time_invariant(squarer, trials=0), "trials must be >= 1"),
    (lambda: signals.convolve(["a"], [1.0]), "array of real numbers")])
def test_bad_input_is_explained(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()


# --- plots -----------------------------------------------------------------------------------

def test_plot_convolution_steps_draws_one_frame_per_step():
    _, trace = signals.convolve([1.0, 2.0, 3.0], [1.0, 1.0], trace=True)
    fig = viz.plot_convolution_steps(trace)
    frames = [ax for ax in fig.axes if ax.axison]
    assert len(frames) == 4
    assert [ax.get_title() for ax in frames] == [
        "n = 0:  y[0] = 1", "n = 1:  y[1] = 3", "n = 2:  y[2] = 5", "n = 3:  y[3] = 3"]
    chosen = viz.plot_convolution_steps(trace, steps=[1, 3], ncols=2)
    assert [ax.get_title()[:5] for ax in chosen.axes] == ["n = 1", "n = 3"]
    with pytest.raises(ValueError, match="none of the steps"):
        viz.plot_convolution_steps(trace, steps=[9])


def test_plot_matrix_writes_every_value():
    ax = viz.plot_matrix(np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]]))
    assert [t.get_text() for t in ax.texts] == ["12", "12", "17", "10", "17", "19", "9", "6", "14"]
    assert len(viz.plot_matrix(np.eye(2), annotate=False).texts) == 0
    with pytest.raises(ValueError, match="2-D array"):
        viz.plot_matrix(np.zeros((2, 2, 2)))


def test_plot_signal_puts_the_stems_at_the_sample_indices():
    ax = viz.plot_signal([1.0, -1.0, 2.0], start=-1, label="x")
    np.testing.assert_array_equal(ax.containers[0].markerline.get_xdata(), [-1, 0, 1])
