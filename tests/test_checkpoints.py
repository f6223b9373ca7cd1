"""Checkpoints of ``train.fit(..., checkpoint_dir=...)`` never lose a finished epoch.

Each test plants one fault found in the checkpoint folder (a corrupt ``history.json``, weights,
``model.json``, a write that goes wrong, another optimizer) and checks that the error names the
file and the fix, that nothing good is deleted, and that a resume falls back to the last
readable epoch.
"""
import json

import numpy as np
import pytest

from model_helpers import tiny_cnn

from cnncourse import data, train

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch


@pytest.fixture(scope="module")
def digits():
    (x, y), _ = data.load_digits()
    return data.as_images(x[:512], scale=16), y[:512]



def run(folder, digits, epochs, model=None, **kw):
    return train.fit(model or tiny_cnn(filters=4), digits, epochs=epochs, batch_size=128,
                     checkpoint_dir=folder, verbose=0, **kw)


def epoch_files(folder):
    return sorted(p.name for p in folder.glob("epoch-*"))


@pytest.fixture
def one_epoch(tmp_path, digits):
    """A folder holding a finished first epoch."""
    folder = tmp_path / "ckpt"
    run(folder, digits, 1)
    assert epoch_files(folder) == ["epoch-0001.weights.h5"]
    return folder


def test_a_corrupt_history_is_named_before_any_training_and_keeps_the_epoch(one_epoch, digits):
    (one_epoch / "history.json").write_text('{"loss": [0.5')  # cut off mid-write
    with pytest.raises(ValueError) as info:
        run(one_epoch, digits, 2)
    message = str(info.value)
    assert "history.json" in message and str(one_epoch) in message
    assert "delete" in message
    assert not isinstance(info.value, json.JSONDecodeError)
    assert epoch_files(one_epoch) == ["epoch-0001.weights.h5"]  # nothing trained, nothing lost
    with pytest.raises(ValueError, match="history.json"):
        train.saved_history(one_epoch)


def test_after_deleting_a_corrupt_history_the_run_resumes(one_epoch, digits):
    (one_epoch / "history.json").write_text("garbage")
    with pytest.raises(ValueError, match="history.json"):
        run(one_epoch, digits, 2)
    (one_epoch / "history.json").unlink()
    resumed = run(one_epoch, digits, 3)
    assert resumed.epoch == [1, 2]
    loss = train.saved_history(one_epoch)["loss"]
    assert len(loss) == 3 and np.isnan(loss[0]) and np.isfinite(loss[1:]).all()


def test_garbage_model_json_names_the_file_not_a_bare_json_error(one_epoch, digits):
    (one_epoch / "model.json").write_bytes(b"\x00\x01 not json")
    with pytest.raises(ValueError) as info:
        run(one_epoch, digits, 2)
    assert not isinstance(info.value, json.JSONDecodeError)
    message = str(info.value)
    assert "model.json" in message and str(one_epoch) in message
    assert "new checkpoint_dir" in message
    assert epoch_files(one_epoch) == ["epoch-0001.weights.h5"]


def test_corrupt_only_weights_are_named_as_corrupt_not_as_another_model(one_epoch, digits):
    (one_epoch / "epoch-0001.weights.h5").write_bytes(b"truncated")
    with pytest.raises(ValueError) as info:
        run(one_epoch, digits, 2)
    message = str(info.value)
    assert "epoch-0001.weights.h5" in message and "unreadable" in message
    assert "another model" not in message and "new model" not in message
    assert "delete epoch-0001.weights.h5" in message.lower()


def test_resume_falls_back_to_the_last_readable_epoch(tmp_path, digits):
    folder = tmp_path / "ckpt"
    run(folder, digits, 2)
    good = folder / "epoch-0001.weights.h5"
    (folder / "epoch-0002.weights.h5").rename(good)  # epoch 1's file: a copy of good weights
    (folder / "epoch-0002.weights.h5").write_bytes(b"\x89HDF\r\n half a file")
    with pytest.warns(UserWarning, match=r"epoch-0002.weights.h5.*unreadable.*epoch 1"):
        resumed = run(folder, digits, 3)
    assert resumed.epoch == [1, 2]  # epochs 2 and 3 trained again
    assert epoch_files(folder) == ["epoch-0003.weights.h5"]
    assert len(train.saved_history(folder)["loss"]) == 3


def test_a_bad_write_never_costs_the_last_good_epoch(one_epoch, digits, monkeypatch):
    """A save that leaves a broken file (a full disk, a killed writer) is caught by the check
    after writing; the previous epoch stays on disk and the run resumes from it."""
    model = tiny_cnn(filters=4)
    real_save = model.save_weights

    def broken_save(path, *args, **kwargs):
        real_save(path, *args, **kwargs)
        with open(path, "r+b") as handle:  # keep the HDF5 signature, lose the rest
            handle.truncate(64)

    monkeypatch.setattr(model, "save_weights", broken_save)
    with pytest.raises(OSError) as info:
        run(one_epoch, digits, 2, model=model)
    assert "epoch 2" in str(info.value) and "epoch-0001.weights.h5" in str(info.value)
    assert epoch_files(one_epoch) == ["epoch-0001.weights.h5"]
    assert not list(one_epoch.glob(".tmp-*"))  # the broken file was cleaned up
    resumed = run(one_epoch, digits, 2)
    assert resumed.epoch == [1]


def test_resuming_under_another_optimizer_is_refused(one_epoch, digits, capsys):
    from cnncourse._quiet import import_backend

    keras = import_backend()
    model = tiny_cnn(filters=4)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    with pytest.raises(ValueError) as info:
        run(one_epoch, digits, 2, model=model)
    message = str(info.value)
    assert "Adam" in message and "SGD" in message and "new checkpoint_dir" in message
    assert "resuming" not in capsys.readouterr().out
    assert epoch_files(one_epoch) == ["epoch-0001.weights.h5"]


def test_resuming_under_the_same_optimizer_restores_its_state(one_epoch, digits):
    from cnncourse._quiet import import_backend

    keras = import_backend()
    model = tiny_cnn(filters=4)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    with _no_warning():
        resumed = run(one_epoch, digits, 2, model=model)
    assert resumed.epoch == [1]
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 2 * 4  # 512/128


class _no_warning:
    """Fail when Keras warns that it skipped the optimizer's variables."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.caught = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        skipped = [str(w.message) for w in self.caught if "optimizer" in str(w.message).lower()]
        assert not skipped, skipped
        return False

