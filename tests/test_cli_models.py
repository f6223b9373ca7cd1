"""`cnncourse models` lists the zoo; `cnncourse summary` refuses a bad name before loading a backend."""
import subprocess
import sys

from cnncourse import cli, models


def test_models_lists_every_zoo_name(capsys):
    assert cli.main(["models", "--no-params"]) == 0
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


def test_models_lists_parameter_counts(capsys):
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-2:] == ["trainable", "params"]
    counts = {line.split()[0]: line.split()[-1] for line in lines[1:] if line.strip()
              and not line[0].isdigit()}
    # LeNet-5 as DL1 counts it; ResNet-50 and VGG-16 as torchvision publishes them
    assert counts["lenet5"] == "61,706"
    assert counts["resnet50"] == "25,557,032" and counts["vgg16"] == "138,357,544"
    assert len(counts) == len(models.available())
