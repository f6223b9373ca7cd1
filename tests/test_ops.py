"""cnncourse.ops: the slides' worked examples, agreement with Keras layers, and error messages."""
from fractions import Fraction

import numpy as np
import pytest

from cnncourse import ops
from cnncourse._quiet import import_backend

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch

keras = import_backend()
layers = keras.layers
TOL = 1e-4
# Our weights replace the initial ones; zeros start much faster than random ones on JAX.
ZEROS = dict(kernel_initializer="zeros")


def run_layer(layer, x, *weights):
    """Build a Keras layer on x, load our weights into it, and return its output as NumPy."""
    x = np.asarray(x, "float32")
    layer.build(x.shape)
    layer.set_weights([np.asarray(w, "float32") for w in weights])
    return keras.ops.convert_to_numpy(layer(x))


# --- the slides' numbers ---------------------------------------------------------------------

def test_gdsc_3x3_example():
    example = ops.worked_examples()["conv_3x3"]
    expected = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]  # GDSC, 'Stride & Padding'
    np.testing.assert_array_equal(example.expected, expected)
    for result in (example.compute(), ops.correlate2d(example.input, example.filter)):
        np.testing.assert_array_equal(result, expected)


def test_gdsc_padding_stride_example_is_an_erratum():
    example = ops.worked_examples()["conv_3x3_pad1_stride2"]
    # The stride-2 result, as recomputed in vdumoulin/conv_arithmetic issue #17
    np.testing.assert_array_equal(example.compute(), [[1, 5, 6], [7, 8, 3], [3, 10, 4]])
    np.testing.assert_array_equal(example.compute(), example.expected)
    # What the slide prints is the corner of the stride-1 map: the stride was left out.
    slide = [[1, 6, 5], [7, 10, 9], [7, 10, 8]]
    np.testing.assert_array_equal(example.slide_output, slide)
    assert not np.array_equal(example.compute(), slide)
    np.testing.assert_array_equal(ops.conv2d(example.input, example.filter, padding=1)[:3, :3],
                                  slide)


def test_dl1_max_pool_example():
    example = ops.worked_examples()["max_pool_2x2"]
    np.testing.assert_array_equal(example.compute(), [[6, 8], [3, 4]])  # DL1
    np.testing.assert_array_equal(example.compute(), example.expected)


def test_models_notes_alexnet_windows_start_every_4_pixels():
    # MODELS: with 227 pixels, filter k covers pixels 4(k-1)+1 .. 4(k-1)+11 (1-based):
    # 1-11, 5-15, 9-19, ..., and the 55th covers 217-227, the last pixel
    pixels = np.arange(1, 228)[None, :]  # one row of 227 numbered pixels
    windows = ops.im2col(pixels, (1, 11), stride=(1, 4))
    assert windows.shape == (55, 11)
    np.testing.assert_array_equal(windows[:3, [0, -1]], [[1, 11], [5, 15], [9, 19]])
    np.testing.assert_array_equal(windows[-1, [0, -1]], [217, 227])


# --- agreement with Keras --------------------------------------------------------------------

CONV_CASES = [  # kernel, stride, padding, dilation
    (3, 1, "valid", 1), (3, 2, "same", 1), (4, 2, "same", 1), (3, 1, "same", 2),
    (5, 3, "valid", 1), ((3, 2), (2, 1), "same", 1), (2, 1, "valid", (2, 1)), (1, 2, "same", 1)]


@pytest.mark.parametrize("kernel,stride,padding,dilation", CONV_CASES)
def test_conv2d_matches_keras(rng, kernel, stride, padding, dilation):
    x = rng.standard_normal((2, 9, 8, 3))
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    w, b = rng.standard_normal((kh, kw, 3, 4)), rng.standard_normal(4)
    expected = run_layer(layers.Conv2D(4, kernel, strides=stride, padding=padding,
                                       dilation_rate=dilation, **ZEROS), x, w, b)
    got = ops.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=TOL)


@pytest.mark.parametrize("padding", [1, (2, 1)])
def test_conv2d_integer_padding_matches_zero_padding_layer(rng, padding):
    x, w = rng.standard_normal((1, 6, 7, 2)), rng.standard_normal((3, 3, 2, 3))
    padded = keras.ops.convert_to_numpy(layers.ZeroPadding2D(padding)(x.astype("float32")))
    expected = run_layer(layers.Conv2D(3, 3, strides=2, use_bias=False, **ZEROS), padded, w)
    np.testing.assert_allclose(ops.conv2d(x, w, stride=2, padding=padding), expected, atol=TOL)


