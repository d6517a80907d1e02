"""``genlab impute`` (a saved model or imputer fills the holes of data; without one, genlab's
default route does, within a time budget) and ``genlab impute-select`` (an imputer chosen by
hold-out error, then used)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from genlab.cli.guards import NaValues, check_not_inputs
from genlab.cli.imputed import outputs, write_all
from genlab.cli.options import (
    Quiet,
    Seed,
    check_folder,
    check_out,
    is_quiet,
    progress,
    say,
)
from genlab.core.errors import InputError

ImputerDir = Annotated[
    str | None,
    typer.Argument(
        help="Folder of a saved model or imputer (--save). Leave it out (genlab impute DATA) "
        "for genlab's default route.",
        metavar="MODEL",
        show_default=False,
    ),
]
MaybeHoles = Annotated[
    str | None,
    typer.Argument(
        help="Table, .npy or image folder with missing values.", metavar="DATA", show_default=False
    ),
]
HolesData = Annotated[str, typer.Argument(help="Table, .npy or image folder with missing values.")]
ImputedOut = Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv/.parquet/.npy).")]
Files = Annotated[
    bool, typer.Option("--files", help="With --multiple: M files OUT-1, OUT-2, ... instead.")
]
Budget = Annotated[
    float | None,
    typer.Option(
        help="Without MODEL: seconds the default route may take to choose and fit (default "
        "120); it sets how many candidates, hold-outs and bootstrap refits it uses.",
        show_default=False,
    ),
]

ImputeMultiple = Annotated[
    int, typer.Option(help="M > 1 writes M imputations: OUT with an 'imputation' column.")
]
Method = Annotated[
    str | None,
    typer.Option(
        help="'sample' (a draw) or 'mean'. Default: 'sample' with MODEL; without MODEL "
        "the conditional mean (draws with --multiple).",
        show_default=False,
    ),
]
ModelRefits = Annotated[
    int,
    typer.Option(
        help="B > 0 refits the model's settings on B bootstrap resamples of DATA (or of "
        "--fit-data): draws carry the parameters' uncertainty, 'mean' is bagged."
    ),
]
RowsToFit = Annotated[
    str | None,
    typer.Option(
        help="Rows to fit on when not DATA itself: with --bootstrap the rows to resample; "
        "without MODEL complete training rows."
    ),
]
RefitJobs = Annotated[int, typer.Option(help="Processes that run the refits (-1: one per CPU).")]
KeepRefits = Annotated[
    Path | None,
    typer.Option(
        help="With --bootstrap, or without MODEL: keep the fitted refits in this folder "
        "('genlab impute SAVE NEW_DATA' fills new rows with them, without refitting)."
    ),
]


def impute(
    model_dir: ImputerDir = None,
    data: MaybeHoles = None,
    out: ImputedOut = ...,
    multiple: ImputeMultiple = 1,
    files: Files = False,
    method: Method = None,
    bootstrap: ModelRefits = 0,
    fit_data: RowsToFit = None,
    n_jobs: RefitJobs = -1,
    save: KeepRefits = None,
    budget: Budget = None,
    na_values: NaValues = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Fill the missing entries of DATA from a conditional p(x_missing | x_observed).

    genlab impute MODEL DATA: a saved model (genlab fit) or imputer (--save) fills DATA.

    genlab impute DATA: genlab's default route, within --budget seconds (default 120).

    It scores the default candidates on hidden known entries (the scores are printed).

    Then it fills with their stack weighted by that error, every member bagged.
    """
    from genlab.core.checks import check_impute_request
    from genlab.data.sources import open_data
    from genlab.jobs.impute import impute as impute_task
    from genlab.jobs.impute import load_imputer

    if data is None:  # one positional argument: it is DATA, and the route is the default one
        model_dir, data = None, model_dir
        _check_not_a_model(data)
    if data is None:
        raise InputError("give DATA: genlab impute [MODEL] DATA -o OUT")
    _check_multiple(multiple)
    if model_dir is None:
        options = {"fit_data": fit_data, "n_jobs": n_jobs, "save": save, "seed": seed}
        _impute_default(data, out, multiple, files, method, bootstrap, budget, na_values, options)
        return
    if budget is not None:
        raise InputError("--budget is the default route's: leave MODEL out (genlab impute DATA)")
    method = method or "sample"
    check_impute_request(multiple, method)
    model = load_imputer(model_dir)
    check_not_inputs([*outputs(out, multiple, files), save], [model_dir, data, fit_data])
    check_out(out, model.schema_)
    check_folder(save, "--save")
    na = na_values or ()
    ds = open_data(data, na_values=na)
    rows = None if fit_data is None else open_data(fit_data, na_values=na).X
    model, options = _bagged(model, ds.X, rows, bootstrap, save, seed, n_jobs)
    with progress(f"Imputing {len(ds)} rows ×{multiple}"):
        filled = impute_task(model, ds.X, multiple, method=method, random_state=seed, **options)
    write_all(filled, ds.X, data, out, multiple, files, model.schema_)


