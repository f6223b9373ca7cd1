"""The course website, built once per session and read in a real browser (headless Chromium).

Every page of the site is opened from a static server on 127.0.0.1 and must load with no console
error and no request to any other host; its maths must be typeset by the site's own MathJax (no
raw ``$`` or ``\\(`` left in the text), every image must load, every link to a page of the site
must resolve (fragment included). Both editions are read this way: the English one at the root and
the Korean one in ``ko/`` (한국어판). Korean (the references page, the Korean chapters) must render
with a real CJK font, not boxes; every page has one language switch, and it leads to the same page
of the other edition and back; the search finds a chapter in both languages.

Needs the ``book`` extra, MathJax from npm (``npm install --prefix book``), Playwright (``test``
extra) and Debian's ``chromium`` and ``fonts-noto-cjk``; without them these tests are skipped,
except in CI (``CI=true``), where they fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.system]  # builds the site, then Chromium

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CNNCOURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HOST = "127.0.0.1"
BUILD_SECONDS = 60
HANGUL = re.compile("[\uac00-\ud7a3]")
CJK_FONT = re.compile(r"CJK|KR|Korean|Hangul|Nanum|Gothic|Source Han|Malgun|Batang|Gulim|Dotum",
                      re.IGNORECASE)

# The page list comes from the sources, so a chapter that fails to build is a failing page here.
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
HOMEWORK = sorted(f"homework/{p.stem}" for p in (ROOT / "homework").glob("*.ipynb"))
EN_PAGES = ["index", "references", "glossary", "search"] + CHAPTERS + HOMEWORK
# The Korean edition (ko/): whatever notebooks/ko/ and homework/ko/ hold, same file names.
KO_CHAPTERS = sorted(f"ko/{p.stem}" for p in (ROOT / "notebooks/ko").glob("*.ipynb"))
KO_HOMEWORK = sorted(f"ko/homework/{p.stem}" for p in (ROOT / "homework/ko").glob("*.ipynb"))
KO_PAGES = ["ko/index", "ko/references", "ko/glossary", "ko/search"] + KO_CHAPTERS + KO_HOMEWORK
PAGES = EN_PAGES + KO_PAGES


def need(ok: bool, what: str, fix: str) -> None:
    """Skip when ``what`` is missing here, fail in CI (CI=true): the site tests must run there."""
    if ok:
        return
    message = f"{what} is missing: {fix}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: .ci/run installs it)")
    pytest.skip(message)


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built once for this module into a temporary folder."""
    need(_importable("jupyter_book"), "jupyter-book 1.x", 'pip install -e ".[book]"')
    need((ROOT / "book/node_modules/mathjax/es5/tex-chtml.js").is_file() or bool(shutil.which("npm")),
         "MathJax 3 (npm)", "npm install --prefix book")
    from cnncourse import book

    return book.build(tmp_path_factory.mktemp("site") / "site", languages=("en", "ko"), root=ROOT)


@pytest.fixture(scope="module")
def server(site):
    """``http://127.0.0.1:PORT`` serving the site; the server is stopped by its process group."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", HOST,
                                "--directory", str(site.path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/index.html", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the static server on {url} did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium context with a fresh profile, recording every request it makes."""
    need(_importable("playwright"), "Playwright", 'pip install -e ".[test]"')
    need(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})", "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        try:
            yield context
        finally:
            context.close()


