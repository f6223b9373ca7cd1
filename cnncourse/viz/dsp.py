"""Plots for chapters 2 and 3: impulse decompositions, filtered images, frequency responses,
the convolution theorem and the impulse-response prediction of a system.

Grids return the Figure; colours are fixed, so a figure looks the same on every run.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .signals import FILTER_COLOUR, INPUT_COLOUR, PRODUCT_COLOUR, plot_matrix

__all__ = [
    "plot_decomposition",
    "plot_frequency_responses",
    "plot_images",
    "plot_predictions",
    "plot_spectra",
]


def _stem(ax, n, values, colour, label=None, marker="o"):
    markers, stems, _ = ax.stem(n, values, basefmt="k-", label=label, markerfmt=marker)
    plt.setp(markers, color=colour, markersize=4)
    plt.setp(stems, color=colour)


def plot_decomposition(terms, start: int = 0):
    """x[n] = sum_k x[k] delta[n - k] as a stack: one scaled, shifted impulse a row, x at the end.

    terms: (L, L) from ``signals.decompose(x)`` (row k is x[k] delta[n - k]); start: index of the
    first sample. Returns the Figure.
    """
    terms = np.asarray(terms, dtype=float)
    if terms.ndim != 2 or terms.shape[0] != terms.shape[1]:
        raise ValueError(f"terms must be the (L, L) array of signals.decompose(x); got shape "
                         f"{terms.shape}.")
    n = np.arange(terms.shape[1]) + start
    fig, axes = plt.subplots(terms.shape[0] + 1, 1, sharex=True, sharey=True,
                             figsize=(5, 0.9 * (terms.shape[0] + 1) + 0.5))
    for k, (ax, row) in enumerate(zip(axes, terms)):
        _stem(ax, n, row, FILTER_COLOUR)
        ax.set_ylabel(f"k = {k + start}", rotation=0, ha="right", va="center")
    _stem(axes[-1], n, terms.sum(axis=0), INPUT_COLOUR)
    axes[-1].set_ylabel("sum = x[n]", rotation=0, ha="right", va="center")
    axes[-1].set_xlabel("n")
    axes[-1].set_xticks(n)
    axes[0].set_title(r"$x[n] = \sum_k x[k]\,\delta[n-k]$")
    fig.tight_layout()
    return fig


def plot_images(images: dict, ncols: int = 4, cmap: str = "gray", title: str | None = None,
                size: float = 2.6):
    """A grid of 2-D arrays, each titled by its key and scaled to its own range; returns the Figure.

    images: {title: (H, W) array}.
    """
    if not images:
        raise ValueError("images is empty; pass a dict {title: (H, W) array}.")
    bad = {k: np.shape(v) for k, v in images.items() if np.ndim(v) != 2}
    if bad:
        raise ValueError(f"every image must be 2-D (H, W); got shapes {bad}.")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(size * ncols, size * nrows))
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, image) in zip(axes.flat, images.items()):
        ax.imshow(image, cmap=cmap)
        ax.set_title(name, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_frequency_responses(kernels: dict, responses: dict, freqs):
    """Each kernel (top) above the magnitude |H| of its frequency response (bottom).

    kernels: {name: (kh, kw)}; responses: {name: (F, F) complex} and freqs: (F,) cycles per
    sample, from ``signals.frequency_response``. Returns the Figure.
    """
    if set(kernels) != set(responses):
        raise ValueError(f"kernels and responses must have the same names; got {sorted(kernels)} "
                         f"and {sorted(responses)}.")
    freqs = np.asarray(freqs, dtype=float)
    step = freqs[1] - freqs[0] if freqs.size > 1 else 1.0
    extent = (freqs[0] - step / 2, freqs[-1] + step / 2, freqs[-1] + step / 2, freqs[0] - step / 2)
    fig, axes = plt.subplots(2, len(kernels), squeeze=False, figsize=(3.2 * len(kernels), 6.2))
    for column, name in enumerate(kernels):
        plot_matrix(kernels[name], ax=axes[0, column], title=name)
        ax = axes[1, column]
        image = ax.imshow(np.abs(responses[name]), cmap="magma", extent=extent)
        fig.colorbar(image, ax=ax, fraction=0.046)
        centre = freqs.size // 2
        ax.set_title(f"|H|, DC gain {np.abs(responses[name][centre, centre]):.2f}",
                     fontsize="small")
        ax.set_xlabel("f columns (cycles/pixel)")
        ax.set_ylabel("f rows")
    fig.tight_layout()
    return fig


def plot_spectra(x, h, n_fft: int = 128):
    """The convolution theorem in one picture: |X|, |H| and their product against |FFT(x * h)|.

    x: (Lx,), h: (Lh,); spectra are FFTs of length n_fft (zero-padded; at least Lx + Lh - 1, so
    that the product is the spectrum of the linear convolution). Returns the Figure.
    """
    x, h = np.asarray(x, dtype=float), np.asarray(h, dtype=float)
    if n_fft < x.size + h.size - 1:
        raise ValueError(f"n_fft={n_fft} is shorter than the convolution ({x.size + h.size - 1} "
                         "samples); use a larger n_fft.")
    spectrum_x, spectrum_h = np.fft.rfft(x, n_fft), np.fft.rfft(h, n_fft)
    spectrum_y = np.fft.rfft(np.convolve(x, h), n_fft)
    f = np.fft.rfftfreq(n_fft)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    left.plot(f, np.abs(spectrum_x), color=INPUT_COLOUR, label="|X(f)|")
    left.plot(f, np.abs(spectrum_h), color=FILTER_COLOUR, label="|H(f)|")
    left.set_title("spectra of input and filter")
    right.plot(f, np.abs(spectrum_y), color=PRODUCT_COLOUR, label="|FFT(x * h)|", lw=5,
               alpha=0.5)
    right.plot(f, np.abs(spectrum_x * spectrum_h), "k--", label="|X(f) H(f)|")
    right.set_title("spectrum of the convolution = product")
    for ax in (left, right):
        ax.set_xlabel("frequency f (cycles/sample)")
        ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig


def plot_predictions(results: dict, ncols: int = 3):
    """Actual output of each system (stems) against the LTI prediction x * h (crosses).

    results: {system name: (actual (L,), predicted (L,))}. Returns the Figure.
    """
    if not results:
        raise ValueError("results is empty; pass {name: (actual, predicted)}.")
    ncols = min(ncols, len(results))
    nrows = -(-len(results) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(4 * ncols, 2.6 * nrows))
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, (actual, predicted)) in zip(axes.flat, results.items()):
        ax.axis("on")
        n = np.arange(len(actual))
        _stem(ax, n, actual, INPUT_COLOUR, label="system(x)")
        ax.plot(n, predicted, "x", color=FILTER_COLOUR, markersize=7, label="x * h")
        ax.set_title(name, fontsize="small")
    axes.flat[0].legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig
