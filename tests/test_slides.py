"""Tests of cnncourse.slides: the catalogue of slide claims, its verdicts and its errata.

The oracles are the slides (what each claim prints) and the papers or independent arithmetic
(what the right value is): a wrong computed value, a wrong slide transcription or a wrong
verdict fails here. ``claims()`` is computed once for the module (about 10 s on a laptop
CPU, most of it building the zoo models without their weights).
"""
from fractions import Fraction

import numpy as np
import pytest

from cnncourse import slides
from cnncourse.slides import Bound

# id -> (value printed on the slide, right value from the paper / arithmetic, verdict)
ERRATA = {
    "ml_alexnet_top5": (17.0, 15.3, "erratum"),                       # Russakovsky et al. Table 7
    "ml_resnet101_cfg": ((3, 4, 23, 8), (3, 4, 23, 3), "erratum"),    # He et al. Table 1
    "dl_negatives": (4, 3, "erratum"),                                # TN + FP = 1 + 2
    "dl_selu": (1, 1.0507, "erratum"),                                # Klambauer et al.: λ
    "dl_alexnet_conv2_params": (614_656, 5 * 5 * 48 * 256 + 256, "erratum"),
    "dl_alexnet_conv4_params": (1_327_488, 3 * 3 * 192 * 384 + 384, "erratum"),
    "dl_alexnet_conv5_params": (884_992, 3 * 3 * 192 * 256 + 256, "erratum"),
    "dl_alexnet_fc_labels": (16_781_312, 9216 * 4096 + 4096, "erratum"),
    "dl_zf_table_224": (55, 54, "erratum"),                           # floor(54.25)
    "dl_zfnet_input": (227, 224, "erratum"),                          # Zeiler & Fergus
    "dl_vgg_formula": (1728, (3 * 3 * 3) + 64, "erratum"),           # '+' printed for '×'
    "dl_vgg_memory_total": (24_000_000, 15_237_608, "erratum"),       # sum of the slide's rows
    "dl_vgg_memory_mb": (93, 61, "erratum"),                          # 15,237,608 × 4 B
    "gd_conv_pad_stride_example": (((1, 6, 5), (7, 10, 9), (7, 10, 8)),
                                   ((1, 5, 6), (7, 8, 3), (3, 10, 4)), "erratum"),
    "gd_vgg_pool": ((3, 2), (2, 2), "erratum"),                       # VGG: 2×2 max pool, stride 2
    "gd_quiz_vgg19": (138_000_000, 143_667_240, "erratum"),           # torchvision / keras.io
    "gd_quiz_googlenet": (4_000_000, 6_998_552, "erratum"),
    "cm_alexnet_connections": (630_000_000, 724_406_816, "erratum"),
    "cm_output_formula": (55, 109, "erratum"),                        # (227 − 11)/2 + 1
    "cm_zfnet_stride": (4, 2, "erratum"),
    "cm_conv1_no_pool": (0, 1, "erratum"),
    "cm_googlenet_shallower": (Bound("<", 8), 22, "erratum"),
    "cm_googlenet_12x": (12, 8.71, "erratum"),                        # 60,965,224 / 6,998,552
    "cm_resnet_depth_7x": (Bound(">", 7), 6.91, "erratum"),           # 152 / 22
}

ROUNDED = {
    "gd_blur_sum": (1.0, 4 * 0.06 + 4 * 0.12 + 0.25),              # rounded 1/16, 2/16, 4/16
    "dl_vgg_conv1_memory": (3_200_000, 224 * 224 * 64),
    "dl_vgg_total_params": (138_000_000, 138_357_544),
    "dl_inception3a_params": (159, 163_328 / 1024),                   # weights / 1,024
    "dl_inception3a_ops": (128_000_000, 163_328 * 28 * 28),
    "gd_quiz_alexnet": (60_000_000, 60_965_224),
    "cm_alexnet_neurons": (650_000, 659_272),
    "cm_alexnet_params": (60_000_000, 60_965_224),
    "cm_conv1_params": (35_000, 34_944),
    "cm_conv1_connections": (100_000_000, 290_400 * 364),
    "cm_train_crops": (2048, 33 * 33 * 2),
    "cm_resnet_error_2x": (2, 1.87),
}

