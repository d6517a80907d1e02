"""The family contract of tests/models/test_contract.py, restated for text: registration,
capabilities, scikit-learn conventions, persistence and errors, with lists of texts."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from sklearn.base import clone

import genlab
from genlab.core.persistence import model_digest

TEXT_FAMILIES = sorted(f for f, cls in genlab.FAMILIES.items() if cls.modality == "text")


def test_sequence_is_a_registered_text_family():
    assert "sequence" in TEXT_FAMILIES
    assert genlab.FAMILIES["sequence"] is genlab.SequenceModel
    assert genlab.GenerativeModel.modality == "table"


@pytest.mark.parametrize("family", TEXT_FAMILIES)
def test_init_stores_params_only_and_fit_returns_self(family, code_texts, tiny_params):
    m = genlab.FAMILIES[family](**tiny_params)
    assert not [k for k in vars(m) if k.endswith("_")]
    assert clone(m).get_params() == m.get_params()
    assert m.fit(code_texts[:6]) is m
    assert hasattr(m, "module_") and hasattr(m, "train_result_")


@pytest.mark.parametrize("family", TEXT_FAMILIES)
def test_capabilities_are_honoured(family, tiny_model, code_texts):
    m = tiny_model
    assert m.capabilities == {"sample", "exact_likelihood", "compress"}
    assert not m.likelihood_is_bound
    with pytest.raises(genlab.CapabilityError, match="families that can"):
        m.impute(["abc"])
    with pytest.raises(genlab.CapabilityError, match="latent"):
        m.encode(code_texts[:1])
    assert np.isfinite(m.score(code_texts[:2]))
    assert m.log_prob([]).shape == (0,)


def test_save_load_and_digest(tiny_model, tmp_path):
    same = genlab.load_model(tiny_model.save(tmp_path / "m"))
    assert model_digest(same) == model_digest(tiny_model)
    assert same.text_type_ == tiny_model.text_type_


#: Edits of the saved byte schema (resealed with a new SHA-256): the network reads bytes only.
BYTE_SCHEMA_EDITS = {
    "a second column": lambda cols: cols.append(dict(cols[0], name="extra")),
    "a narrower grid": lambda cols: cols[0].update(levels=[0, 127]),
    "bytes made categories": lambda cols: cols[0].update(kind="categorical", levels=[0, 1]),
}


@pytest.mark.parametrize("edit", sorted(BYTE_SCHEMA_EDITS))
def test_a_resealed_schema_edit_is_refused_at_load(edit, tiny_model, tmp_path):
    folder = tiny_model.save(tmp_path / "m")
    config = json.loads((folder / "model.json").read_text())
    BYTE_SCHEMA_EDITS[edit](config["schema"]["columns"])
    canonical = json.dumps(config["schema"], sort_keys=True).encode()
    config["schema_sha256"] = hashlib.sha256(canonical).hexdigest()
    (folder / "model.json").write_text(json.dumps(config))
    with pytest.raises(genlab.ModelFileError, match="the schema does not match the saved weights"):
        genlab.load_model(folder)


def test_compare_ranks_by_log_prob(tiny_model, code_texts, tiny_params):
    untrained = genlab.SequenceModel(**{**tiny_params, "max_epochs": 1, "lr": 1e-6}).fit(
        code_texts[:4]
    )
    table = genlab.compare({"trained": tiny_model, "untrained": untrained}, code_texts[:3])
    assert len(table) == 2


def test_errors_are_genlab_errors(tiny_model):
    with pytest.raises(genlab.InputError):
        tiny_model.log_prob(np.zeros((3, 4)))
    with pytest.raises(genlab.InputError, match="unconditional"):
        tiny_model.sample(2, condition=1)
    with pytest.raises(genlab.InputError, match="unconditional"):
        tiny_model.log_prob(["a"], condition=1)
    with pytest.raises(genlab.NotFittedError):
        genlab.SequenceModel().log_prob(["abc"])
