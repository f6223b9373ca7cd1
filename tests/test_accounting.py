"""cnncourse.accounting against the numbers printed in the slides, papers and model libraries.

Every expected number below comes from a slide (ML9, DL1 and GDSC), a paper, the keras.io or
torchvision documentation, or is worked out by hand from a paper's table in the test itself;
the library computes its side from real Keras layers. Big models are built with
``accounting.shapes_only()`` (shapes, no weight values), once per module.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from fractions import Fraction

import pytest

from cnncourse import accounting, references
from cnncourse._keras import import_backend

keras = import_backend()
L = keras.layers


def zoo(name, **kw):
    return accounting.zoo_model(name, **kw)  # shapes only, built once per test process


@functools.lru_cache(maxsize=None)
def table(name):
    return accounting.param_table(zoo(name))


@functools.lru_cache(maxsize=None)
def reconciled(name):
    return accounting.reconcile(name)


def rows(frame, types=("Conv2D", "Dense")):
    return frame[frame["type"].isin(types)]


def stack(layers, input_shape, name="stack"):
    with accounting.shapes_only():
        inputs = keras.Input(shape=input_shape, name=f"{name}_in")
        x = inputs
        for layer in layers:
            x = layer(x)
        return keras.Model(inputs, x, name=name)


def squash(text: str) -> str:
    """Slide formulas are written '(1 × 5 × 5 × 6) + 6'; compare without spaces/brackets."""
    return re.sub(r"[\s()]", "", text).replace("*", "×")


# ------------------------------------------------------------------ DL1: LeNet-5, AlexNet

def test_lenet5_rows_match_the_slide():
    frame = rows(table("lenet5"))
    assert frame["params"].tolist() == [156, 2_416, 48_120, 10_164, 850]
    assert accounting.totals(table("lenet5"))["params"] == 61_706
    assert squash(frame["formula"].iloc[0]) == squash("(1 × 5 × 5 × 6) + 6")
    assert squash(frame["formula"].iloc[1]) == squash("(6 × 5 × 5 × 16) + 16")
    assert frame["output_shape"].iloc[0] == "(28, 28, 6)"


def test_slide_lenet_with_dense_layers_prints_the_slides_dense_formulas():
    with accounting.shapes_only():
        model = keras.Sequential([
            keras.Input((32, 32, 1)), L.Conv2D(6, 5, name="c1"), L.AveragePooling2D(2, name="s2"),
            L.Conv2D(16, 5, name="c3"), L.AveragePooling2D(2, name="s4"), L.Flatten(name="f"),
            L.Dense(120, name="d6"), L.Dense(84, name="d7"), L.Dense(10, name="d8")],
            name="slide")
    dense = rows(accounting.param_table(model), ("Dense",))
    slide = ["400 × 120 + 120", "120 × 84 + 84", "84 × 10 + 10"]
    assert [squash(f) for f in dense["formula"]] == [squash(s) for s in slide]
    assert dense["params"].tolist() == [48_120, 10_164, 850]


ALEXNET_SLIDE = [34_944, 614_656, 885_120, 1_327_488, 884_992, 37_752_832, 16_781_312,
                 4_097_000]


def test_alexnet_per_layer_matches_the_slide():
    frame = rows(table("alexnet"))
    assert frame["params"].tolist() == ALEXNET_SLIDE
    assert sum(ALEXNET_SLIDE) == accounting.totals(table("alexnet"))["params"] == 62_378_344
    assert squash(frame["formula"].iloc[0]) == squash("3 × 11 × 11 × 96 + 96")
    assert frame["macs"].iloc[0] == 55 * 55 * 96 * 3 * 11 * 11


def test_grouped_alexnet_formula_and_total():
    frame = rows(table("alexnet_grouped"))
    assert frame["formula"].iloc[1] == "96×5×5×256÷2 + 256"
    assert frame["params"].iloc[1] == 48 * 5 * 5 * 256 + 256  # the slide's 5×5×48 kernels
    assert accounting.totals(table("alexnet_grouped"))["params"] == 60_965_224


def test_reconcile_alexnet_grouping_and_torchvision():
    frame = reconciled("alexnet")
    parts = frame.attrs["parts"]
    # conv2, conv4, conv5 lose half their kernel weights in the two-tower network
    halves = 96 * 5 * 5 * 256 // 2 + 384 * 3 * 3 * 384 // 2 + 384 * 3 * 3 * 256 // 2
    grouped = sum(v for k, v in parts["paper"].items() if "groups" in k)
    assert grouped == -halves == -1_413_120
    tv = frame.set_index("source").loc["torchvision (published)"]
    assert tv["params"] == 61_100_840
    assert sum(parts["torchvision (published)"].values()) == tv["difference"] == -1_277_504
    assert "not explained" not in parts["torchvision (published)"]


def test_torchvision_alexnet_twin_has_the_published_count():
    twin = accounting._torchvision_alexnet()
    assert accounting.count_params(twin) == references.TORCHVISION_PARAMS["alexnet"].value


# ------------------------------------------------------------------ DL1: VGG-16 slide

def test_vgg_totals_match_torchvision_and_keras_applications():
    assert accounting.totals(table("vgg16"))["params"] == 138_357_544
    assert accounting.totals(table("vgg19"))["params"] == 143_667_240
    for name in ("vgg16", "vgg19"):
        parts = reconciled(name).attrs["parts"]
        assert parts["keras.applications"] == {} and parts["torchvision (published)"] == {}


def _vgg16_slide_rows():
    """Memory (values) and weights of the layers the VGG-16 slide lists: input, conv, pool, FC."""
    frame = table("vgg16")
    listed = rows(frame, ("Conv2D", "MaxPooling2D", "Dense"))
    memory = [frame.attrs["totals"]["input_activations"], *listed["activations"]]
    return memory, [0, *listed["weights"]]


def test_vgg16_weights_column_is_the_slides_bias_free_column():
    _, weights = _vgg16_slide_rows()
    assert weights == [row[3] for row in references.VGG16_SLIDE_ROWS]
    slide = [1_728, 36_864, 73_728, 147_456, 294_912, 589_824, 589_824, 1_179_648,
             *[2_359_296] * 5, 102_760_448, 16_777_216, 4_096_000]
    assert [w for w in weights if w] == slide
    # the slide writes "(3*3*3)+64 = 1,728": only 3·3·3·64 gives 1,728
    assert 3 * 3 * 3 * 64 == 1_728 != 3 * 3 * 3 + 64


def _abbreviated(text: str) -> float:
    scale = {"K": 1e3, "M": 1e6}.get(text[-1], 1)
    return float(text.rstrip("KM")) * scale


def test_vgg16_activation_memory_rows_and_total_erratum():
    memory, _ = _vgg16_slide_rows()
    assert memory == [row[2] for row in references.VGG16_SLIDE_ROWS]  # the slide's products
    for row, computed in zip(references.VGG16_SLIDE_ROWS, memory):
        # the slide prints 1000-based abbreviations of 1024-ish products: within 5%
        assert computed == pytest.approx(_abbreviated(row[1]), rel=0.05)
    total = sum(memory)
    assert total == 15_237_608
    assert round(total / 1e6, 1) == 15.2  # not the slide's "24M"
    assert round(total * 4 / 1e6) == 61  # MB in float32, not "~93MB"
    claimed = references.VGG16_SLIDE_TOTAL_MEMORY.absolute
    assert abs(total - claimed) > 8e6


def test_count_activations_includes_input_and_bytes():
    model = zoo("lenet5")
    frame = table("lenet5")
    assert accounting.count_activations(model, include_input=False) == frame["activations"].sum()
    assert accounting.count_activations(model) == frame["activations"].sum() + 32 * 32
    assert accounting.count_activations(model, bytes_per_element=4) == \
        4 * accounting.count_activations(model)


def test_mnist_gap_matches_the_slide_summary():
    frame = table("mnist_gap")
    assert accounting.totals(frame)["params"] == 326_534
    assert rows(frame, ("Dense",))["params"].tolist() == [64_500, 5_010]


# ------------------------------------------------------------------ ResNet (GDSC)

def _resnet50_conv_channels() -> int:
    """Output channels of every conv of ResNet-50, from the paper's Table 1 (+ 4 projections)."""
    total = 64  # conv1
    for width, blocks in zip((64, 128, 256, 512), (3, 4, 6, 3)):
        total += blocks * (width + width + 4 * width) + 4 * width
    return total


