"""Plots for chapters 10–13: residual gradients, ResNet/Mixer costs, SE overhead, the ILSVRC story.

Each function draws on the Matplotlib ``Axes`` it is given (or new ones) and returns them; the
numbers come from :mod:`cnncourse.history`, :mod:`cnncourse.accounting` and
:mod:`cnncourse.references`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_input_gradients", "plot_counts", "plot_se_overhead", "plot_ilsvrc_timeline",
    "plot_params_vs_error",
]


def _axes(ax, figsize=(6, 3.5)):
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def plot_input_gradients(x, gradients: dict, axes=None):
    """One panel per network: the gradient dy/dx (n,) over the input grid x (n,).

    gradients: ``{"title": g, ...}`` as from ``history.input_gradients``. Returns the axes.
    """
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError("gradients must be a non-empty dict {'title': gradient array}.")
    if axes is None:
        _, axes = plt.subplots(1, len(gradients), figsize=(3.6 * len(gradients), 2.8))
    axes = np.atleast_1d(axes)
    if len(axes) != len(gradients):
        raise ValueError(f"got {len(axes)} axes for {len(gradients)} gradient curves.")
    for ax, (title, g) in zip(axes, gradients.items()):
        ax.plot(x, g, lw=0.8, color="C0")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("input x")
    axes[0].set_ylabel("dy/dx")
    plt.tight_layout()
    return axes


def plot_counts(values, reference=None, ylabel: str = "", scale: float = 1.0, ax=None,
                labels=("computed", "published")):
    """Bars of computed counts per model, with the published values as black markers.

    values: a pandas Series indexed by model name; reference: the same for the published
    numbers (may miss some models); scale divides both (1e9 for G, 1e6 for M).
    """
    ax = _axes(ax)
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


def plot_se_overhead(frame, ax=None):
    """Extra parameters (millions) of SE-ResNet over ResNet against the reduction ratio r.

    frame: ``history.se_overhead(...)``; the zoo counts are dots, the formula a line, and the
    paper's choice r = 16 is marked.
    """
    ax = _axes(ax)
    r = frame["reduction"].to_numpy()
    ax.plot(r, frame["formula"] / 1e6, color="C1", label="2C²/r + C/r + C, summed")
    ax.scatter(r, frame["extra"] / 1e6, color="C0", zorder=3, label="zoo models, counted")
    if 16 in set(r):
        extra = float(frame.loc[frame["reduction"] == 16, "extra"].iloc[0]) / 1e6
        ax.annotate(f"r = 16: +{extra:.2f} M", (16, extra), xytext=(10, 20),
                    textcoords="offset points", arrowprops=dict(arrowstyle="->"))
    ax.set_xscale("log", base=2)
    ax.set_xticks(r)
    ax.set_xticklabels([str(v) for v in r])
    ax.set_xlabel("reduction ratio r")
    ax.set_ylabel("extra parameters (M)")
    ax.legend()
    return ax


def plot_ilsvrc_timeline(table, ax=None):
    """Top-5 error (%) of the ILSVRC classification results by year.

    table: ``references.ilsvrc_table()``; winners are bars labelled with the model, other
    entries (VGG in 2014) hollow markers.
    """
    ax = _axes(ax, figsize=(7.5, 4))
    winners = table[table["winner"]]
    ax.bar(winners["year"], winners["top5_error"], color="C0", width=0.6, label="winner")
    for row in winners.itertuples():
        ax.annotate(f"{row.model}\n{row.top5_error:g} %", (row.year, row.top5_error),
                    xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    others = table[~table["winner"]]
    ax.scatter(others["year"] + 0.3, others["top5_error"], facecolors="none",
               edgecolors="C3", zorder=3, label="runner-up")
    for row in others.itertuples():
        ax.annotate(row.model, (row.year + 0.3, row.top5_error), xytext=(4, 4),
                    textcoords="offset points", fontsize=8, color="C3")
    ax.set_xticks(sorted(set(table["year"])))
    ax.set_xlabel("year")
    ax.set_ylabel("top-5 error (%)")
    ax.set_ylim(0, table["top5_error"].max() * 1.2)
    ax.legend()
    return ax


def plot_params_vs_error(frame, ax=None):
    """Parameters of one network (log scale) against the entry's top-5 error (%).

    frame: ``history.params_vs_error()``; each point is labelled with its zoo model and year.
    """
    ax = _axes(ax, figsize=(7, 4))
    ax.scatter(frame["params"] / 1e6, frame["top5_error"], color="C0", zorder=3)
    for row in frame.itertuples():
        ax.annotate(f"{row.zoo} ({row.year})", (row.params / 1e6, row.top5_error),
                    xytext=(5, 3), textcoords="offset points", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("parameters of one network (M, log scale)")
    ax.set_ylabel("top-5 error of the entry (%)")
    return ax