# JavaScript run in the page once it has loaded.
WAIT_FOR_MATHJAX = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    return true;
  }
  return false;
}"""
LOAD_IMAGES = """async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.filter(img => !img.complete || img.naturalWidth === 0)
               .map(img => img.getAttribute("src"));
}"""
MATHS = """() => {
  const maths = Array.from(document.querySelectorAll(".math"));
  const raw = maths.filter(el => !el.querySelector("mjx-container")).map(el => el.textContent);
  const body = document.querySelector("main") || document.body;
  const prose = body.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, textarea, noscript, mjx-container, "
                         + ".highlight, .output.text_plain").forEach(el => el.remove());
  return {count: maths.length, typeset: document.querySelectorAll("mjx-container").length,
          untypeset: raw.slice(0, 5), text: prose.textContent};
}"""
LINKS = """() => Array.from(document.querySelectorAll("a[href]")).map(a => a.href)"""
SWITCH = """() => ({lang: document.documentElement.lang,
                  switches: Array.from(document.querySelectorAll("a.cnncourse-language-switch"))
                                 .map(a => ({href: a.href, text: a.textContent.trim(),
                                             visible: a.offsetParent !== null}))})"""


def counterpart(page: str) -> str:
    """The same page in the other edition (its landing page where that edition has none)."""
    other = page.removeprefix("ko/") if page.startswith("ko/") else f"ko/{page}"
    return other if other in PAGES else ("index" if page.startswith("ko/") else "ko/index")


def leftover_tex(text: str) -> list[str]:
    """Raw TeX left in the prose of a page: ``\\(``, ``\\[``, ``$$`` or a ``$...$`` pair."""
    found = re.findall(r"\\\(.{0,40}|\\\[.{0,40}|\$\$.{0,40}", text)
    found += re.findall(r"\$[^$\s][^$\n]{0,80}\$", text)
    return found


def test_leftover_tex_finds_raw_maths():
    assert leftover_tex(r"a \(x^2\) and $y = 1$ and $$z$$")
    assert not leftover_tex("costs 5 dollars; 합성곱 (convolution) and f(x)")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


_TARGETS: dict[str, tuple[int, set[str]]] = {}


def fetch_target(url: str) -> tuple[int, set[str]]:
    """HTTP status and element ids of a page of the site (cached across pages)."""
    if url not in _TARGETS:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                parser = _Ids()
                if url.endswith((".html", "/")):
                    parser.feed(response.read().decode("utf-8", errors="replace"))
                _TARGETS[url] = (response.status, parser.ids)
        except urllib.error.HTTPError as exc:
            _TARGETS[url] = (exc.code, set())
    return _TARGETS[url]


def broken_links(hrefs: list[str], server: str) -> list[str]:
    broken = []
    for href in sorted(set(hrefs)):
        if not href.startswith(server + "/"):
            continue                                  # a link to another site is not loaded
        url, fragment = urldefrag(href)
        status, ids = fetch_target(url.split("?")[0])
        if status != 200:
            broken.append(f"{href} -> HTTP {status}")
        elif fragment and url.endswith(".html") and fragment not in ids:
            broken.append(f"{href} -> no element with id {fragment!r}")
    return broken


def test_the_korean_edition_has_every_chapter():
    """Not vacuous: the Korean pages tested are the chapters of notebooks/ko/ and homework/ko/."""
    assert KO_CHAPTERS and KO_HOMEWORK
    assert "ko/04_cnn_layers" in KO_CHAPTERS and counterpart("ko/04_cnn_layers") == "04_cnn_layers"
    assert counterpart("homework/" + HOMEWORK[0].split("/")[-1]).startswith("ko/homework/")


TABS = 4   # pages read at once (each waits on its server, MathJax and fonts as much as on a core)


async def _read_page(context, server: str, page: str) -> dict:
    """Open one page in its own tab and read back what the assertions below need."""
    tab = await context.new_page()
    report = {"errors": [], "requests": [], "status": None}
    errors = report["errors"]
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    tab.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    tab.on("request", lambda request: report["requests"].append(request.url))
    try:
        response = await tab.goto(f"{server}/{page}.html", wait_until="load")
        report["status"] = response.status if response is not None else None
        await tab.evaluate(WAIT_FOR_MATHJAX)
        report["missing_images"] = await tab.evaluate(LOAD_IMAGES)
        report["maths"] = await tab.evaluate(MATHS)
        report["hrefs"] = await tab.evaluate(LINKS)
        report["switch"] = await tab.evaluate(SWITCH)
        await tab.evaluate("() => document.fonts.ready.then(() => true)")   # MathJax's fonts too
        await tab.wait_for_timeout(200)     # a late console error still lands in the report
    finally:
        await tab.close()
    return report


def _read_every_page(server: str, profile: Path) -> dict:
    """Every page of ``PAGES``, ``TABS`` at a time, in a Chromium of its own (asyncio in a
    thread of its own, so that it never meets the synchronous ``browser`` fixture's loop)."""
    import asyncio
    import threading

    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900})
            gate = asyncio.Semaphore(TABS)

            async def one(page):
                async with gate:
                    try:
                        return page, await _read_page(context, server, page)
                    except Exception as exc:   # reported by that page's test, not by all
                        return page, {"failure": f"{type(exc).__name__}: {exc}"}
            try:
                return dict(await asyncio.gather(*(one(page) for page in PAGES)))
            finally:
                await context.close()

    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(pages=asyncio.run(main())))
    worker.start()
    worker.join()
    if "pages" not in result:
        raise RuntimeError("the pages could not be read in Chromium (see the log above)")
    return result["pages"]


