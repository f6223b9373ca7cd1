"""A real JupyterHub on 127.0.0.1: a student logs in, follows the lecturer's nbgitpuller link and
runs a chapter's setup cell through the kernel API.

What runs (each on a free port, bound to 127.0.0.1):

- ``jupyterhub`` (pip) with ``configurable-http-proxy`` (npm), the dummy authenticator and
  ``SimpleLocalProcessSpawner`` (home folders under the test's temporary folder);
- a bare git repository (``file://``) standing in for the course's public repository, made from
  the checkout's ``notebooks/`` and README, exactly as docs/jupyterhub.md tells lecturers to link
  it: ``/hub/user-redirect/git-pull?repo=...&urlpath=lab/tree/cnncourse/notebooks/...``.

The student logs in through the hub's login form, asks the hub for an API token, follows the
nbgitpuller link (the hub redirects it to the student's own server, which answers with
nbgitpuller's page), then makes the request that page's JavaScript makes (the event stream that
clones the repository into the home folder). A kernel is started for the pulled chapter
(sessions API) and the chapter's setup cell is sent over the kernel websocket; its status line
and an offline ``load_mnist`` from the student's home are checked.

Everything is stopped by process group in the fixture's teardown, even when the test fails:
the hub (the single-user server joins its group), the proxy (its pid file) and the kernel (its
pid, asked from the kernel itself).

Outside CI the test skips when jupyterhub, nbgitpuller or configurable-http-proxy is missing;
with CI=true it fails instead (.ci/run installs them: the `hub` extra and
`npm install --prefix .venv/node configurable-http-proxy`).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from system_helpers import free_port, missing

pytestmark = [pytest.mark.slow, pytest.mark.system]  # a JupyterHub, its proxy and a user server

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "01_foundations.ipynb"
USER = "student"
REPO_NAME = "cnncourse"          # the public repository's name: nbgitpuller clones into ~/cnncourse
START_S, KERNEL_S = 60, 120      # hub + proxy + single-user start; the setup cell (TensorFlow import)
CHP_ENV = "CNNCOURSE_CHP"        # a configurable-http-proxy executable, if not in .venv/node or on PATH




def _proxy_command() -> str:
    for candidate in (os.environ.get(CHP_ENV), Path(sys.prefix) / "node" / "node_modules" / ".bin"
                      / "configurable-http-proxy", shutil.which("configurable-http-proxy")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    missing("configurable-http-proxy not found: `npm install --prefix .venv/node "
             f"configurable-http-proxy` (what .ci/run does), put it on PATH, or set ${CHP_ENV}")


def _setup_cell(notebook: Path) -> str:
    """The chapter's setup cell: the first code cell that calls train.setup()."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = [s for s in sources if "train.setup(" in s]
    assert found, f"{notebook.name}: no code cell calls train.setup()"
    return found[0]


def _documented_link(hub_url: str, repo_url: str) -> tuple[str, dict]:
    """docs/jupyterhub.md's nbgitpuller link with its HUB and REPO_URL filled in; (link, query)."""
    text = (ROOT / "docs" / "jupyterhub.md").read_text(encoding="utf-8")
    found = re.search(r"https://HUB(/hub/user-redirect/git-pull\?\S+)", text)
    assert found, "docs/jupyterhub.md lost its nbgitpuller link recipe (https://HUB/hub/...)"
    link = hub_url + found.group(1).replace("REPO_URL", urllib.parse.quote(repo_url, safe=""))
    return link, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


def _git(*args, cwd):
    env = dict(os.environ, GIT_AUTHOR_NAME="lecturer", GIT_AUTHOR_EMAIL="lecturer@example.org",
               GIT_COMMITTER_NAME="lecturer", GIT_COMMITTER_EMAIL="lecturer@example.org",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def _course_repository(tmp: Path) -> Path:
    """A bare repository holding the course's notebooks, like the public one (branch main)."""
    work = tmp / "lecturer" / REPO_NAME
    shutil.copytree(ROOT / "notebooks", work / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "README.md", work / "README.md")
    _git("init", "-q", "-b", "main", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "course", cwd=work)
    bare = tmp / "remote" / REPO_NAME   # no .git suffix, like a GitHub URL
    bare.parent.mkdir()
    _git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp)
    return bare


def _kill_group(pid: int, sig=signal.SIGTERM):
    try:
        os.killpg(os.getpgid(pid), sig)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture
