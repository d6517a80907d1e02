"""Imputation task: Rubin's rules by hand, calibrated intervals, masks, types, long tables."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone

import genlab
from genlab import cli
from genlab.data import masks
from genlab.jobs.impute import from_long, impute, intervals, pool, to_long
from genlab.jobs.impute.stack import StackedImputer

RHO = 0.8  # correlation of the Gaussian test table


def gaussian_table(n: int, d: int = 3, seed: int = 0) -> np.ndarray:
    """``n`` rows of a standard Gaussian whose columns all correlate ``RHO``."""
    cov = np.full((d, d), RHO) + (1 - RHO) * np.eye(d)
    return np.random.default_rng(seed).multivariate_normal(np.zeros(d), cov, size=n)


@pytest.fixture(scope="module")
def gaussian_case():
    """A 2-column Gaussian, 30% of column 1 missing, a one-component mixture fitted by EM."""
    X = gaussian_table(2000, d=2)
    mask = np.zeros(X.shape, bool)
    mask[:, 1] = masks.mcar((len(X),), 0.3, random_state=1)
    holes = masks.apply_mask(X, mask)
    model = genlab.GaussianMixture(n_components=1).fit(holes)
    return X, mask, holes, model


# ======================================================================= pooling
def test_pool_matches_rubins_rules_by_hand():
    q, u = [10.0, 12.0, 11.0, 13.0], [1.0, 2.0, 1.5, 1.5]
    p = pool(q, u, level=0.9)
    # by hand: Q = 11.5, U = 1.5, B = (2.25 + .25 + .25 + 2.25) / 3, T = U + (1 + 1/4) B
    b = 5 / 3
    t = 1.5 + 1.25 * b
    lam = 1.25 * b / t
    assert p.estimate == 11.5 and p.within_variance == 1.5
    assert p.between_variance == pytest.approx(b) and p.total_variance == pytest.approx(t)
    assert p.df == pytest.approx(3 / lam**2)  # (M - 1)(1 + 1/r)^2, r = lam / (1 - lam)
    assert p.relative_increase == pytest.approx(1.25 * b / 1.5)
    half = stats.t.ppf(0.95, 3 / lam**2) * np.sqrt(t)
    assert p.ci == pytest.approx((11.5 - half, 11.5 + half))
    # Barnard & Rubin (1999) with 20 complete-data degrees of freedom
    df_obs = 21 / 23 * 20 * (1 - lam)
    df_old = 3 / lam**2
    br = pool(q, u, complete_df=20)
    assert br.df == pytest.approx(df_old * df_obs / (df_old + df_obs)) and br.df < 20


def test_pool_vectors_equal_pooling_each_entry():
    rng = np.random.default_rng(0)
    q, u = rng.normal(size=(5, 3)), rng.uniform(0.1, 1, size=(5, 3))
    vector = pool(q, u, complete_df=30)
    for j in range(3):
        one = pool(q[:, j], u[:, j], complete_df=30)
        assert vector.estimate[j] == pytest.approx(one.estimate)
        assert vector.df[j] == pytest.approx(one.df)
        assert vector.ci[1][j] == pytest.approx(one.ci[1])


def test_pool_when_imputations_agree():
    p = pool([2.0, 2.0, 2.0], [0.25, 0.25, 0.25])
    assert p.between_variance == 0 and np.isinf(p.df) and p.std_error == 0.5
    assert p.ci == pytest.approx((2 - 1.959964 * 0.5, 2 + 1.959964 * 0.5))
    assert pool([2.0, 2.0], [0.25, 0.25], complete_df=9).df == pytest.approx(10 / 12 * 9)


@pytest.mark.parametrize(
    "q, u, kwargs",
    [
        ([1.0], [1.0], {}),  # one imputation has no between variance
        ([1.0, 2.0], [1.0], {}),
        ([1.0, 2.0], [1.0, -1.0], {}),
        ([1.0, np.nan], [1.0, 1.0], {}),
        ([1.0, 2.0], [1.0, 1.0], {"level": 1.5}),
        ([1.0, 2.0], [1.0, 1.0], {"complete_df": 0}),
    ],
)
def test_pool_rejects_bad_input(q, u, kwargs):
    with pytest.raises(genlab.InputError):
        pool(q, u, **kwargs)


# ================================================================ intervals
def test_intervals_cover_the_truth_on_a_gaussian(gaussian_case):
    X, mask, holes, model = gaussian_case
    draws = impute(model, holes, n_imputations=60, random_state=0)
    box = intervals(draws, level=0.9)
    assert 0.87 <= box.coverage(X, mask) <= 0.93
    # the exact 90% interval of x1 | x0 has width 2 * 1.645 * sqrt(1 - RHO^2)
    exact = 2 * stats.norm.ppf(0.95) * np.sqrt(1 - RHO**2)
    assert box.width[mask].mean() == pytest.approx(exact, rel=0.08)
    assert (box.width[~mask] == 0).all() and box.contains(X)[~mask].all()
    assert box.n_imputations == 60 and box.level == 0.9


def test_multiple_imputation_pools_to_an_honest_interval(gaussian_case):
    X, _, holes, model = gaussian_case
    draws = impute(model, holes, n_imputations=20, random_state=1)
    stats_ = [(d[:, 1].mean(), d[:, 1].var(ddof=1) / len(d)) for d in draws]
    pooled = pool(*zip(*stats_, strict=True), complete_df=len(X) - 1)
    low, high = pooled.ci
    assert low < X[:, 1].mean() < high
    assert pooled.between_variance > 0 and 0 < pooled.missing_information < 0.5
    # mean imputation shrinks the column's variance; draws keep it
    assert impute("mean", holes)[:, 1].var() < 0.85 * X[:, 1].var()
    assert draws[0][:, 1].var() == pytest.approx(X[:, 1].var(), rel=0.1)


def test_conditional_mean_beats_mean_imputation(gaussian_case):
    X, mask, holes, model = gaussian_case
    error = {
        how: np.sqrt(np.mean((filled[mask] - X[mask]) ** 2))
        for how, filled in {
            "model": impute(model, holes, method="mean"),
            "column mean": impute("mean", holes),
        }.items()
    }
    assert error["model"] == pytest.approx(np.sqrt(1 - RHO**2), rel=0.1)
    assert error["model"] < 0.7 * error["column mean"]


@pytest.mark.filterwarnings("ignore:EM did not converge")  # a few refits stop at max_iter
def test_bootstrap_refits_widen_small_sample_intervals():
    plug_in, boot = [], []
    for seed in range(4):  # 40 rows, 6 columns: the fitted covariance is uncertain
        X = gaussian_table(40, d=6, seed=seed)
        mask = masks.mcar(X.shape, 0.3, random_state=seed)
        holes = masks.apply_mask(X, mask)
        gaussian = genlab.GaussianMixture(n_components=1)
        one_fit = impute(clone(gaussian).fit(holes), holes, 40, random_state=0)
        draws = impute(gaussian, holes, 40, random_state=0, bootstrap=8)
        assert all(d[~mask].tobytes() == X[~mask].tobytes() for d in draws)
        plug_in.append(intervals(one_fit).coverage(X, mask))
        boot.append(intervals(draws).coverage(X, mask))
    # draws also carry the spread of the refitted parameters (Amelia II's bootstrap EM); over
    # 20 such seeds the 90% intervals cover 0.85 of the holes (one fit's: 0.79), 4 vary by 0.02
    assert np.mean(boot) > np.mean(plug_in) + 0.03 and np.mean(boot) > 0.83
    bagged = impute(gaussian, holes, method="mean", random_state=0, bootstrap=4)
    assert bagged[~mask].tobytes() == X[~mask].tobytes() and np.isfinite(bagged).all()
    with pytest.raises(genlab.InputError, match="unconditional"):
        impute(gaussian, holes, bootstrap=2, condition="a")


# ========================================================== masks and types
@pytest.mark.parametrize("mechanism", ["mar", "mnar"])
def test_mar_and_mnar_masks(mechanism):
    X = gaussian_table(1500)
    mask = getattr(masks, mechanism)(X, 0.3, random_state=0)
    holes = masks.apply_mask(X, mask)
    seen = ~mask.all(axis=1)  # EM needs an observed entry per row; imputing does not
    model = genlab.GaussianMixture(n_components=1).fit(holes[seen])
    filled = impute(model, holes, method="mean")
    draws = impute(model, holes, n_imputations=3, random_state=0)
    for completed in [filled, *draws]:
        assert completed[~mask].tobytes() == X[~mask].tobytes()  # bit-identical
        assert np.isfinite(completed).all()
    bias = {
        "model": np.mean([d[mask].mean() for d in draws]) - X[mask].mean(),
        "column mean": impute("mean", holes)[mask].mean() - X[mask].mean(),
    }
    if mechanism == "mar":  # ignorable: the model's imputations are unbiased
        assert abs(bias["model"]) < 0.1 < abs(bias["column mean"])
    else:  # high values go missing: no imputation from the observed data undoes that,
        assert bias["model"] < -0.3 and bias["column mean"] < -0.3  # but correlations help
        assert abs(bias["model"]) < 0.8 * abs(bias["column mean"])


def test_mixed_table_imputes_valid_categories_and_keeps_types():
    df = genlab.load_dataset("mixed_table").X
    mask = masks.mcar(df.shape, 0.2, random_state=0)
    holes = masks.apply_mask(df, mask)
    holes["age"] = holes["age"].astype("Int64")  # an integer column with holes stays integer
    model = genlab.GaussianMixture(n_components=3).fit(holes)
    for completed in [
        impute(model, holes, method="mean"),
        *impute(model, holes, n_imputations=2, random_state=0),
        impute(model, holes, method="mean", random_state=0, bootstrap=2),
        impute("mean", holes),
    ]:
        assert list(completed.columns) == list(df.columns) and completed.notna().all().all()
        assert completed.dtypes.tolist() == holes.dtypes.tolist()
        segment = completed["segment"]
        assert segment.dtype == df["segment"].dtype  # same categories, same order
        assert set(segment) <= {"a", "b", "c"}
        assert set(completed["owner"]) <= {True, False}
        age = completed["age"].to_numpy(dtype=float)
        assert (age == np.round(age)).all() and age.min() >= 18 and age.max() <= 80
        for j, name in enumerate(df.columns):
            kept = ~mask[:, j]
            assert (completed[name][kept].to_numpy() == df[name][kept].to_numpy()).all()
    box = intervals(impute(model, holes, n_imputations=20, random_state=0))
    assert box.columns == list(df.columns)
    assert np.isnan(box.lower[:, 3]).all() and not np.isnan(box.lower[:, 0]).any()
    assert 0.7 < box.coverage(df, mask) <= 1.0  # numeric holes only


def test_observed_entries_are_bit_identical_in_images():
    train, test = genlab.load_dataset("digits").split()
    model = genlab.KDE().fit(train.subset(np.arange(300)))
    images = test.X[:20].astype(np.float64)  # (20, 8, 8)
    mask = masks.box(images.shape, size=4, random_state=0)
    holes = masks.apply_mask(images, mask)
    by_model = [
        impute(model, holes, method="mean"),
        *impute(model, holes, n_imputations=2, random_state=0),
    ]
    for completed in [*by_model, impute("mean", holes)]:
        assert completed.shape == images.shape  # values of the model's int type, or floats
        assert np.array_equal(completed[~mask], images[~mask])
    for completed in by_model[1:]:  # draws: the model knows the pixels' 0..16 grid
        assert set(np.unique(completed[mask])) <= set(range(17))
    mean = by_model[0][mask]  # a conditional mean lies between grid points, inside its range
    assert mean.dtype == np.float64 and (mean >= 0).all() and (mean <= 16).all()
    assert not np.array_equal(mean, np.round(mean))


def test_mean_of_integer_columns_stays_off_the_grid_only_where_floats_fit():
    rng = np.random.default_rng(0)
    counts = rng.poisson(5.0, size=(300, 2)) + rng.poisson(3.0, size=(300, 1))  # correlated
    model = genlab.GaussianMixture(n_components=1).fit(counts)
    holes = counts[:20].astype(np.float64)
    holes[::2, 1] = np.nan
    mean = impute(model, holes, method="mean")[::2, 1]
    assert not np.array_equal(mean, np.round(mean))  # the squared-error optimum, not rounded
    frame = pd.DataFrame({"a": counts[:20, 0], "b": pd.array(holes[:, 1]).astype("Int64")})
    model = genlab.GaussianMixture(n_components=1).fit(pd.DataFrame(counts, columns=["a", "b"]))
    filled = impute(model, frame, method="mean")
    assert filled["b"].dtype == "Int64" and filled["b"].notna().all()  # the user's type wins
    floats = frame.astype({"b": "float64"})
    off_grid = impute(model, floats, method="mean")["b"].to_numpy()[::2]
    assert not np.array_equal(off_grid, np.round(off_grid))
    assert filled["a"].equals(frame["a"]) and off_grid.min() >= counts[:, 1].min()


def test_bootstrap_refits_on_training_rows_fill_new_rows():
    train, test = genlab.load_dataset("digits").split()
    images = test.X[:10].astype(np.float64)
    mask = masks.bottom_half(images.shape)
    holes = masks.apply_mask(images, mask)
    template = genlab.GaussianMixture(n_components=2, prior=0.1)
    bagged = impute(
        template,
        holes,
        method="mean",
        bootstrap=3,
        fit_data=train.subset(np.arange(400)),
        random_state=0,
    )
    assert np.array_equal(bagged[~mask], images[~mask]) and np.isfinite(bagged).all()
    one = clone(template).fit(train.subset(np.arange(400)))
    assert not np.array_equal(bagged, impute(one, holes, method="mean"))  # refits, averaged
    draws = impute(template, holes, 4, bootstrap=2, fit_data=train.X[:400], random_state=0)
    assert len(draws) == 4 and all(np.isfinite(d).all() for d in draws)
    with pytest.raises(genlab.InputError, match="give bootstrap=B"):
        impute(one, holes, fit_data=train)
    with pytest.raises(genlab.InputError, match="at least one row"):
        impute(template, holes, method="mean", bootstrap=2, fit_data=train.X[:0])


def test_mean_imputation_uses_column_means_and_modes():
    df = pd.DataFrame(
        {"x": [1.0, None, 4.0, 7.0], "c": pd.Categorical(["u", "v", None, "v"]), "n": [1, 2, 3, 4]}
    )
    filled = impute("mean", df)
    assert filled["x"].tolist() == [1.0, 4.0, 4.0, 7.0] and filled["c"].tolist()[2] == "v"
    assert filled["n"].dtype == df["n"].dtype and filled["c"].dtype == df["c"].dtype
    assert impute("mean", df.dropna()).equals(df.dropna())


def test_bad_requests_raise_input_error(gaussian_case):
    holes = gaussian_case[2]
    with pytest.raises(genlab.InputError, match="'mean'"):
        impute("median", holes)
    with pytest.raises(genlab.InputError, match="one completed dataset"):
        impute("mean", holes, n_imputations=3)
    with pytest.raises(genlab.InputError, match="fitted genlab model"):
        impute(object(), holes)
    with pytest.raises(genlab.InputError, match="entirely missing"):
        impute("mean", np.array([[1.0, np.nan], [2.0, np.nan]]))
    with pytest.raises(genlab.InputError, match="at least 2"):
        intervals([holes])
    with pytest.raises(genlab.InputError, match="level"):
        intervals([holes, holes], level=90)


def test_top_level_name_is_the_task():
    assert genlab.impute is impute


# =============================================================== long tables
def test_long_table_round_trip_through_csv(tmp_path, gaussian_case):
    _, _, holes, model = gaussian_case
    draws = impute(model, holes[:50], n_imputations=3, random_state=0)
    long = to_long(draws, columns=["a", "b"])
    assert long.shape == (150, 3) and long["imputation"].tolist() == [0] * 50 + [1] * 50 + [2] * 50
    long.to_csv(tmp_path / "long.csv", index=False)
    back = from_long(pd.read_csv(tmp_path / "long.csv"))
    assert len(back) == 3
    for frame, draw in zip(back, draws, strict=True):
        assert frame.to_numpy().tobytes() == draw.tobytes()  # CSV keeps every float bit
    with pytest.raises(genlab.InputError):
        from_long(long.drop(columns="imputation"))
    with pytest.raises(genlab.InputError, match="different numbers"):
        from_long(long.iloc[:-1])


def test_cli_long_table_feeds_intervals(tmp_path):
    df = genlab.load_dataset("wine").X.iloc[:, :4]
    mask = masks.mcar(df.shape, 0.2, random_state=0)
    masks.apply_mask(df, mask).to_csv(tmp_path / "holes.csv", index=False)
    df.to_csv(tmp_path / "full.csv", index=False)
    assert (
        cli_run(
            "fit",
            "gmm",
            tmp_path / "full.csv",
            "-o",
            tmp_path / "m",
            "-q",
            "--set",
            "n_components=1",
        )
        == 0
    )
    out = tmp_path / "filled.csv"
    code = cli_run("impute", tmp_path / "m", tmp_path / "holes.csv", "-o", out, "--multiple", "4")
    assert code == 0
    draws = from_long(pd.read_csv(out))
    assert len(draws) == 4 and all(list(d.columns) == list(df.columns) for d in draws)
    kept = df.to_numpy()[~mask]
    assert all(np.array_equal(d.to_numpy()[~mask], kept) for d in draws)
    box = intervals(pd.read_csv(out), level=0.5)  # a long table is accepted as it is
    assert (box.width[mask] > 0).all() and (box.width[~mask] == 0).all()


def cli_run(*args: object) -> int:
    argv, sys.argv = sys.argv, ["genlab", *map(str, args)]
    try:
        cli.main()
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        sys.argv = argv
    return 0


def test_bootstrap_refits_summarize_their_warnings():
    import warnings

    X = genlab.load_dataset("wine").X.to_numpy()[:, :4]
    holes = X.copy()
    holes[::4, 1] = np.nan
    model = genlab.GaussianMixture(n_components=2, max_iter=1)  # every refit stops early
    for n_jobs in (None, 2):  # warnings of refits in other processes come back too
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            impute(model, holes, method="mean", bootstrap=5, random_state=0, n_jobs=n_jobs)
        messages = [str(w.message) for w in caught]
        assert len(messages) == 1 and "did not converge" in messages[0]
        assert "5x over 5 bootstrap refits" in messages[0]


@pytest.mark.filterwarnings("ignore:EM did not converge")
def test_parallel_refits_give_the_same_imputations():
    X = genlab.load_dataset("wine").X.iloc[:60, :4]
    holes = masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))
    model = genlab.GaussianMixture(n_components=2)
    for method, m in (("mean", 1), ("sample", 3)):
        one = impute(model, holes, m, method=method, bootstrap=3, random_state=0)
        two = impute(model, holes, m, method=method, bootstrap=3, random_state=0, n_jobs=2)
        for a, b in zip([one] if m == 1 else one, [two] if m == 1 else two, strict=True):
            pd.testing.assert_frame_equal(a, b)
    stack = StackedImputer(
        {"one": genlab.GaussianMixture(n_components=1), "two": model}, {"one": 0.5, "two": 0.5}
    )
    one = impute(stack, holes, method="mean", bootstrap=2, random_state=0)
    two = impute(stack, holes, method="mean", bootstrap=2, random_state=0, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_any_object_with_a_models_impute_is_an_imputer():
    class Zeros:
        def impute(self, X, n_imputations=1, *, method, condition, random_state):
            filled = np.nan_to_num(np.asarray(X, dtype=float))
            return filled if n_imputations == 1 else [filled] * n_imputations

    holes = np.array([[1.0, np.nan], [np.nan, 2.0]])
    assert impute(Zeros(), holes).tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert len(impute(Zeros(), holes, 3)) == 3
    with pytest.raises(genlab.InputError, match="unconditional"):
        impute(Zeros(), holes, bootstrap=2, condition=1)  # bagged like a model
    with pytest.raises(genlab.InputError, match="fit_data"):
        impute(Zeros(), holes, fit_data=holes)