def test_resnet50_trainable_and_keras_applications_difference():
    assert accounting.totals(table("resnet50"))["trainable"] == 25_557_032
    frame = reconciled("resnet50").set_index("source")
    assert frame.loc["keras.applications", "params"] == 25_636_712
    diff = frame.loc["keras.applications", "difference"]
    parts = reconciled("resnet50").attrs["parts"]["keras.applications"]
    assert diff == 79_680 == sum(parts.values())
    biases = [v for k, v in parts.items() if k.startswith("conv biases before BatchNorm")]
    stats = [v for k, v in parts.items() if k.startswith("BatchNorm moving")]
    assert biases == [_resnet50_conv_channels()] == [26_560]
    assert stats == [2 * _resnet50_conv_channels()]
    assert any("53 conv layers" in k for k in parts)


@pytest.mark.parametrize("depth", [18, 34, 50, 101, 152])
def test_resnet_macs_within_5_percent_of_paper_flops(depth):
    name = f"resnet{depth}"
    macs = accounting.totals(accounting.param_table(zoo(name)))["macs"]
    assert macs == pytest.approx(references.PAPER_MACS[name].absolute, rel=0.05)


def test_stride_in_3x3_resnet50_costs_the_three_wide_1x1_convs_more():
    """torchvision's "v1.5" puts the stride in the 3×3: its first 1×1 of stages 3-5 then runs
    at the input resolution, which lifts ResNet-50 past the paper's 3.8 G by 7.6%."""
    v1 = accounting.totals(table("resnet50"))["macs"]
    v15 = accounting.count_macs(zoo("resnet50", stride_in="3x3"))
    extra = sum(c_in * c_in // 2 * (side * side - side * side // 4)
                for c_in, side in ((256, 56), (512, 28), (1024, 14)))
    assert v15 - v1 == extra == 231_211_008
    assert v15 / 3.8e9 > 1.05