def hub(tmp_path):
    """A running hub: {'url', 'home', 'repo', 'pids'}; everything stopped in teardown."""
    for module in ("jupyterhub", "nbgitpuller", "requests", "websocket"):
        try:
            __import__(module)
        except ImportError:
            missing(f"python package {module} missing: pip install -e '.[hub]'")
    proxy = _proxy_command()
    singleuser = Path(sys.executable).parent / "jupyterhub-singleuser"
    if not singleuser.is_file():
        missing(f"{singleuser} missing: pip install -e '.[hub]'")
    repo = _course_repository(tmp_path)
    homes = tmp_path / "home"
    homes.mkdir()
    port, hub_port, api_port = free_port(), free_port(), free_port()
    state = tmp_path / "hub"
    state.mkdir()
    config = state / "jupyterhub_config.py"
    config.write_text(f"""
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{state / 'cookie_secret'}"
c.JupyterHub.pid_file = "{state / 'jupyterhub.pid'}"
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.pid_file = "{state / 'proxy.pid'}"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.cmd = [{str(singleuser)!r}]
c.Spawner.args = ["--allow-root"]  # CI and containers run the tests as root
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = {START_S}
c.Spawner.http_timeout = {START_S}
c.Spawner.environment = {{"TF_CPP_MIN_LOG_LEVEL": "3", "CNNCOURSE_DATA_SOURCE": "sample"}}
# the single-user server joins the hub's process group, so one killpg stops both
c.LocalProcessSpawner.popen_kwargs = {{"start_new_session": False}}
""")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTERHUB_", "JPY_")) and key != "CNNCOURSE_DATA_DIR"}
    env.update(JUPYTER_RUNTIME_DIR=str(state / "runtime"), JUPYTER_CONFIG_DIR=str(state / "config"))
    log = open(tmp_path / "jupyterhub.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=state,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    info = {"url": f"http://127.0.0.1:{port}", "home": homes / USER, "repo": repo,
            "pids": [], "log": tmp_path / "jupyterhub.log"}
    try:
        import requests

        deadline = time.monotonic() + START_S
        while True:
            assert process.poll() is None, "jupyterhub exited:\n" + info["log"].read_text()[-4000:]
            try:
                if requests.get(info["url"] + "/hub/api", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "hub not up:\n" + info["log"].read_text()[-4000:]
            time.sleep(0.3)
        yield info
    finally:
        _kill_group(process.pid)           # the hub stops the proxy and the server on SIGTERM ...
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        pidfile = state / "proxy.pid"      # ... and whatever it could not stop, we do
        extra = info["pids"] + ([int(pidfile.read_text())] if pidfile.is_file() else [])
        for pid in extra:
            _kill_group(pid, signal.SIGKILL)
        log.close()


def _wait_ready(session, api, headers, deadline):
    while True:
        model = session.get(f"{api}/users/{USER}", headers=headers, timeout=10).json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return server
        assert time.monotonic() < deadline, f"the student's server never became ready: {model}"
        time.sleep(0.5)


def _execute(ws, code: str, timeout: float) -> tuple[str, str]:
    """Send code to the kernel over its websocket; (stdout, error text) when it is done."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": USER,
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    out, err, idle, replied = [], [], False, False
    deadline = time.monotonic() + timeout
    while not (idle and replied):
        ws.settimeout(max(1.0, deadline - time.monotonic()))
        assert time.monotonic() < deadline, f"no reply within {timeout} s; stdout so far: {out}"
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            (out if content["name"] == "stdout" else err).append(content["text"])
        elif kind == "error":
            err.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
        elif kind == "execute_reply":
            replied = True
            if content["status"] != "ok":
                err.append(f"execute_reply {content['status']}")
    return "".join(out), "".join(err)


def test_student_pulls_the_course_and_runs_a_chapter_setup_cell(hub):
    import requests
    import websocket

    started = time.monotonic()
    url, api = hub["url"], hub["url"] + "/hub/api"
    s = requests.Session()

    # 1. log in through the hub's form (dummy authenticator: any password)
    page = s.get(f"{url}/hub/login", timeout=10)
    assert page.status_code == 200 and 'name="username"' in page.text, page.text[:500]
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text).group(1)
    s.post(f"{url}/hub/login", data={"username": USER, "password": "any", "_xsrf": xsrf},
           timeout=START_S, allow_redirects=False).raise_for_status()
    assert s.get(f"{url}/hub/home", timeout=10, allow_redirects=False).status_code == 200, \
        "login did not give a hub session"
    token = s.post(f"{api}/users/{USER}/tokens", json={"note": "test"}, timeout=10,
                   headers={"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/") or xsrf,
                            "Referer": f"{url}/hub/home"})
    assert token.status_code in (200, 201), token.text
    auth = {"Authorization": f"token {token.json()['token']}"}
    model = s.get(f"{api}/users/{USER}", headers=auth, timeout=10).json()
    if not model.get("servers") and not model.get("pending"):  # the login did not spawn it
        start = s.post(f"{api}/users/{USER}/server", headers=auth, timeout=START_S)
        assert start.status_code in (201, 202), start.text
    _wait_ready(s, api, auth, started + START_S)
    home = hub["home"]
    assert home.is_dir() and not (home / REPO_NAME).exists()   # the hub gives an empty home

    # 2. the lecturer's nbgitpuller link, exactly as docs/jupyterhub.md writes it
    repo_url = hub["repo"].as_uri()
    link, query = _documented_link(url, repo_url)
    assert query["repo"] == repo_url
    urlpath = query["urlpath"]
    assert urlpath == f"lab/tree/{REPO_NAME}/notebooks/{CHAPTER}", urlpath
    page = s.get(link, headers=auth, timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert page.url.startswith(f"{url}/user/{USER}/git-pull?"), page.url   # the student's server
    assert "nbgitpuller" in page.text.lower()
    # what the page's script does: the event stream that clones the repository
    stream = s.get(f"{url}/user/{USER}/git-pull/api", headers=auth, timeout=120,
                   params={"repo": repo_url, "branch": query["branch"], "targetpath": REPO_NAME})
    events = [json.loads(line[len("data: "):]) for line in stream.text.splitlines()
              if line.startswith("data: ")]
    assert events and events[-1].get("phase") == "finished", events[-3:]
    notebook = home / REPO_NAME / "notebooks" / CHAPTER
    assert notebook.is_file(), sorted(p.name for p in home.iterdir())
    assert (home / REPO_NAME / "notebooks").samefile(notebook.parent)
    # the link's target opens (JupyterLab serves the pulled notebook's tree path)
    assert s.get(f"{url}/user/{USER}/{urlpath}", headers=auth, timeout=30).status_code == 200
    contents = s.get(f"{url}/user/{USER}/api/contents/{REPO_NAME}/notebooks/{CHAPTER}",
                     headers=auth, params={"content": 0}, timeout=30)
    assert contents.status_code == 200 and contents.json()["type"] == "notebook"

    # 3. a kernel for the pulled chapter, and its setup cell over the websocket
    made = s.post(f"{url}/user/{USER}/api/sessions", headers=auth, timeout=60, json={
        "path": f"{REPO_NAME}/notebooks/{CHAPTER}", "type": "notebook", "name": CHAPTER,
        "kernel": {"name": "python3"}})
    assert made.status_code == 201, made.text
    kernel_id = made.json()["kernel"]["id"]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{url.rsplit(':', 1)[1]}/user/{USER}/api/kernels/{kernel_id}/channels",
        header=[f"Authorization: {auth['Authorization']}"], timeout=KERNEL_S)
    try:
        out, err = _execute(ws, "import os; print(os.getpid()); print(os.getcwd())", KERNEL_S)
        assert not err, err
        pid, cwd = out.split()
        hub["pids"].append(int(pid))
        assert Path(cwd).samefile(notebook.parent)   # the kernel runs next to the chapter

        out, err = _execute(ws, _setup_cell(notebook), KERNEL_S)
        assert not err, err
        status = out.strip().splitlines()[-1]
        assert re.fullmatch(r"cnncourse \S+ \| keras 3\.\S+ \| backend \w+ \S+ \| device \S+ .*"
                            r"\| seed 42", status), out

        out, err = _execute(ws, (
            "from cnncourse import data\n"
            "(x, y), (xt, yt) = data.load_mnist(verbose=False)\n"
            "print(x.shape, xt.shape, os.path.expanduser('~'))"), KERNEL_S)
        assert not err, err
        shapes, _, where = out.strip().rpartition(" ")
        assert shapes == "(4000, 28, 28) (1000, 28, 28)"
        assert Path(where).samefile(home)
    finally:
        ws.close()
    assert s.delete(f"{url}/user/{USER}/api/kernels/{kernel_id}", headers=auth,
                    timeout=30).status_code == 204
    elapsed = time.monotonic() - started
    print(f"hub test: login -> pull -> setup cell in {elapsed:.1f} s")
