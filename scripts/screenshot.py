#!/usr/bin/env python3
"""Take a screenshot of a page with Playwright and Debian's Chromium, to look at it.

    python scripts/screenshot.py URL OUT.png [--width 390] [--height 844] [--full-page]

URL may also be a local file or a directory (a directory is served on 127.0.0.1 and
its index.html is shown; add --path /some/page/ to show another page of it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="http(s) URL, local HTML file, or a directory to serve")
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--width", type=int, default=390, help="viewport width (default 390)")
    parser.add_argument("--height", type=int, default=844, help="viewport height (default 844)")
    parser.add_argument("--full-page", action="store_true", help="capture the whole scrollable page")
    parser.add_argument("--scale", type=float, default=1, help="device scale factor (default 1)")
    parser.add_argument("--path", default="/", help="page to open when URL is a directory (default /)")
    parser.add_argument("--wait", type=int, default=0, metavar="MS", help="extra wait before the shot")
    return parser.parse_args(argv)


@contextlib.contextmanager
def resolve_url(target: str, path: str):
    local = Path(target)
    if "://" not in target and local.is_dir():
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from support.http import serve_directory

        with serve_directory(local) as base_url:
            yield base_url + "/" + path.lstrip("/")
    elif "://" not in target and local.exists():
        yield local.resolve().as_uri()
    else:
        yield target


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} not found: run `bash scripts/install-system-deps.sh`", file=sys.stderr)
        return 1
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with resolve_url(args.url, args.path) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height},
                device_scale_factor=args.scale,
            )
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                print(f"could not open {url}: {exc.message.splitlines()[0]}", file=sys.stderr)
                return 1
            with contextlib.suppress(Exception):
                page.evaluate("() => document.fonts.ready.then(() => true)")
            if args.wait:
                page.wait_for_timeout(args.wait)
            page.screenshot(path=str(args.out), full_page=args.full_page)
        finally:
            browser.close()
    status = response.status if response is not None else "-"
    print(f"{args.out} ({args.width}x{args.height}{', full page' if args.full_page else ''}) <- {url} [{status}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
