"""genlab.GaussianMixture options beyond the shared contract (tests/models/test_contract.py)."""

from __future__ import annotations

import numpy as np
import pytest

import genlab


def test_factor_covariances_survive_save_and_load(tmp_path):
    X = genlab.load_dataset("digits").flat()[:300].astype(np.float64)
    m = genlab.GaussianMixture(n_components=3, n_factors=4).fit(X)
    assert all(p.n_factors == 4 for p in m.params_)
    vals = np.linalg.eigvalsh(m.params_[0].covariances)  # (3, 64) ascending
    assert np.allclose(vals[:, :60], vals[:, :1], rtol=1e-6)  # 60 equal: W Wᵀ + σ² I, q = 4
    m.save(tmp_path / "m")
    same = genlab.load_model(tmp_path / "m")
    assert same.get_params()["n_factors"] == 4 and same.params_[0].n_factors == 4
    assert np.array_equal(same.log_prob(X[:20]), m.log_prob(X[:20]))


def test_bad_n_factors_is_an_input_error():
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(genlab.InputError, match="n_factors"):
        genlab.GaussianMixture(n_components=1, n_factors=0).fit(X)
    with pytest.raises(genlab.InputError, match="full covariances"):
        genlab.GaussianMixture(n_components=1, n_factors=1, covariance_type="diag").fit(X)


@pytest.mark.filterwarnings("ignore:Number of distinct clusters")  # k-means init, few rows
@pytest.mark.parametrize("n_rows", [2, 3, 4, 7])
def test_choosing_the_number_of_components_works_on_a_few_rows(n_rows):
    X = np.arange(2.0 * n_rows).reshape(n_rows, 2)
    holes = X.copy()
    holes[0, 1] = holes[1:, 0] = np.nan  # column 0 observed once: most CV folds cannot fit
    for data in (X, holes):
        for selection in ("cv", "bic"):
            model = genlab.GaussianMixture(selection=selection, random_state=0).fit(data)
            assert np.isfinite(model.log_prob(data)).all()


def test_sampling_never_draws_a_category_of_probability_zero():
    X = genlab.load_dataset("mixed_table").X
    m = genlab.GaussianMixture(n_components=2, random_state=0).fit(X)
    j = list(m.n_categories_).index(3)  # the segment column, 3 categories
    for p in m.params_:  # all mass on category 0: which label it is
        p.cat_probs[j] = np.tile([1.0, 0.0, 0.0], (p.n_components, 1))
    label = m.sample(5, random_state=0)["segment"].unique()
    assert len(label) == 1
    for p in m.params_:  # then category 0 gets probability zero
        p.cat_probs[j] = np.tile([0.0, 0.3, 0.7], (p.n_components, 1))
    drawn = m.sample(3000, random_state=1)["segment"]
    assert label[0] not in set(drawn) and drawn.nunique() == 2
