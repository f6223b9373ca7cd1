"""The small tools several chapters share (cnncourse.ops): a numerical gradient, activations with
their derivatives, the vanishing-gradient product and a dropout node's Monte-Carlo output."""
import numpy as np
import pytest

from cnncourse import ops


def _keras():
    from cnncourse._quiet import import_backend

    return import_backend()


# --- numerical_gradient ------------------------------------------------------------------------

def test_numerical_gradient_of_a_quadratic_is_exact():
    params = {"w": np.array([1.0, -2.0, 0.5]), "b": np.array(3.0)}
    loss = lambda p: float(np.sum(p["w"] ** 2) + 4 * p["b"] ** 2)  # noqa: E731
    grads = ops.numerical_gradient(loss, params)
    assert np.allclose(grads["w"], 2 * params["w"], atol=1e-8)
    assert np.allclose(grads["b"], 8 * params["b"], atol=1e-6)
    assert grads["w"].shape == (3,) and grads["b"].shape == ()


def test_numerical_gradient_leaves_the_params_untouched():
    params = {"w": np.array([1.0, 2.0])}
    ops.numerical_gradient(lambda p: float(p["w"] @ p["w"]), params)
    assert params["w"].tolist() == [1.0, 2.0]


def test_numerical_gradient_checks_a_backprop_by_hand():
    # the 2-2-1 sigmoid network of DL1 on XOR, gradients by the lecture's δ rules
    rng = np.random.default_rng(0)
    p = {"W1": rng.normal(size=(2, 2)), "b1": np.zeros(2), "W2": rng.normal(size=(1, 2)),
         "b2": np.zeros(1)}
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    sigmoid, _ = ops.ACTIVATIONS["sigmoid"]

    def forward(q):
        a2 = sigmoid(x @ q["W1"].T + q["b1"])
        return a2, sigmoid(a2 @ q["W2"].T + q["b2"])

    a2, a3 = forward(p)
    d3 = (a3 - y) * a3 * (1 - a3)
    d2 = (d3 @ p["W2"]) * a2 * (1 - a2)
    analytic = {"W1": d2.T @ x, "b1": d2.sum(0), "W2": d3.T @ a2, "b2": d3.sum(0)}
    numeric = ops.numerical_gradient(lambda q: 0.5 * float(np.sum((forward(q)[1] - y) ** 2)), p)
    assert all(np.allclose(analytic[k], numeric[k], atol=1e-8) for k in p)


# --- activations and the vanishing gradient ----------------------------------------------------

KERAS_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "elu": "elu", "selu": "selu",
               "swish": "silu", "mish": "mish"}


def test_every_activation_has_a_keras_counterpart():
    assert set(ops.ACTIVATIONS) == set(KERAS_NAMES)


@pytest.mark.parametrize("name", sorted(KERAS_NAMES))
def test_activation_values_match_keras(name):
    keras = _keras()
    x = np.linspace(-4, 4, 33)
    got = keras.ops.convert_to_numpy(keras.activations.get(KERAS_NAMES[name])(x.astype("float32")))
    assert np.allclose(ops.ACTIVATIONS[name][0](x), got, atol=1e-5)


@pytest.mark.parametrize("name", sorted(KERAS_NAMES))
def test_activation_derivatives_match_finite_differences(name):
    f, df = ops.ACTIVATIONS[name]
    x = np.linspace(-5, 5, 40)            # even count: the grid avoids the kink at 0
    h = 1e-5
    assert np.allclose(df(x), (f(x + h) - f(x - h)) / (2 * h), atol=1e-7)


def test_sigmoid_derivative_is_at_most_a_quarter():
    x = np.linspace(-10, 10, 2001)
    assert ops.ACTIVATIONS["sigmoid"][1](x).max() == pytest.approx(0.25)


def test_selu_is_lambda_times_elu_alpha():
    selu, elu = ops.ACTIVATIONS["selu"][0], ops.ACTIVATIONS["elu"][0]
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    elu_alpha = np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))
    assert np.allclose(selu(x), 1.0507009873554805 * elu_alpha)
    assert not np.allclose(selu(x), elu(x))


