"""``genlab impute`` (a saved model or imputer fills the holes of data) and
``genlab impute-select`` (an imputer chosen by hold-out error, then used)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from genlab.cli.guards import NaValues, check_not_inputs, numbered_files
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
from genlab.jobs.generate import as_table, write_samples

ImputerDir = Annotated[
    Path, typer.Argument(help="Folder of a saved model, or of a saved imputer (--save).")
]
HolesData = Annotated[str, typer.Argument(help="Table, .npy or image folder with missing values.")]
ImputedOut = Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv/.parquet/.npy).")]
Files = Annotated[
    bool, typer.Option("--files", help="With --multiple: M files OUT-1, OUT-2, ... instead.")
]


def impute(
    model_dir: ImputerDir,
    data: HolesData,
    out: ImputedOut,
    multiple: Annotated[
        int, typer.Option(help="M > 1 writes M imputations: OUT with an 'imputation' column.")
    ] = 1,
    files: Files = False,
    method: Annotated[str, typer.Option(help="'sample' (a draw) or 'mean'.")] = "sample",
    bootstrap: Annotated[
        int,
        typer.Option(
            help="B > 0 refits the model's settings on B bootstrap resamples of DATA (or of "
            "--fit-data): draws carry the parameters' uncertainty, 'mean' is bagged."
        ),
    ] = 0,
    fit_data: Annotated[
        str | None,
        typer.Option(help="With --bootstrap: the rows to resample, when not DATA itself."),
    ] = None,
    n_jobs: Annotated[
        int,
        typer.Option(help="With --bootstrap: processes that run the refits (-1: one per CPU)."),
    ] = -1,
    save: Annotated[
        Path | None,
        typer.Option(
            help="With --bootstrap: keep the B refits in this folder ('genlab impute SAVE "
            "NEW_DATA' fills new rows with them, without refitting)."
        ),
    ] = None,
    na_values: NaValues = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Fill the missing entries of DATA from the model's conditional p(x_missing | x_observed).

    MODEL: a saved model (genlab fit) or imputer (--save of impute-select or of impute).
    """
    from genlab.core.checks import check_impute_request
    from genlab.data.sources import open_data
    from genlab.jobs.impute import impute as impute_task
    from genlab.jobs.impute import load_imputer

    _check_multiple(multiple)
    check_impute_request(multiple, method)
    model = load_imputer(model_dir)
    check_not_inputs([*_outputs(out, multiple, files), save], [model_dir, data, fit_data])
    check_out(out, model.schema_)
    check_folder(save, "--save")
    na = na_values or ()
    ds = open_data(data, na_values=na)
    rows = None if fit_data is None else open_data(fit_data, na_values=na).X
    model, options = _bagged(model, ds.X, rows, bootstrap, save, seed, n_jobs)
    with progress(f"Imputing {len(ds)} rows ×{multiple}"):
        filled = impute_task(model, ds.X, multiple, method=method, random_state=seed, **options)
    filled = _as_written(filled, ds.X, data, out)
    _write_imputations(filled, out, multiple, files, model.schema_)
    _keep_types(data, _outputs(out, multiple, files))


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
    check_not_inputs([*_outputs(out, multiple, files), save], [data, fit_data, *(candidate or [])])
    na = na_values or ()
    X = open_data(data, na_values=na).X
    check_out(out, infer_schema(X))
    check_folder(save, "--save")
    rows = None if fit_data is None else open_data(fit_data, na_values=na).X
    imputer = _select(X, rows, candidate, repeats, stack, bootstrap, seed, n_jobs)
    _fit_imputer(imputer, X if rows is None else rows, "the fitted imputer", save)
    with progress(f"Imputing {len(X)} rows ×{multiple}"):
        filled = impute_task(imputer, X, multiple, method=method, random_state=seed)
    filled = _as_written(filled, X, data, out)
    _write_imputations(filled, out, multiple, files, infer_schema(X))
    _keep_types(data, _outputs(out, multiple, files))


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
    _report(choice, stack)
    bagged = {"random_state": seed, "n_jobs": n_jobs}
    if stack:
        return choice.stack(candidates, bootstrap=bootstrap, **bagged)
    return Bootstrap(candidates[choice.name], bootstrap, **bagged)


def _report(choice: Any, stack: bool) -> None:
    """The hold-out scores of the candidates, the best one starred (and the weights)."""
    say(f"Hold-out RMSE ({choice.units}, {choice.n_entries} entries), * the best one:")
    for name, score in choice.scores.items():
        weight = f"  weight {choice.weights[name]:.2f}" if stack else ""
        say(f"{'*' if name == choice.name else ' '} {score:.4f}{weight}  {name}")
    if stack:
        say(f"  {choice.stacked_score:.4f}  the stack (scored on the entries that weighed it)")


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


def _write_imputations(filled: Any, out: Path, multiple: int, files: bool, schema: Any) -> None:
    """One completed dataset, or M as M files (``files``) or one long table / stacked .npy."""
    if multiple == 1:
        write_samples(filled, out, schema)
    elif files:
        for path, f in zip(_outputs(out, multiple, files), filled, strict=True):
            write_samples(f, path, schema)
    elif out.suffix.lower() == ".npy":
        write_samples(np.stack(filled), out, schema)
    else:
        frames = [
            pd.DataFrame(as_table(f, schema)).assign(imputation=m) for m, f in enumerate(filled)
        ]
        write_samples(pd.concat(frames, ignore_index=True), out, schema)
    say(f"Wrote {', '.join(str(p) for p in _outputs(out, multiple, files))}")


def _as_written(filled: Any, X: Any, data: str, out: Path) -> Any:
    """The imputations with every observed cell as DATA's CSV wrote it, when a CSV is written
    from a CSV: an observed ``3`` stays ``3`` (not ``3.0``), ``1e3`` stays ``1e3``."""
    from genlab.data.cells import observed_text
    from genlab.data.readers import read_cells

    text = Path(data).suffix.lower() in (".csv", ".tsv") and Path(data).is_file()
    if not (text and out.suffix.lower() == ".csv" and isinstance(X, pd.DataFrame)):
        return filled
    cells = read_cells(data)
    if isinstance(filled, pd.DataFrame):
        return observed_text(filled, X, cells)
    return [observed_text(f, X, cells) for f in filled]


def _keep_types(data: str, outputs: list[Path]) -> None:
    """Parquet written from a Parquet DATA: each column keeps DATA's Arrow type where its
    values fit (``int32`` stays ``int32``, ``string`` stays ``string``), as a CSV's observed
    cells keep their text (``_as_written``)."""
    from genlab.data.parquet import PARQUET_SUFFIXES, keep_parquet_types

    if Path(data).suffix.lower() in PARQUET_SUFFIXES and Path(data).is_file():
        for path in outputs:
            if path.suffix.lower() in PARQUET_SUFFIXES:
                keep_parquet_types(path, data)


def _outputs(out: Path, multiple: int, files: bool) -> list[Path]:
    """The files an imputation writes: OUT, or OUT-1 ... OUT-M with ``--files``."""
    return numbered_files(out, multiple) if files and multiple > 1 else [out]
