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
