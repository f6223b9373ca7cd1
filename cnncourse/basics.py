"""Foundations refresher: regression, gradient descent, optimizers, backprop, activations, metrics.

Everything here is small NumPy code written to follow the lecture formulas (seed 001 "딥러닝 Part1"
and seed 000 §9.3-9.4), so a student can read a function next to its slide:

* least squares ``a = Σ(x-x̄)(y-ȳ) / Σ(x-x̄)²``, ``b = ȳ - a·x̄`` on the study-hours data;
* gradient descent ``x_{k+1} = x_k - λ f'(x_k)`` and Newton's step ``x - f'/f''``;
* the first-order optimizers (SGD, momentum, Nesterov, Adagrad, RMSProp, Adam) as update rules;
* logistic regression with the slide's cross-entropy;
* the 2-2-1 sigmoid perceptron for XOR trained with the slide's δ formulas;
* activation functions with their derivatives, and the vanishing-gradient product;
* accuracy / precision / recall / FPR / F1 from a confusion matrix;
* dropout seen as an ensemble (eq. 9.4.1-9.4.13 of seed 000) and Gaussian dropout at test time.

Only :func:`keras_trajectory` touches Keras (to cross-check the optimizers); the rest is NumPy.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ._checks import did_you_mean, non_negative_int, positive_int

# --- the lecture's data sets -------------------------------------------------------------------

STUDY_HOURS = np.array([2.0, 4.0, 6.0, 8.0])    #: seed 001, linear regression: hours studied (x)
SCORES = np.array([81.0, 93.0, 91.0, 97.0])     #: seed 001: exam score (y)
TUTORING = np.array([0.0, 4.0, 2.0, 3.0])       #: seed 001, multiple regression: tutoring (x2)
PASS_HOURS = np.array([2.0, 4.0, 6.0, 8.0, 10.0, 12.0])  #: seed 001, logistic regression: hours
PASSED = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])        #: seed 001: failed (0) / passed (1)
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  #: (4, 2)
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])                    #: (4, 1)


# --- small input checks ------------------------------------------------------------------------

def _array(values, name: str, ndim: int | None = None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (a list or a NumPy array), "
                         f"got {values!r}.") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity; pass finite numbers.")
    return array


def _same_length(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{names} must have the same length, got {len(a)} and {len(b)}.")


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


def _probabilities(p, n: int, name: str = "p") -> np.ndarray:
    """``p`` as an array of ``n`` keep-probabilities in (0, 1] (a scalar is broadcast)."""
    p = np.broadcast_to(_array(p, name), (n,)) if np.ndim(p) == 0 else _array(p, name, ndim=1)
    if len(p) != n:
        raise ValueError(f"{name} needs one probability per input ({n}), got {len(p)}.")
    if np.any(p <= 0) or np.any(p > 1):
        raise ValueError(f"{name} holds keep-probabilities, each in (0, 1]; got {p.tolist()}.")
    return np.array(p, dtype=float)


# --- linear regression -------------------------------------------------------------------------

def least_squares(x, y) -> tuple[float, float]:
    """Slope and intercept of ``y = a x + b`` by the slide's least-squares formulas.

    x, y: (n,). ``a = Σ(x - mean x)(y - mean y) / Σ(x - mean x)²`` and ``b = mean y - a·mean x``.
    """
    x, y = _array(x, "x", 1), _array(y, "y", 1)
    _same_length(x, y, "x and y")
    dx = x - x.mean()
    if not np.any(dx):
        raise ValueError("all x values are equal, so the slope is undefined; use at least two "
                         "different x values.")
    a = float(np.sum(dx * (y - y.mean())) / np.sum(dx ** 2))
    return a, float(y.mean() - a * x.mean())


def mse(prediction, target) -> float:
    """Mean squared error ``(1/n) Σ (p_i - y_i)²``. prediction, target: (n,)."""
    prediction, target = _array(prediction, "prediction"), _array(target, "target")
    if prediction.shape != target.shape:
        raise ValueError(f"prediction and target shapes differ: {prediction.shape} vs "
                         f"{target.shape}; pass one prediction per target.")
    return float(np.mean((prediction - target) ** 2))


def rmse(prediction, target) -> float:
    """Root of :func:`mse`, in the units of the target."""
    return math.sqrt(mse(prediction, target))


def _design(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, d) with a column of ones appended for the intercept, and targets (n,)."""
    X = _array(X, "X")
    X = X[:, None] if X.ndim == 1 else X
    y = _array(y, "y", 1)
    if X.ndim != 2:
        raise ValueError(f"X must be (n, d) — one row per example — got shape {X.shape}.")
    _same_length(X, y, "X rows and y")
    return np.column_stack([X, np.ones(len(X))]), y


