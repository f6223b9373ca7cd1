"""`cnncourse run`: tiny notebooks that pass or raise, the table, the exit codes, bad paths."""
import os
import sys
from pathlib import Path

import nbformat
import pytest

from cnncourse import cli, runner

pytestmark = pytest.mark.slow  # starts Jupyter kernels


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


def test_notebooks_run_in_parallel_and_the_table_keeps_their_order(tmp_path, capsys):
    # each notebook marks that it started, then waits for the other's mark: both pass only when
    # they run at the same time (one after another, the first would time out waiting)
    folder = tmp_path / "pair"
    folder.mkdir()
    wait = ("import time\nfrom pathlib import Path\n"
            "Path({mine!r}).touch()\n"
            "deadline = time.monotonic() + 120\n"
            "while not Path({other!r}).exists():\n"
            "    assert time.monotonic() < deadline, 'the other notebook never started'\n"
            "    time.sleep(0.1)")
    a, b = str(tmp_path / "a.started"), str(tmp_path / "b.started")
    # two kernels at once: each with half the cores for its thread pools (a variable that is
    # set already, as under pytest -n, is passed on as it is)
    share = os.environ.get("TF_NUM_INTRAOP_THREADS") or str(max(1, runner.default_jobs() // 2))
    threads = f"import os\nassert os.environ.get('TF_NUM_INTRAOP_THREADS') == {share!r}"
    write_notebook(folder / "nb_1.ipynb", threads, wait.format(mine=a, other=b))
    write_notebook(folder / "nb_2.ipynb", threads, wait.format(mine=b, other=a))
    assert cli.main(["run", str(folder), "--jobs", "2", "--timeout", "180"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if ".ipynb" in line]
    assert [Path(row.split()[0]).name for row in rows] == ["nb_1.ipynb", "nb_2.ipynb"]
    assert all(row.rstrip().endswith(" ok") for row in rows)
    assert "2 of 2 notebooks ran without error." in lines


def test_default_jobs_uses_every_core(monkeypatch):
    assert runner.default_jobs() >= 1
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert runner.default_jobs() == 2
    parser = cli.make_parser()
    assert parser.parse_args(["run"]).jobs is None  # None: runner.default_jobs()
    assert parser.parse_args(["run", "--jobs", "1"]).jobs == 1


def test_threads_shared_divides_the_cores_and_keeps_what_is_set(monkeypatch):
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    for name in runner.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own choice stays
    with runner.threads_shared(2) as share:
        assert share == 4
        assert os.environ["TF_NUM_INTRAOP_THREADS"] == os.environ["TF_NUM_INTEROP_THREADS"] == "4"
        assert os.environ["OMP_NUM_THREADS"] == "3"
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "3"
    with runner.threads_shared(16):  # more processes than cores: one thread each
        assert os.environ["TF_NUM_INTEROP_THREADS"] == "1"
    with pytest.raises(ValueError, match="processes must be >= 1"):
        with runner.threads_shared(0):
            pass


def test_bad_jobs_is_refused_before_any_kernel_starts(course, capsys):
    with pytest.raises(ValueError, match="jobs must be >= 1"):
        runner.main([course / "a_passes.ipynb"], jobs=0)
    assert cli.main(["run", str(course / "a_passes.ipynb"), "--jobs", "0"]) == 2
    assert "jobs must be >= 1" in capsys.readouterr().err


def test_kernels_do_not_see_a_jupyter_servers_session_name(tmp_path, monkeypatch):
    # started from a terminal inside JupyterLab, the run must still store static outputs:
    # chapter 4's explorer shows live widgets when JPY_SESSION_NAME is set
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/student/04_cnn_layers.ipynb")
    monkeypatch.setenv("CNNCOURSE_RUNNER_PROBE", "inherited")
    path = write_notebook(
        tmp_path / "env.ipynb",
        "import os\n"
        "assert 'JPY_SESSION_NAME' not in os.environ, os.environ['JPY_SESSION_NAME']\n"
        "assert os.environ.get('CNNCOURSE_RUNNER_PROBE') == 'inherited'")
    seconds, error = runner.run_notebook(path, timeout=60)
    assert error is None


def _timed(path: Path, seconds: float) -> Path:
    """A notebook whose stored run took ``seconds`` (two cells, timings as Jupyter keeps them)."""
    write_notebook(path, "a = 1", "b = 2")
    notebook = nbformat.read(path, as_version=4)
    start, end = "2026-12-01T10:00:00.000000Z", f"2026-12-01T10:00:{seconds:09.6f}Z"
    notebook.cells[0].metadata["execution"] = {"iopub.execute_input": start,
                                               "shell.execute_reply": "2026-12-01T10:00:00.5Z"}
    notebook.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-12-01T10:00:00.6Z",
                                               "shell.execute_reply": end}
    nbformat.write(notebook, path)
    return path


def test_the_longest_stored_run_starts_first_and_the_table_keeps_the_order(tmp_path, monkeypatch,
                                                                           capsys):
    short, untimed, long = (_timed(tmp_path / "a_short.ipynb", 3.0),
                            write_notebook(tmp_path / "b_untimed.ipynb", "c = 3"),
                            _timed(tmp_path / "c_long.ipynb", 42.5))
    assert runner.recorded_seconds(long) == pytest.approx(42.5)
    assert runner.recorded_seconds(short) == pytest.approx(3.0)
    assert runner.recorded_seconds(untimed) == 0.0
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert runner.recorded_seconds(tmp_path / "bad.ipynb") == 0.0
    started = []
    monkeypatch.setattr(runner, "run_notebook",
                        lambda path, timeout, inplace: started.append(path.name) or (0.1, None))
    assert runner.main([str(short), str(untimed), str(long)], jobs=1) == 0
    assert started == ["c_long.ipynb", "a_short.ipynb", "b_untimed.ipynb"]
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines() if ".ipynb" in line]
    assert [Path(row).name for row in rows] == ["a_short.ipynb", "b_untimed.ipynb", "c_long.ipynb"]
