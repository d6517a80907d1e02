"""Figures for the bench and the report: sample grids, interpolation strips, latent maps,
density contours and the calibration of multiple imputation.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot`` (so no
global state, no GUI backend: it draws with Agg) whose axes are labelled and whose title says
what it shows; :func:`save_figure` writes one to a PNG.

Example:
    >>> import numpy as np
    >>> fig = sample_grid_figure(np.zeros((6, 8, 8)), labels=[0, 0, 0, 1, 1, 1], title="demo")
    >>> fig.axes[0].get_title()
    'demo'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from genlab.core.errors import InputError
from genlab.report.grids import image_grid

_CMAP = "tab10"


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (PNG; folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def _grid_axes(fig: Figure, grid: np.ndarray, nrows: int, ncols: int, scale: int, pad: int):
    """One axes showing a tiled picture, with ticks at the centre of each tile."""
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(grid, interpolation="nearest")
    tile_h, tile_w = (grid.shape[0] // scale - pad) / nrows, (grid.shape[1] // scale - pad) / ncols
    ax.set_yticks([(pad + tile_h * (r + 0.5)) * scale for r in range(nrows)])
    ax.set_xticks([(pad + tile_w * (c + 0.5)) * scale for c in range(ncols)])
    return ax


def sample_grid_figure(
    images: np.ndarray,
    labels: Any = None,
    *,
    levels: tuple[float, float] = (0, 16),
    title: str = "Samples",
    per_row: int | None = None,
) -> Figure:
    """Images in a grid, one row per class when ``labels`` are given.

    Args:
        images: ``(N, H, W[, C])`` samples.
        labels: the class of each image (``N`` labels); rows are the sorted classes, each
            with up to ``per_row`` of its images (default: the largest class size).
        levels: the pixel value range (digits: 0..16).
        title: what the grid shows (family, conditioning, data).
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise InputError(f"images must be (N, H, W[, C]); got {images.shape}")
    scale, pad = 4, 1
    if labels is None:
        ncols = per_row or int(np.ceil(np.sqrt(len(images))))
        nrows, row_names, tiles = int(np.ceil(len(images) / ncols)), None, images
    else:
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != len(images):
            raise InputError(f"{len(labels)} labels for {len(images)} images")
        classes = np.unique(labels)
        ncols = per_row or max(int((labels == c).sum()) for c in classes)
        blank = np.full((ncols, *images.shape[1:]), float(levels[0]))  # pads short rows
        rows = []
        for c in classes:
            row = images[labels == c][:ncols]
            rows.append(np.concatenate([row, blank[len(row) :]]))
        tiles, nrows, row_names = np.concatenate(rows), len(classes), [str(c) for c in classes]
    grid = image_grid(tiles, levels=levels, ncols=ncols, scale=scale, pad=pad)
    fig = Figure(figsize=(max(3.0, 0.45 * ncols + 1), max(2.0, 0.45 * nrows + 0.8)))
    ax = _grid_axes(fig, grid, nrows, ncols, scale, pad)
    ax.set_xticklabels([str(i + 1) for i in range(ncols)], fontsize=6)
    ax.set_xlabel("sample")
    if row_names is None:
        ax.set_yticklabels([str(r + 1) for r in range(nrows)], fontsize=6)
        ax.set_ylabel("row")
    else:
        ax.set_yticklabels(row_names, fontsize=7)
        ax.set_ylabel("class (condition)")
    ax.set_title(title)
    return fig


def interpolation_figure(
    strips: np.ndarray,
    *,
    levels: tuple[float, float] = (0, 16),
    title: str = "Latent interpolation",
    row_names: list[str] | None = None,
) -> Figure:
    """Interpolation strips: ``(steps, H, W)`` for one, ``(R, steps, H, W)`` for ``R`` rows.

    The x axis is the fraction ``t`` of the way from the first example to the second.
    """
    strips = np.asarray(strips, dtype=np.float64)
    if strips.ndim == 3:
        strips = strips[None]
    if strips.ndim != 4 or strips.shape[1] < 2:
        raise InputError(f"strips must be (steps, H, W) or (R, steps, H, W); got {strips.shape}")
    nrows, steps = strips.shape[:2]
    scale, pad = 4, 1
    grid = image_grid(strips.reshape(-1, *strips.shape[2:]), levels=levels, ncols=steps)
    fig = Figure(figsize=(max(3.0, 0.5 * steps + 1), max(1.6, 0.5 * nrows + 0.9)))
    ax = _grid_axes(fig, grid, nrows, steps, scale, pad)
    ax.set_xticklabels([f"{t:.2g}" for t in np.linspace(0, 1, steps)], fontsize=6)
    ax.set_xlabel("t (0 = first example, 1 = second)")
    ax.set_yticklabels(row_names or [str(r + 1) for r in range(nrows)], fontsize=7)
    ax.set_ylabel("pair")
    ax.set_title(title)
    return fig


