"""Plots for training: learning curves, and gradients along a chain of layers.

Each function draws on the Matplotlib ``Axes`` it is given (or new ones) and returns them.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_chain_gradients", "plot_learning_curves"]


def _as_dict(history) -> dict:
    """``History.history`` or a plain ``{metric: [per-epoch values]}`` dict."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("plot_learning_curves needs a Keras History (what fit returns) or a "
                         "dict {metric: per-epoch values}; got an empty or unknown object.")
    return logs


def _runs(histories) -> dict:
    """``{label: {metric: values}}`` from one History/dict or a dict of them."""
    if isinstance(histories, dict) and histories and all(
            hasattr(h, "history") or isinstance(h, dict) for h in histories.values()):
        return {str(label): _as_dict(h) for label, h in histories.items()}
    return {"": _as_dict(histories)}


def plot_learning_curves(histories, metrics=("loss", "accuracy"), axes=None):
    """Training (solid) and validation (dashed) curves per epoch, one panel per metric.

    ``histories``: one History/dict, or ``{label: History}`` to overlay several runs (e.g. MLP
    vs CNN). Epochs are numbered from 1. Returns the array of Axes.
    """
    runs = _runs(histories)
    metrics = list(metrics)
    for label, logs in runs.items():
        missing = [m for m in metrics if m not in logs]
        if missing:
            raise ValueError(f"run {label or 'history'!r} has no {missing}; it logged "
                             f"{sorted(logs)}. Pass metrics=... from that list.")
    if axes is None:
        _, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    for ax, metric in zip(axes, metrics):
        for i, (label, logs) in enumerate(runs.items()):
            epochs = np.arange(1, len(logs[metric]) + 1)
            name = f"{label} " if label else ""
            ax.plot(epochs, logs[metric], color=f"C{i}", label=f"{name}train")
            if f"val_{metric}" in logs:
                ax.plot(epochs, logs[f"val_{metric}"], color=f"C{i}", linestyle="--",
                        label=f"{name}validation")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize="small")
    return axes


def plot_chain_gradients(products: dict, ax=None):
    """|∂a_l/∂a_0| against depth l on a log scale, one line per activation.

    products: ``{label: (depth,) array}`` as ``cnncourse.ops.chain_gradient`` returns. The Axes.
    """
    if not isinstance(products, dict) or not products:
        raise ValueError("products must be a non-empty dict {label: (depth,) array}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    for label, values in products.items():
        values = np.abs(np.ravel(np.asarray(values, dtype=float)))
        ax.semilogy(np.arange(1, len(values) + 1), values, "o-", markersize=3, label=label)
    ax.set(xlabel="depth l", ylabel="|∂a_l / ∂a_0|")
    ax.legend()
    return ax
