"""Give every chapter an "Open in Colab" badge and a setup cell that installs the course when missing.

Idempotent: run it after adding a chapter. The badge goes at the end of the title cell; the install
lines go at the top of the setup cell (the one starting with ``# NBVAL_IGNORE_OUTPUT``), so a copy
opened on Colab or Binder without the course installs it, and a classroom copy does nothing.
Replace OWNER (here and in README.md) with the GitHub owner of your copy of the course.
"""
import json
import sys
from pathlib import Path

BADGE = ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
         "(https://colab.research.google.com/github/OWNER/cnncourse/blob/main/{path})")
INSTALL = """try:  # on Colab or Binder without the course, install it first (about a minute)
    import cnncourse
except ImportError:
    %pip install -q "cnncourse[lab] @ git+https://github.com/OWNER/cnncourse"
"""
MARK = "# NBVAL_IGNORE_OUTPUT\n"


def add(path: Path, relative: str) -> bool:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    changed = False
    title = cells[0]
    text = "".join(title["source"])
    if "colab-badge.svg" not in text:
        title["source"] = text.rstrip("\n") + "\n\n" + BADGE.format(path=relative)
        changed = True
    setup = next(c for c in cells if c["cell_type"] == "code")
    code = "".join(setup["source"])
    if not code.startswith(MARK):
        raise SystemExit(f"{path}: the first code cell is not the setup cell ({MARK.strip()!r})")
    if "%pip install" not in code:
        setup["source"] = MARK + INSTALL + code[len(MARK):]
        changed = True
    if changed:
        path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        if add(path, f"notebooks/{path.name}"):
            print("updated", path.relative_to(root))
    sys.exit(0)
