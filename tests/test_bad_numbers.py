"""NaN, inf, empty and complex inputs get a clear error or a correct value, never a silent wrong one."""
import numpy as np
import pytest

from cnncourse import ops, signals


def test_an_empty_batch_convolves_to_an_empty_batch():
    y = ops.conv2d(np.zeros((0, 5, 5, 2)), np.ones((3, 3, 2, 4)), padding=1, stride=2)
    assert y.shape == (0, 3, 3, 4)
    assert ops.max_pool2d(np.zeros((0, 4, 4, 3)), 2).shape == (0, 2, 2, 3)
    assert ops.depthwise_conv2d(np.zeros((0, 5, 5, 2)), np.ones((3, 3, 2, 2))).shape == (0, 3, 3, 4)


@pytest.mark.parametrize("call", [
    lambda: ops.conv2d(np.ones((5, 5)) * (1 + 1j), np.ones((3, 3))),
    lambda: ops.conv2d(np.ones((5, 5)), np.ones((3, 3)) * 1j),
    lambda: ops.max_pool2d(np.ones((4, 4)) * 1j, 2),
    lambda: ops.correlate2d(np.ones((4, 4), dtype=complex), np.ones((2, 2))),
    lambda: signals.convolve(np.ones(4) * 1j, np.ones(2)),
])
def test_complex_input_is_refused_not_cast(call):
    with pytest.raises(ValueError, match=r"complex numbers; .*\.real"):
        call()


def test_nan_and_inf_propagate_like_a_keras_layer():
    x = np.ones((5, 5))
    x[0, 0] = np.nan
    y = ops.conv2d(x, np.ones((3, 3)))
    assert np.isnan(y[0, 0]) and np.isfinite(y[2, 2])       # only windows that see the NaN
    x[0, 0] = np.inf
    assert ops.max_pool2d(x, 2)[0, 0] == np.inf


@pytest.mark.parametrize("test", [signals.is_linear, signals.is_time_invariant])
def test_a_system_that_returns_nan_is_not_called_lti(test):
    def broken(x):
        return np.full_like(x, np.nan)

    with pytest.raises(ValueError, match="'broken' returned NaN or inf"):
        test(broken)
