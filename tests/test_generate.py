"""The benchmark corpus generator (benchmarks/generate.py): valid, consistent, deterministic."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "generate.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

N = 20
ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
LINK_RE = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
DIMENSIONS = ("politics", "performance", "service", "exemplary")
SOURCES = ("self", "public", "organisation")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "site"
    result = run_cli("--posts", str(N), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out / "content"


def load_yaml(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text
    return yaml.safe_load(text)


def split_story(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


@pytest.fixture(scope="module")
def loaded(site: Path) -> dict:
    data = {"site": load_yaml(site / "site.yaml")}
    for kind in ("units", "posts", "members", "evaluations"):
        data[kind] = {p.stem: load_yaml(p) for p in sorted((site / kind).glob("*.yaml"))}
    data["stories"] = {p.stem: split_story(p) for p in sorted((site / "stories").glob("*.md"))}
    return data


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_file_counts(site: Path, loaded: dict):
    posts = loaded["posts"]
    approved = [p for p in posts.values() if "approval" in p]
    declared = [p for p in posts.values() if "approval" not in p]
    assert len(approved) == N
    assert 1 <= len(declared) <= max(1, N // 10)
    assert len(loaded["members"]) == 6 * len(posts)
    assert len(loaded["stories"]) == N // 2
    assert len(loaded["evaluations"]) == 36
    assert sorted(loaded["evaluations"]) == [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
    assert len(loaded["units"]) >= 1
    images = [p for p in (site / "images").rglob("*") if p.is_file()]
    assert 2 <= len(images) <= 20  # shared photos, not one per member
    assert sorted(p.name for p in site.iterdir()) == [
        "evaluations", "images", "members", "posts", "site.yaml", "stories", "units"]


def test_every_file_is_plain_valid_yaml(site: Path, loaded: dict):
    for path in site.rglob("*"):
        if path.suffix in (".yaml", ".md"):
            assert ID_RE.match(path.stem) or path.parent.name == "evaluations" or path.name == "site.yaml", path
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(^|\s)[&*][A-Za-z]", text.split("\n---\n", 1)[0] if path.suffix == ".md" else text)
            assert "!!" not in text
    s = loaded["site"]
    ev = s["evaluation"]
    assert ev["pass_mark"] == 85 and ev["first_batch_end"] == dt.date(2023, 12, 31)
    assert ev["year_end_review"] == "12-31"
    assert ev["revoke"] == {"below": 60, "consecutive_failures": 3, "fail_at_zero_stars": True}
    assert abs(sum(ev["dimensions"].values()) - 1) < 1e-9 and abs(sum(ev["sources"].values()) - 1) < 1e-9
    assert sorted(s["districts"]) == [f"d{i:02d}" for i in range(1, 13)]
    assert len(s["sectors"]) == 5
    assert s["base_url"].startswith("https://") and s["base_url"].endswith("/")
    # text fields stayed text (nothing read as a number, boolean or time)
    for m in loaded["members"].values():
        assert isinstance(m["name"], str) and isinstance(m["pledge"], str) and isinstance(m["position"], str)
        assert all(isinstance(i, str) for i in m["standard"]["items"])
        assert all(isinstance(r["text"], str) for r in m["records"])
    for p in loaded["posts"].values():
        assert isinstance(p["feedback"]["phone"], str) and isinstance(p["name"], str)
        assert isinstance(p["declared"], dt.date)


def test_posts_units_and_members(loaded: dict, site: Path):
    s, units, posts, members = loaded["site"], loaded["units"], loaded["posts"], loaded["members"]
    for u in units.values():
        assert u["district"] in s["districts"] and u["sector"] in s["sectors"]
        assert isinstance(u["service_hall"], bool)
    windows = 0
    for p in posts.values():
        assert p["unit"] in units
        assert p["kind"] in ("post", "window")
        if p["kind"] == "window":
            windows += 1
            assert units[p["unit"]]["service_hall"] is True
        if "approval" in p:
            a = p["approval"]["date"]
            assert dt.date(2023, 1, 1) <= a <= dt.date(2023, 6, 30)
            assert p["declared"] <= a
    assert 1 <= windows < len(posts)
    by_post: dict[str, list[dict]] = {}
    for mid, m in members.items():
        assert m["post"] in posts
        by_post.setdefault(m["post"], []).append(m)
        assert len(m["pledge"]) <= 40
        std = m["standard"]
        assert 3 <= len(std["items"]) <= 6
        assert std["proposed"] <= std["comment_from"] <= std.get("set", dt.date.max)
        assert 2 <= len(m["records"]) <= 4
        assert len(m["assessments"]) == 1
        assert m["consent"]["public"] or not m["consent"]["photo"]
        if "photo" in m:
            assert (site / m["photo"]).is_file()
    assert all(len(v) == 6 for v in by_post.values()) and len(by_post) == len(posts)
    public = sum(m["consent"]["public"] for m in members.values()) / len(members)
    photo = sum(m["consent"]["photo"] for m in members.values()) / len(members)
    assert public > 0.9 and 0.5 < photo < 0.9


def test_stories(loaded: dict, site: Path):
    posts, members, stories = loaded["posts"], loaded["members"], loaded["stories"]
    kinds = set()
    for sid, (meta, body) in stories.items():
        assert set(meta) <= {"title", "date", "author", "kind", "posts", "members", "tags", "cover", "summary"}
        assert dt.date(2023, 1, 1) <= meta["date"] <= dt.date(2025, 12, 31)
        assert 1 <= len(meta["posts"]) <= 2 and 1 <= len(meta["members"]) <= 2
        for pid in meta["posts"]:
            assert "approval" in posts[pid]
        for mid in meta["members"]:
            assert members[mid]["consent"]["public"] is True
        assert all(isinstance(t, str) for t in meta["tags"])
        if "cover" in meta:
            assert (site / meta["cover"]["file"]).is_file()
        kinds.add(meta["kind"])
        cjk = len(re.findall(r"[\u4e00-\u9fff]", body))
        assert 1300 <= cjk <= 1800, (sid, cjk)
        assert re.search(r"^## \S", body, re.M) and re.search(r"^- \S", body, re.M)
        assert re.search(r"^1\. \S", body, re.M) and "**" in body
        links = [(t, u) for bang, t, u in LINK_RE.findall(body) if not bang]
        assert 1 <= len(links) <= 3
        for bang, _, url in LINK_RE.findall(body):
            if url.startswith("https://"):
                continue
            target = (site / "stories" / url).resolve()
            assert target.is_file(), (sid, url)
            if not bang:
                assert url.startswith("../posts/") or re.fullmatch(r"s\d+\.md", url)
    assert kinds <= {"story", "experience"}
    all_urls = [u for _, body in stories.values() for _, _, u in LINK_RE.findall(body)]
    assert any(u.startswith("https://") for u in all_urls)
    assert any(u.startswith("../posts/") for u in all_urls)
    assert any(re.fullmatch(r"s\d+\.md", u) for u in all_urls)
    # the bold-before-Chinese-punctuation case that some Markdown parsers get wrong
    assert any(re.search(r"\*\*[^*]+，\*\*[\u4e00-\u9fff]", body) for _, body in stories.values())


def replay(loaded: dict) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Replay the star rules of site.yaml: stars after each evaluated month, and revoking months."""
    rules = loaded["site"]["evaluation"]
    dw, sw = rules["dimensions"], rules["sources"]
    stars: dict[str, int] = {}
    fails: dict[str, int] = {}
    history: dict[str, list[int]] = {}
    revoked: dict[str, str] = {}
    posts = loaded["posts"]
    for month, ev in sorted(loaded["evaluations"].items()):
        assert ev["month"] == month
        for pid, entry in (ev["posts"] or {}).items():
            assert pid in posts and "approval" in posts[pid], pid
            approval = posts[pid]["approval"]["date"]
            assert month >= f"{approval.year}-{approval.month:02d}", (pid, month)
            assert pid not in revoked, f"{pid} evaluated in {month} after being revoked in {revoked[pid]}"
            for src in SOURCES:
                assert set(entry[src]) == set(DIMENSIONS)
                assert all(isinstance(v, int) and 0 <= v <= 100 for v in entry[src].values())
            total = round(sum(sw[s] * sum(dw[d] * entry[s][d] for d in DIMENSIONS) for s in SOURCES), 2)
            star = stars.get(pid, 0)
            if total >= rules["pass_mark"]:
                stars[pid], fails[pid] = min(5, star + 1), 0
            else:
                fails[pid] = fails.get(pid, 0) + 1
                r = rules["revoke"]
                if total < r["below"] or fails[pid] >= r["consecutive_failures"] or \
                        (star == 0 and r["fail_at_zero_stars"]):
                    revoked[pid] = month
                else:
                    stars[pid] = star - 1
            history.setdefault(pid, []).append(stars.get(pid, 0))
    return history, revoked


