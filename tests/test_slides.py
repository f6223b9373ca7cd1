"""Tests of cnncourse.slides: the claims file, its probes, verdicts and errata.

The oracles are the lectures (what each claim prints, ``lecture_value`` in claims.toml) and the
papers or independent arithmetic (``right_value``, written into the file from the paper or worked
out by hand, never copied from the library): every row's computed value must equal its right
value, and its verdict must be the one the lecture value earns against the right value. A wrong
probe, a wrong transcription or a wrong verdict fails here. ``claims()`` is computed once for the
module (about 10 s on a laptop CPU, most of it building the zoo models without their weights).
"""
from fractions import Fraction

import numpy as np
import pytest

from cnncourse import slides
from cnncourse._keras import without_weights
from cnncourse.slides import Bound

CATALOGUE = {claim.id: claim for claim in slides.catalogue()}
REL = 1e-9  # floats: the computed value equals the right value to this relative difference

# A few rows retyped from the lectures and the papers, to cross-check the file's transcription:
# id -> (value printed in the lecture, right value, verdict)
CROSS_CHECK = {
    "ml_resnet101_cfg": ((3, 4, 23, 8), (3, 4, 23, 3), "erratum"),    # He et al. Table 1
    "dl_alexnet_conv2_params": (614_656, 5 * 5 * 48 * 256 + 256, "erratum"),
    "dl_vgg_formula": (1728, (3 * 3 * 3) + 64, "erratum"),           # '+' printed for '×'
    "dl_vgg_memory_mb": (93, 61, "erratum"),                          # 15,237,608 × 4 B
    "gd_blur_sum": (1.0, 4 * 0.06 + 4 * 0.12 + 0.25, "rounded"),     # rounded 1/16, 2/16, 4/16
    "gd_quiz_vgg19": (138_000_000, 143_667_240, "erratum"),           # torchvision / keras.io
    "ml_separable_ratio": (Fraction(1, 64) + Fraction(1, 9), Fraction(73, 576), "ok"),
    "dl_recall": (6 / 7, 6 / 7, "ok"),
    "cm_resnet_depth_7x": (Bound(">", 7), 6.91, "erratum"),           # 152 / 22
    "cm_alexnet_15": (Bound("in", (15, 16)), 15.3, "ok"),             # Russakovsky et al.
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


# ---------------------------------------------------------------- every row against its right value

def test_every_claim_has_an_independent_right_value():
    assert len(CATALOGUE) == len(slides.catalogue()) >= 126
    for claim in CATALOGUE.values():
        assert claim.right is not None and claim.right_from.strip(), claim.id
        assert "cnncourse" not in claim.right_from, claim.id   # not read back from the library


@pytest.mark.parametrize("claim_id", list(CATALOGUE))
def test_computed_value_is_the_right_value(table, claim_id):
    assert _close(table.loc[claim_id, "computed_value"], CATALOGUE[claim_id].right)


@pytest.mark.parametrize("claim_id", list(CATALOGUE))
def test_verdict_is_what_the_lecture_value_earns_against_the_right_value(table, claim_id):
    claim = CATALOGUE[claim_id]
    row = table.loc[claim_id]
    assert row.slide_value == claim.slide
    assert row.verdict == slides.verdict(claim.slide, claim.right, claim.tol)


@pytest.mark.parametrize("claim_id", sorted(CROSS_CHECK))
def test_file_matches_values_retyped_from_lectures_and_papers(table, claim_id):
    slide, right, expected = CROSS_CHECK[claim_id]
    claim = CATALOGUE[claim_id]
    assert claim.slide == slide and type(claim.slide) is type(slide)
    assert _close(claim.right, right)
    assert table.loc[claim_id, "verdict"] == expected


def test_verdict_counts(table):
    counts = table["verdict"].value_counts().to_dict()
    assert counts == {"ok": 85, "erratum": 24, "rounded": 17}


# ---------------------------------------------------------------- claims against the papers

@pytest.mark.parametrize("depth", sorted(RESNET_FLOPS))
def test_resnet_flops_close_to_paper(table, depth):
    row = table.loc[f"gd_resnet{depth}_flops"]
    assert row.slide_value == RESNET_FLOPS[depth]
    assert CATALOGUE[f"gd_resnet{depth}_flops"].right == pytest.approx(RESNET_FLOPS[depth],
                                                                       rel=0.02)
    assert row.computed_value == pytest.approx(RESNET_FLOPS[depth], rel=0.02)
    assert row.verdict == "rounded"


# ---------------------------------------------------------------- recomputed here, by the library

def test_lenet_rows_match_a_fresh_model(table):
    from cnncourse import accounting, models

    with without_weights():  # counts need shapes only; skips the backend's RNG
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
                          "zoo:lenet5/c7/params")
    with pytest.raises(RuntimeError,
                       match="claim 'broken' .*ML9, \"nowhere\".*lenet5 has no layer 'c7'"):
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
    with without_weights():
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
    from cnncourse._keras import pending_variables

    before = pending_variables()
    assert len(slides.claims(lecture="NOTES")) >= 3     # builds alexnet and resnet34
    assert pending_variables() == before


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


# ---------------------------------------------------------------- the claims file and its loader

VALID = """
[[claim]]
id = "a"
lecture = "GDSC"
section = "Stride & Padding"
topic = "layers"
text = "⌊(5 − 3 + 0)/1⌋ + 1 = 3"
lecture_value = 3
right_value = 3
right_from = "arithmetic"
probe = "fn:conv_output_size(5, 3)"
how = "shapes.conv_output_size(5, 3)"
why = "It is {computed}, not {slide}."
"""


def _load(tmp_path, text):
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    return slides.load(path)