OK = {
    "ml_dropout_variance": 0.5,
    "ml_dilated_field": 5,
    "ml_dilated_params": 9,
    "ml_separable_ratio": Fraction(1, 64) + Fraction(1, 9),
    "ml_lenet_io": (32, 10),
    "ml_vgg16_fc": (25088, 4096, 4096, 1000),
    "ml_resnet50_cfg": (3, 4, 6, 3),
    "ml_resnet152_depth": 152,
    "dl_accuracy": 0.7,
    "dl_recall": 6 / 7,
    "dl_precision": 0.75,
    "dl_called_positive": 8,
    "dl_lenet_sides": (28, 14, 10, 5),
    "dl_lenet_c1": 156,
    "dl_vgg_conv1_1": 3 * 3 * 3 * 64,
    "dl_lenet_c3": 2416,
    "dl_lenet_f120": 48_120,
    "dl_lenet_out": 850,
    "dl_maxpool_example": ((6, 8), (3, 4)),
    "dl_gap_total": 326_534,
    "dl_alexnet_conv1": (55, 55, 96),
    "dl_alexnet_conv3_params": 885_120,
    "dl_alexnet_fc6": 37_752_832,
    "dl_zf_table_zfnet": ((55, 55, 96), (13, 13, 256)),
    "dl_googlenet_depth": 22,
    "dl_resnet_sides": (112, 56, 28, 14, 7),
    "gd_conv_example": ((12, 12, 17), (10, 17, 19), (9, 6, 14)),
    "gd_quiz_depths": (8, 19, 22),
    "gd_resnet_blocks": ((2, 2, 2, 2), (3, 4, 6, 3), (3, 4, 6, 3), (3, 4, 23, 3), (3, 8, 36, 3)),
    "hw_shortcut_params": 0,
    "cm_alexnet_15": 15.3,
    "cm_last_window": (217, 227),
    "cm_nine_inception": 9,
    "cm_aux_classifiers": 2,
    "cm_factor_5x5": (25, 18),
    "cm_7x7_vs_3x3": (49, 27),
    "cm_conv_then_pool": 4,
    "cm_vgg_d_e": (16, 19),
    "cm_vgg_11_first": 11,
    "cm_resnet_layout": (1, 0, 0),
}

# He et al. 2016, Table 1, FLOPs row (multiply-adds): the zoo must land within 2 %.
RESNET_FLOPS = {18: 1.8e9, 34: 3.6e9, 50: 3.8e9, 101: 7.6e9, 152: 11.3e9}


@pytest.fixture(scope="module")
def table():
    return slides.claims().set_index("id", drop=False)


def _close(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(_close, a, b))
    return a == pytest.approx(b, rel=1e-9)


# ---------------------------------------------------------------- the table as a whole

def test_columns_size_and_ids(table):
    assert list(table.columns) == slides.COLUMNS
    assert len(table) >= 45
    assert table["id"].is_unique
    assert set(table["topic"]) <= set(slides.TOPICS)
    assert set(table["verdict"]) == set(slides.VERDICTS)
    assert all(src.startswith(f'[{key}, "') for key, src in zip(table["lecture"], table["source"]))


def test_every_computed_value_present_and_explained(table):
    assert table["computed_value"].notna().all()
    assert table["explanation"].str.len().gt(0).all()
    assert not table["explanation"].str.contains("{", regex=False).any()


def test_at_least_five_errata_and_every_lecture_present(table):
    assert (table["verdict"] == "erratum").sum() >= 5
    assert set(table["lecture"]) == set(slides.LECTURES)


