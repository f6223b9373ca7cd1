"""The course's shape: chapters teach by showing, the library keeps tools, lectures are cited by key.

These tests read the notebooks and the package source as text (nothing is executed), so they are
fast; each fails when a chapter goes back to hiding its lesson behind one library call, when the
library grows single-use helpers again, or when a pipeline word reaches students.
"""
import ast
import collections
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnncourse"
MAX_SINGLE_USE = 20
CHAPTERS_THAT_SHOW = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "14"]
# What a chapter's own computation is checked against in the same cell.
REFERENCES = re.compile(r"\b(ops|signals|shapes|accounting|models|train)\.\w+|\bkeras\.|\bL\.\w+|"
                        r"\btf\.|\bnp\.linalg\.|\bnp\.convolve")


def _names(tree) -> collections.Counter:
    """How often each name is used (as a bare name or an attribute) in a syntax tree."""
    used = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used[node.id] += 1
        elif isinstance(node, ast.Attribute):
            used[node.attr] += 1
    return used


def _code_cells(folders=("notebooks", "homework")):
    """(label, source) of every code cell of the English notebooks and homework sources."""
    cells = []
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            notebook = json.loads(path.read_text(encoding="utf-8"))
            for index, cell in enumerate(notebook["cells"]):
                if cell["cell_type"] == "code":
                    cells.append((f"{path.name} cell {index}", "".join(cell["source"])))
    return cells


def _parse_cell(source: str):
    """A cell's syntax tree; IPython magics and shell lines become ``pass`` (same indentation)."""
    lines = [line[:len(line) - len(line.lstrip())] + "pass"
             if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    return ast.parse("\n".join(lines))


def single_use_functions() -> dict[str, str]:
    """Public library functions used by exactly one notebook/homework cell and by no module.

    Returns {function name: the cell that uses it}. A public function is a module-level ``def``
    or ``class`` of ``cnncourse`` whose name does not start with ``_``; a use is the name
    appearing as a bare name or attribute (imports and ``__all__`` strings do not count).
    """
    defined, used_by_library = set(), collections.Counter()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined |= {node.name for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                    and not node.name.startswith("_")}
        used_by_library.update(_names(tree))
    cells = [(label, _names(_parse_cell(source))) for label, source in _code_cells()]
    single = {}
    for name in sorted(defined):
        if used_by_library[name]:
            continue
        users = [label for label, names in cells if names[name]]
        if len(users) == 1:
            single[name] = users[0]
    return single


def test_the_library_keeps_tools_not_cells():
    single = single_use_functions()
    listing = "\n".join(f"  {name}: {cell}" for name, cell in single.items())
    assert len(single) <= MAX_SINGLE_USE, (
        f"{len(single)} public library functions serve exactly one notebook cell (at most "
        f"{MAX_SINGLE_USE}); write them in their cell or make them a reused tool:\n{listing}")


def test_the_counter_sees_a_single_use_function(tmp_path, monkeypatch):
    """The count above can fail: a new function used by one cell is found."""
    package = tmp_path / "cnncourse"
    package.mkdir()
    (package / "tool.py").write_text("def shared():\n    pass\n\ndef lonely():\n    pass\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "homework").mkdir()
    cells = [{"cell_type": "code", "source": "tool.lonely()\ntool.shared()"},
             {"cell_type": "code", "source": "tool.shared()"}]
    (tmp_path / "notebooks" / "x.ipynb").write_text(json.dumps({"cells": cells}))
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    assert single_use_functions() == {"lonely": "x.ipynb cell 0"}


@pytest.mark.parametrize("module", ["basics", "inspect", "history"])
def test_no_grab_bag_modules(module):
    assert not (PACKAGE / f"{module}.py").exists(), (
        f"cnncourse/{module}.py is a grab-bag of single-chapter helpers: their code belongs in "
        "the chapter's cells or in a core module")


def _student_text():
    """(where, text) of everything students read: notebooks (all cells), homework, READMEs."""
    texts = []
    for folder in ("notebooks", "homework"):
        for path in sorted((ROOT / folder).rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            notebook = json.loads(path.read_text(encoding="utf-8"))
            for index, cell in enumerate(notebook["cells"]):
                outputs = json.dumps(cell.get("outputs", []), ensure_ascii=False)
                texts.append((f"{path.relative_to(ROOT)} cell {index}",
                              "".join(cell["source"]) + outputs))
    for path in [ROOT / "README.md", *ROOT.glob("*/README.md"), *(ROOT / "docs").glob("*.md")]:
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return texts


PIPELINE_WORDS = re.compile(r"seed[ _-]*0\d|seeds? 0\d\d|our copy of", re.IGNORECASE)


def test_students_never_read_pipeline_words():
    found = [(where, m.group(0)) for where, text in _student_text()
             for m in PIPELINE_WORDS.finditer(text)]
    assert not found, ("cite the lectures by their keys (ML9, DL1, GDSC, NOTES, MODELS), never as "
                       f"seed files: {found[:10]}")


def test_the_pipeline_word_check_can_fail():
    assert PIPELINE_WORDS.search("as seed 002 shows") and PIPELINE_WORDS.search("Seed-001")
    assert not PIPELINE_WORDS.search("train.setup(seed=42)")


def _shows_its_computation(source: str) -> bool:
    """A cell that writes a computation (a def, or a functional Keras block) and checks it."""
    try:
        tree = _parse_cell(source)
    except SyntaxError:
        return False
    defines = any(isinstance(node, ast.FunctionDef) for node in ast.walk(tree)) or \
        re.search(r"keras\.Input\(|L\.Input\(", source) is not None
    checks = any(isinstance(node, ast.Assert) for node in ast.walk(tree))
    return defines and checks and REFERENCES.search(source) is not None


@pytest.mark.parametrize("chapter", CHAPTERS_THAT_SHOW)
def test_each_chapter_writes_and_checks_its_central_computation(chapter):
    path = next((ROOT / "notebooks").glob(f"{chapter}_*.ipynb"))
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    showing = [c for c in cells if _shows_its_computation("".join(c["source"]))]
    assert showing, (f"{path.name}: no code cell defines the chapter's computation (a def or a "
                     "functional Keras block) and checks it against the library or Keras")


def test_the_showing_check_can_fail():
    assert not _shows_its_computation("y = ops.conv2d(x, w)\nassert y.shape == (1, 3)")
    assert _shows_its_computation("def corr2d(x, k):\n    return x\n"
                                  "assert np.allclose(corr2d(x, k), ops.correlate2d(x, k))")


def test_the_references_page_and_readme_name_every_lecture():
    from cnncourse.references import LECTURES

    page = (ROOT / "docs" / "references.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, lecture in LECTURES.items():
        row = next((line for line in page.splitlines() if line.startswith(f"| `{key}` |")), "")
        assert row, f"docs/references.md has no row for the lecture {key}"
        title = lecture.title.split(",")[0].split(" (")[0]
        assert title in row, f"docs/references.md names {key} without its title {title!r}"
        for given in (lecture.author, lecture.date):
            assert given in row, f"docs/references.md leaves out {given!r} of {key}"
        assert f"| `{key}` |" in readme, f"README.md's lecture table has no row for {key}"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_every_chapter_opens_on_colab_and_installs_the_course_when_missing(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    title = "".join(cells[0]["source"])
    assert f"colab.research.google.com/github/OWNER/cnncourse/blob/main/notebooks/{path.name}" in title
    setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    assert setup.startswith("# NBVAL_IGNORE_OUTPUT\ntry:")
    assert "except ImportError:" in setup and '%pip install -q "cnncourse[lab] @ git+' in setup
