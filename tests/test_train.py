"""cnncourse.train: setup, fit (input checks, checkpoint + resume), strategies, metrics,
benchmarks, and the training plots."""
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from model_helpers import tiny_cnn

from cnncourse import cli, data, kernels, models, train

REPO = pathlib.Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch


def keras_backend():
    import keras

    return keras.backend.backend()


@pytest.fixture(autouse=True)
def float32_policy():
    """Tests that switch to mixed precision must not leak it into later tests."""
    yield
    import keras

    keras.config.set_dtype_policy("float32")


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits as (N, 8, 8, 1) floats: real images, tiny models, fast epochs."""
    (x_tr, y_tr), (x_te, y_te) = data.load_digits()
    return (data.as_images(x_tr, scale=16), y_tr), (data.as_images(x_te, scale=16), y_te)



# ---------------------------------------------------------------- setup



def test_numpy_only_setup_seeds_numpy_and_leaves_keras_unloaded():
    """Homework 1 and 2 compute with NumPy alone: their setup must not load a backend."""
    code = ("import sys, numpy as np; from cnncourse import train; "
            "line = train.setup(seed=3, numpy_only=True); a = np.random.rand(); "
            "np.random.seed(3); print(repr(line), a == np.random.rand(), "
            "sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    printed = done.stdout.strip().splitlines()
    assert printed[0] == eval(printed[1].rsplit(" True ", 1)[0])   # the line printed = returned
    assert printed[1].endswith("True []"), printed
    assert "Keras not loaded" in printed[0] and "seed 3" in printed[0]
    with pytest.raises(ValueError, match="numpy_only=True loads no backend"):
        train.setup(numpy_only=True, precision="mixed")

def test_setup_prints_one_status_line_and_is_safe_twice(capsys):
    first = train.setup(seed=7)
    second = train.setup(seed=7)
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed == [first, second]
    backend = keras_backend()
    for part in (f"backend {backend}", "device CPU", "precision float32",
                 "memory host RAM (no GPU)", "seed 7"):
        assert part in first
    assert first == second


def test_setup_seeds_numpy_and_python():
    import random

    train.setup(seed=3)
    a = (np.random.rand(), random.random())
    train.setup(seed=3)
    assert (np.random.rand(), random.random()) == a


def test_setup_rejects_bad_settings_before_touching_the_backend(monkeypatch):
    with pytest.raises(ValueError, match="did you mean 'mixed'"):
        train.setup(precision="mixd")
    with pytest.raises(ValueError, match="memory_limit_mb must be >= 1"):
        train.setup(memory_limit_mb=0)
    monkeypatch.setenv(train.ENV_MEMORY, "4GB")
    with pytest.raises(ValueError, match=r"\$CNNCOURSE_GPU_MEMORY_MB must be a whole number"):
        train.setup()


def test_jax_environment_turns_preallocation_off_before_jax_starts(monkeypatch):
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE", raising=False)
    monkeypatch.delenv("XLA_PYTHON_CLIENT_MEM_FRACTION", raising=False)
    monkeypatch.setattr(train.device, "_gpu_total_mb", lambda: 80_000)
    train.device._prepare_jax_env(cap_mb=20_000, deterministic=False)
    assert os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert os.environ["XLA_PYTHON_CLIENT_MEM_FRACTION"] == "0.250"


def test_mixed_precision_is_honoured_by_models_and_fit(digits):
    line = train.setup(precision="mixed")
    assert "precision mixed_bfloat16" in line  # a CPU has no fast float16
    model = tiny_cnn("mixed")
    assert model.layers[1].compute_dtype == "bfloat16"
    assert model.layers[1].variable_dtype == "float32"
    (x, y), _ = digits
    history = train.fit(model, (x[:128], y[:128]), epochs=1, batch_size=64, verbose=0)
    assert np.isfinite(history.history["loss"][0])


# ---------------------------------------------------------------- fit on LeNet-5


@pytest.mark.slow
def test_lenet5_reaches_95_percent_on_the_mnist_sample_within_10_epochs():
    train.setup(seed=1)
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist(source="sample")

    def prepare(x):
        return data.pad_to(data.as_images(x, mean=data.MNIST_MEAN, std=data.MNIST_STD), 32)

    model = models.build("lenet5")
    x_test = prepare(x_te)
    accuracies = []

    import keras

    class StopAt95(keras.callbacks.Callback):  # "within 10 epochs": stop once it is reached
        def on_epoch_end(self, epoch, logs=None):
            accuracies.append(float((train.predict_labels(model, x_test) == y_te).mean()))
            self.model.stop_training = accuracies[-1] >= 0.95

    history = train.fit(model, (prepare(x_tr), y_tr), epochs=10, batch_size=64,
                        learning_rate=3e-3, verbose=0, callbacks=[StopAt95()])
    assert len(history.history["loss"]) == len(accuracies) <= 10
    assert accuracies[-1] >= 0.95, accuracies
    if len(accuracies) > 1:
        assert history.history["loss"][-1] < history.history["loss"][0]


def test_the_schedule_is_an_argument_with_its_default_in_the_signature(digits):
    import inspect

    assert inspect.signature(train.fit).parameters["schedule"].default == "constant"
    assert "schedule" in train.fit.__doc__ and '``"constant"`` (the default)' in train.fit.__doc__
    with pytest.raises(ValueError, match="did you mean 'cosine'"):
        train.fit(tiny_cnn(), digits[0], epochs=1, schedule="cosin")
    with pytest.raises(ValueError, match="LearningRateSchedule, got int"):
        train.fit(tiny_cnn(), digits[0], epochs=1, schedule=3)


@pytest.mark.parametrize("schedule", ["constant", "cosine", "keras"])
def test_each_schedule_sets_the_rate_fit_compiles_with(digits, schedule):
    import keras

    (x, y), _ = digits
    model = tiny_cnn()
    chosen = keras.optimizers.schedules.ExponentialDecay(2e-3, 10, 0.5) if schedule == "keras" \
        else schedule
    train.fit(model, (x[:256], y[:256]), epochs=2, batch_size=64, learning_rate=2e-3,
              schedule=chosen, verbose=0)
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))  # after 8 steps
    expected = {"constant": 2e-3, "cosine": 2e-4, "keras": 2e-3 * 0.5 ** 0.8}[schedule]
    assert rate == pytest.approx(expected, rel=1e-4)


# ---------------------------------------------------------------- input checks


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_wrong_image_size_names_expected_got_and_pad_to():
    model = models.build("lenet5")
    x = np.zeros((4, 28, 28, 1), np.float32)
    with pytest.raises(ValueError) as info:
        train.fit(model, (x, np.zeros(4, np.uint8)), epochs=1)
    message = str(info.value)
    assert "expects images (N, 32×32×1), got (N, 28×28×1)" in message
    assert "pad 28×28 to 32×32 with cnncourse.data.pad_to(x, 32)" in message


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_missing_channel_axis_points_to_as_images():
    model = models.build("mnist_cnn")
    with pytest.raises(ValueError, match=r"got \(N, 28×28\).*cnncourse.data.as_images"):
        train.fit(model, (np.zeros((4, 28, 28)), np.zeros(4, np.uint8)), epochs=1)


def test_labels_out_of_range_name_the_valid_range_and_the_fix(digits):
    (x, y), _ = digits
    bad = y.astype(np.int64).copy()
    bad[0] = 10
    with pytest.raises(ValueError) as info:
        train.fit(tiny_cnn(), (x, bad), epochs=1)
    message = str(info.value)
    assert "labels run from 0 to 10" in message and "labels must lie in 0..9" in message
    assert "num_classes=11" in message
    bad[0] = -1
    with pytest.raises(ValueError, match="labels run from -1 to 9"):
        train.fit(tiny_cnn(), (x, bad), epochs=1)


def test_other_label_mistakes_get_their_own_fix(digits):
    (x, y), (x_val, y_val) = digits
    with pytest.raises(ValueError, match=r"look one-hot.*y.argmax\(axis=1\)"):
        train.fit(tiny_cnn(), (x, np.eye(10)[y]), epochs=1)
    with pytest.raises(ValueError, match=f"{len(x)} images but 5 labels"):
        train.fit(tiny_cnn(), (x, y[:5]), epochs=1)
    with pytest.raises(ValueError, match="validation_data: labels run from 3 to 12"):
        train.fit(tiny_cnn(), (x, y), validation_data=(x_val, y_val + 3), epochs=1)
    with pytest.raises(ValueError, match="NaN"):
        train.fit(tiny_cnn(), (np.full_like(x, np.nan), y), epochs=1)


def test_dataset_with_the_wrong_image_shape_is_rejected():
    tf = pytest.importorskip("tensorflow")
    ds = tf.data.Dataset.from_tensor_slices(
        (np.zeros((8, 28, 28, 1), np.float32), np.zeros(8, np.int32))).batch(4)
    with pytest.raises(ValueError, match=r"yields \(batch, 28×28×1\).*pad_to"):
        train.fit(models.build("lenet5"), ds, epochs=1)


def test_a_dataset_trains_like_arrays(digits):
    tf = pytest.importorskip("tensorflow")
    (x, y), _ = digits
    ds = tf.data.Dataset.from_tensor_slices((x[:256], y[:256].astype(np.int32))).batch(64)
    history = train.fit(tiny_cnn(), ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_unwritable_checkpoint_folder_raises_oserror_before_training(tmp_path, digits):
    (x, y), _ = digits
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    target = blocker / "checkpoints"
    model = tiny_cnn()
    with pytest.raises(OSError) as info:
        train.fit(model, (x, y), epochs=1, checkpoint_dir=target)
    assert str(target) in str(info.value) and "not writable" in str(info.value)
    assert not model.compiled  # nothing was compiled or trained


# ---------------------------------------------------------------- checkpoint and resume


class Interrupt(Exception):
    pass


def interrupter(after_epoch):
    """A callback that raises inside on_epoch_end of epoch ``after_epoch`` (1-based)."""
    from cnncourse._quiet import import_backend

    keras = import_backend()

    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == after_epoch:
                raise Interrupt(f"kernel culled after epoch {after_epoch}")

    return Stop()


def optimizer_probe():
    """A callback that records the optimizer's step counter when training begins."""
    from cnncourse._quiet import import_backend

    keras = import_backend()

    class Probe(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.iterations = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
            self.weights = [w.copy() for w in self.model.get_weights()]

    return Probe()


@pytest.mark.slow  # seconds on JAX, which compiles each new model; checked on TensorFlow
def test_interrupted_run_resumes_after_its_last_finished_epoch(tmp_path, digits):
    (x, y), val = digits
    batch, epochs = 128, 5
    steps = -(-len(x) // batch)
    folder = tmp_path / "ckpt"

    first = tiny_cnn()
    with pytest.raises(Interrupt):
        train.fit(first, (x, y), validation_data=val, epochs=epochs, batch_size=batch,
                  checkpoint_dir=folder, callbacks=[interrupter(2)], verbose=0)
    assert [p.name for p in folder.glob("epoch-*")] == ["epoch-0002.weights.h5"]
    saved_weights = [w.copy() for w in first.get_weights()]

    # a bad call on the same folder must not cost the finished epochs
    with pytest.raises(ValueError):
        train.fit(tiny_cnn(), (x, y + 1), epochs=epochs, checkpoint_dir=folder)
    assert (folder / "epoch-0002.weights.h5").is_file()

    second = tiny_cnn()  # a fresh kernel: new model object, same architecture
    probe = optimizer_probe()
    resumed = train.fit(second, (x, y), validation_data=val, epochs=epochs, batch_size=batch,
                        checkpoint_dir=folder, callbacks=[probe], verbose=0)
    assert resumed.epoch == [2, 3, 4]  # epochs 3, 4, 5 in 1-based counting
    assert 2 + len(resumed.epoch) == epochs  # what an uninterrupted run trains
    assert probe.iterations == 2 * steps  # the optimizer state came back too
    for restored, saved in zip(probe.weights, saved_weights):
        np.testing.assert_array_equal(restored, saved)
    full = train.saved_history(folder)
    assert len(full["loss"]) == len(full["val_accuracy"]) == epochs
    assert [p.name for p in folder.glob("epoch-*")] == ["epoch-0005.weights.h5"]


def test_finished_run_in_the_same_folder_has_nothing_left(tmp_path, digits, capsys):
    (x, y), _ = digits
    folder = tmp_path / "done"
    train.fit(tiny_cnn(), (x, y), epochs=1, batch_size=256, checkpoint_dir=folder, verbose=0)
    again = train.fit(tiny_cnn(), (x, y), epochs=1, batch_size=256, checkpoint_dir=folder,
                      verbose=0)
    assert again.epoch == []
    assert "already holds epoch 1 of 1" in capsys.readouterr().out


def test_checkpoint_of_another_model_is_refused(tmp_path, digits):
    from cnncourse._quiet import import_backend

    keras = import_backend()
    (x, y), _ = digits
    folder = tmp_path / "other"
    train.fit(tiny_cnn(), (x, y), epochs=1, batch_size=256, checkpoint_dir=folder, verbose=0)
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs))
    with pytest.raises(ValueError, match="does not fit model.*new checkpoint_dir"):
        train.fit(keras.Model(inputs, outputs), (x, y), epochs=2, checkpoint_dir=folder)


