"""`cnncourse models` lists the zoo; `cnncourse summary` refuses a bad name before loading a backend."""
import subprocess
import sys

from cnncourse import cli, models


def test_models_lists_every_zoo_name(capsys):
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[0] for line in lines[1:] if line.strip() and not line.startswith(
        tuple("0123456789"))]
    assert listed == models.available()
    vgg16 = next(line for line in lines if line.startswith("vgg16 "))
    assert vgg16.split()[1:] == ["vgg", "224x224x3", "1000"]


def test_summary_of_an_unknown_name_suggests_one_without_importing_a_backend():
    code = ("import sys; from cnncourse import cli; rc = cli.main(['summary', 'vgg17']); "
            "print(rc, 'tensorflow' in sys.modules, 'jax' in sys.modules, 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["2", "False", "False", "False"]
    assert "did you mean 'vgg19'" in done.stderr