def fit_linear_lstsq(X, y) -> tuple[np.ndarray, float]:
    """Multiple linear regression ``y = X @ coef + intercept`` solved exactly (``np.linalg.lstsq``).

    X: (n, d) or (n,); y: (n,). Returns ``coef`` (d,) and ``intercept``.
    """
    A, y = _design(X, y)
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    return solution[:-1], float(solution[-1])


def fit_linear_gd(X, y, lr: float = 0.02, epochs: int = 5000, batch_size: int | None = None,
                  seed: int = 0) -> tuple[np.ndarray, float, np.ndarray]:
    """Multiple linear regression by gradient descent on the mean squared error.

    X: (n, d) or (n,); y: (n,). Starts from zero. With ``batch_size=None`` every step uses all
    rows (plain gradient descent); a smaller ``batch_size`` draws shuffled mini-batches from
    ``seed`` (stochastic gradient descent, SGD). Returns ``coef`` (d,), ``intercept`` and the
    full-data MSE after each epoch, shape (epochs,).
    """
    A, y = _design(X, y)
    lr = _positive(lr, "lr")
    epochs = positive_int(epochs, "epochs")
    batch_size = len(y) if batch_size is None else positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(seed)
    theta = np.zeros(A.shape[1])
    history = np.empty(epochs)
    for epoch in range(epochs):
        order = rng.permutation(len(y)) if batch_size < len(y) else np.arange(len(y))
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, len(y), batch_size):
                rows = order[start:start + batch_size]
                residual = A[rows] @ theta - y[rows]
                theta -= lr * 2.0 * A[rows].T @ residual / len(rows)
            history[epoch] = np.mean((A @ theta - y) ** 2)
        if not np.isfinite(history[epoch]):
            raise ValueError(f"gradient descent diverged with lr={lr}; "
                             "use a smaller learning rate.")
    return theta[:-1], float(theta[-1]), history


# --- gradient descent and Newton's method ------------------------------------------------------

def gradient_descent(fprime, x0, lr: float, steps: int) -> np.ndarray:
    """Iterate ``x_{k+1} = x_k - lr · f'(x_k)``; return all iterates, shape (steps + 1, *x0.shape).

    ``fprime`` maps an array like ``x0`` to the gradient of the same shape.
    """
    lr, steps = _positive(lr, "lr"), non_negative_int(steps, "steps")
    path = [_array(x0, "x0")]
    for _ in range(steps):
        path.append(path[-1] - lr * np.asarray(fprime(path[-1]), dtype=float))
    return np.array(path)


def newton_step(x, fprime, fsecond) -> float:
    """One step of Newton's method for minimisation: ``x - f'(x) / f''(x)`` (scalar x)."""
    curvature = float(fsecond(x))
    if curvature == 0:
        raise ValueError(f"f''({x}) = 0: Newton's step is undefined where the curve is flat.")
    return float(x - fprime(x) / curvature)


def newton(fprime, fsecond, x0: float, steps: int) -> np.ndarray:
    """Newton's method from ``x0``; return all iterates, shape (steps + 1,)."""
    steps = non_negative_int(steps, "steps")
    path = [float(x0)]
    for _ in range(steps):
        path.append(newton_step(path[-1], fprime, fsecond))
    return np.array(path)


# --- first-order optimizers on a 2-D bowl ------------------------------------------------------

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")

#: Hyperparameters each rule accepts, with their defaults (Keras's defaults, so that the same
#: call to :func:`optimize` and :func:`keras_trajectory` means the same algorithm).
HYPERPARAMETERS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"initial_accumulator": 0.1, "epsilon": 1e-7},
    "rmsprop": {"rho": 0.9, "epsilon": 1e-7},
    "adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}

#: Learning rates that make each rule's path on :func:`bowl` worth looking at (chapter 1's plot).
BOWL_LEARNING_RATES = {"sgd": 0.08, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.9,
                       "rmsprop": 0.1, "adam": 0.3}


