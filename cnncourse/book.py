"""The course website (``cnncourse book``): a static site built from the executed notebooks.

The chapters are published as they were executed and tested; nothing is re-executed. :func:`build`
stages the sources in a temporary folder (the chapters, the references page, the student versions
of the homework made by :func:`cnncourse.grading.release.release`, and a landing page with the
chapter map from ``book/intro.md``), runs jupyter-book 1.x on it (Sphinx + myst-nb, execution off)
and adds a local copy of MathJax 3, so a page requests nothing from any host but the site itself.
Sphinx's own search works offline.

Each language is an :class:`Edition`: the English one at the root of the site, the Korean one in
``ko/`` (both are built by default). The two editions use the same file names, so every page has
a language switch (English ↔ 한국어) in its header that links to the same page of the other
edition (to its landing page where that edition has no such page). The glossary (용어집,
``docs/glossary.md``, written in both languages) is a page of both. Needs the ``book`` extra
(``pip install -e ".[book]"``) and MathJax 3 from npm (``npm install --prefix book``, which the
build runs itself when ``npm`` is available).
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

MARKER = ".cnncourse-site"          # written into a built site; only such a folder is replaced
MATHJAX_FILES = ("tex-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre")
LOCAL_HOSTS = {"", "localhost", "127.0.0.1"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass(frozen=True)
class Edition:
    """One language of the course, as folders of the repository (relative to its root)."""

    lang: str            # the pages' language (html lang, Sphinx's interface strings)
    title: str
    notebooks: str       # the executed chapters, ``*.ipynb``, with a README.md chapter map
    homework: str        # the homework solution sources (released to student versions)
    references: str      # the references page (Markdown)
    landing: str         # the landing page template (Markdown with the map markers)
    subdir: str          # where the edition lives in the site ("" = the root)
    chapter_map: str     # the Markdown file whose table describes the chapters ...
    map_section: str     # ... read below this heading ("" = the whole file)
    name: str            # the language's own name, the switch's label on the other edition's pages
    words: tuple         # (chapter, what it covers, Chapters, Appendix, Homework, References, Glossary)


GLOSSARY = "docs/glossary.md"        # bilingual: one page, published in both editions

EDITIONS = {
    "en": Edition("en", "Convolutional networks, computed", "notebooks", "homework",
                  "docs/references.md", "book/intro.md", "", "notebooks/README.md", "",
                  "English", ("chapter", "what it covers", "Chapters", "Appendix", "Homework",
                              "References", "Glossary")),
    "ko": Edition("ko", "계산으로 배우는 합성곱 신경망", "notebooks/ko", "homework/ko",
                  "docs/ko/references.md", "book/ko/intro.md", "ko", "README.md", "## 한국어 안내",
                  "한국어", ("장", "내용", "본문", "부록", "과제", "참고 문헌", "용어집")),
}


@dataclass
class Site:
    """A built site: its folder, the pages per edition, the build time and Sphinx's warnings."""

    path: Path
    pages: list[Path]
    seconds: float
    warnings: list[str]


