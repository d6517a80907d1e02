"""The contract every family honours, run through the shared interface.

Adding a family adds one line to ``FAST``: the hyperparameters that make it quick on small data.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import genlab
from genlab.data import masks

#: family -> (hyperparameters for small fast tests, a hyperparameter grid for GridSearchCV)
FAST = {
    "kde": ({"bandwidth": "scott"}, {"bandwidth": [0.3, 1.0]}),
    "gmm": ({"max_components": 3}, {"n_components": [1, 2]}),
    "autoregressive": (
        {"hidden_sizes": (64,), "max_epochs": 30, "batch_size": 64, "lr": 5e-3, "progress": False},
        {"n_components": [1, 2]},
    ),
    "auto": ({"candidates": ["kde", "gmm"], "max_time": 30}, {"val_fraction": [0.2, 0.3]}),
    "flow": (
        {
            "kind": "maf",
            "transforms": 1,
            "hidden_features": 16,
            "base_components": 1,
            "max_epochs": 10,
            "n_particles": 64,
            "progress": False,
        },
        {"noise_std": [0.0, 0.1]},
    ),
    "vae": (
        {"latent_dim": 2, "hidden": 64, "max_epochs": 40, "n_importance": 20, "progress": False},
        {"latent_dim": [1, 2]},
    ),
    "hvae": (
        {
            "latent_dim": 2,
            "lower_latent_dim": 4,
            "hidden": 64,
            "max_epochs": 40,
            "n_importance": 20,
            "progress": False,
        },
        {"latent_dim": [1, 2]},
    ),
    "gan": (
        {
            "latent_dim": 4,
            "hidden": 32,
            "conv_width": 8,
            "lr": 2e-3,
            "max_epochs": 10,
            "progress": False,
        },
        {"latent_dim": [2, 4]},
    ),
    "diffusion": (
        {
            "width": 16,
            "hidden": 64,
            "depth": 2,
            "emb_dim": 32,
            "timesteps": 100,
            "steps": 10,
            "bound_steps": 10,
            "max_epochs": 30,
            "batch_size": 64,
            "lr": 5e-3,
            "progress": False,
        },
        {"hidden": [16, 32]},
    ),
}
#: Families of rows (tables, images); text families (``modality = "text"``) take lists of
#: texts, not arrays, and have their own contract tests (tests/models/sequence/).
FAMILIES = sorted(f for f, cls in genlab.FAMILIES.items() if cls.modality != "text")


def test_every_family_is_covered():
    assert set(FAST) == set(FAMILIES)


def make(family: str, **extra) -> genlab.GenerativeModel:
    return genlab.FAMILIES[family](**{**FAST[family][0], **extra})


def has_likelihood(m: genlab.GenerativeModel) -> bool:
    """A family without one (a GAN) must refuse log_prob and friends with CapabilityError."""
    return bool(m.capabilities & {"exact_likelihood", "likelihood_bound"})


@pytest.fixture(scope="module")
def iris():
    return genlab.load_dataset("iris")


@pytest.fixture(scope="module")
def digits():
    ds = genlab.load_dataset("digits")
    return ds.subset(np.arange(300))


@pytest.fixture(scope="module")
def mixed():
    return genlab.load_dataset("mixed_table")


# ======================================================================== samples
@pytest.mark.parametrize("family", FAMILIES)
def test_sample_keeps_array_type(family, iris):
    X = iris.flat()
    m = make(family).fit(X)
    S = m.sample(7, random_state=0)
    assert isinstance(S, np.ndarray) and S.shape == (7, 4) and S.dtype == np.float64
    assert np.isfinite(S).all()
    assert np.array_equal(S, m.sample(7, random_state=0))  # seeded


@pytest.mark.parametrize("family", FAMILIES)
def test_sample_keeps_dataframe_types(family, mixed):
    m = make(family).fit(mixed.X)
    S = m.sample(50, random_state=1)
    assert list(S.columns) == list(mixed.X.columns)
    assert (S.dtypes == mixed.X.dtypes).all()
    assert list(S["segment"].cat.categories) == ["a", "b", "c"]
    assert S["owner"].isin([True, False]).all()
    assert S["age"].between(18, 80).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_images_come_back_as_images_on_the_grid(family, digits):
    m = make(family).fit(digits)
    S = m.sample(5, random_state=0)
    assert S.shape == (5, 8, 8) and np.issubdtype(S.dtype, np.integer)
    assert S.min() >= 0 and S.max() <= 16
    if not has_likelihood(m):
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.bits_per_dim(digits.X[:20])
        return
    assert m.likelihood_is_bound or not m._dequantizes()  # dequantized pixels: a bound, stated
    bpd = m.bits_per_dim(digits.X[:20])
    assert 0 < bpd < np.log2(17)


@pytest.mark.parametrize("family", FAMILIES)
def test_class_conditional_sampling(family, iris):
    m = make(family).fit(iris.flat(), iris.y)
    S = m.sample(30, condition=2, random_state=0)
    with pytest.raises(genlab.InputError, match="unknown label"):
        m.sample(3, condition=7)
    if not has_likelihood(m):
        return
    per_class = m.log_prob_per_class(S)
    assert (per_class.argmax(axis=1) == 2).mean() > 0.8
    marginal = m.log_prob(iris.flat()[:5])
    assert np.isfinite(marginal).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_condition_object_is_taken_as_a_label_is(family, iris):
    m = make(family).fit(iris.flat(), condition=genlab.Condition.labels(iris.y))
    by_label = m.sample(4, condition=1, random_state=0)
    by_object = m.sample(4, condition=genlab.Condition.labels([1]), random_state=0)
    assert np.array_equal(by_label, by_object)
    X = iris.flat()[:6]
    if has_likelihood(m):
        assert np.array_equal(m.log_prob(X, condition=iris.y[:6]), m.log_prob(X, iris.y[:6]))
    with pytest.raises(genlab.CapabilityError, match="text"):
        m.sample(2, condition=genlab.Condition.text("a wide petal"))


@pytest.mark.parametrize("family", [f for f in FAMILIES if f in ("vae", "hvae", "flow")])
@pytest.mark.parametrize("method", ["slerp", "lerp"])
def test_latent_families_interpolate_through_their_codes(family, method, iris):
    X = iris.flat()
    m = make(family).fit(X)
    path = m.interpolate(X[0], X[100], steps=5, method=method)
    assert path.shape == (5, 4) and np.isfinite(path).all()
    codes = m.encode(X[[0, 100]])
    from genlab.nn.interpolation import latent_path

    assert np.array_equal(path, m.decode(latent_path(codes[0], codes[1], 5, method)))


# ===================================================================== likelihood
@pytest.mark.parametrize("family", FAMILIES)
def test_log_prob_is_finite_and_marginalizes_missing(family, iris):
    X = iris.flat()
    m = make(family).fit(X)
    if not has_likelihood(m):
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.log_prob(X)
        return
    lp = m.log_prob(X)
    assert lp.shape == (len(X),) and np.isfinite(lp).all()
    holes = X[:10].copy()
    holes[:, 0] = np.nan
    try:
        marginal = m.log_prob(holes)
    except genlab.InputError as e:  # a family that cannot marginalize must say so clearly
        assert "missing" in str(e)
        return
    assert np.isfinite(marginal).all()
    if m.likelihood_is_bound:
        return
    # an exact marginal is the integral of the joint over the missing entry (quadrature check)
    grid = np.linspace(X[:, 0].min() - 3, X[:, 0].max() + 3, 4000)
    rows = np.repeat(X[:1], len(grid), axis=0)
    rows[:, 0] = grid
    # an any-order model's marginal is that of the order visiting the observed entries first
    if hasattr(m, "log_prob_orders"):
        joint = m.log_prob_orders(rows, [[1, 2, 3, 0]])[:, 0]
    else:
        joint = m.log_prob(rows)
    integral = logsumexp(joint) + np.log(grid[1] - grid[0])
    assert integral == pytest.approx(marginal[0], abs=1e-3)


# ========================================================================= impute
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["sample", "mean"])
def test_impute_keeps_observed_entries_bit_identical(family, method, iris):
    X = iris.flat()
    m = make(family).fit(X)
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.3, random_state=0))
    if "impute" not in m.capabilities:
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.impute(holes, method=method, random_state=0)
        return
    filled = m.impute(holes, method=method, random_state=0)
    observed = ~np.isnan(holes)
    assert not np.isnan(filled).any()
    assert np.array_equal(filled[observed], holes[observed])


@pytest.mark.parametrize("family", FAMILIES)
def test_multiple_imputation_on_mixed_table(family, mixed):
    m = make(family).fit(mixed.X)
    holes = masks.apply_mask(mixed.X.head(40), masks.mcar((40, 4), 0.3, random_state=0))
    if "impute" not in m.capabilities:
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.impute(holes, n_imputations=3, random_state=0)
        return
    draws = m.impute(holes, n_imputations=3, random_state=0)
    assert len(draws) == 3
    for d in draws:
        assert d.notna().all().all()
        assert list(d.columns) == list(holes.columns)
        assert d["segment"].isin(["a", "b", "c"]).all()
        for col in holes.columns:
            seen = holes[col].notna()
            assert (d.loc[seen, col].to_numpy() == holes.loc[seen, col].to_numpy()).all()
    assert not draws[0].equals(draws[1])  # independent draws, not averaged


@pytest.mark.parametrize("family", FAMILIES)
def test_image_inpainting(family, digits):
    m = make(family).fit(digits)
    holes = masks.apply_mask(digits.X[:4], masks.bottom_half(digits.X[:4].shape))
    if "impute" not in m.capabilities:
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.impute(holes, random_state=0)
        return
    filled = m.impute(holes, random_state=0)
    assert filled.shape == (4, 8, 8) and np.issubdtype(filled.dtype, np.integer)
    assert np.array_equal(filled[:, :4], digits.X[:4, :4])


# =================================================================== compression
@pytest.mark.parametrize("family", FAMILIES)
def test_compress_round_trip_is_exact_or_refused(family, digits, tmp_path):
    m = make(family).fit(digits)
    X = digits.X[:12]
    if "compress" not in m.capabilities:
        with pytest.raises(genlab.CapabilityError, match="AutoregressiveModel"):
            genlab.compress(m, X)
        return
    blob = genlab.compress(m, X)
    assert np.array_equal(genlab.decompress(blob, m), X)
    assert len(blob) < X.size * np.log2(17) / 8  # below the uniform code over 17 levels
    m.save(tmp_path / "m")
    assert np.array_equal(genlab.decompress(blob, genlab.load_model(tmp_path / "m")), X)


# =================================================================== persistence
@pytest.mark.parametrize("family", FAMILIES)
def test_save_load_gives_identical_outputs(family, mixed, tmp_path):
    m = make(family).fit(mixed.X, mixed.y)
    m.save(tmp_path / "m")
    same = genlab.load_model(tmp_path / "m")
    assert type(same) is type(m) and same.get_params() == m.get_params()
    if has_likelihood(m):
        assert np.array_equal(same.log_prob(mixed.X), m.log_prob(mixed.X))
    assert same.sample(10, condition="b", random_state=3).equals(
        m.sample(10, condition="b", random_state=3)
    )
    config = json.loads((tmp_path / "m" / "model.json").read_text())
    assert config["genlab_version"] == genlab.__version__ and config["schema"]["columns"]


@pytest.mark.parametrize("family", FAMILIES)
def test_damaged_or_future_files_give_clear_errors(family, iris, tmp_path):
    make(family).fit(iris.flat()).save(tmp_path / "m")
    weights = tmp_path / "m" / "weights.safetensors"
    blob = bytearray(weights.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    weights.write_bytes(bytes(blob))
    with pytest.raises(genlab.ModelFileError, match="damaged"):
        genlab.load_model(tmp_path / "m")
    make(family).fit(iris.flat()).save(tmp_path / "n")
    config = json.loads((tmp_path / "n" / "model.json").read_text())
    config["format_version"] = 99
    (tmp_path / "n" / "model.json").write_text(json.dumps(config))
    with pytest.raises(genlab.ModelFileError, match="Upgrade genlab"):
        genlab.load_model(tmp_path / "n")
    (tmp_path / "n" / "model.json").write_text("{not json")
    with pytest.raises(genlab.ModelFileError):
        genlab.load_model(tmp_path / "n")
    with pytest.raises(genlab.ModelFileError):
        genlab.load_model(tmp_path / "missing")


#: Schema edits that a family's saved weights contradict; each is resealed with a new SHA-256.
SCHEMA_EDITS = {
    "drop the first column": lambda schema: schema["columns"].pop(0),
    "drop the last column": lambda schema: schema["columns"].pop(),
    "add a category": lambda schema: schema["columns"][3]["levels"].append("d"),
    "remove a category": lambda schema: schema["columns"][3]["levels"].pop(),
    "categorical made continuous": lambda schema: schema["columns"][3].update(
        kind="continuous", levels=[], dtype="float64"
    ),
}


@pytest.fixture(scope="module")
def saved_on_mixed(mixed, tmp_path_factory):
    """family -> the folder of a model fitted on the mixed table (fitted once per family)."""
    root, folders = tmp_path_factory.mktemp("saved"), {}

    def folder(family: str):
        if family not in folders:
            folders[family] = make(family).fit(mixed.X).save(root / family)
        return folders[family]

    return folder


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("edit", sorted(SCHEMA_EDITS))
def test_a_resealed_schema_the_weights_contradict_is_refused_at_load(
    family, edit, saved_on_mixed, tmp_path
):
    folder = tmp_path / "m"
    shutil.copytree(saved_on_mixed(family), folder)
    config = json.loads((folder / "model.json").read_text())
    assert [c["name"] for c in config["schema"]["columns"]][3] == "segment"
    SCHEMA_EDITS[edit](config["schema"])
    canonical = json.dumps(config["schema"], sort_keys=True).encode()
    config["schema_sha256"] = hashlib.sha256(canonical).hexdigest()  # as a careful editor
    (folder / "model.json").write_text(json.dumps(config))
    with pytest.raises(genlab.ModelFileError, match=r"model\.json: the schema does not match"):
        genlab.load_model(folder)


# ======================================================================= sklearn
@pytest.mark.parametrize("family", FAMILIES)
def test_sklearn_clone_pipeline_and_grid_search(family, iris):
    m = make(family)
    assert clone(m).get_params() == m.get_params()
    pipe = Pipeline([("scale", StandardScaler()), ("density", m)])
    if not has_likelihood(m):  # no score to search by: the pipeline fits, scoring is refused
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            pipe.fit(iris.flat()).score(iris.flat())
        return
    grid = {f"density__{k}": v for k, v in FAST[family][1].items()}
    search = GridSearchCV(pipe, grid, cv=3).fit(iris.flat())
    assert np.isfinite(search.best_score_)
    assert np.isfinite(search.score(iris.flat()))


# ===================================================================== bad input
@pytest.mark.parametrize("family", FAMILIES)
def test_bad_input_gives_genlab_errors(family, iris, mixed):
    X = iris.flat()
    with pytest.raises(genlab.InputError, match="empty"):
        make(family).fit(np.empty((0, 3)))
    with pytest.raises(genlab.InputError, match="entirely missing"):
        make(family).fit(np.column_stack([X, np.full(len(X), np.nan)]))
    m = make(family).fit(X)
    with pytest.raises(genlab.NotFittedError):
        make(family).sample(3)
    with pytest.raises(genlab.InputError, match="fitted without labels"):
        m.sample(2, condition=1)
    if not has_likelihood(m):
        with pytest.raises(genlab.CapabilityError, match="families that can"):
            m.log_prob(X)
        return
    assert m.log_prob(X[:0]).shape == (0,)  # no rows is not an error: nothing to score
    with pytest.raises(genlab.InputError, match="4 columns"):
        m.log_prob(X[:, :3])
    with pytest.raises(genlab.InputError, match="non-number"):
        m.log_prob(np.array([["1", "2", "x", "4"]], dtype=object))
    with pytest.raises(genlab.InputError, match="infinite"):
        m.log_prob(np.array([[1, 2, np.inf, 4]]))
    if "latent" not in m.capabilities:
        with pytest.raises(genlab.CapabilityError, match="latent"):
            m.encode(X)
    t = make(family).fit(mixed.X)
    unseen = mixed.X.head(3).copy()
    unseen["segment"] = pd.Categorical(["a", "zzz", "b"])
    with pytest.raises(genlab.InputError, match=r"'segment', row 1 .* never saw"):
        t.log_prob(unseen)
    text = mixed.X.head(3).astype({"income": object})
    text.loc[2, "income"] = "lots"
    with pytest.raises(genlab.InputError, match="'income', row 2"):
        t.log_prob(text)
