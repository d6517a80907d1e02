"""The ``genlab`` app run in-process through ``main``: commands, help and exit codes."""

from __future__ import annotations

import pytest

from genlab.cli import COMMANDS, run


def test_bad_input_exits_2_with_a_message(tmp_path, capsys):
    assert run("fit", "nope", "digits", "-o", tmp_path / "m") == 2
    assert "unknown family" in capsys.readouterr().err
    assert run("fit", "kde", "no_such_data", "-o", tmp_path / "m") == 2
    assert run("fit", "kde", "iris", "-o", tmp_path / "m", "--set", "bogus=1") == 2
    assert "no hyperparameter" in capsys.readouterr().err
    assert run("sample", tmp_path / "missing", "-o", tmp_path / "s.csv") == 2
    (tmp_path / "empty.csv").write_text("")
    assert run("fit", "kde", tmp_path / "empty.csv", "-o", tmp_path / "m") == 2
    assert run("fit") == 2  # usage error


def test_datasets_and_help(capsys):
    assert run("datasets") == 0
    out = capsys.readouterr().out
    assert "digits" in out and "concentric_rings" in out
    assert run("--help") == 0
    assert "impute" in capsys.readouterr().out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_has_help(command, capsys):
    assert run(command, "--help") == 0
    assert "--help" in capsys.readouterr().out
