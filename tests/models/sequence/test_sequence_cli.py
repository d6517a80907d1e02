"""``genlab fit sequence DATA -o DIR`` and ``genlab sample DIR --prompt ...``."""

from __future__ import annotations

import json

from genlab.cli import run


def test_fit_and_sample_a_sequence_model_from_the_command_line(tmp_path, capsys):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "a.py").write_text("def f(x):\n    return x\n" * 40)
    model = tmp_path / "seq"
    sets = ["--set", "context=32", "--set", "width=16", "--set", "depth=1", "--set", "heads=2"]
    assert (
        run("fit", "sequence", tmp_path / "code", "-o", model, *sets, "--set", "max_epochs=1", "-q")
        == 0
    )
    capsys.readouterr()
    out = tmp_path / "s.jsonl"
    args = ("sample", model, "--prompt", "def f(", "-n", "3", "--max-new-tokens", "10")
    assert run(*args, "-o", out, "-q") == 0
    assert capsys.readouterr().out.count("def f(") == 3
    assert len([json.loads(line) for line in out.read_text().splitlines()]) == 3
    assert run("sample", model, "-n", "2", "-o", tmp_path / "s.csv", "-q") != 0
