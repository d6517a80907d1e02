"""Paste the ``code-compress`` suite's tables into README.md between its markers.

Usage: python tools/readme_code_compress.py runs/code-compress

The tables come from ``DIR/results.json`` of ``genlab bench code-compress --out DIR``: bits
per byte of every held-out file for genlab and each standard compressor, then genlab's other
measures and the issue's targets, so every number in that README block is one the suite
printed. What the run did (trained or reused the model, and how training stopped) is read
from the rows' notes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

START, END = "<!-- code-compress table -->", "<!-- /code-compress table -->"
GENLAB = "genlab.SequenceModel"
ALL = "all held-out files"
BASELINES = ("gzip-9", "bz2-9", "xz-9e", "zstd-19")


def _value(rows: list[dict], metric: str, dataset: str | None = None) -> dict:
    (found,) = [
        r
        for r in rows
        if r["method"] == GENLAB and r["metric"] == metric and dataset in (None, r["dataset"])
    ]
    return found


def bits_table(rows: list[dict]) -> list[str]:
    """One line per held-out file: genlab's bits/byte and each compressor's, best in bold."""
    bits = {(r["dataset"], r["method"]): r["value"] for r in rows if r["metric"] == "bits_per_byte"}
    files = [ALL, *sorted({d for d, _ in bits if d != ALL})]
    methods = (GENLAB, *BASELINES)
    lines = ["| held-out file | " + " | ".join(methods) + " |", "|---" * (len(methods) + 1) + "|"]
    for name in files:
        values = [bits[(name, m)] for m in methods]
        cells = [f"**{v:.3f}**" if v == min(values) else f"{v:.3f}" for v in values]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def measures_table(rows: list[dict]) -> list[str]:
    """genlab's other measures: ideal bits, round trip, speed, size, training, completion."""
    speed = [_value(rows, m, ALL)["value"] for m in ("encode_bytes_per_s", "decode_bytes_per_s")]
    train = _value(rows, "train_seconds")
    parse = _value(rows, "ast_parse_share")
    exact = _value(rows, "roundtrip_exact", ALL)["value"] == 1
    return [
        f"| {GENLAB} | value |",
        "|---|---|",
        f"| ideal bits/byte (−log2 p from `log_prob`, all files) | "
        f"{_value(rows, 'ideal_bits_per_byte', ALL)['value']:.3f} |",
        f"| exact round trip | {'yes' if exact else 'NO'} |",
        f"| encode / decode speed (bytes/s, all files in one call) | {speed[0]:.0f} / "
        f"{speed[1]:.0f} |",
        f"| parameters | {_value(rows, 'parameters')['value']:.0f} |",
        f"| training seconds | {train['value']:.0f} ({train['note'].split(';')[0]}) |",
        f"| ast_parse_share (held-out functions) | {parse['value']:.2f} ({parse['note']}) |",
        f"| continuation bits/byte (true bodies given the prompts) | "
        f"{_value(rows, 'continuation_bits_per_byte')['value']:.3f} |",
    ]


def block(out: str) -> str:
    results = json.loads((Path(out) / "results.json").read_text())
    rows, m = results["rows"], results["machine"]
    head = (
        f"`genlab bench code-compress --out {out}` — genlab {results['genlab_version']}, torch "
        f"{m.get('torch')}, {m.get('cpus')} CPUs, {results['seconds']:.0f} s in all. Bits per "
        "byte of the actual compressed files (lower is better):"
    )
    targets = "; ".join(f"{r['dataset']}: {r['note']}" for r in rows if r["metric"] == "target_met")
    body = [head, "", *bits_table(rows), "", *measures_table(rows), "", f"Targets: {targets}."]
    return "\n".join(body)


def main(out: str) -> None:
    readme = Path("README.md")
    text = readme.read_text()
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(before + START + "\n\n" + block(out) + "\n" + END + after)


if __name__ == "__main__":
    main(sys.argv[1])
