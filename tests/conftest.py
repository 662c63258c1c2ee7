"""Shared browser-test plumbing (Playwright + Debian's Chromium, axe-core, CJK fonts).

Site fixtures live in other test files / conftests; keep this one generic.

Fixtures (besides pytest-playwright's ``page``, ``context``, ``browser``):
  axe_path        Path to node_modules/axe-core/axe.min.js (skip; fail when CI=true).
  run_axe         run_axe(page, context=None, options=None) -> list of axe violations
                  (support.format_axe_violations(v) makes them readable in an assert message).
  cjk_fonts       list of font families fontconfig has for Chinese (skip; fail when CI=true).
  rendered_fonts  rendered_fonts(page, selector) -> {family: glyph count} Chromium really used.

Marker ``browser``: added automatically to any test that uses a Playwright fixture; a
browser test is skipped (failed when CI=true) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import require

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Fixtures from pytest-playwright that start a browser.
_PLAYWRIGHT_FIXTURES = {"page", "context", "new_context", "browser", "launch_browser"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: needs Chromium at /usr/bin/chromium (skipped when missing; a failure when CI=true)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _PLAYWRIGHT_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # A hook rather than an autouse fixture: it must run before pytest-playwright's
    # session-scoped ``browser`` fixture tries to launch a missing executable.
    if item.get_closest_marker("browser") is not None:
        require(
            CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
            f"{CHROMIUM} not found: run `bash scripts/install-system-deps.sh` "
            "(or `apt-get install chromium`)",
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_name: str) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at Debian's Chromium (Playwright can't download one)."""
    if browser_name != "chromium":
        return browser_type_launch_args
    return {
        "headless": True,  # --headed on the command line still wins
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*CHROMIUM_ARGS, *browser_type_launch_args.get("args", [])],
    }


@pytest.fixture(scope="session")
def axe_path() -> Path:
    """node_modules/axe-core/axe.min.js, installed by scripts/install-node-deps.sh."""
    require(
        AXE_PATH.is_file(),
        f"{AXE_PATH.relative_to(REPO_ROOT)} missing: run `bash scripts/install-node-deps.sh`",
    )
    return AXE_PATH


@pytest.fixture
def run_axe(axe_path: Path) -> Callable[..., list[dict[str, Any]]]:
    """run_axe(page, context=None, options=None): inject axe-core into the page, return its violations."""

    def run(page: Any, context: Any = None, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(axe_path))
        return page.evaluate(
            "async ([context, options]) => (await axe.run(context ?? document, options ?? {})).violations",
            [context, options],
        )

    return run


@pytest.fixture(scope="session")
def cjk_fonts() -> list[str]:
    """Font families fontconfig offers for Chinese (`fc-list :lang=zh`); none means tofu boxes."""
    families: list[str] = []
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout
        families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    require(
        bool(families),
        "no Chinese font installed (fc-list :lang=zh is empty): run "
        "`bash scripts/install-system-deps.sh` (or `apt-get install fonts-noto-cjk`)",
    )
    return families


@pytest.fixture
def rendered_fonts() -> Callable[[Any, str], dict[str, int]]:
    """rendered_fonts(page, selector) -> {font family: glyph count} Chromium used for the element's text.

    Asks Chromium itself (DevTools CSS.getPlatformFontsForNode), so it tells tofu from real glyphs.
    """

    def fonts(page: Any, selector: str) -> dict[str, int]:
        cdp = page.context.new_cdp_session(page)
        try:
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            if not node:
                raise LookupError(f"no element matches {selector!r}")
            result: dict[str, int] = {}
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
                result[font["familyName"]] = result.get(font["familyName"], 0) + font["glyphCount"]
            return result
        finally:
            cdp.detach()

    return fonts