def test_verdicts_follow_the_rule(table):
    rules = {c.id: c for c in slides.catalogue()}
    for row in table.itertuples():
        claim = rules[row.id]
        assert row.verdict == slides.verdict(claim.slide, row.computed_value, claim.tol), row.id


# ---------------------------------------------------------------- claims against oracles

@pytest.mark.parametrize("claim_id", sorted(ERRATA))
def test_errata(table, claim_id):
    slide, right, expected = ERRATA[claim_id]
    row = table.loc[claim_id]
    assert row.slide_value == slide
    assert _close(row.computed_value, right)
    assert row.verdict == expected


@pytest.mark.parametrize("claim_id", sorted(ROUNDED))
def test_approximations(table, claim_id):
    slide, right = ROUNDED[claim_id]
    row = table.loc[claim_id]
    assert row.slide_value == slide
    assert _close(row.computed_value, right)
    assert row.verdict == "rounded"


@pytest.mark.parametrize("claim_id", sorted(OK))
def test_ok_claims(table, claim_id):
    row = table.loc[claim_id]
    assert _close(row.computed_value, OK[claim_id])
    assert row.verdict == "ok"


@pytest.mark.parametrize("depth", sorted(RESNET_FLOPS))
def test_resnet_flops_close_to_paper(table, depth):
    row = table.loc[f"gd_resnet{depth}_flops"]
    assert row.slide_value == RESNET_FLOPS[depth]
    assert row.computed_value == pytest.approx(RESNET_FLOPS[depth], rel=0.02)
    assert row.verdict == "rounded"


def test_dsp_identities_hold(table):
    for claim_id in ("ml_sifting", "ml_impulse", "ml_commutative", "gd_conv_theorem"):
        assert table.loc[claim_id, "computed_value"] == pytest.approx(0, abs=1e-12)
        assert table.loc[claim_id, "verdict"] == "ok"


# ---------------------------------------------------------------- recomputed here, by the library

def test_lenet_rows_match_a_fresh_model(table):
    from cnncourse import accounting, models

    with slides._without_weights():  # counts need shapes only; skips the backend's RNG
        model = models.build("lenet5")
    params = accounting.param_table(model).set_index("name")["params"]
    assert [params[n] for n in ("c1", "c3", "c5", "f6", "output")] == [156, 2416, 48120,
                                                                        10164, 850]
    assert table.loc["dl_lenet_c3", "computed_value"] == params["c3"]


def test_224_input_does_not_tile_alexnet_conv1():
    from cnncourse import shapes

    with pytest.raises(ValueError, match="not a whole"):
        shapes.conv_output_size(224, 11, s=4)
    assert shapes.conv_output_size(227, 11, s=4) == 55


def test_padding_stride_example_by_hand(table):
    from cnncourse import ops

    example = ops.worked_examples()["conv_3x3_pad1_stride2"]
    padded = np.pad(example.input, 1)
    by_hand = [[int((padded[i:i + 3, j:j + 3] * example.filter).sum()) for j in (0, 2, 4)]
               for i in (0, 2, 4)]
    assert tuple(map(tuple, by_hand)) == table.loc["gd_conv_pad_stride_example",
                                                   "computed_value"]


def test_metrics_come_from_train(table):
    from cnncourse import train

    metrics = train.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)
    assert table.loc["dl_recall", "computed_value"] == metrics["recall"] == 6 / 7


def test_values_are_computed_at_call_time(monkeypatch):
    from cnncourse import train

    real = train.metrics_from_counts
    monkeypatch.setattr(train, "metrics_from_counts",
                        lambda **counts: {**real(**counts), "accuracy": 0.5})
    row = slides.claims(topic="metrics").set_index("id").loc["dl_accuracy"]
    assert row.computed_value == 0.5
    assert row.verdict == "erratum"


# ---------------------------------------------------------------- filters and bad input

