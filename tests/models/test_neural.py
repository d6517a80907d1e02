"""The trainer's settings are declared once (NeuralModel.TRAIN_SETTINGS) and every neural
family takes them as ordinary scikit-learn hyperparameters."""

from __future__ import annotations

import inspect
from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import genlab
from genlab.models.neural import TRAIN_SETTINGS, NeuralModel

NEURAL = [genlab.AutoregressiveModel, genlab.Flow, genlab.VAE, genlab.HierarchicalVAE]


@pytest.mark.parametrize("cls", NEURAL)
def test_every_neural_family_takes_every_setting(cls):
    params = cls().get_params()
    assert set(TRAIN_SETTINGS) <= set(params)
    for name in TRAIN_SETTINGS:  # keyword-only, in the signature scikit-learn reads
        kind = inspect.signature(cls.__init__).parameters[name].kind
        assert kind is inspect.Parameter.KEYWORD_ONLY
    model = cls(max_epochs=3, lr=0.01, progress=False)
    assert (model.max_epochs, model.lr, model.progress) == (3, 0.01, False)
    assert clone(model).get_params() == model.get_params()


def test_family_defaults_and_inherited_ones():
    assert genlab.Flow().batch_size == 64 and genlab.VAE().batch_size == 128
    assert genlab.AutoregressiveModel().ema_decay == "auto"
    hvae = genlab.HierarchicalVAE(max_epochs=7)  # its __init__ calls VAE's: settings survive
    assert hvae.max_epochs == 7 and hvae.patience == genlab.VAE().patience


def test_a_mistyped_setting_is_refused():
    with pytest.raises(TypeError, match="max_epoch"):
        genlab.VAE(max_epoch=3)


def test_a_new_family_declares_only_its_own_hyperparameters():
    class Tiny(NeuralModel):
        train_defaults: ClassVar[dict] = {"max_epochs": 5}

        def __init__(self, *, width: int = 4) -> None:
            self.width = width

    tiny = Tiny(width=2, lr=0.1)
    assert tiny.get_params()["max_epochs"] == 5 and tiny.lr == 0.1 and tiny.width == 2


def test_grid_search_over_a_training_setting():
    X = genlab.load_dataset("iris").flat()
    tiny = dict(transforms=1, hidden_features=8, base_components=1, progress=False)
    search = GridSearchCV(genlab.Flow(max_epochs=2, **tiny), {"lr": [1e-3, 1e-2]}, cv=2)
    search.fit(X)
    assert search.best_params_["lr"] in (1e-3, 1e-2) and np.isfinite(search.best_score_)
