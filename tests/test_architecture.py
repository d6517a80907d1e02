"""The layout's rules, checked on the source: no import cycle (module-level and function-level
imports alike), layers import downwards only, jobs never import a concrete family or read a
model's private state, and files and functions stay small."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "genlab"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60

#: Fitted attributes that the model interface documents (everything else ending in ``_`` is
#: a family's private state as far as jobs are concerned).
PUBLIC_FITTED = {
    "schema_",
    "classes_",
    "class_log_prior_",
    "n_features_in_",
    "train_result_",
    "model_",  # GenerativeClassifier / AnomalyDetector / Auto: the fitted inner model
    "models_",  # GenerativeClassifier: one model per class for a family that cannot condition
    "best_family_",  # Auto
    "scores_",  # Auto, select_imputer
}
#: Layers that must not import the ones above them.
LOWER = ("genlab.core", "genlab.data", "genlab.nn", "genlab.train")
UPPER = ("genlab.models", "genlab.jobs", "genlab.cli", "genlab.tour", "genlab.bench")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(_modules()[name].read_text())


def _resolve(name: str, imported: str, level: int, is_package: bool) -> str:
    if level:  # relative import
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (level - 1)]
        return ".".join([*base, imported] if imported else base)
    return imported


def _imports(name: str) -> set[str]:
    """Every genlab module that ``name`` imports, wherever the import statement stands."""
    modules, out = _modules(), set()
    is_package = _modules()[name].name == "__init__.py"
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("genlab"))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node.module or "", node.level, is_package)
            if not base.startswith("genlab"):
                continue
            for alias in node.names:  # ``from genlab.a import b`` imports module a.b if it is one
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in modules else base)
    return {m for m in out if m in modules and m != name}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {m: _imports(m) for m in _modules()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    # the test above must be able to fail: a cycle planted in the graph is reported
    real = _imports

    def planted(name: str) -> set[str]:
        extra = {"genlab.core.model"} if name == "genlab.core.errors" else set()
        return real(name) | extra

    monkeypatch.setitem(globals(), "_imports", planted)
    assert any("genlab.core.errors" in c for c in _cycles())


def test_lower_layers_never_import_upper_ones():
    wrong = [
        (m, i)
        for m in _modules()
        if m.startswith(LOWER)
        for i in _imports(m)
        if i.startswith(UPPER)
    ]
    assert wrong == []


def test_jobs_never_import_a_concrete_family():
    wrong = [
        (m, i)
        for m in _modules()
        if m.startswith("genlab.jobs")
        for i in _imports(m)
        if i.startswith("genlab.models.") and i != "genlab.models.neural"
    ]
    assert wrong == []


@cache
def _family(module: str) -> str | None:
    """``genlab.models.<family>.x`` -> ``<family>``; None outside a family's folder."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["genlab", "models"]:
        return parts[2] if (PACKAGE / "models" / parts[2]).is_dir() else None
    return None


def test_a_family_never_imports_another_family():
    wrong = [
        (m, i)
        for m in _modules()
        if _family(m)
        for i in _imports(m)
        if _family(i) and _family(i) != _family(m)
    ]
    assert wrong == []


@cache
def _model_private_names() -> tuple[set[str], set[str]]:
    """What the families hold privately: fitted attributes they set (``self.x_ = ...``) that
    the interface does not document, and their underscore methods and attributes."""
    fitted, private = set(), set()
    for m in _modules():
        if not m.startswith(("genlab.models", "genlab.core")):
            continue
        for node in ast.walk(_tree(m)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and isinstance(node.ctx, ast.Store)
                and node.attr.endswith("_")
                and not node.attr.startswith("__")
            ):
                fitted.add(node.attr)
            name = getattr(node, "name", "")
            if isinstance(node, ast.FunctionDef) and name[:1] == "_" and name[:2] != "__":
                private.add(name)
    return fitted - PUBLIC_FITTED, private


def _private_reads(name: str) -> list[str]:
    """Reads of a family's undocumented fitted state or private hooks, on anything but self."""
    fitted, private = _model_private_names()
    found = []
    for node in ast.walk(_tree(name)):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        if node.attr in fitted or node.attr in private:
            found.append(f"{name}:{node.lineno} .{node.attr}")
    return found


@pytest.mark.parametrize("layer", ["genlab.jobs", "genlab.bench", "genlab.tour", "genlab.cli"])
def test_jobs_suites_tour_and_cli_read_no_private_model_state(layer):
    reads = [r for m in _modules() if m.startswith(layer) for r in _private_reads(m)]
    assert reads == []


def test_files_stay_small():
    big = {
        m: n
        for m, p in _modules().items()
        if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES
    }
    assert big == {}


def _body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = fn.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(
        getattr(first, "value", None), ast.Constant
    )
    start = fn.body[1].lineno if has_doc and len(fn.body) > 1 else first.lineno
    return fn.end_lineno - start + 1


def test_functions_stay_small():
    long = [
        f"{m}.{node.name}: {n}"
        for m in _modules()
        for node in ast.walk(_tree(m))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (n := _body_lines(node)) > MAX_FUNCTION_LINES
    ]
    assert long == []