def test_topic_and_lecture_filters():
    metrics = slides.claims(topic="metrics")
    assert len(metrics) >= 4 and set(metrics["topic"]) == {"metrics"}
    dsp = slides.errata(topic="dsp")
    assert list(dsp["id"]) == ["gd_blur_sum"] and list(dsp.columns) == slides.COLUMNS
    notes = slides.claims(lecture="NOTES")
    assert set(notes["lecture"]) == {"NOTES"} and len(notes) >= 3


def test_errata_are_the_rows_that_are_not_ok(table):
    wrong = slides.errata(topic="metrics")
    assert set(wrong["id"]) == {"dl_negatives"}
    assert (wrong["verdict"] != "ok").all()


@pytest.mark.parametrize("kwargs, message", [
    ({"topic": "param"}, r"Unknown topic 'param': did you mean 'params'"),
    ({"topic": "cnn"}, r"Unknown topic 'cnn': .*dsp"),
    ({"lecture": "DL2"}, r"Unknown lecture 'DL2': did you mean 'DL1'"),
    ({"lecture": 1}, r"Unknown lecture 1"),
    ({"ids": "dl_negatives"}, r"ids must be a list of claim ids"),
])
def test_bad_filters_are_refused_with_a_hint(kwargs, message):
    with pytest.raises(ValueError, match=message):
        slides.claims(**kwargs)


# ---------------------------------------------------------------- the verdict rule

@pytest.mark.parametrize("slide, computed, tol, expected", [
    (34_944, 34_944, 0.0, "ok"),
    (0.7, 0.7000000000001, 0.0, "ok"),
    (35_000, 34_944, 0.01, "rounded"),
    (35_000, 34_944, 0.0, "erratum"),
    (138_000_000, 143_667_240, 0.01, "erratum"),
    ((3, 4, 23, 8), (3, 4, 23, 3), 0.0, "erratum"),
    ((5, 7), (5, 7), 0.0, "ok"),
    (Bound(">", 7), 6.91, 0.0, "erratum"),
    (Bound("in", (15, 16)), 15.3, 0.0, "ok"),
    (Bound("!=", 55), 54, 0.0, "ok"),
])
def test_verdict_rule(slide, computed, tol, expected):
    assert slides.verdict(slide, computed, tol) == expected


@pytest.mark.parametrize("tol", [-0.1, 1.5, "5%", True])
def test_verdict_rejects_a_bad_tolerance(tol):
    with pytest.raises(ValueError, match="relative tolerance"):
        slides.verdict(1, 1, tol)


def test_bound_prints_like_the_slide():
    assert str(Bound(">", 7)) == "> 7"
    assert str(Bound("in", (15, 16))) == "in [15, 16)"


def test_a_failing_claim_names_itself():
    broken = slides.Claim("broken", "ML9", "nowhere", "dsp", "a claim", 1,
                          lambda lab: 1 / 0)
    with pytest.raises(RuntimeError, match="claim 'broken' .*ML9, \"nowhere\".*division"):
        slides._evaluate(broken, slides._Lab())


# ---------------------------------------------------------------- layer_depth

def _tiny_residual():
    import keras

    L = keras.layers
    x = inputs = keras.Input((8, 8, 4))
    branch = L.Conv2D(8, 3, padding="same")(L.Conv2D(8, 3, padding="same")(x))
    shortcut = L.Conv2D(8, 1)(x)                  # projection: beside the branch
    x = L.Add()([branch, shortcut])
    x = L.GlobalAveragePooling2D()(L.BatchNormalization()(x))
    return keras.Model(inputs, L.Dense(3)(x))


def test_layer_depth_counts_the_longest_weighted_path():
    with slides._without_weights():
        model = _tiny_residual()
    assert slides.layer_depth(model) == 3   # conv, conv, dense; not the shortcut


def test_layer_depth_refuses_a_non_model():
    with pytest.raises(ValueError, match="functional Keras model"):
        slides.layer_depth("vgg16")


