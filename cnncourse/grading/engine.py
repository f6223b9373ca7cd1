"""Grade one submission: plan, run in the sandbox (rerunning past a stuck cell), judge in this process.

The verdicts are computed here, from the answers the sandbox wrote as plain data, by the same
checkers ``homework.check`` uses in Jupyter; nothing the submission prints, raises or patches
reaches this process as anything but data.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ..homework import _base
from ..homework.messages import text as _
from . import plain, sandbox, screen
from .source import Assignment, build_plan, student_code

STATUSES = ("passed", "failed", "error", "timeout", "needs review", "missing")
MAX_NOTEBOOK_BYTES = 20 << 20
_JUDGE = threading.Lock()


@dataclasses.dataclass
class Options:
    cell_timeout: float = 60.0
    setup_timeout: float = 180.0             # the lecturer's setup cells (imports, backend start)
    notebook_timeout: float | None = None    # default: 10 cell timeouts, at least 10 minutes
    sandboxed: bool = True
    limits: sandbox.Limits = dataclasses.field(default_factory=sandbox.Limits)
    max_runs: int = 5
    hide: tuple = ()                         # folders the sandbox must not see

    @property
    def deadline_seconds(self) -> float:
        return self.notebook_timeout or max(600.0, 10 * self.cell_timeout)


@dataclasses.dataclass
class Row:
    exercise: str
    points: float
    max_points: float
    status: str
    hint: str = ""


@dataclasses.dataclass
class Graded:
    student: str
    notebook: Path | None
    rows: list[Row]
    notes: list[str]
    complete: bool            # False when the submission could not be run to the end
    seconds: float = 0.0


def _rows_all(assignment: Assignment, status: str, hint: str) -> list[Row]:
    return [Row(e.id, 0.0, e.points, status, hint) for e in assignment.exercises]


def read_submission(path: Path):
    """The submission as an nbformat notebook, or a ValueError saying why it cannot be read."""
    import nbformat

    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path.name} is not a regular file")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{path.name} is {size:,} bytes, over the {MAX_NOTEBOOK_BYTES:,}-byte limit")
    try:
        notebook = nbformat.reads(path.read_text("utf-8"), as_version=4)
        cells = notebook["cells"]
        if not isinstance(cells, list):
            raise ValueError("'cells' is not a list")
        for cell in cells:
            if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str):
                raise ValueError("a cell is malformed")
            meta = cell.get("metadata", {})
            if not isinstance(meta, dict):
                raise ValueError("a cell's metadata is malformed")
    except Exception as exc:
        raise ValueError(f"{path.name} cannot be read as a notebook ({type(exc).__name__}: "
                         f"{_base.clean(exc, 160)})") from None
    return notebook


def _probe_data(probes) -> list:
    def convert(value):
        if isinstance(value, _base.KerasInput):
            return {"__keras_input__": list(value.shape)}
        return value

    return [{"args": [convert(a) for a in p.args], "kwargs": {k: convert(v) for k, v in p.kwargs.items()}}
            for p in probes]


def grade_submission(assignment: Assignment, student: str, path: Path | None, options: Options,
                     workroot: Path) -> Graded:
    """Grade one student's notebook (``path`` None: nothing was handed in).

    Hints speak the assignment's language (``assignment.language``: en or ko).
    """
    from ..homework.messages import use_language

    with use_language(assignment.language):
        return _grade_submission(assignment, student, path, options, workroot)


def _grade_submission(assignment: Assignment, student: str, path: Path | None, options: Options,
                      workroot: Path) -> Graded:
    started = time.monotonic()
    if path is None:
        return Graded(student, None, _rows_all(assignment, "missing", "no notebook was handed in"),
                      [f"no {assignment.name} was found in the submission folder"], False)
    try:
        notebook = read_submission(path)
    except ValueError as exc:
        return Graded(student, path, _rows_all(assignment, "error", _base.clean(exc, 300)),
                      [_base.clean(exc, 300)], False)
    steps, notes = build_plan(assignment, notebook)
    import numpy as np

    rng = np.random.default_rng(secrets.randbits(128))   # fresh inputs, never shown in the notebook
    probes, forbidden = {}, {}
    for spec in assignment.exercises:
        exercise = _base.EXERCISES[spec.id]
        forbidden[spec.id] = list(exercise.forbidden)
        if exercise.probes is not None:
            probes[spec.id] = exercise.probes(rng)
    records, outcome_notes, stuck, complete = _run(steps, probes, forbidden, options, workroot,
                                                   path.parent)
    notes += outcome_notes
    code = student_code(steps)
    aliases = screen.aliases_of([s["code"] for s in steps if s["kind"] == "cell" and s["role"] == "setup"]
                                + [c for _, c in code])
    tamper = screen.scan(code, aliases, ())[1]
    rows = []
    for spec in assignment.exercises:
        exercise = _base.EXERCISES[spec.id]
        uses = screen.scan(_exercise_code(spec, steps), aliases, exercise.forbidden)[0]
        with _JUDGE:
            rows.append(_judge(spec, exercise, steps, records, stuck, probes.get(spec.id, []),
                               (uses, tamper), options))
            if spec.kind == "build":
                gc.collect()   # the rebuilt models can be large (VGG-16: 138 M weights)
    return Graded(student, path, rows, notes, complete, time.monotonic() - started)


def _exercise_code(spec, steps) -> list[tuple[object, str]]:
    """The student's code that belongs to one exercise: its solution cells, the cells added
    since the previous check, and any cell that defines the answer's name (a function written
    for an earlier exercise and checked again here)."""
    import re

    name = re.escape(spec.expression.strip())
    defines = re.compile(rf"^\s*(def|class)\s+{name}\b|^\s*{name}\s*=", re.M)
    own, region = [], []
    for step in steps:
        if step["kind"] == "capture":
            if step["exercise"] == spec.id:
                own += region
                break
            region = []
        elif step["role"] in ("solution", "extra"):
            region.append((step["origin"], step["code"]))
    others = [(s["origin"], s["code"]) for s in steps if s["kind"] == "cell"
              and s["role"] in ("solution", "extra") and defines.search(s["code"])]
    return own + [c for c in others if c not in own]


def _run(steps, probes, forbidden, options: Options, workroot: Path, submission_dir: Path):
    """Run the plan, rerunning without a step that timed out or crashed. Returns the records."""
    records: dict[str, object] = {}
    stuck: dict[str, str] = {}          # step id -> "timeout" | "crash" | "deadline"
    notes: list[str] = []
    deadline = time.monotonic() + options.deadline_seconds
    hide = list(options.hide) + [submission_dir, workroot]
    complete = False
    retried: set = set()     # a crash in the grader's own steps (setup, capture) is retried once
    lecturer_steps = {s["id"] for s in steps if s["kind"] == "capture" or s["role"] == "setup"}
    for attempt in range(options.max_runs):
        work = Path(tempfile.mkdtemp(prefix="run-", dir=workroot))
        work.chmod(0o700)
        try:
            skip = sorted(stuck)
            (work / "plan.json").write_text(json.dumps({"steps": steps, "skip": skip,
                                                        "forbidden": forbidden}))
            plain.save(work / "probes", {k: _probe_data(v) for k, v in probes.items()})
            outcome = sandbox.run_harness(
                work, hide, sandboxed=options.sandboxed, cell_timeout=options.cell_timeout,
                deadline=deadline, limits=options.limits,
                setup_timeout=max(options.setup_timeout, options.cell_timeout),
                setup_steps=frozenset(s["id"] for s in steps if s["kind"] == "cell" and s["role"] == "setup"))
            for step in steps:
                try:
                    records[step["id"]] = plain.load(work / "out" / step["id"])
                except plain.PlainDataError:
                    pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if outcome.output_bytes > options.limits.output_bytes:
            notes.append(f"the notebook printed {outcome.output_bytes:,} bytes; only the first "
                         f"{options.limits.output_bytes:,} were kept")
        if outcome.kind == "done":
            complete = True
            break
        retry_key = outcome.step if outcome.kind == "crash" and outcome.step in lecturer_steps \
            else ("startup" if outcome.kind == "startup" else None)
        if retry_key is not None and retry_key not in retried and time.monotonic() < deadline:
            retried.add(retry_key)
            notes.append(f"the run stopped unexpectedly ({outcome.kind}, exit status "
                         f"{outcome.returncode}); it was run once more")
            continue
        if outcome.kind == "startup":
            last = (outcome.output.strip().splitlines() or ["no output"])[-1]
            notes.append("the grading sandbox could not start: " + _base.clean(last, 300))
            break
        if outcome.step is None:
            notes.append(f"the notebook stopped between cells ({outcome.kind}, exit status "
                         f"{outcome.returncode}, after {outcome.seconds:.0f} s)")
            break
        stuck[outcome.step] = outcome.kind
        label = _step_label(steps, outcome.step)
        if outcome.kind == "timeout":
            notes.append(f"{label} ran longer than {options.cell_timeout:g} s; it was stopped and "
                         "the notebook was run again without it")
        elif outcome.kind == "crash":
            notes.append(f"{label} ended the Python process (exit status {outcome.returncode}: "
                         "out of memory, or os._exit); the notebook was run again without it")
            if outcome.returncode is not None and outcome.returncode < 0:
                notes.append(f"(the process got signal {-outcome.returncode} after "
                             f"{outcome.seconds:.0f} s)")
        else:
            notes.append(f"the notebook ran past its deadline of {options.deadline_seconds:g} s "
                         f"during {label}")
            break
    else:
        notes.append(f"gave up after {options.max_runs} runs")
    return records, notes, stuck, complete


def _step_label(steps, step_id) -> str:
    step = next((s for s in steps if s["id"] == step_id), None)
    if step is None:
        return "a step"
    if step["kind"] == "capture":
        return f"checking {step['exercise']}"
    if step["role"] == "setup":
        return "the setup cell"
    return f"cell {step['origin']}" + (" (your solution)" if step["role"] == "solution" else "")


def _results(spec, record, probes) -> list[_base.Result]:
    """The probe results of a function or build answer, models rebuilt from their configs."""
    results = []
    for item in record.get("results", []) if isinstance(record.get("results"), list) else []:
        if not isinstance(item, dict):
            results.append(_base.Result("raised", ename="GraderError", message="malformed record"))
            continue
        status = item.get("status") if isinstance(item.get("status"), str) else "raised"
        result = _base.Result(status, item.get("value"), str(item.get("ename", ""))[:200],
                              str(item.get("message", ""))[:2000])
        if spec.kind == "build" and status == "ok":
            result = rebuild_model(item.get("model_json"),
                                   weights=_base.EXERCISES[spec.id].weights)
        results.append(result)
    while len(results) < len(probes):   # a run that stopped early: the rest were not called
        results.append(_base.Result("raised", ename="NotRun", message="the call did not happen"))
    return results


UNSAFE_CLASSES = {"Lambda", "__lambda__", "TFOpLambda", "SlicingOpLambda", "TorchModuleWrapper",
                  "JaxLayer", "FlaxLayer"}


def _safe_config(node, depth=0) -> str | None:
    """Why a Keras config may not be rebuilt here (None when it only uses Keras's own layers)."""
    if depth > 200:
        return "the config is nested too deeply"
    if isinstance(node, dict):
        module = node.get("module")
        if module is not None and not (isinstance(module, str) and (
                module == "keras" or module.startswith("keras.") or module == "builtins")):
            return f"it uses {str(module)[:60]!r}, which is not part of Keras"
        if node.get("class_name") in UNSAFE_CLASSES:
            return f"it uses a {node['class_name']} layer (code inside a layer)"
        registered = node.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            return f"it uses the custom object {registered[:60]!r}"
        for value in node.values():
            why = _safe_config(value, depth + 1)
            if why:
                return why
    elif isinstance(node, list):
        for value in node:
            why = _safe_config(value, depth + 1)
            if why:
                return why
    return None


def rebuild_model(text, weights: bool = True) -> _base.Result:
    """A Keras model from the student's config (plain JSON), only from Keras's own layers;
    ``weights=False``: shapes only, for judges that read no weight values."""
    if not isinstance(text, str) or len(text) > 4_000_000:
        return _base.Result("raised", ename="ValueError", message="no model config came back")
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return _base.Result("raised", ename="ValueError", message="the model config is not JSON")
    why = _safe_config(config)
    if why:
        return _base.Result("raised", ename="UnsafeModel",
                            message=f"the model cannot be rebuilt for grading: {why}; build it "
                                    "from keras.layers only")
    keras = _base.keras()
    from .._keras import without_weights

    try:
        with (contextlib.nullcontext() if weights else without_weights()):
            return _base.Result("ok", keras.models.model_from_json(text))
    except Exception as exc:
        return _base.Result("raised", ename=type(exc).__name__,
                            message="the model cannot be rebuilt from its Keras config: "
                                    + _base.clean(exc, 300))


def _own_errors(spec, steps, records):
    errors = []
    for step in steps:
        if step["kind"] == "cell" and step.get("exercise") == spec.id:
            record = records.get(step["id"])
            if isinstance(record, dict) and isinstance(record.get("error"), list):
                errors.append(record["error"])
    return errors


def _judge(spec, exercise, steps, records, stuck, probes, scan, options) -> Row:
    def row(status, hint="", points=0.0):
        return Row(spec.id, points, spec.points, status, _base.clean(hint, 600))

    capture = next(s for s in steps if s["kind"] == "capture" and s["exercise"] == spec.id)
    own = [s["id"] for s in steps if s["kind"] == "cell" and s.get("exercise") == spec.id]
    if stuck.get(capture["id"]) == "timeout" or any(stuck.get(s) == "timeout" for s in own):
        return row("timeout", _("grade.timeout", seconds=options.cell_timeout))
    if any(stuck.get(s) == "crash" for s in own + [capture["id"]]):
        return row("error", _("grade.crash"))
    record = records.get(capture["id"])
    if not isinstance(record, dict):
        if any(v == "deadline" for v in stuck.values()):
            return row("timeout", _("grade.deadline"))
        return row("error", _("grade.not_reached"))
    status = record.get("status")
    if status == "missing":
        errors = _own_errors(spec, steps, records)
        if any(e[0] == "NotImplementedError" for e in errors):
            return row("missing", _("grade.still_raises", not_done=_("not_done")))
        if errors:
            return row("error", _("grade.cell_raised", ename=errors[0][0], message=errors[0][1]))
        return row("missing", _("grade.undefined", expression=spec.expression,
                                message=_base.clean(record.get('message', ''), 200)))
    if status == "raised":
        return row("error", _("grade.reading_raised", expression=spec.expression,
                              ename=record.get('ename', ''),
                              message=_base.clean(record.get('message', ''), 300)))
    if status != "captured":
        return row("error", _("grade.malformed"))
    try:
        if spec.kind == "value":
            exercise.judge(record.get("value"))
        else:
            exercise.judge(_results(spec, record, probes), probes)
    except _base.NotDone as exc:
        return row("missing", f"{_('not_done')}: {exc}")
    except _base.HomeworkCheckError as exc:
        return row("failed", str(exc))
    except Exception as exc:  # an answer the checker cannot handle is the answer's problem
        return row("error", _("grade.unchecked", ename=type(exc).__name__, message=_base.clean(exc, 200)))
    uses, tamper = scan
    hits = [h for h in record.get("hits", []) if isinstance(h, str)] if isinstance(record.get("hits"), list) else []
    if spec.kind == "value":
        hits = []
    if uses or hits or tamper:
        why = "; ".join(uses[:3] + [_("grade.called", name=h) for h in hits[:3]] + tamper[:3])
        return row("needs review", _("grade.review", why=why,
                                     computation=exercise.computation_text() or _("computation.work")))
    return row("passed", "", spec.points)
