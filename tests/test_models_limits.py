"""models.build refuses variants that cannot fit in memory, before the backend tries to allocate."""
import pytest

from cnncourse import models


def test_a_billion_classes_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_MAX_WEIGHTS_GB", "8")
    with pytest.raises(ValueError, match=r"85,000,060,856 parameters .*num_classes=1,000,000,000"):
        models.build("lenet5", num_classes=10**9)


def test_an_oversized_input_to_dense_layers_is_refused(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_MAX_WEIGHTS_GB", "8")
    # flatten 64·64·512 = 2,097,152 inputs × 4,096 units: 8.6 G parameters (34.5 GB)
    with pytest.raises(ValueError, match=r"8,625,531,688 parameters .*resize the images to "
                                         r"\(224, 224\)"):
        models.build("vgg16", input_shape=(2048, 2048, 3))


def test_a_variant_within_the_budget_builds(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_MAX_WEIGHTS_GB", "0.001")  # 1 MB: LeNet-5 needs 245 KB
    assert models.build("lenet5", num_classes=10).count_params() == 61_706


@pytest.mark.parametrize("value, message", [(0, "num_classes must be >= 1"),
                                            (2.5, "num_classes"), ("ten", "num_classes")])
def test_num_classes_must_be_a_positive_whole_number(value, message):
    with pytest.raises(ValueError, match=message):
        models.build("lenet5", num_classes=value)


def test_a_bad_budget_setting_is_named(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_MAX_WEIGHTS_GB", "lots")
    with pytest.raises(ValueError, match="CNNCOURSE_MAX_WEIGHTS_GB must be a number"):
        models.build("lenet5", num_classes=10)
