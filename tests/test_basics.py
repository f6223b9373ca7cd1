"""cnncourse.basics against the slides' numbers (seed 001, seed 000 §9.4), Keras and calculus."""
import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, f1_score, log_loss, precision_score, recall_score

from cnncourse import basics as B

X2 = np.column_stack([B.STUDY_HOURS, B.TUTORING])


# --- linear regression -------------------------------------------------------------------------

def test_least_squares_matches_the_slide():
    a, b = B.least_squares(B.STUDY_HOURS, B.SCORES)
    assert a == pytest.approx(2.3) and b == pytest.approx(79.0)        # slide: a = 2.3, b = 79
    assert np.allclose([a, b], np.polyfit(B.STUDY_HOURS, B.SCORES, 1))


def test_mse_and_rmse_of_the_fitted_line():
    prediction = 2.3 * B.STUDY_HOURS + 79
    # residuals 2.6, -4.8, 1.8, 0.4 -> squares 6.76 + 23.04 + 3.24 + 0.16 = 33.2, over 4 points
    assert B.mse(prediction, B.SCORES) == pytest.approx(8.3)
    assert B.rmse(prediction, B.SCORES) == pytest.approx(math.sqrt(8.3))


def test_multiple_regression_exact_and_by_gradient_descent():
    exact = np.array([3 / 2, 16 / 7, 545 / 7])  # normal equations solved in fractions by hand
    coef, intercept = B.fit_linear_lstsq(X2, B.SCORES)
    assert np.allclose([*coef, intercept], exact, atol=1e-10)
    coef, intercept, history = B.fit_linear_gd(X2, B.SCORES, lr=0.02, epochs=5000)
    assert np.allclose([*coef, intercept], exact, atol=1e-6)
    assert history[-1] == pytest.approx(B.mse(X2 @ exact[:2] + exact[2], B.SCORES))
    coef, intercept, _ = B.fit_linear_gd(X2, B.SCORES, lr=0.01, epochs=2000, batch_size=1)
    assert np.allclose([*coef, intercept], exact, atol=0.5)  # SGD wanders around the optimum


def test_gradient_descent_diverges_with_too_large_a_step():
    with pytest.raises(ValueError, match="diverged with lr=1.0; use a smaller"):
        B.fit_linear_gd(X2, B.SCORES, lr=1.0, epochs=2000)


# --- gradient descent and Newton ---------------------------------------------------------------

@pytest.mark.parametrize("lr", [0.1, 0.45, 1.1])
def test_gradient_descent_on_a_parabola_follows_the_closed_form(lr):
    # f(x) = x², f'(x) = 2x, so x_k = (1 - 2 lr)^k x_0: shrinks for lr < 1, grows for lr > 1
    path = B.gradient_descent(lambda x: 2 * x, 3.0, lr, 10)
    assert np.allclose(path, 3.0 * (1 - 2 * lr) ** np.arange(11))


def test_newton_step():
    # on a parabola one step lands on the minimum; on e^x - 2x it converges fast to ln 2
    assert B.newton_step(10.0, lambda x: 2 * (x - 3), lambda x: 2.0) == 3.0
    path = B.newton(lambda x: math.exp(x) - 2, math.exp, 3.0, 8)
    assert path[-1] == pytest.approx(math.log(2), abs=1e-12)
    with pytest.raises(ValueError, match="f''.* = 0"):
        B.newton_step(0.0, lambda x: 3 * x ** 2, lambda x: 6 * x)


# --- optimizers --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", B.OPTIMIZERS)
def test_optimizers_agree_with_keras(name):
    # Keras runs in float32; 1 - 0.999**t alone carries ~1e-5 relative error there, hence lr 0.05
    assert B.keras_deviation(name, B.bowl_grad, [-4.0, 2.0], steps=10, lr=0.05) < 1e-5


