"""cnncourse.train on PyTorch: GPU detection, the memory cap, determinism, peak memory and the
doctor's torch row.

There is no GPU on the test machines, so ``torch.cuda`` is replaced by a fake card of known size
that records what ``setup`` asks of it; the CPU-only facts are checked against the real torch.
Tests marked for the torch pass run when ``KERAS_BACKEND=torch``; the rest run on every backend
whenever torch is installed (with ``CI=true`` a missing torch fails them instead of skipping).
"""
import os

import pytest

from cnncourse import data, train

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch

CARD_MB = 80 * 1024  # the fake GPU: 80 GiB


def need_torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("torch is missing: .ci/run installs it with `pip install torch==2.13.0`")
        pytest.skip("torch is not installed: pip install torch==2.13.0")
    return torch


def keras_backend():
    import keras

    return keras.backend.backend()


def torch_pass_only():
    if keras_backend() != "torch":
        pytest.skip("runs in the torch pass of the suite (KERAS_BACKEND=torch)")


class FakeCuda:
    """What setup asks of torch.cuda on a machine with ``count`` GPUs of CARD_MB MiB."""

    def __init__(self, count):
        self.count = count
        self.fractions = {}   # device index -> fraction set
        self.peak_resets = []

    def properties(self, index):
        assert 0 <= index < self.count, index
        return type("Props", (), {"total_memory": CARD_MB * 2**20, "name": "Fake GPU"})()

    def set_fraction(self, fraction, device=None):
        self.fractions[device] = fraction


@pytest.fixture
def fake_cuda(monkeypatch):
    torch = need_torch()

    def install(count):
        fake = FakeCuda(count)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
        monkeypatch.setattr(torch.cuda, "get_device_properties", fake.properties)
        monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "Fake GPU")
        monkeypatch.setattr(torch.cuda, "set_per_process_memory_fraction", fake.set_fraction)
        monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda device=None: 3 * 2**20)
        monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", fake.peak_resets.append)
        monkeypatch.setattr(torch.version, "cuda", "12.8")
        return fake

    return install


@pytest.fixture(autouse=True)
def float32_policy():
    yield
    import keras

    keras.config.set_dtype_policy("float32")


# ---------------------------------------------------------------- the cap, without a GPU


@pytest.mark.parametrize("cap_mb,total_mb,fraction", [
    (2048, 81920, 0.025),       # 2 GiB of 80 GiB
    (40960, 81920, 0.5),
    (100_000, 81920, 1.0),      # a cap above the card is the whole card
])
def test_cap_becomes_the_fraction_of_the_card(cap_mb, total_mb, fraction):
    assert train.device._torch_memory_fraction(cap_mb, total_mb) == pytest.approx(fraction)


def test_cap_is_set_on_every_gpu(fake_cuda):
    fake = fake_cuda(2)
    assert train.device._memory_policy("torch", 2048) == ("cap 2048 MiB per GPU", 2)
    assert fake.fractions == {0: pytest.approx(2048 / CARD_MB), 1: pytest.approx(2048 / CARD_MB)}


def test_without_a_cap_the_allocator_grows_on_demand(fake_cuda):
    fake = fake_cuda(1)
    assert train.device._memory_policy("torch", None) == ("grow on demand", 1)
    assert fake.fractions == {}


def test_without_a_gpu_torch_runs_in_host_ram(fake_cuda):
    fake = fake_cuda(0)
    assert train.device._memory_policy("torch", 2048) == ("host RAM (no GPU)", 0)
    assert fake.fractions == {}


def test_a_machine_without_cuda_reports_host_ram():
    torch = need_torch()
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU that torch can use")
    assert train.device._memory_policy("torch", None) == ("host RAM (no GPU)", 0)


# ---------------------------------------------------------------- setup on the torch backend


def test_setup_caps_every_gpu_from_the_environment(fake_cuda, monkeypatch):
    torch_pass_only()
    fake = fake_cuda(2)
    monkeypatch.setenv(train.ENV_MEMORY, "4096")
    line = train.setup(seed=5, precision="float32")
    assert fake.fractions == {0: pytest.approx(0.05), 1: pytest.approx(0.05)}
    for part in ("backend torch", "device GPU x2 (Fake GPU)", "memory cap 4096 MiB per GPU",
                 "precision float32", "seed 5"):
        assert part in line


def test_the_argument_overrides_the_environment(fake_cuda, monkeypatch):
    torch_pass_only()
    fake = fake_cuda(1)
    monkeypatch.setenv(train.ENV_MEMORY, "4096")
    line = train.setup(memory_limit_mb=1024, precision="float32")
    assert fake.fractions == {0: pytest.approx(1024 / CARD_MB)}
    assert "memory cap 1024 MiB per GPU" in line


def test_auto_precision_is_mixed_float16_on_a_torch_gpu(fake_cuda):
    torch_pass_only()
    fake_cuda(1)
    assert "precision mixed_float16" in train.setup(precision="auto")


def test_setup_seeds_torch():
    torch_pass_only()
    torch = need_torch()
    train.setup(seed=11)
    first = torch.rand(3)
    train.setup(seed=11)
    assert torch.equal(torch.rand(3), first)


def test_deterministic_turns_on_torchs_deterministic_algorithms(monkeypatch):
    torch_pass_only()
    torch = need_torch()
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    try:
        train.setup(deterministic=True)
        assert torch.are_deterministic_algorithms_enabled()
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
        assert not torch.backends.cudnn.benchmark
    finally:
        torch.use_deterministic_algorithms(False)


def test_peak_memory_reads_torchs_allocator_on_a_gpu(fake_cuda):
    torch_pass_only()
    fake = fake_cuda(1)
    train.reset_peak_memory()
    assert fake.peak_resets == [0]
    assert train.peak_memory_mb() == (3.0, "GPU peak")


# ---------------------------------------------------------------- doctor


def test_doctor_names_what_torch_sees(fake_cuda, monkeypatch, capsys):
    torch = need_torch()
    real = train.device._torch_devices_text()
    if torch.version.cuda is None:
        assert real == "CPU-only build"
    else:
        assert real.startswith(f"CUDA {torch.version.cuda}: ")
    fake_cuda(0)
    assert train.device._torch_devices_text() == "CUDA 12.8: no GPU visible"
    fake_cuda(1)
    assert train.device._torch_devices_text() == "CUDA 12.8: GPU x1 (Fake GPU)"
    monkeypatch.setattr(data, "online", lambda timeout: False)
    assert train.doctor() == 0
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.split()[0] == "torch")
    assert row.split()[1] == "ok" and "CUDA 12.8: GPU x1 (Fake GPU)" in row
    assert torch.__version__.split("+")[0] in row
