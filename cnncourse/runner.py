"""Execute the course notebooks headless and report which ones pass: ``cnncourse run``.

``cnncourse run`` with no arguments runs every ``notebooks/*.ipynb`` of the course. The course
folder is found in this order:

1. the repository this package was imported from (``cnncourse/..``), which is where an editable
   install (``pip install -e .``, the course's quick start) lives;
2. otherwise the current working directory, so a plain install works when you start the command
   from the root of your copy of the course.

Each notebook runs in a fresh Jupyter kernel named ``python3``, with the notebook's folder as the
working directory, as if a student had pressed "Run all". On Linux the kernels are warm
(:mod:`cnncourse.kernels`): each is a fresh process forked from one server that has loaded Keras
once, so a chapter no longer waits 7–10 s for the import (``cnncourse run --cold``, or
``CNNCOURSE_WARM_KERNELS=0``, starts each kernel from scratch instead). The notebooks run in
parallel, one per CPU core by default (``jobs``, ``cnncourse run --jobs N``), the longest first (by the timings
stored in each notebook from its last run); the table keeps the order of the notebooks whatever
order they finish in. The kernels never inherit ``JPY_SESSION_NAME`` (a Jupyter
server sets it, and chapter 4's explorer shows live widgets when it is set), so a run started from
a terminal inside JupyterLab stores the same static outputs as one started from a plain shell. With ipykernel installed in the current
environment, that kernel is this environment's own interpreter (Jupyter maps the ``python3`` spec
to ``sys.executable``); only a user-level kernel spec of the same name would take precedence. The
source file is left untouched unless ``inplace=True`` is asked for, in which case the executed
notebook (with fresh outputs) is written back.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import kernels
from ._checks import positive_int

KERNEL = "python3"
# set by a Jupyter server for the kernels it starts; the runner's kernels are headless
SERVER_ONLY_VARIABLES = ("JPY_SESSION_NAME",)


def default_jobs() -> int:
    """One notebook per CPU core this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# read once, when a process starts its thread pools: TensorFlow's two pools, and OpenMP's, which
# oneDNN (TensorFlow's CPU kernels), OpenBLAS (NumPy) and PyTorch use
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")