def _compose(f, x, depth):
    for _ in range(depth):
        x = f(x)
    return float(x)


def test_chain_gradient_is_the_derivative_of_the_stack():
    products = ops.chain_gradient("sigmoid", 10, x0=0.5)
    assert products.shape == (10,)
    assert np.all(products <= 0.25 ** np.arange(1, 11)) and products[-1] < 1e-6
    sigmoid = ops.ACTIVATIONS["sigmoid"][0]
    h = 1e-4
    numeric = (_compose(sigmoid, 0.5 + h, 10) - _compose(sigmoid, 0.5 - h, 10)) / (2 * h)
    assert products[-1] == pytest.approx(numeric, rel=1e-4)
    assert np.all(ops.chain_gradient("relu", 10, x0=0.5) == 1.0)


def test_chain_gradient_weight_scales_every_factor():
    tanh = ops.chain_gradient("tanh", 3, x0=0.2, weight=2.0)
    a, product = 0.2, 1.0
    for layer in range(3):
        product *= 2.0 * (1 - np.tanh(2.0 * a) ** 2)
        a = np.tanh(2.0 * a)
        assert tanh[layer] == pytest.approx(product)


def test_plot_chain_gradients_draws_one_log_scale_line_per_activation():
    import matplotlib.pyplot as plt

    from cnncourse import viz

    products = {name: ops.chain_gradient(name, 5) for name in ("sigmoid", "relu")}
    ax = viz.plot_chain_gradients(products)
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert np.allclose(ax.lines[0].get_ydata(), products["sigmoid"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigmoid", "relu"]
    plt.close("all")
    with pytest.raises(ValueError, match="non-empty dict"):
        viz.plot_chain_gradients({})


# --- a dropout node ----------------------------------------------------------------------------

W = [1.5, -2.0, 0.8, 3.0]
INPUTS = [1.0, 2.0, -1.5, 0.5]


def test_dropout_output_mean_is_the_ensemble_output():
    mean, se = ops.dropout_output_mc(W, INPUTS, 0.5, seed=2)
    assert abs(mean - np.sum(0.5 * np.array(W) * INPUTS)) < 5 * se
    mean, se = ops.dropout_output_mc(W, INPUTS, [0.9, 0.5, 0.3, 0.7], seed=2)
    assert abs(mean - np.sum(np.array([0.9, 0.5, 0.3, 0.7]) * W * np.array(INPUTS))) < 5 * se


def test_dropout_output_variance_is_p_times_one_minus_p():
    samples = 50_000
    for p in (0.2, 0.5, 0.9):
        _, se = ops.dropout_output_mc([1.0], [1.0], p, samples=samples, seed=0)
        assert se ** 2 * samples == pytest.approx(p * (1 - p), abs=0.01)


def test_dropout_output_is_reproducible_from_its_seed():
    first, again = (ops.dropout_output_mc(W, INPUTS, 0.5, seed=4) for _ in range(2))
    assert first == again


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: ops.numerical_gradient(lambda p: 0.0, {"w": np.ones(2)}, h=0), "small positive step"),
    (lambda: ops.numerical_gradient(lambda p: 0.0, {}), "non-empty dict"),
    (lambda: ops.chain_gradient("sleu", 3), "did you mean 'selu'"),
    (lambda: ops.chain_gradient("relu", 0), "depth must be >= 1"),
    (lambda: ops.dropout_output_mc(W, INPUTS[:3], 0.5), "same length"),
    (lambda: ops.dropout_output_mc(W, INPUTS, 1.5), r"keep-probabilities in \(0, 1\]"),
    (lambda: ops.dropout_output_mc(W, INPUTS, [0.5, 0.5]), "one per input"),
    (lambda: ops.dropout_output_mc(W, INPUTS, 0.5, samples=0), "samples must be >= 1"),
])
def test_bad_input_raises_value_error_with_a_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
