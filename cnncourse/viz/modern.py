"""Plots for chapters 10–13: residual gradients, ResNet/Mixer costs, SE overhead, the ILSVRC story.

Each function draws on the Matplotlib ``Axes`` it is given (or new ones) and returns them; the
numbers come from :mod:`cnncourse.history`, :mod:`cnncourse.accounting` and
:mod:`cnncourse.references`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_input_gradients", "plot_computed_vs_published", "plot_se_overhead",
    "plot_ilsvrc_timeline", "plot_params_vs_error",
]


def _axes(ax, figsize=(6, 3.5)):
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def plot_input_gradients(x, gradients: dict, axes=None):
    """One panel per network: the gradient dy/dx (n,) over the input grid x (n,).

    gradients: ``{"title": g, ...}``, e.g. the derivatives from ``history.scalar_network``.
    Returns the axes.
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


def plot_computed_vs_published(values, reference=None, ylabel: str = "", scale: float = 1.0,
                               ax=None, labels=("computed", "published")):
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
    """Top-5 error (%) of the ILSVRC classification results, one horizontal bar per entry.

    table: ``references.ilsvrc_table()``, in year order; winners are blue, other entries (VGG in
    2014) orange; each bar is labelled with its error.
    """
    ax = _axes(ax, figsize=(7.5, 4))
    labels = [f"{row.year}  {row.model}" for row in table.itertuples()]
    colours = ["C0" if won else "C1" for won in table["winner"]]
    positions = np.arange(len(table))
    ax.barh(positions, table["top5_error"], color=colours)
    for y, error in zip(positions, table["top5_error"]):
        ax.annotate(f"{error:g} %", (error, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, table["top5_error"].max() * 1.15)
    ax.set_xlabel("top-5 error (%)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in ("C0", "C1")]
    ax.legend(handles, ["winner", "runner-up"], loc="lower right")
    plt.tight_layout()
    return ax


def plot_params_vs_error(frame, ax=None):
    """Parameters of one network (log scale) against the entry's top-5 error (%).

    frame: ``history.params_vs_error()``; zoo models of the same entry (VGG-16 and VGG-19)
    share one label.
    """
    ax = _axes(ax, figsize=(7, 4))
    ax.scatter(frame["params"] / 1e6, frame["top5_error"], color="C0", zorder=3)
    for (year, error), group in frame.groupby(["year", "top5_error"], sort=False):
        x = float(np.exp(np.log(group["params"] / 1e6).mean()))
        ax.annotate(f"{' / '.join(group['zoo'])} ({year})", (x, error), xytext=(0, 7),
                    textcoords="offset points", ha="center", fontsize=8)
    ax.set_xscale("log")
    ax.margins(x=0.2, y=0.12)
    ax.set_xlabel("parameters of one network (M, log scale)")
    ax.set_ylabel("top-5 error of the entry (%)")
    return ax
