"""Choose an imputer by how well it fills entries that were observed (hold-out imputation error).

The model with the best likelihood is not always the best imputer, and the hyperparameters
that matter (a mixture's number of components, the strength of its prior) are a question about
the user's own table. :func:`select_imputer` answers it the way missForest's out-of-bag error
and HyperImpute do: hide some entries whose values are known, let every candidate fill them,
and keep the one with the smallest RMSE: each column of a table in units of its standard
deviation, so that no column dominates; images in their own units (every pixel shares one
scale, and dividing by a border pixel's tiny spread would make it outweigh the digit).
Nothing about the real holes is used, so the choice is honest to report.

Two settings:

* ``fit_data=None`` (the model is fitted on the table with its holes, as in most surveys):
  a further ``holdout`` share of ``X``'s observed numeric entries is hidden completely at
  random; each candidate is fitted on that table and fills it.
* ``fit_data`` given (models trained on complete rows fill new rows, e.g. test images): a
  ``holdout`` share of ``fit_data``'s rows becomes validation rows, and each of them gets the
  missing pattern of a random row of ``X``, so structured holes (a missing bottom half) are
  validated as they occur; candidates are fitted on the other rows.

With ``bootstrap=B`` every candidate is scored as the bagged imputer
(:class:`~genlab.jobs.impute.bootstrap.Bootstrap`) that it will be used as. With ``stack=True``
the same hold-out fills also give stacking weights (:mod:`genlab.jobs.impute.stack`): the
convex combination of the candidates' conditional means with the smallest hold-out error,
which :meth:`ImputerChoice.stack` turns into an imputer. Its score is measured on the entries
that chose the weights, so it is slightly optimistic (a handful of weights against hundreds
or thousands of entries).

References:
    Stekhoven, D. J. & Bühlmann, P. (2012). MissForest. Bioinformatics 28(1), 112-118.
    Jarrett, D. et al. (2022). HyperImpute: generalized iterative imputation with automatic
    model selection. ICML.

Example:
    >>> import numpy as np, genlab
    >>> from genlab.jobs.impute.select import select_imputer
    >>> X = genlab.load_dataset("wine").X.to_numpy()[:, :5]
    >>> holes = np.where(np.random.default_rng(0).random(X.shape) < 0.2, np.nan, X)
    >>> candidates = {f"gmm{k}": genlab.GaussianMixture(n_components=k) for k in (1, 2)}
    >>> choice = select_imputer(candidates, holes, random_state=0, progress=False)
    >>> choice.name in candidates, sorted(choice.scores) == ["gmm1", "gmm2"]
    (True, True)
    >>> stacked = select_imputer(candidates, holes, stack=True, random_state=0, progress=False)
    >>> best_single = min(stacked.scores.values())
    >>> round(sum(stacked.weights.values()), 6), stacked.stacked_score <= best_single
    (1.0, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from joblib import delayed
from sklearn.base import clone

from genlab.core.checks import check_not_a_class
from genlab.core.errors import InputError, recording_warnings, summarize_warnings
from genlab.core.registry import family_class
from genlab.data.datasets import Dataset
from genlab.data.schema import Schema, infer_schema
from genlab.jobs.impute.bootstrap import Bootstrap, parallel
from genlab.jobs.impute.fill import impute
from genlab.jobs.impute.holdout import HoldoutTask, holdout_tasks, numeric_columns
from genlab.jobs.impute.stack import StackedImputer, stack_weights

__all__ = ["ImputerChoice", "candidate_grid", "default_candidates", "select_imputer"]


@dataclass(frozen=True)
class ImputerChoice:
    """What :func:`select_imputer` found.

    Attributes:
        name: the key of the candidate with the smallest hold-out RMSE.
        scores: candidate name -> hold-out RMSE (in :attr:`units`), in the candidates' order.
        n_entries: how many hidden entries each score averages over.
        units: ``"column stds"`` (tables) or ``"data units"`` (images).
        weights: with ``stack=True``, candidate name -> stacking weight (they sum to 1);
            otherwise None.
        stacked_score: the hold-out RMSE of the weighted stack (None without ``stack``).
    """

    name: str
    scores: dict[str, float]
    n_entries: int
    units: str
    weights: dict[str, float] | None = None
    stacked_score: float | None = None

    def stack(
        self,
        candidates: Mapping[str, Any],
        *,
        bootstrap: int = 0,
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> StackedImputer:
        """A :class:`~genlab.jobs.impute.stack.StackedImputer` of (copies of) the candidates with a
        positive weight; fit it, or impute with it and ``bootstrap=B``.

        With ``bootstrap=B`` every member is a
        :class:`~genlab.jobs.impute.bootstrap.Bootstrap` of ``B`` refits (``random_state``
        and ``n_jobs`` are theirs): fit the stack once, then take its conditional mean and its
        draws from the same refits, or save it.
        """
        if self.weights is None:
            raise InputError("no stacking weights: call select_imputer(..., stack=True)")
        members = self.members
        missing = [name for name in members if name not in candidates]
        if missing:
            raise InputError(f"candidates {missing} are not among the given ones")
        models = {name: clone(candidates[name]) for name in members}
        if bootstrap:
            models = {
                name: Bootstrap(model, bootstrap, random_state=random_state, n_jobs=n_jobs)
                for name, model in models.items()
            }
        return StackedImputer(models, members)

    @property
    def members(self) -> dict[str, float]:
        """The stack's members and their weights: the candidates with a positive weight
        (none without stacking weights)."""
        return {name: w for name, w in (self.weights or {}).items() if w > 0}

    def summary(self) -> list[str]:
        """Lines to print: every candidate's hold-out RMSE, the best one starred (and, when
        stacked, each weight and the stack's own score).

        Example:
            >>> choice = ImputerChoice("b", {"a": 0.9, "b": 0.8}, 40, "column stds")
            >>> print("\\n".join(choice.summary()))
            Hold-out RMSE (column stds, 40 entries), * the best one:
              0.9000  a
            * 0.8000  b
        """
        lines = [f"Hold-out RMSE ({self.units}, {self.n_entries} entries), * the best one:"]
        for name, score in self.scores.items():
            weight = "" if self.weights is None else f"  weight {self.weights[name]:.2f}"
            lines.append(f"{'*' if name == self.name else ' '} {score:.4f}{weight}  {name}")
        if self.stacked_score is not None:
            lines.append(
                f"  {self.stacked_score:.4f}  the stack (scored on the entries that weighed it)"
            )
        return lines


def select_imputer(
    candidates: Mapping[str, Any],
    X: Any,
    *,
    holdout: float = 0.2,
    n_repeats: int = 1,
    bootstrap: int = 0,
    fit_data: Any = None,
    random_state: Any = 0,
    progress: bool = True,
    stack: bool = False,
    n_jobs: int | None = None,
) -> ImputerChoice:
    """The candidate that best fills hidden, known entries (see the module docstring).

    Args:
        candidates: name -> an unfitted genlab model (only its hyperparameters are used;
            each is cloned and fitted here).
        X: the data with holes that will be imputed.
        holdout: share of ``X``'s observed numeric entries hidden (``fit_data=None``) or
            share of ``fit_data``'s rows used for validation (``fit_data`` given).
        n_repeats: independent hold-outs (each a fresh draw of hidden entries or validation
            rows); scores and stacking weights pool the entries of all of them, so they
            depend less on which entries happened to be hidden. Costs ``n_repeats`` times
            the fits; ``n_repeats=R, bootstrap=B // R`` costs what one hold-out with ``B``
            refits does.
        bootstrap: ``B > 0`` scores each candidate bagged over ``B`` bootstrap refits.
        fit_data: complete training rows, when the models are trained on them and then
            fill ``X`` (e.g. training images and test images with holes).
        random_state: seed of the hidden entries, validation rows and refits.
        progress: a progress bar over the candidates (rich; it disappears when done).
        stack: also find stacking weights over the candidates (see the module docstring).
        n_jobs: candidates scored in parallel processes (joblib; ``-1``: one per CPU, None
            or 1: in this process). Every candidate has its own fixed seed, so the scores
            do not depend on ``n_jobs``.

    Returns:
        :class:`ImputerChoice`; impute with ``candidates[choice.name]``, or with
        ``choice.stack(candidates)`` when stacked.
    """
    _check_request(candidates, holdout, n_repeats, fit_data)
    data = X.X if isinstance(X, Dataset) else X
    rng = np.random.default_rng(random_state)
    schema, tasks = holdout_tasks(data, fit_data, holdout, n_repeats, rng)
    # Common random numbers: every candidate gets the same refit resamples and draws, so the
    # scores differ by the model, not by the luck of its resamples.
    seed = int(rng.integers(2**31))
    filled = parallel(n_jobs, return_as="generator")(
        delayed(recording_warnings)(_fill, candidate, task, bootstrap, seed)
        for candidate in candidates.values()
        for task in tasks
    )
    if progress:
        from rich.progress import track

        filled = track(
            filled,
            description="Scoring imputers",
            total=len(candidates) * n_repeats,
            transient=True,
        )
    # (n,) the hidden values of every hold-out, scaled; the fills line up with them
    truth = np.concatenate([(task.truth / task.scale)[task.hidden] for task in tasks])
    fills, caught = _hidden_fills(iter(filled), len(candidates), tasks, schema)
    n_fits = len(candidates) * n_repeats * max(bootstrap, 1)
    summarize_warnings(caught, n_fits, "fits while scoring candidates")
    scores = {name: _rmse(fill, truth) for name, fill in zip(candidates, fills, strict=True)}
    best = min(scores, key=scores.get)
    units = "data units" if schema.container == "image" else "column stds"
    choice = ImputerChoice(best, scores, len(truth), units)
    if not stack:
        return choice
    weights = stack_weights(fills, truth)  # (B,)
    return replace(
        choice,
        weights=dict(zip(scores, weights.tolist(), strict=True)),
        stacked_score=_rmse(weights @ np.stack(fills), truth),
    )


def _check_request(
    candidates: Mapping[str, Any], holdout: Any, n_repeats: Any, fit_data: Any
) -> None:
    """InputError for what :func:`select_imputer` cannot score, before any fit."""
    if not candidates:
        raise InputError("select_imputer needs at least one candidate")
    for name, candidate in candidates.items():
        check_not_a_class(candidate, f"candidate {name!r}")
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or not 0 < holdout < 1:
        raise InputError(f"holdout must be a share in (0, 1), got {holdout!r}")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, int) or n_repeats < 1:
        raise InputError(f"n_repeats must be a positive integer, got {n_repeats!r}")
    if fit_data is None:  # candidates are fitted on X with its holes (and the hidden ones)
        refuse = [name for name, c in candidates.items() if not getattr(c, "fits_missing", False)]
        if refuse:
            raise InputError(
                f"candidates {refuse} cannot fit with missing values: give complete rows to "
                "fit them on (fit_data=, --fit-data) or leave them out"
            )


def _hidden_fills(
    filled: Iterator[Any], n_candidates: int, tasks: list[HoldoutTask], schema: Schema
) -> tuple[list[np.ndarray], list[tuple[type[Warning], str]]]:
    """Per candidate, ``(n,)`` its fill of every hold-out's hidden entries, scaled; and the
    warnings caught. ``filled`` is candidate-major: each candidate's fill of every hold-out."""
    caught: list[tuple[type[Warning], str]] = []
    fills = []
    for _ in range(n_candidates):
        done = [next(filled) for _ in tasks]
        caught += [w for _, warned in done for w in warned]
        fills.append(
            np.concatenate(
                [
                    (schema.encode(fill) / task.scale)[task.hidden]
                    for (fill, _), task in zip(done, tasks, strict=True)
                ]
            )
        )
    return fills, caught


