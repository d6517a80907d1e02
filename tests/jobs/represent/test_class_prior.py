"""``latent_prior="class"``: each class gets its own prior mean, so training moves the codes
by class; the classes separate in ``z`` much more than in an unsupervised VAE's codes."""

from __future__ import annotations

import numpy as np
import pytest

import genlab
from genlab.jobs.represent import encode

SETTINGS = {"latent_dim": 2, "hidden": 32, "max_epochs": 15, "progress": False}


def _fisher_ratio(Z: np.ndarray, y: np.ndarray) -> float:
    """Between-class over within-class variance of the codes (1 if classes do not separate)."""
    means = np.stack([Z[y == c].mean(0) for c in np.unique(y)])
    within = np.mean([Z[y == c].var(0).sum() for c in np.unique(y)])
    return float(means.var(0).sum() / within)


@pytest.fixture(scope="module")
def digits():
    ds = genlab.load_dataset("digits")
    # all ten classes: some pairs (0/1/6/7) separate without labels, the ten together do not
    # (ratio ~0.3 unsupervised, ~4 with the class prior)
    return ds.subset(np.arange(500))


def test_class_prior_separates_the_codes_by_class(digits):
    y = np.asarray(digits.y)
    supervised = genlab.VAE(latent_prior="class", **SETTINGS).fit(digits, y)
    plain = genlab.VAE(**SETTINGS).fit(digits)  # the same VAE without labels: N(0, I)
    Z_class, Z_plain = encode(supervised, digits.X), encode(plain, digits.X)
    assert Z_class.shape == Z_plain.shape == (len(y), 2)
    ratio_class, ratio_plain = _fisher_ratio(Z_class, y), _fisher_ratio(Z_plain, y)
    assert ratio_class > 3 * ratio_plain, (ratio_class, ratio_plain)
    # codes nearer their own class mean than another's: far above chance (0.1; ~0.6 observed)
    means = np.stack([Z_class[y == c].mean(0) for c in np.unique(y)])
    nearest = np.unique(y)[np.argmin(((Z_class[:, None] - means[None]) ** 2).sum(-1), axis=1)]
    assert (nearest == y).mean() > 0.4