# ---------------------------------------------------------------- data parallelism

STRATEGY_SCRIPT = textwrap.dedent("""
    import numpy as np
    {prepare}
    from cnncourse import data, train
    train.setup(seed=0)
    engine = train.strategy()
    (x, y), _ = data.load_digits()
    x = data.as_images(x, scale=16)
    with engine.scope():
        import keras
        inputs = keras.Input((8, 8, 1))
        h = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
        outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(h))
        model = keras.Model(inputs, outputs)
        history = train.fit(model, (x, y), epochs=2, batch_size=64, verbose=0)
    import sys
    print("tensorflow loaded:", "tensorflow" in sys.modules)
    print("replicas", train.replicas(engine), "losses", *history.history["loss"])
""")

TF_TWO_CPUS = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
"""


def run_strategy_script(backend, prepare, extra_env):
    """Train in a process of its own (devices are set before the backend's runtime starts):
    forked from the suite's warm server when the backend and settings are its own."""
    env = {**os.environ, **extra_env}
    if keras_backend() != backend:
        env["KERAS_BACKEND"] = backend
    done = kernels.run_python(["-c", STRATEGY_SCRIPT.format(prepare=prepare)], env=env,
                              cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    words = done.stdout.split("replicas ")[1].split()
    losses = [float(v) for v in words[2:]]
    if backend != "tensorflow":   # seeding and training on JAX never load TensorFlow (5 s, 0.5 GB)
        assert "tensorflow loaded: False" in done.stdout, done.stdout
    return int(words[0]), losses


@pytest.mark.tensorflow_only
def test_mirrored_strategy_trains_on_two_logical_cpus():
    replicas, losses = run_strategy_script("tensorflow", TF_TWO_CPUS, {})
    assert replicas == 2
    assert losses[1] < losses[0]


def test_jax_data_parallel_trains_on_two_host_devices():
    if keras_backend() != "jax":
        pytest.skip("runs in the JAX pass of the suite")
    replicas, losses = run_strategy_script(
        "jax", "", {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})
    assert replicas == 2
    assert losses[1] < losses[0]


# ---------------------------------------------------------------- metrics


def test_slide_covid_test_metrics():
    """DL1: 10 people tested, TN=1, FP=2, FN=1, TP=6."""
    y_true, y_pred = train.labels_from_counts(tn=1, fp=2, fn=1, tp=6)
    assert len(y_true) == 10
    m = train.binary_metrics(y_true, y_pred)
    assert m["accuracy"] == pytest.approx((1 + 6) / 10)   # slide: 0.7
    assert m["recall"] == pytest.approx(6 / (6 + 1))      # slide: 6/7
    assert m["precision"] == pytest.approx(6 / (6 + 2))   # slide: 6/8
    assert m["f1"] == pytest.approx(0.8)                  # harmonic mean of 3/4 and 6/7
    assert m["fall_out"] == pytest.approx(2 / 3)          # FP / (TN + FP)


def test_evaluate_refuses_logits(digits):
    from cnncourse._quiet import import_backend

    keras = import_backend()
    _, (x, y) = digits
    inputs = keras.Input((8, 8, 1))
    logits = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)),
                         name="logits")
    with pytest.raises(ValueError, match="add a keras.layers.Softmax"):
        train.evaluate(logits, x, y)


