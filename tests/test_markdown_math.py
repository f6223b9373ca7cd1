"""Markdown cells of the chapters: no wrapped formula may continue on a line that reads as a bullet.

In Markdown a line that starts with "+ ", "- " or "* " begins a list item, even in the middle of a
``$...$`` formula that was wrapped across lines. Jupyter may still show the formula, but exported
pages (nbconvert's HTML, the course book) cut it into a paragraph and a bullet: chapter 5 once
wrapped ``$400 \\times 120`` / ``+ 120 = 48{,}120$``. A ``$$`` display formula that opens at the
start of a line is parsed as one block and is safe. Wrap formulas before a word, not an operator.
"""
import json
import pathlib
import re

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
BULLET = re.compile(r"^\s{0,3}[-+*]\s")


def wrapped_formula_bullets(markdown: str) -> list[str]:
    """Lines that continue an inline formula ($...$, or $$ opened mid-line) with '+ ', '- ', '* '."""
    found, state = [], None                     # state: None, "inline" or "block"
    for line in markdown.splitlines():
        if state == "inline" and BULLET.match(line):
            found.append(line)
        text = re.sub(r"`[^`]*`", "", line.replace(r"\$", ""))   # code spans and \$ hold no maths
        for token in re.finditer(r"\$\$|\$", text):
            if state is not None:
                state = None
            elif token.group() == "$$" and not text[:token.start()].strip():
                state = "block"
            else:
                state = "inline"
    return found


def test_the_checker_finds_a_wrapped_formula():
    assert wrapped_formula_bullets("is $400 \\times 120\n+ 120 = 48{,}120$.") == ["+ 120 = 48{,}120$."]
    assert wrapped_formula_bullets("so $$a\n- b$$") == ["- b$$"]
    assert wrapped_formula_bullets("$$a\n+ b$$\n\n$a + b$\n- a bullet\n* another, `$`") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_wrapped_formula_reads_as_a_list_item(path):
    cells = json.loads(path.read_text())["cells"]
    bad = [(i, line) for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
           for line in wrapped_formula_bullets("".join(cell["source"]))]
    assert not bad, f"{path.name}: markdown cell(s) where a wrapped formula reads as a bullet: {bad}"