def bowl(p, curvature=(1.0, 10.0)) -> np.ndarray:
    """The test function ``f(x, y) = (c_x x² + c_y y²) / 2``: a long, narrow valley.

    p: (..., 2) points. Returns f with shape (...). Its minimum is 0 at the origin.
    """
    p = np.asarray(p, dtype=float)
    return 0.5 * (curvature[0] * p[..., 0] ** 2 + curvature[1] * p[..., 1] ** 2)


def bowl_grad(p, curvature=(1.0, 10.0)) -> np.ndarray:
    """Gradient of :func:`bowl`, ``(c_x x, c_y y)``. p: (..., 2) -> (..., 2)."""
    return np.asarray(p, dtype=float) * np.asarray(curvature, dtype=float)


def _settings(name: str, hyper: dict) -> dict:
    if name not in HYPERPARAMETERS:
        raise ValueError(f"unknown optimizer {name!r}; {did_you_mean(name, OPTIMIZERS)}")
    allowed = HYPERPARAMETERS[name]
    unknown = sorted(set(hyper) - set(allowed))
    if unknown:
        accepts = ", ".join(allowed) or "no hyperparameters besides lr"
        raise ValueError(f"{name} does not take {', '.join(unknown)}; it accepts {accepts}.")
    return {**allowed, **hyper}


def optimize(name: str, grad, x0, steps: int, lr: float, **hyper) -> np.ndarray:
    """Run one first-order optimizer from ``x0``; return every iterate, shape (steps + 1, d).

    ``grad`` maps a point (d,) to its gradient (d,). ``name`` is one of :data:`OPTIMIZERS`;
    ``hyper`` overrides :data:`HYPERPARAMETERS` (g is the gradient at the current point, all
    operations elementwise):

    * ``sgd``: ``x -= lr g`` (on a fixed function SGD is plain gradient descent; the "stochastic"
      comes from drawing mini-batches, see :func:`fit_linear_gd`).
    * ``momentum``: ``v = μ v - lr g;  x += v`` — the ball keeps rolling.
    * ``nesterov``: look ahead first, ``g = ∇f(x + μ v);  v = μ v - lr g;  x += v``.
    * ``adagrad``: ``s += g²;  x -= lr g / sqrt(s + ε)``, ``s`` starting at ``initial_accumulator``.
    * ``rmsprop``: ``s = ρ s + (1 - ρ) g²;  x -= lr g / sqrt(s + ε)`` — a leaky Adagrad.
    * ``adam``: ``m = β1 m + (1 - β1) g;  s = β2 s + (1 - β2) g²``, bias-corrected
      ``m̂ = m / (1 - β1^t)``, ``ŝ = s / (1 - β2^t)``, then ``x -= lr m̂ / (sqrt(ŝ) + ε)``
      (Kingma & Ba 2015, Algorithm 1; Keras uses the paper's equivalent reordering, which moves ε
      before the bias correction — with ε = 1e-7 the two differ far below float32 rounding here).

    Keras stores Nesterov's look-ahead point ``x + μ v`` instead of ``x``; see
    :func:`keras_trajectory` for how the two paths are compared.
    """
    h = _settings(name, hyper)
    lr, steps = _positive(lr, "lr"), non_negative_int(steps, "steps")
    x = _array(x0, "x0", ndim=1).copy()
    first = np.zeros_like(x)    # velocity (momentum, Nesterov) or first moment (Adam)
    second = np.full_like(x, h.get("initial_accumulator", 0.0))  # squared-gradient average or sum
    path = [x.copy()]
    for t in range(1, steps + 1):
        if name == "nesterov":
            g = np.asarray(grad(x + h["momentum"] * first), dtype=float)
        else:
            g = np.asarray(grad(x), dtype=float)
        if name == "sgd":
            x = x - lr * g
        elif name in ("momentum", "nesterov"):
            first = h["momentum"] * first - lr * g
            x = x + first
        elif name == "adagrad":
            second = second + g ** 2
            x = x - lr * g / np.sqrt(second + h["epsilon"])
        elif name == "rmsprop":
            second = h["rho"] * second + (1 - h["rho"]) * g ** 2
            x = x - lr * g / np.sqrt(second + h["epsilon"])
        else:  # adam
            first = h["beta_1"] * first + (1 - h["beta_1"]) * g
            second = h["beta_2"] * second + (1 - h["beta_2"]) * g ** 2
            m_hat = first / (1 - h["beta_1"] ** t)
            s_hat = second / (1 - h["beta_2"] ** t)
            x = x - lr * m_hat / (np.sqrt(s_hat) + h["epsilon"])
        path.append(x.copy())
    return np.array(path)


