"""Feeds and open data (site_builder/feeds.py): Atom feed, sitemap, data/posts.json|csv, history.csv.

posts.json is validated with the `jsonschema` package (test-only dependency) against the schema the
site publishes, data/posts.schema.json: the reference validator also proves the schema itself is valid
JSON Schema 2020-12, which is what other public systems will feed it to.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from site_builder.pages import feeds
from support.sites import ROOT, make_site, run

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mini")
    out = tmp / "out"
    from site_builder.commands.main import main
    assert main(["build", str(make_site(tmp)), "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "out"
    from site_builder.commands.main import main
    assert main(["build", str(ROOT), "-o", str(out), "-q"]) == 0
    return out


def validate(out):
    schema = json.loads((out / "data/posts.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads((out / "data/posts.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # BOM for spreadsheets, RFC 4180 lines
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_open_data_of_the_mini_site_matches_the_pages(mini):
    data = validate(mini)
    assert data["as_of"] == "2025-05" and data["site"]["url"] == "https://example.org/"
    assert [p["id"] for p in data["posts"]] == ["tax-window"]  # the declared post is not public
    post = data["posts"][0]
    assert post["stars"] == 5 and post["status"] == "commended" and post["commended_on"] == "2025-05-31"
    assert post["url"] == "https://example.org/posts/tax-window/"
    assert post["feedback"] == {"book": "大厅入口左侧", "phone": "0571-86001111",
                                "form": "https://example.org/feedback", "email": "ts@example.org"}
    assert [m["name"] for m in post["members"]] == ["王芳", "李明"]  # board order; 赵隐 did not consent
    assert [(h["month"], h["reason"], h["stars_after"], h["total"]) for h in post["history"]] == [
        ("2025-01", "pass_add", 1, 91), ("2025-02", "pass_add", 2, 91), ("2025-03", "pass_add", 3, 91),
        ("2025-04", "pass_add", 4, 91), ("2025-05", "pass_add", 5, 91), (None, "batch_commend", 5, None)]
    assert "赵隐" not in (mini / "data/posts.json").read_text(encoding="utf-8")


def test_open_data_csv(mini):
    posts = read_csv(mini / "data/posts.csv")
    assert list(posts[0]) == feeds.POST_COLUMNS
    assert [(p["id"], p["stars"], p["status"], p["district"], p["complaint_phone"], p["members"]) for p in posts] == [
        ("tax-window", "5", "commended", "东区", "0571-86001111", "王芳；李明")]
    history = read_csv(mini / "data/history.csv")
    assert list(history[0]) == feeds.HISTORY_COLUMNS and len(history) == 6
    assert history[0] == {"post_id": "tax-window", "date": "2025-01-31", "month": "2025-01", "reason": "pass_add",
                          "stars_before": "0", "stars_after": "1", "status": "active", "total": "91.0", "note": ""}
    assert history[-1]["month"] == "" and history[-1]["reason"] == "batch_commend"


def test_sample_city_open_data_validates_and_agrees_with_the_pages(sample):
    data = validate(sample)
    by_id = {p["id"]: p for p in data["posts"]}
    assert "donghu-shebao-yibao-post" not in by_id  # declared, not approved
    assert by_id["zilaishui-rexian-post"]["status"] == "revoked" and by_id["zilaishui-rexian-post"]["stars"] == 0
    assert by_id["zilaishui-rexian-post"]["revoked_on"] == "2025-08-31"
    for pid, stars in [("zrzy-budongchan-window", 5), ("donghu-shebao-window", 4), ("yiyuan-yaofang-post", 3)]:
        assert by_id[pid]["stars"] == stars
        page = (sample / f"posts/{pid}/index.html").read_text(encoding="utf-8")
        assert f'aria-label="{stars} 星（满 5 星）"' in page
    rows = read_csv(sample / "data/history.csv")
    assert len(rows) == sum(len(p["history"]) for p in data["posts"])
    assert {r["id"] for r in read_csv(sample / "data/posts.csv")} == set(by_id)


def test_schema_rejects_what_it_should(mini):
    """The schema is not a rubber stamp: wrong stars, unknown keys, a missing history are refused."""
    schema = json.loads((mini / "data/posts.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    good = json.loads((mini / "data/posts.json").read_text(encoding="utf-8"))
    assert validator.is_valid(good)
    for change in (lambda d: d["posts"][0].update(stars=6), lambda d: d["posts"][0].update(extra=1),
                   lambda d: d["posts"][0].pop("history"), lambda d: d["posts"][0]["history"][0].update(reason="x"),
                   lambda d: d["posts"][0]["approval"].update(date="2025-1-20"), lambda d: d.update(as_of="2025-13")):
        bad = json.loads(json.dumps(good))
        change(bad)
        assert not validator.is_valid(bad)


def test_atom_feed(mini):
    root = ET.fromstring((mini / "feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == "https://example.org/feed.xml"
    assert root.findtext(f"{ATOM}updated") == "2025-05-31T00:00:00Z"  # the latest evaluated month, not the clock
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    e = entries[0]
    assert e.findtext(f"{ATOM}title") == "窗口里的笑脸"
    assert e.find(f"{ATOM}link").get("href") == "https://example.org/stories/first/"
    assert e.findtext(f"{ATOM}published") == "2025-03-01T00:00:00Z"
    assert e.findtext(f"{ATOM}author/{ATOM}name") == "宣传部"
    content = e.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>往前多走一步，</strong>" in content.text
    assert "<script" not in content.text  # the sanitised story, escaped once into the XML
    assert content.get("{http://www.w3.org/XML/1998/namespace}base") == "https://example.org/stories/first/"
    home = (mini / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" href="/feed.xml"' in home


def test_feed_keeps_the_newest_stories(tmp_path, capsys, monkeypatch):
    story = (ROOT / "tests/sites/mini/content/stories/first.md").read_text(encoding="utf-8")
    changes = {f"content/stories/s{n}.md": story.replace("2025-03-01", f"2025-04-0{n}").replace("窗口里的笑脸", f"第{n}篇")
               for n in range(1, 4)}
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 2)
    site = make_site(tmp_path, changes)
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    root = ET.fromstring((tmp_path / "out/feed.xml").read_bytes())
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["第3篇", "第2篇"]
    assert root.findtext(f"{ATOM}updated") == "2025-05-31T00:00:00Z"


def test_sitemap_lists_public_pages_only(mini):
    root = ET.fromstring((mini / "sitemap.xml").read_bytes())
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    assert urls["https://example.org/stories/first/"] == "2025-03-01"
    assert urls["https://example.org/posts/tax-window/"] == "2025-05-31"
    for page in ["", "members/wang-fang/", "members/li-ming/", "units/tax/", "honours/", "stories/"]:
        assert "https://example.org/" + page in urls, page
    assert not any("tax-declared" in u or "hidden" in u or "browse/" in u or "404" in u for u in urls)


def test_big_sitemap_becomes_an_index(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 4)
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    out = tmp_path / "out"
    index = ET.fromstring((out / "sitemap.xml").read_bytes())
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    assert parts[0] == "https://example.org/sitemaps/1.xml"
    locs = []
    for part in parts:
        root = ET.fromstring((out / part.removeprefix("https://example.org/")).read_bytes())
        locs += [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]
        assert len(root.findall(f"{SM}url")) <= 4
    assert len(locs) == len(set(locs)) and "https://example.org/posts/tax-window/" in locs


def test_open_data_page_links_every_file(mini):
    page = (mini / "data/index.html").read_text(encoding="utf-8")
    for name in ["posts.json", "posts.csv", "history.csv", "posts.schema.json"]:
        assert f'href="/data/{name}"' in page and (mini / "data" / name).is_file()
    assert 'href="/data/"' in (mini / "index.html").read_text(encoding="utf-8")  # footer link