def test_evaluations_follow_the_rules(loaded: dict):
    history, revoked = replay(loaded)
    posts = loaded["posts"]
    approved = {pid for pid, p in posts.items() if "approval" in p}
    assert set(history) == approved
    # every approved post is evaluated every month from its approval month until it is revoked
    months = sorted(loaded["evaluations"])
    for pid in approved:
        a = posts[pid]["approval"]["date"]
        first = months.index(f"{a.year}-{a.month:02d}")
        last = months.index(revoked[pid]) if pid in revoked else len(months) - 1
        assert len(history[pid]) == last - first + 1, pid
    assert 1 <= len(revoked) <= len(approved) // 4
    final = [h[-1] for pid, h in history.items() if pid not in revoked]
    levels = {s for h in history.values() for s in h}
    assert levels == {0, 1, 2, 3, 4, 5}
    assert len(set(final)) >= 2 and final.count(5) >= len(final) // 2
    passed = sum(b > a or b == 5 for h in history.values() for a, b in zip([0] + h, h))
    assert passed / sum(len(h) for h in history.values()) > 0.75


def test_deterministic(tmp_path: Path, site: Path):
    generate(N, tmp_path / "a", seed=1)
    generate(N, tmp_path / "b", seed=1)
    generate(N, tmp_path / "c", seed=2)
    a, b, c = (tree(tmp_path / x / "content") for x in "abc")
    assert a == b
    assert a == tree(site)  # the command line gives the same bytes as the function
    assert a.keys() == c.keys() and a != c
    assert sum(a[k] != c[k] for k in a) > len(a) // 2


def test_refuses_non_empty_folder_unless_forced(tmp_path: Path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run_cli("--posts", "3", "-o", str(out))
    assert result.returncode != 0 and "--force" in result.stderr
    assert not (out / "content").exists()
    (out / "content" / "posts").mkdir(parents=True)
    (out / "content" / "posts" / "stale.yaml").write_text("name: old\n")
    result = run_cli("--posts", "3", "-o", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert (out / "keep.txt").read_text() == "mine"
    assert not (out / "content" / "posts" / "stale.yaml").exists()
    assert len(list((out / "content" / "posts").glob("*.yaml"))) == 4  # 3 approved + 1 declared
    with pytest.raises(FileExistsError):
        generate(3, out)
