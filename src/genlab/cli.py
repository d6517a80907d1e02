"""The ``genlab`` command: fit, sample, score, compare, impute, encode, interpolate, compress,
benchmark and tour from the shell.

DATA is a bundled dataset name (see ``genlab datasets``; ``NAME:train`` / ``NAME:test`` for the
split of DESIGN.md), a table (.csv, .tsv, .parquet), an array (.npy) or a folder of PNG/JPEG
images. Exit codes: 0 ok, 2 bad input (the message says
what and where), 1 internal error.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape

from genlab.core.errors import GenlabError, InputError

app = typer.Typer(
    help="genlab: generate, condition, score, impute, represent and compress — every job a "
    "generative model does.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
state = {"quiet": False}
OUTPUT_FORMATS = (".csv", ".parquet", ".npy", ".png")  # what _write writes
TABLE_FORMATS = (".csv", ".parquet")

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary output.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (results are reproducible).")]
ModelDir = Annotated[Path, typer.Argument(help="Folder of a saved model.")]
ImputerDir = Annotated[
    Path, typer.Argument(help="Folder of a saved model, or of a saved imputer (--save).")
]
Data = Annotated[str, typer.Argument(help="Bundled dataset name, table, .npy or image folder.")]
HolesData = Annotated[str, typer.Argument(help="Table, .npy or image folder with missing values.")]
ImputedOut = Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv/.parquet/.npy).")]
Files = Annotated[
    bool, typer.Option("--files", help="With --multiple: M files OUT-1, OUT-2, ... instead.")
]


@contextlib.contextmanager
def _progress(message: str, spinner: bool = True) -> Iterator[None]:
    """A spinner with elapsed time while ``message``'s work runs (hidden with --quiet).

    ``spinner=False`` when the work shows its own progress bar (neural training)."""
    if state["quiet"]:
        yield
        return
    start = time.perf_counter()
    with err.status(f"{message}…") if spinner else contextlib.nullcontext():
        yield
    err.print(f"[green]✓[/green] {message} ({time.perf_counter() - start:.1f} s)")


def _say(message: str) -> None:
    if not state["quiet"]:
        err.print(message)


# ================================================================ commands
@app.command()
def datasets() -> None:
    """List the bundled datasets (usable wherever a command takes DATA)."""
    from genlab.data.datasets import DATASETS

    for name, loader in DATASETS.items():
        ds = loader()
        shape = ds.image_shape or (ds.schema.n_columns,)
        labels = "labels" if ds.y is not None and ds.y_is_label else "no labels"
        print(f"{name:18s} {len(ds):6d} rows  shape {shape!s:10s} {labels:9s}  {ds.description}")


def _parse_sets(sets: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise InputError(f"--set expects key=value, got {item!r}")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw  # a bare string such as bandwidth=cv
    return params


@app.command()
def fit(
    family: Annotated[str, typer.Argument(help="Model family: kde, gmm (see FAMILIES).")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to save the model in.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Hyperparameter key=value (JSON value), repeatable."),
    ] = None,
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Column with class labels: the model becomes class-conditional. For bundled "
            "datasets use 'label'."
        ),
    ] = None,
    checkpoint_dir: Annotated[
        Path | None,
        typer.Option(help="Neural families: save a training checkpoint here every epoch."),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Neural families: continue from --checkpoint-dir after a kill.")
    ] = False,
    device: Annotated[
        str | None, typer.Option(help="Neural families: 'cpu' (default) or 'cuda'.")
    ] = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Fit a model FAMILY to DATA and save it to --out.

    Neural families scale out with PyTorch DDP:
    `torchrun --nproc-per-node 2 -m genlab fit FAMILY DATA -o DIR` (only rank 0 writes).
    """
    from genlab.core.registry import FAMILIES
    from genlab.data.sources import open_data
    from genlab.train import is_main_process

    state["quiet"] = quiet
    if family not in FAMILIES:
        raise InputError(f"unknown family {family!r}; available: {sorted(FAMILIES)}")
    _check_folder(out)
    _check_folder(checkpoint_dir, "--checkpoint-dir")
    cls = FAMILIES[family]
    params = _parse_sets(set_ or [])
    known = cls().get_params()
    training = {"checkpoint_dir": checkpoint_dir, "resume": resume or None, "device": device}
    for key, value in training.items():
        if value is None:
            continue
        if key not in known:
            raise InputError(f"--{key.replace('_', '-')} applies to neural families, not {family}")
        params[key] = str(value) if isinstance(value, Path) else value
    if "random_state" in known:
        params.setdefault("random_state", seed)
    if "progress" in known:
        params.setdefault("progress", not quiet)
    unknown = set(params) - set(known)
    if unknown:
        raise InputError(
            f"{family} has no hyperparameter(s) {sorted(unknown)}; it has {sorted(known)}"
        )
    ds = open_data(data, label_column=label_column)
    model = cls(**params)
    with _progress(f"Fitting {family} on {ds.name} ({len(ds)} rows)", "progress" not in known):
        model.fit(ds, ds.y)
    if is_main_process():  # under torchrun every rank trains; only rank 0 writes
        model.save(out)
        _say(f"Saved to {out}")


