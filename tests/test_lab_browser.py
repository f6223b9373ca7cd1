"""Chapter 4's conv-arithmetic explorer in a real JupyterLab, driven by headless Chromium.

A JupyterLab server (127.0.0.1, a free port, a random token, a temporary copy of notebooks/ and
its own settings) runs as a subprocess in its own process group; Playwright drives Debian's
Chromium (/usr/bin/chromium, never a downloaded browser) to open chapter 4, run the setup cell and
the explorer cell, move sliders with the keyboard and read the result line the widget prints. The
expected lines come from ``shapes.conv_output_size``, not from the widget code.

Outside CI the test skips when Chromium or Playwright is missing; with CI=true it fails instead
(.ci/run installs both).
"""
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from system_helpers import free_port, missing

from cnncourse import shapes

pytestmark = [pytest.mark.slow, pytest.mark.system]  # a JupyterLab server and Chromium

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "04_cnn_layers.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
RESULT = ".cnncourse-result"          # interactive.RESULT_CLASS
SERVER_START_S, KERNEL_S = 90, 240    # a cold TensorFlow import on 2 busy cores is slow




def _cell_index(notebook: Path, needle: str) -> int:
    """Index (among all cells, as JupyterLab lays them out) of the code cell containing needle."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = [i for i, cell in enumerate(cells)
             if cell["cell_type"] == "code" and needle in "".join(cell["source"])]
    assert len(found) == 1, f"{CHAPTER}: expected one code cell containing {needle!r}, got {found}"
    return found[0]


@pytest.fixture
def lab(tmp_path):
    """(base URL, token, root folder) of a JupyterLab server that is stopped after the test."""
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "ko"))
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the page (no virtual scrolling), so cells can be found by their position
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items()
           if key not in ("CNNCOURSE_WIDGETS", "JPY_SESSION_NAME")}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), IPYTHONDIR=str(tmp_path / "ipython"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
         f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={tmp_path / 'lab-settings'}",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", "--LabApp.news_url=",
         *(["--allow-root"] if os.geteuid() == 0 else [])],   # CI runs as root
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            assert server.poll() is None, ("jupyter lab exited at start:\n"
                                           + (tmp_path / "lab.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, \
                f"jupyter lab did not answer within {SERVER_START_S} s"
            time.sleep(0.5)
        yield base, token, root
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)      # the server shuts its kernels down
            server.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        finally:
            _stop_kernels_of(tmp_path / "runtime")
            log.close()


def _stop_kernels_of(runtime: Path) -> None:
    """Kill kernels left behind by this server: their command line names its runtime folder.

    jupyter_client starts each kernel in a session of its own, so the server's process group
    does not hold them; a server that shuts down cleanly has stopped them already.
    """
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if str(runtime) in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, UnicodeDecodeError):
            continue


@pytest.fixture
def browser_page(tmp_path):
    """A page of a fresh headless Chromium profile, closed after the test."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            yield page
        finally:
            context.close()


def _run_cell(page, index: int, count: int, timeout_s: float):
    """Select cell ``index``, run it (Ctrl+Enter) and wait for its prompt to show ``[count]:``.

    The outputs were cleared and the kernel is fresh, so the n-th cell run gets count n.
    """
    cell = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputArea-prompt")
    prompt.click()
    page.keyboard.press("Control+Enter")
    _wait_for_text(page, prompt, f"[{count}]:", timeout_s)
    outputs = cell.locator(".jp-OutputArea").inner_text()
    assert "Traceback" not in outputs, f"cell {index} failed in JupyterLab:\n{outputs[-3000:]}"
    return cell


def _slider(cell, name: str):
    """The noUiSlider handle of the IntSlider whose description is ``name``."""
    box = cell.locator(".widget-slider").filter(
        has=cell.page.locator(".widget-label", has_text=re.compile(f"^{name}$")))
    return box.locator(".noUi-handle")


def _wait_for_text(page, locator, expected: str, timeout_s: float = 60):
    """Wait until the element shows exactly ``expected`` (surrounding blanks aside)."""
    deadline = time.monotonic() + timeout_s
    while (shown := (locator.text_content() or "").strip()) != expected:
        assert time.monotonic() < deadline, f"the page shows\n  {shown!r}\nexpected\n  {expected!r}"
        page.wait_for_timeout(250)


def test_the_explorer_answers_a_slider_in_jupyterlab(lab, browser_page):
    from cnncourse.interactive import conv_arithmetic

    base, token, root = lab
    page = browser_page
    setup_at = _cell_index(root / CHAPTER, "cnncourse.train.setup(")
    explorer_at = _cell_index(root / CHAPTER, "interactive.conv_arithmetic_explorer(")
    page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}", timeout=SERVER_START_S * 1000)
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(explorer_at).wait_for(
        timeout=SERVER_START_S * 1000)
    page.get_by_role("menuitem", name="Edit").click()     # stored prompts would look like runs
    page.get_by_text("Clear Outputs of All Cells").click()
    _wait_for_text(page, page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(setup_at)
                   .locator(".jp-InputArea-prompt"), "[ ]:")
    _run_cell(page, setup_at, 1, KERNEL_S)
    cell = _run_cell(page, explorer_at, 2, 120)
    result = cell.locator(RESULT)
    result.wait_for(timeout=60_000)
    assert "Error displaying widget" not in cell.inner_text()

    # the starting values of the cell: n=7, f=3, p=0, s=2, d=1
    assert shapes.conv_output_size(7, 3, 0, 2, 1) == 3
    _wait_for_text(page, result, conv_arithmetic(7, 3, 0, 2, 1).text)
    picture = cell.locator(".widget-image").get_attribute("src")

    # p: 0 -> 1 with the keyboard on the slider handle; the output side becomes 4
    _slider(cell, "p").focus()
    page.keyboard.press("ArrowRight")
    side = shapes.conv_output_size(7, 3, 1, 2, 1)
    assert side == 4
    _wait_for_text(page, result, f"n=7, f=3, p=1, s=2, d=1: output side (7 + 2 - 3)/2 + 1 = "
                                 f"{side}, an output map of {side}x{side}")
    page.wait_for_function("([img, old]) => img.src !== old",        # a new picture came too
                           arg=[cell.locator(".widget-image").element_handle(), picture],
                           timeout=30_000)

    # n: 7 -> 6; the windows no longer tile and the explorer prints the refusal
    _slider(cell, "n").focus()
    page.keyboard.press("ArrowLeft")
    with pytest.raises(ValueError) as refusal:
        shapes.conv_output_size(6, 3, 1, 2, 1)
    _wait_for_text(page, result, f"n=6, f=3, p=1, s=2, d=1: refused. {refusal.value}")
    assert not page.errors, f"JavaScript errors in the page: {page.errors}"


def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        missing("/usr/bin/chromium is missing")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        missing("/usr/bin/chromium is missing")
