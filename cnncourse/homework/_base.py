"""The pieces every assignment's checker uses: the registry, results of calls, failures, hints.

An exercise is one of three kinds:

* ``value``: the answer is a value (a number, a list, a dict); ``judge(answer)`` checks it;
* ``function``: the answer is a NumPy function; ``probes(rng)`` lists the calls to make on inputs
  drawn fresh at check time, and ``judge(results, probes)`` compares the outputs with values it
  computes itself;
* ``build``: the answer is a Keras builder; its probes are calls whose :class:`KerasInput`
  arguments become ``keras.Input`` tensors, and each result is the model it builds.

The same judge runs in the student's Jupyter session (:func:`cnncourse.homework.check`) and in the
grader's own process (``cnncourse homework grade``), where the results come back from the
sandbox as plain data and the student's code is never called.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from .messages import text as _

NOT_DONE = "not done yet"
PASS_MARK = "✓ passed:"

# What a computation exercise must not call: the course's reference code and frameworks that
# compute the thing for the student. Prefixes of dotted module paths.
NUMPY_ONLY = ("cnncourse", "scipy", "tensorflow", "torch", "jax", "keras", "cupy", "numba",
              "skimage", "cv2", "PIL")
NO_COURSE_REFERENCE = ("cnncourse", "keras.applications", "keras.src.applications", "keras_hub",
                       "keras_cv", "tensorflow.keras.applications", "tf_keras", "torchvision",
                       "timm", "transformers")
HAND_ARITHMETIC = ("cnncourse", "keras", "tensorflow", "torch", "jax")

_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text, limit: int = 600) -> str:
    """``text`` on one line, without ANSI escapes or control characters, at most ``limit`` chars."""
    text = _CONTROL.sub("", str(text).replace("\t", " "))
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HomeworkCheckError(AssertionError):
    """A failed homework check; the message says what is wrong and how to think about it.

    In Jupyter it shows as one line (IPython honours ``_render_traceback_``), not as a
    traceback into the library; the cell still ends in an error, as nbgrader expects.
    """

    def _render_traceback_(self):
        return [f"\x1b[31m{_('check_error_label')}\x1b[0m {clean(self, limit=2000)}"]


class NotDone(HomeworkCheckError):
    """The exercise still raises ``NotImplementedError`` (or its answer is missing)."""

    def _render_traceback_(self):
        return [f"\x1b[33m… {_('not_done')}:\x1b[0m {clean(self, limit=2000)}"]


def fail(problem: str, hint: str = ""):
    """Raise the failed check, without chaining the student's own traceback to it."""
    raise HomeworkCheckError(_("hint_joiner", problem=problem, hint=hint) if hint else problem) from None


@dataclasses.dataclass(frozen=True)
class KerasInput:
    """A probe argument that becomes ``keras.Input(shape)`` before the student's function runs."""

    shape: tuple


@dataclasses.dataclass
class Probe:
    """One call of the student's function: ``fn(*args, **kwargs)``."""

    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Result:
    """What one probe call gave: ``status`` is ok, raised, not_done or bad_return."""

    status: str
    value: object = None
    ename: str = ""
    message: str = ""


@dataclasses.dataclass
class Exercise:
    id: str
    kind: str                      # value | function | build
    judge: Callable
    probes: Callable | None = None
    forbidden: tuple = ()          # module prefixes the answer must not use
    computation: str = ""          # message id: what the student must compute (for "needs review")
    weights: bool = True           # False: the judge reads layers, shapes and counts only, so a
                                   # build answer is built without weight values (VGG-16: 550 MB)

    def computation_text(self) -> str:
        from .messages import MESSAGES
        return _(self.computation) if self.computation in MESSAGES else self.computation


EXERCISES: dict[str, Exercise] = {}


def _register(exercise: Exercise):
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise {exercise.id!r} is registered twice")
    EXERCISES[exercise.id] = exercise
    return exercise.judge


def value_exercise(exercise_id: str, forbidden=HAND_ARITHMETIC):
    """Register ``judge(answer) -> detail`` for an exercise whose answer is a value."""
    return lambda judge: _register(Exercise(exercise_id, "value", judge, None, tuple(forbidden),
                                            "computation.hand"))


def function_exercise(exercise_id: str, probes: Callable, forbidden=NUMPY_ONLY,
                      computation: str = "", kind: str = "function", weights: bool = True):
    """Register ``judge(results, probes) -> detail``; ``probes(rng)`` lists the calls to make.
    ``weights=False``: the judge of a build exercise never reads weight values."""
    return lambda judge: _register(Exercise(exercise_id, kind, judge, probes, tuple(forbidden),
                                            computation, weights))


def outcome(result: Result, what: str):
    """The value of one probe call, or a failed check saying what went wrong with it."""
    if result.status == "ok":
        return result.value
    if result.status == "not_done":
        raise NotDone(_("outcome.not_done", what=what)) from None
    if result.status == "bad_return":
        fail(_("outcome.bad_return", what=what, message=clean(result.message, 120)),
             _("outcome.bad_return.hint"))
    if result.status == "not_callable":
        fail(_("outcome.not_callable", name=what.split('(')[0], message=clean(result.message, 80)),
             _("outcome.not_callable.hint"))
    fail(_("outcome.raised", what=what, ename=clean(result.ename, 80),
           message=clean(result.message, 300)))


def one_line(text) -> str:
    return clean(text, limit=10_000)


def whole(answer, what: str) -> int:
    """``answer`` as an int. A whole float (55.0 from ``/``) is fine; a fraction is not."""
    import math
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        shown = clean(repr(answer), 40) if isinstance(answer, (str, list, tuple, dict)) else ""
        fail(_("whole.type", what=what, type=type(answer).__name__,
               shown=f" ({shown})" if shown and not isinstance(answer, str) else ""),
             _("whole.type.hint"))
    if not math.isfinite(answer) or answer != int(answer):
        fail(_("whole.fraction", what=what, answer=answer), _("whole.fraction.hint"))
    return int(answer)


def whole_list(answer, length: int, what: str, entries: str) -> list[int]:
    """``answer`` as a list of ``length`` ints (one per ``entries``)."""
    import numpy as np

    if not isinstance(answer, (list, tuple, np.ndarray)):
        fail(_("list.type", what=what, length=length, entries=entries, type=type(answer).__name__))
    if len(answer) != length:
        fail(_("list.length", what=what, got=len(answer), length=length, entries=entries))
    return [whole(value, f"{what}[{i}]") for i, value in enumerate(answer)]


def answer_dict(answer, keys, what: str) -> dict:
    """``answer`` as a dict with exactly the string ``keys``."""
    if not isinstance(answer, dict):
        fail(_("dict.type", what=what, keys=', '.join(map(repr, keys)), type=type(answer).__name__))
    missing = [k for k in keys if k not in answer]
    extra = [clean(repr(k), 40) for k in answer if k not in keys]
    if missing or extra:
        fail(_("dict.keys", what=what, keys=', '.join(map(repr, keys)),
               missing=_("dict.missing", keys=', '.join(map(repr, missing))) if missing else "",
               extra=_("dict.extra", keys=', '.join(extra)) if extra else ""))
    return answer


def keras():
    """Keras, imported with the backend's native start-up messages silenced."""
    from .._keras import import_backend

    return import_backend()


def fresh_rng():
    """A generator seeded from the operating system: new inputs every time a check runs."""
    import numpy as np

    return np.random.default_rng()