@app.command()
def sample(
    model_dir: ModelDir,
    out: Annotated[Path, typer.Option("--out", "-o", help=".csv, .parquet, .npy or .png grid.")],
    n: Annotated[int, typer.Option("-n", help="Number of samples.")] = 16,
    condition: Annotated[
        str | None,
        typer.Option(help="Class label to condition on ('all' = one row per class in a grid)."),
    ] = None,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Draw N samples from a saved model and write them to --out."""
    from genlab.core.persistence import load_model

    state["quiet"] = quiet
    model = load_model(model_dir)
    _check_out(out, model.schema_)
    cond: Any = None
    if condition == "all" and model.classes_ is not None:
        cond = np.repeat(model.classes_, n)
        n = len(cond)
    elif condition is not None:
        cond = _label_like(condition, model.classes_)
    with _progress(f"Sampling {n}"):
        X = model.sample(n, condition=cond, random_state=seed)
    ncols = len(cond) // len(model.classes_) if condition == "all" else None
    _write(X, out, model.schema_, ncols=ncols)
    _say(f"Wrote {n} samples to {out}")


@app.command()
def score(
    model_dir: ModelDir,
    data: Data,
    out: Annotated[
        Path, typer.Option("--out", "-o", help=".csv or .parquet with log p (and bits/dim).")
    ],
    quiet: Quiet = False,
) -> None:
    """Write log p(x) of every row of DATA (nats; bits/dim on discrete data) to --out."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data

    state["quiet"] = quiet
    model = load_model(model_dir)
    _check_out(out, formats=TABLE_FORMATS)
    ds = open_data(data)
    with _progress(f"Scoring {len(ds)} rows"):
        log_prob = model.log_prob(ds.X)
    table = pd.DataFrame({"log_prob_nats": log_prob})
    if model.schema_.is_discrete or model.schema_.container == "image":
        table["bits_per_dim"] = -log_prob / (model.n_features_in_ * np.log(2))
    _write(table, out, None)
    kind = "lower bound" if model.likelihood_is_bound else "exact"
    _say(f"mean log p = {log_prob.mean():.4f} nats ({kind}); wrote {out}")


@app.command()
def compare(
    paths: Annotated[
        list[str],
        typer.Argument(help="Saved model folders, then the held-out DATA (e.g. digits:test)."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the table as CSV.")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(help="Plot of per-example log-likelihood differences (.png, .pdf, .svg)."),
    ] = None,
    label_column: Annotated[
        str | None, typer.Option(help="Column of DATA with class labels for conditional models.")
    ] = None,
    confidence: Annotated[float, typer.Option(help="Level of the difference intervals.")] = 0.95,
    quiet: Quiet = False,
) -> None:
    """Compare saved models by held-out NLL on DATA, best first.

    Prints nats per example and bits/dim with standard errors, and the paired difference to
    the best model with its interval. Bounds are marked: a VAE's or a dequantized model's NLL
    is an upper bound, so compare it with care."""
    from genlab.jobs.density.compare import compare_saved

    state["quiet"] = quiet
    if len(paths) < 2:
        raise InputError("compare needs at least one model folder and then DATA")
    *model_dirs, data = paths
    if out is not None:
        _check_out(out, formats=(".csv",))
    if plot is not None:
        _check_out(plot, formats=(".png", ".pdf", ".svg"))
    with _progress(f"Scoring {len(model_dirs)} models on {data}"):
        table = compare_saved(
            model_dirs, data, label_column=label_column, confidence=confidence, plot=plot
        )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index_label="model")
    if not quiet:
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            print(table.drop(columns=["note"]).round(4).to_string())
        for name, note in table["note"].items():
            if note:
                print(f"{name}: {note}")
    _say(f"best: {table.index[0]}" + (f"; wrote {out}" if out else ""))


@app.command()
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
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Fill the missing entries of DATA from the model's conditional p(x_missing | x_observed).

    MODEL: a saved model (genlab fit) or imputer (--save of impute-select or of impute).
    """
    from genlab.core.checks import check_impute_request
    from genlab.core.model import GenerativeModel
    from genlab.data.sources import open_data
    from genlab.jobs.impute import impute as impute_task
    from genlab.jobs.impute import load_imputer
    from genlab.jobs.impute.bootstrap import Bootstrap

    state["quiet"] = quiet
    _check_multiple(multiple)
    check_impute_request(multiple, method)
    model = load_imputer(model_dir)
    _check_out(out, model.schema_)
    _check_folder(save, "--save")
    ds = open_data(data)
    rows = None if fit_data is None else open_data(fit_data).X
    refit_here = bool(bootstrap) and isinstance(model, GenerativeModel)  # a Stack bags itself
    if save is not None and not refit_here:
        raise InputError(
            "--save keeps the refits of a saved model: give --bootstrap B and a model folder "
            "(a saved imputer is kept already)"
        )
    options = {"bootstrap": bootstrap, "fit_data": rows, "n_jobs": n_jobs}
    if refit_here:  # fit the refits once, keep them
        model = Bootstrap(model, bootstrap, random_state=seed, n_jobs=n_jobs)
        _fit_imputer(model, ds.X if rows is None else rows, f"the {bootstrap} refits", save)
        options = {}
    with _progress(f"Imputing {len(ds)} rows ×{multiple}"):
        filled = impute_task(model, ds.X, multiple, method=method, random_state=seed, **options)
    _write_imputations(filled, out, multiple, files, model.schema_)


def _check_multiple(multiple: int) -> None:
    if multiple < 1:
        raise InputError(f"--multiple must be at least 1 (imputations to write), got {multiple}")


def _fit_imputer(imputer: Any, rows: Any, what: str, save: Path | None) -> None:
    """Fit a bootstrap ensemble or a stack of them on ``rows``; with ``save``, keep ``what``
    it holds there."""
    with _progress("Fitting the bootstrap refits"):
        imputer.fit(rows)
    if save is not None:
        _say(f"Saved {what} to {imputer.save(save)}")


def _write_imputations(filled: Any, out: Path, multiple: int, files: bool, schema: Any) -> None:
    """One completed dataset, or M as M files (``files``) or one long table / stacked .npy."""
    if multiple == 1:
        _write(filled, out, schema)
    elif files:
        for m, f in enumerate(filled, start=1):
            _write(f, out.with_name(f"{out.stem}-{m}{out.suffix}"), schema)
    elif out.suffix.lower() == ".npy":
        _write(np.stack(filled), out, schema)
    else:
        frames = [
            pd.DataFrame(_as_table(f, schema)).assign(imputation=m) for m, f in enumerate(filled)
        ]
        _write(pd.concat(frames, ignore_index=True), out, schema)
    _say(f"Wrote {out}")


@app.command("impute-select")
def impute_select(
    data: HolesData,
    out: ImputedOut,
    fit_data: Annotated[
        str | None,
        typer.Option(
            help="Complete training rows to fit the candidates on (default: DATA itself, "
            "holes and all)."
        ),
    ] = None,
    bootstrap: Annotated[
        int,
        typer.Option(help="Refits behind each hold-out score and each final imputation."),
    ] = 10,
    repeats: Annotated[
        int,
        typer.Option(help="Independent hold-outs pooled in every score (R times the fits)."),
    ] = 1,
    candidate: Annotated[
        list[Path] | None,
        typer.Option(
            "--candidate",
            "-c",
            help="A saved model folder whose settings are a candidate (repeatable; its fitted "
            "parameters are not used). Default: genlab's default candidates for DATA.",
        ),
    ] = None,
    stack: Annotated[
        bool,
        typer.Option(help="Impute with the candidates weighted by hold-out error (stacking)."),
    ] = True,
    multiple: Annotated[
        int,
        typer.Option(help="M > 1 writes M draws (OUT with an 'imputation' column); else means."),
    ] = 1,
    files: Files = False,
    save: Annotated[
        Path | None,
        typer.Option(
            help="Keep the fitted imputer (its refits) in this folder: 'genlab impute SAVE "
            "NEW_DATA' fills new rows with it, without refitting."
        ),
    ] = None,
    n_jobs: Annotated[
        int, typer.Option(help="Processes that score candidates and refit (-1: one per CPU).")
    ] = -1,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Choose an imputer for DATA by hold-out error, then fill DATA's holes with it.

    Hidden observed entries score each candidate, bagged over --bootstrap refits.

    Candidates: genlab's defaults for DATA, or the settings of saved models (--candidate).

    The best one, or with --stack (the default) their weighted stack, fills DATA.

    --save keeps the fitted imputer, for 'genlab impute SAVE NEW_DATA'.
    """
    from sklearn.base import clone

    from genlab.core.persistence import load_model
    from genlab.data.schema import infer_schema
    from genlab.data.sources import open_data
    from genlab.jobs.impute import impute as impute_task
    from genlab.jobs.impute.bootstrap import Bootstrap
    from genlab.jobs.impute.select import default_candidates, select_imputer

    state["quiet"] = quiet
    _check_multiple(multiple)
    method = "mean" if multiple == 1 else "sample"
    if bootstrap < 1:
        raise InputError(f"--bootstrap must be at least 1, got {bootstrap}")
    X = open_data(data).X
    _check_out(out, infer_schema(X))
    _check_folder(save, "--save")
    rows = None if fit_data is None else open_data(fit_data).X
    candidates = (
        {str(folder): clone(load_model(folder)) for folder in candidate}  # settings only
        if candidate
        else default_candidates(X, rows)
    )
    choice = select_imputer(
        candidates,
        X,
        n_repeats=repeats,
        bootstrap=bootstrap,
        fit_data=rows,
        random_state=seed,
        progress=not quiet,
        stack=stack,
        n_jobs=n_jobs,
    )
    _say(f"Hold-out RMSE ({choice.units}, {choice.n_entries} entries), * the best one:")
    for name, score in choice.scores.items():
        weight = f"  weight {choice.weights[name]:.2f}" if stack else ""
        _say(f"{'*' if name == choice.name else ' '} {score:.4f}{weight}  {name}")
    if stack:
        _say(f"  {choice.stacked_score:.4f}  the stack (scored on the entries that weighed it)")
    bagged = {"random_state": seed, "n_jobs": n_jobs}
    imputer = (
        choice.stack(candidates, bootstrap=bootstrap, **bagged)
        if stack
        else Bootstrap(candidates[choice.name], bootstrap, **bagged)
    )
    _fit_imputer(imputer, X if rows is None else rows, "the fitted imputer", save)
    with _progress(f"Imputing {len(X)} rows ×{multiple}"):
        filled = impute_task(imputer, X, multiple, method=method, random_state=seed)
    _write_imputations(filled, out, multiple, files, infer_schema(X))


@app.command()
def bench(
    suites: Annotated[
        list[str] | None, typer.Argument(help="Suites to run (default: all).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("runs/bench"),
    quick: Annotated[bool, typer.Option(help="Small sizes, for a smoke test.")] = False,
    quiet: Quiet = False,
) -> None:
    """Run benchmark suites; write results.json and report.md to --out."""
    from genlab.bench import run_suites

    state["quiet"] = quiet
    _check_folder(out)
    results = run_suites(suites, out, quick=quick, on_start=lambda s: _say(f"Running {s}…"))
    if not quiet:
        print((out / "report.md").read_text())
    _say(f"{len(results['rows'])} rows in {results['seconds']:.0f} s → {out}/results.json")


# =============================================================== output
def _label_like(text: str, classes: np.ndarray | None) -> Any:
    """A command-line label, converted to the type of the model's classes."""
    if classes is not None:
        for c in classes:
            if str(c) == text:
                return c
    return text


def _as_table(X: Any, schema: Any) -> Any:
    from genlab.data.rows import flatten_rows

    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(flatten_rows(X), columns=schema.names)


def _check_out(out: Path, schema: Any = None, formats: tuple[str, ...] = OUTPUT_FORMATS) -> None:
    """Refuse, before any work, an output path of a format that cannot be written (a .png of a
    table included, given the data's ``schema``)."""
    suffix = out.suffix.lower()
    if suffix not in formats:
        raise InputError(f"unknown output format {suffix!r} of {out}: use {', '.join(formats)}")
    if suffix == ".png" and schema is not None and schema.image_shape is None:
        raise InputError("a .png output needs images; use .csv, .parquet or .npy")


def _check_folder(path: Path | None, option: str = "--out") -> None:
    """Refuse, before any work, a folder option that names an existing file."""
    if path is not None and path.exists() and not path.is_dir():
        raise InputError(f"{option} {path} is a file, not a folder")


def _write(X: Any, out: Path, schema: Any, ncols: int | None = None) -> None:
    """Write X as .png (images), .npy, .csv or .parquet; ``schema`` names a table's columns."""
    from genlab.report.grids import save_image_grid

    _check_out(out, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".png":
        levels = schema.columns[0].levels if schema.columns[0].kind == "integer" else (0, 255)
        save_image_grid(out, np.asarray(X), levels=tuple(levels), ncols=ncols)
    elif suffix == ".npy":
        np.save(out, np.asarray(X), allow_pickle=False)
    elif suffix in (".csv", ".parquet"):
        table = _as_table(X, schema)
        table.to_csv(out, index=False) if suffix == ".csv" else table.to_parquet(out, index=False)


# ========================================================= representations
@app.command()
def encode(
    model_dir: Annotated[Path, typer.Argument(help="Folder of a saved model with latents.")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="Latents as .csv or .npy.")],
    label_column: Annotated[
        str | None,
        typer.Option(
            help="Column of DATA with class labels: written beside the latents, and "
            "the condition of a model fitted with labels. Bundled datasets: 'label'."
        ),
    ] = None,
    condition: Annotated[
        str | None, typer.Option(help="One class label to condition every row on.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Write the latent code of every row of DATA to --out (.csv or .npy).

    VAE and HierarchicalVAE: posterior means; Flow: z = f(x); GaussianMixture: cluster
    posteriors."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.represent import encode as encode_rows

    state["quiet"] = quiet
    model = load_model(model_dir)
    _check_out(out, formats=(".csv", ".npy"))
    ds = open_data(data, label_column=label_column)
    cond = _label_like(condition, model.classes_) if condition is not None else None
    if cond is None and model.classes_ is not None:
        cond = ds.y
    with _progress(f"Encoding {len(ds)} rows"):
        Z = encode_rows(model, ds.X, condition=cond)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".npy":
        np.save(out, Z, allow_pickle=False)
    else:
        table = pd.DataFrame(Z, columns=[f"z{j + 1}" for j in range(Z.shape[1])])
        if ds.y is not None:
            table["label"] = ds.y
        table.to_csv(out, index=False)
    _say(f"Wrote {Z.shape[0]} codes of {Z.shape[1]} dimensions to {out}")


@app.command()
def interpolate(
    model_dir: Annotated[Path, typer.Argument(help="Folder of a saved VAE or Flow.")],
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help=".png strip(s), .csv or .npy.")],
    pair: Annotated[
        list[str] | None,
        typer.Option(help="Row numbers I,J of DATA to walk between; repeat for more strips."),
    ] = None,
    steps: Annotated[int, typer.Option(help="Points per strip, ends included.")] = 8,
    method: Annotated[str, typer.Option(help="'slerp' (great circle) or 'lerp'.")] = "slerp",
    condition: Annotated[
        str | None, typer.Option(help="Class label, for a model fitted with labels.")
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Decode points on the latent path between pairs of rows of DATA (one strip per pair)."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.represent import interpolate as walk

    state["quiet"] = quiet
    model = load_model(model_dir)
    _check_out(out, model.schema_)
    ds = open_data(data)
    pairs = [_row_pair(p, len(ds)) for p in (pair or ["0,1"])]
    cond = None if condition is None else _label_like(condition, model.classes_)
    rows = (lambda i: ds.X.iloc[[i]]) if isinstance(ds.X, pd.DataFrame) else (lambda i: ds.X[i])
    with _progress(f"Interpolating {len(pairs)} pair(s), {steps} steps"):
        strips = [walk(model, rows(i), rows(j), steps, method, cond) for i, j in pairs]
    if isinstance(strips[0], pd.DataFrame):
        t = np.linspace(0, 1, steps)
        frames = [s.assign(pair=f"{i},{j}", t=t) for s, (i, j) in zip(strips, pairs, strict=True)]
        _write(pd.concat(frames, ignore_index=True), out, model.schema_)
    else:
        _write(np.concatenate([np.asarray(s) for s in strips]), out, model.schema_, ncols=steps)
    _say(f"Wrote {len(pairs)} strip(s) of {steps} to {out}")


def _row_pair(text: str, n: int) -> tuple[int, int]:
    """``"I,J"`` as two row numbers of a dataset with ``n`` rows."""
    try:
        i, j = (int(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--pair expects two row numbers I,J; got {text!r}") from None
    if not (0 <= i < n and 0 <= j < n):
        raise InputError(f"--pair {text}: rows must be in 0..{n - 1}")
    return i, j


@app.command()
def tour(
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("runs/tour"),
    fast: Annotated[
        bool, typer.Option("--fast", help="The one-minute version: small data, tiny models.")
    ] = False,
    budget: Annotated[
        float, typer.Option("--budget", help="Minutes for the whole tour; models train in shares.")
    ] = 8.0,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Every job of a generative model on the bundled data, in one report.

    Writes OUT/index.html (self-contained) and OUT/report.md, figures in OUT/figures; models
    are cached in OUT/models, so a second run reuses them."""
    from genlab.tour import TourConfig, run_tour

    state["quiet"] = quiet
    _check_folder(out)
    report = run_tour(TourConfig(out, fast=fast, budget_minutes=budget, seed=seed, quiet=quiet))
    failed = [s.title for s in report.sections if s.status == "failed"]
    _say(f"Report written to {out / 'index.html'} and {out / 'report.md'}")
    if failed:
        err.print(f"[red]error:[/red] failed sections: {', '.join(failed)}")
        raise typer.Exit(1)


@app.command()
def compress(
    model_dir: ModelDir,
    data: Data,
    out: Annotated[Path, typer.Option("--out", "-o", help="The compressed file (.glz).")],
    n_orders: Annotated[
        int | None, typer.Option(help="Orders mixed by bits-back (default: the model's).")
    ] = None,
    step: Annotated[
        float | None,
        typer.Option(
            help="Grid step of the continuous columns (required if there are any): each value "
            "is coded as round(x / step) and comes back as that multiple of step."
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Losslessly compress DATA with a saved model into one .glz file (continuous columns on
    the grid of --step)."""
    from genlab.core.persistence import load_model
    from genlab.data.sources import open_data
    from genlab.jobs.compress import compress as compress_data

    state["quiet"] = quiet
    model = load_model(model_dir)
    ds = open_data(data)
    with _progress(f"Compressing {len(ds)} rows"):
        blob = compress_data(model, ds.X, step=step, n_orders=n_orders)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(blob)
    n_values = int(np.asarray(model.schema_.encode(ds.X)).size)
    _say(f"Wrote {len(blob)} bytes ({8 * len(blob) / n_values:.3f} bits/value) to {out}")


@app.command()
def decompress(
    model_dir: Annotated[Path, typer.Argument(help="Folder of the model that compressed.")],
    file: Annotated[Path, typer.Argument(help="A .glz file from `genlab compress`.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder of PNGs, .csv, .parquet or .npy.")
    ],
    quiet: Quiet = False,
) -> None:
    """Decompress a .glz file; a folder --out gets one PNG per image, pixel-identical."""
    from genlab.core.persistence import load_model
    from genlab.jobs.compress import decompress as decompress_data

    state["quiet"] = quiet
    model = load_model(model_dir)
    if out.suffix:
        _check_out(out, model.schema_)
    else:
        _check_folder(out)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    with _progress(f"Decompressing {file.name}"):
        X = decompress_data(file.read_bytes(), model)
    if out.suffix:
        _write(X, out, model.schema_)
    else:  # a folder: one PNG per image, the decoded values as they are
        from genlab.data.readers import write_images

        write_images(out, np.asarray(X))
    _say(f"Wrote {len(X)} rows to {out}")


def run(*args: object) -> int:
    """Run ``genlab ARGS...`` in this process and return the exit code the shell would see
    (for notebooks and tests).

    Example:
        >>> run("fit", "no_such_family", "iris", "-o", "unused")
        2
    """
    argv = sys.argv
    sys.argv = ["genlab", *map(str, args)]
    try:
        main()
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        sys.argv = argv
    return 0


def main() -> None:
    """Entry point. Usage errors exit 2 (typer), genlab errors exit 2 with the message, file
    system errors exit 1 with theirs, and anything unexpected exits 1 with its traceback.
    Warnings print as ``warning: ...``: a source line (typer's, for a warning genlab
    attributes to its caller) means nothing here."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            app()
    except GenlabError as e:
        err.print(f"[red]error:[/red] {e}")
        sys.exit(2)
    except OSError as e:  # the file system said no (permissions, a full disk): not a bug
        err.print(f"[red]error:[/red] {escape(str(e))}")
        sys.exit(1)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(str(message))}")


if __name__ == "__main__":
    main()
