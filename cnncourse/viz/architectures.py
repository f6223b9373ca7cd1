"""Plots shared by chapters 8 and 9 (LeNet-5, AlexNet, ZFNet, VGG, NiN, GoogLeNet).

The numbers come from :mod:`cnncourse.accounting` and the zoo; these functions only draw them
on ``ax`` (created when not given) and return it. Colours are fixed, so a figure looks the same
every run.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_layer_bars"]


def _axes(ax, figsize):
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


def plot_layer_bars(frame, columns, label: str = "name", log: bool = False, ax=None,
                    ylabel: str = "parameters", title: str | None = None):
    """Grouped bars: one group per row of ``frame`` (labelled by ``label``), one bar per column.

    frame: a DataFrame such as two ``param_table`` columns side by side; columns: the numeric
    columns to draw (e.g. ``["alexnet", "alexnet_grouped"]``); log: logarithmic y axis.
    """
    columns = list(columns)
    missing = [c for c in columns + [label] if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}; it has {list(frame.columns)}.")
    ax = _axes(ax, (max(6, 0.7 * len(frame) + 2), 3.5))
    positions = np.arange(len(frame))
    width = 0.8 / len(columns)
    for k, column in enumerate(columns):
        ax.bar(positions + (k - (len(columns) - 1) / 2) * width,
               np.asarray(frame[column], dtype=float), width, label=column, color=f"C{k}")
    ax.set_xticks(positions)
    ax.set_xticklabels(frame[label], rotation=30, ha="right")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
