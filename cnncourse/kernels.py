"""Warm kernels: each notebook's kernel is forked from a server that has already loaded Keras.

A fresh Python process spends 7–10 s of CPU importing Keras on TensorFlow before the first cell
of a notebook does any work. ``cnncourse run`` and the course's test suite start one kernel per
notebook, so most of their time went into the same import, repeated. With warm kernels a small
server imports the backend and ipykernel once, then ``fork()``s a new kernel for each notebook:
the child shares the loaded libraries copy-on-write and is ready in a fraction of a second.

Each kernel is still a process of its own, exactly as Jupyter would start it: its own session and
process group, the working directory, environment and stdio that Jupyter asked for, the same
``ipykernel`` command line. Nothing runs in the server but imports, so no state passes from one
notebook to the next. Environment variables that decide what an import does (the backend,
TensorFlow's, XLA's and CUDA's settings, thread counts, ``PYTHONPATH``, ``HOME``) must equal the
server's; otherwise, and wherever anything goes wrong, the kernel starts the usual way.

Only the course's own runner and test suite use it (:func:`warm`, :func:`enable`; the suite
also forks two end-to-end programs, ``python -m cnncourse doctor`` and a training script, with
:func:`run_python`); students' kernels in JupyterLab and the grading sandbox never do. It needs Linux (``fork``, ``pidfd``);
elsewhere kernels start as usual. ``CNNCOURSE_WARM_KERNELS=0`` turns it off.

Plumbing: the server is ``python -m cnncourse.kernels SOCKET``; Jupyter reaches it through the
kernel provisioner :class:`WarmProvisioner` (entry point ``cnncourse-warm`` in the group
``jupyter_client.kernel_provisioners``).
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

PROVISIONER = "cnncourse-warm"
SWITCH = "CNNCOURSE_WARM_KERNELS"  # "0" turns warm kernels off
SHARED = "CNNCOURSE_WARM_SERVER"  # the socket of a server that a parent process shares
# variables that change what an import does: a kernel is forked only when these equal the server's
IMPORT_SENSITIVE = re.compile(
    r"^(KERAS_|TF_|XLA_|JAX_|CUDA_|NVIDIA_|TORCH|OMP_|OPENBLAS_|MKL_|PYTHON|LD_|HOME$|MPLBACKEND$)")
LAUNCHER = ["-m", "ipykernel_launcher"]
STARTUP_SECONDS = 180  # the server's imports; a kernel waits this long at most, then starts cold
MESSAGE_BYTES = 1 << 20


def supported() -> bool:
    """Whether this platform can fork warm kernels (Linux: ``fork`` and ``pidfd_open``)."""
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open")


def _switched_off() -> bool:
    return os.environ.get(SWITCH, "").strip().lower() in {"0", "false", "no", "off"}


def _provisioner_installed() -> bool:
    from importlib.metadata import entry_points

    return any(point.name == PROVISIONER
               for point in entry_points(group="jupyter_client.kernel_provisioners"))


# --------------------------------------------------------------------------- the server side


def _import_sensitive(env: dict) -> dict:
    return {key: value for key, value in env.items() if IMPORT_SENSITIVE.match(key)}


def _preload() -> None:
    """What every course kernel imports first: the course, the backend (as the setup cell
    does, after ``cnncourse`` has set TensorFlow's log level), and ipykernel itself."""
    # ipykernel sets this in each kernel before any user code; matplotlib reads it at import
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import cnncourse  # noqa: F401
    from cnncourse._keras import import_backend

    import_backend()
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401


def _redo_import_time_guesses() -> None:
    """Redo, as a Jupyter kernel, what libraries decided at import from where they ran: the
    server imported them outside any kernel."""
    pandas = sys.modules.get("pandas")
    if pandas is not None:  # pandas shows 20 columns in a kernel, a terminal's width elsewhere
        pandas.set_option("display.max_columns", 20)


def _become(request: dict, fds: list[int], ready_w: int, set_by_imports: dict) -> None:
    """In the forked child: a process of its own, with the stdio, folder and environment asked
    for (plus what the server's imports set, as a cold start would have it)."""
    os.setsid()  # its own session and process group, as Jupyter's launcher gives a kernel
    os.write(ready_w, b"1")
    os.close(ready_w)
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
    for fd in fds[:3]:
        if fd > 2:
            os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for key, value in set_by_imports.items():
        os.environ.setdefault(key, value)


def _leave(code: int, status_fd: int | None = None) -> None:
    """End a forked child: Python's and the program's exit handlers run, native destructors do
    not (the server's helper threads, BLAS's and TensorFlow's, do not exist in the child).
    ``status_fd``: where the exit status is written once everything is flushed."""
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    if status_fd is not None:
        with contextlib.suppress(OSError):
            os.write(status_fd, str(code).encode())
    os._exit(code)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)  # sys.exit("message"), as Python reports it
    return 1


