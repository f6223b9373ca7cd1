"""Plots for the training chapter: learning curves and confusion matrices.

Each function draws on the Matplotlib ``Axes`` it is given (or new ones) and returns them.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = ["plot_confusion_matrix", "plot_learning_curves"]


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


def plot_confusion_matrix(y_true, y_pred, labels=None, ax=None, normalize=None):
    """Confusion matrix of class indices ``y_true, y_pred: (N,)`` (rows: true, columns:
    predicted), via scikit-learn's ``ConfusionMatrixDisplay``. ``normalize``: None, "true",
    "pred" or "all" as in scikit-learn. Returns the Axes."""
    from sklearn.metrics import ConfusionMatrixDisplay

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} need one label per "
                         "image each.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, display_labels=labels, ax=ax,
                                            normalize=normalize, colorbar=False,
                                            values_format=".2f" if normalize else "d")
    ax.set(xlabel="predicted", ylabel="true")
    return ax