def nesterov_lookahead(path, momentum: float = 0.9) -> np.ndarray:
    """The look-ahead points ``x_k + μ v_k`` of a Nesterov path, with ``v_k = x_k - x_{k-1}``.

    path: (steps + 1, d) from ``optimize("nesterov", ...)``. These are the points Keras's
    ``SGD(nesterov=True)`` stores in its variable (the same algorithm, written for the look-ahead
    point); ``v_0 = 0``, so both start at ``x0``.
    """
    path = _array(path, "path", ndim=2)
    looked = path.copy()
    looked[1:] += momentum * (path[1:] - path[:-1])
    return looked


def _keras_optimizer(keras, name: str, lr: float, h: dict):
    if name in ("sgd", "momentum", "nesterov"):
        return keras.optimizers.SGD(learning_rate=lr, momentum=h.get("momentum", 0.0),
                                    nesterov=name == "nesterov")
    if name == "adagrad":
        return keras.optimizers.Adagrad(learning_rate=lr, epsilon=h["epsilon"],
                                        initial_accumulator_value=h["initial_accumulator"])
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, rho=h["rho"], epsilon=h["epsilon"])
    return keras.optimizers.Adam(learning_rate=lr, beta_1=h["beta_1"], beta_2=h["beta_2"],
                                 epsilon=h["epsilon"])


def keras_trajectory(name: str, grad, x0, steps: int, lr: float, **hyper) -> np.ndarray:
    """The same run as :func:`optimize`, done by ``keras.optimizers``; shape (steps + 1, d).

    The gradient is computed by ``grad`` in NumPy and handed to ``apply_gradients``, so this
    works on every Keras backend. Keras computes in float32, where ``1 - 0.999`` alone is off by
    1.3e-5 relative (Adam's bias correction), so expect agreement to about 1e-5 for moderate step
    sizes, not to float64 precision. For ``nesterov`` the returned points are Keras's variable,
    i.e. the look-ahead points (compare with :func:`nesterov_lookahead`).
    """
    h = _settings(name, hyper)
    lr, steps = _positive(lr, "lr"), non_negative_int(steps, "steps")
    x0 = _array(x0, "x0", ndim=1)
    from ._quiet import import_backend

    keras = import_backend()
    variable = keras.Variable(x0.astype("float32"), name="x")
    optimizer = _keras_optimizer(keras, name, lr, h)
    path = [x0.copy()]
    for _ in range(steps):
        value = keras.ops.convert_to_numpy(variable).astype(float)
        gradient = keras.ops.convert_to_tensor(np.asarray(grad(value), dtype="float32"))
        optimizer.apply_gradients([(gradient, variable)])
        path.append(keras.ops.convert_to_numpy(variable).astype(float))
    return np.array(path)


def keras_deviation(name: str, grad, x0, steps: int, lr: float, **hyper) -> float:
    """Largest coordinate difference between :func:`optimize` and :func:`keras_trajectory`.

    For ``nesterov`` our path is first mapped to its look-ahead points (:func:`nesterov_lookahead`).
    """
    ours = optimize(name, grad, x0, steps, lr, **hyper)
    if name == "nesterov":
        ours = nesterov_lookahead(ours, _settings(name, hyper)["momentum"])
    theirs = keras_trajectory(name, grad, x0, steps, lr, **hyper)
    return float(np.max(np.abs(ours - theirs)))


# --- logistic regression -----------------------------------------------------------------------

def sigmoid(x) -> np.ndarray:
    """``1 / (1 + e^{-x})``, elementwise, without overflow for large |x|."""
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


