"""Bundled datasets: scikit-learn's small sets, synthetic sets with a known density, a mixed table.

Nothing is downloaded: scikit-learn ships these files, the rest is generated from fixed seeds.

Example:
    >>> import genlab
    >>> ds = genlab.load_dataset("digits")
    >>> ds.X.shape, ds.schema.columns[0].levels, ds.y[:5]
    ((1797, 8, 8), (0, 16), array([0, 1, 2, 3, 4]))
    >>> train, test = ds.split()
    >>> len(train), len(test)
    (1437, 360)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

from genlab.core.errors import InputError
from genlab.data.schema import Schema, infer_schema
from genlab.data.synthetic import SYNTHETIC, SyntheticDensity


@dataclass
class Dataset:
    """Data plus what genlab knows about it.

    Attributes:
        name: registry name (``genlab datasets`` lists them).
        X: ndarray ``(N, D)``, image array ``(N, H, W[, C])`` or DataFrame.
        y: class labels or regression target, or None.
        schema: column kinds, levels and categories.
        description: one line for listings.
        density: for synthetic sets, the true density (``sample``, ``true_log_prob``,
            ``entropy``); None otherwise.
        y_is_label: True when ``y`` holds class labels (so splits are stratified).
        file_names: for an image folder, the file of each image (decompression restores them).
    """

    name: str
    X: Any
    y: np.ndarray | None
    schema: Schema
    description: str = ""
    density: SyntheticDensity | None = None
    y_is_label: bool = True
    file_names: list[str] | None = None

    @property
    def image_shape(self) -> tuple[int, ...] | None:
        return self.schema.image_shape

    def __len__(self) -> int:
        return len(self.X)

    def flat(self) -> np.ndarray:
        """``X`` as a float64 matrix ``(N, D)`` (images flattened, categories as codes)."""
        return self.schema.encode(self.X)

    def subset(self, index: np.ndarray) -> Dataset:
        X = self.X.iloc[index].reset_index(drop=True) if hasattr(self.X, "iloc") else self.X[index]
        y = None if self.y is None else self.y[index]
        return replace(self, X=X, y=y)

    def split(self, test_size: float = 0.2, random_state: int = 0) -> tuple[Dataset, Dataset]:
        """The train/test split every benchmark uses: ``train_test_split(test_size=0.2,
        random_state=0)``, stratified by label where there is one."""
        index = np.arange(len(self))
        strat = self.y if (self.y is not None and self.y_is_label) else None
        tr, te = train_test_split(
            index, test_size=test_size, random_state=random_state, stratify=strat
        )
        return self.subset(tr), self.subset(te)


def _sklearn_table(loader: Callable, name: str, description: str, label: bool) -> Dataset:
    bunch = loader(as_frame=True)
    X = bunch.data.astype(np.float64).reset_index(drop=True)
    X.columns = [str(c).replace(" ", "_") for c in X.columns]
    y = bunch.target.to_numpy()
    return Dataset(name, X, y, infer_schema(X), description, y_is_label=label)


def _digits() -> Dataset:
    d = skd.load_digits()
    X = d.images.astype(np.int64)  # (1797, 8, 8), levels 0..16
    schema = infer_schema(X, levels=(0, 16))
    return Dataset("digits", X, d.target.astype(np.int64), schema, "8x8 handwritten digits, 0..16")


def _synthetic(key: str, n: int = 2000) -> Dataset:
    density = SYNTHETIC[key]()
    X = density.sample(n, random_state=0)
    return Dataset(
        key,
        X,
        None,
        infer_schema(X),
        f"synthetic, {density.dim}-d, exact density known",
        density=density,
        y_is_label=False,
    )


def _mixed_table(n: int = 600) -> Dataset:
    """A generated table with continuous, integer and categorical columns that depend on each
    other (so imputation has something to learn); the label is the ``segment`` column."""
    rng = np.random.default_rng(0)
    segment = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    shift = pd.Series(segment).map({"a": 0.0, "b": 2.0, "c": -2.0}).to_numpy()
    income = rng.normal(shift, 1.0)
    age = np.clip(np.round(40 + 8 * shift + rng.normal(0, 5, n)), 18, 80).astype(np.int64)
    owner = rng.random(n) < 1 / (1 + np.exp(-income))
    X = pd.DataFrame(
        {
            "income": income,
            "age": age,
            "owner": owner,
            "segment": pd.Categorical(segment, categories=["a", "b", "c"]),
        }
    )
    labels = np.asarray(segment)
    return Dataset(
        "mixed_table", X, labels, infer_schema(X), "generated mixed numeric + categorical table"
    )


#: name -> loader. Explicit, so ``genlab datasets`` and errors can list them.
DATASETS: dict[str, Callable[[], Dataset]] = {
    "digits": _digits,
    "iris": lambda: _sklearn_table(skd.load_iris, "iris", "iris flowers, 4 continuous", True),
    "wine": lambda: _sklearn_table(skd.load_wine, "wine", "wine, 13 continuous", True),
    "breast_cancer": lambda: _sklearn_table(
        skd.load_breast_cancer, "breast_cancer", "breast cancer, 30 continuous", True
    ),
    "diabetes": lambda: _sklearn_table(
        skd.load_diabetes, "diabetes", "diabetes, 10 continuous, regression target", False
    ),
    "eight_gaussians": lambda: _synthetic("eight_gaussians"),
    "concentric_rings": lambda: _synthetic("concentric_rings"),
    "gmm10d": lambda: _synthetic("gmm10d"),
    "mixed_table": _mixed_table,
}


def load_dataset(name: str) -> Dataset:
    """Load a bundled dataset by name (see :data:`DATASETS`)."""
    try:
        loader = DATASETS[name]
    except KeyError:
        raise InputError(f"unknown dataset {name!r}; bundled: {sorted(DATASETS)}") from None
    return loader()


def pair_of_examples(x0: Any, x1: Any, item_shape: tuple[int, ...]) -> Any:
    """Two single examples (images ``item_shape``, rows, one-row DataFrames or Series) as one
    two-row input, in the container they came in (what interpolation encodes).

    Example:
        >>> pair_of_examples(np.zeros((8, 8)), np.ones((8, 8)), (8, 8)).shape
        (2, 8, 8)
    """
    if isinstance(x0, pd.DataFrame) and isinstance(x1, pd.DataFrame):
        pair = pd.concat([x0, x1], ignore_index=True)
    elif isinstance(x0, pd.Series) and isinstance(x1, pd.Series):
        pair = pd.DataFrame([x0, x1]).reset_index(drop=True)
    else:
        a0, a1 = np.asarray(x0), np.asarray(x1)
        if a0.shape != a1.shape:
            raise InputError(f"x0 and x1 differ in shape: {a0.shape} and {a1.shape}")
        pair = np.stack([a0, a1]) if a0.shape == tuple(item_shape) else np.concatenate([a0, a1])
    if len(pair) != 2:
        raise InputError("x0 and x1 must be one example each")
    return pair
