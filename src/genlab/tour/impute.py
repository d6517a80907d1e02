"""The impute job in the tour: wine with entries removed (mean imputation, a Gaussian fitted
with holes and the stack of mixtures that hidden observed entries chose, with the coverage of
their intervals) and test digits with half of their pixels removed."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.metrics import rmse
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import Tour

TEXT = (
    "Mean imputation fills every hole with its column's mean: it ignores the other columns "
    "and claims certainty it does not have. A density model fills holes from "
    "p(x_missing | x_observed): its conditional mean is a better single guess, and several "
    "draws (multiple imputation) give intervals whose coverage can be checked. Which model "
    "fills a table best is chosen by hiding entries that were observed: the stack weights "
    "the default candidates by that hold-out error and bags each over bootstrap refits."
)
CODE = (
    "gmm = genlab.GaussianMixture(n_components=1).fit(holes)    # fits with NaNs\n"
    "genlab.impute('mean', holes)                                # the baseline\n"
    "draws = genlab.impute(gmm, holes, n_imputations=50)\n"
    "genlab.jobs.impute.intervals(draws, level=0.9).coverage(X, mask)\n"
    "candidates = default_candidates(holes)                      # mixtures, 1-5 components\n"
    "choice = select_imputer(candidates, holes, bootstrap=10, stack=True)\n"
    "stack = choice.stack(candidates, bootstrap=10).fit(holes)   # 10 refits per member\n"
    "genlab.impute(stack, holes, method='mean')                  # and draws: same refits"
)
LEVELS = [0.5, 0.7, 0.8, 0.9, 0.95]  # nominal levels of the calibration figure


def section_impute(tour: Tour) -> Section:
    """4. impute: mean vs multiple imputation on wine; masked digits filled in."""
    section = Section("impute", "4. Impute: fill in missing entries", TEXT, code=CODE)
    for part in (_impute_table, _impute_digits):
        figures, table = part(tour)
        section.figures += figures
        section.tables.append(table)
    return section


def _impute_table(tour: Tour) -> tuple[list[Figure], Table]:
    """Wine with 20% of its entries removed: mean imputation vs a Gaussian fitted with holes vs
    the stack of mixtures that hidden observed entries weighted."""
    import genlab
    from genlab.data.masks import mcar
    from genlab.jobs.impute import intervals

    seed = tour.config.seed
    wine = tour.data("wine").flat()
    X = (wine - wine.mean(0)) / wine.std(0)  # (178, 13) standardized units
    mask = mcar(X.shape, 0.2, random_state=seed)
    holes = np.where(mask, np.nan, X)
    n_draws = 10 if tour.config.fast else 50
    with tour.step("fit GaussianMixture on wine with holes"):
        gmm = genlab.GaussianMixture(n_components=1, random_state=seed).fit(holes)
    mean_filled = genlab.impute("mean", holes)
    draws = genlab.impute(gmm, holes, n_imputations=n_draws, random_state=seed)
    refits = 2 if tour.config.fast else 10
    stack, stacked_mean, stacked_draws = _stacked(tour, holes, n_draws, refits)
    coverage = {
        "GaussianMixture": [intervals(draws, level=q).coverage(X, mask) for q in LEVELS],
        "stack": [intervals(stacked_draws, level=q).coverage(X, mask) for q in LEVELS],
    }
    mixture = f"GaussianMixture: E[x_m | x_o] / {n_draws} draws"
    stacked = f"stack of {len(stack.models)} mixtures, {refits} refits each"
    errors = {
        "mean imputation": rmse(mean_filled, X, mask),
        mixture: rmse(genlab.impute(gmm, holes, method="mean"), X, mask),
        stacked: rmse(stacked_mean, X, mask),
    }
    cover90 = {  # one imputation is an interval of width zero: it covers only exact hits
        "mean imputation": intervals([mean_filled] * 2, level=0.9).coverage(X, mask),
        mixture: coverage["GaussianMixture"][LEVELS.index(0.9)],
        stacked: coverage["stack"][LEVELS.index(0.9)],
    }
    table = Table(
        ["method", "RMSE (standardized units)", "coverage of 90% intervals"],
        [[name, errors[name], cover90[name]] for name in errors],
        title=f"Wine, {int(mask.sum())} of {mask.size} entries missing completely at random",
        note="Mean imputation gives one value per hole, an interval of width zero: it covers "
        "(almost) nothing and shrinks every variance.",
    )
    return _wine_figures(tour, errors, cover90, coverage), table


def _stacked(
    tour: Tour, holes: np.ndarray, n_draws: int, refits: int
) -> tuple[Any, np.ndarray, list[np.ndarray]]:
    """The stack of imputers chosen by hold-out error, fitted to ``holes``: (stack, its
    conditional mean, ``n_draws`` draws), the mean and the draws from the same refits."""
    import genlab
    from genlab.jobs.impute.select import default_candidates, select_imputer

    seed = tour.config.seed
    with tour.step("choose and stack imputers by hold-out error"):
        candidates = default_candidates(holes)
        choice = select_imputer(
            candidates,
            holes,
            bootstrap=refits,
            stack=True,
            random_state=seed,
            progress=False,
            n_jobs=-1,
        )
        stack = choice.stack(candidates, bootstrap=refits, random_state=seed, n_jobs=-1)
        stack.fit(holes)  # the conditional mean and the draws come from the same refits
        stacked_mean = genlab.impute(stack, holes, method="mean", random_state=seed)
        stacked_draws = genlab.impute(stack, holes, n_draws, random_state=seed)
    return stack, stacked_mean, stacked_draws


def _wine_figures(
    tour: Tour, errors: dict[str, float], cover90: dict[str, float], coverage: dict[str, list]
) -> list[Figure]:
    """Error and 90% coverage of each method; coverage against the nominal level."""
    from genlab.report.charts import imputation_figure
    from genlab.report.figures import imputation_calibration_figure

    return [
        tour.figure(
            imputation_figure(errors, cover90),
            "impute-wine",
            "Wine with 20% of entries missing: error and 90% coverage",
        ),
        tour.figure(
            imputation_calibration_figure(LEVELS, coverage),
            "impute-calibration",
            "Coverage of the per-entry intervals at each level",
        ),
    ]


def _impute_digits(tour: Tour) -> tuple[list[Figure], Table]:
    """Half of the pixels of the test digits removed, filled by the autoregressive model."""
    import genlab
    from genlab.data.masks import apply_mask, random_pixels

    seed = tour.config.seed
    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    mask = random_pixels(test.X.shape, 0.5, random_state=seed)
    holes = apply_mask(test.X, mask)  # (N, 8, 8) with NaN holes
    filled = ar.impute(holes, method="mean", random_state=seed)
    truth = np.asarray(test.X, dtype=float)
    rows = [
        ["mean imputation (pixel means)", rmse(genlab.impute("mean", holes), truth, mask)],
        ["AutoregressiveModel E[x_m | x_o]", rmse(filled, truth, mask)],
    ]
    one_draw = ar.impute(holes[:10], random_state=seed)
    strip = np.concatenate([test.X[:10], holes[:10], one_draw, filled[:10]])
    caption = (
        "Rows: test digits, half of their pixels removed (red), one draw, the conditional mean"
    )
    figure = tour.grid(strip, "impute-digits", caption, title="Masked digits filled in", per_row=10)
    title = f"{len(test)} test digits, 50% of pixels missing at random"
    return [figure], Table(["method", "RMSE (grey levels 0..16)"], rows, title)