def cross_entropy(y, t) -> float:
    """The slide's loss ``L = -(1/N) Σ [t log y + (1 - t) log(1 - y)]``.

    y: (N,) predicted probabilities in (0, 1); t: (N,) targets 0 or 1.
    """
    y, t = _array(y, "y"), _array(t, "t")
    if y.shape != t.shape:
        raise ValueError(f"y and t shapes differ: {y.shape} vs {t.shape}.")
    if np.any((y <= 0) | (y >= 1)):
        raise ValueError("y must hold probabilities strictly between 0 and 1 (log 0 is -inf).")
    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))


def fit_logistic(x, t, lr: float = 0.05, steps: int = 5000, a0: float = 0.0,
                 b0: float = 0.0) -> tuple[float, float, np.ndarray]:
    """Fit ``y = σ(a x + b)`` to 0/1 targets by gradient descent on :func:`cross_entropy`.

    x, t: (N,). The gradient is ``dL/da = mean((y - t) x)``, ``dL/db = mean(y - t)``. Returns
    ``a``, ``b`` and the loss before each step, shape (steps,).
    """
    x, t = _array(x, "x", 1), _array(t, "t", 1)
    _same_length(x, t, "x and t")
    if not np.all((t == 0) | (t == 1)):
        raise ValueError(f"t must hold 0/1 labels, got {t.tolist()}.")
    lr, steps = _positive(lr, "lr"), positive_int(steps, "steps")
    a, b = float(a0), float(b0)
    losses = np.empty(steps)
    for k in range(steps):
        y = sigmoid(a * x + b)
        losses[k] = -np.mean(t * np.log(y) + (1 - t) * np.log1p(-y))
        a, b = a - lr * np.mean((y - t) * x), b - lr * np.mean(y - t)
    return a, b, losses


# --- XOR with a two-layer perceptron and backpropagation ---------------------------------------

def init_mlp(seed: int = 0, hidden: int = 2, scale: float = 1.0) -> dict:
    """Random weights of the 2-``hidden``-1 sigmoid network of the slides.

    Weights follow the slide's indexing ``w_{j,i}`` (to unit j from unit i): ``W1`` (hidden, 2),
    ``b1`` (hidden,), ``W2`` (1, hidden), ``b2`` (1,). Weights ~ N(0, scale²), biases 0.
    """
    hidden = positive_int(hidden, "hidden")
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, scale, (hidden, 2)), "b1": np.zeros(hidden),
            "W2": rng.normal(0.0, scale, (1, hidden)), "b2": np.zeros(1)}


