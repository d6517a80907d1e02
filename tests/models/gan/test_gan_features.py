"""Tests of the GAN's feature layout and of its networks' outputs."""

from __future__ import annotations

import numpy as np
import torch

import genlab
from genlab.data.schema import infer_schema
from genlab.models.gan.features import feature_layout, to_features, to_rows
from genlab.models.gan.networks import GANPair


def test_tables_standardize_numbers_and_one_hot_categories():
    mixed = genlab.load_dataset("mixed_table").X
    schema = infer_schema(mixed)
    A = schema.encode(mixed)
    layout = feature_layout(schema, A)
    F = to_features(A, layout)
    n_numeric = len(layout["numeric"])
    assert F.shape == (len(A), layout["n_features"]) and not layout["bounded"]
    assert np.allclose(F[:, :n_numeric].mean(0), 0, atol=1e-5)
    assert np.allclose(F[:, :n_numeric].std(0, unbiased=False), 1, atol=1e-4)
    assert torch.equal(F[:, n_numeric:].sum(1), torch.full((len(A),), len(layout["categorical"])))
    back = schema.decode(to_rows(F, layout))
    exact = ["age", "owner", "segment"]  # grids and categories come back exactly
    assert back[exact].equals(mixed[exact])
    assert np.allclose(back["income"], mixed["income"], atol=1e-4)  # float32 features


def test_images_live_on_minus_one_to_one():
    digits = genlab.load_dataset("digits").subset(np.arange(50))
    A = digits.schema.encode(digits.X)
    layout = feature_layout(digits.schema, A)
    F = to_features(A, layout)
    assert layout["bounded"] and F.min() >= -1 and F.max() <= 1
    assert np.array_equal(digits.schema.decode(to_rows(F, layout)), digits.X)


def test_generated_categories_are_relaxed_one_hots_and_decode_by_argmax():
    layout = {
        "numeric": [0],
        "center": [0.0],
        "scale": [1.0],
        "categorical": [1],
        "n_categories": [3],
        "bounded": False,
        "n_features": 4,
    }
    config = {"architecture": "mlp", "latent_dim": 2, "hidden": 8, "depth": 1}
    pair = GANPair(config | {"n_classes": 0, "gumbel_tau": 0.2, "layout": layout})
    out = pair("g", torch.randn(5, 2), None)
    assert out.shape == (5, 4) and torch.allclose(out[:, 1:].sum(1), torch.ones(5))
    raw = pair.raw(torch.randn(5, 2), None)
    rows = to_rows(pair.activate(raw, relax=False), layout)
    assert np.array_equal(rows[:, 1], raw[:, 1:].argmax(1).numpy())
