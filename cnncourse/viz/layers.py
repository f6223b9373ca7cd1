"""Plots for chapters 4 and 6: annotated grids of worked examples.

Colours are fixed, so a figure looks the same on every run. Grids return the Figure; single
plots draw on ``ax`` (created when not given) and return it.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from .signals import FILTER_COLOUR, plot_matrix

__all__ = [
    "plot_grids",
]


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
