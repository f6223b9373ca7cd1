"""Keep a translated edition of the notebooks in step with the English one.

A translated notebook (``notebooks/ko/04_cnn_layers.ipynb`` for ``notebooks/04_cnn_layers.ipynb``)
has the same cells in the same order with the same cell ids. Its code cells are copies of the
English ones, outputs included, so they never need a second replay. Its markdown cells hold the
translation, and each records which English text it translates: the metadata
``{"cnncourse": {"translates": "<hash of the English source>"}}``.

:func:`problems` lists every place where the two editions disagree: a code cell that differs, a
missing or extra cell, a markdown cell whose English text changed since it was translated (its
hash no longer matches) or that was never translated. The test suite fails on any of them, naming
the notebook and the cell.

The workflow for a translator::

    python -m cnncourse.translation sync notebooks/ko          # copy code and outputs, add new cells
    # ... translate or update the markdown cells that `check` lists ...
    python -m cnncourse.translation sign notebooks/ko/04_cnn_layers.ipynb cell-12
    python -m cnncourse.translation check notebooks/ko         # exit 0 when nothing has drifted

``sync`` never overwrites a translation: a cell whose English changed keeps its old text (and its
old hash, so ``check`` reports it) until the translator updates it and runs ``sign``; a new English
cell is inserted with the English text and no hash.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["source_hash", "problems", "sync", "sign", "Problem", "main"]

KEY = "cnncourse"


def source_hash(text: str) -> str:
    """A short fingerprint of an English cell's text (whitespace at the ends ignored)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Problem:
    """One disagreement between an English notebook and its translation."""

    notebook: str
    cell: str
    what: str

    def __str__(self) -> str:
        return f"{self.notebook} {self.cell}: {self.what}"


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read the notebook {str(path)!r}: {error}") from None


