"""The GAN's view of the data: encoded rows <-> the feature vectors its networks exchange.

Both networks work on one flat feature vector per row, numeric columns first, then one
one-hot block per categorical column:

=====================  ============================================  ==========================
column                 feature (what the discriminator sees)         back to the encoded scale
=====================  ============================================  ==========================
integer, in an image   ``(x - centre) / half_width`` on ``[-1, 1]``   ``* half + centre``, then
                       (the grid ``lo..hi``); generator output tanh   the schema rounds to grid
numeric, in a table    standardized with the training mean and std   ``* std + mean`` (integer
                       (a linear generator output)                   columns rounded by schema)
categorical            one-hot ``(C,)``; the generator emits logits  ``argmax`` of the logits
                       relaxed by a Gumbel-softmax during training
=====================  ============================================  ==========================

The layout is a JSON-able dict (part of the network's config), so a loaded model rebuilds it.

Example:
    >>> import numpy as np
    >>> from genlab.data.schema import infer_schema
    >>> A = np.array([[0.0, 1.0], [4.0, 0.0], [2.0, 1.0]])
    >>> layout = feature_layout(infer_schema(A), A)
    >>> layout["n_features"], layout["bounded"]
    (2, False)
    >>> bool(np.abs(to_rows(to_features(A, layout), layout) - A).max() < 1e-5)  # float32
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.data.schema import Schema
from genlab.models.neural import standard_scale


def feature_layout(schema: Schema, A: np.ndarray) -> dict[str, Any]:
    """The layout of ``schema``'s columns as features (see module docstring).

    Args:
        schema: the fitted schema.
        A: the encoded training rows ``(N, D)`` (tables take their means and stds from it).

    Returns:
        ``{"numeric", "center", "scale", "categorical", "n_categories", "bounded",
        "n_features"}``: numeric column positions with their centres and scales, categorical
        positions with their sizes, whether the numeric features live on ``[-1, 1]`` (images),
        and the feature count.
    """
    image = schema.container == "image"
    numeric, center, scale, categorical, sizes = [], [], [], [], []
    for j, col in enumerate(schema.columns):
        if col.kind == "categorical":
            categorical.append(j)
            sizes.append(int(col.n_categories))
            continue
        numeric.append(j)
        if image:  # the grid lo..hi onto [-1, 1]
            lo, hi = (float(v) for v in col.levels)
            c, s = (lo + hi) / 2, max((hi - lo) / 2, 0.5)
        else:
            c = float(np.mean(A[:, j]))
            s = standard_scale(float(np.std(A[:, j])), c)
        center.append(c)
        scale.append(s)
    return {
        "numeric": numeric,
        "center": center,
        "scale": scale,
        "categorical": categorical,
        "n_categories": sizes,
        "bounded": image,
        "n_features": len(numeric) + sum(sizes),
    }


def to_features(A: np.ndarray, layout: dict[str, Any]) -> torch.Tensor:
    """Encoded rows ``A (N, D)`` as features ``(N, F)`` float32 (scaling done in float64)."""
    numeric = np.asarray(layout["numeric"], dtype=np.int64)
    scaled = (A[:, numeric] - np.asarray(layout["center"])) / np.asarray(layout["scale"])
    blocks = [scaled]
    for j, size in zip(layout["categorical"], layout["n_categories"], strict=True):
        blocks.append(np.eye(size)[A[:, j].astype(np.int64)])  # (N, C) one-hot
    return torch.as_tensor(np.concatenate(blocks, axis=1), dtype=torch.float32)


def to_rows(out: torch.Tensor, layout: dict[str, Any]) -> np.ndarray:
    """Generator outputs ``(N, F)`` (activated numeric features, categorical logits or
    one-hots) back to encoded rows ``(N, D)`` float64: numeric features unscaled, each
    categorical block's argmax as its code."""
    out = out.detach().double().cpu().numpy()
    n_numeric = len(layout["numeric"])
    D = n_numeric + len(layout["categorical"])
    A = np.empty((len(out), D))
    A[:, layout["numeric"]] = out[:, :n_numeric] * np.asarray(layout["scale"]) + np.asarray(
        layout["center"]
    )
    start = n_numeric
    for j, size in zip(layout["categorical"], layout["n_categories"], strict=True):
        A[:, j] = out[:, start : start + size].argmax(axis=1)
        start += size
    return A