def _kernel_child(request: dict, fds: list[int], ready_w: int, set_by_imports: dict) -> None:
    """In the forked child: become the kernel Jupyter asked for; never returns."""
    code = 1
    try:
        _become(request, fds, ready_w, set_by_imports)
        # Jupyter's launcher names the kernel's parent, and the kernel ends when that parent
        # does; here the parent is the server, which ends with the process that started it.
        # (ipykernel read this variable when the server imported it, hence the option too.)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        sys.argv = ["ipykernel_launcher", *request["argv"][3:],
                    f"--IPKernelApp.parent_handle={os.getppid()}"]
        _redo_import_time_guesses()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 - report it on the kernel's stderr, then leave
        import traceback

        traceback.print_exc()
    finally:
        _leave(code)


def _python_child(request: dict, fds: list[int], ready_w: int, set_by_imports: dict) -> None:
    """In the forked child: run ``python -c CODE ...`` or ``python -m MODULE ...`` as a fresh
    interpreter would, then write the exit status to the fourth descriptor; never returns."""
    import runpy
    import types

    code = 1
    try:
        _become(request, fds, ready_w, set_by_imports)
        option, target, *rest = request["python"]
        if option == "-c":
            sys.argv = ["-c", *rest]
            sys.path.insert(0, "")
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(target, "<string>", "exec"), main.__dict__)  # noqa: S102 - as python -c
        else:
            sys.argv = [target, *rest]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc)
    except BaseException:  # noqa: BLE001 - as Python reports an uncaught exception
        import traceback

        traceback.print_exc()
    finally:
        _leave(code, status_fd=fds[3])


def _answer(connection: socket.socket, listener: socket.socket, expected: dict,
            set_by_imports: dict) -> None:
    message, fds, _, _ = socket.recv_fds(connection, MESSAGE_BYTES, 4)
    try:
        request = json.loads(message)
        if request.get("ping"):
            connection.send(json.dumps({"pid": os.getpid()}).encode())
            return
        wanted = _import_sensitive(request["env"])
        if wanted != expected:
            differ = sorted(set(wanted.items()) ^ set(expected.items()))
            names = sorted({key for key, _ in differ})
            connection.send(json.dumps({"refused": f"environment differs in {names}"}).encode())
            return
        plain = "python" in request  # python -c / -m, not a kernel
        if len(fds) != (4 if plain else 3):
            connection.send(json.dumps({"refused": "stdin, stdout and stderr (and, for a "
                                                   "program, its status pipe) not sent"}).encode())
            return
        if plain and (len(request["python"]) < 2 or request["python"][0] not in ("-c", "-m")):
            connection.send(json.dumps({"refused": "only python -c CODE or -m MODULE"}).encode())
            return
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            listener.close()
            connection.close()
            os.close(ready_r)
            (_python_child if plain else _kernel_child)(request, fds, ready_w, set_by_imports)
        os.close(ready_w)
        os.read(ready_r, 1)  # the child has its own process group before anyone may signal it
        os.close(ready_r)
        connection.send(json.dumps({"pid": pid}).encode())
    finally:
        for fd in fds:
            os.close(fd)