def mlp_forward(params: dict, X) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass. X: (N, 2). Returns hidden activations ``a2`` (N, hidden), output ``a3`` (N, 1).

    ``a2 = σ(X W1ᵀ + b1)``, ``a3 = σ(a2 W2ᵀ + b2)`` (the slide's n1, n2 and y_out).
    """
    a2 = sigmoid(np.asarray(X, dtype=float) @ params["W1"].T + params["b1"])
    return a2, sigmoid(a2 @ params["W2"].T + params["b2"])


def mlp_loss(params: dict, X, T) -> float:
    """The slide's cost ``J = Σ ½ (a3 - y)²`` summed over the examples. T: (N, 1)."""
    return float(0.5 * np.sum((mlp_forward(params, X)[1] - T) ** 2))


def backprop(params: dict, X, T) -> dict:
    """Gradients of :func:`mlp_loss` by the slide's δ rules; same keys and shapes as ``params``.

    Output layer: ``δ3 = (a3 - y) · a3 (1 - a3)``, and ``∂J/∂w_{1,j} = δ3 · a2_j``.
    Hidden layer: ``δ2_j = (Σ_k δ3_k w_{k,j}) · a2_j (1 - a2_j)``, and ``∂J/∂w_{j,i} = δ2_j · x_i``.
    Bias gradients are the δ's themselves. Each is summed over the N examples.
    """
    X = np.asarray(X, dtype=float)
    a2, a3 = mlp_forward(params, X)
    delta3 = (a3 - T) * a3 * (1 - a3)                       # (N, 1)
    delta2 = (delta3 @ params["W2"]) * a2 * (1 - a2)         # (N, hidden)
    return {"W1": delta2.T @ X, "b1": delta2.sum(axis=0),
            "W2": delta3.T @ a2, "b2": delta3.sum(axis=0)}


def numerical_gradient(loss, params: dict, h: float = 1e-6) -> dict:
    """Central differences ``(loss(θ + h) - loss(θ - h)) / 2h`` for every entry of every array.

    ``loss`` maps a params dict to a float. Returns a dict shaped like ``params``.
    """
    h = _positive(h, "h")
    grads = {}
    for key, value in params.items():
        grads[key] = np.zeros_like(value, dtype=float)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[key][index] = value[index] + h
            up = loss(shifted)
            shifted[key][index] = value[index] - h
            grads[key][index] = (up - loss(shifted)) / (2 * h)
    return grads


def train_xor(seed: int = 0, lr: float = 1.0, epochs: int = 2000,
              hidden: int = 2) -> tuple[dict, np.ndarray]:
    """Full-batch gradient descent with :func:`backprop` on XOR from ``init_mlp(seed, hidden)``.

    Returns the trained params and the loss before each epoch, shape (epochs,).
    """
    lr, epochs = _positive(lr, "lr"), positive_int(epochs, "epochs")
    params = init_mlp(seed, hidden)
    losses = np.empty(epochs)
    for epoch in range(epochs):
        losses[epoch] = mlp_loss(params, XOR_INPUTS, XOR_TARGETS)
        grads = backprop(params, XOR_INPUTS, XOR_TARGETS)
        params = {key: params[key] - lr * grads[key] for key in params}
    return params, losses


def solves_xor(params: dict, margin: float = 0.2) -> bool:
    """True when every XOR output is within ``margin`` (< 0.5) of its target."""
    return bool(np.all(np.abs(mlp_forward(params, XOR_INPUTS)[1] - XOR_TARGETS) < margin))


# --- activation functions ----------------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717   #: α of SELU (Klambauer et al. 2017)
SELU_SCALE = 1.0507009873554804934193349852946   #: λ of SELU (Klambauer et al. 2017)


def softplus(x) -> np.ndarray:
    """``ln(1 + e^x)``, computed stably."""
    return np.logaddexp(0.0, np.asarray(x, dtype=float))


def elu(x, alpha: float = 1.0) -> np.ndarray:
    """``x`` for x > 0, ``α (e^x - 1)`` otherwise."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def selu(x) -> np.ndarray:
    """``λ · elu(x, α)`` with BOTH constants fixed: α ≈ 1.6733 and λ ≈ 1.0507."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def swish(x) -> np.ndarray:
    """``x · σ(x)`` (also called SiLU)."""
    x = np.asarray(x, dtype=float)
    return x * sigmoid(x)


def mish(x) -> np.ndarray:
    """``x · tanh(softplus(x))``."""
    x = np.asarray(x, dtype=float)
    return x * np.tanh(softplus(x))


def _d_sigmoid(x):
    s = sigmoid(x)
    return s * (1 - s)


def _d_elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _d_swish(x):
    s = sigmoid(x)
    return s + np.asarray(x, dtype=float) * s * (1 - s)


def _d_mish(x):
    x = np.asarray(x, dtype=float)
    t = np.tanh(softplus(x))
    return t + x * (1 - t ** 2) * sigmoid(x)


#: name -> (function, derivative). ReLU's derivative at exactly 0 is taken as 0.
ACTIVATIONS = {
    "sigmoid": (sigmoid, _d_sigmoid),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(np.asarray(x, dtype=float), 0.0),
             lambda x: (np.asarray(x) > 0).astype(float)),
    "elu": (elu, _d_elu),
    "selu": (selu, lambda x: SELU_SCALE * _d_elu(x, SELU_ALPHA)),
    "swish": (swish, _d_swish),
    "mish": (mish, _d_mish),
}


