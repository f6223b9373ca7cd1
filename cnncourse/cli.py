"""The ``cnncourse`` command: doctor, summary, run, bench, homework.

Each subcommand is a thin wrapper around a library function, so everything the command line
does is also one call away in a notebook.
"""
from __future__ import annotations

import argparse
import sys


def _doctor(args) -> int:
    from . import train

    return train.doctor()


def _summary(args) -> int:
    from . import accounting

    print(accounting.summary(args.name))  # a zoo name is built without allocating weights
    return 0


def _run(args) -> int:
    from . import runner

    return runner.main(args.paths, timeout=args.timeout, inplace=args.inplace)


def _bench(args) -> int:
    from . import train

    return train.bench(model=args.model, batch=args.batch, precision=args.precision,
                       steps=args.steps, vs=args.vs, image_size=args.image_size)


def _homework(args) -> int:
    from . import homework

    if args.action == "release":
        return homework.release(args.paths, out=args.out)
    return homework.check_notebooks(args.paths, timeout=args.timeout)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnncourse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("doctor", help="check Python, Keras, the backend, devices and data")
    p.set_defaults(func=_doctor)

    p = sub.add_parser("summary", help="print the parameter table of a zoo model")
    p.add_argument("name", help="a model name, e.g. vgg16 (see cnncourse.models.available())")
    p.set_defaults(func=_summary)

    p = sub.add_parser("run", help="execute the chapter notebooks headless and print a table")
    p.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    p.add_argument("--inplace", action="store_true", help="write the executed notebooks back")
    p.set_defaults(func=_run)

    p = sub.add_parser("bench", help="training throughput and peak memory of a zoo model")
    p.add_argument("--model", default="resnet50")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--precision", choices=["auto", "float32", "mixed"], default="auto")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--image-size", type=int, default=None,
                   help="side of the square synthetic images (default: the model's own)")
    p.add_argument("--vs", choices=["torch"], default=None,
                   help="also time torchvision's model of the same name in the same run")
    p.set_defaults(func=_bench)

    p = sub.add_parser("homework", help="release student versions or check a submission")
    p.add_argument("action", choices=["release", "check"])
    p.add_argument("paths", nargs="+", help="homework notebooks")
    p.add_argument("--out", default="release", help="folder for released notebooks")
    p.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell")
    p.set_defaults(func=_homework)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"cnncourse {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
