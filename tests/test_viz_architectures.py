"""Tests of cnncourse.viz.architectures (the plots chapters 8 and 9 share)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cnncourse import viz  # noqa: E402


def test_plot_layer_bars_draws_one_bar_per_row_and_column():
    frame = pd.DataFrame({"name": ["a", "b"], "x": [1, 2], "y": [3, 4]})
    ax = viz.plot_layer_bars(frame, ["x", "y"], log=True)
    assert len(ax.patches) == 4 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [p.get_height() for p in ax.patches] == [1, 2, 3, 4]
    plt.close("all")


def test_plot_layer_bars_names_a_missing_column():
    frame = pd.DataFrame({"name": ["a", "b"], "x": [1, 2], "y": [3, 4]})
    with pytest.raises(ValueError, match=r"no column\(s\) \['z'\]"):
        viz.plot_layer_bars(frame, ["x", "z"])
