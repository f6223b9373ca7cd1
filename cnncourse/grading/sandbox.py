"""Run the harness in a bubblewrap sandbox, with limits and deadlines enforced from outside.

The sandbox sees the system and the Python environment read-only, a private writable folder as
its HOME (and nothing else writable but a small /tmp), no network, its own PID namespace, and
not the lecturer's home, the other submissions, the source notebook or the gradebook. When the
grader runs as root, bubblewrap itself runs as ``nobody``, so files it can reach by mistake are
still not the lecturer's. Limits: memory (RLIMIT_DATA, and a cgroup when one is writable),
processes (a cgroup's pids.max, or RLIMIT_NPROC when not root), CPU time, file size, open files.

Deadlines are watched by the grader: each step of the plan reports ``start <id>``; a step that
runs past its deadline, or a run past the notebook's deadline, ends in SIGKILL of the whole
sandbox (its PID namespace dies with it), whatever the code does with SIGINT.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

NOBODY = 65534
SANDBOX_HOME = "/home/student"


class SandboxUnavailable(RuntimeError):
    """No sandbox can be started on this machine."""


@dataclasses.dataclass
class Limits:
    memory_bytes: int = 4 << 30
    processes: int = 256
    file_bytes: int = 64 << 20
    tmp_bytes: int = 256 << 20
    open_files: int = 4096
    cpu_seconds: int = 3600
    output_bytes: int = 64 << 10       # kept from stdout/stderr; the rest is counted and dropped


@dataclasses.dataclass
class RunOutcome:
    kind: str                          # done | timeout | crash | deadline | startup
    step: str | None = None            # the step a timeout or crash hit
    returncode: int | None = None
    output: str = ""
    output_bytes: int = 0
    seconds: float = 0.0


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def _drop_to_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


@functools.lru_cache(maxsize=None)
def bwrap_mode() -> str | None:
    """``"nobody"`` (root drops to nobody before bwrap), ``"user"`` (bwrap as this user), or None."""
    bwrap = find_bwrap()
    if not bwrap:
        return None
    # the probe runs this Python: as nobody it must be able to read the interpreter and packages
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--proc", "/proc",
             "--dev", "/dev", "--", sys.executable, "-I", "-c", "import numpy, cnncourse.grading.harness"]
    tries = []
    if os.geteuid() == 0:
        tries.append(("nobody", _drop_to_nobody, probe))
        tries.append(("root", None, probe[:5] + ["--unshare-user", "--uid", str(NOBODY), "--gid",
                                                  str(NOBODY)] + probe[5:]))
    else:
        tries.append(("user", None, probe))
    for mode, preexec, command in tries:
        try:
            done = subprocess.run(command, preexec_fn=preexec, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return mode
    return None


def describe() -> str:
    mode = bwrap_mode()
    return {None: "no sandbox (bubblewrap missing or not allowed here)",
            "nobody": "bubblewrap, run as nobody", "root": "bubblewrap (root mapped to nobody)",
            "user": "bubblewrap, run as this user"}[mode]


# ------------------------------------------------------------------------------ cgroups (v1)

def _cgroup_root(controller: str) -> Path | None:
    """This process's cgroup folder for a v1 ``controller``, if it is writable."""
    base = Path("/sys/fs/cgroup") / controller
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                folder = base / path.lstrip("/")
                return folder if os.access(folder, os.W_OK) else None
    except OSError:
        return None
    return None


class Cgroups:
    """Per-run v1 cgroups for pids and memory, where this machine lets us create them."""

    def __init__(self, limits: Limits):
        self.folders: list[Path] = []
        settings = {"pids": {"pids.max": str(limits.processes)},
                    "memory": {"memory.limit_in_bytes": str(limits.memory_bytes),
                               "memory.memsw.limit_in_bytes": str(limits.memory_bytes)}}
        name = f"cnncourse-grade-{uuid.uuid4().hex[:12]}"
        for controller, values in settings.items():
            root = _cgroup_root(controller)
            if root is None:
                continue
            folder = root / name
            try:
                folder.mkdir()
                for key, value in values.items():
                    try:
                        (folder / key).write_text(value)
                    except OSError:
                        if key == next(iter(values)):
                            raise
                self.folders.append(folder)
            except OSError:
                try:
                    folder.rmdir()
                except OSError:
                    pass

    def join(self):
        """Called in the child before exec: move it (and so everything it starts) in."""
        for folder in self.folders:
            try:
                with open(folder / "cgroup.procs", "w") as handle:
                    handle.write("0")
            except OSError:
                pass

    def kill_all(self):
        for _ in range(20):
            alive = False
            for folder in self.folders:
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    pids = []
                for pid in pids:
                    alive = True
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            if not alive:
                break
            time.sleep(0.05)

    def remove(self):
        self.kill_all()
        for folder in self.folders:
            for _ in range(40):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


# ------------------------------------------------------------------------------ the command