def _write(path: Path, notebook: dict) -> None:
    text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
    temporary = path.with_suffix(".ipynb.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # atomic: a crash never leaves half a notebook


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _translates(cell: dict) -> str | None:
    return cell.get("metadata", {}).get(KEY, {}).get("translates")


def english_of(translated: Path) -> Path:
    """``notebooks/ko/X.ipynb`` -> ``notebooks/X.ipynb`` (the folder above the language folder)."""
    return translated.parent.parent / translated.name


def _pairs(english: dict, translated: dict, label: str):
    """Yield problems of structure, and (english cell, translated cell) for matching cells."""
    en_ids = [c.get("id") for c in english["cells"]]
    tr_ids = [c.get("id") for c in translated["cells"]]
    if None in en_ids:
        raise ValueError(f"{label}: the English notebook has cells without ids; run "
                         "`jupyter nbconvert --to notebook --inplace` (nbformat >= 4.5) to add them.")
    if en_ids != tr_ids:
        missing = [i for i in en_ids if i not in tr_ids]
        extra = [i for i in tr_ids if i not in en_ids]
        what = []
        if missing:
            what.append(f"no translation of English cell(s) {', '.join(missing)}")
        if extra:
            what.append(f"cell(s) {', '.join(map(str, extra))} are not in the English notebook")
        if not what:
            what.append("the cells are in another order than in the English notebook")
        yield Problem(label, "structure", "; ".join(what) + " (run `python -m "
                      "cnncourse.translation sync`)")
        return
    yield from zip(english["cells"], translated["cells"])


def problems(translated_folder: Path | str, english_folder: Path | str | None = None) -> list:
    """Every disagreement between the translated notebooks in a folder and the English ones.

    Also reports an English notebook that has no translation.
    """
    folder = Path(translated_folder)
    english_folder = Path(english_folder) if english_folder else folder.parent
    found: list[Problem] = []
    for english_path in sorted(english_folder.glob("*.ipynb")):
        path = folder / english_path.name
        label = str(path)
        if not path.exists():
            found.append(Problem(label, "file", f"{english_path.name} has no translation"))
            continue
        english, translated = _read(english_path), _read(path)
        for item in _pairs(english, translated, label):
            if isinstance(item, Problem):
                found.append(item)
                continue
            en, tr = item
            cell = en["id"]
            if en["cell_type"] != tr["cell_type"]:
                found.append(Problem(label, cell, f"is {tr['cell_type']} here but "
                                     f"{en['cell_type']} in English"))
            elif en["cell_type"] == "markdown":
                wanted, recorded = source_hash(_source(en)), _translates(tr)
                if recorded is None:
                    found.append(Problem(label, cell, "is not translated yet"))
                elif recorded != wanted:
                    found.append(Problem(label, cell, "the English text changed since it was "
                                         "translated; update the translation, then `python -m "
                                         f"cnncourse.translation sign {path} {cell}`"))
            elif _source(en) != _source(tr) or en.get("outputs") != tr.get("outputs"):
                found.append(Problem(label, cell, "code or outputs differ from the English "
                                     "edition (code cells are copied by `sync`, never edited)"))
    for path in sorted(folder.glob("*.ipynb")):
        if not (english_folder / path.name).exists():
            found.append(Problem(str(path), "file", "has no English notebook"))
    return found


def sync(translated_folder: Path | str, english_folder: Path | str | None = None) -> list[str]:
    """Bring every translated notebook's structure and code in step with the English one.

    Code and raw cells are copied (outputs included); a markdown cell keeps its translation; an
    English markdown cell without a translation is inserted in English with no hash. Returns the
    notebooks written.
    """
    folder = Path(translated_folder)
    english_folder = Path(english_folder) if english_folder else folder.parent
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for english_path in sorted(english_folder.glob("*.ipynb")):
        english = _read(english_path)
        if any("id" not in cell for cell in english["cells"]):
            raise ValueError(f"{english_path}: some cells have no id; give every cell one "
                             "(nbformat 4.5: `nbformat.validator.normalize` or re-save the "
                             "notebook in JupyterLab), then sync again.")
        path = folder / english_path.name
        old = _read(path) if path.exists() else {"cells": []}
        by_id = {c.get("id"): c for c in old["cells"] if c.get("cell_type") == "markdown"}
        cells = []
        for en in english["cells"]:
            if en["cell_type"] == "markdown" and en.get("id") in by_id:
                cells.append(by_id[en["id"]])
            elif en["cell_type"] == "markdown":
                cell = copy.deepcopy(en)
                cell.setdefault("metadata", {}).pop(KEY, None)
                cells.append(cell)
            else:
                cells.append(copy.deepcopy(en))
        notebook = copy.deepcopy(english)
        notebook["cells"] = cells
        if notebook != old:
            _write(path, notebook)
            written.append(str(path))
    return written


def sign(path: Path | str, cell_ids) -> None:
    """Record that the translated markdown cells ``cell_ids`` of ``path`` match today's English."""
    path = Path(path)
    english = {c.get("id"): c for c in _read(english_of(path))["cells"]}
    translated = _read(path)
    cells = {c.get("id"): c for c in translated["cells"]}
    cell_ids = [cell_ids] if isinstance(cell_ids, str) else list(cell_ids)
    if cell_ids == ["all"]:
        cell_ids = [i for i, c in cells.items() if c["cell_type"] == "markdown"]
    for cell_id in cell_ids:
        if cell_id not in cells or cell_id not in english:
            raise ValueError(f"{path}: no cell {cell_id!r} in both editions; cell ids look like "
                             f"{next(iter(cells), 'cell-01')!r}.")
        if cells[cell_id]["cell_type"] != "markdown":
            raise ValueError(f"{path} {cell_id}: only markdown cells are translated.")
        cells[cell_id].setdefault("metadata", {})[KEY] = {
            "translates": source_hash(_source(english[cell_id]))}
    _write(path, translated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnncourse.translation",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("sync", "check"):
        p = sub.add_parser(name)
        p.add_argument("folder", help="the translated edition, e.g. notebooks/ko")
    p = sub.add_parser("sign")
    p.add_argument("notebook")
    p.add_argument("cells", nargs="+", help="cell ids, e.g. cell-12, or 'all' (every markdown "
                   "cell: only after translating them all)")
    args = parser.parse_args(argv)
    try:
        if args.command == "sync":
            for path in sync(args.folder):
                print("wrote", path)
            return 0
        if args.command == "sign":
            sign(args.notebook, args.cells)
            return 0
        found = problems(args.folder)
        for problem in found:
            print(problem)
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    except ValueError as error:
        print(f"cnncourse.translation: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
