from __future__ import annotations

import pytest

import genlab
from genlab import InputError
from genlab.core.model import GenerativeModel
from genlab.core.registry import FAMILIES, families_with, family_class, family_params


def test_every_family_registers_itself_in_definition_order():
    assert list(FAMILIES)[:3] == ["kde", "gmm", "flow"]
    assert family_class("vae") is genlab.VAE and genlab.FAMILIES is FAMILIES


def test_a_subclass_registers_only_under_its_own_name(monkeypatch):
    monkeypatch.setattr("genlab.core.registry.FAMILIES", dict(FAMILIES))
    import genlab.core.registry as registry

    class Quieter(genlab.KDE):  # inherits family = "kde": must not replace KDE
        pass

    class Mine(GenerativeModel):
        family = "mine"

    assert registry.FAMILIES["kde"] is genlab.KDE and registry.FAMILIES["mine"] is Mine


def test_unknown_names_and_parameters_are_input_errors():
    with pytest.raises(InputError, match="unknown family 'nope'; available"):
        family_class("nope")
    with pytest.raises(InputError, match=r"no hyperparameter.*'hidden'.*bandwidth"):
        family_params(genlab.KDE, {"hidden": 3})
    assert family_params(genlab.KDE, {"bandwidth": 2, "hidden": 3}, strict=False) == {
        "bandwidth": 2
    }


def test_families_with_reads_capabilities_and_flags():
    assert "gmm" in families_with("fits_missing") and "kde" not in families_with("latent")
