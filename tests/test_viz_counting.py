"""Plots of chapter 5 (cnncourse.viz.counting): they draw the counts accounting computed."""
import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from cnncourse import viz  # noqa: E402


def test_count_bars_label_every_bar_with_its_value():
    ax = viz.plot_count_bars({"mnist_mlp": 669_706, "mnist_cnn": 20_490}, title="MNIST")
    assert [p.get_height() for p in ax.patches] == [669_706, 20_490]
    assert [t.get_text() for t in ax.texts] == ["669,706", "20,490"]
    assert ax.get_yscale() == "log" and ax.get_title() == "MNIST"


@pytest.mark.parametrize("call, message", [
    (lambda: viz.plot_count_bars({}), "non-empty dict"),
    (lambda: viz.plot_count_bars({"a": 0, "b": 3}), "log=False"),
])
def test_bad_input_raises_value_error_with_a_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
