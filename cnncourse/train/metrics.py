"""Evaluation: accuracy and cross-entropy of a trained model, predicted labels, and the
confusion-matrix metrics (accuracy, precision, recall, F1, fall-out) from counts or labels.
"""
from __future__ import annotations

import numpy as np

from .._checks import non_negative_int, positive_int
from .inputs import check_images, check_labels, model_io


def evaluate(model, x, y, batch_size: int = 256) -> dict[str, float]:
    """Test accuracy and cross-entropy (mean negative log-probability of the true class) of a
    softmax model, from one pass of ``predict``; ``x: (N, H, W, C)``, ``y: (N,)``.
    Computed with scikit-learn, so any model that outputs class probabilities works."""
    from sklearn import metrics

    expected, width = model_io(model)
    x, y = np.asarray(x), np.asarray(y)
    check_images(x, expected, model.name, "x")
    check_labels(y, len(x), width, model.name, "y")
    probs = np.asarray(model.predict(x, batch_size=positive_int(batch_size, "batch_size"),
                                     verbose=0), dtype=np.float64)
    if probs.min() < 0 or not np.allclose(probs.sum(axis=-1), 1.0, atol=1e-2):
        raise ValueError(f"evaluate needs class probabilities, but the outputs of {model.name!r} "
                         "are not (they do not sum to 1): add a keras.layers.Softmax() on top.")
    probs /= probs.sum(axis=-1, keepdims=True)  # float32 round-off; sklearn wants exact sums
    return {"accuracy": float(metrics.accuracy_score(y, probs.argmax(axis=-1))),
            "cross_entropy": float(metrics.log_loss(y, probs, labels=np.arange(width)))}


def predict_labels(model, x, batch_size: int = 256) -> np.ndarray:
    """Predicted class index per image, ``x: (N, H, W, C)`` → ``(N,)`` int."""
    expected, _ = model_io(model)
    x = np.asarray(x)
    check_images(x, expected, model.name, "x")
    scores = model.predict(x, batch_size=positive_int(batch_size, "batch_size"), verbose=0)
    return np.asarray(scores).argmax(axis=-1)


def metrics_from_counts(tn: int, fp: int, fn: int, tp: int) -> dict[str, float]:
    """Accuracy, precision, recall, FPR (fall-out) and F1 from the four confusion-matrix cells.

    accuracy = (TP+TN)/all, precision = TP/(TP+FP), recall = TP/(TP+FN), FPR = FP/(TN+FP),
    F1 = 2PR/(P+R). A ratio whose denominator is 0 is returned as NaN.
    """
    tn, fp, fn, tp = (non_negative_int(v, n) for v, n in zip((tn, fp, fn, tp),
                                                             ("tn", "fp", "fn", "tp")))
    if tn + fp + fn + tp == 0:
        raise ValueError("all four counts are 0; a confusion matrix needs at least one example.")

    def ratio(num, den):
        return num / den if den else float("nan")

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"accuracy": ratio(tp + tn, tn + fp + fn + tp), "precision": precision,
            "recall": recall, "fpr": ratio(fp, tn + fp),
            "f1": ratio(2 * precision * recall, precision + recall)}


def labels_from_counts(tn: int, fp: int, fn: int, tp: int) -> tuple[np.ndarray, np.ndarray]:
    """Label vectors ``(y_true, y_pred)`` (each (n,), 0/1) with exactly these confusion counts,
    e.g. to hand a slide's example to scikit-learn or :func:`binary_metrics`."""
    counts = [non_negative_int(v, n) for v, n in zip((tn, fp, fn, tp), ("tn", "fp", "fn", "tp"))]
    cells = ((0, 0), (0, 1), (1, 0), (1, 1))  # (actual, predicted) of tn, fp, fn, tp
    return (np.repeat([c[0] for c in cells], counts), np.repeat([c[1] for c in cells], counts))


def binary_metrics(y_true, y_pred) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and fall-out (false-positive rate) of binary labels
    ``y_true, y_pred: (N,)`` in {0, 1} (1 = positive), e.g. a "digit 4 or not" detector.

    Computed by scikit-learn from the labels, so it cross-checks the hand formulas of
    ``metrics_from_counts``: precision = TP/(TP+FP), recall = TP/(TP+FN),
    F1 = 2PR/(P+R), fall-out = FP/(FP+TN).
    """
    from sklearn import metrics

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tn, fp, fn, tp = metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return {
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "precision": float(metrics.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(metrics.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(metrics.f1_score(y_true, y_pred, zero_division=0)),
        "fall_out": float(fp / (fp + tn)) if fp + tn else 0.0,
    }
