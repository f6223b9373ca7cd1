"""Discrete-time signals and systems: the DSP half of the convolution lectures (seed 000, 9.2).

A *signal* is a 1-D NumPy array of samples x[n]. Its first sample sits at index ``start``
(default 0) and every sample outside the array is zero. ``convolve(x, h, x_start=-1)`` thus
reads x as x[-1], x[0], x[1], ...; the result y starts at ``x_start + h_start``.

A *system* is a Python callable that maps a signal of length L (samples n = 0 .. L-1, zero
before n = 0) to a signal of the same length. The example systems below follow that rule, and
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
    "add_constant",
    "convolve",
    "correlate",
    "decompose",
    "example_systems",
    "fft_convolve",
    "fir",
    "flip_shift",
    "impulse",
    "impulse_response",
    "is_linear",
    "is_time_invariant",
    "moving_average",
    "scaled_delay",
    "squarer",
    "time_varying_gain",
]


def _signal(x, name: str) -> np.ndarray:
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


def _named(fn, name: str):
    fn.__name__ = fn.__qualname__ = name
    return fn


def moving_average(width: int = 3):
    """System y[n] = mean of x[n - width + 1 .. n] (causal; linear, time-invariant)."""
    width = positive_int(width, "width")
    return _named(lambda x: np.convolve(x, np.full(width, 1.0 / width))[:len(x)],
                  f"moving_average({width})")


def scaled_delay(gain: float = 2.0, delay: int = 1):
    """System y[n] = gain * x[n - delay] (linear, time-invariant)."""
    delay = non_negative_int(delay, "delay")
    return _named(lambda x: gain * np.concatenate([np.zeros(delay), x])[:len(x)],
                  f"scaled_delay({gain:g}, {delay})")


def squarer():
    """System y[n] = x[n]^2 (time-invariant, not linear)."""
    return _named(lambda x: np.asarray(x, dtype=float) ** 2, "squarer()")


def time_varying_gain():
    """System y[n] = n * x[n] (linear, not time-invariant: the gain depends on when)."""
    return _named(lambda x: np.arange(len(x)) * np.asarray(x, dtype=float),
                  "time_varying_gain()")


def add_constant(c: float = 1.0):
    """System y[n] = x[n] + c (time-invariant; not linear for c != 0, since T(0) = c)."""
    return _named(lambda x: np.asarray(x, dtype=float) + c, f"add_constant({c:g})")


def fir(h):
    """Causal FIR filter with impulse response h: y[n] = sum_k h[k] x[n - k], k = 0 .. Lh-1."""
    h = _signal(h, "h")
    return _named(lambda x: np.convolve(x, h)[:len(x)], f"fir({np.round(h, 3).tolist()})")


def example_systems() -> dict:
    """One instance of each example system, by display name (for tables in the notebooks)."""
    systems = [moving_average(3), scaled_delay(2.0, 1), squarer(), time_varying_gain(),
               add_constant(1.0), fir([1.0, -1.0])]
    return {system.__name__: system for system in systems}


# --- the slides' 3x3 filters and frequency responses (chapter 2) -----------------------------

SLIDE_FILTERS = {  # seed 002, "What exactly filters do?", printed to two decimals
    "blur": ((0.06, 0.12, 0.06), (0.12, 0.25, 0.12), (0.06, 0.12, 0.06)),
    "emboss": ((-2.0, -1.0, 0.0), (-1.0, 1.0, 1.0), (0.0, 1.0, 2.0)),
    "outline": ((-1.0, -1.0, -1.0), (-1.0, 8.0, -1.0), (-1.0, -1.0, -1.0)),
}


def slide_filter(name: str) -> np.ndarray:
    """One of the 3x3 kernels of seed 002 as printed: 'blur', 'emboss' or 'outline' -> (3, 3).

    'outline' is the 8-neighbour Laplacian (its entries sum to 0). The printed 'blur' is the
    binomial kernel [[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16 rounded to two decimals, so its
    entries sum to 0.97, not 1 (see ``binomial_blur``).
    """
    if name not in SLIDE_FILTERS:
        from ._checks import did_you_mean

        raise ValueError(f"unknown slide filter {name!r}: {did_you_mean(str(name), SLIDE_FILTERS)}")
    return np.array(SLIDE_FILTERS[name], dtype=np.float64)


def binomial_blur(size: int = 3) -> np.ndarray:
    """The binomial (Gaussian-like) blur, the outer product of a normalised binomial row.

    size -> (size, size). size 3 gives [[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16, whose entries
    sum to exactly 1, so a flat image keeps its brightness.
    """
    from math import comb

    size = positive_int(size, "size")
    row = np.array([comb(size - 1, k) for k in range(size)], dtype=np.float64) / 2 ** (size - 1)
    return np.outer(row, row)


def _filter(h) -> np.ndarray:
    try:
        h = np.asarray(h, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"h must be a 1-D or 2-D array of real numbers ({exc}).") from None
    if h.ndim not in (1, 2) or h.size == 0:
        raise ValueError(f"h must be a non-empty 1-D filter (L,) or 2-D kernel (kh, kw); got "
                         f"shape {h.shape}.")
    return h


def dtft(h, freq) -> np.ndarray:
    """The filter's frequency response H(f) = sum_n h[n] exp(-2 pi i f n), evaluated exactly.

    h: (L,) with freq of any shape (cycles per sample; 0 is DC, 0.5 the fastest wiggle
    +1, -1, +1, ...) -> complex array like freq; or h: (kh, kw) with freq (..., 2) holding
    (f_rows, f_cols) pairs -> complex array of shape freq.shape[:-1].
    |H(0)| is the sum of the taps (the DC gain); |H| does not depend on where h starts.
    """
    h = _filter(h)
    freq = np.asarray(freq, dtype=np.float64)
    if h.ndim == 1:
        n = np.arange(h.size)
        return np.exp(-2j * np.pi * freq[..., None] * n) @ h
    if freq.shape[-1:] != (2,):
        raise ValueError(f"a 2-D kernel needs frequency pairs (f_rows, f_cols), shape (..., 2); "
                         f"got freq of shape {freq.shape}, e.g. use (0, 0) for DC.")
    rows, cols = np.arange(h.shape[0]), np.arange(h.shape[1])
    phase_r = np.exp(-2j * np.pi * freq[..., 0, None] * rows)   # (..., kh)
    phase_c = np.exp(-2j * np.pi * freq[..., 1, None] * cols)   # (..., kw)
    return np.einsum("...a,ab,...b->...", phase_r, h, phase_c)


def frequency_response(h, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """H on a grid of ``size`` frequencies per axis, from -0.5 to 0.5 cycles per sample, DC centred.

    h: (L,) or (kh, kw) -> (freqs (size,), H (size,) or (size, size) complex), computed with the
    FFT of h zero-padded to size (so it samples ``dtft`` exactly); H[size // 2] (or
    H[size // 2, size // 2]) is the DC gain. Plot ``np.abs(H)``.
    """
    h = _filter(h)
    size = positive_int(size, "size")
    if size < max(h.shape):
        raise ValueError(f"size={size} is smaller than the filter {h.shape}; use size >= "
                         f"{max(h.shape)} (64 gives a smooth picture).")
    spectrum = np.fft.fftshift(np.fft.fftn(h, s=(size,) * h.ndim))
    return np.fft.fftshift(np.fft.fftfreq(size)), spectrum


def fft_correlate(x, h) -> np.ndarray:
    """Full cross-correlation through the FFT: IFFT(conj(FFT(h)) * FFT(x)), re-ordered.

    x: (Lx,), h: (Lh,) -> (Lx + Lh - 1,), equal to ``correlate(x, h, mode='full')``. For
    correlation (what a CNN layer computes) the convolution theorem needs the complex
    conjugate of h's spectrum; the plain product FFT(h) * FFT(x) gives the convolution instead.
    """
    x, h = _signal(x, "x"), _signal(h, "h")
    length = x.size + h.size - 1
    circular = np.fft.irfft(np.conj(np.fft.rfft(h, length)) * np.fft.rfft(x, length), length)
    return np.roll(circular, h.size - 1)  # lags -(Lh - 1) .. -1 wrapped to the end come first


# --- LTI systems, layers and shifts (chapter 3) ----------------------------------------------

def predict_from_impulse_response(system, x) -> np.ndarray:
    """What the system *would* output if it were LTI: x convolved with its impulse response.

    x: (L,) -> (L,) = ``convolve(x, impulse_response(system, L))[:L]``. Equal to ``system(x)``
    for an LTI system (up to rounding); for any other system it is a wrong guess.
    """
    x = _signal(x, "x")
    return convolve(x, impulse_response(system, x.size))[:x.size]


def lti_table(systems=None, n: int = 64, tol: float = 1e-9):
    """Linearity and time invariance of each system, tested numerically -> pandas.DataFrame.

    systems: {name: callable} (default ``example_systems()``), or a list of callables named by
    their ``__name__``. One row per system, columns 'linear', 'time-invariant' and 'LTI' (bool).
    tol: as in ``is_linear`` (use about 1e-5 for float32 layers).
    """
    import pandas as pd

    if systems is None:
        systems = example_systems()
    elif not isinstance(systems, dict):
        systems = {getattr(s, "__name__", repr(s)): s for s in systems}
    rows = {}
    for name, system in systems.items():
        linear = is_linear(system, n=n, tol=tol)
        invariant = is_time_invariant(system, n=n, tol=tol)
        rows[name] = {"linear": linear, "time-invariant": invariant, "LTI": linear and invariant}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "system"
    return table


def _to_numpy(y) -> np.ndarray:
    """A layer's output (a backend tensor) or an array, as float64 NumPy."""
    if not isinstance(y, np.ndarray):
        from ._quiet import import_backend

        y = import_backend().ops.convert_to_numpy(y)
    return np.asarray(y, dtype=np.float64)


def layer_system(layer):
    """A Keras 1-D layer as a system: x (L,) -> layer(x as a batch (1, L, 1)) -> (L,).

    The layer must keep the length (e.g. Conv1D(1, k, padding='causal'), ReLU,
    MaxPooling1D(2, strides=1, padding='same')) so that ``is_linear`` and ``is_time_invariant``
    can test it. Keras computes in float32: test it with a tolerance of about 1e-5.
    """
    if not callable(layer):
        raise ValueError(f"layer must be a Keras layer (callable), got {type(layer).__name__}.")

    def system(x):
        batch = np.asarray(x, dtype=np.float32)[None, :, None]
        return _to_numpy(layer(batch))[0, :, 0]

    return _named(system, getattr(layer, "name", type(layer).__name__))


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


def linearity_gap(op, x1, x2, a: float = 2.0, b: float = -3.0) -> float:
    """max |op(a x1 + b x2) - (a op(x1) + b op(x2))|: 0 (up to rounding) for a linear op.

    op: any function or Keras layer; x1, x2: arrays of the same shape, in op's layout.
    Unlike ``is_linear`` the output may have any shape (e.g. a pooling layer with stride 2).
    """
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    if x1.shape != x2.shape:
        raise ValueError(f"x1 and x2 must have the same shape; got {x1.shape} and {x2.shape}.")
    combined = _to_numpy(op(a * x1 + b * x2))
    return float(np.max(np.abs(combined - (a * _to_numpy(op(x1)) + b * _to_numpy(op(x2))))))


__all__ += [
    "SLIDE_FILTERS",
    "binomial_blur",
    "dtft",
    "equivariance_gap",
    "fft_correlate",
    "frequency_response",
    "layer_system",
    "linearity_gap",
    "lti_table",
    "predict_from_impulse_response",
    "slide_filter",
    "translate",
]