def repository_root() -> Path:
    """The checkout that holds ``notebooks/`` and ``book/`` (the site is built from a clone)."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "notebooks").is_dir() or not (root / "book").is_dir():
        raise FileNotFoundError(
            f"{str(root)!r} has no notebooks/ and book/ folders: `cnncourse book` builds the site "
            "from a clone of the course repository (pip install -e \".[book]\" in the clone).")
    return root


# --- sources ------------------------------------------------------------------------------------

def _executed(path: Path, notebook) -> None:
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if code and all(cell.get("execution_count") is None and not cell.get("outputs")
                    for cell in code):
        raise ValueError(f"{path.name} has no outputs: the site publishes executed notebooks; run "
                         f"`cnncourse run --inplace {path}` first.")


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?(https?:)?//[^)\s>]+>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"'](?:https?:)?//[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\balt\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)


def local_markdown(text: str) -> str:
    """``text`` with every image from another host replaced by its alt text (e.g. a Colab badge).

    A link around the image stays a link; the page then loads nothing from that host.
    """
    text = _MD_IMAGE.sub(lambda m: m.group(1) or "image", text)
    return _HTML_IMAGE.sub(lambda m: (_ALT.search(m.group(0)) or [None, "image"])[1], text)


def site_notebook(notebook):
    """A copy of ``notebook`` fit for the static site.

    Widget views are dropped (no widget front end runs on a static page; the cell's static
    picture, stored next to the widget, stays), with the widget state of the metadata, and images
    from other hosts in Markdown cells become their alt text.
    """
    import copy

    page = copy.deepcopy(notebook)
    page.metadata.pop("widgets", None)
    for cell in page.cells:
        if cell.cell_type == "markdown":
            cell.source = local_markdown(cell.source)
        elif cell.cell_type == "code":
            cell.outputs = [out for out in cell.get("outputs", [])
                            if WIDGET_VIEW not in out.get("data", {})]
    return page


def title_of(notebook, path: Path) -> str:
    """The notebook's first level-1 heading (its chapter title)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{path.name} has no title: its first Markdown cell should start with "
                     "'# Chapter N — …'.")


def chapter_descriptions(readme: Path, section: str = "") -> dict[str, str]:
    """``{stem: description}`` from a chapter-map table (rows ``| `01_x.ipynb` | text |`` or
    ``| `01_x` | text |``) of a Markdown file, if any; with ``section``, only from the part below
    that heading (up to the next heading of the same or a higher level)."""
    found = {}
    if not readme.is_file():
        return found
    lines = readme.read_text(encoding="utf-8").splitlines()
    if section:
        level = len(section) - len(section.lstrip("#"))
        start = next((i for i, line in enumerate(lines) if line.strip() == section), None)
        if start is None:
            return found
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("#") and
                    len(lines[i]) - len(lines[i].lstrip("#")) <= level), len(lines))
        lines = lines[start + 1:end]
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and re.fullmatch(r"`[\w.-]+`", cells[0]):
            found[cells[0].strip("`").removesuffix(".ipynb")] = cells[1]
    return found


def _table(rows, header) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| [{title}]({link}) | {text} |" for title, link, text in rows]
    return "\n".join(lines)


def _sources(edition: Edition, root: Path) -> list[Path]:
    """The edition's chapter notebooks, after checking that its other sources exist."""
    chapters = sorted((root / edition.notebooks).glob("*.ipynb"))
    if not chapters:
        raise FileNotFoundError(
            f"{edition.notebooks}/ holds no chapter notebooks: the {edition.lang!r} edition is not "
            "written yet; build the editions that exist (e.g. `cnncourse book --lang en`).")
    for name in (edition.references, edition.landing, GLOSSARY):
        if not (root / name).is_file():
            raise FileNotFoundError(f"{name} is missing: the {edition.lang!r} edition needs it.")
    return chapters


