"""Imputation: fill missing entries, draw multiple imputations, pool estimates by Rubin's rules.

``impute(X)``, with no model, takes genlab's best route within a time budget (``budget=``
seconds, default 120): the default candidates scored on hidden entries, stacked by hold-out
error and bagged over bootstrap refits (:mod:`genlab.jobs.impute.auto`; ``return_report=True``
also returns the choice and its scores). ``impute(model, X)`` fills with a model of yours.
A fitted model imputes from its conditional ``p(x_m | x_o)``: :func:`impute` gives one
completed dataset (a draw, or the conditional mean with ``method="mean"``, which minimizes the
expected squared error) or ``M`` independent draws (multiple imputation; they treat the fitted
parameters as known, so on small tables ``bootstrap=B`` refits the model on ``B`` bootstrap
resamples to carry that uncertainty too, see :mod:`genlab.jobs.impute.bootstrap`). ``"mean"``
in place of a model is the baseline the lecture starts from: every hole gets its column's
observed mean (the most frequent value for categorical columns), which ignores every other
column and shrinks the variance of what it fills.

Multiple imputation carries the uncertainty of the missing values into any analysis: run the
analysis on each of the ``M`` completed datasets, then :func:`pool` the ``M`` estimates and
their variances by Rubin's rules (total variance ``T = U + (1 + 1/M) B``, Student-t degrees of
freedom, optionally the Barnard--Rubin small-sample version). :func:`intervals` turns the ``M``
draws into per-entry predictive intervals; :func:`to_long` / :func:`from_long` convert a list
of imputations to and from the long table that ``genlab impute --multiple M`` writes.

Only the public model interface is used: any family with the ``impute`` capability works.
The modules, each importing only those listed before it:

=================  ===========================================================================
``files``          saved imputers: ``imputer.json``, :func:`load_imputer`
``average``        the weighted average of completed datasets (bagged and stacked means)
``bootstrap``      :class:`Bootstrap` ensembles, :func:`bootstrap_impute`
``fill``           ``impute(model, X)`` with any imputer, :func:`mean_impute`
``pooling``        Rubin's rules: :func:`pool`, :class:`PooledEstimate`
``long``           :func:`to_long` / :func:`from_long`
``predictive``     :func:`intervals`, :class:`ImputationIntervals`
``stack``          :class:`StackedImputer`, :func:`stack_weights`
``holdout``        known entries hidden for scoring
``select``         :func:`select_imputer`, :func:`default_candidates`, :func:`candidate_grid`
``budget``         :class:`RoutePlan`: how much of the default route fits a time budget
``auto``           :func:`impute` (with or without a model), :class:`AutoImputer`
=================  ===========================================================================

References:
    Rubin, D. B. (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.
    Honaker, J., King, G. & Blackwell, M. (2011). Amelia II: a program for missing data.
    Journal of Statistical Software 45(7) (bootstrap EM).
    Barnard, J. & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple
    imputation. Biometrika 86, 948-955.
    van Buuren, S. (2018). Flexible Imputation of Missing Data, 2nd ed., section 2.3.

Example:
    >>> import numpy as np, genlab
    >>> from genlab.jobs.impute import impute, intervals, pool
    >>> X = genlab.load_dataset("wine").X.to_numpy()[:, :4]
    >>> holes = X.copy(); holes[::4, 1] = np.nan
    >>> model = genlab.GaussianMixture(n_components=1).fit(holes)
    >>> draws = impute(model, holes, n_imputations=20, random_state=0)
    >>> stats = [(d[:, 1].mean(), d[:, 1].var(ddof=1) / len(d)) for d in draws]
    >>> pooled = pool(*zip(*stats))
    >>> low, high = pooled.confidence_interval(0.95)
    >>> bool(low < X[:, 1].mean() < high), pooled.n_imputations
    (True, 20)
    >>> box = intervals(draws, level=0.9)
    >>> bool((box.lower <= box.upper).all()), bool((box.lower == X)[~np.isnan(holes)].all())
    (True, True)
"""

from __future__ import annotations

from genlab.jobs.impute.auto import AutoImputer, ImputationReport, impute
from genlab.jobs.impute.bootstrap import Bootstrap, bootstrap_impute
from genlab.jobs.impute.budget import DEFAULT_BUDGET, RoutePlan
from genlab.jobs.impute.files import IMPUTER_FILE, load_imputer, read_imputer_config
from genlab.jobs.impute.fill import mean_impute
from genlab.jobs.impute.long import IMPUTATION_COLUMN, from_long, to_long
from genlab.jobs.impute.pooling import PooledEstimate, pool
from genlab.jobs.impute.predictive import ImputationIntervals, intervals
from genlab.jobs.impute.select import (
    ImputerChoice,
    candidate_grid,
    default_candidates,
    select_imputer,
)
from genlab.jobs.impute.stack import StackedImputer, stack_weights

__all__ = [
    "DEFAULT_BUDGET",
    "IMPUTATION_COLUMN",
    "IMPUTER_FILE",
    "AutoImputer",
    "Bootstrap",
    "ImputationIntervals",
    "ImputationReport",
    "ImputerChoice",
    "PooledEstimate",
    "RoutePlan",
    "StackedImputer",
    "bootstrap_impute",
    "candidate_grid",
    "default_candidates",
    "from_long",
    "impute",
    "intervals",
    "load_imputer",
    "mean_impute",
    "pool",
    "read_imputer_config",
    "select_imputer",
    "stack_weights",
    "to_long",
]
