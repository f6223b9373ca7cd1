"""Plots for signals, convolution steps and worked-example grids.

Colours are fixed (no colour cycle, no randomness), so a figure looks the same on every run.
Single plots draw on ``ax`` (created when not given) and return it; grids return the Figure.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_convolution_steps",
    "plot_matrix",
    "plot_signal",
]

INPUT_COLOUR = "#1f4e79"     # x[k]
FILTER_COLOUR = "#c55a11"    # h[n - k]
PRODUCT_COLOUR = "#548235"   # x[k] h[n - k]


def _axes(ax):
    return plt.subplots()[1] if ax is None else ax


def plot_signal(x, start: int = 0, ax=None, label: str | None = None,
                colour: str = INPUT_COLOUR, title: str | None = None):
    """Stem plot of a signal x: (L,) whose first sample is at index ``start``; returns the Axes."""
    ax = _axes(ax)
    x = np.asarray(x, dtype=float)
    n = np.arange(x.size) + start
    markers, stems, base = ax.stem(n, x, label=label, basefmt="k-")
    plt.setp(markers, color=colour)
    plt.setp(stems, color=colour)
    ax.set_xlabel("n")
    if title:
        ax.set_title(title)
    if label:
        ax.legend(loc="upper right")
    return ax


def _step_axes(ax, trace, row: int) -> None:
    """One frame: x[k], the flipped and shifted filter, their products, and the sum y[n]."""
    offset = 0.12
    for values, shift, colour, label in (
            (trace.x, -offset, INPUT_COLOUR, "x[k]"),
            (trace.flipped[row], 0.0, FILTER_COLOUR, f"h[{trace.n[row]}-k]"),
            (trace.products[row], offset, PRODUCT_COLOUR, "product")):
        markers, stems, _ = ax.stem(trace.k + shift, values, basefmt="k-", label=label)
        plt.setp(markers, color=colour, markersize=4)
        plt.setp(stems, color=colour)
    ax.set_title(f"n = {trace.n[row]}:  y[{trace.n[row]}] = {trace.y[row]:g}")
    ax.set_xticks(trace.k)


def plot_convolution_steps(trace, steps=None, ncols: int = 3, figsize=None):
    """Grid of flip-shift-multiply-sum frames from ``signals.convolve(..., trace=True)``.

    trace: a ``ConvolutionTrace``; steps: output indices n to show (default: all);
    ncols: frames per row. Returns the Figure.
    """
    rows = list(range(trace.n.size)) if steps is None else \
        [int(np.flatnonzero(trace.n == n)[0]) for n in steps if n in trace.n]
    if not rows:
        raise ValueError(f"none of the steps {steps!r} is an output index; choose from "
                         f"{trace.n.tolist()}.")
    nrows = -(-len(rows) // ncols)
    figsize = figsize or (4 * min(ncols, len(rows)), 2.6 * nrows)
    fig, axes = plt.subplots(nrows, min(ncols, len(rows)), figsize=figsize, squeeze=False,
                             sharey=True)
    for ax, row in zip(axes.flat, rows):
        _step_axes(ax, trace, row)
    for ax in list(axes.flat)[len(rows):]:
        ax.axis("off")
    axes.flat[0].legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    return fig


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def plot_matrix(a, ax=None, annotate: bool = True, cmap: str = "Blues", title: str | None = None):
    """A small 2-D array as a grid of cells, each labelled with its value; returns the Axes.

    a: (H, W). Labels are white on dark cells and black on light ones.
    """
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"plot_matrix draws a 2-D array (H, W); got shape {a.shape}.")
    ax = _axes(ax)
    low, high = float(a.min()), float(a.max())
    ax.imshow(a, cmap=cmap, vmin=low, vmax=high if high > low else low + 1)
    if annotate:
        middle = (low + high) / 2
        for (i, j), value in np.ndenumerate(a):
            ax.text(j, i, _number(value), ha="center", va="center",
                    color="white" if high > low and value > middle else "black")
    ax.set_xticks(np.arange(a.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(a.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="grey", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if title:
        ax.set_title(title)
    return ax