def serve(path: str, parent: int) -> None:
    """Import, then fork a kernel per request on the Unix socket ``path``, until ``parent`` ends."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as ipykernel_launcher does: the kernel's folder is added back later
    before = dict(os.environ)
    expected_before = _import_sensitive(before)
    failed = Path(path + ".failed")
    try:
        _preload()
    except BaseException as exc:  # noqa: BLE001 - the kernels then start cold
        failed.write_text(f"{type(exc).__name__}: {exc}\n")
        raise
    # what the imports set (cnncourse sets TensorFlow's log level): a cold kernel has it too
    set_by_imports = {key: value for key, value in os.environ.items() if before.get(key) != value}
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path + ".tmp")
    os.replace(path + ".tmp", path)  # the socket appears only once it can be used
    listener.listen(16)
    listener.settimeout(1.0)
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except socket.timeout:
            continue
        with connection:
            connection.settimeout(30)
            try:
                _answer(connection, listener, expected_before, set_by_imports)
            except (OSError, ValueError, KeyError) as exc:
                with contextlib.suppress(OSError):
                    connection.send(json.dumps({"refused": f"{type(exc).__name__}: {exc}"}).encode())


# --------------------------------------------------------------------------- the Jupyter side


class _Server:
    """One warm server per process, started at the first kernel launch, stopped at exit."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.folder: str | None = None
        self.env: dict | None = None

    @property
    def path(self) -> str:
        return os.path.join(self.folder, "kernels.sock")

    def start(self, env: dict) -> None:
        with self.lock:
            if self.process is not None:
                return
            self.folder = tempfile.mkdtemp(prefix="cnncourse-kernels-")
            self.env = dict(env)
            log = open(os.path.join(self.folder, "server.log"), "wb")  # noqa: SIM115
            server_env = {key: value for key, value in env.items()
                          if key not in (SWITCH, SHARED)}
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cnncourse.kernels", self.path, str(os.getpid())],
                env=server_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                cwd=self.folder, close_fds=True)
            log.close()
            with open(self.path + ".pid", "w") as pid_file:  # for the processes it is shared with
                pid_file.write(str(self.process.pid))
            atexit.register(self.stop)

    def socket_path(self) -> str | None:
        """The socket once the server listens; None when it failed or took too long."""
        process = self.process
        return _wait_for_socket(self.path, lambda: process is not None and process.poll() is None)

    def stop(self) -> None:
        with self.lock:
            process, self.process = self.process, None
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
            if self.folder:
                for name in ("kernels.sock", "server.log", "kernels.sock.failed", "kernels.sock.tmp",
                             "kernels.sock.pid"):
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(self.folder, name))
                with contextlib.suppress(OSError):
                    os.rmdir(self.folder)
                self.folder = None


def _pid_file_names_a_running_process(path: str) -> bool:
    try:
        with open(path + ".pid") as pid_file:
            os.kill(int(pid_file.read()), 0)
        return True
    except (OSError, ValueError):
        return False


