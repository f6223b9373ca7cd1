"""cnncourse.translation: a translated edition cannot drift silently from the English one."""
import json

import pytest

from cnncourse import translation


def _notebook(*cells):
    return {"cells": [dict(id=f"cell-{i:02d}", cell_type=kind, metadata={}, source=text,
                           **({"outputs": [{"output_type": "stream", "name": "stdout",
                                            "text": "4\n"}], "execution_count": 1}
                              if kind == "code" else {}))
                      for i, (kind, text) in enumerate(cells)],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def editions(tmp_path):
    english = tmp_path / "notebooks"
    english.mkdir()
    (english / "01_x.ipynb").write_text(json.dumps(_notebook(
        ("markdown", "# Chapter 1 — Convolution"), ("code", "print(2 + 2)"),
        ("markdown", "The output has four values."))))
    return english, english / "ko"


def _translate(path, texts):
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        if cell["id"] in texts:
            cell["source"] = texts[cell["id"]]
    path.write_text(json.dumps(notebook, ensure_ascii=False))


def test_a_new_edition_lists_every_untranslated_cell(editions):
    english, korean = editions
    assert translation.sync(korean) == [str(korean / "01_x.ipynb")]
    found = translation.problems(korean)
    assert [(p.cell, p.what) for p in found] == [("cell-00", "is not translated yet"),
                                                ("cell-02", "is not translated yet")]


def test_translated_and_signed_cells_pass_and_code_is_copied(editions):
    english, korean = editions
    translation.sync(korean)
    _translate(korean / "01_x.ipynb", {"cell-00": "# 1장 — 합성곱", "cell-02": "출력은 네 값이다."})
    translation.sign(korean / "01_x.ipynb", "all")
    assert translation.problems(korean) == []
    code = json.loads((korean / "01_x.ipynb").read_text())["cells"][1]
    assert code["source"] == "print(2 + 2)" and code["outputs"][0]["text"] == "4\n"


def test_editing_an_english_cell_alone_fails_naming_chapter_and_cell(editions):
    english, korean = editions
    translation.sync(korean)
    _translate(korean / "01_x.ipynb", {"cell-00": "# 1장 — 합성곱", "cell-02": "출력은 네 값이다."})
    translation.sign(korean / "01_x.ipynb", ["cell-00", "cell-02"])
    _translate(english / "01_x.ipynb", {"cell-02": "The output has five values."})
    found = translation.problems(korean)
    assert len(found) == 1 and found[0].cell == "cell-02"
    assert "01_x.ipynb" in str(found[0]) and "English text changed" in found[0].what
    translation.sync(korean)  # sync keeps the old translation: still reported
    assert [p.cell for p in translation.problems(korean)] == ["cell-02"]


def test_a_new_english_cell_or_an_edited_code_cell_fails(editions):
    english, korean = editions
    translation.sync(korean)
    translation.sign(korean / "01_x.ipynb", "all")
    notebook = json.loads((english / "01_x.ipynb").read_text())
    notebook["cells"].append(dict(id="cell-03", cell_type="markdown", metadata={}, source="New."))
    (english / "01_x.ipynb").write_text(json.dumps(notebook))
    assert "no translation of English cell(s) cell-03" in translation.problems(korean)[0].what
    translation.sync(korean)
    assert [p.cell for p in translation.problems(korean)] == ["cell-03"]
    _translate(korean / "01_x.ipynb", {"cell-01": "print(2 + 3)"})
    assert any("code or outputs differ" in p.what for p in translation.problems(korean))


def test_a_missing_translation_and_a_bad_sign_are_named(editions):
    english, korean = editions
    korean.mkdir()
    assert "has no translation" in translation.problems(korean)[0].what
    translation.sync(korean)
    with pytest.raises(ValueError, match="no cell 'cell-99'"):
        translation.sign(korean / "01_x.ipynb", "cell-99")
    with pytest.raises(ValueError, match="only markdown cells"):
        translation.sign(korean / "01_x.ipynb", "cell-01")