def test_nesterov_needs_the_lookahead_mapping_to_match_keras():
    ours = B.optimize("nesterov", B.bowl_grad, [-4.0, 2.0], 10, lr=0.05)
    theirs = B.keras_trajectory("nesterov", B.bowl_grad, [-4.0, 2.0], 10, lr=0.05)
    assert np.max(np.abs(ours - theirs)) > 1e-2
    assert np.max(np.abs(B.nesterov_lookahead(ours, 0.9) - theirs)) < 1e-5


def test_optimizer_first_steps_by_hand():
    g0 = B.bowl_grad([-4.0, 2.0])                        # (-4, 20)
    adam = B.optimize("adam", B.bowl_grad, [-4.0, 2.0], 1, lr=0.3)
    assert np.allclose(adam[1], [-3.7, 1.7], atol=1e-6)  # bias correction: first step = lr·sign(g)
    momentum = B.optimize("momentum", B.bowl_grad, [-4.0, 2.0], 2, lr=0.01)
    v1 = -0.01 * g0
    v2 = 0.9 * v1 - 0.01 * B.bowl_grad(np.array([-4.0, 2.0]) + v1)
    assert np.allclose(momentum[2], np.array([-4.0, 2.0]) + v1 + v2)


@pytest.mark.parametrize("name", B.OPTIMIZERS)
def test_every_optimizer_descends_the_bowl(name):
    path = B.optimize(name, B.bowl_grad, [-4.0, 2.0], 100, B.BOWL_LEARNING_RATES[name])
    assert B.bowl(path[-1]) < 0.01 * B.bowl(path[0])


def test_optimizer_arguments_are_checked():
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        B.optimize("adma", B.bowl_grad, [1.0, 1.0], 3, 0.1)
    with pytest.raises(ValueError, match="sgd does not take momentum"):
        B.optimize("sgd", B.bowl_grad, [1.0, 1.0], 3, 0.1, momentum=0.9)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        B.optimize("adam", B.bowl_grad, [1.0, 1.0], 3, -0.1)


# --- logistic regression -----------------------------------------------------------------------

def test_cross_entropy_is_the_slides_formula():
    assert B.cross_entropy(np.full(6, 0.5), B.PASSED) == pytest.approx(math.log(2))
    y = np.array([0.1, 0.3, 0.4, 0.8, 0.9, 0.95])
    assert B.cross_entropy(y, B.PASSED) == pytest.approx(log_loss(B.PASSED, y))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        B.cross_entropy([0.0, 1.0], [0, 1])


def test_logistic_regression_separates_pass_and_fail():
    a, b, losses = B.fit_logistic(B.PASS_HOURS, B.PASSED)
    assert losses[0] == pytest.approx(math.log(2))      # a = b = 0 predicts 0.5 everywhere
    assert np.all(np.diff(losses) < 0)
    assert np.array_equal(B.sigmoid(a * B.PASS_HOURS + b) > 0.5, B.PASSED == 1)
    assert 6 < -b / a < 8                               # the boundary lies between 6 h and 8 h


# --- XOR and backpropagation -------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backprop_matches_numerical_gradient(seed):
    params = B.init_mlp(seed)
    analytic = B.backprop(params, B.XOR_INPUTS, B.XOR_TARGETS)
    numeric = B.numerical_gradient(lambda p: B.mlp_loss(p, B.XOR_INPUTS, B.XOR_TARGETS), params)
    for key in params:
        assert analytic[key].shape == params[key].shape
        assert np.allclose(analytic[key], numeric[key], atol=1e-8)


def test_output_layer_gradient_is_the_slides_product():
    # ∂J/∂w_{1,1}^{(2)} = (a3 - y) · a3 (1 - a3) · a2_1 for a single example
    params = B.init_mlp(5)
    x, y = B.XOR_INPUTS[1:2], B.XOR_TARGETS[1:2]
    a2, a3 = B.mlp_forward(params, x)
    slide = (a3[0, 0] - y[0, 0]) * a3[0, 0] * (1 - a3[0, 0]) * a2[0, 0]
    assert B.backprop(params, x, y)["W2"][0, 0] == pytest.approx(slide)


