"""Suite ``digits-density``: bits per pixel on the 360 held-out digits, on the 0..16 grid.

Split of DESIGN.md (``load_dataset("digits").split()``: 1437 training, 360 test images, 8x8,
17 levels). ``bits_per_dim`` is ``-log2 P(x) / 64`` averaged over the test images, where ``P``
is the probability of the image on its integer grid:

* exact for the discrete models: genlab's :class:`~genlab.AutoregressiveModel` (one order, and
  the ensemble ``log mean_k p_k(x)`` over several orders, itself an exact mixture likelihood;
  one fit serves both rows) and the independent-pixel model (per-pixel 17-way frequencies with
  add-one smoothing);
* a bound for the continuous densities (genlab's ``KDE`` with CV bandwidth and
  ``GaussianMixture`` with its defaults: components by 5-fold held-out likelihood on the
  training images and a normal-inverse-Wishart covariance prior; scikit-learn's
  ``KernelDensity`` with CV bandwidth and ``GaussianMixture`` with BIC): each is fitted to
  dequantized pixels ``x + u``,
  ``u ~ U(-1/2, 1/2)``, and scored with ``E_u log p(x + u) <= log P(x)`` (8 fixed offsets), so
  its bits are an upper bound on what its grid probabilities would give;
* a bound for genlab's latent-variable families: the VAEs' importance-weighted bound and
  ``Diffusion``'s variational bound (DDPM's, with a decoder discretized on the pixel grid; its
  sum over the 1000 steps is estimated from 100 strata, one step drawn in each with a fixed
  seed), both upper bounds on bits.

``quick=True`` trains a tiny network for a few epochs and shrinks the searches: rows are
well-formed but the numbers are not the benchmark.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from genlab.bench.baselines import sklearn_gmm_bic, sklearn_kde_cv
from genlab.bench.rows import Row, join_notes, training_note
from genlab.core.units import bits_per_dim
from genlab.data.datasets import Dataset, load_dataset
from genlab.nn.dequantize import dequantize, dequantized_log_prob

NAME = "digits-density"
N_LEVELS = 17
N_OFFSETS = 8  # dequantization offsets per test image for the continuous densities
BOUND_NOTE = f"bound: fitted to x + U(-1/2, 1/2), scored E_u log p(x + u) over {N_OFFSETS} offsets"
#: The benchmark setting of genlab's AutoregressiveModel (quick mode overrides it).
AUTOREGRESSIVE = {
    "hidden_sizes": (512, 512),
    "n_components": 5,
    "ema_decay": 0.998,
    "max_epochs": 600,
    "patience": 60,
    "max_time": 480.0,
}
N_ORDERS = 32
QUICK_DIFFUSION = {"width": 8, "timesteps": 50, "bound_steps": 10, "max_epochs": 2}
DIFFUSION_NOTE = (
    "bound: DDPM variational bound with the discretized decoder on the 0..16 grid, "
    "middle sum over {T} steps estimated from {steps} strata"
)
QUICK_AUTOREGRESSIVE = {"hidden_sizes": (32,), "max_epochs": 3}
QUICK_ORDERS = 2


def bits(log_prob: np.ndarray, n_dims: int = 64) -> tuple[float, str]:
    """Mean bits per dimension of per-image log-probabilities (nats), and ``±`` its stderr."""
    per_image = bits_per_dim(log_prob, n_dims)
    return float(per_image.mean()), f"±{per_image.std() / math.sqrt(len(per_image)):.3f}"


def _row(method: str, log_prob: np.ndarray, seconds: float, note: str, n_dims: int = 64) -> Row:
    value, stderr = bits(log_prob, n_dims)
    return Row(
        NAME,
        "density",
        "digits",
        method,
        "bits_per_dim",
        value,
        False,
        seconds,
        f"{stderr}; {note}",
    )


def autoregressive_rows(train: Dataset, test: Dataset, quick: bool) -> list[Row]:
    """One fit of genlab's AutoregressiveModel, scored with one order and with an ensemble."""
    import genlab

    settings = {**AUTOREGRESSIVE, **(QUICK_AUTOREGRESSIVE if quick else {})}
    n_orders = QUICK_ORDERS if quick else N_ORDERS
    start = time.perf_counter()
    model = genlab.AutoregressiveModel(**settings, progress=False, random_state=0).fit(train)
    fit_seconds = time.perf_counter() - start
    epochs = model.train_result_.epochs
    rows = []
    for k in (1, n_orders):
        start = time.perf_counter()
        per_order = model.log_prob_orders(test.X, orders=k)  # (N, k)
        log_prob = np.logaddexp.reduce(per_order, axis=1) - math.log(k)
        what = "raster order" if k == 1 else f"log mean over {k} orders (raster + random)"
        note = join_notes(
            f"exact, {what}; {epochs} epochs in {fit_seconds:.0f} s", training_note(model)
        )
        seconds = fit_seconds + time.perf_counter() - start
        rows.append(_row(f"genlab.AutoregressiveModel(n_orders={k})", log_prob, seconds, note))
    return rows