def _wait_for_socket(path: str, running, timeout: float = STARTUP_SECONDS) -> str | None:
    """``path`` once a server listens there; None when it failed, stopped or took too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return path
        if os.path.exists(path + ".failed") or not running():
            return None
        time.sleep(0.05)
    return None


_SERVER = _Server()
cold_starts: list[str] = []  # why each kernel of this process that could not be forked started cold


class _Forked:
    """The part of ``subprocess.Popen`` that Jupyter's provisioner uses, for a forked kernel
    (a child of the server, not of this process: its exit is seen through a pidfd)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._killed_by: int | None = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._pidfd = None
            self.returncode = 0

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            os.close(self._pidfd)
            self._pidfd = None
            self.returncode = -self._killed_by if self._killed_by else 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            select.select([self._pidfd], [], [], 0.1)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            if number in (signal.SIGKILL, signal.SIGTERM):
                self._killed_by = int(number)
            signal.pidfd_send_signal(self._pidfd, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _stdio_fds(kwargs: dict) -> list[int]:
    """The descriptors a cold kernel would get: stdin empty, stdout and stderr inherited."""
    chosen = []
    for name, default in (("stdin", None), ("stdout", 1), ("stderr", 2)):
        stream = kwargs.get(name)
        if stream is None:
            chosen.append(os.open(os.devnull, os.O_RDONLY) if default is None else os.dup(default))
        elif isinstance(stream, int) and stream >= 0:
            chosen.append(os.dup(stream))
        elif hasattr(stream, "fileno"):
            chosen.append(os.dup(stream.fileno()))
        else:  # subprocess.PIPE and the like: leave this kernel to the usual launcher
            for fd in chosen:
                os.close(fd)
            raise ValueError(f"{name}={stream!r} cannot be handed to a forked kernel")
    return chosen


def _ask(path: str, request: dict, fds: list[int]) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
        connection.settimeout(60)
        connection.connect(path)
        socket.send_fds(connection, [json.dumps(request).encode()], fds)
        return json.loads(connection.recv(MESSAGE_BYTES))


def fork_kernel(cmd: list[str], env: dict, cwd: str, stdio: list[int]) -> tuple[int | None, str]:
    """Ask this process's warm server for a kernel; ``(pid, "")`` or ``(None, why not)``."""
    if not cmd[1:3] == LAUNCHER or os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None, f"not this interpreter's ipykernel command: {cmd[:3]}"
    shared = os.environ.get(SHARED)
    if shared and _SERVER.process is None:  # a parent process shares its server
        path = _wait_for_socket(shared, lambda: _pid_file_names_a_running_process(shared))
    else:
        _SERVER.start(env)
        path = _SERVER.socket_path()
    if path is None:
        return None, "the warm server did not start"
    reply = _ask(path, {"argv": list(cmd), "env": dict(env), "cwd": str(cwd)}, stdio)
    if "pid" not in reply:
        return None, reply.get("refused", "no answer")
    return int(reply["pid"]), ""


def run_python(args: list[str], *, env: dict | None = None, cwd=None,
               timeout: float | None = None) -> subprocess.CompletedProcess:
    """``subprocess.run([sys.executable, *args], capture_output=True, text=True, ...)``, forked
    from the warm server this process shares (``$CNNCOURSE_WARM_SERVER``) when there is one.

    ``args`` is ``["-c", CODE, ...]`` or ``["-m", MODULE, ...]``. The child is a process of its
    own, as with ``subprocess``, but starts with the backend imported: the test suite runs its
    end-to-end commands (``python -m cnncourse doctor``, a two-device training script) this way.
    Where no server is shared, or an import-sensitive variable of ``env`` differs from the
    server's, it falls back to ``subprocess.run``. The result's ``forked`` attribute says which.
    """
    env = dict(os.environ if env is None else env)
    cwd = str(cwd or os.getcwd())
    shared = os.environ.get(SHARED)
    path = None
    if supported() and not _switched_off() and shared and args[:1] in (["-c"], ["-m"]):
        path = _wait_for_socket(shared, lambda: _pid_file_names_a_running_process(shared))
    if path is not None:
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            status_r, status_w = os.pipe()
            stdin = os.open(os.devnull, os.O_RDONLY)
            request = {"python": list(args), "env": {k: v for k, v in env.items()
                                                      if k not in (SWITCH, SHARED)}, "cwd": cwd}
            try:
                reply = _ask(path, request, [stdin, out.fileno(), err.fileno(), status_w])
            finally:
                os.close(stdin)
                os.close(status_w)
            try:
                if "pid" in reply:
                    child = _Forked(int(reply["pid"]))
                    if not select.select([status_r], [], [], timeout)[0]:
                        child.kill()
                        raise subprocess.TimeoutExpired([sys.executable, *args], timeout)
                    status = os.read(status_r, 16)  # written last, after every flush
                    child.wait(timeout=30)
                    out.seek(0)
                    err.seek(0)
                    done = subprocess.CompletedProcess([sys.executable, *args],
                                                       int(status) if status else -1,
                                                       out.read(), err.read())
                    done.forked = True
                    return done
            finally:
                os.close(status_r)
        cold_starts.append(reply.get("refused", "no answer"))
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)
    done.forked = False
    return done


