"""Plots for chapters 4 and 6: annotated grids of worked examples, and the cost of convolution
variants.

Colours are fixed, so a figure looks the same on every run. Grids return the Figure; single
plots draw on ``ax`` (created when not given) and return it.
"""
from __future__ import annotations

from fractions import Fraction

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from .signals import FILTER_COLOUR, plot_matrix

__all__ = [
    "plot_grids",
    "plot_separable_cost",
]

_F_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")


def _outline(ax, box, colour: str = FILTER_COLOUR) -> None:
    """Draw the cells (top, left, height, width) of a grid with a thick frame."""
    top, left, height, width = box
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                           edgecolor=colour, linewidth=3))


def plot_grids(panels: dict, annotate: bool = True, cmap: str = "Blues", ncols: int | None = None,
               boxes: dict | None = None, suptitle: str | None = None, size: float = 2.4):
    """Small 2-D arrays side by side, each titled with its key; returns the Figure.

    panels: {title: (H, W) array}; annotate: write each value in its cell; ncols: panels per
    row (default: all in one row); boxes: {title: (top, left, height, width)} frames to draw
    on that panel, e.g. the window that produced one output value; size: inches per panel.
    """
    if not isinstance(panels, dict) or not panels:
        raise ValueError("panels must be a non-empty dict {title: 2-D array}.")
    boxes = boxes or {}
    unknown = set(boxes) - set(panels)
    if unknown:
        raise ValueError(f"boxes name panels that do not exist: {sorted(unknown)}; the panels "
                         f"are {list(panels)}.")
    ncols = len(panels) if ncols is None else max(1, min(int(ncols), len(panels)))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    for ax, (title, array) in zip(axes.flat, panels.items()):
        plot_matrix(array, ax=ax, annotate=annotate, cmap=cmap, title=title)
        if title in boxes:
            _outline(ax, boxes[title])
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_separable_cost(table, ax=None):
    """Cost of a depthwise separable convolution over a standard one, against H; returns the Axes.

    table: a DataFrame with columns ``H`` (output channels), ``f`` (kernel side), ``counted``
    (the MAC ratio counted from layers, a Fraction or float) and ``formula`` (1/H + 1/f²).
    Each f gets a line for the formula and markers for the counted ratios, on log axes.
    """
    needed = {"H", "f", "counted", "formula"}
    if not needed <= set(getattr(table, "columns", ())):
        raise ValueError(f"table needs the columns {sorted(needed)}; got "
                         f"{list(getattr(table, 'columns', []))}.")
    if ax is None:
        ax = plt.subplots(figsize=(6, 4))[1]
    for colour, (f, rows) in zip(_F_COLOURS * 4, table.sort_values("H").groupby("f")):
        h = rows["H"].to_numpy(dtype=float)
        ax.plot(h, [float(Fraction(v)) for v in rows["formula"]], color=colour,
                label=f"1/H + 1/{f}²")
        ax.plot(h, [float(Fraction(v)) for v in rows["counted"]], "o", color=colour,
                markerfacecolor="none", markersize=8)
        ax.axhline(1 / f ** 2, color=colour, linestyle=":", linewidth=1)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("H (output channels)")
    ax.set_ylabel("MACs: separable / standard")
    ax.set_title("lines: formula, circles: counted from Keras layers\n"
                 "dotted: the floor 1/f² as H grows")
    ax.legend()
    return ax
