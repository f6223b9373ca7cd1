"""Training throughput: ``benchmark`` (our ``fit`` path on synthetic data), ``torch_benchmark``
(torchvision's model of the same name), and ``bench`` (``cnncourse bench``) printing both.
"""
from __future__ import annotations

import importlib.util
import inspect
import time

import numpy as np

from .. import models
from .._checks import positive_int
from .._keras import import_backend
from .device import (check_precision, gpu_count, host_peak_mb, peak_memory_mb,
                     reset_peak_memory, set_precision, setup)
from .fitting import fit


def _zoo_default(name: str, option: str):
    """The default of ``option`` (``input_shape``, ``num_classes``) for zoo model ``name``."""
    fn, defaults = models.builder(name)
    if option in defaults:
        return defaults[option]
    return inspect.signature(fn).parameters[option].default


def _benchmark_shape(model: str, image_size) -> tuple:
    """``(S, S, C)``: the zoo model's own input, or ``image_size`` square with its channels."""
    shape = tuple(_zoo_default(model, "input_shape"))
    if image_size is None:
        return shape
    side = positive_int(image_size, "image_size")
    return (side, side, shape[-1])


def _synthetic_batches(keras, shape: tuple, classes: int, batch: int, steps: int, seed: int):
    """A loader that yields the same random batch ``steps`` times: images ``(batch, *shape)``
    float32, labels ``(batch,)`` int32. Works on every backend (a ``keras.utils.PyDataset``)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *shape), dtype=np.float32)
    y = rng.integers(0, classes, size=batch).astype(np.int32)

    class SameBatch(keras.utils.PyDataset):
        def __len__(self):
            return steps

        def __getitem__(self, index):
            return x, y

    return SameBatch()


def _step_clock(keras):
    """A callback recording the wall time at the end of every training batch (``.stamps``)."""

    class StepClock(keras.callbacks.Callback):
        stamps: list

        def on_train_begin(self, logs=None):
            self.stamps = []

        def on_train_batch_end(self, batch, logs=None):
            self.stamps.append(time.perf_counter())

    return StepClock()


def benchmark(model: str, *, batch: int = 64, steps: int = 20, precision: str = "float32",
              image_size: int | None = None, jit_compile=None, warmup: int = 3) -> dict:
    """Training throughput of the zoo model ``model`` on synthetic data, through ``fit``.

    Builds the model under ``precision`` (the global policy is restored afterwards), trains
    ``warmup + steps`` batches of random images ``(batch, S, S, C)`` (S = ``image_size`` or the
    model's own size; the batch is the same host array every step, as a loader would hand it
    over), and times the last ``steps``. Returns a dict: ``images_per_s``, ``step_ms``,
    ``peak_memory_mb`` with ``memory_kind`` (GPU allocator peak, or host RSS on a CPU),
    ``policy``, ``jit_compile``, ``input_shape``, ``params``.
    """
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    warmup = positive_int(warmup, "warmup")
    precision = check_precision(precision)
    shape = _benchmark_shape(model, image_size)

    keras = import_backend()
    previous = keras.config.dtype_policy()
    try:
        policy = set_precision(keras, precision, gpu_count(keras))
        net = models.build(model, input_shape=shape)
    finally:
        keras.config.set_dtype_policy(previous)
    classes = int(net.outputs[0].shape[-1])
    batches = _synthetic_batches(keras, shape, classes, batch, warmup + steps, seed=0)
    clock = _step_clock(keras)
    reset_peak_memory()
    fit(net, batches, epochs=1, verbose=0, callbacks=[clock], jit_compile=jit_compile)
    elapsed = clock.stamps[-1] - clock.stamps[warmup - 1]
    peak, kind = peak_memory_mb()
    return {"model": model, "images_per_s": batch * steps / elapsed,
            "step_ms": 1000 * elapsed / steps, "peak_memory_mb": peak, "memory_kind": kind,
            "policy": policy, "jit_compile": net.jit_compile, "input_shape": shape,
            "params": int(net.count_params())}


TORCH_INSTALL = ("--vs torch needs PyTorch and torchvision. Install a matching pair, e.g. "
                 "`pip install torch torchvision` (CPU) or the CUDA build from "
                 "https://pytorch.org/get-started/locally/, then run the command again.")


def torch_available() -> bool:
    """Whether both torch and torchvision can be imported (checked without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "torchvision"))


