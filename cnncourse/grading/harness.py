"""Runs inside the sandbox: the student's cells in one IPython shell, answers out as plain data.

``python -I -m cnncourse.grading.harness WORK`` reads ``WORK/plan.json`` and ``WORK/probes``
(then deletes them), runs the plan's cells, and at each capture step writes the answer: the value
of the answer expression, or the outputs of the student's function on the grader's probes, or the
Keras config (JSON) of the model a builder returns. Progress lines (``start c3``, ``end c3``) go
to ``WORK/out/progress`` so the grader, outside, can tell which step a deadline or crash hit.

Nothing here decides a grade: everything this process writes is treated as the student's answer.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _probes(raw: dict) -> dict:
    from ..homework._base import KerasInput, Probe

    def convert(value):
        if isinstance(value, dict) and set(value) == {"__keras_input__"}:
            return KerasInput(tuple(value["__keras_input__"]))
        return value

    return {exercise: [Probe(tuple(convert(a) for a in p["args"]),
                             {k: convert(v) for k, v in p["kwargs"].items()}) for p in probes]
            for exercise, probes in raw.items()}


def _result_record(result, kind: str) -> dict:
    record = {"status": result.status, "ename": result.ename[:200], "message": result.message[:2000]}
    if result.status == "ok":
        if kind == "build":
            try:
                record["model_json"] = result.value.to_json()
            except Exception as exc:
                record.update(status="raised", ename=type(exc).__name__,
                              message=f"the model cannot be saved as a Keras config: {exc}"[:2000])
        else:
            record["value"] = result.value
    return record


def _call(answer, probe, mode: str, forbidden):
    """``call_probe``; a builder is first called with its weights left unfilled: only the
    model's config leaves the sandbox, so filling VGG-16's 138 M weights would be seconds of
    work for nothing (a model that cannot give its config is built again the usual way)."""
    from ..homework._calls import call_probe_weightless_first

    return call_probe_weightless_first(answer, probe, mode, forbidden,
                                       usable=lambda model: model.to_json() is not None)


def capture(step: dict, namespace: dict, probes: dict, forbidden: dict) -> dict:
    """The answer of one exercise, as plain data."""
    try:
        answer = eval(step["expression"], namespace)  # the source's expression, e.g. "conv2d"
    except NameError as exc:
        return {"status": "missing", "message": str(exc)[:500]}
    except Exception as exc:
        return {"status": "raised", "ename": type(exc).__name__, "message": str(exc)[:2000]}
    if step["mode"] == "value":
        return {"status": "captured", "value": answer}
    records, hits = [], []
    for probe in probes.get(step["exercise"], []):
        result, found = _call(answer, probe, step["mode"], forbidden.get(step["exercise"], ()))
        records.append(_result_record(result, step["mode"]))
        hits.extend(h for h in found if h not in hits)
        if result.status in ("not_callable", "not_done"):
            break
    return {"status": "captured", "results": records, "hits": hits}


def main(work: str) -> int:
    from IPython.core.interactiveshell import InteractiveShell

    from . import plain

    work = Path(work)
    out = work / "out"
    plan = json.loads((work / "plan.json").read_text())
    probes = _probes(plain.load(work / "probes"))
    for name in ("plan.json", "probes.json", "probes.npz"):
        (work / name).unlink(missing_ok=True)
    skip = set(plan["skip"])
    progress = open(out / "progress", "a", buffering=1)

    def mark(text):
        progress.write(text + "\n")
        progress.flush()

    shell = InteractiveShell.instance()
    for step in plan["steps"]:
        if step["id"] in skip:
            continue
        mark(f"start {step['id']}")
        if step["kind"] == "cell":
            result = shell.run_cell(step["code"], store_history=False)
            error = result.error_before_exec or result.error_in_exec
            record = {"error": None if error is None else
                      [type(error).__name__, str(error)[:2000]]}
        else:
            record = capture(step, shell.user_ns, probes, plan["forbidden"])
        sys.stdout.flush()
        plain.save(out / step["id"], record)
        mark(f"end {step['id']}")
    mark("done")
    return 0


if __name__ == "__main__":
    os.environ.pop("PYTHONSTARTUP", None)
    sys.exit(main(sys.argv[1]))