@contextlib.contextmanager
def threads_shared(processes: int):
    """Give each of ``processes`` programs that run at once its share of the CPU cores.

    Inside the block, processes started from here (kernels, test workers) see the variables of
    ``THREAD_VARIABLES`` set to ``cores // processes`` (at least 1); a variable that is already
    set is left alone, and everything is put back on leaving. Without it, two TensorFlow kernels
    on two cores would each start a pool of two threads per core and spin against each other:
    measured on a 2-core machine, chapters 8, 10 and 14 run side by side used 88–91 CPU-s with
    the default pools and 76–79 CPU-s with one thread each (``cnncourse run`` uses it whenever
    it runs more than one notebook at once; so does the test suite under ``pytest -n``).
    """
    processes = positive_int(processes, "processes")
    share = str(max(1, default_jobs() // processes))
    added = [name for name in THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = share
    try:
        yield int(share)
    finally:
        for name in added:
            os.environ.pop(name, None)


def recorded_seconds(path) -> float:
    """How long the notebook's stored run took: from its first cell's start to its last cell's
    reply, read from the timings Jupyter keeps in each cell's metadata (0.0 when there are none).

    Long notebooks are started first, so that the last one to finish is a short one.
    """
    import json
    from datetime import datetime

    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        stamps = [(cell["metadata"]["execution"]["iopub.execute_input"],
                   cell["metadata"]["execution"]["shell.execute_reply"])
                  for cell in cells if cell.get("cell_type") == "code"
                  and "execution" in cell.get("metadata", {})]
        if not stamps:
            return 0.0
        start = datetime.fromisoformat(min(s for s, _ in stamps).replace("Z", "+00:00"))
        end = datetime.fromisoformat(max(e for _, e in stamps).replace("Z", "+00:00"))
        return max(0.0, (end - start).total_seconds())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0.0


def kernel_environment() -> dict[str, str]:
    """This process's environment without the variables only a Jupyter server's kernels have."""
    return {key: value for key, value in os.environ.items() if key not in SERVER_ONLY_VARIABLES}


def course_root() -> Path:
    """The folder holding ``notebooks/``: the package's repository, else the current folder.

    Raises ``OSError`` (with the fix) when neither has a ``notebooks/`` folder.
    """
    for candidate in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (candidate / "notebooks").is_dir():
            return candidate
    raise FileNotFoundError(
        "no notebooks/ folder found next to the cnncourse package or in the current folder "
        f"({Path.cwd()}). Start `cnncourse run` from the root of the course, or pass the "
        "notebooks to run: `cnncourse run path/to/notebook.ipynb`.")


def collect(paths) -> list[Path]:
    """Expand ``paths`` (notebooks and folders) into the list of notebooks to run.

    No paths means every ``notebooks/*.ipynb`` of :func:`course_root`. A folder stands for the
    ``*.ipynb`` directly inside it, sorted by name. Checkpoint copies are skipped. Duplicates are
    dropped, the first occurrence keeps its place.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in (paths or [course_root() / "notebooks"])]
    notebooks: list[Path] = []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(
                f"{str(path)!r} does not exist. Pass a notebook (.ipynb) or a folder of notebooks, "
                "e.g. `cnncourse run notebooks/01_foundations.ipynb`.")
        if path.is_dir():
            found = sorted(p for p in path.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            if not found:
                raise ValueError(f"the folder {str(path)!r} holds no .ipynb notebooks; point "
                                 "`cnncourse run` at a folder of notebooks or at one notebook.")
            notebooks.extend(found)
        elif path.suffix != ".ipynb":
            raise ValueError(f"{str(path)!r} is not a notebook: `cnncourse run` executes "
                             ".ipynb files (or folders of them).")
        else:
            notebooks.append(path)
    return list(dict.fromkeys(notebooks))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ""


def _describe(exc: BaseException) -> str:
    """One line saying why a notebook failed (the exception of the failing cell, when known)."""
    ename = getattr(exc, "ename", None)
    if ename:  # nbclient.exceptions.CellExecutionError carries the cell's exception
        return _first_line(f"{ename}: {exc.evalue}") or ename
    return _first_line(f"{type(exc).__name__}: {exc}")


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it, for a readable table."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_notebook(path, timeout: int = 600, inplace: bool = False) -> tuple[float, str | None]:
    """Execute one notebook top to bottom in a fresh kernel; return ``(seconds, error)``.

    ``error`` is ``None`` when every cell ran, else one line naming what went wrong (for a failing
    cell, ``"ZeroDivisionError: division by zero"``). ``timeout`` is the limit per cell, in
    seconds. The working directory of the kernel is the notebook's folder. With ``inplace=True``
    the executed notebook is saved over ``path`` (also when a cell failed: the outputs up to the
    failure are kept, as Jupyter would show them).
    """
    timeout = positive_int(timeout, "timeout")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {str(path)!r} not found; check the path.")
    import nbformat
    from nbclient import NotebookClient

    start = time.perf_counter()
    error = None
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as exc:  # an unreadable notebook is a failed notebook, not a crash of the run
        return time.perf_counter() - start, f"cannot read the notebook: {_describe(exc)}"
    client = NotebookClient(notebook, timeout=timeout, kernel_name=KERNEL,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up notes
                            resources={"metadata": {"path": str(path.resolve().parent)}})
    try:
        client.execute(env=kernel_environment())
    except Exception as exc:  # a failing cell, a timeout or a dead kernel: report and go on
        error = _describe(exc)
    seconds = time.perf_counter() - start
    if inplace:
        nbformat.write(notebook, path)
    return seconds, error


def results_table(results) -> "pandas.DataFrame":
    """The report as a DataFrame: one row per ``(notebook, seconds, error)`` in ``results``.

    Columns: ``notebook``, ``seconds`` (rounded to 0.1 s), ``status`` (``ok``, or ``failed: `` and
    the first line of the error).
    """
    import pandas as pd

    rows = [{"notebook": str(name), "seconds": round(float(seconds), 1),
             "status": "ok" if error is None else f"failed: {error}"}
            for name, seconds, error in results]
    return pd.DataFrame(rows, columns=["notebook", "seconds", "status"])


def main(paths=None, timeout: int = 600, inplace: bool = False, jobs: int | None = None,
         warm: bool = True) -> int:
    """Run the notebooks in ``paths`` (default: the course's ``notebooks/``) and print a table.

    ``jobs`` notebooks run at once, each in its own kernel (default: :func:`default_jobs`, one
    per CPU core; ``jobs=1`` runs them one after another). The table lists the notebooks in the
    order of ``paths`` whatever order they finish in. Returns the exit status: 0 when every
    notebook ran without error, 1 otherwise. Bad arguments (a missing path, a file that is not a
    notebook, a non-positive timeout or jobs) raise ``ValueError`` / ``OSError`` before any kernel
    starts. ``warm=False`` starts every kernel from scratch instead of forking it from a warm
    server (see the module's notes).
    """
    timeout = positive_int(timeout, "timeout")
    jobs = default_jobs() if jobs is None else positive_int(jobs, "jobs")
    notebooks = collect(paths)
    from tqdm import tqdm

    outcomes = {}
    bar = tqdm(total=len(notebooks), desc="notebooks", unit="nb", file=sys.stderr)
    cold_before = len(kernels.cold_starts)
    at_once = min(jobs, len(notebooks))
    # threads are enough: each notebook runs in its own kernel process, the thread only waits
    with (threads_shared(at_once) if at_once > 1 else contextlib.nullcontext()), \
            (kernels.warm() if warm else contextlib.nullcontext(False)) as warm_on, \
            ThreadPoolExecutor(max_workers=at_once) as pool:
        longest_first = sorted(notebooks, key=recorded_seconds, reverse=True)
        futures = {pool.submit(run_notebook, notebook, timeout=timeout, inplace=inplace): notebook
                   for notebook in longest_first}
        for future in as_completed(futures):
            notebook = futures[future]
            outcomes[notebook] = future.result()
            bar.set_postfix_str(notebook.name)
            bar.update()
    bar.close()
    results = [(_shown(notebook), *outcomes[notebook]) for notebook in notebooks]

    cold = kernels.cold_starts[cold_before:]
    if warm_on and cold:
        print(f"note: {len(cold)} kernel(s) started cold: {cold[0]}", file=sys.stderr)
    table = results_table(results)
    failed = int((table.status != "ok").sum())
    print(table.to_string(index=False))
    print(f"{len(table) - failed} of {len(table)} notebooks ran without error.")
    return 0 if failed == 0 else 1