def activation(name: str):
    """``(f, f')`` for one of the names in :data:`ACTIVATIONS`."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; {did_you_mean(name, ACTIVATIONS)}")
    return ACTIVATIONS[name]


def gaussian_moments(f) -> tuple[float, float]:
    """Mean and variance of ``f(z)`` for ``z ~ N(0, 1)``, by numerical integration.

    SELU's two constants are exactly the ones that make this ``(0, 1)``: a layer that receives
    zero-mean, unit-variance inputs hands the same statistics on ("self-normalising").
    """
    from scipy import integrate

    density = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731

    def expect(g):
        # split at the kink of ReLU-like functions so the quadrature stays accurate
        return sum(integrate.quad(lambda z: g(z) * density(z), lo, hi, epsabs=1e-13)[0]
                   for lo, hi in ((-np.inf, 0.0), (0.0, np.inf)))

    value = lambda z: float(f(z))  # noqa: E731
    mean = expect(value)
    return mean, expect(lambda z: value(z) ** 2) - mean ** 2


def chain_gradient(name: str, depth: int, x0: float = 0.5, weight: float = 1.0) -> np.ndarray:
    """How much of the gradient survives backpropagation through a stack of scalar units.

    Unit l computes ``a_l = f(weight · a_{l-1})`` from ``a_0 = x0``. By the chain rule
    ``∂a_l/∂a_0 = Π_{k≤l} weight · f'(weight · a_{k-1})``. Returns those products for
    l = 1 … depth, shape (depth,). For the sigmoid, f' ≤ 1/4, so with ``weight=1`` the product
    is at most 4^{-l}: the gradient vanishes geometrically with depth.
    """
    f, df = activation(name)
    depth = positive_int(depth, "depth")
    a, product, out = float(x0), 1.0, np.empty(depth)
    for layer in range(depth):
        z = weight * a
        product *= weight * float(df(z))
        a = float(f(z))
        out[layer] = product
    return out


# --- evaluation metrics ------------------------------------------------------------------------

def _counts(tn, fp, fn, tp) -> tuple[int, int, int, int]:
    return tuple(non_negative_int(v, n) for v, n in zip((tn, fp, fn, tp), ("tn", "fp", "fn", "tp")))


def metrics_from_counts(tn: int, fp: int, fn: int, tp: int) -> dict:
    """Accuracy, precision, recall, FPR (fall-out) and F1 from the four confusion-matrix cells.

    accuracy = (TP+TN)/all, precision = TP/(TP+FP), recall = TP/(TP+FN), FPR = FP/(TN+FP),
    F1 = 2PR/(P+R). A ratio whose denominator is 0 is returned as NaN.
    """
    tn, fp, fn, tp = _counts(tn, fp, fn, tp)
    if tn + fp + fn + tp == 0:
        raise ValueError("all four counts are 0; a confusion matrix needs at least one example.")

    def ratio(num, den):
        return num / den if den else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"accuracy": ratio(tp + tn, tn + fp + fn + tp), "precision": precision,
            "recall": recall, "fpr": ratio(fp, tn + fp),
            "f1": ratio(2 * precision * recall, precision + recall)}


def labels_from_counts(tn: int, fp: int, fn: int, tp: int) -> tuple[np.ndarray, np.ndarray]:
    """Label vectors ``(y_true, y_pred)`` (each (n,), 0/1) that have exactly these counts.

    Handy to hand the slide's 10-person example to scikit-learn or a confusion-matrix plot.
    """
    counts = _counts(tn, fp, fn, tp)
    cells = ((0, 0), (0, 1), (1, 0), (1, 1))  # (actual, predicted) of tn, fp, fn, tp
    y_true = np.repeat([c[0] for c in cells], counts)
    y_pred = np.repeat([c[1] for c in cells], counts)
    return y_true, y_pred


# --- dropout as an ensemble (seed 000, §9.4) ---------------------------------------------------

def _dropout_args(w, inputs, t, p):
    w = _array(w, "w", ndim=1)
    inputs = _array(inputs, "inputs", ndim=1)
    _same_length(w, inputs, "w and inputs")
    return w, inputs, float(t), _probabilities(p, len(w))


def ensemble_gradient(w, inputs, t: float, p) -> np.ndarray:
    """Eq. 9.4.7: ``∂E_ENS/∂w_i = -(t - o_ENS) p_i I_i`` with ``o_ENS = Σ p_i w_i I_i``.

    w, inputs: (n,) weights and inputs of one linear node; t: target; p: keep-probabilities
    (scalar or (n,)). Returns (n,).
    """
    w, inputs, t, p = _dropout_args(w, inputs, t, p)
    return -(t - np.sum(p * w * inputs)) * p * inputs


def dropout_gradient_expected(w, inputs, t: float, p) -> np.ndarray:
    """Eq. 9.4.12: ``E[∂E_D/∂w_i] = ∂E_ENS/∂w_i + w_i I_i² Var[δ_i]``, Var[δ_i] = p_i (1 - p_i)."""
    w, inputs, t, p = _dropout_args(w, inputs, t, p)
    return ensemble_gradient(w, inputs, t, p) + w * inputs ** 2 * p * (1 - p)


def _dropout_gradients(w, inputs, t, masks) -> np.ndarray:
    """Eq. 9.4.8 for a batch of masks δ (S, n): ``∂E_D/∂w_i = -(t - o_D) δ_i I_i``; (S, n)."""
    o_d = masks @ (w * inputs)
    return -(t - o_d)[:, None] * masks * inputs


def dropout_gradient_exact(w, inputs, t: float, p) -> np.ndarray:
    """``E[∂E_D/∂w_i]`` computed exactly by summing over all 2^n dropout masks (n ≤ 16)."""
    w, inputs, t, p = _dropout_args(w, inputs, t, p)
    if len(w) > 16:
        raise ValueError(f"exact enumeration needs 2^n masks; n={len(w)} is too many (use n ≤ 16 "
                         "or dropout_gradient_mc).")
    masks = np.array(list(itertools.product((0.0, 1.0), repeat=len(w))))
    weights = np.prod(np.where(masks == 1, p, 1 - p), axis=1)
    return weights @ _dropout_gradients(w, inputs, t, masks)


def dropout_gradient_mc(w, inputs, t: float, p, samples: int = 100_000,
                        seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo estimate of ``E[∂E_D/∂w_i]``: draw Bernoulli(p_i) masks, average eq. 9.4.8.

    Returns the mean (n,) and its standard error (n,), so a check can say "within k standard
    errors" of eq. 9.4.12.
    """
    w, inputs, t, p = _dropout_args(w, inputs, t, p)
    samples = positive_int(samples, "samples")
    masks = (np.random.default_rng(seed).random((samples, len(w))) < p).astype(float)
    grads = _dropout_gradients(w, inputs, t, masks)
    return grads.mean(axis=0), grads.std(axis=0, ddof=1) / math.sqrt(samples)


