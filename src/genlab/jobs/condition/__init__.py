"""Condition: draw from p(x | c), here with c a class — one row of samples per class.

A model fitted with class labels (``fit(X, y)``) samples any class on request. This job asks
for ``n`` samples of each class, in one ``sample`` call, rows grouped class by class, so that
a grid with one row per class (``genlab tour``'s condition section, ``genlab sample
--condition all``) reads them as they come. Classes are given as labels or as a
:class:`~genlab.Condition` of kind ``"class"``; they come back as the model's own labels
(``classes_``), whatever type they were asked with.

Example:
    >>> import numpy as np, genlab
    >>> digits = genlab.load_dataset("digits").subset(np.arange(200))
    >>> kde = genlab.KDE().fit(digits, digits.y)
    >>> X, labels = samples_per_class(kde, 3, classes=[7, 0], random_state=0)
    >>> X.shape, labels.tolist()
    ((6, 8, 8), [7, 7, 7, 0, 0, 0])
    >>> X, labels = samples_per_class(kde, 2, random_state=0)  # every class of the model
    >>> X.shape, labels.reshape(-1, 2)[:, 0].tolist() == kde.classes_.tolist()
    ((20, 8, 8), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.core.condition import ClassLabels, Condition
from genlab.core.errors import InputError


def samples_per_class(
    model: Any, n: int, classes: Any = None, random_state: Any = None
) -> tuple[Any, np.ndarray]:
    """``n`` samples of each class, one class after the other.

    Args:
        model: a genlab model fitted with class labels.
        n: samples per class (>= 1).
        classes: the classes to draw, in this order: labels (one or a list) or a
            :class:`~genlab.Condition` of kind ``"class"``; None draws every class of the
            model (``classes_``).
        random_state: int, None or ``np.random.Generator`` (one ``sample`` call uses it).

    Returns:
        ``(samples, labels)``: ``C * n`` samples in the model's training container, and the
        class of each ``(C * n,)`` — ``labels.reshape(C, n)`` has one class per row.

    Raises:
        InputError: ``n`` is not a positive integer, the model was fitted without labels,
            or a class is unknown to it or not a class label.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"n must be a positive integer (samples per class), got {n!r}")
    chosen = class_labels(model, classes)  # (C,)
    labels = np.repeat(chosen, n)  # (C * n,): n samples of each class
    samples = model.sample(len(labels), condition=labels, random_state=random_state)
    return samples, labels


def class_labels(model: Any, classes: Any = None) -> np.ndarray:
    """The requested classes as the model's own labels ``(C,)`` (all of them for None).

    Example:
        >>> import genlab
        >>> kde = genlab.KDE().fit([[0.0], [1.0], [5.0]], ["a", "a", "b"])
        >>> class_labels(kde, genlab.Condition.labels(["b"])).tolist()
        ['b']
        >>> class_labels(kde, "c")
        Traceback (most recent call last):
        ...
        genlab.core.errors.InputError: condition row 0: unknown label 'c'; known: ['a', 'b']
    """
    known = getattr(model, "classes_", None)
    if known is None:
        raise InputError(
            f"this {type(model).__name__} was fitted without labels, so it has no classes; "
            "fit(X, y) with class labels first"
        )
    if classes is None:
        return known
    condition = Condition.of(classes)
    if condition.kind != "class":
        raise InputError(f"samples per class need class labels, not a {condition.kind} condition")
    if len(condition) == 0:
        raise InputError("no class to draw: give at least one label")
    codes = ClassLabels(known, model.class_log_prior_).codes(condition, len(condition))
    return known[codes]
