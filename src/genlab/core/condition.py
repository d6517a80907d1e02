"""What a model is conditioned on: one object, :class:`Condition`, for every kind of condition.

A condition is a class label or an image; text prompts and sequences use the same object.
``condition=`` anywhere in genlab accepts a :class:`Condition` or a plain value, which
:meth:`Condition.of` reads as class labels (one label, or one per row), or as images for a
model fitted on image conditions. A family declares the kinds it takes (``condition_kinds``);
it turns a condition into a context for its network: class labels become integer codes
through :class:`ClassLabels` (fitted with the model), and the network embeds the codes
(:mod:`genlab.nn.context`); images are checked against the shape the model was fitted with by
:class:`ImageContext` and reach the network as a float array.

Example:
    >>> c = Condition.of(7)
    >>> c.kind, len(c), len(c.broadcast(3))
    ('class', 1, 3)
    >>> labels, codes = ClassLabels.fit(["cat", "dog", "cat"])
    >>> labels.classes.tolist(), codes.tolist()
    (['cat', 'dog'], [0, 1, 0])
    >>> labels.codes(Condition.of(["dog", "cat"]), 2).tolist()
    [1, 0]
    >>> Condition.text(["a seven, thin"]).kind
    'text'
    >>> ctx, values = ImageContext.fit(Condition.image(np.zeros((5, 4, 4))), 5)
    >>> ctx.shape, values.shape
    ((4, 4), (5, 4, 4))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genlab.core.errors import CapabilityError, InputError

#: The kinds of condition genlab knows; a family lists those it takes in ``condition_kinds``.
KINDS = ("class", "text", "image", "sequence")


@dataclass(frozen=True)
class Condition:
    """A batch of conditions of one kind: ``len(condition)`` rows, or one for every row.

    Args:
        values: class labels ``(N,)``, prompts (a list of strings), images ``(N, H, W[, C])``
            or sequences (a list of arrays or strings).
        kind: one of ``"class"``, ``"text"``, ``"image"``, ``"sequence"``.
    """

    values: Any
    kind: str = "class"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"condition kind must be one of {KINDS}, got {self.kind!r}")

    # ---------------------------------------------------------------- constructors
    @classmethod
    def labels(cls, values: Any) -> Condition:
        """Class labels: one label or one per row."""
        values = values.to_numpy() if hasattr(values, "to_numpy") else values
        return cls(np.asarray(values, dtype=object).reshape(-1), "class")

    @classmethod
    def text(cls, prompts: str | list[str]) -> Condition:
        """Text prompts: one string or one per row."""
        prompts = [prompts] if isinstance(prompts, str) else list(prompts)
        if not all(isinstance(p, str) for p in prompts):
            raise InputError("text conditions must be strings")
        return cls(prompts, "text")

    @classmethod
    def image(cls, images: Any) -> Condition:
        """Images ``(N, H, W[, C])`` (or one image ``(H, W[, C])``)."""
        array = np.asarray(images)
        if array.ndim == 2:
            array = array[None]
        if array.ndim not in (3, 4):
            raise InputError(f"image conditions must be (N, H, W[, C]), got {array.shape}")
        return cls(array, "image")

    @classmethod
    def sequence(cls, sequences: Any) -> Condition:
        """Sequences (token arrays or strings): one per row."""
        return cls(list(sequences), "sequence")

    @classmethod
    def of(cls, value: Any) -> Condition | None:
        """``value`` as a Condition: None stays None, a Condition is kept, anything else is
        read as class labels."""
        if value is None or isinstance(value, Condition):
            return value
        return cls.labels(value)

    # --------------------------------------------------------------------- rows
    def __len__(self) -> int:
        return len(self.values)

    def broadcast(self, n: int) -> Condition:
        """This condition for ``n`` rows: a single one is repeated, ``n`` are kept."""
        if len(self) == 1 and n != 1:
            if self.kind == "image":
                return Condition(np.repeat(self.values, n, axis=0), self.kind)
            if isinstance(self.values, np.ndarray):
                return Condition(np.repeat(self.values, n), self.kind)
            return Condition(list(self.values) * n, self.kind)
        if len(self) != n:
            raise InputError(f"condition has {len(self)} rows for {n} rows of data")
        return self


def training_labels(y: Any, condition: Any, kinds: frozenset[str], who: str) -> Any:
    """The class labels a ``fit(X, y, condition=...)`` was given, or None.

    ``condition`` (a Condition or plain labels) wins over ``y``; a Condition of a kind the
    family does not take (``kinds``) is a CapabilityError naming ``who``.
    """
    labels = condition if condition is not None else y
    if isinstance(labels, Condition):
        if labels.kind not in kinds:
            raise CapabilityError(f"{who} conditions on {sorted(kinds)}, not {labels.kind}")
        labels = labels.values
    return labels


@dataclass(frozen=True)
class ClassLabels:
    """The class labels a model was fitted with, and their training frequencies.

    Attributes:
        classes: the sorted distinct labels ``(C,)``.
        log_prior: ``log p(c)`` from the training frequencies ``(C,)``.
    """

    classes: np.ndarray
    log_prior: np.ndarray

    @classmethod
    def fit(cls, labels: Any, n: int | None = None) -> tuple[ClassLabels, np.ndarray]:
        """The labels of ``n`` training rows -> (the fitted ClassLabels, codes ``(n,)``)."""
        y = np.asarray(labels.to_numpy() if hasattr(labels, "to_numpy") else labels).reshape(-1)
        if n is not None and len(y) != n:
            raise InputError(f"y has {len(y)} labels for {n} rows")
        missing = pd.isna(pd.Series(y))
        if missing.any():
            raise InputError(f"y has a missing label at row {int(np.argmax(missing))}")
        classes, codes = np.unique(y, return_inverse=True)
        counts = np.bincount(codes, minlength=len(classes))
        return cls(classes, np.log(counts / counts.sum())), codes.astype(np.int64)

    def codes(self, condition: Condition, n: int) -> np.ndarray:
        """Integer codes ``(n,)`` of a class condition; InputError names an unknown label."""
        if condition.kind != "class":
            raise CapabilityError(
                f"this model was fitted with class labels; it cannot condition on {condition.kind}"
            )
        cond = condition.broadcast(n).values
        lookup = {python_value(c): i for i, c in enumerate(self.classes)}
        codes = np.empty(n, dtype=np.int64)
        for i, c in enumerate(cond):
            code = lookup.get(python_value(c))
            if code is None:
                raise InputError(f"condition row {i}: unknown label {c!r}; known: {list(lookup)}")
            codes[i] = code
        return codes


@dataclass(frozen=True)
class ImageContext:
    """The shape of the image conditions a model was fitted with, and their check.

    Attributes:
        shape: one condition image's shape, ``(h, w)`` or ``(h, w, c)``.
    """

    shape: tuple[int, ...]

    @classmethod
    def fit(cls, condition: Condition, n: int) -> tuple[ImageContext, np.ndarray]:
        """The image conditions of ``n`` training rows -> (the ImageContext, ``(n, *shape)``)."""
        values = np.asarray(condition.values)
        if len(values) != n:
            raise InputError(f"the image condition has {len(values)} images for {n} rows")
        context = cls(tuple(int(k) for k in values.shape[1:]))
        return context, context.values(condition, n)

    def values(self, condition: Any, n: int) -> np.ndarray:
        """Images ``(n, *shape)`` float64 of ``condition`` (a Condition of kind ``"image"`` or
        an array of images); one image is repeated for every row."""
        if not isinstance(condition, Condition):
            condition = Condition.image(condition)
        if condition.kind != "image":
            raise CapabilityError(
                f"this model was fitted with image conditions; it cannot condition on "
                f"{condition.kind}"
            )
        try:
            values = np.asarray(condition.broadcast(n).values, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise InputError(f"image conditions must be numbers: {e}") from None
        if values.shape[1:] != self.shape:
            raise InputError(
                f"condition images have shape {values.shape[1:]}; this model was fitted with "
                f"{self.shape}"
            )
        if not np.isfinite(values).all():
            raise InputError("condition images contain NaN or infinite values")
        return values


def python_value(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (for JSON and for dictionary keys)."""
    return v.item() if isinstance(v, np.generic) else v
