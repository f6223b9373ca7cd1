"""The Korean edition (한국어판): complete, in step with the English one, in Korean, one term per concept.

Its code cells are copies of the English ones, outputs included (checked here), so they are not
replayed a second time by nbval (pyproject's addopts ignore notebooks/ko and homework/ko).
"""
import json
import re
from pathlib import Path

import pytest

from cnncourse import translation

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = [(ROOT / "notebooks", ROOT / "notebooks" / "ko"),
            (ROOT / "homework", ROOT / "homework" / "ko")]
MIN_HANGUL = 0.40

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\\\(.*?\\\)", re.DOTALL)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
URL = re.compile(r"https?://\S+|\]\([^)]*\)")
HTML = re.compile(r"<[^>]+>")
CITATION = re.compile(r"\[(ML9|DL1|GDSC|NOTES|MODELS)[^\]]*\]")


def _markdown(path: Path) -> list[tuple[str, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c["id"], "".join(c["source"])) for c in cells if c["cell_type"] == "markdown"]


def prose(text: str) -> str:
    """Markdown without maths, code, URLs, HTML tags and lecture citations."""
    for pattern in (MATH, CODE, URL, HTML, CITATION):
        text = pattern.sub(" ", text)
    return text


def hangul_share(text: str) -> float:
    """Hangul syllables among all letters (Hangul + Latin) of ``text``."""
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return hangul / (hangul + latin) if hangul + latin else 0.0


def _glossary():
    """(English, course form, [variants]) rows of docs/glossary.md."""
    rows = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("English", "---") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[1], [v.strip() for v in cells[2].split(",") if v.strip()]))
    return rows


def misused_variants(text: str, rows) -> list[str]:
    """Lecture variants used outside an introduction right after the course's own form.

    A variant may appear only inside the parentheses that follow the course's form (the
    parentheses may wrap onto the next line), e.g. "합성곱(convolution, 강의에 따라 '컨볼루션')".
    """
    found = []
    for _, chosen, variants in rows:
        for variant in variants:
            for match in re.finditer(re.escape(variant), text):
                if chosen in variant and text.startswith(chosen, match.start()):
                    continue  # the variant only extends the chosen form, e.g. 최대 풀링 in …
                if variant in chosen and any(
                        text.startswith(chosen, start) and start + len(chosen) >= match.end()
                        for start in range(max(0, match.start() - len(chosen)), match.start() + 1)):
                    continue  # the variant is part of the chosen form, e.g. 역전파 in 오차 역전파
                before = text[max(0, match.start() - 80):match.start()]
                opened = before.rfind("(")
                if opened == -1 or ")" in before[opened:] or chosen not in before[:opened + 1][-30:]:
                    found.append(variant)
    return found


def test_the_glossary_gives_one_form_per_concept():
    rows = _glossary()
    assert len(rows) >= 60
    forms = [chosen for _, chosen, _ in rows]
    assert len(set(forms)) == len(forms), "a Korean form is used for two concepts"
    variants = [v for _, _, vs in rows for v in vs]
    assert not set(variants) & set(forms), "a variant is also a chosen form"
    for must in ("합성곱", "스트라이드", "드롭아웃", "잔차 학습"):
        assert must in forms


def test_the_variant_rule_can_fail():
    rows = [("convolution", "합성곱", ["컨볼루션"])]
    assert misused_variants("합성곱(convolution, 강의에 따라 '컨볼루션')을 살펴보자.", rows) == []
    assert misused_variants("컨볼루션 층을 쌓는다.", rows) == ["컨볼루션"]
    nested = [("backpropagation", "오차 역전파", ["역전파"])]
    assert misused_variants("오차 역전파로 기울기를 구한다.", nested) == []
    assert misused_variants("역전파로 기울기를 구한다.", nested) == ["역전파"]


def test_hangul_share_ignores_maths_code_and_citations():
    text = "합성곱 $y = \\sum_k w_k x_{i+k}$ 은 `ops.conv2d`로 [GDSC, \"Stride & Padding\"] 계산한다."
    assert hangul_share(prose(text)) == 1.0
    assert hangul_share(prose("A convolution layer")) == 0.0


@pytest.mark.parametrize("english, korean", EDITIONS, ids=["notebooks", "homework"])
def test_every_notebook_is_translated_and_in_step(english, korean):
    assert korean.is_dir(), f"{korean.relative_to(ROOT)} is missing: the Korean edition"
    found = translation.problems(korean, english)
    assert not found, "the Korean edition drifted:\n" + "\n".join(map(str, found[:30]))


def _korean_notebooks():
    return sorted(p for _, k in EDITIONS for p in k.glob("*.ipynb"))


@pytest.mark.parametrize("path", _korean_notebooks(), ids=lambda p: p.name)
def test_korean_notebooks_are_written_in_korean(path):
    text = prose("\n".join(source for _, source in _markdown(path)))
    share = hangul_share(text)
    assert share >= MIN_HANGUL, f"{path.name}: Hangul is {share:.0%} of the prose's letters"


@pytest.mark.parametrize("path", _korean_notebooks(), ids=lambda p: p.name)
def test_korean_notebooks_use_the_glossary_forms(path):
    rows = _glossary()
    wrong = {(cell, v) for cell, source in _markdown(path)
             for v in misused_variants(prose(source), rows)}
    assert not wrong, (f"{path.name}: lecture variants used instead of the glossary's form "
                       f"(introduce them in parentheses after the course's form): {sorted(wrong)}")


def test_editing_an_english_chapter_alone_is_caught(tmp_path):
    """On a copy of a real chapter: change one English markdown cell, and the drift test names it."""
    import shutil

    name = "03_lti_systems.ipynb"
    (tmp_path / "ko").mkdir()
    shutil.copy(ROOT / "notebooks" / name, tmp_path / name)
    shutil.copy(ROOT / "notebooks" / "ko" / name, tmp_path / "ko" / name)
    assert translation.problems(tmp_path / "ko", tmp_path) == []
    notebook = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown" and "## 2." in
                "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("impulse response", "impulse answer")
    (tmp_path / name).write_text(json.dumps(notebook), encoding="utf-8")
    found = translation.problems(tmp_path / "ko", tmp_path)
    assert len(found) == 1 and found[0].cell == cell["id"] and name in found[0].notebook
    assert "English text changed" in found[0].what
