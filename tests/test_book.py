"""The website build's own tools (no browser, no Sphinx): offline pages, widget outputs, editions.

The site itself is built and read in a browser by tests/test_site_browser.py.
"""
import re
from pathlib import Path

import nbformat
import pytest

from cnncourse import book

ROOT = Path(__file__).resolve().parent.parent
HANGUL = re.compile("[\uac00-\ud7a3]")


def test_images_from_other_hosts_become_their_alt_text():
    badge = ("[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
             "(https://colab.research.google.com/github/x/y.ipynb)")
    assert book.local_markdown(badge) == "[Open in Colab](https://colab.research.google.com/github/x/y.ipynb)"
    assert book.local_markdown('<img src="//cdn.example.org/a.png" alt="a plot">') == "a plot"
    local = "![the windows](figures/windows.png) and <img src='figures/a.png'>"
    assert book.local_markdown(local) == local


def test_site_notebook_drops_widget_views_and_keeps_the_static_picture():
    notebook = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
    cell = nbformat.v4.new_code_cell("explorer()", outputs=[
        nbformat.v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2},
            "text/plain": "interactive(children=(IntSlider(...)))"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                     "text/plain": "<Figure>"}),
    ])
    notebook.cells = [nbformat.v4.new_markdown_cell("![b](https://x.org/b.svg)"), cell]
    page = book.site_notebook(notebook)
    assert "widgets" not in page.metadata and "widgets" in notebook.metadata     # a copy
    assert [list(out["data"]) for out in page.cells[1].outputs] == [["image/png", "text/plain"]]
    assert page.cells[0].source == "b"


def test_external_resources_finds_every_kind_of_load(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text(
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Noto">'
        '<link rel="canonical" href="https://example.org/index.html">'
        '<img src="_images/a.png"><img src="http://127.0.0.1:8000/b.png">'
        '<a href="https://arxiv.org/abs/1512.03385">ResNet</a>'
        '<div style="background: url(https://x.org/bg.png)"></div>')
    (tmp_path / "_static" / "s.css").write_text(
        '@font-face { src: url("https://fonts.gstatic.com/a.woff2"); } .x { background: url(ok.png) }')
    found = {(page, url) for page, _, url in book.external_resources(tmp_path)}
    assert found == {("index.html", "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"),
                     ("index.html", "//fonts.googleapis.com/css?family=Noto"),
                     ("index.html", "https://x.org/bg.png"),
                     ("_static/s.css", "https://fonts.gstatic.com/a.woff2")}


def test_chapter_descriptions_come_from_the_readme_map(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| notebook | chapter |\n|---|---|\n| `04_cnn_layers.ipynb` | padding, stride |\n")
    assert book.chapter_descriptions(readme) == {"04_cnn_layers": "padding, stride"}
    assert book.chapter_descriptions(tmp_path / "missing.md") == {}


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="choose an empty or new folder"):
        book._prepare_out(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_an_unwritten_edition_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "site"
    with pytest.raises(FileNotFoundError, match="notebooks/ko/ holds no chapter notebooks"):
        book.build(out, languages=("ko",), root=tmp_path)
    with pytest.raises(ValueError, match="choose from"):
        book.build(out, languages=("fr",), root=tmp_path)
    assert not out.exists()


def test_an_unexecuted_notebook_is_refused(tmp_path):
    path = tmp_path / "01_x.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    with pytest.raises(ValueError, match="cnncourse run --inplace"):
        book._executed(path, notebook)


def test_a_wrong_mathjax_folder_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="mathjax@3"):
        book.find_mathjax(tmp_path, mathjax=tmp_path)
    with pytest.raises(FileNotFoundError, match="npm install --prefix book"):
        book.find_mathjax(tmp_path, install=False)


def test_chapter_descriptions_can_come_from_one_section_of_a_file(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("## Chapters\n\n| `04_cnn_layers` | padding |\n\n## 한국어 안내\n\n### 장 구성\n\n"
                      "| 노트북 | 내용 |\n|---|---|\n| `04_cnn_layers` | 패딩 |\n\n## Layout\n\n"
                      "| `04_cnn_layers` | later |\n")
    assert book.chapter_descriptions(readme, "## 한국어 안내") == {"04_cnn_layers": "패딩"}
    assert book.chapter_descriptions(readme, "## Nowhere") == {}


def test_the_korean_map_describes_every_korean_chapter():
    """The Korean landing page's chapter map takes its descriptions from the README's 한국어 안내."""
    ko = book.EDITIONS["ko"]
    found = book.chapter_descriptions(ROOT / ko.chapter_map, ko.map_section)
    chapters = {p.stem for p in (ROOT / ko.notebooks).glob("*.ipynb")}
    assert chapters and chapters <= set(found), f"no Korean description for {sorted(chapters - set(found))}"
    assert all(HANGUL.search(found[stem]) for stem in chapters)


def test_the_switch_links_each_edition_to_the_other():
    en, ko = book.EDITIONS["en"], book.EDITIONS["ko"]
    assert book._switch(en, ko, ["index"])["prefix"] == "ko/"
    assert book._switch(ko, en, ["index"])["prefix"] == "../"
    assert book._switch(en, None, []) == {}


def test_the_korean_references_page_names_every_lecture_in_its_own_language():
    """docs/ko/references.md keeps in step with cnncourse.references.LECTURES and docs/references.md:
    every lecture by key, its own title (Korean for the Korean documents), author, date and the
    institution as the document writes it; every paper of the English page, titles unchanged."""
    from cnncourse.references import LECTURES

    page = (ROOT / "docs" / "ko" / "references.md").read_text(encoding="utf-8")
    english = (ROOT / "docs" / "references.md").read_text(encoding="utf-8")
    for key, lecture in LECTURES.items():
        row = next((line for line in page.splitlines() if line.startswith(f"| `{key}` |")), "")
        assert row, f"docs/ko/references.md has no row for the lecture {key}"
        title = lecture.title.split(",")[0].split(" (")[0]
        assert f"*{title}*" in row, f"docs/ko/references.md names {key} without its title {title!r}"
        for given in (lecture.author, lecture.date):
            assert given in row, f"docs/ko/references.md leaves out {given!r} of {key}"
        for own in re.findall(r"[\uac00-\ud7a3][\uac00-\ud7a3 ]*", lecture.institution):
            assert own.strip() in row, f"docs/ko/references.md leaves out {own!r} of {key}"
    papers = re.findall(r"\*([^*]+)\*", english.split("## Papers")[1].split("\n## ")[0])
    assert len(papers) >= 15
    missing = [paper for paper in papers if f"*{paper}*" not in page]
    assert not missing, f"docs/ko/references.md lacks papers of docs/references.md: {missing}"
    letters = re.sub(r"`[^`]*`|\*[^*]*\*|\([^)]*\)", "", page)
    hangul = len(HANGUL.findall(letters))
    assert hangul > 0.4 * len(re.findall(r"[A-Za-z\uac00-\ud7a3]", letters)), "mostly not Korean"
