"""NumPy normalization references (cnncourse.ops) against hand-worked values and Keras layers."""
import numpy as np
import pytest

from cnncourse import ops

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch

SHAPE = (4, 3, 5, 6)  # (N, H, W, C)


@pytest.fixture
def x(rng):
    return rng.normal(2.0, 3.0, SHAPE)


def _keras():
    from cnncourse._quiet import import_backend

    return import_backend()


def _run(layer, x, training=False, weights=None):
    layer.build(x.shape)
    if weights is not None:
        layer.set_weights([np.asarray(w, "float32") for w in weights])
    keras = _keras()
    out = layer(x.astype("float32"), training=training)
    return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)


# ---------------------------------------------------------------- worked by hand

def test_batch_norm_of_two_values_is_minus_one_and_one():
    # mean 2, biased variance ((1-2)^2 + (3-2)^2) / 2 = 1
    assert ops.batch_norm([[1.0], [3.0]], eps=0).tolist() == [[-1.0], [1.0]]
    expected = np.array([[-1.0], [1.0]]) / np.sqrt(1 + ops.KERAS_EPSILON)
    assert np.allclose(ops.batch_norm([[1.0], [3.0]]), expected, rtol=0, atol=1e-15)


def test_layer_norm_is_across_the_hidden_units_of_one_sample():
    # ML9, eq. 9.4.18-19: H = 4 hidden units 0, 2, 4, 6 -> mean 3, variance 5
    out = ops.layer_norm([[0.0, 2.0, 4.0, 6.0]], eps=0)
    assert np.allclose(out, [np.array([-3.0, -1.0, 1.0, 3.0]) / np.sqrt(5.0)], atol=1e-15)


def test_gamma_and_beta_scale_and_shift_after_normalizing():
    out = ops.batch_norm([[1.0, 10.0], [3.0, 30.0]], gamma=[2.0, 0.5], beta=[5.0, -1.0], eps=0)
    assert out.tolist() == [[3.0, -1.5], [7.0, -0.5]]


def test_every_group_has_mean_zero_and_variance_one(x):
    out = ops.normalize(x, "group", groups=3, eps=0)
    grouped = out.reshape(SHAPE[0], -1, 3, 2)  # (N, H*W, groups, channels per group)
    assert np.allclose(grouped.mean(axis=(1, 3)), 0, atol=1e-12)
    assert np.allclose(grouped.var(axis=(1, 3)), 1, atol=1e-12)


# ---------------------------------------------------------------- who shares statistics

def test_statistics_map_counts_one_label_per_mean():
    n, c = 4, 6
    assert np.unique(ops.statistics_map("batch", n, c)).size == c
    assert np.unique(ops.statistics_map("layer", n, c)).size == n
    assert np.unique(ops.statistics_map("instance", n, c)).size == n * c
    assert np.unique(ops.statistics_map("group", n, c, groups=3)).size == n * 3
    assert ops.statistics_map("group", 2, 6, groups=3).tolist() == [[0, 0, 1, 1, 2, 2],
                                                                   [3, 3, 4, 4, 5, 5]]


def test_group_norm_spans_layer_norm_and_instance_norm(x):
    c = SHAPE[-1]
    assert np.array_equal(ops.statistics_map("group", 4, c, groups=1),
                          ops.statistics_map("layer", 4, c))
    assert np.array_equal(ops.statistics_map("group", 4, c, groups=c),
                          ops.statistics_map("instance", 4, c))
    assert np.allclose(ops.group_norm(x, 1), ops.layer_norm(x), atol=1e-12)
    assert np.allclose(ops.group_norm(x, c), ops.instance_norm(x), atol=1e-12)


def test_batch_norm_mixes_samples_and_layer_norm_does_not(x):
    changed = x.copy()
    changed[0] += 100.0
    assert np.allclose(ops.layer_norm(changed)[1:], ops.layer_norm(x)[1:], atol=1e-12)
    assert not np.allclose(ops.batch_norm(changed)[1:], ops.batch_norm(x)[1:], atol=1e-3)


# ---------------------------------------------------------------- against Keras

def test_batch_norm_equals_keras_in_training(x, rng):
    keras = _keras()
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    layer = keras.layers.BatchNormalization()
    got = _run(layer, x, training=True, weights=[gamma, beta, np.zeros(6), np.ones(6)])
    assert np.allclose(got, ops.batch_norm(x, gamma, beta), atol=1e-4)


@pytest.mark.parametrize("groups", [1, 2, 3, 6])
def test_group_norm_equals_keras_group_normalization(x, rng, groups):
    keras = _keras()
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    got = _run(keras.layers.GroupNormalization(groups=groups), x, weights=[gamma, beta])
    assert np.allclose(got, ops.group_norm(x, groups, gamma, beta), atol=1e-4)


def test_layer_norm_equals_keras_layer_normalization_over_h_w_c(x, rng):
    keras = _keras()
    gamma, beta = rng.normal(size=SHAPE[1:]), rng.normal(size=SHAPE[1:])
    got = _run(keras.layers.LayerNormalization(axis=[1, 2, 3]), x, weights=[gamma, beta])
    assert np.allclose(got, ops.layer_norm(x, gamma, beta), atol=1e-4)


def test_keras_default_layer_normalization_treats_each_pixel_as_a_sample(x):
    keras = _keras()
    got = _run(keras.layers.LayerNormalization(), x)
    per_pixel = ops.layer_norm(x.reshape(-1, SHAPE[-1])).reshape(SHAPE)
    assert np.allclose(got, per_pixel, atol=1e-4)
    assert not np.allclose(got, ops.layer_norm(x), atol=1e-2)


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, message", [
    (lambda: ops.batch_norm([1.0, 2.0]), "batch axis first"),
    (lambda: ops.normalize(np.ones((2, 6)), "grup", groups=2), "did you mean 'group'"),
    (lambda: ops.normalize(np.ones((2, 6)), "group"), "needs groups=G"),
    (lambda: ops.group_norm(np.ones((2, 3, 3, 6)), 4), r"choose one of \[1, 2, 3, 6\]"),
    (lambda: ops.normalize(np.ones((2, 6)), "batch", groups=2), "only applies to kind='group'"),
    (lambda: ops.batch_norm(np.ones((2, 6)), gamma=np.ones(5)), r"shape \(6,\)"),
    (lambda: ops.batch_norm(np.ones((2, 6)), eps=-1), "eps must be a number >= 0"),
    (lambda: ops.statistics_map("layer", 0, 3), "n must be >= 1"),
])
def test_bad_input_raises_value_error_with_a_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
