"""The interactive cells of chapter 4 (cnncourse.interactive), without a browser.

The explorer must say exactly what ``shapes.conv_output_size`` says for every slider setting,
the step-through must fill the output of ``ops.conv2d`` window by window, and the display
objects must give the same comparable text with and without widgets (what strict nbval sees).
"""
import base64
import itertools

import ipywidgets  # noqa: F401  (in the test extra: these tests fail, not skip, without it)
import numpy as np
import pytest

from cnncourse import interactive, ops, shapes
from cnncourse.interactive import EXPLORER_RANGES


def _slider_settings():
    """Every (n, f, p, s, d) the explorer's sliders can reach."""
    return itertools.product(*(range(low, high + 1) for low, high in EXPLORER_RANGES.values()))


def test_the_explorer_says_what_conv_output_size_says_for_every_slider_setting():
    refused = tiled = 0
    for n, f, p, s, d in _slider_settings():
        setting = interactive.conv_arithmetic(n, f, p, s, d)
        try:
            side = shapes.conv_output_size(n, f, p, s, d)
        except ValueError as error:
            assert setting.side is None and setting.error == str(error)
            assert setting.text.endswith(str(error))
            refused += 1
            continue
        assert setting.side == side and setting.error is None
        assert setting.text.endswith(f"= {side}, an output map of {side}x{side}")
        # the windows drawn are those a framework computes: one per output pixel, s apart
        assert setting.starts == tuple(range(0, side * s, s)) and setting.missed == 0
        tiled += 1
    assert refused > 1000 and tiled > 1000          # both branches are exercised


@pytest.mark.parametrize("n, f, p, s, d, missed", [(6, 3, 0, 2, 1, 1), (8, 3, 0, 3, 1, 2),
                                                   (10, 3, 1, 4, 2, 3)])
def test_a_refused_setting_shows_the_pixels_no_window_reaches(n, f, p, s, d, missed):
    setting = interactive.conv_arithmetic(n, f, p, s, d)
    assert "is not a whole number" in setting.error
    assert setting.missed == missed
    last_window_end = setting.starts[-1] + shapes.effective_kernel(f, d)
    assert last_window_end + missed == n + 2 * p
    assert len(setting.starts) == shapes.conv_output_size(n, f, p, s, d, strict=False)


def test_a_filter_that_does_not_fit_has_no_windows():
    setting = interactive.conv_arithmetic(2, 5)
    assert setting.starts == () and "the filter spans 5 pixels" in setting.error


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 1, 1), (1, 2, 2),
                                                       ((2, 1), (1, 0), (1, 2))])
def test_the_step_through_fills_the_output_of_conv2d_window_by_window(rng, stride, padding,
                                                                      dilation):
    x, w = rng.integers(-3, 4, size=(7, 6)).astype(float), rng.standard_normal((3, 2))
    reference = ops.conv2d(x, w, stride=stride, padding=padding, dilation=dilation).ravel()
    for k in range(1, reference.size + 1):
        step = interactive.conv_step(x, w, k, stride=stride, padding=padding, dilation=dilation)
        partial = step.partial.ravel()
        assert step.total == reference.size
        assert np.allclose(partial[:k], reference[:k]) and np.isnan(partial[k:]).all()
        assert np.isclose(step.value, reference[k - 1])
        assert np.isclose(step.products.sum(), step.value)
        assert np.array_equal(step.products, step.taps * w)


def test_the_step_through_names_the_window_the_slide_gets_wrong():
    example = ops.worked_examples()["conv_3x3_pad1_stride2"]
    step = interactive.conv_step(example.input, example.filter, 2, stride=2, padding=1)
    assert (step.row, step.col, step.top, step.left) == (0, 1, 0, 2)
    assert step.value == example.expected[0, 1] == 5
    assert step.text == ("window 2 of 9: rows 0-2, columns 2-4 of the padded input; sum of the "
                         "9 products = 5 -> output[0, 1]")


@pytest.mark.parametrize("call, fix", [
    (lambda: interactive.conv_step(np.ones((4, 4)), np.ones((3, 3)), 5), "between 1 and 4"),
    (lambda: interactive.conv_step(np.ones((4, 4, 2)), np.ones((3, 3)), 1), "x[:, :, 0]"),
    (lambda: interactive.conv_step(np.ones((2, 2)), np.ones((3, 3)), 1), "padding"),
    (lambda: interactive.conv_arithmetic_explorer(n=40, widgets=False), "slider range 1..16"),
    (lambda: interactive.conv_arithmetic(7, 0), "f must be >= 1"),
])
def test_bad_input_gets_a_message_naming_the_fix(call, fix):
    with pytest.raises(ValueError, match=fix.replace("[", r"\[").replace("]", r"\]")
                       .replace(".", r"\.")):
        call()


def _png_size(bundle) -> tuple[int, int]:
    data = base64.b64decode(bundle["image/png"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_without_widgets_the_tools_are_a_picture_and_a_line_of_text(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("CNNCOURSE_WIDGETS", raising=False)
    assert not interactive.widgets_enabled()
    explorer = interactive.conv_arithmetic_explorer(n=7, f=3, p=0, s=2)
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"} and explorer.widget is None
    assert bundle["text/plain"] == interactive.conv_arithmetic(7, 3, 0, 2, 1).text
    assert _png_size(bundle)[0] > 400


def test_with_widgets_the_comparable_output_is_unchanged_and_sliders_redraw():
    static = interactive.conv_arithmetic_explorer(n=7, f=3, p=0, s=2, widgets=False)
    live = interactive.conv_arithmetic_explorer(n=7, f=3, p=0, s=2, widgets=True)
    bundle = live._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == static._repr_mimebundle_()["text/plain"]
    sliders = {c.description: c for c in live.widget.children[0].children}
    result = live.widget.children[1]
    assert interactive.RESULT_CLASS in result._dom_classes and "= 3," in result.value
    sliders["n"].value = 6                          # a move in the browser does the same
    with pytest.raises(ValueError) as refusal:
        shapes.conv_output_size(6, 3, 0, 2)
    assert live.state.error == str(refusal.value)
    assert "refused" in result.value and live.state.side is None
    sliders["p"].value = 1                          # 6 + 2 - 3 = 5: still refused; n=7 tiles again
    sliders["n"].value = 7
    assert live.state.side == shapes.conv_output_size(7, 3, 1, 2) == 4 and "= 4," in result.value


def test_the_step_slider_moves_through_the_windows():
    x, w = np.arange(16.0).reshape(4, 4), np.ones((2, 2))
    tool = interactive.conv_step_through(x, w, widgets=True)
    play, slider = tool.widget.children[0].children
    assert slider.max == play.max == 9 and tool.state.k == 1
    slider.value = 9
    assert tool.state.k == 9 and np.allclose(tool.state.partial, ops.conv2d(x, w))


def test_the_widget_switch(monkeypatch):
    monkeypatch.delenv("CNNCOURSE_WIDGETS", raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/student/04_cnn_layers.ipynb")
    assert interactive.widgets_enabled() == (interactive.ipywidgets is not None)
    monkeypatch.setenv("CNNCOURSE_WIDGETS", "0")
    assert not interactive.widgets_enabled()
    monkeypatch.setenv("CNNCOURSE_WIDGETS", "yes")
    with pytest.raises(ValueError, match="use 1"):
        interactive.widgets_enabled()
