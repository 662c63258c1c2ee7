"""The package's layout is its design: stages in order, no cycles, no import hidden in a function (issue 13).

``lint-imports`` (import-linter, contract in pyproject.toml) checks that each stage imports only the
stages before it; the other two checks are here because import-linter's layers do not look inside a
stage or inside functions.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "site_builder"
STAGES = ["content", "model", "printing", "pages", "render", "write", "incremental", "commands"]


def test_the_stages_are_the_folders_of_the_package():
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert folders == sorted(STAGES)
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and doc.startswith("Stage "), stage  # `ls` and each __init__ tell the order


def test_each_stage_imports_only_the_stages_before_it():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency (pip install -e '.[test]')"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.find_modules_directly_imported_by(module)):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_cycle():
    graph = grimp.build_graph("site_builder", cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    class Graph:
        modules = {"a", "b", "c"}

        @staticmethod
        def find_modules_directly_imported_by(module):
            return {"a": {"b"}, "b": {"a"}, "c": {"a"}}[module]

    assert _cycles(Graph) == [["a", "b"]]


def _late_imports(source: str) -> list[tuple[int, str]]:
    """Imports of site_builder's own modules inside a function or class body."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.level > 0 or (inner.module or "").startswith("site_builder")):
                found.append((inner.lineno, "." * inner.level + (inner.module or "")))
            elif isinstance(inner, ast.Import) and any(a.name.startswith("site_builder") for a in inner.names):
                found.append((inner.lineno, inner.names[0].name))
    return found


def test_no_import_of_our_own_modules_is_hidden_in_a_function():
    late = {str(path.relative_to(ROOT)): hits for path in sorted(PACKAGE.rglob("*.py"))
            if (hits := _late_imports(path.read_text(encoding="utf-8")))}
    assert late == {}


def test_the_late_import_finder_finds_one():
    assert _late_imports("import os\n\ndef f():\n    from ..model import stars\n    import json\n") == [(4, "..model")]
