"""Packaging: a wheel built from the source tree carries the data, and an installed copy loads it.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation``, the venv's setuptools)
from a copy of the source in a temporary folder, so the checkout gets no build/ or dist/. The test
then reads the wheel's file list, installs the wheel with ``pip install --no-deps --target`` into a
temporary folder and, in a fresh interpreter started in an empty temporary folder with that folder
in front of ``sys.path``, imports the course from the installed copy (not the checkout) and loads
the MNIST sample (its SHA-256 is checked on load).
"""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cnncourse import data

pytestmark = pytest.mark.slow  # builds and installs the wheel

ROOT = Path(__file__).resolve().parents[1]
# every file the package reads at run time (a missing one here is a wheel that breaks when used)
RUNTIME_FILES = ["cnncourse/_data/mnist_sample.npz", "cnncourse/_data/README.md",
                 "cnncourse/claims.toml"]


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    try:
        from setuptools import __version__ as setuptools_version
    except ImportError:  # pragma: no cover - setuptools comes with every venv we make
        setuptools_version = "0"
    if int(setuptools_version.split(".")[0]) < 77:
        message = (f"setuptools {setuptools_version} cannot build this pyproject (PEP 639 license); "
                   "pip install 'setuptools>=77' (the `hub` extra has it)")
        pytest.fail(message) if _ci() else pytest.skip(message)
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "cnncourse", src / "cnncourse",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(work / "dist"), str(src)],
                          capture_output=True, text=True, timeout=300, cwd=work)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = sorted((work / "dist").glob("cnncourse-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_lists_every_runtime_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in RUNTIME_FILES if name not in names]
    assert not missing, f"{wheel.name} lacks {missing}: widen [tool.setuptools.package-data]"
    # the package's modules and subpackages ship too, and nothing from outside the package
    for module in ("cnncourse/data.py", "cnncourse/cli.py", "cnncourse/models/__init__.py",
                   "cnncourse/grading/__init__.py"):
        assert module in names
    top = {name.split("/")[0] for name in names}
    assert top == {"cnncourse", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1]
                   + ".dist-info"}, top
    assert not any("__pycache__" in name for name in names)
    # the bytes in the wheel are the checksummed ones
    with zipfile.ZipFile(wheel) as zf:
        import hashlib

        digest = hashlib.sha256(zf.read("cnncourse/_data/mnist_sample.npz")).hexdigest()
    assert digest == data.SAMPLE_SHA256


def _install(wheel: Path, site: Path) -> None:
    """``pip install`` the wheel (no dependencies: the venv has them) into the folder ``site``."""
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                           "--target", str(site), str(wheel)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_installed_copy_loads_mnist_from_any_folder(wheel, tmp_path):
    site = tmp_path / "site"
    _install(wheel, site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "import pathlib, cnncourse\n"
        "from cnncourse import data\n"
        "(x, y), (xt, yt) = data.load_mnist(source='sample', verbose=False)\n"
        "print(pathlib.Path(cnncourse.__file__).resolve().parent)\n"
        "print(data.data_dir().resolve())\n"
        "print(x.shape, y.shape, xt.shape, yt.shape, int(y.sum()))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != data.ENV_DATA_DIR}
    env["PYTHONPATH"] = str(site)
    env.pop("PYTHONHOME", None)
    done = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    package, folder, shapes = done.stdout.strip().splitlines()[-3:]
    # imported from the installed wheel, not from the checkout (the editable install)
    assert Path(package) == (site / "cnncourse").resolve()
    assert Path(folder) == (site / "cnncourse" / "_data").resolve()
    n_train = 4000
    assert shapes == f"(4000, 28, 28) (4000,) (1000, 28, 28) (1000,) {n_train // 10 * 45}"


def test_installed_copy_honours_the_data_dir_variable(wheel, tmp_path):
    """CNNCOURSE_DATA_DIR still wins over the package data (and a wrong one is named)."""
    site = tmp_path / "site"
    _install(wheel, site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site), **{data.ENV_DATA_DIR: str(empty)})
    done = subprocess.run([sys.executable, "-c",
                           "from cnncourse import data; data.load_mnist(source='sample')"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "FileNotFoundError" in done.stderr and str(empty / data.SAMPLE_FILE) in done.stderr


# ---------------------------------------------------------------- conda / repo2docker (Binder)


def _name(requirement: str) -> str:
    import re

    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _floor(requirement: str) -> str | None:
    import re

    found = re.search(r">=\s*([\w.]+)", requirement)
    return found.group(1) if found else None


def test_environment_yml_installs_what_pyproject_does():
    """environment.yml (conda users, and repo2docker/Binder, which builds from it) installs the
    course with the extras its header names, and lists no package, or version floor, that
    pyproject.toml does not have."""
    import re

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    yaml = pytest.importorskip("yaml")
    text = (ROOT / "environment.yml").read_text()
    env = yaml.safe_load(text)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = [dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict) and "pip" in dep]
    assert len(pip) == 1, "environment.yml needs one pip: section"
    local = [line for line in pip[0] if line.split("#")[0].strip().startswith("-e .")]
    assert len(local) == 1, "environment.yml's pip section must install the course: `-e .[...]`"
    named = re.search(r"\[([\w,]+)\]", local[0])
    assert named, f"{local[0]!r}: name the extras, e.g. `-e .[test,jax,lab]`"
    extras = set(named.group(1).split(","))
    header = re.search(r'pip install -e "\.\[([\w,]+)\]"', text)
    assert header and set(header.group(1).split(",")) == extras, "header and pip line disagree"
    assert extras <= set(project["optional-dependencies"]), extras
    wanted = {_name(r): r for r in project["dependencies"]}
    for extra in extras:
        wanted.update({_name(r): r for r in project["optional-dependencies"][extra]})
    listed = [d for d in env["dependencies"] if isinstance(d, str)] + \
             [line.split("#")[0].strip() for line in pip[0] if not line.startswith("-")]
    for requirement in listed:
        name = _name(requirement)
        if name in ("python", "pip"):
            continue
        assert name in wanted, f"environment.yml lists {name}, which pyproject.toml does not"
        assert _floor(requirement) == _floor(wanted[name]), (requirement, wanted[name])
