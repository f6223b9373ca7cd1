"""Discrete-time signals and systems: the DSP half of the convolution lectures (ML9, 9.2).

A *signal* is a 1-D NumPy array of samples x[n]. Its first sample sits at index ``start``
(default 0) and every sample outside the array is zero. ``convolve(x, h, x_start=-1)`` thus
reads x as x[-1], x[0], x[1], ...; the result y starts at ``x_start + h_start``.

A *system* is a Python callable that maps a signal of length L (samples n = 0 .. L-1, zero
before n = 0) to a signal of the same length (e.g. ``lambda x: x ** 2``);
``impulse_response``, ``is_linear`` and ``is_time_invariant`` test any callable that does.

Convolution, as the slides compute it (y[n] = sum_k x[k] h[n - k]):

1. flip the filter, h[k] -> h[-k];
2. shift it by n, giving h[n - k];
3. multiply it with x[k] sample by sample;
4. sum over k to get y[n], and repeat for every n.

A CNN layer does not flip: it computes the cross-correlation ``correlate(x, w)``, which equals
``convolve(x, w[::-1])``; for a learned filter the flip makes no difference.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import non_negative_int, positive_int

__all__ = [
    "ConvolutionTrace",
    "convolve",
    "correlate",
    "decompose",
    "fft_convolve",
    "flip_shift",
    "impulse",
    "impulse_response",
    "is_linear",
    "is_time_invariant",
]


def _signal(x, name: str) -> np.ndarray:
    if np.iscomplexobj(x):
        raise ValueError(f"{name} holds complex numbers; this function works on real signals. "
                         f"Pass the real part ({name}.real) or the magnitude (abs({name})).")
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of real numbers ({exc}).") from None
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of samples; got shape {x.shape}.")
    return x


def _whole(value, name: str) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be a whole number (an index), got {value!r}.")
    return int(value)


# --- impulses --------------------------------------------------------------------------------

def impulse(n, shift: int = 0) -> np.ndarray:
    """The unit impulse delta[n - shift]: 1 where ``n == shift``, 0 elsewhere.

    n: an int N (the indices 0 .. N-1) or an array of integer indices; shift may be an array
    that broadcasts against n. Returns floats with the broadcast shape.

    >>> impulse(5, shift=2)
    array([0., 0., 1., 0., 0.])
    """
    indices = np.arange(positive_int(n, "n")) if np.ndim(n) == 0 else np.asarray(n)
    return np.where(indices == np.asarray(shift), 1.0, 0.0)


def decompose(x) -> np.ndarray:
    """Write x[n] = sum_k x[k] delta[n - k] out term by term: one scaled, shifted impulse a row.

    x: (L,) -> (L, L); row k is x[k] * delta[n - k] over n = 0 .. L-1, and the rows sum to x.
    """
    x = _signal(x, "x")
    n = np.arange(x.size)
    return x[:, None] * impulse(n[None, :], shift=n[:, None])


# --- convolution and correlation -------------------------------------------------------------

def flip_shift(h, n: int, k, h_start: int = 0) -> np.ndarray:
    """Steps 1 and 2 of the slides: the flipped filter shifted by n, h[n - k], at indices k.

    h: (Lh,) with h[0] at index ``h_start``; k: int array of indices -> array like k (zero where
    n - k falls outside h).
    """
    h = _signal(h, "h")
    position = _whole(n, "n") - np.asarray(k) - _whole(h_start, "h_start")
    inside = (position >= 0) & (position < h.size)
    return np.where(inside, h[np.clip(position, 0, h.size - 1)], 0.0)


@dataclass(eq=False)
class ConvolutionTrace:
    """Every step of ``convolve`` on one common grid of k, for plots and tables.

    k: (K,) indices; x: (K,) the input on that grid; n: (Ny,) output indices;
    flipped: (Ny, K) h[n - k] for each n (steps 1-2); products: (Ny, K) x[k] h[n - k] (step 3);
    y: (Ny,) row sums of products (step 4).
    """

    k: np.ndarray
    x: np.ndarray
    n: np.ndarray
    flipped: np.ndarray
    products: np.ndarray
    y: np.ndarray


def convolve(x, h, trace: bool = False, x_start: int = 0, h_start: int = 0):
    """Linear convolution y[n] = sum_k x[k] h[n - k], by the slides' flip-shift-multiply-sum.

    x: (Lx,) starting at index x_start; h: (Lh,) starting at h_start -> y: (Lx + Lh - 1,)
    starting at ``x_start + h_start``. With ``trace=True`` returns ``(y, ConvolutionTrace)``.
    Cost grows as Lx * (Lx + Lh); use ``fft_convolve`` or ``np.convolve`` for long signals.
    """
    x, h = _signal(x, "x"), _signal(h, "h")
    x_start, h_start = _whole(x_start, "x_start"), _whole(h_start, "h_start")
    n = np.arange(x.size + h.size - 1) + x_start + h_start
    k = np.arange(x.size) + x_start
    y = np.array([np.sum(x * flip_shift(h, m, k, h_start)) for m in n])
    if not trace:
        return y
    grid = np.arange(x_start - (h.size - 1), x_start + x.size + h.size - 1)
    x_on_grid = np.where((grid >= x_start) & (grid < x_start + x.size),
                         x[np.clip(grid - x_start, 0, x.size - 1)], 0.0)
    flipped = np.stack([flip_shift(h, m, grid, h_start) for m in n])
    products = x_on_grid * flipped
    return y, ConvolutionTrace(grid, x_on_grid, n, flipped, products, products.sum(axis=1))


def correlate(x, h, mode: str = "valid") -> np.ndarray:
    """Cross-correlation c[n] = sum_k h[k] x[n + k]: what a 1-D CNN layer computes.

    x: (Lx,), h: (Lh,). mode 'valid': n = 0 .. Lx - Lh (h entirely inside x, as in a layer
    without padding); 'full': n = -(Lh - 1) .. Lx - 1. Equal to ``convolve(x, h[::-1])``
    (all of it for 'full', its middle for 'valid'): correlation is convolution with the
    filter flipped, so the two differ only for a filter that is not symmetric.
    """
    x, h = _signal(x, "x"), _signal(h, "h")
    mode = str(mode).strip().lower()
    if mode not in ("valid", "full"):
        raise ValueError(f"mode={mode!r}: choose 'valid' (as a CNN layer) or 'full'.")
    full = convolve(x, h[::-1])
    if mode == "full":
        return full
    if h.size > x.size:
        raise ValueError(f"mode='valid' needs the filter ({h.size} taps) to fit inside x "
                         f"({x.size} samples); use mode='full' or a shorter filter.")
    return full[h.size - 1:x.size]


def fft_convolve(x, h, circular: bool = False) -> np.ndarray:
    """Convolution through the convolution theorem: y = IFFT(FFT(x) * FFT(h)).

    x: (Lx,), h: (Lh,) -> (Lx + Lh - 1,): both are zero-padded to the full length first, which
    makes the product of spectra a linear convolution, equal to ``convolve(x, h)``.
    ``circular=True`` skips the padding (length max(Lx, Lh)): the tail of the linear result
    then wraps around onto its start, which is why the padding is needed.
    """
    x, h = _signal(x, "x"), _signal(h, "h")
    length = max(x.size, h.size) if circular else x.size + h.size - 1
    return np.fft.irfft(np.fft.rfft(x, length) * np.fft.rfft(h, length), length)


# --- systems ---------------------------------------------------------------------------------

def _respond(system, x: np.ndarray) -> np.ndarray:
    """Run a system on x, checking that it is callable and returns a signal of the same length."""
    if not callable(system):
        raise ValueError(f"system must be a callable taking a 1-D array, got "
                         f"{type(system).__name__}.")
    y = np.asarray(system(x), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"system {getattr(system, '__name__', system)!r} returned shape "
                         f"{y.shape} for an input of shape {x.shape}; a system must return one "
                         "output sample per input sample (cut a full convolution with [:len(x)]).")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"system {getattr(system, '__name__', system)!r} returned NaN or inf for "
                         "a finite input, so linearity and time invariance cannot be measured; "
                         "fix the system (a division by zero? an overflow?) and test it again.")
    return y


def impulse_response(system, n: int = 16) -> np.ndarray:
    """h[n] = T(delta[n]) for n = 0 .. n-1: the system's answer to a unit impulse at n = 0.

    For a linear time-invariant system this sequence determines every output:
    ``system(x) == convolve(x, h)[:len(x)]`` (for an h long enough to hold the response).
    """
    return _respond(system, impulse(positive_int(n, "n")))


def _check_test_args(n, trials, tol):
    n = positive_int(n, "n")
    if n < 8:
        raise ValueError(f"n={n} is too short to test a system; use n >= 8.")
    if not tol >= 0:
        raise ValueError(f"tol must be >= 0, got {tol!r}.")
    return n, positive_int(trials, "trials")


def _verdict(worst: float, tol: float, return_violation: bool):
    ok = bool(worst <= tol)
    return (ok, worst) if return_violation else ok


def is_linear(system, n: int = 64, trials: int = 20, seed: int = 0, tol: float = 1e-9,
              return_violation: bool = False):
    """Test T(a x1 + b x2) == a T(x1) + b T(x2) on random signals, scalars a, b.

    n: signal length; trials: random cases; tol: largest violation accepted, measured as
    max |T(a x1 + b x2) - (a T(x1) + b T(x2))| / max(1, max |a T(x1) + b T(x2)|).
    Returns True/False, or (bool, worst violation) with ``return_violation=True``.
    A pass is evidence, not proof: only the cases tried are checked.
    """
    n, trials = _check_test_args(n, trials, tol)
    rng = np.random.default_rng(non_negative_int(seed, "seed"))
    worst = 0.0
    for _ in range(trials):
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
        a, b = rng.standard_normal(2) * 3
        expected = a * _respond(system, x1) + b * _respond(system, x2)
        got = _respond(system, a * x1 + b * x2)
        worst = max(worst, np.max(np.abs(got - expected)) / max(1.0, np.max(np.abs(expected))))
    return _verdict(worst, tol, return_violation)


def is_time_invariant(system, n: int = 64, trials: int = 20, seed: int = 0, tol: float = 1e-9,
                      return_violation: bool = False):
    """Test that delaying the input by k delays the output by k: T(x[n - k]) == y[n - k].

    Each random input is zero on its first and last quarter and the delay k is at most n // 4,
    so nothing is lost off the ends; outputs are compared where both exist (n >= k).
    Violation, tol and return value as in ``is_linear``.
    """
    n, trials = _check_test_args(n, trials, tol)
    rng = np.random.default_rng(non_negative_int(seed, "seed"))
    quarter, worst = n // 4, 0.0
    for _ in range(trials):
        x = np.zeros(n)
        x[quarter:n - quarter] = rng.standard_normal(n - 2 * quarter)
        k = int(rng.integers(1, quarter + 1))
        delayed_output = _respond(system, x)[:n - k]
        output_of_delayed = _respond(system, np.roll(x, k))[k:]
        scale = max(1.0, np.max(np.abs(delayed_output)))
        worst = max(worst, np.max(np.abs(output_of_delayed - delayed_output)) / scale)
    return _verdict(worst, tol, return_violation)


# --- the lecture's 3x3 filters (chapter 2) ---------------------------------------------------

SLIDE_FILTERS = {  # GDSC, "What exactly filters do?", printed to two decimals
    "blur": ((0.06, 0.12, 0.06), (0.12, 0.25, 0.12), (0.06, 0.12, 0.06)),
    "emboss": ((-2.0, -1.0, 0.0), (-1.0, 1.0, 1.0), (0.0, 1.0, 2.0)),
    "outline": ((-1.0, -1.0, -1.0), (-1.0, 8.0, -1.0), (-1.0, -1.0, -1.0)),
}


def slide_filter(name: str) -> np.ndarray:
    """One of the 3x3 kernels of GDSC as printed: 'blur', 'emboss' or 'outline' -> (3, 3).

    'outline' is the 8-neighbour Laplacian (its entries sum to 0). The printed 'blur' is the
    binomial kernel [[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16 rounded to two decimals, so its
    entries sum to 0.97, not 1.
    """
    if name not in SLIDE_FILTERS:
        from ._checks import did_you_mean

        raise ValueError(f"unknown slide filter {name!r}: {did_you_mean(str(name), SLIDE_FILTERS)}")
    return np.array(SLIDE_FILTERS[name], dtype=np.float64)


# --- shifts of signals and images (chapter 3) ------------------------------------------------

def _to_numpy(y) -> np.ndarray:
    """A layer's output (a backend tensor) or an array, as float64 NumPy."""
    if not isinstance(y, np.ndarray):
        from ._quiet import import_backend

        y = import_backend().ops.convert_to_numpy(y)
    return np.asarray(y, dtype=np.float64)


def _spatial_axes(x: np.ndarray) -> tuple[int, ...]:
    layouts = {1: (0,), 2: (0, 1), 3: (1,), 4: (1, 2)}
    if x.ndim not in layouts:
        raise ValueError(f"x must be a signal (L,), an image (H, W), or a Keras batch (N, L, C) "
                         f"or (N, H, W, C); got shape {x.shape}.")
    return layouts[x.ndim]


def _offsets(offset, count: int, name: str) -> tuple[int, ...]:
    values = tuple(offset) if isinstance(offset, (tuple, list)) else (offset,) * count
    if len(values) != count:
        raise ValueError(f"{name} needs one entry per spatial axis ({count}); got {offset!r}.")
    return tuple(_whole(v, f"{name}") for v in values)


def translate(x, offset) -> np.ndarray:
    """Shift x along its spatial axes, filling with zeros what comes in (nothing wraps round).

    x: (L,), (H, W), (N, L, C) or (N, H, W, C) (Keras layout); offset: int (every spatial axis)
    or one int per spatial axis. Positive offsets move the content to larger indices (later,
    down, right): ``translate(x, 2)[n] == x[n - 2]``.
    """
    x = np.asarray(x, dtype=np.float64)
    axes = _spatial_axes(x)
    shifted = x
    for axis, k in zip(axes, _offsets(offset, len(axes), "offset")):
        if abs(k) >= x.shape[axis]:
            raise ValueError(f"offset {k} moves everything out of an axis of length "
                             f"{x.shape[axis]}; use |offset| < {x.shape[axis]}.")
        shifted = np.roll(shifted, k, axis=axis)
        lost = [slice(None)] * x.ndim
        lost[axis] = slice(0, k) if k >= 0 else slice(x.shape[axis] + k, None)
        shifted[tuple(lost)] = 0.0
    return shifted


def equivariance_gap(op, x, shift, output_shift, margin: int = 0) -> float:
    """How far op is from commuting with a shift.

    Returns max |op(translate(x, shift)) - translate(op(x), output_shift)| over the interior.

    op: a function or Keras layer taking x in its layout ((N, H, W, C) for 2-D layers);
    shift: input offset, output_shift: the offset expected at the output (shift // stride for a
    strided layer). The comparison skips what the shifts push in or out of view and ``margin``
    more positions at both ends of every spatial axis (where 'same' padding sees zeros).
    0 (up to rounding) means equivariant for this x and shift.
    """
    x = np.asarray(x, dtype=np.float64)
    margin = non_negative_int(margin, "margin")
    moved = _to_numpy(op(translate(x, shift)))
    expected = translate(_to_numpy(op(x)), output_shift)
    if moved.shape != expected.shape:
        raise ValueError(f"op gave shapes {moved.shape} and {expected.shape} for the shifted and "
                         "the original input; it must return the same shape for both.")
    axes = _spatial_axes(expected)
    window = [slice(None)] * expected.ndim
    for axis, k in zip(axes, _offsets(output_shift, len(axes), "output_shift")):
        start, stop = max(k, 0) + margin, expected.shape[axis] + min(k, 0) - margin
        if stop <= start:
            raise ValueError(f"nothing is left to compare on an output axis of length "
                             f"{expected.shape[axis]} after output_shift {k} and margin {margin}; "
                             "use a larger input or a smaller shift or margin.")
        window[axis] = slice(start, stop)
    return float(np.max(np.abs(moved - expected)[tuple(window)]))


__all__ += [
    "SLIDE_FILTERS",
    "equivariance_gap",
    "slide_filter",
    "translate",
]
