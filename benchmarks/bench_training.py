"""Training speed and memory of the course's fit path, as ratios (see benchmarks/RESULTS.md).

Three measurements, printed as tables:

1. ``--model`` (default ResNet-50) at ``--batch`` (256) on synthetic ``--image-size`` (224)
   images, mixed precision: images/s through ``cnncourse.train.fit``, and with torch and
   torchvision installed the same model from torchvision (AMP + channels-last) in the same
   process, and the ratio ours / torch;
2. the speed-ups of mixed precision and of XLA (``jit_compile=True``) over float32 for the same
   model;
3. the LeNet-5 run of notebook 14 (8 epochs on the MNIST sample): wall time, test accuracy and
   peak memory (GPU allocator peak, or the process's peak resident memory on a CPU).

On a GPU (what the numbers are for)::

    python benchmarks/bench_training.py                       # ResNet-50, batch 256, 224x224

A CPU smoke run that only shows the script works (numbers are not GPU figures)::

    python benchmarks/bench_training.py --batch 4 --steps 2 --image-size 64 --lenet-epochs 1
"""
from __future__ import annotations

import argparse
import sys
import time

from cnncourse import data, models, train


def throughput(args) -> None:
    """Tables 1 and 2: ours vs torch, and the precision / XLA speed-ups."""
    settings = {"float32": dict(precision="float32", jit_compile=False),
                "mixed": dict(precision="mixed", jit_compile=False),
                "float32 + XLA": dict(precision="float32", jit_compile=True),
                "mixed + XLA": dict(precision="mixed", jit_compile=True)}
    results = {}
    for label, kw in settings.items():
        results[label] = train.benchmark(args.model, batch=args.batch, steps=args.steps,
                                         image_size=args.image_size, warmup=args.warmup, **kw)
    shape = "x".join(map(str, results["float32"]["input_shape"]))
    print(f"\n## {args.model}, batch {args.batch}, {shape}, {args.steps} timed steps")
    print(f"{'setting':<16}{'policy':<16}{'XLA':<7}{'images/s':>10}{'ms/step':>10}"
          f"{'peak MiB':>10}  speed-up vs float32")
    reference = results["float32"]["images_per_s"]
    for label, r in results.items():
        print(f"{label:<16}{r['policy']:<16}{str(r['jit_compile']):<7}{r['images_per_s']:>10.1f}"
              f"{r['step_ms']:>10.1f}{r['peak_memory_mb']:>10.0f}  "
              f"{r['images_per_s'] / reference:.2f}   ({r['memory_kind']})")

    if not train.torch_available():
        print(f"\ntorch comparison skipped: {train.TORCH_INSTALL}")
        return
    best = max(("mixed", "mixed + XLA"), key=lambda k: results[k]["images_per_s"])
    mixed_on = results[best]["policy"].startswith("mixed")
    theirs = train.torch_benchmark(args.model, batch=args.batch, steps=args.steps,
                                   mixed=mixed_on, image_size=args.image_size,
                                   warmup=args.warmup)
    ratio = results[best]["images_per_s"] / theirs["images_per_s"]
    print(f"\ntorchvision {theirs['torchvision']} (torch {theirs['torch']}), AMP "
          f"{'on' if mixed_on else 'off'}, channels-last {'on' if mixed_on else 'off'}: "
          f"{theirs['images_per_s']:.1f} images/s, peak {theirs['peak_memory_mb']:.0f} MiB")
    print(f"ratio ours ({best}) / torch: {ratio:.2f}")


def lenet_run(epochs: int) -> None:
    """Table 3: the LeNet-5 run of notebook 14, with its wall time and peak memory."""
    (x_tr, y_tr), (x_te, y_te) = data.load_mnist(source="sample")

    def prepare(x):
        return data.pad_to(data.as_images(x, mean=data.MNIST_MEAN, std=data.MNIST_STD), 32)

    train.setup(seed=42)
    train.reset_peak_memory()
    model = models.build("lenet5")
    start = time.perf_counter()
    train.fit(model, (prepare(x_tr), y_tr), validation_data=(prepare(x_te), y_te),
              epochs=epochs, batch_size=64, learning_rate=3e-3, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = train.evaluate(model, prepare(x_te), y_te)["accuracy"]
    peak, kind = train.peak_memory_mb()
    print(f"\n## LeNet-5, notebook 14 recipe, {epochs} epochs on the 4,000-digit sample")
    print(f"fit wall time {seconds:.1f} s | test accuracy {accuracy:.3f} | {kind} {peak:.0f} MiB")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--lenet-epochs", type=int, default=8)
    args = parser.parse_args(argv)
    train.setup(seed=0)
    lenet_run(args.lenet_epochs)
    throughput(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
