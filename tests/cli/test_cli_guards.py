"""Every command that writes refuses, before any work, an output that is one of its inputs
(a symlink to it included); outputs carry their format's suffix; refusals are exit code 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genlab.cli import run


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("guards")
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(40, 2)), columns=["a", "b"]).to_csv(d / "x.csv", index=False)
    assert run("fit", "gmm", d / "x.csv", "-o", d / "m", "--set", "n_components=1", "-q") == 0
    (d / "x.glz").write_bytes(b"any bytes: the refusal comes before reading it")
    return d


def _err(capsys):
    """stderr with rich's line wrapping undone."""
    return " ".join(capsys.readouterr().err.split())


def _commands(d, out):
    """(argv, what the output replaces) for every command that writes, ``out`` as output."""
    return [
        ("fit", "gmm", d / "x.csv", "-o", out),
        ("impute", d / "m", d / "x.csv", "-o", out),
        ("impute", d / "m", d / "x.csv", "-o", out, "--multiple", "2", "--files"),
        ("impute-select", d / "x.csv", "-o", out, "--bootstrap", "1"),
        ("score", d / "m", d / "x.csv", "-o", out),
        ("compare", d / "m", d / "m", d / "x.csv", "-o", out),
        ("sample", d / "m", "-n", "3", "-o", out),
        ("compress", d / "m", d / "x.csv", "-o", out, "--step", "0.01"),
        ("decompress", d / "m", d / "x.glz", "-o", out),
        ("encode", d / "m", d / "x.csv", "-o", out),
        ("interpolate", d / "m", d / "x.csv", "-o", out),
    ]


def _inputs(d):
    return {"x.csv": d / "x.csv", "x.glz": d / "x.glz", "m": d / "m"}


@pytest.mark.parametrize("index", range(11))
@pytest.mark.parametrize("via_link", [False, True])
def test_no_command_writes_over_its_input(setup, index, via_link, capsys, tmp_path):
    d = setup
    before = {p: (p.read_bytes() if p.is_file() else sorted(p.iterdir())) for p in d.iterdir()}
    argv = _commands(d, d / "PLACEHOLDER")[index]
    inputs = [a for a in argv[1:] if hasattr(a, "exists") and a.exists()]
    for target in inputs:
        out = target
        if via_link:
            out = tmp_path / f"link{target.suffix}"
            out.unlink(missing_ok=True)
            out.symlink_to(target)
        args = [out if a == d / "PLACEHOLDER" else a for a in argv]
        if "--files" in args:
            continue  # --files writes OUT-1, OUT-2: tested below
        capsys.readouterr()
        assert run(*args, "-q") == 2, args
        assert "is the input" in _err(capsys)
    after = {p: (p.read_bytes() if p.is_file() else sorted(p.iterdir())) for p in d.iterdir()}
    assert before == after


def test_files_names_are_checked_and_printed_as_written(setup, tmp_path, capsys):
    d = setup
    (tmp_path / "h.csv").write_text("a,b\n1.0,\n,2.5\n0.5,0.1\n")
    (tmp_path / "h-2.csv").symlink_to(tmp_path / "h.csv")
    args = ("impute", d / "m", tmp_path / "h.csv", "--multiple", "3", "--files", "-o")
    assert run(*args, tmp_path / "h.csv") == 2  # OUT-2 would be the input
    assert "is the input" in _err(capsys)
    assert run(*args, tmp_path / "o.csv") == 0
    err = _err(capsys).replace(" ", "")
    for m in (1, 2, 3):
        assert (tmp_path / f"o-{m}.csv").exists() and f"o-{m}.csv" in err
    assert "/o.csv" not in err  # no name that was not written  # no name that was not written
    assert not (tmp_path / "o.csv").exists()


def test_outputs_carry_their_suffix(setup, tmp_path, capsys):
    d = setup
    assert run("compress", d / "m", d / "x.csv", "-o", tmp_path / "x.csv", "--step", "0.1") == 2
    assert "name it" in _err(capsys) and not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (("sample", "{m}", "-n", "100000000000", "-o", "{t}/s.csv"), "would need"),
        (("interpolate", "{m}", "{x}", "--steps", str(10**12), "-o", "{t}/i.csv"), "would need"),
        (("sample", "{m}", "--seed", "-1", "-o", "{t}/s.csv"), "greater than or equal to 0"),
        (("fit", "gmm", "{x}", "--device", "tpu", "-o", "{t}/f"), "not a device"),
    ],
)
def test_bad_requests_exit_2_before_any_work(setup, tmp_path, capsys, argv, message):
    names = {"m": setup / "m", "x": setup / "x.csv", "t": tmp_path}
    args = [a.format(**names) for a in argv]
    assert run(*args) == 2
    assert message in _err(capsys)
    assert not any(tmp_path.iterdir())
