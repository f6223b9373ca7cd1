"""Interactive cells for chapter 4: a conv-arithmetic explorer, a 2-D convolution step by step.

Each tool comes in three layers, so the logic is tested without a browser and the picture exists
without a widget front end:

- the logic: ``conv_arithmetic(n, f, p, s, d)`` (the output side, or the refusal of
  ``shapes.conv_output_size``, and where the windows sit) and ``conv_step(x, w, k, ...)`` (the
  k-th window of a convolution, its products and the output filled so far);
- a static picture of one setting: ``draw_conv_arithmetic`` and ``draw_conv_step`` return a
  Matplotlib ``Figure`` (not registered with pyplot, so nothing is shown twice);
- a display object: ``conv_arithmetic_explorer(...)`` and ``conv_step_through(...)``. Shown as
  the last value of a cell it is the picture and a line of text for its starting values
  (``image/png`` + ``text/plain``, which is what the website and nbval see) and, where a widget
  front end runs, also ipywidgets sliders that redraw both. The widget is created only in a
  kernel started by a Jupyter server (JupyterLab, Notebook, JupyterHub: they set
  ``JPY_SESSION_NAME``); ``CNNCOURSE_WIDGETS=1`` or ``0`` forces the choice. The ``text/plain``
  output is the same either way, so strict nbval compares it.
"""
from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import shapes
from ._checks import non_negative_int, pair, positive_int

try:
    import ipywidgets
except ImportError:  # the static picture still works; the widgets need the `lab` extra
    ipywidgets = None

__all__ = [
    "Arithmetic",
    "Step",
    "conv_arithmetic",
    "conv_arithmetic_explorer",
    "conv_step",
    "conv_step_through",
    "draw_conv_arithmetic",
    "draw_conv_step",
    "widgets_enabled",
]

# slider ranges of the explorer: (min, max) per argument of shapes.conv_output_size
EXPLORER_RANGES = {"n": (1, 16), "f": (1, 7), "p": (0, 4), "s": (1, 4), "d": (1, 3)}
RESULT_CLASS = "cnncourse-result"     # CSS class of the widgets' result line (the browser test)
INPUT_COLOUR, PAD_COLOUR, WINDOW_COLOUR, MISSED_COLOUR = "#dbe8f5", "#eeeeee", "#c55a11", "#c00000"


# --- the conv-arithmetic explorer -------------------------------------------------------------

@dataclass(frozen=True)
class Arithmetic:
    """One setting of the explorer: the output side, or why ``shapes.conv_output_size`` refuses.

    side: the output side, or None when refused; error: the refusal's message, or None;
    starts: the first padded-input pixel of each window along one side (the windows a framework
    would compute, i.e. rounding down); missed: padded pixels at the end that no window covers.
    """
    n: int
    f: int
    p: int
    s: int
    d: int
    side: int | None
    error: str | None
    starts: tuple[int, ...]
    missed: int

    @property
    def span(self) -> int:
        """Pixels one window covers: ``d * (f - 1) + 1``."""
        return shapes.effective_kernel(self.f, self.d)

    @property
    def text(self) -> str:
        """One line: the settings and the output side, or the refusal."""
        settings = f"n={self.n}, f={self.f}, p={self.p}, s={self.s}, d={self.d}"
        if self.error is not None:
            return f"{settings}: refused. {self.error}"
        return (f"{settings}: output side ({self.n} + {2 * self.p} - {self.span})/{self.s} + 1 = "
                f"{self.side}, an output map of {self.side}x{self.side}")


