"""Suite ``digits-superres``: image -> image, the 8x8 digit from its 4x4 average-pooled version.

Every method sees the training split of ``Dataset.split()`` (1437 digits) as pairs (pooled
4x4, full 8x8) and reconstructs the 360 test digits from their pooled versions; the metric is
the RMSE over pixels (levels 0..16) against the true test digits.

* ``PIL bicubic``: ``Image.resize((8, 8), BICUBIC)`` of the 4x4 image (mode ``F``), clipped
  to 0..16 — what a user resizing an image would do;
* ``sklearn KNeighborsRegressor``: the 64 pixels regressed on the 16 pooled ones, ``k`` and the
  weighting chosen by 5-fold cross-validation on the training pairs;
* ``genlab.Diffusion``: fitted with ``condition=Condition.image(pooled)``; its reconstruction
  is the mean of ``DRAWS`` samples (the posterior mean minimizes the RMSE), and a row scores a
  single draw. ``pooled_match`` is the share of samples whose own 4x4 average pooling equals
  their condition (to the grid's rounding: a block sum off by less than half a level).

The Diffusion's settings (guidance, training length) were chosen on a validation split of the
training digits by ``python tools/choose_superres.py``; nothing here looks at the test digits
except to score.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from genlab.bench.rows import Row
from genlab.data.datasets import load_dataset
from genlab.metrics.probes import rmse

NAME = "digits-superres"
DRAWS = 16
#: Chosen on a validation split by ``tools/choose_superres.py``.
SETTINGS: dict[str, Any] = {"guidance": 0.0, "eta": 1.0, "max_epochs": 300, "patience": 50}
QUICK: dict[str, Any] = {"width": 8, "timesteps": 50, "steps": 5, "max_epochs": 2}


def pool(X: np.ndarray, factor: int = 2) -> np.ndarray:
    """Average pooling of images ``(N, H, W)`` by ``factor`` per side.

    Example:
        >>> pool(np.arange(16.0).reshape(1, 4, 4)).tolist()
        [[[2.5, 4.5], [10.5, 12.5]]]
    """
    n, h, w = X.shape
    return X.reshape(n, h // factor, factor, w // factor, factor).mean(axis=(2, 4))


def bicubic(low: np.ndarray, shape: tuple[int, int], high: float) -> np.ndarray:
    """PIL's bicubic resize of each float image ``(N, h, w)`` to ``shape``, clipped to
    ``0..high``."""
    from PIL import Image

    out = [
        np.asarray(Image.fromarray(im.astype(np.float32), mode="F").resize(shape[::-1], 3))
        for im in low
    ]  # 3 = Image.Resampling.BICUBIC
    return np.clip(np.stack(out), 0, high)


def knn_regression(low: np.ndarray, full: np.ndarray, queries: np.ndarray) -> tuple:
    """``KNeighborsRegressor`` of the full images on the pooled ones (``k`` and weights by
    5-fold CV on the pairs) -> (predictions ``(M, H, W)``, the chosen parameters)."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsRegressor

    ks = [k for k in (1, 3, 5, 7, 10, 15, 20) if k <= len(low) * 4 // 5]  # fit in a fold
    grid = {"n_neighbors": ks, "weights": ["uniform", "distance"]}
    search = GridSearchCV(KNeighborsRegressor(), grid, cv=5, scoring="neg_mean_squared_error")
    search.fit(low.reshape(len(low), -1), full.reshape(len(full), -1))
    pred = search.predict(queries.reshape(len(queries), -1))
    return pred.reshape(len(queries), *full.shape[1:]), search.best_params_


def pooled_match(samples: np.ndarray, conditions: np.ndarray, factor: int = 2) -> float:
    """Share of samples whose block sums are their condition's times the block size, to half
    a level."""
    k = factor * factor
    off = np.abs(pool(samples.astype(float), factor) - conditions) * k  # (N, h, w) levels
    return float(np.mean((off < 0.5).all(axis=(1, 2))))


def _row(method: str, metric: str, value: float, seconds: float, note: str) -> Row:
    higher = metric == "pooled_match"
    return Row(NAME, "condition", "digits 4x4->8x8", method, metric, value, higher, seconds, note)


def _diffusion_rows(train: Any, test: Any, quick: bool) -> list[Row]:
    import genlab

    settings = {**SETTINGS, **(QUICK if quick else {})}
    low_train, low_test = pool(train.X.astype(float)), pool(test.X.astype(float))
    start = time.perf_counter()
    model = genlab.Diffusion(**settings, progress=False, random_state=0)
    model.fit(train.X, condition=genlab.Condition.image(low_train))
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    draws = np.stack(
        [model.sample(len(test.X), condition=low_test, random_state=s) for s in range(DRAWS)]
    ).astype(float)  # (DRAWS, 360, 8, 8)
    sample_seconds = (time.perf_counter() - start) / DRAWS
    note = (
        f"genlab.Diffusion({', '.join(f'{k}={v!r}' for k, v in settings.items())}) fitted with "
        f"condition=Condition.image(pooled): {model.train_result_.epochs} epochs in "
        f"{fit_seconds:.0f} s; {sample_seconds:.1f} s per 360 samples at steps={model.steps}"
    )
    method = "genlab.Diffusion"
    matched = np.mean([pooled_match(d, low_test) for d in draws])
    return [
        _row(f"{method} (mean of {DRAWS} draws)", "rmse", rmse(draws.mean(0), test.X), 0.0, note),
        _row(f"{method} (one draw)", "rmse", rmse(draws[0], test.X), sample_seconds, note),
        _row(method, "pooled_match", float(matched), 0.0, f"{DRAWS} x 360 samples; {note}"),
    ]


def run(*, quick: bool = False) -> list[Row]:
    """The baselines' and genlab's reconstructions of the test digits."""
    train, test = load_dataset("digits").split()
    full_train, full_test = train.X.astype(float), test.X.astype(float)
    low_train, low_test = pool(full_train), pool(full_test)
    start = time.perf_counter()
    cubic = bicubic(low_test, full_test.shape[1:], 16.0)
    rows = [
        _row("PIL bicubic", "rmse", rmse(cubic, full_test), time.perf_counter() - start, ""),
        _row("PIL bicubic", "pooled_match", pooled_match(cubic, low_test), 0.0, "rounded: no"),
    ]
    start = time.perf_counter()
    pred, params = knn_regression(low_train, full_train, low_test)
    seconds = time.perf_counter() - start
    note = f"chosen by 5-fold CV on the training pairs: {params}"
    rows += [
        _row("sklearn KNeighborsRegressor", "rmse", rmse(pred, full_test), seconds, note),
        _row("sklearn KNeighborsRegressor", "pooled_match", pooled_match(pred, low_test), 0.0, ""),
    ]
    return rows + _diffusion_rows(train, test, quick)
