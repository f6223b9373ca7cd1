"""Plots for chapter 7: dropout's variance, weight penalties, normalization groups, pooling draws.

The numbers come from ``cnncourse.basics`` and ``cnncourse.ops``; these functions only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

__all__ = ["plot_dropout_variance", "plot_pick_frequencies", "plot_statistics_maps",
           "plot_weights"]

_PALETTE = tuple(plt.get_cmap("tab20").colors + plt.get_cmap("tab20b").colors
                 + plt.get_cmap("tab20c").colors)  # 60 distinct colours


def plot_statistics_maps(maps: dict, size: float = 2.6):
    """Which (sample, channel) slices share one mean and variance, one panel per method.

    maps: ``{title: (N, C) integer labels}`` as ``cnncourse.ops.statistics_map`` returns;
    cells of one colour are normalised together (each cell stands for all H×W positions of
    that sample and channel); each cell also shows its label. Returns the Figure.
    """
    if not isinstance(maps, dict) or not maps:
        raise ValueError("maps must be a non-empty dict {title: (N, C) label array}.")
    fig, axes = plt.subplots(1, len(maps), figsize=(size * len(maps), size + 0.4),
                             squeeze=False)
    for ax, (title, labels) in zip(axes[0], maps.items()):
        labels = np.asarray(labels)
        if labels.ndim != 2:
            raise ValueError(f"map {title!r} must be (N, C), got shape {labels.shape}.")
        colours = ListedColormap([_PALETTE[i % len(_PALETTE)] for i in range(labels.max() + 1)])
        ax.imshow(labels, cmap=colours, vmin=-0.5, vmax=labels.max() + 0.5)
        for (row, col), label in np.ndenumerate(labels):
            ax.text(col, row, str(label), ha="center", va="center", fontsize="small")
        ax.set_xticks(np.arange(labels.shape[1] + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(labels.shape[0] + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.set(xlabel="channel C →", ylabel="sample N →",
               title=f"{title}\n{labels.max() + 1} (μ, σ) pairs")
    fig.tight_layout()
    return fig


def plot_dropout_variance(p, sampled, exact, ax=None):
    """Sampled variance of a dropout mask (markers) against ``p(1 - p)`` (line); the Axes."""
    p, sampled, exact = (np.asarray(a, dtype=float) for a in (p, sampled, exact))
    if not p.shape == sampled.shape == exact.shape or p.ndim != 1:
        raise ValueError("p, sampled and exact must be 1-D arrays of the same length.")
    if ax is None:
        ax = plt.subplots(figsize=(5, 3.5))[1]
    ax.plot(p, exact, color="C0", label="Var[δ] = p(1 − p)")
    ax.plot(p, sampled, "o", color="C1", markerfacecolor="none", label="sampled masks")
    ax.axvline(p[np.argmax(exact)], color="grey", linestyle=":", linewidth=1)
    ax.set(xlabel="keep probability p", ylabel="Var[δ]",
           title="the regulariser is strongest at p = 0.5")
    ax.legend()
    return ax


def plot_weights(weights: dict, ax=None):
    """Grouped bars of fitted weights, one colour per fit: ``{label: (n,) weights}``; the Axes.

    The features are numbered from 0, or named by the index when the weights are pandas Series.
    """
    if not isinstance(weights, dict) or not weights:
        raise ValueError("weights must be a non-empty dict {label: 1-D array}.")
    first = next(iter(weights.values()))
    arrays = [np.ravel(np.asarray(w, dtype=float)) for w in weights.values()]
    if len({a.size for a in arrays}) != 1:
        raise ValueError("every fit must have the same number of weights.")
    if ax is None:
        ax = plt.subplots(figsize=(8, 3.5))[1]
    n, k = arrays[0].size, len(arrays)
    width = 0.8 / k
    for i, (label, a) in enumerate(zip(weights, arrays)):
        ax.bar(np.arange(n) + (i - (k - 1) / 2) * width, a, width, label=label, color=f"C{i}")
    ax.axhline(0, color="black", linewidth=0.8)
    index = getattr(first, "index", None)
    names = list(range(n)) if index is None or callable(index) else list(index)
    ax.set_xticks(np.arange(n), [str(name) for name in names])
    ax.set(xlabel="input feature", ylabel="weight")
    ax.legend(fontsize="small")
    return ax


def plot_pick_frequencies(values, probabilities, frequencies, ax=None):
    """Stochastic pooling: how often each activation of a window was picked vs its ``a_i/Σa``."""
    values, probabilities, frequencies = (np.ravel(np.asarray(a, dtype=float))
                                          for a in (values, probabilities, frequencies))
    if not values.size == probabilities.size == frequencies.size:
        raise ValueError("values, probabilities and frequencies need one entry per activation.")
    if ax is None:
        ax = plt.subplots(figsize=(5, 3.5))[1]
    x = np.arange(values.size)
    ax.bar(x - 0.2, probabilities, 0.4, label="p_i = a_i / Σa", color="C0")
    ax.bar(x + 0.2, frequencies, 0.4, label="picked (sampled)", color="C1")
    ax.set_xticks(x, [f"a={v:g}" for v in values])
    ax.set(ylabel="probability", title="stochastic pooling draws")
    ax.legend()
    return ax
