"""Outputs of every family and job on small data with fixed seeds, to compare two commits.

A refactor that must change no result is checked by running this at both commits and comparing
the arrays bit for bit (``np.array_equal``; compressed files byte for byte):

    git worktree add /tmp/old <commit>
    (cd /tmp/old && PYTHONPATH=src python /path/to/tools/golden_outputs.py run /tmp/old.npz)
    PYTHONPATH=src python tools/golden_outputs.py run /tmp/new.npz
    python tools/golden_outputs.py compare /tmp/old.npz /tmp/new.npz

It uses the public API only, so the same file runs at both commits. About a minute on 2 cores.
"""

import sys

import numpy as np

import genlab
from genlab.data import masks

FAST = {"max_epochs": 2, "progress": False, "random_state": 0}


def run(path: str) -> None:
    """Fit, score, sample, impute, encode and compress; save every output to ``path``."""
    train, test = genlab.load_dataset("digits").split()
    train, test_X = train.subset(np.arange(300)), test.X[:40]
    out: dict[str, np.ndarray] = {}
    models = _families(train, test_X, out)
    _tables(out)
    _jobs(train, test_X, models, out)
    np.savez(path, **out)
    print("wrote", len(out), "arrays")


def _families(train: genlab.Dataset, test_X: np.ndarray, out: dict) -> dict:
    """Every family on 300 digits: log p, samples, inpainting, codes, compressed bytes."""
    models = {
        "kde": genlab.KDE(bandwidth=0.8),
        "gmm": genlab.GaussianMixture(n_components=3, random_state=0),
        "ar": genlab.AutoregressiveModel(hidden_sizes=(32,), n_orders=2, **FAST),
        "flow": genlab.Flow(**FAST),
        "vae": genlab.VAE(latent_dim=4, hidden=32, **FAST),
        "hvae": genlab.HierarchicalVAE(latent_dim=4, lower_latent_dim=8, hidden=32, **FAST),
    }
    hole = masks.apply_mask(test_X[:8], masks.bottom_half(test_X[:8].shape))
    for name, m in models.items():
        m.fit(train.X, train.y if name in ("kde", "gmm", "ar") else None)
        out[f"{name}/lp"] = m.log_prob(test_X)
        out[f"{name}/sample"] = np.asarray(m.sample(5, random_state=1), dtype=float)
        if "impute" in m.capabilities:
            out[f"{name}/impute"] = np.asarray(m.impute(hole, random_state=2), dtype=float)
        if "latent" in m.capabilities and name != "gmm":
            out[f"{name}/z"] = m.encode(test_X[:8])
        print(name, "ok", flush=True)
    unconditional = genlab.AutoregressiveModel(hidden_sizes=(32,), n_orders=2, **FAST)
    coders = {"ar_u": unconditional.fit(train.X), "vae": models["vae"], "hvae": models["hvae"]}
    for name, m in coders.items():
        blob = genlab.compress(m, test_X[:10])
        out[f"{name}/glz"] = np.frombuffer(blob, dtype=np.uint8)
        assert np.array_equal(genlab.decompress(blob, m), test_X[:10])
    return models


def _tables(out: dict) -> None:
    """Tables with holes and mixed column types, and Auto."""
    wine = genlab.load_dataset("wine").X.iloc[:, :5]
    holes = masks.apply_mask(wine, masks.mcar(wine.shape, 0.2, random_state=0))
    for name, m, data in [
        ("gmm_t", genlab.GaussianMixture(n_components=2, random_state=0), holes),
        ("ar_t", genlab.AutoregressiveModel(hidden_sizes=(16,), **FAST), wine),
    ]:
        m.fit(data)
        out[f"{name}/lp"] = m.log_prob(wine.iloc[:20])
        out[f"{name}/impute"] = m.impute(holes, random_state=3).to_numpy(dtype=float)
    mixed = genlab.load_dataset("mixed_table").X.iloc[:200]
    gm = genlab.GaussianMixture(n_components=2, random_state=0).fit(mixed)
    out["mixed/lp"] = gm.log_prob(mixed)
    drawn = gm.sample(20, random_state=0).to_numpy().ravel()
    out["mixed/sample"] = np.array([str(v) for v in drawn]).astype("U")
    out["auto/lp"] = genlab.Auto(random_state=0, max_time=10).fit(wine).log_prob(wine.iloc[:20])


def _jobs(train: genlab.Dataset, test_X: np.ndarray, models: dict, out: dict) -> None:
    """Anomaly scores, a generative classifier's probabilities, a model comparison."""
    wine = genlab.load_dataset("wine").X.iloc[:, :5]
    gmm = genlab.GaussianMixture(n_components=2, random_state=0)
    out["anomaly/scores"] = genlab.AnomalyDetector(gmm).fit(wine).score_samples(wine)
    flat_train, flat_test = train.X.reshape(len(train.X), -1), test_X.reshape(len(test_X), -1)
    clf = genlab.GenerativeClassifier("kde", bandwidth=1.0).fit(flat_train, train.y)
    out["classify/proba"] = clf.predict_proba(flat_test)
    table = genlab.compare({"kde": models["kde"], "gmm": models["gmm"]}, test_X)
    out["compare"] = np.asarray(table.select_dtypes("number").to_numpy(), dtype=float)


def compare(old: str, new: str) -> int:
    """Print the arrays that differ; return how many (0: identical outputs)."""
    a, b = np.load(old), np.load(new)
    bad = 0
    for k in a.files:
        if k not in b.files:
            print("MISSING", k)
            bad += 1
            continue
        x, y = a[k], b[k]
        text = x.dtype.kind in "OUS"
        same = x.shape == y.shape and (
            np.array_equal(x, y) if text else np.array_equal(x, y, equal_nan=True)
        )
        if not same:
            bad += 1
            print("DIFF", k)
    print("checked", len(a.files), "differ", bad)
    return bad


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"] and len(sys.argv) == 3:
        run(sys.argv[2])
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    else:
        sys.exit(__doc__)
