"""cnncourse.history (chapters 10–13) and cnncourse.viz.modern.

Oracles: torchvision's published parameter counts, He et al. (2016) Table 1 FLOPs, Hu et al.
(SE-ResNet-50: ~28.1 M parameters, ~3.87 GFLOPs), SqueezeNet's Table 1 (fire2 11,920 and fire3
12,432 parameters), finite differences for every Jacobian and derivative, NumPy re-computations
of the SE and Mixer layers, and hand-counted formulas written out in the tests.
"""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnncourse import accounting, history, models, references, viz
from cnncourse.models.mixer import mixer

# He et al. 2016, Table 1: blocks per stage and bottleneck output channels of ResNet-50.
RESNET50_STAGES = [(3, 256, 56), (4, 512, 28), (6, 1024, 14), (3, 2048, 7)]  # (blocks, C, side)


def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


@pytest.fixture(scope="module")
def se_resnet50():
    with accounting.shapes_only():
        return models.build("se_resnet50")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- zoo_counts


def test_zoo_counts_match_torchvision_and_the_paper():
    counts = history.zoo_counts(["resnet18", "resnet50"])
    assert counts["params"].tolist() == [references.TORCHVISION_PARAMS["resnet18"].value,
                                         references.TORCHVISION_PARAMS["resnet50"].value]
    assert counts.loc["resnet50", "head"] == 2048 * 1000 + 1000
    assert counts["depth"].tolist() == [18, 50]
    for name, paper in (("resnet18", 1.8e9), ("resnet50", 3.8e9)):
        assert abs(counts.loc[name, "macs"] / paper - 1) < 0.05


def test_zoo_counts_passes_options_to_every_build():
    small = history.zoo_counts(["mixer_s16"], input_shape=(256, 256, 3))
    big = history.zoo_counts(["mixer_s16"])
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
        history.zoo_counts(names)


# ---------------------------------------------------------------- residual stacks


def test_branch_weights_follow_he_initialisation():
    weights = history.branch_weights(depth=10, width=64, scale=0.5, seed=3)
    assert len(weights) == 10 and all(w.shape == (64, 64) for w in weights)
    std = np.concatenate([w.ravel() for w in weights]).std()
    assert abs(std / (0.5 * math.sqrt(2 / 64)) - 1) < 0.03
    assert not any(w.any() for w in history.branch_weights(3, 8, scale=0.0))


def _finite_difference_jacobian(x, weights, residual, eps=1e-6):
    def forward(h):
        for w in weights:
            f = w @ np.maximum(h, 0.0)
            h = h + f if residual else f
        return h

    return np.stack([(forward(x + eps * e) - forward(x - eps * e)) / (2 * eps)
                     for e in np.eye(len(x))], axis=1)


@pytest.mark.parametrize("residual", [True, False])
def test_stack_jacobian_matches_finite_differences(rng, residual):
    x = rng.normal(size=12)
    weights = history.branch_weights(depth=4, width=12, scale=0.7, seed=1)
    jacobian, branches = history.stack_jacobian(x, weights, residual=residual)
    np.testing.assert_allclose(jacobian, _finite_difference_jacobian(x, weights, residual),
                               atol=1e-6)
    assert len(branches) == 4 and branches[0].shape == (12, 12)


def test_residual_jacobian_is_identity_plus_branches_to_first_order(rng):
    x = rng.normal(size=16)
    zero = history.branch_weights(depth=5, width=16, scale=0.0)
    assert np.array_equal(history.stack_jacobian(x, zero)[0], np.eye(16))
    assert not history.stack_jacobian(x, zero, residual=False)[0].any()
    remainders = []
    for scale in (0.02, 0.04):
        jacobian, branches = history.stack_jacobian(
            x, history.branch_weights(depth=5, width=16, scale=scale, seed=2))
        remainders.append(np.linalg.norm(jacobian - np.eye(16) - sum(branches)))
    assert 3.5 < remainders[1] / remainders[0] < 4.5  # second order in the branch size


def test_scalar_network_derivative_matches_finite_differences():
    x = np.linspace(-2, 2, 20_001)
    for depth, residual in ((1, False), (3, False), (3, True)):
        y, slope = history.scalar_network(x, depth, residual, width=32, seed=4)
        centred = (y[2:] - y[:-2]) / (x[2:] - x[:-2])
        agree = np.isclose(centred, slope[1:-1], rtol=1e-6, atol=1e-6)
        assert agree.mean() > 0.95  # the rest straddle a ReLU kink