def _python_paths() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    package_root = Path(__file__).resolve().parents[2]
    paths.add(str(package_root / "cnncourse"))
    return sorted(p for p in (os.path.realpath(x) for x in paths) if os.path.isdir(p))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def sandbox_command(work: Path, argv: list[str], hide: list[Path], limits: Limits) -> list[str]:
    """The bwrap command that runs ``argv`` with ``work`` as its HOME and ``hide`` made invisible."""
    mode = bwrap_mode()
    if mode is None:
        raise SandboxUnavailable(describe())
    python_paths = _python_paths()
    command = [find_bwrap(), "--ro-bind", "/", "/"]
    broad = ["/home", "/root", "/run", "/mnt", "/media", "/var/tmp", "/srv", "/opt/secrets",
             str(Path.home())]
    sensitive = sorted({os.path.realpath(p) for p in hide})
    for folder in broad:
        if os.path.isdir(folder) and os.path.realpath(folder) != "/":
            command += ["--tmpfs", os.path.realpath(folder)]
    command += ["--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    hidden = [os.path.realpath(f) for f in broad if os.path.isdir(f)] + ["/tmp"]
    for path in python_paths:
        if any(_under(path, h) for h in hidden):
            command += ["--ro-bind", path, path]
    for folder in sensitive:
        if os.path.isdir(folder) and folder != "/":
            command += ["--tmpfs", folder]
    for path in python_paths:   # a Python path inside a hidden folder stays usable
        if any(_under(path, f) for f in sensitive) and not any(_under(f, path) for f in sensitive):
            command += ["--ro-bind", path, path]
    command += ["--bind", str(work), SANDBOX_HOME, "--dev", "/dev", "--proc", "/proc",
                "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox",
                "--chdir", SANDBOX_HOME, "--clearenv"]
    if mode == "root":
        command += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL"]
    for key, value in sandbox_environment(SANDBOX_HOME).items():
        command += ["--setenv", key, value]
    return command + ["--"] + argv


def sandbox_environment(home: str) -> dict:
    env = {"HOME": home, "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
           "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1",
           "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1", "PYTHONNOUSERSITE": "1",
           "JAX_PLATFORMS": "cpu"}
    if os.environ.get("KERAS_BACKEND"):
        env["KERAS_BACKEND"] = os.environ["KERAS_BACKEND"]
    return env


def _limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY and value > hard:
            resource.setrlimit(kind, (hard, hard))


def _preexec(limits: Limits, cgroups: Cgroups | None, drop: bool):
    def setup():
        if cgroups is not None:
            cgroups.join()
        _limit(resource.RLIMIT_DATA, limits.memory_bytes)
        _limit(resource.RLIMIT_FSIZE, limits.file_bytes)
        _limit(resource.RLIMIT_NOFILE, limits.open_files)
        _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
        _limit(resource.RLIMIT_CORE, 0)
        if drop:
            _drop_to_nobody()
        if os.geteuid() != 0:
            _limit(resource.RLIMIT_NPROC, limits.processes)
    return setup


# ------------------------------------------------------------------------------ one run

def _drain(stream, keep: int, sink: dict):
    kept = bytearray()
    total = 0
    try:
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            total += len(chunk)
            if len(kept) < keep:
                kept += chunk[: keep - len(kept)]
    except (OSError, ValueError):
        pass
    sink["output"] = kept.decode("utf-8", "replace")
    sink["bytes"] = total


def _steps_started(progress: Path) -> list[str]:
    """The step ids the harness reported starting, in order."""
    try:
        with open(progress, "rb") as handle:
            text = handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return []
    return [line[6:] for line in text.splitlines() if line.startswith("start ")]


def run_harness(work: Path, hide: list[Path], *, sandboxed: bool, cell_timeout: float,
                deadline: float, limits: Limits, setup_timeout: float = 180.0,
                setup_steps: frozenset = frozenset()) -> RunOutcome:
    """Run the harness on ``work`` (plan and probes written there); return how the run ended."""
    out = work / "out"
    out.mkdir(exist_ok=True)
    progress = out / "progress"
    progress.touch()
    argv = [sys.executable, "-I", "-m", "cnncourse.grading.harness",
            SANDBOX_HOME if sandboxed else str(work)]
    drop = False
    if sandboxed:
        command = sandbox_command(work, argv, hide, limits)
        drop = bwrap_mode() == "nobody"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if drop:
            for path in [work] + list(work.rglob("*")):
                os.chown(path, NOBODY, NOBODY)
    else:
        command = argv
        env = sandbox_environment(str(work))
    cgroups = Cgroups(limits)
    started = time.monotonic()
    sink: dict = {}
    try:
        proc = subprocess.Popen(command, cwd=str(work), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=_preexec(limits, cgroups if cgroups.folders else None, drop),
                                start_new_session=True, close_fds=True)
    except OSError as exc:
        cgroups.remove()
        return RunOutcome("startup", output=f"cannot start the sandbox: {exc}")
    reader = threading.Thread(target=_drain, args=(proc.stdout, limits.output_bytes, sink), daemon=True)
    reader.start()
    kind, step = "done", None
    current, current_since = None, started
    try:
        while True:
            code = proc.poll()
            steps = _steps_started(progress)
            now = time.monotonic()
            if steps and steps[-1] != current:
                current, current_since = steps[-1], now
            if code is not None:
                break
            allowed = setup_timeout if current is None or current in setup_steps else cell_timeout
            if now - current_since > allowed:
                kind, step = "timeout", current
                break
            if now > deadline:
                kind, step = "deadline", current
                break
            time.sleep(0.05)
    finally:
        _kill(proc)
        cgroups.remove()
        reader.join(timeout=5)
    text = progress.read_text("utf-8", "replace") if progress.exists() else ""
    lines = text.splitlines()
    if kind == "done" and "done" not in lines:
        started_ids = [line[6:] for line in lines if line.startswith("start ")]
        ended_ids = {line[4:] for line in lines if line.startswith("end ")}
        open_steps = [s for s in started_ids if s not in ended_ids]
        if open_steps:
            kind, step = "crash", open_steps[-1]
        elif not started_ids:
            kind = "startup"
        else:
            kind = "crash"   # ended between steps (e.g. after the last one)
    return RunOutcome(kind, step, proc.returncode, sink.get("output", ""), sink.get("bytes", 0),
                      time.monotonic() - started)


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