def _check_not_a_model(data: str | None) -> None:
    """Refuse a saved model or imputer given alone: the data to fill is missing."""
    from genlab.core.persistence import CONFIG_FILE
    from genlab.jobs.impute import IMPUTER_FILE

    if data is not None and any((Path(data) / f).is_file() for f in (CONFIG_FILE, IMPUTER_FILE)):
        raise InputError(f"{data} is a saved model: give the DATA to fill too (MODEL DATA)")


def _impute_default(
    data: str,
    out: Path,
    multiple: int,
    files: bool,
    method: str | None,
    bootstrap: int,
    budget: float | None,
    na_values: list[str] | None,
    options: dict[str, Any],
) -> None:
    """``genlab impute DATA``: the default route (:class:`~genlab.jobs.impute.AutoImputer`)
    chooses, reports and fills; ``options``: ``fit_data``, ``n_jobs``, ``save``, ``seed``."""
    from genlab.data.schema import infer_schema
    from genlab.data.sources import open_data
    from genlab.jobs.impute import DEFAULT_BUDGET
    from genlab.jobs.impute import impute as impute_task
    from genlab.jobs.impute.auto import route_method
    from genlab.jobs.impute.budget import check_budget

    if bootstrap:
        raise InputError(
            "--bootstrap refits a MODEL: the default route sizes its own refits to --budget"
        )
    method = route_method(method, multiple)
    budget = check_budget(DEFAULT_BUDGET if budget is None else budget)
    fit_data, save = options["fit_data"], options["save"]
    check_not_inputs([*outputs(out, multiple, files), save], [data, fit_data])
    na = na_values or ()
    X = open_data(data, na_values=na).X
    check_out(out, infer_schema(X))
    check_folder(save, "--save")
    rows = None if fit_data is None else open_data(fit_data, na_values=na).X
    auto = _default_route(X, rows, budget, options["seed"], options["n_jobs"])
    if save is not None:
        say(f"Saved the fitted imputer to {auto.save(save)}")
    with progress(f"Imputing {len(X)} rows ×{multiple}"):
        filled = impute_task(auto, X, multiple, method=method, random_state=options["seed"])
    write_all(filled, X, data, out, multiple, files, infer_schema(X))


def _default_route(X: Any, rows: Any, budget: float, seed: int, n_jobs: int) -> Any:
    """The fitted :class:`~genlab.jobs.impute.AutoImputer`, its plan, scores and final fit
    reported as they come."""
    from genlab.jobs.impute import AutoImputer

    auto = AutoImputer(budget, random_state=seed, n_jobs=n_jobs, progress=not is_quiet())
    with progress("Planning the default route (a pilot fit per family)"):
        plan = auto.plan(X, rows)
    say(plan.headline("--budget"))
    for line in auto.score(X, rows).summary():
        say(line)
    with progress("Fitting the stack's bootstrap refits"):
        auto.fit_final(X, rows)
    say(auto.report_.summary()[-1])
    return auto


def _bagged(
    model: Any, X: Any, rows: Any, bootstrap: int, save: Path | None, seed: int, n_jobs: int
) -> tuple[Any, dict[str, Any]]:
    """The imputer to fill ``X`` with, and the bootstrap options left for the impute job.

    A saved model with ``bootstrap`` refits is bagged here, its refits fitted once on ``rows``
    (``X`` when None) and kept in ``save``; a saved StackedImputer bags itself."""
    from genlab.jobs.impute.bootstrap import Bootstrap

    refit_here = bool(bootstrap) and not hasattr(
        model, "impute_with_refits"
    )  # ensembles refit themselves
    if save is not None and not refit_here:
        raise InputError(
            "--save keeps the refits of a saved model: give --bootstrap B and a model folder "
            "(a saved imputer is kept already)"
        )
    if not refit_here:
        return model, {"bootstrap": bootstrap, "fit_data": rows, "n_jobs": n_jobs}
    model = Bootstrap(model, bootstrap, random_state=seed, n_jobs=n_jobs)  # fitted once, kept
    _fit_imputer(model, X if rows is None else rows, f"the {bootstrap} refits", save)
    return model, {}


