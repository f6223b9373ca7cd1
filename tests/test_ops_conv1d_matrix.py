"""cnncourse.ops additions for chapters 4 and 6 (conv1d, the convolution matrix, the Keras
bridge) and the plots of cnncourse.viz.layers."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnncourse import ops, signals, viz
from cnncourse._quiet import import_backend

keras = import_backend()
layers = keras.layers
TOL = 1e-4
ZEROS = dict(kernel_initializer="zeros")  # our weights replace them; zeros build fastest


# --- conv1d ----------------------------------------------------------------------------------

def test_conv1d_centred_window_of_ml9_by_hand():
    # h[i] = sum_{k=-1..1} w[k] x[i + k] with w = (1, 0, -1): x[i-1] - x[i+1], zeros outside
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(ops.conv1d(x, [1.0, 0.0, -1.0], padding="same"),
                                  [0 - 2, 1 - 3, 2 - 4, 3 - 0])
    np.testing.assert_array_equal(ops.conv1d(x, [1.0, 0.0, -1.0]), [-2, -2])


def test_conv1d_of_a_plain_signal_is_the_dsp_cross_correlation(rng):
    x, w = rng.standard_normal(12), rng.standard_normal(4)
    np.testing.assert_allclose(ops.conv1d(x, w), signals.correlate(x, w))
    np.testing.assert_allclose(ops.conv1d(x, w), signals.convolve(x, w[::-1])[3:12])


@pytest.mark.parametrize("kernel,stride,padding,dilation", [
    (3, 1, "valid", 1), (3, 2, "same", 1), (4, 1, "same", 2), (5, 3, "valid", 1)])
def test_conv1d_matches_keras(rng, kernel, stride, padding, dilation):
    x = rng.standard_normal((2, 11, 3))
    w, b = rng.standard_normal((kernel, 3, 4)), rng.standard_normal(4)
    expected = ops.keras_layer_output(
        layers.Conv1D(4, kernel, strides=stride, padding=padding, dilation_rate=dilation, **ZEROS),
        x, w, b)
    np.testing.assert_allclose(ops.conv1d(x, w, b, stride, padding, dilation), expected,
                               atol=TOL, rtol=TOL)
    np.testing.assert_allclose(ops.conv1d(x[0], w, b, stride, padding, dilation), expected[0],
                               atol=TOL, rtol=TOL)


def test_conv1d_integer_padding_pads_both_ends():
    y = ops.conv1d(np.ones(4), np.ones(3), padding=1)
    np.testing.assert_array_equal(y, [2, 3, 3, 2])


# --- the convolution as a matrix -------------------------------------------------------------

def test_conv2d_matrix_rows_by_hand():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    m = ops.conv2d_matrix((3, 3), w)
    assert m.shape == (4, 9)
    np.testing.assert_array_equal(m[0], [1, 2, 0, 3, 4, 0, 0, 0, 0])
    np.testing.assert_array_equal(m[3], [0, 0, 0, 0, 1, 2, 0, 3, 4])


def test_conv2d_matrix_is_local_and_shares_weights(rng):
    w = rng.standard_normal((3, 3))
    m = ops.conv2d_matrix((8, 8), w)
    assert m.shape == (36, 64)
    assert np.count_nonzero(m) == 36 * 9                        # locality: 9 taps per row
    assert np.array_equal(np.unique(m[m != 0]), np.unique(w))  # sharing: only w's values


@pytest.mark.parametrize("stride,padding,output_padding", [
    (1, 0, 0), (2, 1, 0), (2, "same", 0), (3, 0, 1)])
def test_conv2d_matrix_and_its_transpose(rng, stride, padding, output_padding):
    # output_padding picks the 7x7 input among the sizes that give the same output size
    x, w = rng.standard_normal((7, 7)), rng.standard_normal((3, 3))
    m = ops.conv2d_matrix(x.shape, w, stride=stride, padding=padding)
    y = ops.conv2d(x, w, stride=stride, padding=padding)
    np.testing.assert_allclose(m @ x.ravel(), y.ravel())
    g = rng.standard_normal(y.shape)
    back = ops.conv2d_transpose(g, w, stride=stride, padding=padding,
                                output_padding=output_padding)
    assert back.shape == (7, 7)
    np.testing.assert_allclose(m.T @ g.ravel(), back.ravel())


# --- bad input -------------------------------------------------------------------------------

def test_bad_input_is_explained():
    with pytest.raises(ValueError, match=r"plain signal x \(L,\) goes with a plain kernel"):
        ops.conv1d(np.zeros(5), np.zeros((3, 1, 1)))
    with pytest.raises(ValueError, match=r"w must be \(k, C_in, C_out\)"):
        ops.conv1d(np.zeros((5, 2)), np.zeros(3))
    with pytest.raises(ValueError, match=r"x must be \(N, L, C\), \(L, C\) or \(L,\)"):
        ops.conv1d(np.zeros((1, 1, 5, 2)), np.zeros((3, 2, 1)))
    with pytest.raises(ValueError, match=r"one channel's kernel \(kh, kw\)"):
        ops.conv2d_matrix((5, 5), np.zeros((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="input_shape must be >= 1"):
        ops.conv2d_matrix(0, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"x has 3 channels .* expects 2"):
        ops.conv2d_transpose(np.zeros((4, 4, 3)), np.zeros((3, 3, 1, 2)))


def test_keras_layer_output_checks_the_weights():
    with pytest.raises(ValueError, match=r"holds weights of shapes \[\(3, 3, 1, 2\), \(2,\)\]"):
        ops.keras_layer_output(layers.Conv2D(2, 3, **ZEROS), np.zeros((1, 5, 5, 1)),
                               np.zeros((3, 3, 2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="must be a Keras layer"):
        ops.keras_layer_output(ops.conv2d, np.zeros((1, 5, 5, 1)))


# --- plots -----------------------------------------------------------------------------------

def test_plot_grids_titles_and_boxes():
    fig = viz.plot_grids({"input": np.eye(4), "filter": np.ones((2, 2)), "output": np.eye(3)},
                         boxes={"input": (0, 0, 2, 2)}, ncols=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["input", "filter", "output", ""]
    assert len(fig.axes[0].patches) == 1 and not fig.axes[1].patches
    assert len(fig.axes[0].texts) == 16  # every cell annotated
    plt.close(fig)
    with pytest.raises(ValueError, match=r"boxes name panels that do not exist: \['kernel'\]"):
        viz.plot_grids({"input": np.eye(3)}, boxes={"kernel": (0, 0, 1, 1)})