@pytest.fixture(scope="module")
def page_reports(site, server, tmp_path_factory):
    need(_importable("playwright"), "Playwright", 'pip install -e ".[test]"')
    need(Path(CHROMIUM).is_file(), f"Chromium ({CHROMIUM})", "apt-get install -y chromium")
    return _read_every_page(server, tmp_path_factory.mktemp("chromium-pages"))


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_with_maths_images_and_links(page, site, server, page_reports):
    assert (site.path / f"{page}.html").is_file(), f"the build wrote no {page}.html"
    report = page_reports[page]
    assert "failure" not in report, f"{page}: {report.get('failure')}"
    assert report["status"] == 200, f"{page}: HTTP {report['status']}"
    errors, missing_images, maths = report["errors"], report["missing_images"], report["maths"]
    hrefs, switch = report["hrefs"], report["switch"]
    outside = [url for url in report["requests"] if urlsplit(url).scheme in ("http", "https", "ws", "wss")
               and urlsplit(url).hostname != HOST]
    assert not outside, f"{page}: requests to other hosts: {outside}"
    assert not errors, f"{page}: console errors: {errors}"
    assert not missing_images, f"{page}: images that did not load: {missing_images}"
    assert not maths["untypeset"], f"{page}: maths MathJax did not typeset: {maths['untypeset']}"
    if maths["count"]:
        assert maths["typeset"] >= maths["count"], f"{page}: {maths}"
    assert not leftover_tex(maths["text"]), f"{page}: raw TeX in the text: {leftover_tex(maths['text'])}"
    assert not broken_links(hrefs, server), f"{page}: broken links: {broken_links(hrefs, server)}"
    assert switch["lang"] == ("ko" if page.startswith("ko/") else "en"), f"{page}: {switch}"
    assert len(switch["switches"]) == 1, f"{page}: not one language switch: {switch}"
    link = switch["switches"][0]
    assert link["visible"], f"{page}: the language switch is hidden: {link}"
    assert link["href"] == f"{server}/{counterpart(page)}.html", f"{page}: switch goes to {link}"
    assert link["text"] == ("English" if page.startswith("ko/") else "한국어"), link


def test_chapters_have_typeset_maths(site, server, browser):
    """The maths check above is not vacuous: the chapters that write formulas get MathJax."""
    tab = browser.new_page()
    try:
        tab.goto(f"{server}/04_cnn_layers.html", wait_until="load")
        assert tab.evaluate(WAIT_FOR_MATHJAX), "chapter 4 loads no MathJax"
        maths = tab.evaluate(MATHS)
        src = tab.evaluate("() => document.querySelector('script[src*=tex-chtml]').src")
    finally:
        tab.close()
    assert maths["count"] >= 5 and maths["typeset"] >= maths["count"], maths
    assert src.startswith(server + "/_static/mathjax/"), src


@pytest.mark.parametrize("page", ["references", "ko/index", "ko/04_cnn_layers", "ko/glossary"])
def test_korean_renders_with_a_cjk_font(page, site, server, browser):
    """A Hangul run of the page's text is drawn by a CJK font, and not as tofu boxes."""
    tab = browser.new_page()
    try:
        tab.goto(f"{server}/{page}.html", wait_until="load")
        tab.evaluate("() => document.fonts.ready.then(() => true)")
        probe = tab.evaluate("""() => {
          const walker = document.createTreeWalker(document.querySelector("main") || document.body,
                                                   NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const run = node.textContent.match(/[\\uac00-\\ud7a3]+/);
            if (run) {
              const host = node.parentElement;
              const probe = text => {     // the run alone, on one line, in the text's own font
                const span = document.createElement("span");
                span.style.cssText = "position:absolute; left:0; top:0; white-space:nowrap";
                span.style.font = getComputedStyle(host).font;
                span.textContent = text;
                document.body.appendChild(span);
                return span;
              };
              const span = probe(run[0]);
              span.id = "hangul-probe";
              const tofu = probe("\\u0378".repeat(run[0].length));   // unassigned: always a box
              const widths = [span.getBoundingClientRect().width, tofu.getBoundingClientRect().width];
              tofu.remove();
              return {text: run[0], family: getComputedStyle(host).fontFamily,
                      hangul: widths[0], tofu: widths[1]};
            }
          }
          return null;
        }""")
        assert probe is not None, f"{page} has no Hangul"
        cdp = browser.new_cdp_session(tab)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        document = cdp.send("DOM.getDocument")
        node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"],
                                              "selector": "#hangul-probe"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        tab.close()
    print(f"\nHangul {probe['text']!r}: {probe['hangul']:.1f} px wide (tofu {probe['tofu']:.1f} px), "
          f"drawn with {fonts}")
    assert HANGUL.search(probe["text"])
    used = [font["familyName"] for font in fonts if font["glyphCount"] > 0]
    assert used and all(CJK_FONT.search(name) for name in used), \
        f"Hangul {probe['text']!r} is drawn with {fonts} (CSS font-family {probe['family']})"
    assert abs(probe["hangul"] - probe["tofu"]) > 0.5, f"Hangul as wide as tofu boxes: {probe}"


@pytest.mark.parametrize("page", ["04_cnn_layers", HOMEWORK[0], "glossary", "search",
                                  "A1_slide_errata"])
