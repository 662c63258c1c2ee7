"""Too deep YAML gets site-builder's own message, at the same position, with every PyYAML pyproject allows.

PyYAML 6.0.4's wheels bundle a libyaml that stops at 1,000 levels by itself ("exceeded maximum nesting
depth"), and its scanner reads up to 1,024 characters ahead, so ``"[" * 50000`` reached that limit
before yamlio's own check of 100 levels saw the 101st; PyYAML 6.0.3 has no such limit. The expected
positions below are the 101st level's, whichever PyYAML is installed (scripts/test.sh runs the suite
with the locked one, ``scripts/test.sh --newest`` with the newest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from site_builder.content import strict_yaml as yamlio

ROOT = Path(__file__).resolve().parents[1]
TOO_DEEP = "嵌套太深（超过 100 层）：请检查括号 [ ] { } 是否配对、缩进是否正确。"

CASES = {  # text -> (line, column) of the 101st level
    "brackets, tight": ("name: " + "[" * 50_000, (1, 106)),
    "brackets, no key": ("[" * 5_000, (1, 101)),
    "brackets after other lines": ("month: 2025-02\nnote: 文字\nposts: " + "[" * 50_000, (3, 107)),
    "brackets, exactly libyaml's limit": ("a: " + "[" * 1_000 + "]" * 1_000, (1, 103)),
    "braces": ("a: " + "{" * 3_000, (1, 103)),
    "flow mappings with keys": ("month: 2025-01\nposts: " + "{a: " * 20_000, (2, 404)),
    "spaced brackets": ("a: " + "[ " * 3_000, (1, 202)),
    "block mappings": ("".join("  " * i + f"k{i}:\n" for i in range(300)), (101, 201)),
    "block sequences on one line": ("- " * 3_000 + "x\n", (1, 201)),
}


@pytest.mark.parametrize("text,where", CASES.values(), ids=CASES.keys())
def test_too_deep_is_our_message_at_the_101st_level(text, where):
    with pytest.raises(yamlio.YamlError) as caught:
        yamlio.load(text)
    assert (caught.value.line, caught.value.col, caught.value.message) == (*where, TOO_DEEP), \
        f"PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})"


def test_a_hundred_levels_are_accepted():
    node = yamlio.load("a: " + "[" * 99 + "x" + "]" * 99)
    depth = 0
    while node.kind != "scalar":
        node = node.value["a"][1] if node.kind == "map" else node.value[0]
        depth += 1
    assert depth == 100


def test_libyaml_limit_is_translated_wherever_it_shows():
    """Should libyaml's own nesting error reach the general translation (any parser, any position),
    the author still reads the product's message with PyYAML's line and column, never English."""
    mark = yaml.Mark("<unicode string>", 1006, 0, 1006, None, None)
    exc = yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
    error = yamlio._translate(exc, "name: " + "[" * 2000)
    assert (error.line, error.col, error.message) == (1, 1007, TOO_DEEP)


def test_check_prints_our_message_and_exits_1(tmp_path):
    """The whole command, as an editor sees it: file:line:column, the message, exit code 1."""
    site = tmp_path / "site"
    (site / "content" / "members").mkdir(parents=True)
    (site / "content" / "site.yaml").write_text("title: x\n", encoding="utf-8")
    (site / "content" / "members" / "li-ming.yaml").write_text("name: " + "[" * 50_000, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "site_builder", "check", str(site)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"content/members/li-ming.yaml:1:106: {TOO_DEEP}" in proc.stderr.splitlines(), proc.stderr
    assert "exceeded" not in proc.stderr and "Traceback" not in proc.stderr
