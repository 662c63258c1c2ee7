"""The progress line: on a terminal only, only for builds over a second, cleared at the end."""

from __future__ import annotations

import io

from site_builder.commands.progress import Progress
from support.sites import make_site, run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_build_on_a_terminal_shows_its_progress_and_clears_it():
    out = Terminal()
    progress = Progress(out, delay=0, interval=0)
    progress("render", 500, 17_836)
    progress("render", 17_836, 17_836)
    assert "生成页面 / rendering 17,836 / 17,836" in out.getvalue()
    progress.close()
    assert out.getvalue().endswith("\r")


def test_silent_when_short_or_not_a_terminal():
    short = Terminal()
    Progress(short, delay=60)("render", 1, 2)
    piped = io.StringIO()
    Progress(piped, delay=0)("render", 1, 2)
    assert short.getvalue() == "" and piped.getvalue() == ""


def test_verbose_prints_the_time_of_each_stage(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "build", site, "-o", tmp_path / "out", "-v")
    assert code == 0
    for stage in ("load", "model", "views", "render", "write"):
        assert f"  {stage}" in out
    assert "\r" not in err  # not a terminal: no progress line