@pytest.mark.parametrize("name", ["resnet18", "resnet34", "resnet101", "resnet152", "vgg11",
                                  "vgg13", "vgg16_bn"])
def test_trainable_counts_equal_torchvision_docs(name):
    assert accounting.totals(table(name))["trainable"] == \
        references.TORCHVISION_PARAMS[name].value


def test_vgg19_macs_equal_the_resnet_papers_19_6_billion():
    assert accounting.count_macs(zoo("vgg19")) / 1e9 == pytest.approx(19.6, abs=0.05)


def test_se_resnet50_macs_and_paper_parts():
    assert accounting.count_macs(zoo("se_resnet50")) == pytest.approx(3.87e9, rel=0.01)
    parts = reconciled("se_resnet50").attrs["parts"]["paper"]
    assert "not explained" not in parts
    assert sum(parts.values()) == 27_500_000 - 28_088_024


# ------------------------------------------------------------------ GoogLeNet, LeNet paper

def test_googlenet_inception_3a_against_the_slide_row():
    frame = table("googlenet")
    block = frame[frame["name"].str.startswith("inception_3a_")]
    weights, macs = block["weights"].sum(), block["macs"].sum()
    assert macs == weights * 28 * 28
    assert round(macs / 1e6) == 128  # slide/paper: 128M ops
    assert weights == 163_328  # slide/paper: 159K (erratum: 4.3K short)


def test_googlenet_torchvision_and_slide():
    frame = reconciled("googlenet").set_index("source")
    parts = reconciled("googlenet").attrs["parts"]
    assert frame.loc["torchvision (published)", "params"] == 6_624_904
    assert sum(parts["torchvision (published)"].values()) == \
        frame.loc["torchvision (published)", "difference"]
    assert "not explained" not in parts["torchvision (published)"]
    assert set(parts["slide"]) == {"not explained"}  # "4M" matches no GoogLeNet count


def test_googlenet_aux_heads_are_counted_and_named():
    model = zoo("googlenet", aux_logits=True)
    frame = accounting.param_table(model)
    assert accounting.totals(frame)["params"] == model.count_params()
    aux = frame[frame["name"].str.startswith(("loss1", "loss2"))]
    conv_fc = (512 * 128 + 128) + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)
    conv_fc_2 = (528 * 128 + 128) + (2048 * 1024 + 1024) + (1024 * 1000 + 1000)
    assert aux["params"].sum() == conv_fc + conv_fc_2


