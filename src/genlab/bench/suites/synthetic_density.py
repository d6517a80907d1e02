"""Suite ``synthetic-density``: NLL on sets whose true density is known, and the gap to it.

The true density's NLL on the same test points is the floor no model beats in expectation;
``gap_nats`` is each model's NLL minus that floor (0 is perfect).
"""

from __future__ import annotations

import numpy as np

from genlab.bench.rows import Row
from genlab.bench.suites.tabular_density import nll_rows
from genlab.data.datasets import load_dataset

NAME = "synthetic-density"
DATASETS = ("eight_gaussians", "concentric_rings", "gmm10d")
N_TEST = 5000


def run(*, quick: bool = False) -> list[Row]:
    rows = []
    for name in DATASETS[:1] if quick else DATASETS:
        ds = load_dataset(name)
        Xtr = ds.X[:500] if quick else ds.X
        Xte = ds.density.sample(1000 if quick else N_TEST, random_state=1)
        floor = float(-np.mean(ds.density.true_log_prob(Xte)))
        rows.append(Row(NAME, "density", name, "true density", "nll_nats", floor, False))
        for row in nll_rows(NAME, name, Xtr, Xte):
            rows.append(row)
            rows.append(
                Row(
                    NAME,
                    "density",
                    name,
                    row.method,
                    "gap_nats",
                    row.value - floor,
                    False,
                    row.seconds,
                )
            )
    return rows