def test_the_switch_goes_to_the_same_page_in_korean_and_back(page, site, server, browser):
    """Clicking 한국어 opens the Korean page with the same name; clicking English comes back."""
    tab = browser.new_page()
    try:
        tab.goto(f"{server}/{page}.html", wait_until="load")
        english_title = tab.title()
        with tab.expect_navigation():
            tab.click("a.cnncourse-language-switch")
        korean = tab.evaluate(SWITCH)
        korean_url, korean_title = tab.url, tab.title()
        korean_text = tab.evaluate("() => (document.querySelector('main') || document.body).innerText")
        with tab.expect_navigation():
            tab.click("a.cnncourse-language-switch")
        back_url = tab.url
    finally:
        tab.close()
    assert korean_url == f"{server}/ko/{page}.html", korean_url
    assert korean["lang"] == "ko" and korean_title != english_title, (korean_title, english_title)
    least = 2 if page == "search" else 20           # the search page says little: 검색 (search)
    assert len(HANGUL.findall(korean_text)) >= least, f"ko/{page} has little Korean: {korean_text[:200]}"
    assert back_url == f"{server}/{page}.html", back_url


@pytest.mark.parametrize("page, query, chapter", [("search", "padding", "04_cnn_layers"),
                                                  ("ko/search", "패딩", "04_cnn_layers")])
def test_search_finds_a_chapter(page, query, chapter, site, server, browser):
    tab = browser.new_page()
    try:
        tab.goto(f"{server}/{page}.html?q={query}", wait_until="load")
        tab.wait_for_selector("ul.search li a", timeout=30_000)
        found = tab.evaluate("() => Array.from(document.querySelectorAll('ul.search li a'))"
                             ".map(a => a.getAttribute('href'))")
    finally:
        tab.close()
    assert any(chapter in href for href in found), found


def test_the_site_is_built_in_time_without_warnings(site):
    print(f"\nsite built in {site.seconds:.1f} s, {len(site.pages)} pages")
    assert site.seconds <= BUILD_SECONDS, f"the build took {site.seconds:.1f} s (goal {BUILD_SECONDS} s)"
    assert not site.warnings, "Sphinx warnings:\n" + "\n".join(site.warnings)
    assert {p.relative_to(site.path).with_suffix("").as_posix() for p in site.pages} == set(PAGES)


def test_the_html_names_no_other_host(site):
    from cnncourse import book

    assert book.external_resources(site.path) == []
    hosts = set()
    for page in site.path.rglob("*.html"):
        for match in re.finditer(r"<(script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"",
                                 page.read_text(encoding="utf-8")):
            host = urlsplit(match.group(2)).hostname
            if host and host not in ("localhost", HOST):
                hosts.add((page.name, match.group(2)))
    assert not hosts, sorted(hosts)[:10]


def test_the_landing_page_maps_every_chapter_and_assignment(site):
    landing = (site.path / "index.html").read_text(encoding="utf-8")
    for stem in CHAPTERS + HOMEWORK:
        assert f'href="{stem}.html"' in landing, f"the landing page does not link {stem}"
    korean = (site.path / "ko" / "index.html").read_text(encoding="utf-8")
    for stem in KO_CHAPTERS + KO_HOMEWORK:
        link = stem.removeprefix("ko/")
        assert f'href="{link}.html"' in korean, f"the Korean landing page does not link {link}"


def test_homework_pages_are_student_versions(site):
    """The published homework is the released student version: no line of a solution survives."""
    from cnncourse.grading.release import BEGIN_SOLUTION, END_SOLUTION

    for source, edition in [(p, "") for p in sorted((ROOT / "homework").glob("*.ipynb"))] + \
            [(p, "ko/") for p in sorted((ROOT / "homework/ko").glob("*.ipynb"))]:
        solution_lines, other_lines = set(), set()
        for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                if line.strip() in (BEGIN_SOLUTION, END_SOLUTION):
                    inside = line.strip() == BEGIN_SOLUTION
                elif len(line.strip()) > 12:
                    (solution_lines if inside else other_lines).add(line.strip())
        solution_lines -= other_lines        # a line also written outside a solution may stay
        assert solution_lines, f"{source.name}: no solution region found (the check is vacuous)"
        published = json.loads((site.path / edition / "_sources/homework" / source.name).read_text())
        text = "\n".join("".join(cell["source"]) for cell in published["cells"])
        html = (site.path / edition / "homework" / f"{source.stem}.html").read_text(encoding="utf-8")
        assert "YOUR CODE HERE" in text and "YOUR CODE HERE" in html
        leaked = solution_lines & {line.strip() for line in text.splitlines()}
        assert not leaked, f"{source.name}: solution lines published: {sorted(leaked)[:3]}"
    assert not list(site.path.rglob("*.ipynb")) or all(
        BEGIN_SOLUTION not in p.read_text(encoding="utf-8") for p in site.path.rglob("*.ipynb"))