def _stage(edition: Edition, root: Path, stage: Path) -> list[str]:
    """Write the edition's book sources into ``stage`` (its ``_config.yml`` is written later by
    :func:`_configure`); returns the toc entries of the chapters and homework."""
    import nbformat

    from .grading import release

    notebooks = root / edition.notebooks
    chapters = _sources(edition, root)
    descriptions = chapter_descriptions(root / edition.chapter_map, edition.map_section)
    main, appendix = [], []
    for path in chapters:
        notebook = nbformat.read(path, as_version=4)
        _executed(path, notebook)
        nbformat.write(site_notebook(notebook), stage / path.name)
        row = (title_of(notebook, path), path.name, descriptions.get(path.stem, ""))
        (appendix if path.stem[:1].isalpha() else main).append(row)

    homework = sorted((root / edition.homework).glob("*.ipynb"))
    assignments = []
    if homework:
        with contextlib.redirect_stdout(io.StringIO()):   # release() prints one line per notebook
            release.release(homework, out=stage / "homework")
        for path in homework:
            page = stage / "homework" / path.name
            notebook = nbformat.read(page, as_version=4)
            nbformat.write(site_notebook(notebook), page)
            assignments.append((title_of(notebook, path), f"homework/{path.name}", ""))

    shutil.copyfile(root / edition.references, stage / "references.md")
    shutil.copyfile(root / GLOSSARY, stage / "glossary.md")
    words = edition.words
    landing = (root / edition.landing).read_text(encoding="utf-8")
    landing = landing.replace("<!-- chapter-map -->", _table(main + appendix, words[:2]))
    landing = landing.replace("<!-- homework-map -->",
                              "\n".join(f"- [{title}]({link})" for title, link, _ in assignments))
    (stage / "index.md").write_text(landing, encoding="utf-8")
    static = stage / "_static"
    static.mkdir()
    for name in ("course.css", "favicon.svg"):
        shutil.copyfile(root / "book" / name, static / name)
    templates = stage / "_templates"
    templates.mkdir()
    shutil.copyfile(root / "book" / "language-switch.html", templates / "language-switch.html")

    def part(caption, rows):
        return {"caption": caption, "chapters": [{"file": link.removesuffix(".ipynb")}
                                                 for _, link, _ in rows]}

    parts = [part(words[2], main), part(words[3], appendix)]
    if assignments:
        parts.append(part(words[4], assignments))
    parts.append({"caption": f"{words[5]} · {words[6]}",
                  "chapters": [{"file": "references"}, {"file": "glossary"}]})
    parts = [p for p in parts if p["chapters"]]
    toc = {"format": "jb-book", "root": "index", "parts": parts}
    # YAML is a superset of JSON: the two files are written as JSON.
    (stage / "_toc.yml").write_text(json.dumps(toc, indent=1, ensure_ascii=False), encoding="utf-8")
    return [row[1] for row in main + appendix + assignments]


def page_names(entries: list[str]) -> list[str]:
    """The pages (Sphinx page names, no suffix) of an edition whose toc entries are ``entries``."""
    return ["index", "references", "glossary", "search", "genindex"] + [
        str(Path(entry).with_suffix("").as_posix()) for entry in entries]


def _switch(edition: Edition, other: Edition | None, other_pages: list[str]) -> dict:
    """What the header's language switch needs: the other edition's folder relative to this
    edition's root, its name and language, and its pages (others link to its landing page)."""
    if other is None:
        return {}
    prefix = (f"{other.subdir}/" if other.subdir else "") if not edition.subdir else \
        "../" * len(Path(edition.subdir).parts) + (f"{other.subdir}/" if other.subdir else "")
    return {"prefix": prefix, "lang": other.lang, "label": other.name, "pages": other_pages}


def _configure(edition: Edition, stage: Path, switch: dict) -> None:
    config = _config(edition)
    config["sphinx"]["config"]["html_context"]["cnncourse_switch"] = switch
    (stage / "_config.yml").write_text(json.dumps(config, indent=1, ensure_ascii=False),
                                       encoding="utf-8")


def _config(edition: Edition) -> dict:
    return {
        "title": edition.title,
        "author": "cnncourse 저자들" if edition.lang == "ko" else "the cnncourse authors",
        "copyright": "",
        "logo": "",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["amsmath", "colon_fence", "dollarmath", "linkify",
                                             "substitution", "tasklist"]},
        "html": {"favicon": "_static/favicon.svg", "use_repository_button": False, "use_issues_button": False,
                 "use_edit_page_button": False, "use_multitoc_numbering": False,
                 "home_page_in_navbar": True, "baseurl": ""},
        "launch_buttons": {"notebook_interface": "jupyterlab", "binderhub_url": "",
                           "jupyterhub_url": "", "colab_url": "", "thebe": False},
        "sphinx": {"recursive_update": True, "config": {
            # jupyter-book's extensions, less sphinx-thebe (its script names a CDN) and intersphinx
            "extensions": ["sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book",
                           "sphinx_comments", "sphinx_external_toc", "sphinx_design",
                           "sphinx_book_theme"],
            "language": edition.lang,
            "mathjax_path": "mathjax/tex-chtml.js",          # relative: served from _static/
            "nb_ipywidgets_js": {},                         # no widget manager from a CDN
            "html_show_copyright": False,
            "html_context": {"default_mode": "auto"},      # light or dark, as the reader's system
            "templates_path": ["_templates"],
            # the language switch, in the header of every page, before the theme's buttons
            "html_theme_options": {"article_header_end": ["language-switch.html",
                                                          "article-header-buttons.html"]},
        }},
    }


