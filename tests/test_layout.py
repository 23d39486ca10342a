"""The project's shape, checked: arrows point one way, SQL lives in layers/, code stays small.

DESIGN.md: geo/ and web/services/ never import Flask; nothing outside layers/ speaks
SQL; no function outside tests is over 60 lines and no module over 400.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "layers", "data", "web")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400
SQL = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|SAVEPOINT|"
                 r"CREATE\s+TABLE|ALTER\s+TABLE|ST_\w+\()", re.S)


def sources(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if "node_modules" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("path", [p for p in sources("geo", "web/services", "layers", "data")
                                  if p != ROOT / "layers" / "db.py"], ids=str)
def test_no_flask_below_the_adapters(path):
    """geo/, layers/, data/ and web/services/ run without Flask (layers/db.py alone holds the
    request-connection hook, as flaskr's db.py does, importing Flask only inside it)."""
    flask = {m for m in imported_modules(path) if m.split(".")[0] in ("flask", "flask_login", "flask_wtf")}
    assert not flask, f"{path.relative_to(ROOT)} imports {flask}"


@pytest.mark.parametrize("path", sources("geo"), ids=str)
def test_geo_is_pure(path):
    """geo/ opens no connection and knows nothing of the storage or the web."""
    bad = {m for m in imported_modules(path) if m.split(".")[0] in ("layers", "web", "data", "psycopg2")}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", [p for p in sources("geo", "data", "web")], ids=str)
def test_sql_only_in_layers(path):
    """No SQL text outside layers/: callers use named functions."""
    found = [(line, text[:60]) for line, text in strings(path) if SQL.search(text)]
    assert not found, f"{path.relative_to(ROOT)} holds SQL: {found}"
    assert ".execute(" not in path.read_text(encoding="utf-8"), path


def test_web_services_take_no_request():
    """Services take plain values: no request, current_app, current_user or abort."""
    for path in sources("web/services"):
        text = path.read_text(encoding="utf-8")
        for name in ("request", "current_app", "current_user", "abort("):
            assert not re.search(rf"\b{re.escape(name)}", text), (path, name)


@pytest.mark.parametrize("path", sources(*PACKAGES), ids=str)
def test_functions_and_modules_stay_small(path):
    text = path.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)}: {lines} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_FUNCTION_LINES, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {size} lines"