@pytest.mark.parametrize("kernel,stride,padding,dilation", CONV_CASES[:5])
def test_depthwise_conv2d_matches_keras(rng, kernel, stride, padding, dilation):
    x = rng.standard_normal((2, 9, 8, 3))
    w, b = rng.standard_normal((kernel, kernel, 3, 2)), rng.standard_normal(6)
    layer = layers.DepthwiseConv2D(kernel, strides=stride, padding=padding, depth_multiplier=2,
                                   dilation_rate=dilation, depthwise_initializer="zeros")
    expected = run_layer(layer, x, w, b)
    got = ops.depthwise_conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=TOL)


@pytest.mark.parametrize("kernel,stride,padding,output_padding,dilation", [
    (3, 2, "same", None, 1), (3, 2, "valid", None, 1), (4, 2, "same", None, 1),
    (2, 3, "valid", None, 1), (3, 2, "same", 1, 1), (3, 3, "valid", 2, 1), (5, 2, "same", 0, 1),
    ((3, 2), (2, 1), "same", None, 1), (3, 1, "same", None, 2)])
def test_conv2d_transpose_matches_keras(rng, kernel, stride, padding, output_padding, dilation):
    x = rng.standard_normal((2, 4, 5, 3))
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    w, b = rng.standard_normal((kh, kw, 2, 3)), rng.standard_normal(2)
    layer = layers.Conv2DTranspose(2, kernel, strides=stride, padding=padding,
                                   output_padding=output_padding, dilation_rate=dilation, **ZEROS)
    expected = run_layer(layer, x, w, b)
    got = ops.conv2d_transpose(x, w, b, stride=stride, padding=padding,
                               output_padding=output_padding, dilation=dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=TOL)


def test_conv2d_transpose_is_the_adjoint_of_conv2d(rng):
    # <conv(x), y> == <x, conv_transpose(y)>: Keras orders a Conv2DTranspose kernel as
    # (kh, kw, C_out, C_in) precisely so that the forward kernel serves unchanged.
    x, w = rng.standard_normal((1, 7, 7, 2)), rng.standard_normal((3, 3, 2, 4))
    y = rng.standard_normal((1, 3, 3, 4))
    forward = ops.conv2d(x, w, stride=2)
    backward = ops.conv2d_transpose(y, w, stride=2, padding="valid")
    assert backward.shape == x.shape
    assert np.isclose(np.sum(forward * y), np.sum(x * backward))


POOL_CASES = [(2, None, "valid"), (3, 2, "valid"), (3, 2, "same"), (2, 1, "same"),
              ((2, 3), (1, 2), "same")]
POOLS = {"max": (ops.max_pool2d, layers.MaxPooling2D),
         "avg": (ops.avg_pool2d, layers.AveragePooling2D)}


def pool_params():
    for kind in POOLS:
        for case in POOL_CASES:
            limited = kind == "avg" and case[2] == "same"
            marks = [pytest.mark.torch_avg_pool_same] if limited else []
            yield pytest.param(kind, *case, marks=marks)


@pytest.mark.parametrize("kind,pool_size,strides,padding", pool_params())
def test_pooling_matches_keras(rng, kind, pool_size, strides, padding):
    ours, theirs = POOLS[kind]
    x = rng.standard_normal((2, 7, 8, 3))
    expected = keras.ops.convert_to_numpy(
        theirs(pool_size, strides=strides, padding=padding)(x.astype("float32")))
    got = ours(x, pool_size, strides, padding)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=TOL)


# --- other operations ------------------------------------------------------------------------

def test_im2col_rows_are_windows_and_make_conv_a_product(rng):
    x, w = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((3, 3, 3, 4))
    columns = ops.im2col(x, 3, stride=1)
    assert columns.shape == (2 * 3 * 4, 3 * 3 * 3)
    np.testing.assert_array_equal(columns[0], x[0, :3, :3, :].ravel())
    np.testing.assert_array_equal(columns[5], x[0, 1:4, 1:4, :].ravel())  # row 1, column 1
    product = (columns @ w.reshape(-1, 4)).reshape(2, 3, 4, 4)
    np.testing.assert_allclose(product, ops.conv2d(x, w), atol=1e-12)


def test_outputs_are_float64_and_keep_the_caller_layout(rng):
    image = rng.integers(0, 4, (6, 6, 2))
    w = rng.integers(0, 3, (3, 3, 2, 5))
    y = ops.conv2d(image, w)
    assert y.dtype == np.float64 and y.shape == (4, 4, 5)
    assert ops.conv2d(image[None], w).shape == (1, 4, 4, 5)
    assert ops.max_pool2d(image).shape == (3, 3, 2)
    assert ops.conv2d(image[..., 0], w[..., 0, 0]).shape == (4, 4)


def test_rank1_factors_split_sobel_and_refuse_a_rank2_kernel():
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    col, row = ops.rank1_factors(sobel)
    np.testing.assert_allclose(np.outer(col, row), sobel, atol=1e-12)
    np.testing.assert_allclose(col, [0.5, 1, 0.5])
    with pytest.raises(ValueError, match="rank 2"):
        ops.rank1_factors([[1, 0], [0, 1]])


