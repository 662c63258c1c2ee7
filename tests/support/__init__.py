"""Helpers shared by the test suite (importable as ``support`` — pyproject puts tests/ on sys.path)."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True when running under CI (env CI == "true"): missing tools are failures there."""
    return os.environ.get("CI") == "true"


def require(condition: bool, message: str) -> None:
    """Skip the current test when ``condition`` is false; fail it instead under CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def format_axe_violations(violations: list[dict]) -> str:
    """A readable summary of axe-core violations, for assertion messages."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])]
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} -> {targets}")
    return "\n".join(lines)
