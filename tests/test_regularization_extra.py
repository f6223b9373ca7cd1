"""Plots of chapter 7 (cnncourse.viz.regularization): they draw what basics and ops computed."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import ops, viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_statistics_maps_draw_one_panel_per_method_with_its_pair_count():
    maps = {"batch": ops.statistics_map("batch", 4, 6),
            "group": ops.statistics_map("group", 4, 6, 3)}
    fig = viz.plot_statistics_maps(maps)
    first, second = fig.axes
    assert np.array_equal(first.images[0].get_array(), maps["batch"])
    assert first.get_title() == "batch\n6 (μ, σ) pairs"
    assert second.get_title() == "group\n12 (μ, σ) pairs"


def test_dropout_variance_marks_the_peak_at_one_half():
    p = np.round(np.arange(0.1, 1.0, 0.1), 1)
    ax = viz.plot_dropout_variance(p, p * (1 - p), p * (1 - p))
    peak = ax.lines[-1].get_xdata()
    assert np.allclose(peak, 0.5)


def test_weight_bars_are_grouped_per_feature():
    ax = viz.plot_weights({"L2": [1.0, -2.0, 0.5], "L1": [0.8, -1.5, 0.0]})
    assert [p.get_height() for p in ax.patches] == [1.0, -2.0, 0.5, 0.8, -1.5, 0.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["L2", "L1"]


def test_pick_frequencies_show_probability_and_frequency_side_by_side():
    ax = viz.plot_pick_frequencies([2, 4], [1 / 3, 2 / 3], [0.3, 0.7])
    assert [round(p.get_height(), 4) for p in ax.patches] == [0.3333, 0.6667, 0.3, 0.7]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a=2", "a=4"]


@pytest.mark.parametrize("call, message", [
    (lambda: viz.plot_statistics_maps({}), "non-empty dict"),
    (lambda: viz.plot_statistics_maps({"x": np.zeros(3, int)}), r"must be \(N, C\)"),
    (lambda: viz.plot_dropout_variance([0.5], [0.25, 0.2], [0.25]), "same length"),
    (lambda: viz.plot_weights({"a": [1, 2], "b": [1]}), "same number of weights"),
    (lambda: viz.plot_pick_frequencies([1, 2], [0.5], [0.5, 0.5]), "one entry per activation"),
])
def test_bad_input_raises_value_error_with_a_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_weight_bars_take_feature_names_from_a_series_index():
    import pandas as pd

    ax = viz.plot_weights({"fit": pd.Series([1.0, 0.0], index=["x1", "x2"])})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x1", "x2"]


def test_statistics_maps_write_each_cells_label():
    fig = viz.plot_statistics_maps({"instance": ops.statistics_map("instance", 2, 3)})
    assert [t.get_text() for t in fig.axes[0].texts] == ["0", "1", "2", "3", "4", "5"]