# --- MathJax --------------------------------------------------------------------------------------

def find_mathjax(root: Path, mathjax: str | Path | None = None, install: bool = True) -> Path:
    """The folder holding MathJax 3's ``tex-chtml.js`` (npm's ``mathjax/es5``).

    ``mathjax`` if given; else ``book/node_modules/mathjax/es5``, which is installed with npm
    (from ``book/package.json``) when it is missing and ``install`` is true.
    """
    if mathjax is not None:
        folder = Path(mathjax)
        if (folder / "es5" / "tex-chtml.js").is_file():
            folder = folder / "es5"
        if not (folder / "tex-chtml.js").is_file():
            raise FileNotFoundError(f"--mathjax {str(mathjax)!r} holds no tex-chtml.js: give the "
                                    "es5/ folder of the npm package mathjax@3.")
        return folder
    folder = root / "book" / "node_modules" / "mathjax" / "es5"
    if not (folder / "tex-chtml.js").is_file() and install and shutil.which("npm"):
        print("installing MathJax 3 from npm: npm install --prefix book", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(root / "book"), "--no-audit",
                        "--no-fund", "--loglevel=error"], check=False)
    if not (folder / "tex-chtml.js").is_file():
        raise FileNotFoundError(
            "MathJax 3 is not installed, and the site serves its own copy (no CDN): run "
            "`npm install --prefix book` (Node.js's npm, e.g. `apt-get install npm`), or pass "
            "--mathjax DIR with the es5/ folder of the npm package mathjax@3.")
    return folder


def _copy_mathjax(source: Path, static: Path) -> None:
    target = static / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    for name in MATHJAX_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, dirs_exist_ok=True)
        elif path.is_file():
            shutil.copyfile(path, target / name)
    license_file = source.parent / "LICENSE"
    if license_file.is_file():
        shutil.copyfile(license_file, target / "LICENSE")


# --- external hosts -------------------------------------------------------------------------------

class _Resources(HTMLParser):
    """Collects the URLs a page loads: script/img/iframe/source src, link href, inline url()."""

    LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
             "video": "src", "embed": "src", "object": "data", "link": "href"}

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = self.LOADS.get(tag)
        if name and attrs.get(name):
            if tag != "link" or not {"canonical", "alternate"} & set((attrs.get("rel") or "").split()):
                self.urls.append((tag, attrs[name]))
        if tag in ("img", "source") and attrs.get("srcset"):
            self.urls += [(tag, part.split()[0]) for part in attrs["srcset"].split(",") if part.strip()]
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or ""):
            self.urls.append((tag, url))


def external_resources(site: str | Path) -> list[tuple[str, str, str]]:
    """``(page, tag, url)`` for every resource a page or stylesheet of ``site`` loads from a host
    other than the site itself (scripts, styles, images, fonts, frames). An empty list means the
    site works offline."""
    site = Path(site)
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            parser = _Resources()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            urls = parser.urls
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            urls = [("css", url) for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text)]
            urls += [("css", url) for url in re.findall(r"@import\s+['\"]([^'\"]+)", text)]
        else:
            continue
        for tag, url in urls:
            if urlsplit(url.strip()).hostname not in LOCAL_HOSTS | {None}:
                found.append((str(path.relative_to(site)), tag, url))
    return found


# --- the build --------------------------------------------------------------------------------------

def _jupyter_book() -> list[str]:
    try:
        from importlib.metadata import version

        found = version("jupyter-book")
    except Exception:
        raise RuntimeError("the website needs jupyter-book 1.x: pip install -e \".[book]\"") from None
    if not found.startswith("1."):
        raise RuntimeError(f"jupyter-book {found} is installed; the site is built with 1.x (2.x "
                           "needs the internet at build time): pip install \"jupyter-book<2\".")
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


