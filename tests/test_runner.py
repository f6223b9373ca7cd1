"""`cnncourse run`: tiny notebooks that pass or raise, the table, the exit codes, bad paths."""
import sys
from pathlib import Path

import nbformat
import pytest

from cnncourse import cli, runner


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A folder with one notebook that passes (and checks where it runs) and one that raises."""
    folder = tmp_path_factory.mktemp("course")
    here = str(folder.resolve())
    write_notebook(
        folder / "a_passes.ipynb",
        "import os, sys\nx = 6 * 7",
        f"assert os.getcwd() == {here!r}, os.getcwd()\n"
        f"assert sys.prefix == {sys.prefix!r}, sys.prefix\n"
        "print(x)",
    )
    write_notebook(folder / "b_raises.ipynb", "y = 1", "1 / 0", "never = True")
    (folder / "notes.txt").write_text("not a notebook")
    return folder


def test_run_notebook_reports_the_failing_cells_exception(course):
    seconds, error = runner.run_notebook(course / "b_raises.ipynb", timeout=60)
    assert seconds > 0
    assert error == "ZeroDivisionError: division by zero"


def test_cli_run_folder_prints_table_and_exits_1(course, capsys):
    # a_passes asserts inside its kernel that it runs in its own folder and in this environment
    source = (course / "a_passes.ipynb").read_text()
    status = cli.main(["run", str(course), "--timeout", "60"])
    out = capsys.readouterr().out
    assert status == 1
    lines = out.splitlines()
    assert lines[0].split() == ["notebook", "seconds", "status"]
    passes = next(line for line in lines if "a_passes.ipynb" in line)
    raises = next(line for line in lines if "b_raises.ipynb" in line)
    assert passes.rstrip().endswith(" ok")
    assert raises.rstrip().endswith("failed: ZeroDivisionError: division by zero")
    assert lines.index(passes) < lines.index(raises)  # folders expand sorted by name
    assert "1 of 2 notebooks ran without error." in out
    assert "notes.txt" not in out
    assert (course / "a_passes.ipynb").read_text() == source  # not written back by default


def test_cli_run_all_passing_exits_0(course, capsys):
    assert cli.main(["run", str(course / "a_passes.ipynb")]) == 0
    assert "1 of 1 notebooks ran without error." in capsys.readouterr().out


def test_inplace_writes_the_outputs_back(tmp_path):
    path = write_notebook(tmp_path / "c.ipynb", "print(6 * 7)")
    assert runner.main([path], timeout=60, inplace=True) == 0
    cell = nbformat.read(path, as_version=4).cells[0]
    assert cell.outputs[0]["text"] == "42\n"


@pytest.mark.parametrize("name, message", [
    ("missing.ipynb", "does not exist"),
    ("notes.txt", "is not a notebook"),
])
def test_bad_paths_exit_2_with_a_message(course, capsys, name, message):
    assert cli.main(["run", str(course / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnncourse run: ")
    assert message in err


def test_empty_folder_and_bad_timeout_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="holds no .ipynb notebooks"):
        runner.collect([tmp_path])
    with pytest.raises(ValueError, match="timeout must be >= 1"):
        runner.main([tmp_path], timeout=0)


def test_collect_defaults_to_the_course_notebooks_and_drops_duplicates(tmp_path, monkeypatch):
    assert (runner.course_root() / "notebooks").is_dir()  # this checkout is found
    (tmp_path / "notebooks").mkdir()
    second = write_notebook(tmp_path / "notebooks" / "02_b.ipynb", "pass")
    first = write_notebook(tmp_path / "notebooks" / "01_a.ipynb", "pass")
    monkeypatch.setattr(runner, "course_root", lambda: tmp_path)
    assert runner.collect([]) == [first, second]
    assert runner.collect([second, tmp_path / "notebooks", second]) == [second, first]


def test_course_root_falls_back_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "__file__", str(tmp_path / "pkg" / "cnncourse" / "runner.py"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="no notebooks/ folder found"):
        runner.course_root()
    (tmp_path / "notebooks").mkdir()
    assert runner.course_root() == tmp_path