def test_lenet5_paper_count_is_explained_exactly():
    parts = reconciled("lenet5").attrs["parts"]
    assert parts["slide"] == {}
    assert sum(parts["paper"].values()) == 60_000 - 61_706
    assert "not explained" not in parts["paper"]


# ------------------------------------------------------------------ MLP-Mixer, Table 1

@pytest.mark.parametrize("name", sorted(references.MIXER_TABLE1))
def test_mixer_counts_match_table1_without_the_head(name):
    spec = references.MIXER_TABLE1[name]
    model = zoo(name)
    frame = accounting.param_table(model)
    head = 1000 * spec["hidden"] + 1000
    body = accounting.totals(frame)["params"] - head
    assert round(body / 1e6) == spec["params"].value
    tokens = (224 // spec["patch"]) ** 2
    token_mlp = frame.set_index("name").loc["mixer_block_0_token_mixing_dense_1"]
    assert token_mlp["macs"] == spec["hidden"] * tokens * spec["tokens_mlp"]  # per token row
    assert token_mlp["formula"] == f"{tokens}×{spec['tokens_mlp']} + {spec['tokens_mlp']}"


def test_mixer_table1_rounds_without_the_head():
    """With the 1000-way head counted, 5 of the 7 rows would round to a different number."""
    off = []
    for name, spec in references.MIXER_TABLE1.items():
        total = accounting.totals(accounting.param_table(zoo(name)))["params"]
        if round(total / 1e6) != spec["params"].value:
            off.append(name)
    assert off == ["mixer_s16", "mixer_b16", "mixer_l32", "mixer_l16", "mixer_h14"]


# ------------------------------------------------------------------ layer kinds by hand

def test_dense_on_tokens_counts_macs_per_token():
    model = stack([L.Dense(4, name="mix")], (10, 8))
    row = accounting.param_table(model).iloc[0]
    assert row["macs"] == 10 * 8 * 4 and row["params"] == 8 * 4 + 4
    assert row["output_shape"] == "(10, 4)"
    einsum = stack([L.EinsumDense("abc,cd->abd", output_shape=(10, 4), name="mix")], (10, 8))
    assert accounting.param_table(einsum).iloc[0]["macs"] == 10 * 8 * 4
    vague = stack([L.EinsumDense("abc,cd->abd", output_shape=(None, 4), name="mix")], (10, 8))
    with pytest.raises(ValueError, match="unknown axes"):
        accounting.param_table(vague)


def test_norm_depthwise_separable_transposed_rows():
    model = stack([
        L.BatchNormalization(name="bn"), L.DepthwiseConv2D(3, padding="same", name="dw"),
        L.SeparableConv2D(64, 3, padding="same", name="sep"),
        L.Conv2DTranspose(16, 3, strides=2, padding="same", name="up"),
        L.LayerNormalization(name="ln")], (8, 8, 32))
    frame = accounting.param_table(model).set_index("name")
    assert frame.loc["bn", "formula"] == "4×32 (γ, β trainable; μ, σ² not)"
    assert (frame.loc["bn", "trainable"], frame.loc["bn", "other"]) == (64, 64)
    assert frame.loc["dw", "formula"] == "32×3×3 + 32"
    assert frame.loc["dw", "macs"] == 8 * 8 * 32 * 9
    assert frame.loc["sep", "formula"] == "32×3×3 + 32×64 + 64"
    assert frame.loc["sep", "macs"] == 8 * 8 * 32 * 9 + 8 * 8 * 32 * 64
    assert frame.loc["up", "formula"] == "64×3×3×16 + 16"
    assert frame.loc["up", "params"] == 64 * 9 * 16 + 16
    assert frame.loc["up", "macs"] == 8 * 8 * 64 * 9 * 16
    assert frame.loc["ln", "formula"] == "2×16 (γ, β)"
    assert accounting.totals(frame)["params"] == model.count_params()


def test_lrn_has_formula_zero():
    frame = table("alexnet").set_index("name")
    assert frame.loc["norm1", "type"] == "LocalResponseNormalization"
    assert (frame.loc["norm1", "formula"], frame.loc["norm1", "params"]) == ("0", 0)


def test_shared_layer_is_one_row_with_macs_of_both_calls():
    shared = L.Dense(5, name="shared")
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    with accounting.shapes_only():
        model = keras.Model([a, b], [shared(a), shared(b)], name="twins")
    frame = accounting.param_table(model)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["params"], row["macs"], row["activations"]) == (20, 30, 10)
    assert row["output_shape"] == "(5,) [2 calls]"
    assert frame.attrs["totals"]["input_activations"] == 6