# Options of impute-select
FitData = Annotated[
    str | None,
    typer.Option(
        help="Complete training rows to fit the candidates on (default: DATA itself, "
        "holes and all)."
    ),
]
Refits = Annotated[
    int, typer.Option(help="Refits behind each hold-out score and each final imputation.")
]
Repeats = Annotated[
    int, typer.Option(help="Independent hold-outs pooled in every score (R times the fits).")
]
Candidates = Annotated[
    list[Path] | None,
    typer.Option(
        "--candidate",
        "-c",
        help="A saved model folder whose settings are a candidate (repeatable; its fitted "
        "parameters are not used). Default: genlab's default candidates for DATA.",
    ),
]
Stack = Annotated[
    bool, typer.Option(help="Impute with the candidates weighted by hold-out error (stacking).")
]
Multiple = Annotated[
    int, typer.Option(help="M > 1 writes M draws (OUT with an 'imputation' column); else means.")
]
SaveImputer = Annotated[
    Path | None,
    typer.Option(
        help="Keep the fitted imputer (its refits) in this folder: 'genlab impute SAVE "
        "NEW_DATA' fills new rows with it, without refitting."
    ),
]
Jobs = Annotated[
    int, typer.Option(help="Processes that score candidates and refit (-1: one per CPU).")
]


def impute_select(
    data: HolesData,
    out: ImputedOut,
    fit_data: FitData = None,
    bootstrap: Refits = 10,
    repeats: Repeats = 1,
    candidate: Candidates = None,
    stack: Stack = True,
    multiple: Multiple = 1,
    files: Files = False,
    save: SaveImputer = None,
    n_jobs: Jobs = -1,
    na_values: NaValues = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Choose an imputer for DATA by hold-out error, then fill DATA's holes with it.

    Hidden observed entries score each candidate, bagged over --bootstrap refits.

    Candidates: genlab's defaults for DATA, or the settings of saved models (--candidate).

    The best one, or with --stack (the default) their weighted stack, fills DATA.

    --save keeps the fitted imputer, for 'genlab impute SAVE NEW_DATA'.
    """
    from genlab.data.schema import infer_schema
    from genlab.data.sources import open_data
    from genlab.jobs.impute import impute as impute_task

    _check_multiple(multiple)
    method = "mean" if multiple == 1 else "sample"
    if bootstrap < 1:
        raise InputError(f"--bootstrap must be at least 1, got {bootstrap}")
    check_not_inputs([*outputs(out, multiple, files), save], [data, fit_data, *(candidate or [])])
    na = na_values or ()
    X = open_data(data, na_values=na).X
    check_out(out, infer_schema(X))
    check_folder(save, "--save")
    rows = None if fit_data is None else open_data(fit_data, na_values=na).X
    imputer = _select(X, rows, candidate, repeats, stack, bootstrap, seed, n_jobs)
    _fit_imputer(imputer, X if rows is None else rows, "the fitted imputer", save)
    with progress(f"Imputing {len(X)} rows ×{multiple}"):
        filled = impute_task(imputer, X, multiple, method=method, random_state=seed)
    write_all(filled, X, data, out, multiple, files, infer_schema(X))


def _select(
    X: Any,
    rows: Any,
    folders: list[Path] | None,
    repeats: int,
    stack: bool,
    bootstrap: int,
    seed: int,
    n_jobs: int,
) -> Any:
    """Score the candidates (saved models' settings, or the defaults for ``X``) by hold-out
    error, report the scores, and return the unfitted imputer chosen: the best one bagged
    over ``bootstrap`` refits, or with ``stack`` the weighted stack of them all."""
    from sklearn.base import clone

    from genlab.core.persistence import load_model
    from genlab.jobs.impute.bootstrap import Bootstrap
    from genlab.jobs.impute.select import default_candidates, select_imputer

    candidates = (
        {str(folder): clone(load_model(folder)) for folder in folders}  # settings only
        if folders
        else default_candidates(X, rows)
    )
    choice = select_imputer(
        candidates,
        X,
        n_repeats=repeats,
        bootstrap=bootstrap,
        fit_data=rows,
        random_state=seed,
        progress=not is_quiet(),
        stack=stack,
        n_jobs=n_jobs,
    )
    for line in choice.summary():
        say(line)
    bagged = {"random_state": seed, "n_jobs": n_jobs}
    if stack:
        return choice.stack(candidates, bootstrap=bootstrap, **bagged)
    return Bootstrap(candidates[choice.name], bootstrap, **bagged)


def _check_multiple(multiple: int) -> None:
    """Refuse, before any work, fewer than one imputation."""
    if multiple < 1:
        raise InputError(f"--multiple must be at least 1 (imputations to write), got {multiple}")


def _fit_imputer(imputer: Any, rows: Any, what: str, save: Path | None) -> None:
    """Fit a bootstrap ensemble or a stack of them on ``rows``; with ``save``, keep ``what``
    it holds there."""
    with progress("Fitting the bootstrap refits"):
        imputer.fit(rows)
    if save is not None:
        say(f"Saved {what} to {imputer.save(save)}")
