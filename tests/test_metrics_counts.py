"""Metrics from the four confusion-matrix counts (cnncourse.train), on DL1's ten-person example."""
import math

import pytest
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score

from cnncourse import train


def test_metrics_of_the_lectures_ten_person_example():
    m = train.metrics_from_counts(tn=1, fp=2, fn=1, tp=6)
    assert m["accuracy"] == pytest.approx(0.7)
    assert m["precision"] == pytest.approx(0.75)
    assert m["recall"] == pytest.approx(6 / 7)
    assert m["fpr"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(0.8)
    y_true, y_pred = train.labels_from_counts(1, 2, 1, 6)
    assert precision_score(y_true, y_pred) == pytest.approx(m["precision"])
    assert recall_score(y_true, y_pred) == pytest.approx(m["recall"])
    assert f1_score(y_true, y_pred) == pytest.approx(m["f1"])
    assert confusion_matrix(y_true, y_pred).ravel().tolist() == [1, 2, 1, 6]


def test_the_lectures_sentence_miscounts_the_negatives():
    # the lecture says "음성(4명)", but 3 people are actually negative and 2 are called negative
    y_true, y_pred = train.labels_from_counts(1, 2, 1, 6)
    assert (int((y_true == 0).sum()), int((y_pred == 0).sum())) == (3, 2)


def test_metrics_edge_cases():
    m = train.metrics_from_counts(tn=5, fp=0, fn=3, tp=0)
    assert math.isnan(m["precision"]) and m["recall"] == 0.0 and m["fpr"] == 0.0
    with pytest.raises(ValueError, match="fp must be >= 0"):
        train.metrics_from_counts(1, -2, 1, 6)
    with pytest.raises(ValueError, match="all four counts are 0"):
        train.metrics_from_counts(0, 0, 0, 0)
    with pytest.raises(ValueError, match="tp must be a whole number"):
        train.labels_from_counts(1, 2, 1, 6.5)
