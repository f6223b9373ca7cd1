"""The ``cnncourse`` command: doctor, models, summary, run, bench, homework, book.

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
    from .models import _registry

    _registry.builder(args.name)  # an unknown name is refused before the backend is imported
    from . import accounting

    print(accounting.summary(args.name))  # a zoo name is built without allocating weights
    return 0


def _models(args) -> int:
    import inspect

    from .models import _registry

    rows = []
    for name in _registry.available():
        fn, defaults = _registry.builder(name)
        params = inspect.signature(fn).parameters
        shape = params["input_shape"].default if "input_shape" in params else None
        classes = params["num_classes"].default if "num_classes" in params else None
        family = fn.__module__.rsplit(".", 1)[-1]
        rows.append((name, family, "x".join(map(str, shape)) if shape else "-",
                     str(classes) if classes else "-"))
    header = ("name", "family", "input", "classes")
    if args.params:  # built without allocating weights: seconds, not gigabytes
        from . import accounting

        header += ("trainable params",)
        rows = [row + (f"{accounting.count_trainable(row[0]):,}",) for row in rows]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"\n{len(rows)} models; `cnncourse summary NAME` prints one's parameter table.")
    return 0


def _run(args) -> int:
    from . import runner

    return runner.main(args.paths, timeout=args.timeout, inplace=args.inplace, jobs=args.jobs,
                       warm=args.warm)


def _bench(args) -> int:
    from . import train

    return train.bench(model=args.model, batch=args.batch, precision=args.precision,
                       steps=args.steps, vs=args.vs, image_size=args.image_size)


def _homework(args) -> int:
    from . import grading

    if args.action == "release":
        return grading.release.release(args.paths, out=args.out or "release")
    if args.action == "check":
        return grading.check_notebooks(args.paths, timeout=args.timeout, source=args.source,
                                       lang=args.lang)
    if len(args.paths) != 1 or not args.source:
        raise ValueError("usage: cnncourse homework grade SUBMISSIONS --source "
                         "homework/hwN_*.ipynb --out GRADES [--jobs N]")
    return grading.grade_class(args.paths[0], args.source, args.out or "grades", jobs=args.jobs,
                               cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                               unsafe_no_sandbox=args.unsafe_no_sandbox, lang=args.lang)


def _book(args) -> int:
    from . import book

    return book.main(args.out, languages=args.lang, mathjax=args.mathjax)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnncourse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("doctor", help="check Python, Keras, the backend, devices and data")
    p.set_defaults(func=_doctor)

    p = sub.add_parser("summary", help="print the parameter table of a zoo model")
    p.add_argument("name", help="a model name, e.g. vgg16 (see cnncourse.models.available())")
    p.set_defaults(func=_summary)

    p = sub.add_parser("models", help="list the model zoo: name, family, input, classes, params")
    p.add_argument("--no-params", dest="params", action="store_false",
                   help="skip the parameter counts (no backend import: instant)")
    p.set_defaults(func=_models)

    p = sub.add_parser("run", help="execute the chapter notebooks headless and print a table")
    p.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    p.add_argument("--inplace", action="store_true", help="write the executed notebooks back")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks run at once (default: one per CPU core; 1 = one at a time)")
    p.add_argument("--cold", dest="warm", action="store_false",
                   help="start every kernel from scratch (default on Linux: fork each one from a "
                        "server that has loaded Keras once)")
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

    p = sub.add_parser("homework", help="release student versions, self-check a notebook, "
                                        "or grade a class in a sandbox")
    p.add_argument("action", choices=["release", "check", "grade"])
    p.add_argument("paths", nargs="+", help="release/check: homework notebooks; grade: the folder "
                                            "of submissions (one folder per student)")
    p.add_argument("--out", default=None, help="release: folder for the student versions "
                                               "(default release/); grade: folder for "
                                               "gradebook.csv and feedback/ (default grades/)")
    p.add_argument("--source", default=None, help="the lecturer's notebook (with solutions) the "
                                                  "exercises, points and checks come from")
    p.add_argument("--timeout", type=float, default=60, help="seconds allowed per cell")
    p.add_argument("--notebook-timeout", type=float, default=None,
                   help="seconds allowed per notebook, reruns included (default: 10 x --timeout, "
                        "at least 600)")
    p.add_argument("--jobs", type=int, default=1, help="grade: submissions run at once")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without bubblewrap: the students' code runs with your permissions "
                        "(every gradebook row says 'unsandboxed')")
    p.add_argument("--lang", choices=["en", "ko"], default=None,
                   help="check/grade: the language of hints and feedback (default: the source "
                        "notebook's; homework/ko/ gives Korean)")
    p.set_defaults(func=_homework)

    p = sub.add_parser("book", help="build the course website from the executed notebooks "
                                    "(needs the book extra)")
    p.add_argument("--out", default="build/site", help="folder for the site (default build/site; "
                                                       "a site built there before is replaced)")
    p.add_argument("--lang", nargs="+", default=["en", "ko"], choices=["en", "ko"],
                   help="editions to build: English at the site's root, Korean in ko/ "
                        "(default: both, with a language switch on every page)")
    p.add_argument("--mathjax", default=None, help="the es5/ folder of the npm package mathjax@3 "
                                                   "(default: book/node_modules, installed with npm)")
    p.set_defaults(func=_book)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"cnncourse {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