def regularized_loss(w, inputs, t: float, p) -> float:
    """Eq. 9.4.13: ``E_R = E_ENS + ½ Σ w_i² I_i² Var[δ_i]``, which equals ``E[E_D]`` exactly."""
    w, inputs, t, p = _dropout_args(w, inputs, t, p)
    ensemble = 0.5 * (t - np.sum(p * w * inputs)) ** 2
    return float(ensemble + 0.5 * np.sum(w ** 2 * inputs ** 2 * p * (1 - p)))


def dropout_output_mc(w, inputs, p, samples: int = 100_000,
                      seed: int = 0) -> tuple[float, float]:
    """Mean (and its standard error) of ``o_D = Σ δ_i w_i I_i`` with δ_i ~ Bernoulli(p_i).

    The mean is ``Σ p_i w_i I_i``: at test time the weights are multiplied by p_i.
    """
    w, inputs, _, p = _dropout_args(w, inputs, 0.0, p)
    samples = positive_int(samples, "samples")
    masks = (np.random.default_rng(seed).random((samples, len(w))) < p).astype(float)
    outputs = masks @ (w * inputs)
    return float(outputs.mean()), float(outputs.std(ddof=1) / math.sqrt(samples))


def gaussian_dropout_output_mc(w, inputs, sigma, samples: int = 100_000,
                               seed: int = 0) -> tuple[float, float]:
    """Mean (and standard error) of ``o_D = Σ δ_i w_i I_i`` with δ_i ~ N(1, σ_i²) (example 9-4-1).

    Since E[δ_i] = 1 the mean is ``Σ w_i I_i``: Gaussian dropout needs no rescaling at test time.
    """
    w, inputs, _, _ = _dropout_args(w, inputs, 0.0, 1.0)
    sigma = _array(sigma, "sigma")
    if sigma.ndim > 1 or sigma.size not in (1, len(w)) or np.any(sigma < 0):
        raise ValueError(f"sigma must be one standard deviation >= 0 or one per input ({len(w)}), "
                         f"got {sigma.tolist()}.")
    samples = positive_int(samples, "samples")
    noise = np.random.default_rng(seed).standard_normal((samples, len(w)))
    outputs = (1.0 + sigma * noise) @ (w * inputs)
    return float(outputs.mean()), float(outputs.std(ddof=1) / math.sqrt(samples))