def test_deep_plain_gradients_shatter_and_residual_ones_do_not():
    grid = np.linspace(-2, 2, 256)
    for seed in (0, 1):
        shallow = history.scalar_network(grid, 1, False, seed=seed)[1]
        plain = history.scalar_network(grid, 24, False, seed=seed)[1]
        residual = history.scalar_network(grid, 50, True, seed=seed)[1]
        assert history.neighbour_correlation(shallow) > 0.9
        assert abs(history.neighbour_correlation(plain)) < 0.3
        assert history.neighbour_correlation(residual) > 0.6


def test_neighbour_correlation_of_known_curves(rng):
    assert history.neighbour_correlation(np.arange(10.0)) == pytest.approx(1.0)
    assert history.neighbour_correlation(np.sin(np.linspace(0, 3, 500))) > 0.99
    assert abs(history.neighbour_correlation(rng.normal(size=5000))) < 0.05


@pytest.mark.parametrize("call, message", [
    (lambda: history.branch_weights(0), r"depth must be >= 1"),
    (lambda: history.branch_weights(2, scale=-1), r"scale must be a number >= 0"),
    (lambda: history.stack_jacobian(np.ones((2, 2)), [np.eye(2)]), r"shape \(width,\)"),
    (lambda: history.stack_jacobian(np.ones(3), []), r"non-empty list"),
    (lambda: history.stack_jacobian(np.ones(3), [np.eye(2)]), r"must be \(3, 3\)"),
    (lambda: history.stack_jacobian(np.ones(2), [np.eye(2)], residual="yes"), r"True or False"),
    (lambda: history.scalar_network([0.0, 1.0], 2, True), r"at least 3 inputs"),
    (lambda: history.scalar_network(np.zeros(5), 2, 1), r"True or False"),
    (lambda: history.neighbour_correlation(np.ones(5)), r"constant"),
    (lambda: history.neighbour_correlation([1.0, 2.0]), r"at least 3 values"),
])
def test_residual_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- squeeze-and-excitation


@pytest.mark.parametrize("channels, reduction", [(64, 16), (100, 16), (32, 1)])
def test_se_block_params_equal_the_keras_block(channels, reduction):
    with accounting.shapes_only():
        model = history.single_block_model("se", (4, 4, channels), reduction=reduction)
    assert history.se_block_params(channels, reduction) == model.count_params()


def test_se_block_params_is_the_papers_formula_when_r_divides_c():
    c, r = 256, 16
    assert history.se_block_params(c, r) == 2 * c * c // r + c // r + c == 8464


