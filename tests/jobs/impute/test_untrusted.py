"""A saved imputer folder is untrusted input: its ``imputer.json`` names member folders, and
genlab loads a member only from inside the imputer's own folder (symlinks followed).
Anything else — ``../``, an absolute path, a link out, a name that is not text, the folder
itself — is a ModelFileError, before any model outside is read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import genlab
from genlab.jobs.impute import Bootstrap, impute, load_imputer
from genlab.jobs.impute.stack import StackedImputer

X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 2.5], [3.0, 3.0], [4.0, 4.2], [5.0, 5.1]])


@pytest.fixture
def outside(tmp_path) -> Path:
    """A valid model folder outside the imputer's folder (what an edit would point at)."""
    return (
        genlab.GaussianMixture(n_components=1)
        .fit(X[~np.isnan(X).any(axis=1)])
        .save(tmp_path / "elsewhere" / "model")
    )


@pytest.fixture
def bag(tmp_path) -> Path:
    model = genlab.GaussianMixture(n_components=1)
    return Bootstrap(model, 2, random_state=0).fit(X).save(tmp_path / "imputers" / "bag")


@pytest.fixture
def stack(tmp_path) -> Path:
    models = {
        "one": genlab.GaussianMixture(n_components=1).fit(X),
        "kde": Bootstrap(genlab.GaussianMixture(n_components=1), 2, random_state=0).fit(X),
    }
    return StackedImputer(models, {"one": 1.0, "kde": 1.0}).save(tmp_path / "imputers" / "st")


def _edit(folder: Path, edit) -> None:
    file = folder / "imputer.json"
    config = json.loads(file.read_text())
    edit(config)
    file.write_text(json.dumps(config))


def _names(folder: Path, outside: Path) -> dict[str, object]:
    """Member names that leave ``folder``, one of each kind."""
    link = folder / "link"
    link.symlink_to(outside, target_is_directory=True)
    return {
        "parent": "../../elsewhere/model",
        "absolute": str(outside),
        "symlink out": "link",
        "itself": ".",
        "empty": "",
        "not text": 5,
        "dotdot inside name": "refit-000/../../../elsewhere/model",
    }


@pytest.mark.parametrize(
    "kind",
    ["parent", "absolute", "symlink out", "itself", "empty", "not text", "dotdot inside name"],
)
def test_a_bootstrap_member_outside_its_folder_is_refused(kind, bag, outside):
    name = _names(bag, outside)[kind]
    _edit(bag, lambda c: c["refits"].__setitem__(0, name))
    with pytest.raises(genlab.ModelFileError, match="outside"):
        load_imputer(bag)


@pytest.mark.parametrize(
    "kind",
    ["parent", "absolute", "symlink out", "itself", "empty", "not text", "dotdot inside name"],
)
def test_a_stack_member_outside_its_folder_is_refused(kind, stack, outside):
    name = _names(stack, outside)[kind]
    _edit(stack, lambda c: c["members"][0].__setitem__("folder", name))
    with pytest.raises(genlab.ModelFileError, match="outside"):
        load_imputer(stack)


def test_a_member_inside_a_nested_folder_of_its_own_still_loads(bag):
    (bag / "members").mkdir()
    (bag / "refit-000").rename(bag / "members" / "refit-000")
    _edit(bag, lambda c: c["refits"].__setitem__(0, "members/refit-000"))
    assert np.isfinite(impute(load_imputer(bag), X, method="mean")).all()


def test_unedited_imputers_load_and_impute_as_saved(bag, stack):
    for folder in (bag, stack):
        assert np.isfinite(impute(load_imputer(folder), X, method="mean")).all()


@pytest.mark.parametrize("weight", [math.nan, math.inf, -1.0])
def test_a_stack_weight_that_is_no_weight_is_refused(weight, stack):
    _edit(stack, lambda c: c["members"][0].__setitem__("weight", weight))
    with pytest.raises(genlab.ModelFileError, match="weights must be finite"):
        load_imputer(stack)
