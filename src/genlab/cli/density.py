"""``genlab score`` (log p of every row) and ``genlab compare`` (saved models ranked by
held-out likelihood)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from genlab.cli.guards import NaValues, check_not_inputs
from genlab.cli.options import (
    TABLE_FORMATS,
    Data,
    ModelDir,
    Quiet,
    check_out,
    is_quiet,
    progress,
    say,
)
from genlab.core.errors import InputError
from genlab.jobs.generate import write_samples


def score(
    model_dir: ModelDir,
    data: Data,
    out: Annotated[
        Path, typer.Option("--out", "-o", help=".csv or .parquet with log p (and bits/dim).")
    ],
    na_values: NaValues = None,
    quiet: Quiet = False,
) -> None:
    """Write log p(x) of every row of DATA (nats; bits/dim on discrete data) to --out."""
    from genlab.core.persistence import load_model
    from genlab.core.units import bits_per_dim
    from genlab.data.sources import open_data

    model = load_model(model_dir)
    check_not_inputs([out], [model_dir, data])
    check_out(out, formats=TABLE_FORMATS)
    ds = open_data(data, na_values=na_values or ())
    with progress(f"Scoring {len(ds)} rows"):
        log_prob = model.log_prob(ds.X)
    table = pd.DataFrame({"log_prob_nats": log_prob})
    if model.schema_.is_discrete or model.schema_.container == "image":
        table["bits_per_dim"] = bits_per_dim(log_prob, model.n_features_in_)
    write_samples(table, out, None)
    kind = "lower bound" if model.likelihood_is_bound else "exact"
    say(f"mean log p = {log_prob.mean():.4f} nats ({kind}); wrote {out}")


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
    na_values: NaValues = None,
    quiet: Quiet = False,
) -> None:
    """Compare saved models by held-out NLL on DATA, best first.

    Prints nats per example and bits/dim with standard errors, and the paired difference to
    the best model with its interval. Bounds are marked: a VAE's or a dequantized model's NLL
    is an upper bound, so compare it with care."""
    from genlab.jobs.density.compare import compare_saved

    if len(paths) < 2:
        raise InputError("compare needs at least one model folder and then DATA")
    *model_dirs, data = paths
    check_not_inputs([out, plot], paths)
    if out is not None:
        check_out(out, formats=(".csv",))
    if plot is not None:
        check_out(plot, formats=(".png", ".pdf", ".svg"))
    with progress(f"Scoring {len(model_dirs)} models on {data}"):
        table = compare_saved(
            model_dirs,
            data,
            label_column=label_column,
            confidence=confidence,
            plot=plot,
            na_values=na_values or (),
        )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index_label="model")
    if not is_quiet():
        _print_table(table)
    say(f"best: {table.index[0]}" + (f"; wrote {out}" if out else ""))


def _print_table(table: Any) -> None:
    """The comparison on stdout, then each model's note (a bound, a caveat) under it."""
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.drop(columns=["note"]).round(4).to_string())
    for name, note in table["note"].items():
        if note:
            print(f"{name}: {note}")
