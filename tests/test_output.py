"""The output folder when builds are killed or run at the same time (issue 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.sites import make_site, run, tree

from site_builder.write import output


def _build(site: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "site_builder", "build", str(site), "-o", str(out), "-q", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_build_leaves_nothing_behind_after_the_next_one(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    # what a build killed mid-way (CI cancelled the job) leaves beside the output
    for name in (".out.new-424242", ".out.old-424243"):
        (tmp_path / name / "posts").mkdir(parents=True)
        (tmp_path / name / "posts" / "index.html").write_text("half", encoding="utf-8")
    (tmp_path / ".out.new-notapid").mkdir()  # not a build's folder: left alone
    code, _, err = run(capsys, "build", site, "-o", out, "-q")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.new-notapid", "out", "site"]


def test_a_build_killed_while_writing_is_cleared_by_the_next(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    published = tree(out)
    proc = _build(site, out, "--no-cache", "--jobs", "1")
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.new-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert tree(out) == published  # a killed build never touches the published output
    code, _, err = run(capsys, "build", site, "-o", out, "-q")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    assert tree(out) == published


def test_two_builds_into_one_output_wait_for_each_other(tmp_path):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    first, second = _build(site, out, "--no-cache"), _build(site, out, "--no-cache")
    results = [p.communicate(timeout=300) for p in (first, second)]
    for p, (_, err) in zip((first, second), results):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    clean = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "site_builder", "build", str(site), "-o", str(clean), "-q", "--no-cache"],
                   check=True)
    assert tree(out) == tree(clean)


def test_a_second_build_says_it_waits(tmp_path, capsys):
    folder = tmp_path / "held"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(1.5)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    with output.locked(folder / "x", tmp_path):  # tmp_path is held by the other process
        waited = time.monotonic() - start
    holder.communicate()
    err = capsys.readouterr().err
    assert waited > 0.5
    assert err.count("另一个构建正在使用") == 1 and str(tmp_path) in err


def test_locks_are_released_for_the_next_build_in_the_same_process(tmp_path, capsys):
    site = make_site(tmp_path)
    for n in range(2):
        code, _, err = run(capsys, "build", site, "-q")
        assert code == 0, err
        assert "另一个构建" not in err
    assert os.path.isdir(site / "output")
