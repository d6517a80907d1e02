"""Bootstrap ensembles: one set of refits for means and draws, saved and loaded, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import genlab
from genlab.data import masks
from genlab.jobs.impute import impute, load_imputer
from genlab.jobs.impute.bootstrap import Bootstrap
from genlab.jobs.impute.select import select_imputer
from genlab.jobs.impute.stack import StackedImputer


@pytest.fixture(scope="module")
def holes() -> pd.DataFrame:
    X = genlab.load_dataset("wine").X.iloc[:90, :4]
    return masks.apply_mask(X, masks.mcar(X.shape, 0.2, random_state=0))


def test_one_set_of_refits_gives_the_mean_and_the_draws(holes):
    bag = Bootstrap(genlab.GaussianMixture(n_components=2), 3, random_state=0).fit(holes)
    assert len(bag.models_) == 3 and bag.schema_.names == list(holes.columns)
    mean = impute(bag, holes, method="mean")
    by_hand = np.mean([impute(c, holes, method="mean").to_numpy() for c in bag.models_], axis=0)
    np.testing.assert_allclose(mean.to_numpy(), by_hand)  # the copies' means, averaged
    observed = holes.notna().to_numpy()
    assert mean.to_numpy()[observed].tobytes() == holes.to_numpy()[observed].tobytes()
    draws = impute(bag, holes, 5, random_state=0)
    assert len(draws) == 5 and all(d.notna().all().all() for d in draws)
    assert not draws[0].equals(draws[1])  # copies 0 and 1 draw differently
    again = impute(bag, holes, 5, random_state=0)
    assert all(a.equals(b) for a, b in zip(draws, again, strict=True))  # no refit, same draws
    assert impute(bag, holes, random_state=1).notna().all().all()  # one draw: a frame


@pytest.mark.filterwarnings("ignore:EM did not converge")
def test_fits_and_draws_do_not_depend_on_n_jobs(holes):
    model = genlab.GaussianMixture(n_components=2)
    one = Bootstrap(model, 3, random_state=0).fit(holes)
    two = Bootstrap(model, 3, random_state=0, n_jobs=2).fit(holes)
    pd.testing.assert_frame_equal(
        impute(one, holes, method="mean"), impute(two, holes, method="mean")
    )
    draws = impute(one, holes, 4, random_state=0), impute(two, holes, 4, random_state=0)
    for a, b in zip(*draws, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_stack_of_bootstraps_fits_once_and_saves(holes, tmp_path):
    candidates = {f"k{k}": genlab.GaussianMixture(n_components=k) for k in (1, 2)}
    choice = select_imputer(candidates, holes, stack=True, random_state=0, progress=False)
    stack = choice.stack(candidates, bootstrap=2, random_state=0).fit(holes)
    assert all(isinstance(m, Bootstrap) for m in stack.models.values())
    assert all(len(m.models_) == 2 for m in stack.models.values())
    same = load_imputer(stack.save(tmp_path / "stack"))
    # the kind a saved stack records (files written before the rename to StackedImputer)
    assert json.loads((tmp_path / "stack" / "imputer.json").read_text())["kind"] == "stack"
    assert isinstance(same, StackedImputer) and same.weights == pytest.approx(stack.weights)
    pd.testing.assert_frame_equal(
        impute(same, holes, method="mean"), impute(stack, holes, method="mean")
    )
    draws = impute(same, holes, 3, random_state=0), impute(stack, holes, 3, random_state=0)
    for a, b in zip(*draws, strict=True):
        pd.testing.assert_frame_equal(a, b)
    bag = load_imputer(stack.models[choice.name].save(tmp_path / "bag"))
    assert isinstance(bag, Bootstrap) and len(bag.models_) == 2
    assert isinstance(load_imputer(bag.models_[0].save(tmp_path / "one")), genlab.GaussianMixture)
    assert isinstance(clone(Bootstrap(candidates["k1"], 2)), Bootstrap)


def test_damaged_or_foreign_folders_say_so(holes, tmp_path):
    bag = Bootstrap(genlab.GaussianMixture(n_components=1), 2, random_state=0).fit(holes)
    folder = bag.save(tmp_path / "bag")
    config = json.loads((folder / "imputer.json").read_text())
    for change, match in (
        ({"format_version": 99}, "Upgrade genlab"),
        ({"kind": "forest"}, "unknown imputer kind"),
        ({"refits": []}, "no refits"),
    ):
        (folder / "imputer.json").write_text(json.dumps({**config, **change}))
        with pytest.raises(genlab.ModelFileError, match=match):
            load_imputer(folder)
    (folder / "imputer.json").write_text("{not json")
    with pytest.raises(genlab.ModelFileError, match="damaged"):
        load_imputer(folder)
    (folder / "imputer.json").write_text(json.dumps(config))
    (folder / "refit-001" / "weights.safetensors").unlink()
    with pytest.raises(genlab.ModelFileError):
        load_imputer(folder)
    with pytest.raises(genlab.ModelFileError, match="not a 'stack'"):
        StackedImputer.load(Bootstrap(genlab.GaussianMixture(), 1).fit(holes).save(tmp_path / "b2"))
    with pytest.raises(genlab.ModelFileError, match="not a saved genlab"):
        load_imputer(tmp_path / "nothing-here")


def test_bad_requests_raise_clear_errors(holes):
    template = genlab.GaussianMixture(n_components=1)
    with pytest.raises(genlab.NotFittedError, match="not fitted"):
        Bootstrap(template, 2).impute(holes)
    with pytest.raises(genlab.NotFittedError):
        Bootstrap(template, 2).save("never-written")
    for refits in (0, -1, 1.5, True):
        with pytest.raises(genlab.InputError, match="positive number of refits"):
            Bootstrap(template, refits).fit(holes)
    with pytest.raises(genlab.InputError, match="unconditional"):
        Bootstrap(template, 2).fit(holes, y=np.zeros(len(holes)))
    with pytest.raises(genlab.InputError, match="at least one row"):
        Bootstrap(template, 2).fit(holes.iloc[:0])
    with pytest.raises(genlab.InputError, match="genlab model"):
        Bootstrap("mean", 2).fit(holes)
    with pytest.raises(genlab.InputError, match="not the class"):
        Bootstrap(genlab.GaussianMixture, 2).fit(holes)
    with pytest.raises(genlab.InputError, match="candidate 'g' must be a model instance"):
        select_imputer({"g": genlab.GaussianMixture}, holes, progress=False)
    bag = Bootstrap(template, 2, random_state=0).fit(holes)
    with pytest.raises(genlab.InputError, match="already a bootstrap ensemble"):
        impute(bag, holes, bootstrap=2)
    with pytest.raises(genlab.InputError, match="unconditional"):
        impute(bag, holes, condition="a")
    with pytest.raises(genlab.InputError):
        impute(bag, holes, method="median")
    for n_jobs in (0, 1.5, "2"):
        with pytest.raises(genlab.InputError, match="n_jobs must be"):
            Bootstrap(template, 2, n_jobs=n_jobs).fit(holes)
        with pytest.raises(genlab.InputError, match="n_jobs must be"):
            select_imputer({"g": template}, holes, n_jobs=n_jobs, progress=False)
    # a resample that cannot be fitted (3 rows, a column observed once) names the resample
    tiny = pd.DataFrame({"a": [1.0, np.nan, np.nan], "b": [np.nan, 4.0, 6.0]})
    with pytest.raises(genlab.InputError, match="bootstrap resample of the 3 rows"):
        Bootstrap(template, 20, random_state=0).fit(tiny)


def test_warnings_of_parallel_scoring_are_said_once(holes):
    candidates = {f"k{k}": genlab.GaussianMixture(n_components=k, max_iter=1) for k in (2, 3)}
    for n_jobs in (None, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            select_imputer(candidates, holes, bootstrap=2, progress=False, n_jobs=n_jobs)
        messages = [str(w.message) for w in caught]
        assert len(messages) == 1 and "did not converge" in messages[0]
        assert "4x over 4 fits while scoring candidates" in messages[0]
        assert caught[0].filename == __file__  # the user's line, not joblib's or genlab's