def test_nested_model_rows_and_multi_output_layer():
    with accounting.shapes_only():
        inner_in = keras.Input((6,), name="inner_in")
        inner = keras.Model(inner_in, L.Dense(4, name="fc")(inner_in), name="inner")
        x = keras.Input((6,), name="x")
        left, right = keras.ops.split(inner(x), 2, axis=-1)
        model = keras.Model(x, {"l": L.Dense(2, name="l")(left), "r": right}, name="outer")
    frame = accounting.param_table(model)
    assert frame["name"].iloc[0] == "inner/fc"
    assert frame.set_index("name").loc["inner/fc", "macs"] == 24
    split = frame[frame["type"] == "Split"].iloc[0]
    assert split["output_shape"] == "(2,), (2,)" and split["activations"] == 4
    assert accounting.totals(frame)["params"] == model.count_params() == 28 + 6


def test_count_params_equals_keras_for_models_with_frozen_weights():
    with accounting.shapes_only():
        twin = keras.applications.ResNet50(weights=None)
    assert accounting.count_params(twin) == twin.count_params() == 25_636_712


# ------------------------------------------------------------------ cost arithmetic (ML9 and MODELS)

@pytest.mark.parametrize("n, c, filters, f", [(32, 16, 64, 3), (14, 8, 10, 5), (7, 3, 7, 7)])
def test_depthwise_separable_ratio_is_1_over_H_plus_1_over_f2(n, c, filters, f):
    ratio = accounting.separable_cost_ratio(n=n, c=c, filters=filters, f=f)
    assert ratio == Fraction(1, filters) + Fraction(1, f * f)


def test_separable_conv2d_layer_gives_the_same_ratio():
    frame = accounting.compare_stacks({
        "conv": [L.Conv2D(64, 3, padding="same", use_bias=False)],
        "separable": [L.SeparableConv2D(64, 3, padding="same", use_bias=False)],
    }, (16, 16, 32))
    assert frame["macs_ratio"].iloc[1] == Fraction(1, 64) + Fraction(1, 9)


def test_factorization_examples_from_real_layers():
    c = 16
    frame = accounting.factorization_examples(channels=c, size=8).set_index(["example", "design"])
    assert frame.loc[("5×5 → two 3×3", "5×5"), "params"] == 25 * c * c
    assert frame.loc[("5×5 → two 3×3", "3×3, 3×3"), "params"] == 18 * c * c
    assert frame.loc[("5×5 → two 3×3", "3×3, 3×3"), "params_ratio"] == Fraction(18, 25)
    assert frame.loc[("7×7 → three 3×3", "3×3 ×3"), "params"] == 27 * c * c
    assert frame.loc[("7×7 → three 3×3", "7×7"), "params"] == 49 * c * c
    for n in (3, 7):
        key = (f"{n}×{n} → 1×{n} + {n}×1", f"1×{n}, {n}×1")
        assert frame.loc[key, "params_ratio"] == Fraction(2, n)
    bottleneck = frame.loc[("bottleneck (4C wide)", "1×1 C, 3×3 C, 1×1 4C"), "params"]
    assert bottleneck == 4 * c * c + 9 * c * c + 4 * c * c  # 1x1 in, 3x3, 1x1 out
    assert frame.loc[("depthwise separable", "3×3 depthwise, 1×1"), "macs_ratio"] == \
        Fraction(1, c) + Fraction(1, 9)


# ------------------------------------------------------------------ summary text