def test_the_packaged_file_is_the_catalogue_and_holds_no_code():
    from importlib.resources import files

    text = files("cnncourse").joinpath(slides.CLAIMS_FILE).read_text("utf-8")
    assert "lambda" not in text
    assert slides.load() == slides.catalogue()


def test_a_valid_file_loads_and_computes(tmp_path):
    (claim,) = _load(tmp_path, VALID)
    assert (claim.id, claim.slide, claim.right, claim.probe) == ("a", 3, 3,
                                                                 "fn:conv_output_size(5, 3)")
    assert claim.compute() == 3


def test_values_decode_to_tuples_fractions_and_bounds(tmp_path):
    text = (VALID.replace("lecture_value = 3", 'lecture_value = { op = "in", limit = [2, 4] }')
            .replace("right_value = 3", 'right_value = "1/64 + 1/9"')
            .replace('probe = "fn:conv_output_size(5, 3)"',
                     'probe = ["fn:conv_output_size(5, 3)", "fn:receptive_field(3, layers=2)"]'))
    (claim,) = _load(tmp_path, text)
    assert claim.slide == Bound("in", (2, 4))
    assert claim.right == Fraction(73, 576)
    assert claim.compute() == (3, 5)


@pytest.mark.parametrize("old, new, message", [
    ("lecture = ", "lectur = ", r"claim 'a': unknown key 'lectur': did you mean 'lecture'"),
    ('right_from = "arithmetic"\n', "", r"claim 'a': missing 'right_from'; every claim needs"),
    ('id = "a"\n', "", r"claim #1 \(no id\): missing 'id'"),
    ('"GDSC"', '"GDCS"', r"claim 'a': unknown lecture 'GDCS': did you mean 'GDSC'"),
    ('"layers"', '"layer"', r"claim 'a': unknown topic 'layer': did you mean 'layers'"),
    ("fn:conv_output_size(5, 3)", "zo:vgg16/params",
     r"claim 'a': probe 'zo:vgg16/params': unknown form 'zo'"),
    ("fn:conv_output_size(5, 3)", "zoo:vgg17/params",
     r"claim 'a': probe 'zoo:vgg17/params': unknown model 'vgg17': did you mean .*'vgg16'"),
    ("fn:conv_output_size(5, 3)", "zoo:vgg16/conv1_1/weight",
     r"unknown layer field 'weight': did you mean 'weights'"),
    ("fn:conv_output_size(5, 3)", "zoo:vgg16/deepness", r"unknown model query 'deepness'"),
    ("fn:conv_output_size(5, 3)", "fn:conv_output_sise(5, 3)",
     r"unknown function 'conv_output_sise': did you mean 'conv_output_size'"),
    ("fn:conv_output_size(5, 3)", "fn:conv_output_size(5)", r"fn:conv_output_size .*signature"),
    ("fn:conv_output_size(5, 3)", "fn:conv_output_size(n)", r"must be Python literals"),
    ("fn:conv_output_size(5, 3)", 'fn:ratio(\\"zoo:vgg16/param\\", 2)',
     r"probe 'zoo:vgg16/param': unknown model query 'param'"),
    ("fn:conv_output_size(5, 3)", "ilsvrc:AlexNett/top5_error",
     r"no ILSVRC entry 'AlexNett': did you mean 'AlexNet'"),
    ("lecture_value = 3", "lecture_value = true", r"claim 'a', lecture_value: True is not a value"),
    ("right_value = 3", 'right_value = "1/0"', r"claim 'a', right_value: '1/0' is not a fraction"),
    ("lecture_value = 3", 'lecture_value = { op = "=>", limit = 7 }',
     r"claim 'a', lecture_value: an inequality is"),
    ("right_value = 3", "right_value = 3\ntol = 5", r"claim 'a': tol must be a relative tolerance"),
    ("{slide}", "{printed}", r"claim 'a': why quotes \{printed\}.*add it to details"),
    ("right_value = 3", 'right_value = 3\ndetails = { printed = "zoo:vgg16/nothing" }',
     r"claim 'a', details.printed: probe 'zoo:vgg16/nothing'"),
    ('how = "shapes.conv_output_size(5, 3)"', 'how = ""', r"claim 'a': how must be a non-empty"),
])
def test_a_bad_record_is_refused_naming_the_claim_and_the_fix(tmp_path, old, new, message):
    assert old in VALID
    with pytest.raises(slides.ClaimFileError, match=message):
        _load(tmp_path, VALID.replace(old, new))


def test_a_duplicate_id_is_refused(tmp_path):
    with pytest.raises(slides.ClaimFileError, match=r"claim 'a': duplicate id \(claim #1"):
        _load(tmp_path, VALID + VALID)


@pytest.mark.parametrize("text, message", [
    ("[[claim]\nid = 1", r"is not valid TOML"),
    ("title = 'claims'\n" + VALID, r"holds \[\[claim\]\] tables only, found \['title'\]"),
    ("", r"holds \[\[claim\]\] tables only"),
])
def test_a_bad_file_is_refused(tmp_path, text, message):
    with pytest.raises(slides.ClaimFileError, match=message):
        _load(tmp_path, text)


def test_a_probe_is_checked_before_anything_is_built():
    with pytest.raises(ValueError, match=r"probe 'zoo:alexnet/@Dense/colour': unknown layer field"):
        slides.parse_probe("zoo:alexnet/@Dense/colour")
    parsed = slides.parse_probe("zoo:googlenet[aux_logits=true]/extra_outputs")
    assert (parsed.target, parsed.options, parsed.path) == ("googlenet", (("aux_logits", True),),
                                                             ("extra_outputs",))
