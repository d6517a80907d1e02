"""Suite ``digits-represent``: what a latent code says about a digit, and how well it rebuilds it.

Split of DESIGN.md (1437 training, 360 test digits, 8x8 on the 0..16 grid). Each method maps
the images to ``d`` numbers, ``d = 2`` (dataset ``digits-z2``) and ``d = 8`` (``digits-z8``):

* ``probe_accuracy``: a logistic regression fitted on the standardized training codes, its
  accuracy on the test codes (how linearly the classes separate);
* ``knn_probe_accuracy``: a 5-nearest-neighbour classifier, same protocol (how the classes
  cluster; what a 2-D latent map shows);
* ``recon_rmse``: RMSE of the test images decoded from their codes, in pixel levels.

Methods: PCA with the same number of dimensions (the linear baseline a user would pick) and
genlab's VAE in two settings of :data:`VAE_SETTINGS`, each stated in its rows' note as the
``genlab fit`` command that reproduces it:

* ``genlab.VAE``: unsupervised, labels are used by the probes only;
* ``genlab.VAE(latent_prior=class)``: fitted with the training labels, which only move the
  prior mean of each class (``p(z | c) = N(mu_c, I)``); the encoder never sees a label, so
  test codes are computed from the images alone. A supervised representation: compare it with
  PCA knowing that it used the labels the probes are scored on (training labels only).

With ``out``, figures go to ``out/figures/``: the 2-D latent maps (VAE and PCA) coloured by
class, and interpolation strips between test digits of different classes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from genlab.bench.rows import Row, join_notes, training_note
from genlab.data.datasets import Dataset, load_dataset
from genlab.metrics.probes import knn_probe_accuracy, probe_accuracy, recon_rmse

NAME = "digits-represent"
CLASS_PRIOR = "genlab.VAE(latent_prior=class)"
#: (method, latent dimension) -> genlab's VAE settings for the benchmark, chosen on a
#: validation split cut from the training split (never on the test split).
VAE_SETTINGS: dict[tuple[str, int], dict] = {
    ("genlab.VAE", 2): {"latent_dim": 2, "patience": 80, "max_time": 240.0},
    ("genlab.VAE", 8): {
        "latent_dim": 8,
        "architecture": "conv",
        "patience": 60,
        "max_time": 240.0,
    },
    (CLASS_PRIOR, 2): {
        "latent_dim": 2,
        "latent_prior": "class",
        "beta": 8.0,
        "patience": 80,
        "max_time": 240.0,
    },
    (CLASS_PRIOR, 8): {
        "latent_dim": 8,
        "architecture": "conv",
        "latent_prior": "class",
        "beta": 2.0,
        "patience": 60,
        "max_time": 300.0,
    },
}
QUICK = {"hidden": 32, "max_epochs": 2}
N_STRIPS, STEPS = 4, 9


def _arg(value: Any) -> str:
    """A value as ``--set`` parses it (JSON; strings bare)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _set_args(settings: dict) -> str:
    """The settings as ``genlab fit`` arguments (``--set key=value`` each)."""
    return " ".join(f"--set {k}={_arg(v)}" for k, v in settings.items())


def _rows(dataset: str, method: str, scores: dict[str, float], seconds: float, note: str):
    better = {"probe_accuracy": True, "knn_probe_accuracy": True, "recon_rmse": False}
    return [
        Row(NAME, "represent", dataset, method, metric, value, better[metric], seconds, note)
        for metric, value in scores.items()
    ]


def _scores(Ztr, Zte, train: Dataset, test: Dataset, reconstruction) -> dict[str, float]:
    return {
        "probe_accuracy": probe_accuracy(Ztr, train.y, Zte, test.y),
        "knn_probe_accuracy": knn_probe_accuracy(Ztr, train.y, Zte, test.y),
        "recon_rmse": recon_rmse(test.X, np.asarray(reconstruction).reshape(test.X.shape)),
    }