def conv_arithmetic(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> Arithmetic:
    """The output side of a convolution for (n, f, p, s, d), or the message of its refusal.

    The side and the message are those of ``shapes.conv_output_size(n, f, p, s, d)`` (strict);
    ``starts`` lists where each window begins along one side of the padded input.
    """
    n, f, s, d = (positive_int(v, name) for v, name in ((n, "n"), (f, "f"), (s, "s"), (d, "d")))
    p = non_negative_int(p, "p")
    try:
        side, error = shapes.conv_output_size(n, f, p, s, d), None
    except ValueError as refusal:
        side, error = None, str(refusal)
    span = shapes.effective_kernel(f, d)
    count = (n + 2 * p - span) // s + 1 if n + 2 * p >= span else 0
    starts = tuple(range(0, count * s, s))
    covered = starts[-1] + span if starts else 0
    return Arithmetic(n, f, p, s, d, side, error, starts, n + 2 * p - covered if starts else 0)


def _cell(ax, row: float, col: float, colour: str, height: float = 1.0, edge: str = "grey"):
    ax.add_patch(Rectangle((col, row), 1, height, facecolor=colour, edgecolor=edge, linewidth=0.6))


def draw_conv_arithmetic(setting: Arithmetic) -> Figure:
    """Picture of one setting: the windows along one side of the padded input, and the 2-D map.

    Left: one row of the padded input (grey: padding), and below it one row per window with its
    f taps (spaced d apart) filled; pixels no window reaches are red. Right: the padded input
    as a square, each window's first pixel marked and the first window framed.
    """
    a, width = setting, setting.n + 2 * setting.p
    fig = Figure(figsize=(10, 3.6))
    strip, square = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    rows = max(len(a.starts), 1)
    for col in range(width):
        inside = a.p <= col < a.p + a.n
        _cell(strip, 0, col, INPUT_COLOUR if inside else PAD_COLOUR)
        if col >= width - a.missed:
            _cell(strip, 0, col, MISSED_COLOUR)
    for row, start in enumerate(a.starts, start=1):
        for tap in range(a.f):
            _cell(strip, row + 0.15, start + tap * a.d, WINDOW_COLOUR, height=0.7, edge="white")
    strip.set_xlim(-0.2, width + 0.2)
    strip.set_ylim(rows + 1.2, -0.2)
    strip.set_aspect("equal")
    strip.set_xticks(np.arange(width) + 0.5, [str(i) for i in range(width)], fontsize=7)
    strip.set_yticks([0.5] + [r + 0.5 for r in range(1, len(a.starts) + 1)],
                     ["input"] + [f"window {r}" for r in range(1, len(a.starts) + 1)], fontsize=7)
    strip.tick_params(length=0)
    for side in strip.spines.values():
        side.set_visible(False)
    strip.set_title("one side of the padded input and the windows on it", fontsize=9)

    for i in range(width):
        for j in range(width):
            inside = a.p <= i < a.p + a.n and a.p <= j < a.p + a.n
            missed = i >= width - a.missed or j >= width - a.missed
            _cell(square, i, j, MISSED_COLOUR if missed else INPUT_COLOUR if inside else PAD_COLOUR,
                  edge="white")
    for i in a.starts:
        for j in a.starts:
            square.plot(j + 0.5, i + 0.5, "o", color=WINDOW_COLOUR, markersize=3)
    if a.starts:
        square.add_patch(Rectangle((0, 0), a.span, a.span, fill=False, edgecolor=WINDOW_COLOUR,
                                   linewidth=2.5))
    square.set_xlim(0, width)
    square.set_ylim(width, 0)
    square.set_aspect("equal")
    square.axis("off")
    result = f"output {a.side}x{a.side}" if a.error is None else \
        "refused: the windows do not tile" if a.starts else "refused: the filter does not fit"
    square.set_title(f"padded input {width}x{width}: {result}", fontsize=9)
    fig.suptitle(f"n={a.n}, f={a.f}, p={a.p}, s={a.s}, d={a.d}", fontsize=10)
    fig.tight_layout()
    return fig


# --- the step-through of one convolution ------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """The state of a single-channel convolution after its k-th window (windows in reading order).

    padded: the padded input (H + 2p, W + 2p); top, left: where window k starts in it; taps:
    the input values under the kernel's taps (kh, kw); products: taps * kernel; value: their
    sum, output (row, col); partial: the output map with the first k values filled, NaN after.
    """
    k: int
    total: int
    row: int
    col: int
    top: int
    left: int
    dilation: tuple[int, int]
    padded: np.ndarray
    kernel: np.ndarray
    taps: np.ndarray
    products: np.ndarray
    value: float
    partial: np.ndarray

    @property
    def text(self) -> str:
        """One line: which window, where, and the value it gives."""
        kh, kw = self.kernel.shape
        bottom = self.top + self.dilation[0] * (kh - 1)
        right = self.left + self.dilation[1] * (kw - 1)
        return (f"window {self.k} of {self.total}: rows {self.top}-{bottom}, columns "
                f"{self.left}-{right} of the padded input; sum of the {kh * kw} products = "
                f"{_number(self.value)} -> output[{self.row}, {self.col}]")


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def conv_step(x, w, k: int, stride=1, padding=0, dilation=1) -> Step:
    """The k-th window (1-based, reading order) of the convolution ``ops.conv2d(x, w, ...)``.

    x: (H, W); w: (kh, kw); stride, padding, dilation: whole numbers or (rows, cols) pairs
    (padding in pixels per side). The output map is filled window by window: after k windows
    its first k values, in reading order, are those of ``ops.conv2d``.
    """
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"the step-through shows one channel: x must be (H, W) and w (kh, kw); "
                         f"got x {x.shape} and w {w.shape}. Pick one channel, e.g. x[:, :, 0].")
    (sh, sw), (ph, pw) = pair(stride, "stride"), pair(padding, "padding", allow_zero=True)
    dh, dw = pair(dilation, "dilation")
    rows = shapes.conv_output_size(x.shape[0], w.shape[0], ph, sh, dh, strict=False)
    cols = shapes.conv_output_size(x.shape[1], w.shape[1], pw, sw, dw, strict=False)
    total = rows * cols
    k = positive_int(k, "k")
    if k > total:
        raise ValueError(f"k={k}, but this convolution has only {total} windows ({rows}x{cols} "
                         f"outputs); choose k between 1 and {total}.")
    padded = np.pad(x, ((ph, ph), (pw, pw)))
    partial = np.full((rows, cols), np.nan)
    for index in range(k):
        row, col = divmod(index, cols)
        top, left = row * sh, col * sw
        bottom, right = top + dh * (w.shape[0] - 1) + 1, left + dw * (w.shape[1] - 1) + 1
        taps = padded[top:bottom:dh, left:right:dw]
        products = taps * w
        partial[row, col] = products.sum()
    return Step(k, total, row, col, top, left, (dh, dw), padded, w, taps, products,
                float(products.sum()), partial)


def _grid(ax, a, title: str, cmap: str = "Blues") -> None:
    """A small array as annotated cells; NaN cells stay empty."""
    a = np.asarray(a, dtype=float)
    shown = np.where(np.isnan(a), np.nan, a)
    finite = a[~np.isnan(a)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    ax.imshow(shown, cmap=cmap, vmin=low, vmax=high if high > low else low + 1)
    for (i, j), value in np.ndenumerate(a):
        if not np.isnan(value):
            dark = high > low and value > (low + high) / 2
            ax.text(j, i, _number(value), ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
    ax.set_xticks(np.arange(a.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(a.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="grey", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title, fontsize=9)


def _frame(ax, top: int, left: int, height: int = 1, width: int = 1, linewidth: float = 2.5):
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False,
                           edgecolor=WINDOW_COLOUR, linewidth=linewidth))


def draw_conv_step(step: Step) -> Figure:
    """Picture of one step: the window on the padded input, the products, the output so far."""
    fig = Figure(figsize=(10, 3.4))
    board, products, output = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.4, 1, 1]})
    _grid(board, step.padded, "padded input, window framed")
    (dh, dw), (kh, kw) = step.dilation, step.kernel.shape
    for a in range(kh):
        for b in range(kw):
            _frame(board, step.top + a * dh, step.left + b * dw, linewidth=1.5)
    _frame(board, step.top, step.left, dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    _grid(products, step.products, f"window x kernel, sum = {_number(step.value)}", cmap="Oranges")
    _grid(output, step.partial, f"output after {step.k} of {step.total} windows")
    _frame(output, step.row, step.col)
    fig.tight_layout()
    return fig


# --- display objects --------------------------------------------------------------------------

def widgets_enabled() -> bool:
    """Whether the tools add live widgets: ``CNNCOURSE_WIDGETS`` (1/0) if set, else whether
    ipywidgets is installed and the kernel was started by a Jupyter server (``JPY_SESSION_NAME``).
    """
    forced = os.environ.get("CNNCOURSE_WIDGETS", "").strip()
    if forced not in ("", "0", "1"):
        raise ValueError(f"CNNCOURSE_WIDGETS={forced!r}: use 1 (show widgets) or 0 (static "
                         "pictures only), or unset it to decide automatically.")
    wanted = forced == "1" if forced else "JPY_SESSION_NAME" in os.environ
    if wanted and ipywidgets is None:
        if forced:
            raise ValueError("CNNCOURSE_WIDGETS=1 needs ipywidgets: pip install 'cnncourse[lab]'.")
        return False
    return wanted


def _want_widgets(widgets: bool | None) -> bool:
    if widgets is None:
        return widgets_enabled()
    if widgets and ipywidgets is None:
        raise ValueError("widgets=True needs ipywidgets: pip install 'cnncourse[lab]' (or pass "
                         "widgets=False for the static picture).")
    return bool(widgets)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


class _Tool:
    """A picture plus one line of text for the current state, with optional live widgets.

    controls: {argument name of ``update``: value widget}; moving one calls ``update`` with all
    their values and redraws. extras: more widgets for the control row (e.g. a play button).
    """

    def __init__(self, state, draw, update, controls: dict, extras=()):
        self.state, self._draw, self._update = state, draw, update
        self.widget = None
        if controls:
            self._text = ipywidgets.HTML()
            self._text.add_class(RESULT_CLASS)
            self._image = ipywidgets.Image(format="png")
            for control in controls.values():
                control.observe(lambda _change: self._redraw(controls), names="value")
            self._show()
            row = ipywidgets.HBox([*extras, *controls.values()])
            self.widget = ipywidgets.VBox([row, self._text, self._image])

    def _redraw(self, controls: dict) -> None:
        self.state = self._update(**{name: c.value for name, c in controls.items()})
        self._show()

    def _show(self) -> None:
        self._image.value = _png(self._draw(self.state))     # the picture first, then the line
        self._text.value = f"<code>{_escape(self.state.text)}</code>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {} if self.widget is None else self.widget._repr_mimebundle_()
        bundle["image/png"] = base64.b64encode(_png(self._draw(self.state))).decode("ascii")
        bundle["text/plain"] = self.state.text       # the same with or without widgets (nbval)
        return bundle

    def __repr__(self) -> str:
        return self.state.text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def conv_arithmetic_explorer(n: int = 7, f: int = 3, p: int = 0, s: int = 2, d: int = 1,
                             widgets: bool | None = None) -> _Tool:
    """Sliders for n, f, p, s, d -> the output side or the refusal, and the windows' picture.

    The starting values must lie in the slider ranges ``EXPLORER_RANGES``. ``widgets``: None
    decides with ``widgets_enabled()``; False gives only the picture and the text. The object's
    ``state`` is the ``Arithmetic`` shown.
    """
    values = {"n": n, "f": f, "p": p, "s": s, "d": d}
    for name, value in values.items():
        low, high = EXPLORER_RANGES[name]
        if not low <= non_negative_int(value, name) <= high:
            raise ValueError(f"{name}={value} is outside the explorer's slider range "
                             f"{low}..{high}; call shapes.conv_output_size directly for larger "
                             "values.")
    controls = {}
    if _want_widgets(widgets):
        controls = {name: ipywidgets.IntSlider(value=values[name], min=low, max=high,
                                               description=name, continuous_update=False,
                                               layout=ipywidgets.Layout(width="190px"))
                    for name, (low, high) in EXPLORER_RANGES.items()}
    return _Tool(conv_arithmetic(**values), draw_conv_arithmetic, conv_arithmetic, controls)


def conv_step_through(x, w, k: int = 1, stride=1, padding=0, dilation=1,
                      widgets: bool | None = None) -> _Tool:
    """A convolution of one channel, window by window: a slider (and a play button) for k.

    Arguments as in ``conv_step``; ``widgets`` as in ``conv_arithmetic_explorer``. The
    object's ``state`` is the ``Step`` shown.
    """
    def at(k):
        return conv_step(x, w, k, stride=stride, padding=padding, dilation=dilation)

    first = at(k)
    if not _want_widgets(widgets):
        return _Tool(first, draw_conv_step, at, {})
    slider = ipywidgets.IntSlider(value=k, min=1, max=first.total, description="window")
    play = ipywidgets.Play(value=k, min=1, max=first.total, interval=900)
    ipywidgets.jslink((play, "value"), (slider, "value"))
    return _Tool(first, draw_conv_step, at, {"k": slider}, extras=[play])