def torch_benchmark(model: str, *, batch: int = 64, steps: int = 20, mixed: bool = False,
                    image_size: int | None = None, warmup: int = 3) -> dict:
    """The same measurement on torchvision's model of the same name, in this process.

    Adam, cross-entropy, the same host batch copied to the device every step (from pinned
    memory on a GPU); ``mixed``: autocast (float16 with a GradScaler on CUDA, bfloat16 on a CPU)
    and channels-last memory layout, the usual recipe for tensor cores. Returns the keys of
    ``benchmark`` that apply, plus the torch and torchvision versions.
    """
    import torch
    import torchvision

    if model not in torchvision.models.list_models():
        raise ValueError(f"torchvision has no model named {model!r}; --vs torch works for zoo "
                         "models torchvision also has, e.g. resnet50, vgg16, alexnet.")
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    h, w, c = _benchmark_shape(model, image_size)
    classes = int(_zoo_default(model, "num_classes"))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    extra = {"aux_logits": False, "init_weights": True} if model == "googlenet" else {}
    layout = torch.channels_last if mixed else torch.contiguous_format
    net = torchvision.models.get_model(model, weights=None, num_classes=classes, **extra)
    net = net.to(device, memory_format=layout).train()
    gen = torch.Generator().manual_seed(0)
    x = torch.randn((batch, c, h, w), generator=gen)
    y = torch.randint(0, classes, (batch,), generator=gen)
    if device == "cuda":
        x, y = x.pin_memory(), y.pin_memory()
        torch.cuda.reset_peak_memory_stats()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler(device, enabled=mixed and device == "cuda")
    amp_dtype = torch.float16 if device == "cuda" else torch.bfloat16
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        xb = x.to(device, non_blocking=True).contiguous(memory_format=layout)
        yb = y.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device, dtype=amp_dtype, enabled=mixed):
            loss = loss_fn(net(xb), yb)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(positive_int(warmup, "warmup")):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    elapsed = time.perf_counter() - start
    if device == "cuda":
        peak, kind = torch.cuda.max_memory_allocated() / 2**20, "GPU peak"
    else:
        peak, kind = host_peak_mb(), "host peak RSS"
    return {"model": model, "images_per_s": batch * steps / elapsed,
            "step_ms": 1000 * elapsed / steps, "peak_memory_mb": peak, "memory_kind": kind,
            "input_shape": (h, w, c), "torch": torch.__version__,
            "torchvision": torchvision.__version__}


def bench(model: str = "resnet50", batch: int = 64, precision: str = "auto", steps: int = 20,
          vs: str | None = None, image_size: int | None = None) -> int:
    """``cnncourse bench``: print training images/s and peak memory of a zoo model.

    With ``vs="torch"`` also time torchvision's model of the same name in the same process and
    print the ratio (ours / torch). Returns the exit code: 0, or 2 when torch is missing.
    """
    models.builder(model)  # unknown names fail here, with a suggestion
    batch, steps = positive_int(batch, "batch"), positive_int(steps, "steps")
    precision = check_precision(precision)
    if vs not in (None, "torch"):
        raise ValueError(f"--vs takes 'torch' only, got {vs!r}.")
    if vs == "torch" and not torch_available():
        print(f"cnncourse bench: {TORCH_INSTALL}")
        return 2
    setup(precision=precision)
    ours = benchmark(model, batch=batch, steps=steps, precision=precision, image_size=image_size)
    rows = [("keras (cnncourse.fit)", ours)]
    if vs == "torch":
        theirs = torch_benchmark(model, batch=batch, steps=steps, image_size=image_size,
                                 mixed=ours["policy"].startswith("mixed"))
        rows.append((f"torchvision {theirs['torchvision']}", theirs))
    side = "x".join(map(str, ours["input_shape"]))
    print(f"{model} | batch {batch} | {side} | {ours['policy']} | {steps} timed steps")
    print(f"{'run':<28}{'images/s':>12}{'ms/step':>10}{'peak MiB':>11}  memory")
    for label, r in rows:
        print(f"{label:<28}{r['images_per_s']:>12.1f}{r['step_ms']:>10.1f}"
              f"{r['peak_memory_mb']:>11.0f}  {r['memory_kind']}")
    if vs == "torch":
        print(f"ratio keras / torch (images/s): {ours['images_per_s'] / theirs['images_per_s']:.2f}")
    return 0
