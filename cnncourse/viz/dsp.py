"""Image grids: filtered photos (chapters 2 and 3) and input views (chapter 8).

Grids return the Figure.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_images",
]


def plot_images(images: dict, ncols: int = 4, cmap: str = "gray", title: str | None = None,
                size: float = 2.6):
    """A grid of 2-D arrays, each titled by its key and scaled to its own range; returns the Figure.

    images: {title: (H, W) array}.
    """
    if not images:
        raise ValueError("images is empty; pass a dict {title: (H, W) array}.")
    bad = {k: np.shape(v) for k, v in images.items() if np.ndim(v) != 2}
    if bad:
        raise ValueError(f"every image must be 2-D (H, W); got shapes {bad}.")
    ncols = min(ncols, len(images))
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(size * ncols, size * nrows))
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, image) in zip(axes.flat, images.items()):
        ax.imshow(image, cmap=cmap)
        ax.set_title(name, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