def test_se_overhead_matches_the_paper_and_the_formula():
    frame = history.se_overhead(reductions=(4, 16), depth=50).set_index("reduction")
    assert frame.attrs["resnet"] == references.TORCHVISION_PARAMS["resnet50"].value
    assert round(frame.loc[16, "params"] / 1e6, 1) == 28.1  # Hu et al.: ~28.1 M at r = 16
    by_hand = {r: sum(n * (2 * c * (c // r) + c // r + c) for n, c, _ in RESNET50_STAGES)
               for r in (4, 16)}
    assert frame["extra"].to_dict() == frame["formula"].to_dict() == by_hand


def test_se_extra_ops_explain_the_papers_3_87_gflops(se_resnet50):
    ops = history.se_extra_ops(se_resnet50)
    assert ops["excitation FC (multiply-adds)"] == sum(
        n * 2 * c * (c // 16) for n, c, _ in RESNET50_STAGES)
    assert ops["scale (multiplications)"] == ops["squeeze (additions)"] == sum(
        n * side * side * c for n, c, side in RESNET50_STAGES)
    total = accounting.count_macs(se_resnet50) + ops["scale (multiplications)"] + \
        ops["squeeze (additions)"]
    assert round(total / 1e9, 2) == 3.87


def test_se_steps_follow_the_equations(rng):
    model = history.single_block_model("se", (5, 5, 8), reduction=2)
    for layer in ("se_reduce", "se_expand"):  # non-trivial biases
        for w in model.get_layer(layer).weights:
            w.assign(rng.normal(size=w.shape).astype("float32"))
    x = rng.normal(size=(3, 5, 5, 8)).astype("float32")
    steps = history.se_steps(model, x)
    (w1, b1), (w2, b2) = ([np.asarray(w) for w in model.get_layer(n).weights]
                          for n in ("se_reduce", "se_expand"))
    z = x.mean(axis=(1, 2))
    s = 1 / (1 + np.exp(-(np.maximum(z @ w1 + b1, 0) @ w2 + b2)))
    np.testing.assert_allclose(steps["input"], x, atol=1e-6)
    np.testing.assert_allclose(steps["squeeze"], z, atol=1e-5)
    np.testing.assert_allclose(steps["gates"], s, atol=1e-5)
    np.testing.assert_allclose(steps["output"], x * s[:, None, None, :], atol=1e-5)


def test_se_cnn_is_mnist_cnn_plus_two_se_blocks():
    with accounting.shapes_only():
        plain, with_se = history.se_cnn(se=False), history.se_cnn(se=True, reduction=4)
    conv1, conv2, dense = 9 * 16 + 16, 9 * 16 * 32 + 32, 7 * 7 * 32 * 10 + 10
    assert plain.count_params() == conv1 + conv2 + dense == 20_490
    se1, se2 = 16 * 4 + 4 + 4 * 16 + 16, 32 * 8 + 8 + 8 * 32 + 32
    assert with_se.count_params() - plain.count_params() == se1 + se2 == 700
    assert tuple(with_se.output.shape) == (None, 10)


@pytest.mark.parametrize("shape, params", [((55, 55, 96), 11_920), ((55, 55, 128), 12_432)])
def test_fire_module_matches_squeezenet_table1(shape, params):
    with accounting.shapes_only():
        model = history.single_block_model("fire", shape, squeeze=16, expand=64)
    assert model.count_params() == params  # Iandola et al. 2016, Table 1: fire2, fire3
    assert tuple(model.output.shape) == (None, 55, 55, 128)


@pytest.mark.parametrize("call, message", [
    (lambda: history.se_block_params(16, 32), r"at most 16"),
    (lambda: history.se_block_params(0), r"channels must be >= 1"),
    (lambda: history.se_overhead(reductions=(512,)), r"at most 256"),
    (lambda: history.se_overhead(reductions=()), r"non-empty list"),
    (lambda: history.se_overhead(depth=20), r"one of \[18, 34, 50, 101, 152\]"),
    (lambda: history.se_cnn(se="yes"), r"True or False"),
    (lambda: history.se_cnn(reduction=32), r"at most 16"),
    (lambda: history.single_block_model("fir", (8, 8, 4)), r"did you mean 'fire'"),
    (lambda: history.single_block_model("fire", (8, 8, 4), squeeze=2), r"needs squeeze= and expand="),
    (lambda: history.single_block_model("se", (8, 8, 4), squeeze=2), r"takes options \['reduction'\]"),
    (lambda: history.single_block_model("se", (8, 8)), r"\(height, width, channels\)"),
])
def test_se_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_se_extra_ops_and_se_steps_name_what_is_missing(rng):
    with accounting.shapes_only():
        plain = models.build("resnet18", input_shape=(32, 32, 3), num_classes=10)
    with pytest.raises(ValueError, match=r"no SE blocks"):
        history.se_extra_ops(plain)
    model = history.single_block_model("se", (4, 4, 8), reduction=2)
    with pytest.raises(ValueError, match=r"no SE block named 'sq'"):
        history.se_steps(model, np.zeros((1, 4, 4, 8)), name="sq")
    with pytest.raises(ValueError, match=r"shape \(N, 4, 4, 8\)"):
        history.se_steps(model, np.zeros((1, 4, 4, 3)))


# ---------------------------------------------------------------- Mixer as convolutions


@pytest.fixture(scope="module")
def tiny_mixer():
    return mixer(patch_size=4, hidden_dim=6, num_blocks=1, tokens_mlp_dim=5, channels_mlp_dim=7,
                 input_shape=(16, 8, 3), num_classes=3, model_name="tiny_mixer")


def test_mixing_mlps_equal_their_convolutions(tiny_mixer, rng):
    images = rng.uniform(size=(2, 16, 8, 3)).astype("float32")
    frame = history.mixing_as_convolutions(tiny_mixer, images, block=0).set_index("mlp")
    # a 4x2 grid of patches: S = 8 tokens, C = 6, D_S = 5, D_C = 7
    assert frame.loc["token mixing", "conv_kernel"] == (4, 2, 6, 5)
    assert frame.loc["channel mixing", "conv_kernel"] == (1, 1, 6, 7)
    assert (frame["max_abs_difference"] < 1e-5).all()
    assert (frame["relative_difference"] < 1e-5).all()
    for mlp, prefix in (("token", "token_mixing"), ("channel", "channel_mixing")):
        table = frame.attrs["inputs"][mlp]
        rows = table.transpose(0, 2, 1) if mlp == "token" else table
        dense = tiny_mixer.get_layer(f"mixer_block_0_{prefix}_dense_1")
        w, b = (np.asarray(v) for v in dense.weights)
        expected = _gelu(rows @ w + b)
        for computed in frame.attrs["outputs"][mlp]:
            np.testing.assert_allclose(computed, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("args, message", [
    (("not a model", np.zeros((1, 16, 8, 3))), r"Keras Mixer model"),
    ((None, np.zeros((1, 16, 8, 3)), 1), r"no layer 'mixer_block_1_token_norm'"),
    ((None, np.zeros((1, 8, 8, 3))), r"shape \(N, 16, 8, 3\)"),
    ((None, np.zeros((1, 16, 8, 3)), -1), r"block must be >= 0"),
])
def test_mixing_as_convolutions_rejects_bad_input(tiny_mixer, args, message):
    model, *rest = args
    with pytest.raises(ValueError, match=message):
        history.mixing_as_convolutions(tiny_mixer if model is None else model, *rest)


# ---------------------------------------------------------------- ILSVRC


def test_params_vs_error_counts_one_network_per_architecture():
    frame = history.params_vs_error().set_index("zoo")
    assert list(frame.index) == ["alexnet_grouped", "zfnet", "googlenet", "vgg16", "vgg19",
                                 "resnet152", "se_resnet50"]
    for zoo in ("vgg16", "vgg19", "resnet152"):
        assert frame.loc[zoo, "params"] == references.TORCHVISION_PARAMS[zoo].value
    assert round(frame.loc["se_resnet50", "params"] / 1e6, 1) == 28.1
    assert (frame.loc["googlenet", "depth"], frame.loc["resnet152", "depth"]) == (22, 152)
    assert frame.loc["resnet152", "top5_error"] == 3.57 and not frame.loc["vgg16", "winner"]
    assert set(history.ILSVRC_ZOO) <= set(references.ilsvrc_table()["model"])


# ---------------------------------------------------------------- plots


def test_plots_draw_and_return_their_axes():
    import pandas as pd

    grid = np.linspace(-1, 1, 20)
    axes = viz.plot_input_gradients(grid, {"a": grid, "b": grid ** 2})
    assert len(axes) == 2 and axes[0].get_title() == "a"
    values = pd.Series({"m1": 2e9, "m2": 3e9})
    ax = viz.plot_computed_vs_published(values, pd.Series({"m1": 1.9e9}), scale=1e9)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["m1", "m2"]
    frame = pd.DataFrame({"reduction": [4, 16], "extra": [10e6, 2.5e6], "formula": [10e6, 2.5e6]})
    assert viz.plot_se_overhead(frame).get_xscale() == "log"
    ax = viz.plot_ilsvrc_timeline(references.ilsvrc_table())
    assert len(ax.patches) == len(references.ILSVRC)
    story = pd.DataFrame({"year": [2014, 2014, 2015], "zoo": ["vgg16", "vgg19", "resnet152"],
                          "params": [138e6, 144e6, 60e6], "top5_error": [7.3, 7.3, 3.57]})
    ax = viz.plot_params_vs_error(story)
    assert sorted(t.get_text() for t in ax.texts) == ["resnet152 (2015)", "vgg16 / vgg19 (2014)"]


def test_plot_input_gradients_rejects_empty_input():
    with pytest.raises(ValueError, match=r"non-empty dict"):
        viz.plot_input_gradients(np.arange(3), {})