def test_pretty_formats_values_for_reading(table):
    shown = slides.pretty(table.loc[["gd_quiz_vgg19", "ml_separable_ratio", "ml_vgg16_fc",
                                     "cm_resnet_depth_7x", "dl_recall"]]).set_index("id")
    assert shown.loc["gd_quiz_vgg19", "slide_value"] == "138,000,000"
    assert shown.loc["gd_quiz_vgg19", "computed_value"] == "143,667,240"
    assert shown.loc["ml_separable_ratio", "computed_value"] == "73/576"
    assert shown.loc["ml_vgg16_fc", "slide_value"] == "(25088, 4096, 4096, 1000)"
    assert shown.loc["cm_resnet_depth_7x", "slide_value"] == "> 7"
    assert shown.loc["dl_recall", "computed_value"] == "0.857143"


def test_pretty_refuses_other_tables():
    with pytest.raises(ValueError, match="slides.claims"):
        slides.pretty([1, 2, 3])


def test_describe_prints_each_claim_in_full(table):
    text = slides.describe(table, ["cm_output_formula", "dl_negatives"])
    first, second = text.split("\n\n")
    assert first.startswith('[MODELS, "AlexNet: 224 or 227?"] — mistake')
    assert "  lecture:  55\n  computed: 109\n" in first
    assert "the divisor is the stride, 4: (227 − 11)/4 + 1 = 55." in first
    assert second.startswith('[DL1, "모델 평가 방법"] — mistake')
    assert "cm_output_formula" not in text


def test_describe_refuses_an_unknown_id(table):
    with pytest.raises(ValueError, match="no claim 'dl_negative' .*did you mean 'dl_negatives'"):
        slides.describe(table, ["dl_negative"])


def test_weightless_builds_leave_no_variables_queued():
    from keras.src.backend.common import global_state

    before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    assert len(slides.claims(lecture="NOTES")) >= 3     # builds alexnet and resnet34
    after = list(global_state.get_global_attribute("uninitialized_variables") or [])
    assert after == before


def test_claims_by_id_computes_only_those_in_order():
    table = slides.claims(ids=["gd_blur_sum", "ml_resnet101_cfg"])
    assert list(table["id"]) == ["gd_blur_sum", "ml_resnet101_cfg"]
    assert list(table["verdict"]) == ["rounded", "erratum"]
    with pytest.raises(ValueError, match="unknown claim id"):
        slides.claims(ids=["gd_blur_summ"])


# ---------------------------------------------------------------- what students read

def test_student_table_has_no_ids_and_says_the_verdict_in_words(table):
    shown = slides.table(ids=["gd_blur_sum", "ml_resnet101_cfg", "dl_lenet_c1"])
    assert list(shown.columns) == slides.TABLE_COLUMNS
    assert list(shown.index) == [1, 2, 3]
    assert list(shown["verdict"]) == ["right, rounded", "mistake", "right"]
    assert list(shown["source"]) == list(table.loc[["gd_blur_sum", "ml_resnet101_cfg",
                                                    "dl_lenet_c1"], "source"])
    assert shown.loc[1, "lecture says"] == "1" and shown.loc[1, "computed"] == "0.97"
    text = shown.to_string()
    assert "gd_blur_sum" not in text and "ml_resnet101_cfg" not in text


def test_student_table_filters_errata(table):
    shown = slides.table(lecture="ML9", errata_only=True)
    wrong = table[(table["lecture"] == "ML9") & (table["verdict"] != "ok")]
    assert len(shown) == len(wrong) and "right" not in set(shown["verdict"])


def test_the_lectures_are_cited_by_key_never_by_file_name(table):
    """Students know the lecture documents by their titles and keys, not as pipeline files."""
    import re

    from cnncourse import references

    words = [str(v) for column in table.columns for v in table[column]]
    words += [str(r.source) + str(r.note) for r in references.SLIDE_PARAMS.values()]
    assert not [w for w in words if re.search(r"seed", w, re.I)]
    assert set(references.LECTURES) == {"ML9", "DL1", "GDSC", "NOTES", "MODELS"}
    assert references.LECTURES["DL1"].date == "2020-12-08"
