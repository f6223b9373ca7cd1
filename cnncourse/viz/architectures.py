"""Plots for chapters 8 and 9: LeNet-5, AlexNet, ZFNet, VGG, NiN, GoogLeNet.

The numbers come from :mod:`cnncourse.inspect`, :mod:`cnncourse.accounting` and the zoo;
these functions only draw them. Single plots draw on ``ax`` (created when not given) and
return it; grids return the Figure. Colours are fixed, so a figure looks the same every run.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_conv_windows", "plot_layer_bars", "plot_map_sides", "plot_top_patches"]

WINDOW_COLOUR = "#1f4e79"
MISSED_COLOUR = "#c00000"


def _axes(ax, figsize):
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


def plot_conv_windows(windows, n: int, units=None, ax=None, title: str | None = None):
    """The input pixels each window covers, one bar per window, over pixels 1 ... n.

    windows: ``inspect.conv_windows(...)``; n: input side; units: the window numbers to draw
    (default: the first three and the last two). Pixels no window reaches are shaded red.
    """
    if units is None:
        last = int(windows["unit"].iloc[-1])
        units = sorted({1, 2, 3, last - 1, last} & set(windows["unit"]))
    shown = windows[windows["unit"].isin(units)]
    if shown.empty:
        raise ValueError(f"none of the units {list(units)} is in the table (units 1 ... "
                         f"{int(windows['unit'].iloc[-1])}).")
    ax = _axes(ax, (9, 0.45 * len(shown) + 1.2))
    for y, (_, row) in enumerate(shown.iterrows()):
        ax.barh(y, row["last"] - row["first"] + 1, left=row["first"] - 0.5, height=0.6,
                color=WINDOW_COLOUR)
        ax.text(row["last"] + 1, y, f"{row['first']} … {row['last']}", va="center",
                fontsize="small")
    for pixel in windows.attrs.get("uncovered", []):
        ax.axvspan(pixel - 0.5, pixel + 0.5, color=MISSED_COLOUR, alpha=0.3)
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels([f"unit {u}" for u in shown["unit"]])
    ax.invert_yaxis()
    ax.set_xlim(0.5, n + 0.5 + 0.12 * n)
    ax.axvline(n + 0.5, color="black", lw=1)
    ax.set_xlabel("input pixel (1 … n; red: never covered)")
    if title:
        ax.set_title(title)
    return ax


def plot_map_sides(sides: dict, ax=None, title: str | None = None):
    """Feature-map side after each layer, one line per network.

    sides: ``{"network": [(layer label, side), ...], ...}``; every point is labelled with its
    side so the sequence can be read off (227, 55, 27, ...).
    """
    if not isinstance(sides, dict) or not sides:
        raise ValueError("sides must be a non-empty dict {'network': [(layer, side), ...]}.")
    ax = _axes(ax, (8, 3.5))
    for k, (network, steps) in enumerate(sides.items()):
        labels, values = zip(*steps)
        positions = np.arange(len(values))
        ax.plot(positions, values, marker="o", color=f"C{k}", label=network)
        for x, v in zip(positions, values):
            ax.annotate(str(v), (x, v), textcoords="offset points", xytext=(0, 6 + 10 * k),
                        ha="center", fontsize="small", color=f"C{k}")
    longest = max(sides.values(), key=len)
    ax.set_xticks(range(len(longest)))
    ax.set_xticklabels([label for label, _ in longest], rotation=30, ha="right")
    ax.set_ylabel("side of the feature map (pixels)")
    ax.legend()
    if title:
        ax.set_title(title)
    return ax


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


def plot_top_patches(patches, table, cmap: str = "gray", title: str | None = None):
    """The patches that excite each channel most: one row per channel, strongest first.

    patches: ``inspect.top_patches(...)`` ``(len(table), h, w, C)``; table: the
    ``inspect.top_activations`` table they came from. Returns the Figure.
    """
    patches = np.asarray(patches)
    if len(patches) != len(table):
        raise ValueError(f"got {len(patches)} patches for {len(table)} table rows; pass the "
                         "table that top_patches was called with.")
    channels = list(dict.fromkeys(table["channel"]))
    k = int(table["rank"].max())
    fig, axes = plt.subplots(len(channels), k, squeeze=False,
                             figsize=(1.3 * k + 0.6, 1.35 * len(channels) + 0.4))
    for ax in axes.flat:
        ax.axis("off")
    for i, (_, row) in enumerate(table.iterrows()):
        ax = axes[channels.index(row["channel"]), int(row["rank"]) - 1]
        image = patches[i]
        ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap=cmap)
        ax.set_title(f"ch {row['channel']} #{row['rank']}", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
