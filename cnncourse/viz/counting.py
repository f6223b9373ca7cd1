"""Plots for chapter 5: where a network keeps its parameters and where it spends its MACs.

Both functions take numbers that ``cnncourse.accounting`` computed; they only draw.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_count_bars", "plot_params_and_macs"]


def plot_params_and_macs(table, axes=None):
    """Each weighted layer's share of the parameters and of the MACs, side by side.

    table: a ``cnncourse.accounting.param_table`` (columns ``name, params, macs``); layers
    without parameters are left out. Returns the two Axes. For VGG-16 the picture is the
    chapter's lesson: the fully connected layers hold most parameters, the convolutions do
    most of the arithmetic.
    """
    needed = {"name", "params", "macs"}
    if not needed <= set(getattr(table, "columns", ())):
        raise ValueError("plot_params_and_macs takes the DataFrame of "
                         "accounting.param_table(model), with columns name, params, macs.")
    rows = table[table["params"] > 0]
    if rows.empty:
        raise ValueError("the table has no layer with parameters to plot.")
    if axes is None:
        height = 1.2 + 0.28 * len(rows)
        axes = plt.subplots(1, 2, figsize=(10, height), sharey=True)[1]
    y = np.arange(len(rows))[::-1]
    for ax, column, colour in zip(axes, ("params", "macs"), ("C0", "C1")):
        values = rows[column].astype(float).to_numpy()
        share = 100 * values / values.sum()
        ax.barh(y, share, color=colour)
        for yi, s in zip(y, share):
            ax.text(s + 0.5, yi, f"{s:.1f}%", va="center", fontsize="small")
        ax.set(xlabel=f"share of all {column} (%)", xlim=(0, max(share) * 1.25 + 1))
        ax.set_title(f"{column} (total {values.sum():,.0f})")
    axes[0].set_yticks(y, rows["name"])
    model = table.attrs.get("model")
    if model:
        axes[0].figure.suptitle(model)
    axes[0].figure.tight_layout()
    return axes


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