def test_stochastic_pool_test_mode_is_the_probability_weighted_average():
    x = np.array([[1, 1], [2, 0]])  # p = 1/4, 1/4, 1/2, 0 -> 1/4 + 1/4 + 1 = 1.5
    np.testing.assert_allclose(ops.stochastic_pool2d(x, training=False), [[1.5]])
    np.testing.assert_array_equal(ops.stochastic_pool2d(np.zeros((2, 2)), training=False), [[0]])


def test_stochastic_pool_samples_in_proportion_to_activation():
    x = np.tile([[1.0, 1.0], [2.0, 0.0]], (50, 80))  # 4000 copies of the same window
    picks = ops.stochastic_pool2d(x, seed=0)
    assert set(np.unique(picks)) <= {1.0, 2.0}  # always a member; the zero is never drawn
    assert abs(np.mean(picks == 2.0) - 0.5) < 0.03
    np.testing.assert_array_equal(picks, ops.stochastic_pool2d(x, seed=0))  # repeatable
    assert not np.array_equal(picks, ops.stochastic_pool2d(x, seed=1))
    np.testing.assert_array_equal(ops.stochastic_pool2d(np.zeros((4, 4)), seed=0), 0)


def test_separable_cost_ratio_is_one_over_h_plus_one_over_f_squared():
    # ML9, 9.5: (f f c n n + c H n n) / (f f c H n n) = 1/H + 1/f^2
    for n, c, f, h in ((32, 3, 3, 64), (14, 16, 5, 32), (7, 512, 3, 1024), (28, 6, 7, 6)):
        x_shape = (1, n, n, c)
        standard = ops.conv2d_macs(x_shape, (f, f, c, h), padding="same")
        separable = ops.separable_conv2d_macs(x_shape, (f, f, c, 1), (1, 1, c, h),
                                              padding="same")
        assert Fraction(separable, standard) == Fraction(1, h) + Fraction(1, f * f)


def test_mac_count_is_the_size_of_the_im2col_product(rng):
    x, w = rng.standard_normal((2, 9, 8, 3)), rng.standard_normal((3, 3, 3, 5))
    columns = ops.im2col(x, 3, stride=2, padding="same")
    assert ops.conv2d_macs(x.shape, w.shape, stride=2, padding="same") == \
        columns.shape[0] * columns.shape[1] * w.shape[3]


# --- bad input -------------------------------------------------------------------------------

def test_kernel_larger_than_padded_input_says_how_much_padding():
    with pytest.raises(ValueError, match=r"5x5 kernel does not fit: the padded input is only "
                                         r"3x3; use padding of at least 1 \(rows\)"):
        ops.conv2d(np.zeros((3, 3)), np.ones((5, 5)))
    with pytest.raises(ValueError, match=r"3x3 kernel \(dilated to 7x7 pixels\) .* at least 2"):
        ops.conv2d(np.zeros((4, 4)), np.ones((3, 3)), padding=1, dilation=3)
    with pytest.raises(ValueError, match="larger than the 2x2 input"):
        ops.correlate2d(np.zeros((2, 2)), np.ones((3, 3)))


@pytest.mark.parametrize("call", [
    lambda: ops.conv2d(np.zeros((5, 5)), np.ones((3, 3)), stride=0),
    lambda: ops.max_pool2d(np.zeros((4, 4)), strides=-1),
    lambda: ops.conv2d_transpose(np.zeros((3, 3)), np.ones((3, 3)), stride=0)])
def test_stride_must_be_positive(call):
    with pytest.raises(ValueError, match="must be >= 1"):
        call()


def test_channel_mismatch_names_both_numbers():
    with pytest.raises(ValueError, match=r"x has 3 channels .* expects 4"):
        ops.conv2d(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 4, 8)))
    with pytest.raises(ValueError, match=r"x has 2 channels .* \(kh, kw, C_out, C_in\) expects 5"):
        ops.conv2d_transpose(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 4, 5)))


def test_bad_padding_word_gets_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'same'"):
        ops.conv2d(np.zeros((5, 5)), np.ones((3, 3)), padding="smae")
    with pytest.raises(ValueError, match="pooling padding must be 'valid' or 'same'"):
        ops.max_pool2d(np.zeros((4, 4)), padding=1)


def test_other_bad_shapes_are_explained():
    with pytest.raises(ValueError, match=r"2-D image \(H, W\) goes with a 2-D kernel"):
        ops.conv2d(np.zeros((5, 5)), np.zeros((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="one entry per output channel"):
        ops.conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 2)), b=np.zeros(3))
    with pytest.raises(ValueError, match="needs non-negative activations"):
        ops.stochastic_pool2d(np.array([[1.0, -1.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="output_padding=2 must be smaller than the stride"):
        ops.conv2d_transpose(np.zeros((3, 3)), np.ones((3, 3)), stride=2, output_padding=2)