def test_xor_is_solved_from_a_fixed_seed():
    params, losses = B.train_xor(seed=0)
    assert B.solves_xor(params)
    assert losses[-1] < 0.01 < losses[0]
    assert not B.solves_xor(B.init_mlp(0))


# --- activations -------------------------------------------------------------------------------

def _keras_activation(name):
    import keras

    ops = keras.ops
    return {"sigmoid": ops.sigmoid, "tanh": ops.tanh, "relu": ops.relu, "elu": ops.elu,
            "selu": ops.selu, "swish": ops.silu, "mish": keras.activations.mish}[name]


@pytest.mark.parametrize("name", list(B.ACTIVATIONS))
def test_activation_values_match_keras(name):
    x = np.linspace(-5, 5, 41).astype("float32")
    import keras

    theirs = keras.ops.convert_to_numpy(_keras_activation(name)(x))
    assert np.allclose(B.activation(name)[0](x), theirs, atol=1e-6)


@pytest.mark.parametrize("name", list(B.ACTIVATIONS))
def test_activation_derivatives_match_finite_differences(name):
    f, df = B.activation(name)
    x = np.linspace(-5, 5, 40)            # even count: the grid avoids the kink at 0
    h = 1e-5
    assert np.allclose(df(x), (f(x + h) - f(x - h)) / (2 * h), atol=1e-7)


def test_sigmoid_derivative_is_at_most_a_quarter():
    x = np.linspace(-10, 10, 2001)
    assert B.activation("sigmoid")[1](x).max() == pytest.approx(0.25)


def test_selu_constants_make_it_self_normalising():
    mean, var = B.gaussian_moments(B.selu)
    assert abs(mean) < 1e-6 and var == pytest.approx(1.0, abs=1e-6)
    # seed 001 calls SELU "ELU with alpha != 1": with alpha = 1.6733 but no scale the variance
    # shrinks, so the fixed point (0, 1) needs lambda = 1.0507 too
    _, var_elu = B.gaussian_moments(lambda z: B.elu(z, B.SELU_ALPHA))
    assert var_elu == pytest.approx(1 / B.SELU_SCALE ** 2, abs=1e-6)
    assert var_elu < 0.91


def test_vanishing_gradient_through_a_sigmoid_stack():
    products = B.chain_gradient("sigmoid", 10, x0=0.5)
    assert np.all(products <= 0.25 ** np.arange(1, 11))
    assert products[-1] < 1e-6
    composed = lambda x: _compose(B.sigmoid, x, 10)  # noqa: E731
    h = 1e-4
    assert products[-1] == pytest.approx((composed(0.5 + h) - composed(0.5 - h)) / (2 * h),
                                         rel=1e-4)
    assert np.all(B.chain_gradient("relu", 10, x0=0.5) == 1.0)


def _compose(f, x, depth):
    for _ in range(depth):
        x = f(x)
    return float(x)


# --- metrics -----------------------------------------------------------------------------------

