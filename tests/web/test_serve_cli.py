"""``genlab serve``: options checked, a warning for a non-local host; the tour report's link."""

from __future__ import annotations

import uvicorn

from genlab.cli import run
from genlab.report.html import Report, Section, render_html, render_markdown


def test_serve_binds_locally_by_default_and_warns_for_another_host(monkeypatch, capsys, models_dir):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert run("serve", "--models", models_dir) == 0
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8000
    assert "warning" not in capsys.readouterr().err
    assert run("serve", "--host", "0.0.0.0", "--port", "8123", "--models", models_dir) == 0
    assert calls[-1] == {"host": "0.0.0.0", "port": 8123, "log_level": "warning"}
    assert "warning: binding to 0.0.0.0" in capsys.readouterr().err


def test_serve_refuses_bad_options_before_starting(monkeypatch, tmp_path, models_dir):
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: (_ for _ in ()).throw(AssertionError))
    assert run("serve", "--port", "0", "--models", models_dir) == 2
    (tmp_path / "file").write_text("x")
    assert run("serve", "--models", tmp_path / "file") == 2
    assert run("serve", "--max-upload-mb", "0", "--models", models_dir) == 2


def test_serve_passes_the_upload_limit_to_the_app(monkeypatch, models_dir):
    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    assert run("serve", "--max-upload-mb", "2", "--timeout", "7", "--models", models_dir) == 0
    assert apps[-1].max_bytes == 2 * 1024 * 1024 and apps[-1].timeout == 7


def test_tour_style_report_links_the_playground():
    report = Report("t", [Section("a", "A", "x")], playground=True)
    page, md = render_html(report, "."), render_markdown(report)
    for text in (page, md):
        assert "genlab serve" in text and "127.0.0.1:8000" in text
    assert "genlab serve" not in render_html(Report("t", [Section("a", "A", "x")]), ".")