def _rmse(filled: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((filled - truth) ** 2)))


def default_candidates(X: Any, fit_data: Any = None) -> dict[str, Any]:
    """Unfitted candidates for :func:`select_imputer`, by name: those genlab's ``impute``
    benchmark chooses among and stacks.

    Tables: Gaussian mixtures of 1 to 5 components with a light prior (0.1), with full
    covariances and, from 6 numeric columns on, low-rank ones (``n_factors`` a third of the
    numeric columns). Images: mixtures of 20, 30 and 50 components (prior 0.05), full and with
    15 factors, and, given complete training rows ``fit_data`` (a kernel density cannot fit
    with holes), kernel densities of bandwidth 3, 4 and 5 (in the images' units, made for
    0..16 levels: their conditional mean is a local average of training images, which errs
    differently from a mixture's). The bigger mixtures need hundreds of training rows.

    Example:
        >>> import numpy as np
        >>> names = list(default_candidates(np.zeros((10, 3))))
        >>> len(names), names[0]
        (5, 'GaussianMixture(n_components=1, prior=0.1)')
    """
    schema = infer_schema(X.X if isinstance(X, Dataset) else X)
    if schema.container == "image":
        mixtures = [(k, 0.05, q) for q in (None, 15) for k in (20, 30, 50)]
        return candidate_grid(mixtures, [3.0, 4.0, 5.0] if fit_data is not None else [])
    n_numeric = int(numeric_columns(schema).sum())
    factors = [None] if n_numeric < 6 else [None, n_numeric // 3]
    return candidate_grid([(k, 0.1, q) for q in factors for k in range(1, 6)])


def candidate_grid(
    mixtures: Iterable[tuple[int, float, int | None]], bandwidths: Iterable[float] = ()
) -> dict[str, Any]:
    """Named unfitted candidates: a ``GaussianMixture`` per ``(n_components, prior,
    n_factors)`` and an isotropic ``KDE`` per bandwidth, each named by its settings.

    Example:
        >>> names = list(candidate_grid([(2, 0.1, None), (2, 0.1, 4)], [3.0]))
        >>> names[1], names[2]
        ('GaussianMixture(n_components=2, prior=0.1, n_factors=4)', 'KDE(bandwidth=3.0)')
    """
    mixture, kde = family_class("gmm"), family_class("kde")  # by name: jobs know no family
    candidates: dict[str, Any] = {}
    for k, prior, q in mixtures:
        low_rank = "" if q is None else f", n_factors={q}"
        name = f"GaussianMixture(n_components={k}, prior={prior}{low_rank})"
        candidates[name] = mixture(n_components=k, prior=prior, n_factors=q)
    for h in bandwidths:
        candidates[f"KDE(bandwidth={h})"] = kde(bandwidth=h)
    return candidates


def _fill(candidate: Any, task: HoldoutTask, bootstrap: int, seed: int) -> Any:
    """The candidate's conditional mean of the task's rows (bagged with ``bootstrap``)."""
    if bootstrap:
        return impute(
            candidate,
            task.holed,
            method="mean",
            bootstrap=bootstrap,
            fit_data=task.fit_rows,
            random_state=seed,
        )
    fit_on = task.holed if task.fit_rows is None else task.fit_rows
    model = clone(candidate).fit(fit_on)
    return impute(model, task.holed, method="mean", random_state=seed)