def pca_rows(d: int, train: Dataset, test: Dataset) -> tuple[list[Row], np.ndarray]:
    """PCA with ``d`` components fitted on the training pixels; reconstruction = the
    projection back to pixel space (not rounded)."""
    from sklearn.decomposition import PCA

    start = time.perf_counter()
    pca = PCA(n_components=d, random_state=0).fit(train.flat())
    Ztr, Zte = pca.transform(train.flat()), pca.transform(test.flat())
    scores = _scores(Ztr, Zte, train, test, pca.inverse_transform(Zte))
    note = f"sklearn PCA(n_components={d}) on the 64 pixels"
    return _rows(
        f"digits-z{d}", f"sklearn.PCA({d})", scores, time.perf_counter() - start, note
    ), Zte


def vae_rows(method: str, d: int, train: Dataset, test: Dataset, quick: bool):
    """genlab's VAE with :data:`VAE_SETTINGS`; codes are posterior means (of the images alone),
    reconstructions the decoder's means on the integer grid."""
    import genlab

    settings = {**VAE_SETTINGS[method, d], **(QUICK if quick else {})}
    supervised = settings.get("latent_prior") == "class"
    start = time.perf_counter()
    vae = genlab.VAE(**settings, progress=False, random_state=0)
    vae.fit(train, train.y if supervised else None)
    Ztr, Zte = vae.encode(train.X), vae.encode(test.X)
    scores = _scores(Ztr, Zte, train, test, vae.decode(Zte))
    labels = " --label-column label" if supervised else ""
    note = (
        f"genlab fit vae digits{labels} {_set_args(settings)}; "
        f"{vae.train_result_.epochs} epochs; codes = posterior means"
        + ("; training labels move the class prior means only" if supervised else "")
    )
    note = join_notes(note, training_note(vae))
    rows = _rows(f"digits-z{d}", method, scores, time.perf_counter() - start, note)
    return rows, vae, Zte


def _figures(out: Path, test: Dataset, maps: dict[str, np.ndarray], vae_z8) -> None:
    from genlab.jobs.represent import interpolate
    from genlab.report.figures import interpolation_figure, latent_map_figure, save_figure

    figures = out / "figures"
    for name, Z in maps.items():
        title = f"{name}: 2-D codes of the 360 test digits"
        fig = latent_map_figure(Z, test.y, title=title)
        slug = name.replace("genlab.", "").replace("sklearn.", "").replace("latent_prior=", "")
        slug = "".join(ch if ch.isalnum() else "_" for ch in slug).strip("_")
        save_figure(fig, figures / f"latent_map_{slug}.png")
    # pairs of test digits of different classes: (0, 1), (2, 3), ...
    firsts = [int(np.flatnonzero(test.y == c)[0]) for c in range(2 * N_STRIPS)]
    strips, names = [], []
    for k in range(N_STRIPS):
        i, j = firsts[2 * k], firsts[2 * k + 1]
        strips.append(interpolate(vae_z8, test.X[i], test.X[j], steps=STEPS, method="slerp"))
        names.append(f"{test.y[i]} → {test.y[j]}")
    fig = interpolation_figure(
        np.stack(strips),
        title="genlab.VAE (z8): slerp interpolation between test digits",
        row_names=names,
    )
    save_figure(fig, figures / "interpolation_vae_z8.png")


def run(*, quick: bool = False, out: str | Path | None = None) -> list[Row]:
    """PCA and genlab's VAE at d = 2 and d = 8; figures to ``out/figures`` when given."""
    train, test = load_dataset("digits").split()
    rows: list[Row] = []
    maps: dict[str, np.ndarray] = {}
    vae_z8 = None
    for d in (2, 8):
        pca, Z_pca = pca_rows(d, train, test)
        rows += pca
        if d == 2:
            maps["sklearn.PCA(2)"] = Z_pca
        for method in ("genlab.VAE", CLASS_PRIOR):
            vae, model, Z_vae = vae_rows(method, d, train, test, quick)
            rows += vae
            if d == 2:
                maps[method] = Z_vae
            elif method == "genlab.VAE":
                vae_z8 = model
    if out is not None:
        _figures(Path(out), test, maps, vae_z8)
    return rows