def test_metrics_of_the_slides_ten_person_example():
    m = B.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)
    assert m["accuracy"] == pytest.approx(0.7)
    assert m["precision"] == pytest.approx(0.75)
    assert m["recall"] == pytest.approx(6 / 7)
    assert m["fpr"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(0.8)
    y_true, y_pred = B.labels_from_counts(1, 2, 1, 6)
    assert precision_score(y_true, y_pred) == pytest.approx(m["precision"])
    assert recall_score(y_true, y_pred) == pytest.approx(m["recall"])
    assert f1_score(y_true, y_pred) == pytest.approx(m["f1"])
    assert confusion_matrix(y_true, y_pred).ravel().tolist() == [1, 2, 1, 6]


def test_slide_sentence_miscounts_the_negatives():
    # the slide says "음성(4명)", but 3 people are actually negative and 2 are predicted negative
    y_true, y_pred = B.labels_from_counts(1, 2, 1, 6)
    assert int(np.sum(y_true == 0)) == 3
    assert int(np.sum(y_pred == 0)) == 2
    assert 4 not in (int(np.sum(y_true == 0)), int(np.sum(y_pred == 0)))


def test_metrics_edge_cases():
    m = B.metrics_from_counts(tn=5, fp=0, fn=3, tp=0)
    assert math.isnan(m["precision"]) and m["recall"] == 0.0 and m["fpr"] == 0.0
    with pytest.raises(ValueError, match="fp must be >= 0"):
        B.metrics_from_counts(1, -2, 1, 6)
    with pytest.raises(ValueError, match="all four counts are 0"):
        B.metrics_from_counts(0, 0, 0, 0)


# --- dropout as an ensemble --------------------------------------------------------------------

W = [1.5, -2.0, 0.8, 3.0]
INPUTS = [1.0, 2.0, -1.5, 0.5]


@pytest.mark.parametrize("p", [0.5, [0.9, 0.5, 0.3, 0.7]])
def test_eq_9_4_12_holds_exactly_over_all_masks(p):
    exact = B.dropout_gradient_exact(W, INPUTS, 1.0, p)
    assert np.allclose(exact, B.dropout_gradient_expected(W, INPUTS, 1.0, p), atol=1e-12)


def test_monte_carlo_dropout_gradient_agrees_with_eq_9_4_12_and_not_without_variance():
    mean, stderr = B.dropout_gradient_mc(W, INPUTS, 1.0, 0.5, samples=200_000, seed=1)
    z_slide = (mean - B.dropout_gradient_expected(W, INPUTS, 1.0, 0.5)) / stderr
    z_plain = (mean - B.ensemble_gradient(W, INPUTS, 1.0, 0.5)) / stderr
    assert np.all(np.abs(z_slide) < 5)
    assert np.max(np.abs(z_plain)) > 50   # dropping w_i I_i² Var[δ_i] is clearly rejected


def test_regularised_loss_is_the_expected_dropout_loss():
    # E[E_D] over all 16 masks, written out here independently of the library
    w, inputs, p = np.array(W), np.array(INPUTS), 0.5
    total = 0.0
    for bits in range(16):
        mask = np.array([(bits >> i) & 1 for i in range(4)], dtype=float)
        total += p ** 4 * 0.5 * (1.0 - mask @ (w * inputs)) ** 2
    assert B.regularized_loss(W, INPUTS, 1.0, p) == pytest.approx(total)


def test_test_time_rules_bernoulli_scales_gaussian_does_not():
    w, inputs = np.array(W), np.array(INPUTS)
    mean, se = B.dropout_output_mc(W, INPUTS, 0.5, seed=2)
    assert abs(mean - np.sum(0.5 * w * inputs)) < 5 * se
    mean, se = B.gaussian_dropout_output_mc(W, INPUTS, 0.5, seed=3)  # example 9-4-1
    assert abs(mean - np.sum(w * inputs)) < 5 * se
    assert abs(mean - np.sum(0.5 * w * inputs)) > 50 * se


def test_dropout_arguments_are_checked():
    with pytest.raises(ValueError, match=r"keep-probabilities, each in \(0, 1\]"):
        B.dropout_gradient_mc(W, INPUTS, 1.0, 1.5)
    with pytest.raises(ValueError, match="w and inputs must have the same length"):
        B.ensemble_gradient(W, INPUTS[:3], 1.0, 0.5)
    with pytest.raises(ValueError, match="one probability per input"):
        B.dropout_gradient_expected(W, INPUTS, 1.0, [0.5, 0.5])


def test_other_bad_inputs_name_the_fix():
    with pytest.raises(ValueError, match="x and y must have the same length"):
        B.least_squares([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="all x values are equal"):
        B.least_squares([2, 2, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="did you mean 'selu'"):
        B.activation("sleu")
    with pytest.raises(ValueError, match="t must hold 0/1 labels"):
        B.fit_logistic([1, 2], [0, 2])