def sklearn_rows(Xtr: np.ndarray, Xte: np.ndarray, quick: bool) -> list[Row]:
    """scikit-learn's densities on dequantized pixels: ``E_u log p(x + u)``, a bound on bits."""
    fits: dict[str, Callable[[np.ndarray], Callable]] = {
        "sklearn.KernelDensity": lambda X: sklearn_kde_cv(X, n_bandwidths=6 if quick else 30),
        "sklearn.GaussianMixture": lambda X: sklearn_gmm_bic(X, max_components=2 if quick else 10),
    }
    columns = np.arange(Xtr.shape[1])
    Xtr_deq = dequantize(Xtr, columns, np.random.default_rng(0))  # the same noise as genlab's
    rows = []
    for method, fit in fits.items():
        start = time.perf_counter()
        estimator = fit(Xtr_deq)
        log_prob = dequantized_log_prob(estimator.score_samples, Xte, columns, N_OFFSETS)
        rows.append(_row(method, log_prob, time.perf_counter() - start, BOUND_NOTE))
    return rows


def genlab_other_rows(train: Dataset, test: Dataset, quick: bool) -> list[Row]:
    """genlab's other families on the integer images, each with the kind of number it gives:
    KDE, GMM and Flow dequantize (a bound), the VAEs give an importance-weighted bound."""
    import genlab

    tiny = {"max_epochs": 2} if quick else {}
    quick_diffusion = QUICK_DIFFUSION if quick else {}
    k = 20 if quick else 1000
    models = {
        "genlab.KDE": genlab.KDE(bandwidth="scott" if quick else "cv", n_dequantize=N_OFFSETS),
        "genlab.GaussianMixture": genlab.GaussianMixture(
            max_components=2 if quick else 10, n_dequantize=N_OFFSETS
        ),
        "genlab.Flow": genlab.Flow(
            base_components=1 if quick else None, max_time=240, progress=False, **tiny
        ),
        "genlab.VAE": genlab.VAE(n_importance=k, progress=False, **tiny),
        "genlab.HierarchicalVAE": genlab.HierarchicalVAE(n_importance=k, progress=False, **tiny),
        "genlab.Diffusion": genlab.Diffusion(progress=False, random_state=0, **quick_diffusion),
    }
    rows = []
    for method, model in models.items():
        start = time.perf_counter()
        log_prob = model.fit(train).log_prob(test.X)
        if isinstance(model, genlab.Diffusion):
            note = DIFFUSION_NOTE.format(steps=model.bound_steps, T=model.timesteps)
        elif "likelihood_bound" in model.capabilities:
            note = f"bound: importance-weighted (IWAE) with k={k}"
        else:  # the family says whether it dequantized
            note = BOUND_NOTE if model.likelihood_is_bound else "exact"
        note = join_notes(note, training_note(model))  # "" for KDE and GaussianMixture
        rows.append(_row(method, log_prob, time.perf_counter() - start, note))
    return rows


def independent_pixels_row(Xtr: np.ndarray, Xte: np.ndarray) -> Row:
    """Per-pixel 17-way frequencies with add-one smoothing: exact, every pixel on its own."""
    start = time.perf_counter()
    counts = np.stack(
        [np.bincount(col, minlength=N_LEVELS) for col in Xtr.T.astype(int)]
    )  # (64, 17)
    log_p = np.log((counts + 1) / (len(Xtr) + N_LEVELS))
    log_prob = log_p[np.arange(Xte.shape[1]), Xte.astype(int)].sum(axis=1)
    note = "exact, per-pixel frequencies with add-one smoothing"
    return _row("independent pixels", log_prob, time.perf_counter() - start, note, Xte.shape[1])


def run(*, quick: bool = False) -> list[Row]:
    """Every method on the same split; rows in bits per pixel (lower is better)."""
    train, test = load_dataset("digits").split()
    Xtr, Xte = train.flat(), test.flat()  # (1437, 64), (360, 64) integers 0..16 as floats
    rows = autoregressive_rows(train, test, quick)
    rows.append(independent_pixels_row(Xtr, Xte))
    rows += genlab_other_rows(train, test, quick)
    rows += sklearn_rows(Xtr, Xte, quick)
    return rows