def test_summary_is_plain_fixed_width_text():
    text = accounting.summary(zoo("lenet5"), line_length=90)
    assert "\x1b" not in text
    assert text.startswith('Model: "lenet5"')
    assert max(len(line) for line in text.splitlines()) <= 90
    assert "Total params: 61,706" in text


SUMMARY_SCRIPT = """
from cnncourse import accounting
from cnncourse._keras import import_backend
keras = import_backend()
m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, name="d")], name="tiny")
print(accounting.summary(m, line_length=80))
"""


def _summary_here() -> str:
    scope: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(SUMMARY_SCRIPT, scope)
    return out.getvalue()


def test_summary_does_not_depend_on_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    narrow = _summary_here()
    monkeypatch.setenv("COLUMNS", "300")
    assert _summary_here() == narrow and "d (Dense)" in narrow
    assert max(len(line) for line in narrow.splitlines()) == 80


@pytest.mark.slow
def test_summary_inside_jupyter_is_the_same_text_and_one_output():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SUMMARY_SCRIPT)])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["stream"], json.dumps(outputs)[:300]
    assert outputs[0]["text"] == _summary_here()


# ------------------------------------------------------------------ references

def test_ilsvrc_winners_improve_every_year():
    frame = references.ilsvrc_table()
    winners = frame[frame["winner"]].sort_values("year")
    assert winners["year"].tolist() == list(range(2010, 2018))
    assert winners["top5_error"].is_monotonic_decreasing
    assert winners.set_index("year").loc[2012, "top5_error"] == 15.3
    assert all(frame["source"].str.len() > 10)


def test_keras_applications_published_counts_round_the_built_ones():
    for name in ("vgg16", "resnet50", "resnet152"):
        class_name, published = references.KERAS_APPLICATIONS_PARAMS[name]
        with accounting.shapes_only():
            twin = getattr(keras.applications, class_name)(weights=None)
        assert round(twin.count_params() / 1e6, 1) == published.value


def test_table_renders_deterministically():
    first = accounting.param_table(zoo("lenet5"))
    again = accounting.param_table(zoo("lenet5"))
    assert first.to_string() == again.to_string() and first.to_html() == again.to_html()
    assert "0x" not in first.to_string()
    assert first.columns.tolist() == accounting.COLUMNS


# ------------------------------------------------------------------ bad input

def test_bad_inputs_raise_value_errors_with_a_fix():
    with pytest.raises(ValueError, match="Keras model or a zoo name"):
        accounting.param_table(42)
    with pytest.raises(ValueError, match="did you mean 'vgg16'"):
        accounting.param_table("vgg161")
    with pytest.raises(ValueError, match="bytes_per_element must be >= 1"):
        accounting.count_activations(zoo("lenet5"), bytes_per_element=0)
    with pytest.raises(ValueError, match="line_length must be at least 60"):
        accounting.summary(zoo("lenet5"), line_length=30)
    with pytest.raises(ValueError, match="reconcile takes a zoo model name"):
        accounting.reconcile(123)
    with pytest.raises(ValueError, match="did you mean 'resnet50'"):
        accounting.reconcile("resnet5o")
    with pytest.raises(ValueError, match="takes the DataFrame returned by param_table"):
        accounting.totals([1, 2])
    with pytest.raises(ValueError, match="input_shape must be a tuple"):
        accounting.compare_stacks({"a": [L.Dense(2)]}, 28)
    with pytest.raises(ValueError, match="n must be >= 1"):
        accounting.separable_cost_ratio(n=0)
    with pytest.raises(ValueError, match="did you mean 'paper'"):
        accounting.explain("lenet5", "papr")


def test_models_without_a_walkable_graph_are_refused():
    with pytest.raises(ValueError, match="keras.Input"):
        accounting.param_table(keras.Sequential([L.Dense(2)]))

    class Sub(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="subclassed Model"):
        accounting.param_table(Sub())
    free = keras.Input((None, None, 3), name="free")
    with accounting.shapes_only():
        fully_convolutional = keras.Model(free, L.Conv2D(2, 3)(free))
    with pytest.raises(ValueError, match="fixed input_shape"):
        accounting.param_table(fully_convolutional)
    assert accounting.count_params(fully_convolutional) == 3 * 3 * 3 * 2 + 2