class WarmProvisioner(LocalProvisioner):
    """Jupyter's local provisioner, with kernels forked from the warm server when it can."""

    forked_from_warm_server = False

    async def launch_kernel(self, cmd: list[str], **kwargs):
        pid, why = None, "warm kernels are off"
        if supported() and not _switched_off():
            env = dict(kwargs.get("env") or os.environ)
            env.pop(SWITCH, None)
            env.pop(SHARED, None)
            try:
                stdio = _stdio_fds(kwargs)
            except ValueError as exc:
                stdio, why = None, str(exc)
            if stdio is not None:
                try:
                    pid, why = fork_kernel(cmd, env, kwargs.get("cwd") or os.getcwd(), stdio)
                except (OSError, ValueError) as exc:
                    pid, why = None, f"{type(exc).__name__}: {exc}"
                finally:
                    for fd in stdio:
                        os.close(fd)
        if pid is None:
            cold_starts.append(why)
            self.log.info("cnncourse: this kernel starts cold (%s)", why)
            return await super().launch_kernel(cmd, **kwargs)
        self.forked_from_warm_server = True
        self.process = _Forked(pid)
        self.pid = pid
        self.pgid = pid  # the child called setsid() before the server answered
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info


def enable() -> bool:
    """Start every later kernel of this process through :class:`WarmProvisioner`.

    Returns whether warm kernels are on: False where the platform cannot fork them, where
    ``CNNCOURSE_WARM_KERNELS=0`` or where the package's provisioner entry point is not
    installed (``pip install -e .`` installs it); kernels then start as usual.
    """
    if not supported() or _switched_off() or not _provisioner_installed():
        return False
    KernelProvisionerFactory.instance().default_provisioner_name = PROVISIONER
    return True


def share() -> str | None:
    """Start this process's warm server now and let child processes use it (they inherit its
    socket in ``$CNNCOURSE_WARM_SERVER``): the test suite's xdist workers share one server
    started by the controller. Returns the socket's path, or None where warm kernels are off."""
    if not enable():
        return None
    env = {key: value for key, value in os.environ.items() if key != SHARED}
    _SERVER.start(env)
    os.environ[SHARED] = _SERVER.path
    return _SERVER.path


def disable() -> None:
    """Back to Jupyter's default provisioner; the warm server (if any) stops."""
    factory = KernelProvisionerFactory.instance()
    if factory.default_provisioner_name == PROVISIONER:
        factory.default_provisioner_name = "local-provisioner"
    if _SERVER.process is not None and os.environ.get(SHARED) == _SERVER.path:
        del os.environ[SHARED]
    _SERVER.stop()


def enabled() -> bool:
    """Whether kernels of this process start through :class:`WarmProvisioner`."""
    return KernelProvisionerFactory.instance().default_provisioner_name == PROVISIONER


@contextlib.contextmanager
def warm():
    """``with warm():`` kernels started inside are forked from one warm server (see module);
    yields whether warm kernels are on. Where they were on already, they stay on after."""
    if enabled():
        yield True
        return
    on = enable()
    try:
        yield on
    finally:
        if on:
            disable()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
