"""Execute the course notebooks headless and report which ones pass: ``cnncourse run``.

``cnncourse run`` with no arguments runs every ``notebooks/*.ipynb`` of the course. The course
folder is found in this order:

1. the repository this package was imported from (``cnncourse/..``), which is where an editable
   install (``pip install -e .``, the course's quick start) lives;
2. otherwise the current working directory, so a plain install works when you start the command
   from the root of your copy of the course.

Each notebook runs in a fresh Jupyter kernel named ``python3``, with the notebook's folder as the
working directory, as if a student had pressed "Run all". With ipykernel installed in the current
environment, that kernel is this environment's own interpreter (Jupyter maps the ``python3`` spec
to ``sys.executable``); only a user-level kernel spec of the same name would take precedence. The
source file is left untouched unless ``inplace=True`` is asked for, in which case the executed
notebook (with fresh outputs) is written back.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ._checks import positive_int

KERNEL = "python3"


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
        client.execute()
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


def main(paths=None, timeout: int = 600, inplace: bool = False) -> int:
    """Run the notebooks in ``paths`` (default: the course's ``notebooks/``) and print a table.

    Returns the exit status: 0 when every notebook ran without error, 1 otherwise. Bad arguments
    (a missing path, a file that is not a notebook, a non-positive timeout) raise ``ValueError`` /
    ``OSError`` before any kernel starts.
    """
    timeout = positive_int(timeout, "timeout")
    notebooks = collect(paths)
    from tqdm import tqdm

    results = []
    bar = tqdm(notebooks, desc="notebooks", unit="nb", file=sys.stderr)
    for notebook in bar:
        bar.set_postfix_str(notebook.name)
        seconds, error = run_notebook(notebook, timeout=timeout, inplace=inplace)
        results.append((_shown(notebook), seconds, error))
    bar.close()

    table = results_table(results)
    failed = int((table.status != "ok").sum())
    print(table.to_string(index=False))
    print(f"{len(table) - failed} of {len(table)} notebooks ran without error.")
    return 0 if failed == 0 else 1