def _sphinx(stage: Path, html: Path) -> list[str]:
    """Run jupyter-book on ``stage`` into ``html``; returns Sphinx's warnings."""
    command = _jupyter_book() + ["build", str(stage), "--path-output", str(html.parent.parent),
                                 "--builder", "html", "--all", "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=stage)
    messages = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)   # no terminal colours
    messages = messages.replace(str(stage) + "/", "")
    warnings = [line for line in messages.splitlines() if "WARNING" in line or "ERROR" in line]
    if done.returncode != 0 or not (html / "index.html").is_file():
        raise RuntimeError(f"jupyter-book failed (exit {done.returncode}):\n{messages[-4000:]}")
    return warnings


def _prepare_out(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise NotADirectoryError(f"--out {str(out)!r} is a file; give a folder for the site.")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise FileExistsError(f"--out {str(out)!r} is not empty and holds no site built by "
                                  "`cnncourse book`; choose an empty or new folder (e.g. build/site).")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def build(out: str | Path = "build/site", languages=("en", "ko"), mathjax: str | Path | None = None,
          root: str | Path | None = None) -> Site:
    """Build the course website into ``out`` (replacing a site built there before).

    ``languages``: the editions to build (keys of :data:`EDITIONS`); the first one is the root
    of the site, the others go into their ``subdir``. Returns a :class:`Site`; raises
    ``RuntimeError`` if a page would load anything from another host.
    """
    start = time.perf_counter()
    root = Path(root) if root is not None else repository_root()
    unknown = [lang for lang in languages if lang not in EDITIONS]
    if unknown or not languages:
        raise ValueError(f"unknown edition(s) {unknown}: choose from {sorted(EDITIONS)}.")
    for lang in languages:
        _sources(EDITIONS[lang], root)
    mathjax_dir = find_mathjax(root, mathjax)
    out = Path(out)
    _prepare_out(out)
    pages, warnings = [], []
    with tempfile.TemporaryDirectory(prefix="cnncourse-book-") as tmp:
        entries = {}
        for lang in languages:                       # every edition is staged before any is built,
            stage = Path(tmp) / lang / "src"          # so each knows the other's pages for its switch
            stage.mkdir(parents=True)
            entries[lang] = _stage(EDITIONS[lang], root, stage)
        for lang in languages:
            edition = EDITIONS[lang]
            other = next((EDITIONS[o] for o in languages if o != lang), None)
            stage = Path(tmp) / lang / "src"
            _configure(edition, stage, _switch(edition, other, page_names(entries[other.lang]))
                       if other else {})
            html = Path(tmp) / lang / "_build" / "html"
            warnings += [f"[{lang}] {line}" for line in _sphinx(stage, html)]
            target = out / edition.subdir if edition.subdir else out
            shutil.copytree(html, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
            _copy_mathjax(mathjax_dir, target / "_static")
            pages += [target / f"{name}.html" for name in page_names(entries[lang])
                      if name != "genindex"]
    (out / MARKER).write_text("built by `cnncourse book`; this folder is replaced on the next build\n")
    external = external_resources(out)
    if external:
        listing = "\n".join(f"  {page}: <{tag}> {url}" for page, tag, url in external[:20])
        raise RuntimeError(f"the site would load {len(external)} resource(s) from other hosts "
                           f"(it must work offline):\n{listing}")
    return Site(out, pages, time.perf_counter() - start, warnings)


def main(out="build/site", languages=("en", "ko"), mathjax=None) -> int:
    """``cnncourse book``: build, print the time, the warnings and where to open the site."""
    site = build(out, languages=languages, mathjax=mathjax)
    for line in site.warnings:
        print(line, file=sys.stderr)
    print(f"built {len(site.pages)} pages into {site.path}/ in {site.seconds:.1f} s "
          f"({len(site.warnings)} warnings); open {site.path / 'index.html'} or serve it with "
          f"`python -m http.server --bind 127.0.0.1 --directory {site.path}`")
    return 0
