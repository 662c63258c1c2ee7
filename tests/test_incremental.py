"""The incremental engine: cached records, parallel parsing, warm builds equal to clean builds."""

from __future__ import annotations

import os
import time

from site_builder import load, records
from site_builder.cache import Cache
from site_builder.errors import Problems
from support.sites import make_site

MEMBER = "content/members/li-ming.yaml"


def loaded(site, **kw):
    problems = Problems()
    raw = load.load(site, problems, **kw)
    return raw, sorted(problems.items)


def snapshot(raw):
    return (raw.site, raw.units, raw.posts, raw.members, raw.evaluations,
            {k: (s.meta, s.body, s.body_line) for k, s in raw.stories.items()}, raw.broken, raw.sensitive)


def age(site, seconds=60):
    """Make every content file look old, so that its stat signature can be trusted."""
    past = time.time() - seconds
    for path in (site / "content").rglob("*"):
        os.utime(path, (past, past))


def test_cached_records_are_the_records(tmp_path, monkeypatch):
    site = make_site(tmp_path)
    age(site)
    clean, clean_problems = loaded(site)
    cache = Cache.for_site(site)
    first, _ = loaded(site, cache=cache)
    cache.save()
    assert snapshot(first) == snapshot(clean)

    parsed = []
    real = load.parse_file
    monkeypatch.setattr(records, "parse_file", lambda job, *a: parsed.append(job.shown) or real(job, *a))
    warm, warm_problems = loaded(site, cache=Cache.for_site(site))
    assert parsed == []  # nothing was parsed again
    assert snapshot(warm) == snapshot(clean) and warm_problems == clean_problems

    text = (site / MEMBER).read_text(encoding="utf-8")
    (site / MEMBER).write_text(text.replace("pledge:", "pleadge:"), encoding="utf-8")
    edited, problems = loaded(site, cache=Cache.for_site(site))
    assert parsed == [MEMBER]
    assert "li-ming" not in edited.members and "members/li-ming" in edited.broken
    assert any(p.path == MEMBER and "pleadge" in p.message for p in problems)


def test_a_file_rewritten_with_the_same_bytes_is_not_parsed_again(tmp_path, monkeypatch):
    site = make_site(tmp_path)
    cache = Cache.for_site(site)
    loaded(site, cache=cache)
    cache.save()
    parsed = []
    real = load.parse_file
    monkeypatch.setattr(records, "parse_file", lambda job, *a: parsed.append(job.shown) or real(job, *a))
    path = site / MEMBER
    path.write_bytes(path.read_bytes())  # a new time stamp, the same content (git checkout)
    loaded(site, cache=Cache.for_site(site))
    assert parsed == []


def test_a_recently_modified_file_is_checked_by_content(tmp_path):
    """Same size, same time stamp (within the file system's resolution): the hash still tells."""
    site = make_site(tmp_path)
    cache = Cache.for_site(site)
    loaded(site, cache=cache)
    cache.save()
    path = site / MEMBER
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("李明", "李亮"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    raw, _ = loaded(site, cache=Cache.for_site(site))
    assert raw.members["li-ming"]["name"] == "李亮"


def test_parallel_parsing_gives_the_serial_result(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "POOL_MIN_FILES", 1)
    site = make_site(tmp_path)
    serial, serial_problems = loaded(site, jobs=1)
    parallel, parallel_problems = loaded(site, jobs=2)
    assert snapshot(parallel) == snapshot(serial) and parallel_problems == serial_problems


def test_a_cache_from_other_code_is_ignored(tmp_path):
    site = make_site(tmp_path)
    cache = Cache.for_site(site)
    loaded(site, cache=cache)
    cache.save()
    (site / ".site-builder-cache" / "version").write_text("other")
    assert Cache.for_site(site).section("records-0") == {}
    assert (site / ".site-builder-cache" / ".gitignore").read_text().endswith("*\n")
