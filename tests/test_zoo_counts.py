"""accounting.zoo_counts, viz.plot_computed_vs_published and the ILSVRC data of references.

Oracles: torchvision's published parameter counts, He et al. (2016) Table 1 FLOPs, and a
hand-counted formula for the token MLPs of a Mixer built for a larger image.
"""
import pandas as pd
import pytest

from cnncourse import accounting, references, viz

pytestmark = pytest.mark.backends  # run on TensorFlow, JAX and PyTorch


def test_zoo_counts_match_torchvision_and_the_paper():
    counts = accounting.zoo_counts(["resnet18", "resnet50"])
    assert counts["params"].tolist() == [references.TORCHVISION_PARAMS["resnet18"].value,
                                         references.TORCHVISION_PARAMS["resnet50"].value]
    assert counts.loc["resnet50", "head"] == 2048 * 1000 + 1000
    assert counts["depth"].tolist() == [18, 50]
    for name, paper in (("resnet18", 1.8e9), ("resnet50", 3.8e9)):
        assert abs(counts.loc[name, "macs"] / paper - 1) < 0.05


def test_zoo_counts_passes_options_to_every_build():
    small = accounting.zoo_counts(["mixer_s16"], input_shape=(256, 256, 3))
    big = accounting.zoo_counts(["mixer_s16"])
    # 8 token MLPs see 256 instead of 196 tokens: W1 (S, 256) and W2 (256, S) + b2 (S) grow
    assert small.loc["mixer_s16", "params"] - big.loc["mixer_s16", "params"] == \
        8 * (2 * 256 * 60 + 60)


def test_a_zoo_model_is_built_once_per_name_options_and_setting(monkeypatch):
    from cnncourse import models
    from cnncourse._keras import import_backend, pending_variables

    keras = import_backend()
    built = []
    real_build = models.build
    monkeypatch.setattr(models, "build", lambda name, **kw: built.append(name) or real_build(
        name, **kw))
    monkeypatch.setattr(accounting, "_ZOO_MODELS", {})
    first = accounting.zoo_model("lenet5")
    assert accounting.count_trainable("lenet5") == 61_706   # DL1's LeNet-5 count
    accounting.param_table(" LeNet5")                        # the same name, spelt another way
    assert accounting.zoo_model("lenet5") is first and built == ["lenet5"]
    assert not pending_variables()  # shapes only: no weight waits to be filled later
    assert accounting.zoo_model("lenet5", num_classes=5) is not first     # other options
    previous = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy("mixed_float16")
        assert accounting.zoo_model("lenet5") is not first                 # another setting
    finally:
        keras.config.set_dtype_policy(previous)
    assert built == ["lenet5"] * 3
    monkeypatch.setattr(accounting, "_ZOO_MODELS_KEPT", 2)
    accounting.zoo_model("mnist_mlp")                         # the third: lenet5 goes
    assert accounting.zoo_model("lenet5") is not first and built[-1] == "lenet5"
    with pytest.raises(ValueError, match="did you mean 'lenet5'"):
        accounting.zoo_model("lenet6")


@pytest.mark.parametrize("names, message", [
    ("resnet50", r"non-empty list"),
    ([], r"non-empty list"),
    (["resnet5O"], r"did you mean 'resnet50'"),
    ([50], r"must be a string"),
])
def test_zoo_counts_rejects_bad_names(names, message):
    with pytest.raises(ValueError, match=message):
        accounting.zoo_counts(names)


def test_plot_computed_vs_published_draws_bars_and_markers():
    values = pd.Series({"m1": 2e9, "m2": 3e9})
    ax = viz.plot_computed_vs_published(values, pd.Series({"m1": 1.9e9}), scale=1e9)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["m1", "m2"]
    assert [p.get_height() for p in ax.patches] == [2.0, 3.0]


def test_every_cnn_entry_of_ilsvrc_says_what_it_was():
    models = set(references.ilsvrc_table()["model"])
    assert set(references.ILSVRC_ENTRIES) <= models
    assert {"AlexNet", "ZFNet", "VGG", "GoogLeNet", "ResNet", "SENet"} <= set(references.ILSVRC_ENTRIES)
    assert "SENet-154" in references.ILSVRC_ENTRIES["SENet"]
    assert references.SINGLE_MODEL_TOP5["resnet152"].value == 4.49