def latent_map_figure(
    Z: np.ndarray,
    labels: Any = None,
    *,
    title: str = "Latent space",
    axis_labels: tuple[str, str] = ("z1", "z2"),
) -> Figure:
    """Scatter of 2-D codes ``Z (N, 2)`` coloured by class (wider codes: their first two
    principal components, and the axis labels say so)."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] < 2 or len(Z) == 0:
        raise InputError(f"Z must be (N, d) with d >= 2; got {Z.shape}")
    if Z.shape[1] > 2:
        centred = Z - Z.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        Z, axis_labels = centred @ vt[:2].T, ("PC1 of z", "PC2 of z")
    fig = Figure(figsize=(5.2, 4.4))
    ax = fig.add_subplot(1, 1, 1)
    if labels is None:
        ax.scatter(Z[:, 0], Z[:, 1], s=6, alpha=0.7)
    else:
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != len(Z):
            raise InputError(f"{len(labels)} labels for {len(Z)} codes")
        classes = np.unique(labels)
        colors = {c: i % 10 for i, c in enumerate(classes)}
        palette = matplotlib.colormaps[_CMAP]
        for c in classes:
            pts = Z[labels == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=6, alpha=0.7, color=palette(colors[c]), label=c)
        ax.legend(title="class", fontsize=6, markerscale=2, loc="best", ncols=2)
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.set_title(title)
    return fig


def density_contours_figure(
    model: Any,
    dataset: Any,
    *,
    n_samples: int = 500,
    grid_size: int = 120,
    title: str | None = None,
    random_state: int = 0,
) -> Figure:
    """Contours of a fitted 2-D model's log-density with its samples overlaid, beside the true
    density of the synthetic set (when the dataset carries one) with the training points.

    Args:
        model: a fitted genlab model of 2-D data (needs ``log_prob`` and ``sample``).
        dataset: the :class:`~genlab.data.datasets.Dataset` it was fitted to; its ``density``
            (synthetic sets) adds the true-density panel.
        n_samples: model samples drawn over the contours.
        grid_size: grid points per axis for the contours.
        title: figure title (default: the model's class and the dataset's name).
    """
    X = np.asarray(dataset.flat(), dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise InputError(f"density contours need 2-D data; {dataset.name} has shape {X.shape}")
    lo, hi = X.min(0), X.max(0)
    margin = 0.15 * (hi - lo)
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], grid_size)
    ys = np.linspace(lo[1] - margin[1], hi[1] + margin[1], grid_size)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])  # (G*G, 2)
    density = getattr(dataset, "density", None)
    panels = [("model log-density and samples", model.log_prob(points))]
    if density is not None:
        panels.append(("true log-density and training data", density.true_log_prob(points)))
    fig = Figure(figsize=(5.4 * len(panels), 4.4), layout="constrained")
    samples = np.asarray(model.sample(n_samples, random_state=random_state), dtype=np.float64)
    floor = None
    for i, (name, log_p) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), i + 1)
        log_p = np.asarray(log_p).reshape(gx.shape)
        if floor is None:  # one colour scale for both panels: the model's top 12 nats
            floor = float(np.max(log_p)) - 12.0
        filled = ax.contourf(gx, gy, np.maximum(log_p, floor), levels=14, cmap="viridis")
        fig.colorbar(filled, ax=ax, label="log p(x) (nats)")
        pts = samples if i == 0 else X[:n_samples]
        ax.scatter(pts[:, 0], pts[:, 1], s=3, color="white", alpha=0.6, edgecolors="none")
        names = dataset.schema.names
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.set_title(name, fontsize=9)
    fig.suptitle(title or f"{type(model).__name__} on {dataset.name}")
    return fig


def imputation_calibration_figure(
    nominal: np.ndarray, coverage: Any, *, title: str = "Calibration of multiple imputation"
) -> Figure:
    """Empirical coverage of imputation intervals against their nominal level.

    Args:
        nominal: nominal levels in (0, 1), e.g. ``[0.5, 0.8, 0.9, 0.95]``.
        coverage: ``{method: coverages}`` (one per nominal level) or one array of coverages.
            A calibrated method lies on the diagonal.
    """
    nominal = np.asarray(nominal, dtype=np.float64)
    series = coverage if isinstance(coverage, dict) else {"coverage": coverage}
    fig = Figure(figsize=(4.6, 4.4))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="calibrated")
    for name, values in series.items():
        values = np.asarray(values, dtype=np.float64)
        if values.shape != nominal.shape:
            raise InputError(f"{name}: {values.shape} coverages for {nominal.shape} levels")
        ax.plot(nominal, values, marker="o", label=str(name))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("nominal interval level")
    ax.set_ylabel("share of true values inside the interval")
    ax.legend(fontsize=7)
    ax.set_title(title)
    return fig
