"""Warm kernels (cnncourse/kernels.py): forked from one server, each still a kernel of its own."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from jupyter_client.manager import KernelManager

from cnncourse import kernels

pytestmark = [pytest.mark.slow,  # starts the warm server (a Keras import) and kernels
              pytest.mark.skipif(not kernels.supported(), reason="warm kernels need Linux")]


def run(client, code: str, timeout: float = 60):
    """Execute ``code``; return (status, the text of its last expression or stream output)."""
    shown = []

    def keep(message):
        content = message["content"]
        if message["header"]["msg_type"] == "execute_result":
            shown.append(content["data"]["text/plain"])
        elif message["header"]["msg_type"] == "stream":
            shown.append(content["text"])
        elif message["header"]["msg_type"] == "error":
            shown.append(content["ename"])

    reply = client.execute_interactive(code, timeout=timeout, output_hook=keep)
    return reply["content"]["status"], "".join(shown)


@pytest.fixture
def start(tmp_path):
    """Start warm kernels (cwd and extra environment as given); shut them all down after."""
    started = []

    def _start(cwd=tmp_path, **env):
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(cwd=str(cwd), env={**os.environ, **env})
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        started.append((manager, client))
        return manager, client

    with kernels.warm() as on:
        assert on, "warm kernels must be on here (is the package installed with pip -e .?)"
        yield _start
    for manager, client in started:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_warm_kernel_is_forked_yet_has_its_own_process_folder_environment_and_session(start,
                                                                                         tmp_path):
    manager, client = start(CNNCOURSE_PROBE="asked for")
    assert manager.provisioner.forked_from_warm_server
    status, text = run(client, textwrap.dedent("""\
        import os, sys
        import pandas as pd
        print(os.getcwd(), os.environ.get("CNNCOURSE_PROBE"), os.getpid(), os.getsid(0),
              "keras" in sys.modules, pd.get_option("display.max_columns"), sep="|")"""))
    assert status == "ok", text
    cwd, probe, pid, session, keras_loaded, columns = text.strip().split("|")
    assert cwd == str(tmp_path.resolve()) and probe == "asked for"
    # a process of its own, leading its own session (signals reach it and its children only)
    assert int(pid) == manager.provisioner.pid == int(session) != os.getpid()
    assert keras_loaded == "True"   # loaded before the fork: that is the point
    assert columns == "20"          # pandas as in any Jupyter kernel, not a terminal's width


def test_two_kernels_share_no_state(start):
    _, first = start()
    _, second = start()
    assert run(first, "import cnncourse; cnncourse.left_behind = 1; x = 42")[0] == "ok"
    status, text = run(second, "import cnncourse; (hasattr(cnncourse, 'left_behind'), 'x' in dir())")
    assert (status, text) == ("ok", "(False, False)")


def test_interrupt_stops_a_running_cell_and_the_kernel_goes_on(start):
    manager, client = start()
    client.execute("import time; time.sleep(60)", stop_on_error=False)  # later cells still run
    time.sleep(1.0)
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert run(client, "6 * 7") == ("ok", "42")


def test_shutdown_ends_the_kernel_process(start):
    manager, _ = start()
    pid = manager.provisioner.pid
    manager.shutdown_kernel(now=True)
    assert not manager.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_import_setting_that_differs_from_the_servers_starts_the_kernel_cold(start):
    manager, client = start()  # makes sure the server runs
    stdio = [os.open(os.devnull, os.O_RDONLY), os.dup(1), os.dup(2)]
    try:
        cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "unused.json"]
        env = {**os.environ, "OMP_NUM_THREADS": "7"}
        assert kernels.fork_kernel(cmd, env, os.getcwd(), stdio) == (
            None, "environment differs in ['OMP_NUM_THREADS']")
        other = ["/usr/bin/env", "python3", "-m", "ipykernel_launcher", "-f", "unused.json"]
        pid, why = kernels.fork_kernel(other, dict(os.environ), os.getcwd(), stdio)
        assert pid is None and "not this interpreter's ipykernel command" in why
    finally:
        for fd in stdio:
            os.close(fd)
    with pytest.raises(ValueError, match="cannot be handed to a forked kernel"):
        kernels._stdio_fds({"stdout": subprocess.PIPE})


def test_switched_off_kernels_start_cold(monkeypatch):
    monkeypatch.setenv(kernels.SWITCH, "0")
    assert not kernels.enable()
    monkeypatch.setenv(kernels.SWITCH, "1")
    assert kernels.enable()


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for an init that does not reap is not running)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_shared_server_serves_child_processes_and_ends_with_its_owner(tmp_path):
    # the test suite's set-up: the xdist controller shares one server with its workers
    child = textwrap.dedent("""\
        import os
        from jupyter_client.manager import KernelManager
        from cnncourse import kernels
        assert kernels.enable()
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel()
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        shown = []
        client.execute_interactive(
            "import os; print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))", timeout=60,
            output_hook=lambda m: shown.append(m["content"].get("text", "")))
        print(manager.provisioner.pid, kernels._SERVER.process is None, "".join(shown).strip(),
              flush=True)
        os._exit(0)  # no clean-up: the kernel is left to the server's lifetime
        """)
    owner = textwrap.dedent(f"""\
        import os, subprocess, sys
        from cnncourse import kernels
        path = kernels.share()
        with open("child.txt", "w") as out:
            subprocess.run([sys.executable, "-c", {child!r}], stdout=out, timeout=200, check=True)
        kernel, own_server, log_level = open("child.txt").read().split()
        with open(f"/proc/{{kernel}}/stat") as stat:
            parent = stat.read().rsplit(")", 1)[1].split()[1]
        print(open(path + ".pid").read(), kernel, parent, own_server, log_level, flush=True)
        os._exit(0)  # no clean-up at all: as if the runner were killed
        """)
    env = {key: value for key, value in os.environ.items()
           if key not in (kernels.SHARED, "TF_CPP_MIN_LOG_LEVEL")}
    env["KERAS_BACKEND"] = "numpy"  # the server's lifetime is the point here, not its backend
    # output to files, not pipes: a kernel left running would hold a pipe open
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        code = subprocess.run([sys.executable, "-c", owner], stdout=out, stderr=err,
                              timeout=240, cwd=tmp_path, env=env).returncode
    assert code == 0, (tmp_path / "err.txt").read_text()[-2000:]
    server, kernel, parent, own_server, log_level = (tmp_path / "out.txt").read_text().split()[:5]
    assert parent == server and own_server == "True"  # forked by the shared server
    assert log_level == "3"  # set when the server imported cnncourse, as in a cold kernel
    server, kernel = int(server), int(kernel)
    deadline = time.monotonic() + 20
    alive = {server, kernel}
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if _running(pid)}
        time.sleep(0.2)
    for pid in alive:  # do not leave them behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive, f"still running: {alive} (server {server}, kernel {kernel})"


@pytest.fixture
def shared_server(monkeypatch):
    """The server this process shares with its children (the controller's under pytest -n)."""
    if kernels.SHARED in os.environ:
        yield os.environ[kernels.SHARED]
        return
    assert kernels.share(), "warm kernels must be on here (is the package installed with pip -e .?)"
    try:
        yield os.environ[kernels.SHARED]
    finally:
        kernels.disable()


def test_a_program_forked_from_the_server_runs_as_python_would(shared_server, tmp_path):
    code = ("import os, sys\n"
            "print(os.getpid() == os.getpgid(0), os.getppid(), os.getcwd(), sys.argv,"
            " os.environ['CNNCOURSE_PROBE'], 'keras' in sys.modules)\n"
            "print('to stderr', file=sys.stderr)\n"
            "sys.exit(int(sys.argv[1]))")
    env = {**os.environ, "CNNCOURSE_PROBE": "asked for"}
    done = kernels.run_python(["-c", code, "3"], env=env, cwd=tmp_path, timeout=120)
    assert done.forked and done.returncode == 3, done.stderr
    own_group, parent, cwd, rest = done.stdout.split(maxsplit=3)
    with open(shared_server + ".pid") as pid_file:
        assert parent == pid_file.read().strip()            # a child of the server ...
    assert own_group == "True" and cwd == str(tmp_path)      # ... in a session of its own
    assert rest == "['-c', '3'] asked for True\n"          # argv, environment, Keras loaded
    assert done.stderr == "to stderr\n"
    failed = kernels.run_python(["-m", "cnncourse", "summary", "vgg17"], timeout=120)
    assert failed.forked and failed.returncode == 2 and "did you mean 'vgg19'" in failed.stderr
    crashed = kernels.run_python(["-c", "raise KeyError('lost')"], timeout=120)
    assert crashed.returncode == 1 and crashed.stderr.rstrip().endswith("KeyError: 'lost'")


def test_a_forked_program_is_stopped_at_its_timeout_and_a_different_setting_runs_cold(
        shared_server):
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        kernels.run_python(["-c", "import time; time.sleep(60)"], timeout=1)
    assert time.monotonic() - started < 30
    cold = kernels.run_python(["-c", "import os; print(os.environ['OMP_NUM_THREADS'])"],
                              env={**os.environ, "OMP_NUM_THREADS": "7"}, timeout=120)
    assert not cold.forked and cold.stdout == "7\n" and cold.returncode == 0
    assert kernels.cold_starts[-1] == "environment differs in ['OMP_NUM_THREADS']"
