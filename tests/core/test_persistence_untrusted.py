"""A saved model folder is untrusted input: an edited ``model.json`` or weights file is refused
with ModelFileError at load (or, for an edit made consistent by hand, a GenlabError when used)
— never loaded into a model that scores NaN, and never a traceback. And the place a model
will be written is checked before the work (``check_writable_dir``).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from safetensors.numpy import load_file, save_file

import genlab
from genlab.core.persistence import check_writable_dir

_NEURAL = {"progress": False, "max_epochs": 2}
#: family -> small fast settings (every table family with saved weights)
TINY = {
    "kde": {},
    "gmm": {"max_components": 2},
    "autoregressive": {"hidden_sizes": (8,), **_NEURAL},
    "flow": {"kind": "maf", "transforms": 1, "hidden_features": 8, **_NEURAL},
    "vae": {"latent_dim": 1, "hidden": 8, "n_importance": 4, **_NEURAL},
    "diffusion": {
        "width": 8,
        "hidden": 16,
        "depth": 1,
        "emb_dim": 8,
        "timesteps": 20,
        "steps": 4,
        "bound_steps": 4,
        **_NEURAL,
    },
    "gan": {"latent_dim": 2, "hidden": 8, **_NEURAL},
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return genlab.load_dataset("mixed_table").X.iloc[:80].reset_index(drop=True)


@pytest.fixture(scope="module")
def saved(table, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("saved")
    return {f: genlab.FAMILIES[f](**kw).fit(table).save(root / f) for f, kw in TINY.items()}


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for name in ("model.json", "weights.safetensors"):
        (dst / name).write_bytes((src / name).read_bytes())
    return dst


def _edit_weights(folder: Path, edit) -> None:
    """Apply ``edit`` to the weight arrays and recompute the checksum, as a careful editor."""
    arrays = load_file(str(folder / "weights.safetensors"))
    edit(arrays)
    save_file(arrays, str(folder / "weights.safetensors"))
    config = json.loads((folder / "model.json").read_text())
    config["weights_sha256"] = hashlib.sha256(
        (folder / "weights.safetensors").read_bytes()
    ).hexdigest()
    (folder / "model.json").write_text(json.dumps(config))


def _edit_config(folder: Path, edit, *, reseal: bool = False) -> None:
    config = json.loads((folder / "model.json").read_text())
    edit(config)
    if reseal:  # an editor who also recomputes the schema's checksum
        canonical = json.dumps(config["schema"], sort_keys=True).encode()
        config["schema_sha256"] = hashlib.sha256(canonical).hexdigest()
    (folder / "model.json").write_text(json.dumps(config))


def _use(model, rows) -> None:
    model.sample(3, random_state=0)
    if model.capabilities & {"exact_likelihood", "likelihood_bound"}:
        model.log_prob(rows)


# ==================================================================== weights
@pytest.mark.parametrize("family", sorted(TINY))
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_at_load(family, value, saved, tmp_path):
    folder = _copy(saved[family], tmp_path / "m")

    def poison(arrays):
        name = next(k for k, v in sorted(arrays.items()) if v.dtype.kind == "f" and v.size)
        arrays[name] = arrays[name].copy()
        arrays[name].flat[0] = value

    _edit_weights(folder, poison)
    with pytest.raises(genlab.ModelFileError, match="NaN or infinite"):
        genlab.load_model(folder)


@pytest.mark.parametrize("value", ["Infinity", "NaN", "[1.0, -Infinity]"])
def test_non_finite_settings_are_refused_at_load(value, saved, tmp_path):
    folder = _copy(saved["kde"], tmp_path / "m")
    text = (folder / "model.json").read_text()
    default = f'"bandwidth": "{genlab.KDE().bandwidth}"'
    assert default in text
    text = text.replace(default, f'"bandwidth": {value}')
    (folder / "model.json").write_text(text)
    with pytest.raises(genlab.ModelFileError, match="'bandwidth' is not finite"):
        genlab.load_model(folder)


# ===================================================================== schema
def _columns(config):
    return config["schema"]["columns"]


EDITS = {
    "drop a column": lambda c: _columns(c).pop(),
    "continuous to categorical": lambda c: _columns(c)[0].update(kind="categorical"),
    "unknown kind": lambda c: _columns(c)[0].update(kind="ordinal"),
    "unknown dtype": lambda c: _columns(c)[0].update(dtype="float128x"),
    "no categories": lambda c: _columns(c)[-1].update(levels=[]),
    "one more category": lambda c: _columns(c)[-1].update(levels=[*_columns(c)[-1]["levels"], "z"]),
    "integer grid upside down": lambda c: _columns(c)[1].update(levels=[80, 18]),
    "unknown container": lambda c: c["schema"].update(container="spreadsheet"),
    "image shape": lambda c: c["schema"].update(container="image", image_shape=[3, 3]),
    "schema not an object": lambda c: c.update(schema=[1, 2]),
}


@pytest.mark.parametrize("family", sorted(TINY))
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_schema_is_refused_at_load(family, edit, saved, tmp_path):
    folder = _copy(saved[family], tmp_path / "m")
    _edit_config(folder, EDITS[edit])
    with pytest.raises(genlab.ModelFileError):
        genlab.load_model(folder)


@pytest.mark.parametrize("family", sorted(TINY))
@pytest.mark.parametrize("edit", sorted(set(EDITS) - {"schema not an object"}))
def test_a_resealed_schema_edit_never_gives_a_traceback(family, edit, saved, table, tmp_path):
    folder = _copy(saved[family], tmp_path / "m")
    _edit_config(folder, EDITS[edit], reseal=True)
    # ModelFileError at load, or InputError/CapabilityError naming what is wrong
    with contextlib.suppress(genlab.GenlabError):
        _use(genlab.load_model(folder), table.iloc[:3])


def test_an_unedited_model_still_loads_and_answers_the_same(saved, table):
    for folder in saved.values():
        model = genlab.load_model(folder)
        again = genlab.load_model(folder)
        assert model.sample(4, random_state=0).equals(again.sample(4, random_state=0))


# ================================================================ output folders
def test_a_new_folder_under_a_writable_one_is_accepted(tmp_path):
    target = tmp_path / "runs" / "model"
    assert check_writable_dir(target) == target
    assert not (tmp_path / "runs").exists()  # checking creates nothing
    assert list(tmp_path.iterdir()) == []


def test_a_folder_inside_a_file_is_refused(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n")
    with pytest.raises(genlab.InputError, match="inside a file"):
        check_writable_dir(tmp_path / "data.csv" / "model")
    with pytest.raises(genlab.InputError, match="is a file, not a folder"):
        check_writable_dir(tmp_path / "data.csv", "--out")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused_naming_the_option(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(genlab.InputError, match=r"checkpoint_dir .* cannot be written"):
            check_writable_dir(locked / "model", "checkpoint_dir")
    finally:
        locked.chmod(0o700)


def test_a_deep_copy_of_a_config_is_what_the_edits_change(saved):
    # the edits above act on the parsed JSON: make sure the file has the fields they touch
    config = json.loads((saved["kde"] / "model.json").read_text())
    before = copy.deepcopy(config)
    for edit in EDITS.values():
        edit(copy.deepcopy(config))
    assert config == before and "schema_sha256" in config


def test_a_model_with_non_finite_weights_is_never_written(tmp_path):
    model = genlab.KDE().fit(np.random.default_rng(0).standard_normal((20, 2)))
    model.points_ = model.points_.copy()
    model.points_[0, 0] = np.nan
    with pytest.raises(genlab.InputError, match="NaN or infinite weights"):
        model.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_save_into_a_file_is_refused_before_writing(tmp_path):
    (tmp_path / "taken").write_text("a file")
    model = genlab.KDE().fit(np.random.default_rng(0).standard_normal((20, 2)))
    with pytest.raises(genlab.InputError, match="is a file, not a folder"):
        model.save(tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "a file"
