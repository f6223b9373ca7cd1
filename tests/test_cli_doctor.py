"""`cnncourse doctor`: one table of versions, devices, memory policy and data; exit 1 + fix."""
import os
import pathlib

import pytest

from cnncourse import data, kernels, train

REPO = pathlib.Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.backends  # the backend row differs on TensorFlow, JAX and PyTorch


@pytest.mark.slow  # a process of its own: the in-process tests below cover the rest
def test_doctor_command_exits_0_on_a_working_install():
    env = {k: v for k, v in os.environ.items() if k not in (train.ENV_MEMORY, data.ENV_DATA_DIR)}
    env[data.ENV_SOURCE] = "sample"  # the test machine has no network: do not even probe it
    # python -m cnncourse doctor, forked from the suite's warm server when there is one (Keras
    # then comes loaded; torch and JAX are imported fresh), else a new interpreter
    done = kernels.run_python(["-m", "cnncourse", "doctor"], env=env, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["check", "status", "finding"]
    checks = {line.split()[0] for line in lines[1:]}
    for check in ("python", "keras", "tensorflow", "jax", "torch", "backend", "devices",
                  "gpu", "network", "mnist"):
        assert check in checks, check
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    assert any(line.startswith("backend") and f" {backend} " in line for line in lines)
    assert any("4,000 + 1,000 digits, sha256 ok" in line for line in lines)
    assert "FAIL" not in done.stdout and "Traceback" not in done.stderr
    assert any(line.startswith("network") and "not probed" in line for line in lines)


def test_doctor_fails_with_the_fix_when_the_sample_is_gone(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path))  # an empty folder: no sample
    monkeypatch.setattr(data, "keras_mnist_cached", lambda: False)
    monkeypatch.setattr(data, "online", lambda timeout: False)
    assert train.doctor() == 1
    out = capsys.readouterr().out
    assert any(line.startswith("mnist sample") and "FAIL" in line for line in out.splitlines())
    assert "fix mnist sample:" in out and "git checkout -- cnncourse/_data/mnist_sample.npz" in out


def test_doctor_fails_on_a_bad_memory_cap_variable(monkeypatch, capsys):
    monkeypatch.setenv(train.ENV_MEMORY, "half")
    monkeypatch.setattr(data, "online", lambda timeout: False)
    assert train.doctor() == 1
    out = capsys.readouterr().out
    assert "fix gpu memory cap: $CNNCOURSE_GPU_MEMORY_MB must be a whole number" in out


def test_doctor_reports_optional_pieces_without_failing(monkeypatch, capsys):
    monkeypatch.delenv(data.ENV_SOURCE, raising=False)
    monkeypatch.setattr(data, "online", lambda timeout: False)
    assert train.doctor() == 0
    out = capsys.readouterr().out
    network = next(line for line in out.splitlines() if line.startswith("network"))
    assert network.split()[1] == "-" and "uses the shipped sample" in network
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    assert any(line.startswith("backend") and f" {backend} " in line for line in out.splitlines())
