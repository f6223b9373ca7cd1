"""Plots for chapter 1 (foundations): regression lines, descent paths, activations, XOR.

Each function draws on the Matplotlib ``Axes`` it is given (or a new one) and returns it; the
numbers come from :mod:`cnncourse.basics`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import basics

__all__ = [
    "plot_least_squares", "plot_descent_1d", "plot_optimizer_paths", "plot_logistic_fit",
    "plot_xor_decision", "plot_activation_functions", "plot_chain_gradients",
]


def _axes(ax, figsize=(5, 3.5)):
    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def plot_least_squares(x, y, a: float, b: float, ax=None):
    """Data points (n,), the line ``y = a x + b`` and each point's residual as a dashed segment."""
    ax = _axes(ax)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    grid = np.linspace(x.min() - 1, x.max() + 1, 50)
    ax.plot(grid, a * grid + b, color="C1", label=f"y = {a:.2f} x + {b:.2f}")
    ax.vlines(x, y, a * x + b, colors="C3", linestyles="dashed", label="residuals")
    ax.scatter(x, y, color="C0", zorder=3, label="data")
    ax.set(xlabel="x", ylabel="y")
    ax.legend()
    return ax


def plot_descent_1d(f, paths: dict, ax=None):
    """A 1-D function and several iterate sequences on it. paths: label -> (steps + 1,) array."""
    ax = _axes(ax)
    points = np.concatenate([np.asarray(p, dtype=float) for p in paths.values()])
    lo, hi = points.min(), points.max()
    pad = 0.1 * (hi - lo) + 0.5
    grid = np.linspace(lo - pad, hi + pad, 200)
    ax.plot(grid, f(grid), color="0.6")
    for i, (label, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=float)
        ax.plot(path, f(path), "o-", color=f"C{i}", markersize=4, label=label)
    ax.set(xlabel="x", ylabel="f(x)")
    ax.legend()
    return ax


def plot_optimizer_paths(paths: dict, f=basics.bowl, extent=(-4.5, 4.5, -2.5, 2.5), ax=None):
    """Contours of a 2-D function ``f`` ((..., 2) -> (...)) with one path per optimizer.

    paths: label -> (steps + 1, 2) array. extent: (xmin, xmax, ymin, ymax).
    """
    ax = _axes(ax, figsize=(7, 4))
    xs, ys = np.meshgrid(np.linspace(*extent[:2], 200), np.linspace(*extent[2:], 120))
    ax.contour(xs, ys, f(np.stack([xs, ys], axis=-1)), levels=15, colors="0.75", linewidths=0.8)
    for i, (label, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=float)
        ax.plot(path[:, 0], path[:, 1], ".-", color=f"C{i}", markersize=3, linewidth=1, label=label)
    ax.plot(0, 0, "k*", markersize=10)
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="x", ylabel="y")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_logistic_fit(x, t, a: float, b: float, ax=None):
    """0/1 targets (n,) against x, the fitted curve ``σ(a x + b)`` and its 0.5 boundary."""
    ax = _axes(ax)
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    grid = np.linspace(x.min() - 2, x.max() + 2, 200)
    ax.plot(grid, basics.sigmoid(a * grid + b), color="C1", label="σ(a x + b)")
    ax.axvline(-b / a, color="C3", linestyle="dashed", label=f"boundary x = {-b / a:.2f}")
    ax.scatter(x, t, color="C0", zorder=3, label="data")
    ax.set(xlabel="x", ylabel="P(pass)")
    ax.legend()
    return ax


def plot_xor_decision(params: dict, ax=None):
    """The trained network's output over the unit square, with the four XOR points."""
    ax = _axes(ax, figsize=(4, 3.5))
    xs, ys = np.meshgrid(np.linspace(-0.25, 1.25, 120), np.linspace(-0.25, 1.25, 120))
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    out = basics.mlp_forward(params, grid)[1].reshape(xs.shape)
    shade = ax.contourf(xs, ys, out, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.7)
    ax.contour(xs, ys, out, levels=[0.5], colors="k")
    targets = basics.XOR_TARGETS.ravel()
    ax.scatter(*basics.XOR_INPUTS.T, c=targets, cmap="coolwarm", edgecolors="k", s=80, zorder=3)
    ax.set(xlabel="x1", ylabel="x2", title="network output (black: 0.5)")
    plt.colorbar(shade, ax=ax)
    return ax


def plot_activation_functions(names=None, x=None, axes=None):
    """Each activation (left) and its derivative (right). Returns the two Axes."""
    names = list(names or basics.ACTIVATIONS)
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=float)
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(10, 3.5))[1]
    for name in names:
        f, df = basics.activation(name)
        axes[0].plot(x, f(x), label=name)
        axes[1].plot(x, df(x), label=name)
    axes[0].set(title="f(x)", xlabel="x", ylim=(-2, 4))
    axes[1].set(title="f'(x)", xlabel="x")
    axes[0].legend(fontsize="small")
    return axes


def plot_chain_gradients(products: dict, ax=None):
    """|∂a_l/∂a_0| against depth l on a log scale. products: label -> (depth,) array."""
    ax = _axes(ax)
    for label, values in products.items():
        values = np.abs(np.asarray(values, dtype=float))
        ax.semilogy(np.arange(1, len(values) + 1), values, "o-", markersize=3, label=label)
    ax.set(xlabel="depth l", ylabel="|∂a_l / ∂a_0|")
    ax.legend()
    return ax
