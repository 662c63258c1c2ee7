"""The verbs of the command line, each registered by its own module with :func:`verb`, and what they share."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ..content.formats import check_base_url
from . import reports

VERBS: dict[str, tuple[str, callable, callable]] = {}

# The module of each verb, in the order the verbs are listed: :func:`load` imports a verb's module when
# the verb is run (a build does not load the PDF maker, the importer or the server), or all of them.
MODULES = {"build": "build", "check": "build", "new": "new", "import": "importing", "pdf": "pdf", "serve": "serve"}


def load(names=MODULES) -> dict[str, tuple[str, callable, callable]]:
    """Register the verbs ``names`` (default: all) by importing their modules; the registered verbs of
    ``names`` in the order of :data:`MODULES`."""
    for module in dict.fromkeys(MODULES[name] for name in names):
        importlib.import_module(f"{__package__}.{module}")
    return {name: VERBS[name] for name in MODULES if name in names}


def verb(name: str, help: str):
    """Register a verb: ``configure(parser)`` adds its options, the decorated function runs it."""
    def wrap(configure):
        def attach(run):
            VERBS[name] = (help, configure, run)
            return run
        return attach
    return wrap


def site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site", nargs="?", default=".", type=Path,
                        help="站点文件夹（含 content/），默认当前文件夹 / the site folder, default .")


def report(problems, stream=None, fmt: str = "text", site: Path = Path(".")) -> None:
    """Print problems: text on stderr; github annotations, json, markdown on stdout (see reports.py)."""
    summary = f"发现 {len(problems)} 个问题"
    if fmt == "github":
        prefix = reports.site_prefix(site)
        if len(problems) > reports.GITHUB_ANNOTATIONS:
            print(reports.github_notice(len(problems)), file=stream or sys.stdout)
        for problem in problems:
            print(reports.github_line(problem, prefix), file=stream or sys.stdout)
    elif fmt == "json":
        print(reports.as_json(problems, summary, site), file=stream or sys.stdout)
    elif fmt == "markdown":
        print(reports.markdown(problems, summary, prefix=reports.site_prefix(site)), end="", file=stream or sys.stdout)
    elif fmt == "gitlab":
        print(reports.gitlab(problems, reports.site_prefix(site)), file=stream or sys.stdout)
    else:
        for problem in problems:
            print(problem.format(), file=stream or sys.stderr)


def base_url_arg(text: str) -> str:
    """argparse type of --base-url: the same rule as site.yaml's base_url."""
    text = text if text.endswith("/") else text + "/"
    problem = check_base_url(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def jobs_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` 不是正整数")
    return value


def speed_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=jobs_arg, metavar="N",
                   help="同时使用的进程数，默认为全部 CPU 核心 / processes to use (default: all cores)")
    p.add_argument("--no-cache", action="store_true",
                   help="不使用也不保存构建缓存（SITE/.site-builder-cache/），从头生成 / build from scratch")
