"""Student versions of the lecturer's homework sources: solutions stubbed, outputs cleared.

Every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes nbgrader's default
stub (``# YOUR CODE HERE`` + ``raise NotImplementedError()``, indented like the region).
"""
from __future__ import annotations

import copy
from pathlib import Path

from ..homework._base import clean

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)


def strip_solutions(source: str, stub=CODE_STUB, where: str = "cell") -> tuple[str, int]:
    """Replace every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region of ``source``.

    The region (markers included) becomes ``stub``, indented like the BEGIN line, so a stub
    inside a function body stays valid Python. Returns ``(new_source, regions_replaced)``.
    Unbalanced or nested markers raise ``ValueError`` naming ``where`` and the line.
    """
    out: list[str] = []
    regions = 0
    begin_line = None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if begin_line is not None:
                raise ValueError(f"{where}, line {number}: a second {BEGIN_SOLUTION!r} before the "
                                 f"{END_SOLUTION!r} of the region opened on line {begin_line}; "
                                 "close each region before opening the next.")
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + text for text in stub)
        elif marker == END_SOLUTION:
            if begin_line is None:
                raise ValueError(f"{where}, line {number}: {END_SOLUTION!r} without a "
                                 f"{BEGIN_SOLUTION!r} above it; add the BEGIN marker or remove this line.")
            begin_line = None
            regions += 1
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise ValueError(f"{where}, line {begin_line}: {BEGIN_SOLUTION!r} is never closed; add "
                         f"{END_SOLUTION!r} after the solution.")
    return "\n".join(out), regions


def student_version(notebook) -> tuple[object, int]:
    """A copy of ``notebook`` (nbformat) with every solution region stubbed and outputs cleared.

    Returns ``(student_notebook, regions_replaced)``.
    """
    student = copy.deepcopy(notebook)
    regions = 0
    for index, cell in enumerate(student.cells):
        where = f"cell {index}"
        if cell.cell_type == "code":
            cell.source, n = strip_solutions(cell.source, CODE_STUB, where)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source, n = strip_solutions(cell.source, MARKDOWN_STUB, where)
        else:
            n = 0
        regions += n
    return student, regions


def notebook_paths(paths, command: str) -> list[Path]:
    """Expand notebooks and folders (their ``*.ipynb``) into a list of notebook paths."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    for path in map(Path, paths or []):
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb"))
            if not inside:
                raise ValueError(f"the folder {str(path)!r} holds no .ipynb notebooks; "
                                 f"pass homework notebooks to `{command}`.")
            found.extend(inside)
        elif not path.exists():
            raise FileNotFoundError(f"{str(path)!r} does not exist; check the path of the homework "
                                    "notebook (e.g. homework/hw1_output_sizes_and_parameters.ipynb).")
        elif path.suffix != ".ipynb":
            raise ValueError(f"{str(path)!r} is not a notebook: `{command}` takes .ipynb files "
                             "or folders of them.")
        else:
            found.append(path)
    if not found:
        raise ValueError(f"`{command}` needs at least one homework notebook or folder.")
    return list(dict.fromkeys(found))


def read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook: say which file
        raise ValueError(f"{str(path)!r} cannot be read as a notebook "
                         f"({type(exc).__name__}: {clean(exc)}).") from None


def release(paths, out="release") -> int:
    """Write the student version of each notebook in ``paths`` into the folder ``out``.

    Solution regions become ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (markdown:
    ``YOUR ANSWER HERE``) and every output is cleared. All notebooks are checked before any file
    is written; a notebook without solution regions, or an ``out`` folder that would overwrite a
    source, is a ``ValueError``. Returns 0 (the command's exit status).
    """
    import nbformat

    notebooks = notebook_paths(paths, "cnncourse homework release")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {str(out)!r} is a file; give a folder for the released notebooks.")
    versions = []
    for path in notebooks:
        if path.resolve().parent == out.resolve():
            raise ValueError(f"releasing {str(path)!r} into {str(out)!r} would overwrite the solution "
                             "source; choose another --out folder, e.g. release/.")
        try:
            student, regions = student_version(read_notebook(path))
        except ValueError as exc:
            raise ValueError(f"{path.name}: {exc}") from None
        if regions == 0:
            raise ValueError(f"{path.name} has no {BEGIN_SOLUTION!r} regions: is it already a "
                             "student version? Release the solution source instead.")
        versions.append((path, student, regions))
    out.mkdir(parents=True, exist_ok=True)
    for path, student, regions in versions:
        nbformat.write(student, out / path.name)
        print(f"released {path.name} -> {out / path.name} ({regions} solution regions stubbed)")
    return 0