# ---------------------------------------------------------------- benchmarks and bench


def test_benchmark_measures_throughput_through_fit():
    result = train.benchmark("lenet5", batch=16, steps=3, warmup=1)
    assert result["images_per_s"] > 0 and result["peak_memory_mb"] > 0
    assert result["input_shape"] == (32, 32, 1) and result["params"] == 61_706
    assert result["memory_kind"] == "host peak RSS"


def test_bench_command_prints_images_per_second(capsys):
    assert train.bench(model="lenet5", batch=8, precision="float32", steps=2) == 0
    out = capsys.readouterr().out
    assert "lenet5 | batch 8 | 32x32x1 | float32 | 2 timed steps" in out
    assert "keras (cnncourse.fit)" in out


def test_bench_vs_torch_without_torch_says_how_to_install(capsys, monkeypatch):
    monkeypatch.setattr(train.benchmarks, "torch_available", lambda: False)
    code = cli.main(["bench", "--model", "resnet50", "--vs", "torch", "--steps", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert "pip install torch torchvision" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_bench_rejects_an_unknown_model(capsys):
    assert cli.main(["bench", "--model", "resnet05"]) == 2
    assert "did you mean 'resnet50'" in capsys.readouterr().err


# ---------------------------------------------------------------- plots


def test_learning_curves_plot():
    import matplotlib.pyplot as plt

    from cnncourse import viz

    logs = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.6, 0.8],
            "val_accuracy": [0.5, 0.7]}
    axes = viz.plot_learning_curves({"mlp": logs, "cnn": logs})
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]
    assert len(axes[0].lines) == 4 and list(axes[0].lines[0].get_xdata()) == [1, 2]
    with pytest.raises(ValueError, match="has no \\['top5'\\]"):
        viz.plot_learning_curves(logs, metrics=["top5"])
    plt.close("all")


# ---------------------------------------------------------------- chapter 14's data discipline


def test_chapter_14_validates_on_a_split_and_opens_the_test_set_once_at_the_end():
    """Chapter 14 once validated on the test set and then reported test accuracy on it.
    Now the validation set is split off the training data, and the sealed test set is opened
    in exactly one code cell, after every model has been trained and chosen."""
    import json

    notebook = REPO / "notebooks" / "14_training_on_a_gpu.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    uses = [i for i, source in enumerate(code) if "test_set" in source]
    opens = [i for i, source in enumerate(code) if "test_set.open()" in source]
    assert len(opens) == 1 and uses == [uses[0], opens[0]]
    assert "load_mnist" in code[uses[0]] and "x_all[-N_VAL:]" in code[uses[0]]
    before = "\n".join(code[:opens[0]])
    assert "x_test" not in before and "y_test" not in before
    assert not any("fit(" in source for source in code[opens[0]:])  # nothing trains after it
