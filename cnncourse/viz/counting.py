"""Plots of counts: parameter counts side by side on a log axis (chapter 5), and computed counts
next to published ones (chapters 9 and 10).

The functions take numbers that ``cnncourse.accounting`` computed; they only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_computed_vs_published", "plot_count_bars"]


def plot_count_bars(counts: dict, ylabel: str = "parameters", title: str | None = None,
                log: bool = True, ax=None):
    """One labelled bar per entry of ``{name: count}``; a log axis by default.

    For comparisons across orders of magnitude (an MLP against a CNN, the pop quiz's three
    networks). Returns the Axes.
    """
    if not isinstance(counts, dict) or not counts:
        raise ValueError("counts must be a non-empty dict {name: number}.")
    values = np.asarray(list(counts.values()), dtype=float)
    if np.any(values <= 0) and log:
        raise ValueError("a log axis needs counts > 0; pass log=False to draw zeros.")
    if ax is None:
        ax = plt.subplots(figsize=(1.4 + 1.3 * len(counts), 3.5))[1]
    x = np.arange(len(counts))
    ax.bar(x, values, color=[f"C{i}" for i in range(len(counts))])
    for xi, v in zip(x, values):
        ax.text(xi, v, f"{v:,.0f}", ha="center", va="bottom", fontsize="small")
    ax.set_xticks(x, list(counts))
    if log:
        ax.set_yscale("log")
        ax.set_ylim(values.min() / 3, values.max() * 5)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_computed_vs_published(values, reference=None, ylabel: str = "", scale: float = 1.0,
                               ax=None, labels=("computed", "published")):
    """Bars of computed counts per model, with the published values as black markers.

    values: a pandas Series indexed by model name; reference: the same for the published
    numbers (may miss some models); scale divides both (1e9 for G, 1e6 for M).
    """
    ax = ax if ax is not None else plt.subplots(figsize=(6, 3.5))[1]
    names = list(values.index)
    positions = np.arange(len(names))
    ax.bar(positions, np.asarray(values, dtype=float) / scale, color="C0", label=labels[0])
    if reference is not None:
        known = [i for i, name in enumerate(names) if name in reference.index]
        ax.scatter(positions[known], [float(reference[names[i]]) / scale for i in known],
                   color="black", marker="_", s=600, linewidths=2.5, zorder=3, label=labels[1])
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
