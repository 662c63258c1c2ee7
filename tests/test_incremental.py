"""The incremental engine: cached records, parallel parsing, warm builds equal to clean builds."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import pickle
import os
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from site_builder.content import load
from site_builder.incremental import records
from site_builder.incremental.cache import Cache
from site_builder.errors import ContentErrors, Problems
from support.sites import make_site

MEMBER = "content/members/li-ming.yaml"


def loaded(site, **kw):
    problems = Problems()
    raw = records.load(site, problems, **kw)
    return raw, sorted(problems.items)


def snapshot(raw):
    return (raw.site, raw.units, raw.posts, raw.members, dict(raw.evaluation_records()),
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


def test_the_evaluations_are_kept_as_bytes_from_their_parse_on(tmp_path, monkeypatch):
    """Every build holds the evaluation files' records as pickled bytes, made by the process that parsed the file
    (it pickles what it sends back anyway), and the model makes them one file at a time: they are most of a
    city's records' memory (~300 MiB of objects at 10,000 posts, against ~25 MB of bytes). A cached build's
    records are a clean build's."""
    site = sample_site(tmp_path)
    files = len(list((site / "content/evaluations").glob("*.yaml")))
    clean, _ = loaded(site)
    cached, _ = loaded(site, cache=Cache.for_site(site))
    for raw in clean, cached:
        assert len(raw._evaluations) == files > 1
        assert all(type(value) is load.Later for value in raw._evaluations.values())
    assert snapshot(cached) == snapshot(clean)
    made = []
    real = load.Later.value
    monkeypatch.setattr(load.Later, "value", lambda self: made.append(1) or real(self))
    records_ = clean.evaluation_records()
    first = next(records_)
    assert len(made) == 1 and first[1]["month"]  # one file's records made, not all of them
    assert [fid for fid, _ in records_] == sorted(clean._evaluations)[1:] and len(made) == files
    assert clean.evaluation(first[0]) is not clean.evaluation(first[0])  # made anew: kept by nobody


def test_a_members_records_assessments_and_honours_are_kept_as_bytes(tmp_path, monkeypatch):
    """The lists a whole-site pass never reads (a member's records, assessments, honours: most of a city's records)
    are held as their pickle from the parse on, made again each time they are read and kept by nobody; they
    equal the lists the schema made, with each record's file and line, in a clean and a cached build alike."""
    from site_builder.content import schema
    from site_builder.content.schema import Packed, Rec

    site = make_site(tmp_path)
    age(site)
    clean, _ = loaded(site)
    cache = Cache.for_site(site)
    loaded(site, cache=cache)
    cache.save()
    cached, _ = loaded(site, cache=Cache.for_site(site))
    for raw in clean, cached:
        rec = raw.members["wang-fang"]
        for name in ("records", "assessments", "honours"):
            assert type(rec[name]) is Packed, name
        records_ = rec["records"]
        assert len(records_) == 2 and records_  # (known without making them)
        assert [r["text"] for r in records_] == ["二月办件 200 件，无差错。", "内部记录，不公开。"]
        first = records_[0]
        assert type(first) is Rec and first.where("text") == (MEMBER.replace("li-ming", "wang-fang"), 16, 5)
        with pytest.raises(TypeError, match="read-only"):
            first["text"] = "x"
        assert records_[0] is not first and records_[0] == first  # made anew: kept by nobody
        assert records_ == list(records_) and records_ == tuple(records_) and not Packed() and Packed() == ()
    assert clean.members["wang-fang"]["records"] == cached.members["wang-fang"]["records"]
    none = [rec["honours"] for raw in (clean, cached) for rec in raw.members.values() if not rec["honours"]]
    assert none and all(p is schema.EMPTY for p in none)  # (one for all: most members have no honours)
    assert pickle.loads(pickle.dumps(schema.EMPTY, protocol=5)) is schema.EMPTY
    assert snapshot(cached) == snapshot(clean)

    made = []
    real = Packed.items
    monkeypatch.setattr(Packed, "items", lambda self: made.append(1) or real(self))
    assert len(clean.members["wang-fang"]["assessments"]) == 1 and made == []


def test_records_from_the_cache_are_read_only_like_fresh_ones(tmp_path):
    """A cached record is handed to every later build: one that came back writable could be patched."""
    import pytest

    site = make_site(tmp_path)
    age(site)
    cache = Cache.for_site(site)
    loaded(site, cache=cache)
    cache.save()
    warm, _ = loaded(site, cache=Cache.for_site(site))
    evaluations = [rec for _, rec in warm.evaluation_records()]
    entries = [entry for rec in evaluations for entry in rec["posts"].values()]
    scores = [s for entry in entries for s in entry.values() if isinstance(s, dict)]
    assert entries and scores
    for rec in [warm.site, *warm.posts.values(), *warm.members.values(), *evaluations, *entries,
                *scores, *(s.meta for s in warm.stories.values())]:
        with pytest.raises(TypeError, match="read-only"):
            rec["x"] = 1
        with pytest.raises(TypeError, match="read-only"):
            rec.update(x=1)
    assert snapshot(warm) == snapshot(loaded(site)[0])


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


def test_a_watched_load_is_the_last_one_with_the_changed_files_read_again(tmp_path, monkeypatch):
    """Told which files changed (``serve``), a load reads those and makes its records from the last load's (the
    Raw before is not changed): the same records, problems and personal numbers as a load of every file, when
    a file breaks, is repaired, or holds a mobile number, and a file it was not told of is not read."""
    site = make_site(tmp_path)
    age(site)
    cache = Cache.for_site(site)
    first, _ = loaded(site, cache=cache, watched=True)
    kept = snapshot(first)
    whole = []  # (the loads that assembled every file's record again)
    monkeypatch.setattr(records, "assemble", lambda *a, **k: whole.append(1) or load.assemble(*a, **k))
    path, other = site / MEMBER, site / "content/members/wang-fang.yaml"
    steps = [(path, "李明", "李亮"), (path, "pledge: ", "pledge: [\n"), (path, "pledge: [\n", "pledge: 电话 13812345678，"),
             (other, "pledge: ", "pledge: 再"), (path, "电话 13812345678，", "")]
    for n, (changed, old, new) in enumerate(steps):
        whole.clear()
        text = changed.read_text(encoding="utf-8")
        assert old in text, (n, old)
        changed.write_text(text.replace(old, new, 1), encoding="utf-8")
        raw, problems = loaded(site, cache=cache, watched=True, changed=[changed])
        assert bool(whole) == (n in (1, 2)), n  # (a file that breaks or is repaired: a record out or in)
        fresh, fresh_problems = loaded(site)
        assert raw.watched and snapshot(raw) == snapshot(fresh) and problems == fresh_problems, n
        assert bool(raw.sensitive) == (n in (2, 3)) and bool(raw.broken) == (n == 1), n
    assert snapshot(first) == kept
    (site / "content/units/tax.yaml").write_text("name: [\n", encoding="utf-8")  # (not told of it: not read)
    raw, _ = loaded(site, cache=cache, watched=True, changed=[path])
    assert "units/tax" not in raw.broken and snapshot(raw) == snapshot(loaded(site, cache=cache, watched=True, changed=[])[0])


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


# -- warm builds ------------------------------------------------------------------------------------

import shutil  # noqa: E402

import pytest  # noqa: E402

from site_builder.incremental import cache as cache_mod, pipeline, rendering, tracking  # noqa: E402
from support.sites import ROOT, run, tree  # noqa: E402
from site_builder.incremental.tracking import Fingerprints, Volatile, _parts, _Unknown, _view_identity  # noqa: E402
from site_builder import memo, workers  # noqa: E402
from site_builder.write import output  # noqa: E402
from site_builder.content.schema import Rec, seal  # noqa: E402
from site_builder.pages.web import member_view  # noqa: E402
from site_builder.pages import print_pages, web  # noqa: E402


@pytest.fixture
def steady(monkeypatch):
    """A code version that others' edits cannot change mid-test."""
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")


def sample_site(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    age(site)
    return site


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_warm_builds_equal_clean_builds_on_the_sample_site(tmp_path, capsys, steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    first = pipeline.run(site, out, jobs=1)
    assert first.rendered == first.pages
    story = sorted((site / "content/stories").glob("*.md"))[0]
    member = site / f"content/members/{first.model.members[0].id}.yaml"  # (one with a public page)
    evaluation = sorted((site / "content/evaluations").glob("*.yaml"))[-1]
    for path, old, new in [(story, "\n\n", "\n\n新增的一段文字。\n\n"),
                           (member, "pledge: ", "pledge: 再"),
                           (evaluation, "politics: 9", "politics: 8")]:
        edit(path, old, new)
        warm = pipeline.run(site, out, jobs=1)
        assert 0 < warm.rendered < warm.pages / 2, (path.name, warm.rendered)
        clean = tmp_path / f"clean-{path.stem}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), path.name


def test_serve_rebuilds_reuse_the_star_standings_and_keep_only_the_current_ones(tmp_path, capsys, steady):
    """A rebuild with the cache kept in memory (``serve``) replays no unchanged post's evaluations: the
    standing of the last build is used again (the same object; standings are immutable), and what an edit
    made stale is dropped; nothing of it is written into the cache folder, and the output is a clean build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    first = pipeline.run(site, out, jobs=1, cache=cache, save=False)
    before = {p.id: p.standing for p in first.model.posts if p.approval}
    assert len(before) > 3 and len(cache._in_process) == len({s.digest for s in before.values()})
    evaluation = sorted((site / "content/evaluations").glob("*.yaml"))[-1]
    edit(evaluation, "politics: 9", "politics: 8")
    second = pipeline.run(site, out, jobs=1, cache=cache, save=False)
    after = {p.id: p.standing for p in second.model.posts if p.approval}
    same = [pid for pid in after if after[pid] is before[pid]]
    assert 0 < len(same) < len(after)  # the edited post's standing was made again, the others reused
    assert len(cache._in_process) == len({s.digest for s in after.values()})  # the stale ones dropped
    cache.save()
    assert not any(b"stars.standing" in f.read_bytes() for f in (site / ".site-builder-cache").glob("*.pickle"))
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_page_made_by_a_view_depends_on_what_the_view_read(tmp_path, capsys, steady):
    """A member's page is made by a view when it is rendered (pages/web.py ``member_view``): the records it
    shows are picked there (only the public ones), so the page must follow a record made public, and be kept
    when nothing it read changed."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    page = out / "members/cao-yang/index.html"
    assert "回访抽查中有 5 张工单超时回复" not in page.read_text(encoding="utf-8")
    edit(site / "content/members/cao-yang.yaml", "回复。\n    public: false", "回复。\n    public: true")
    warm = pipeline.run(site, out, jobs=1)
    assert "回访抽查中有 5 张工单超时回复" in page.read_text(encoding="utf-8")
    assert 0 < warm.rendered < warm.pages / 10
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_the_print_index_is_kept_for_a_story_and_counts_again_for_a_member(tmp_path, capsys, monkeypatch, steady):
    """The staff's print index counts every unit's boards where it is rendered (``print_index_view``): a story's
    edit keeps it; a member who withdraws consent takes their card, badge and desk sign out of the count, and only
    their unit's boards are counted again (``print_pages.unit_counts``: the others' counts are kept)."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    index = out / "print/index.html"
    before = index.read_text(encoding="utf-8")
    rendered: list[str] = []
    render_one = rendering._render_one

    def recording(i):
        rendered.append(rendering._STAGE.pages[i].output)
        return render_one(i)
    monkeypatch.setattr(rendering, "_render_one", recording)
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    assert pipeline.run(site, out, jobs=1).rendered > 0
    assert rendered and "print/index.html" not in rendered
    rendered.clear()
    counted: list[str] = []
    count = print_pages.unit_board_count
    monkeypatch.setattr(print_pages, "unit_board_count", lambda unit, *a: counted.append(unit.id) or count(unit, *a))
    edit(site / "content/members/chen-yuting.yaml", "consent:\n  public: true", "consent:\n  public: false")
    result = pipeline.run(site, out, jobs=1)
    assert "print/index.html" in rendered
    assert counted == [next(m for m in result.model.all_members if m.id == "chen-yuting").post.unit.id]
    assert index.read_text(encoding="utf-8") != before
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_board_pages_follow_a_change_of_paper_in_the_settings(tmp_path, capsys, steady):
    """A board's print page takes its paper and print CSS from values made once a process for the settings
    (pages/print_pages.py): a warm build must still render the boards again when ``print:`` changes, in the
    same process as the build before (as ``serve`` does) and in a new one."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    board = next((out / "print/posts").glob("*/board/index.html"))
    assert "size: 420mm 594mm;" not in board.read_text(encoding="utf-8")
    site_yaml = site / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "print:\n  sizes:\n    board: A2\n", encoding="utf-8")
    pipeline.run(site, out, jobs=1)
    assert "size: 420mm 594mm;" in board.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_view_page_is_compared_by_its_arguments_written_unambiguously():
    def ident(*args):
        return _view_identity("members/x/", "member.html", member_view, args)
    assert len({ident("1"), ident(1), ident(True), ident(None), ident(("a", "b")), ident("a", "b"), ident("ab"),
                ident(("a",), "b"), ident(b"1")}) == 9
    assert ident(("a", "b")) == ident(("a", "b"))

    def closure():
        return {"x": ident}
    with pytest.raises(Volatile):
        _view_identity("x/", "x.html", closure, ())


def _object_digests(site):
    """Every model object's digest, as a new process works them out (the records from the build cache)."""
    cache = Cache.for_site(site)
    with memo.use(cache):
        model = pipeline.build_model(site, cache=cache, jobs=1)
    cache.save()
    return Fingerprints(model, b"").object_digests()


def test_an_object_digest_is_what_it_is_made_of_in_any_process(tmp_path, steady):
    """A model object's digest is made of its parts (records named by their file's digest and their place in
    it, other objects by key), not of the objects of one process: a model built again, in a new process or
    in ``serve``, gives every unchanged object the same digest, and an edit changes only the digests of the
    objects made of what it changed (the edited member; the post whose star standing the evaluation moved)."""
    site = sample_site(tmp_path)
    first = _object_digests(site)
    assert len(first) > 50 and {k.split(":")[0] for k in first} >= {"post", "member", "story", "unit", "settings"}
    assert None not in first.values()
    assert _object_digests(site) == first
    edit(site / "content/members/cao-yang.yaml", "回复。\n    public: false", "回复。\n    public: true")
    edit(sorted((site / "content/evaluations").glob("*.yaml"))[-1], "politics: 9", "politics: 8")
    again = _object_digests(site)
    changed = {k for k in again if again[k] != first.get(k)}
    assert "member:cao-yang" in changed and any(k.startswith("post:") for k in changed)
    assert len(changed) < 5, changed


def test_a_new_process_has_its_objects_hashed_by_a_helper_while_it_reads_the_cache(tmp_path, steady, monkeypatch):
    """A build in a new process of a site small enough to hash in one part has a helper process hash its objects
    while it reads the cache (Fingerprints.hashed_ahead): the same digests as hashed in the build's own process; a
    helper that fails leaves the hashing to the build; a build that holds the digests of one before forks none."""
    site = sample_site(tmp_path)
    model = pipeline.build_model(site, jobs=1)
    expected = Fingerprints(model, b"").object_digests()
    forked = []
    real = workers.background

    def background(task, arg):
        forked.append(len(arg))
        return real(task, arg)
    monkeypatch.setattr(workers, "background", background)
    fingerprints = Fingerprints(model, b"")
    with fingerprints.hashed_ahead(2):
        assert fingerprints._ahead is not None
        with monkeypatch.context() as patched:  # (the helper forked with the real one: nothing is hashed here)
            patched.setattr(tracking, "_digest_part", lambda keys: pytest.fail("hashed in the build's process"))
            assert fingerprints.object_digests(2) == expected
    assert forked == [len(expected)]
    # a helper that gives nothing back (it failed): hashed here, the same
    monkeypatch.setattr(workers, "background", lambda task, arg: contextlib.nullcontext(lambda: None))
    fingerprints = Fingerprints(model, b"")
    with fingerprints.hashed_ahead(2):
        assert fingerprints.object_digests(2) == expected
    # one core, or a build that holds what the one before hashed (serve): no helper
    monkeypatch.setattr(workers, "background", background)
    for fingerprints, jobs in ((Fingerprints(model, b""), 1), (Fingerprints(model, b"", {}), 2)):
        with fingerprints.hashed_ahead(jobs):
            assert fingerprints._ahead is None
            assert fingerprints.object_digests(jobs) == expected
    assert forked == [len(expected)]


def _reachable(model) -> dict[str, object]:
    """Every model object found by walking every field of every object from the model, into lists, tuples, dicts
    and other dataclasses (the competitions, the standings): what ``Model.objects`` must list."""
    from site_builder.incremental import tracking

    found: dict[str, object] = {}
    seen: set[int] = set()
    queue = [model]
    while queue:
        obj = queue.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if type(obj) in tracking.ENTITIES:
            found.setdefault(tracking.key_of(obj), obj)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            queue.extend(object.__getattribute__(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, dict):
            queue.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            queue.extend(obj)
    return found


def test_the_model_lists_every_object_that_any_object_refers_to(tmp_path, steady):
    """The incremental core names the objects by ``Model.objects`` (its index of keys: what a kept page is bound
    to, what every digest is made for); an object only reachable through another's field would have no digest."""
    site = sample_site(tmp_path)
    model = pipeline.build_model(site, jobs=1)
    listed = Fingerprints(model, b"").index()
    reachable = _reachable(model)
    assert listed.keys() == reachable.keys() and all(listed[k] is reachable[k] for k in listed)
    assert {k.split(":")[0] for k in listed} == {"model", "settings", "unit", "post", "member", "story"}
    assert len([k for k in listed if k.startswith("post:")]) == len(model.all_posts) > len(model.posts)


def test_an_object_that_cannot_be_hashed_has_no_digest_and_leaves_the_others_alone(tmp_path, steady, monkeypatch):
    """The objects of a part are hashed by one pickler: one that cannot be pickled gets no digest (the pages that
    read it are always rendered), and the objects after it get the digest they get alone."""
    from site_builder.incremental import tracking
    site = sample_site(tmp_path)
    cache = Cache.for_site(site)
    with memo.use(cache):
        model = pipeline.build_model(site, cache=cache, jobs=1)
    index = Fingerprints(model, b"").index()
    keys = sorted(k for k in index if k.startswith("member:"))[:3]
    alone = {k: tracking._value_digest(tracking._made_of(index[k], model.sources, {})) for k in keys}
    made_of = tracking._made_of

    def failing(obj, sources, known):
        if obj is index[keys[1]]:
            return ("made of", lambda: None)  # (a function: not picklable)
        return made_of(obj, sources, known)
    monkeypatch.setattr(tracking, "_made_of", failing)
    monkeypatch.setattr(tracking, "_DIGESTING", (index, {}, model.sources))
    assert tracking._digest_part(keys) == [alone[keys[0]], None, alone[keys[2]]]


def test_every_field_of_a_model_object_is_either_made_by_its_own_file_or_compared_part_by_part():
    """A model class names the fields its own file's bytes alone make (``FROM_FILE``): an object is told
    unchanged by that file's digest and its other fields. The other fields are listed here, so that a field
    added to a class is put on one side or the other by whoever adds it."""
    from dataclasses import fields
    others = {model_build.Unit: set(), model_build.Post: {"unit"},
              model_build.Member: {"posts", "photo", "public"},
              model_build.Story: {"posts", "members", "cover", "summary", "html"}}
    for cls, rest in others.items():
        names = {f.name for f in fields(cls)}
        assert names - cls.FROM_FILE[1] == rest, cls
        assert cls.FROM_FILE[1] <= names


def test_a_photo_or_a_story_changes_the_digest_of_what_shows_it(tmp_path, steady):
    """What is not made by an object's own file is compared part by part: a member's photo file and the
    stories naming it, a story's HTML (its links depend on the posts and members)."""
    site = sample_site(tmp_path)
    first = _object_digests(site)
    photos = site / "content/images/members"
    shutil.copy(photos / "cao-yang.jpg", photos / "bai-lu.jpg")  # (the file bai-lu.yaml names, its bytes changed)
    again = _object_digests(site)
    assert {k for k in again if again[k] != first[k]} == {"member:bai-lu"}
    story = next((site / "content/stories").glob("*.md"))
    text = story.read_text(encoding="utf-8")
    named = re.search(r"^members: \[([a-z-]+)", text, re.M) or re.search(r"^members:\n  - ([a-z-]+)", text, re.M)
    story.write_text(re.sub(r"^members:.*?(?=^[a-z])", "members: []\n", text, count=1, flags=re.M | re.S),
                     encoding="utf-8")
    third = _object_digests(site)
    changed = {k for k in third if third[k] != again[k]}
    assert f"story:{story.stem}" in changed and (named is None or f"member:{named.group(1)}" in changed), changed


def test_a_record_no_file_names_is_hashed_by_its_content():
    rec = seal(Rec({"a": 1}))
    rec.path, rec.line, rec.col, rec.offset = "content/x.yaml", 1, 1, 0
    assert _parts(rec, {"content/x.yaml": b"d"}) == ("r", "content/x.yaml", b"d", 1, 1, 0)
    with pytest.raises(_Unknown):  # (a record made in this process, as import's trial month)
        _parts(rec, {})


def test_what_an_object_is_made_of_tells_values_apart_as_pickle_does():
    values = [1, True, 1.0, -0.0, 0.0, "1", None, (1,), [1], {"a": 1}, {"a": True}, dt.date(2025, 1, 1),
              dt.datetime(2025, 1, 1, 8, tzinfo=dt.timezone.utc),
              dt.datetime(2025, 1, 1, 16, tzinfo=dt.timezone(dt.timedelta(hours=8)))]
    parts = [_parts(v, {}) for v in values]
    assert len({repr(p) for p in parts}) == len(values)
    assert all(parts[i] != parts[j] for i in range(len(values)) for j in range(len(values)) if i != j)


def test_an_unchanged_page_is_neither_rendered_nor_rewritten(tmp_path, steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    page = sorted((out / "members").glob("*/index.html"))[0]
    inode = page.stat().st_ino
    again = pipeline.run(site, out, jobs=1)
    assert again.changed == 0 and again.rendered <= 2  # pages made by a method (a file's bytes) are always made
    assert page.stat().st_ino == inode


def test_files_removed_from_the_output_by_hand_are_made_again_by_a_warm_build(tmp_path, capsys, monkeypatch, steady):
    """A warm build keeps the files of the build before without writing them, once it has seen that they are still
    there: the helper process that looks at them all while the model is built (``Writer.present``) must not take a
    file someone removed for one that is there."""
    from site_builder.write import output

    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=2)
    page = sorted((out / "members").glob("*/index.html"))[0]
    photo = sorted((out / "media").rglob("*.jpg"))[0]
    index = out / "index.html"
    for gone in (page, photo, index):
        gone.unlink()
    seen = []
    real_exit = output.Writer.__exit__
    monkeypatch.setattr(output.Writer, "__exit__", lambda self, *exc: seen.append(self.present) or real_exit(self, *exc))
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    warm = pipeline.run(site, out, jobs=2)
    assert page.is_file() and photo.is_file() and index.is_file()
    relative = {path.relative_to(out).as_posix() for path in (page, photo, index)}
    if workers.can_fork():  # (looked at by the helper: no file removed among them, every other one)
        assert seen[0] is not None and not relative & seen[0] and len(seen[0]) > warm.files / 2
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_what_the_shared_header_and_footer_read_is_read_by_every_page(tmp_path, capsys, steady):
    """The header and footer are rendered once a build (Renderer.include_once); the footer's "as of" month
    is read there, and every page that shows it must be rendered again when a new month is evaluated."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    assert "2026年2月" in (out / "accessibility/index.html").read_text(encoding="utf-8")
    march = (site / "content/evaluations/2026-02.yaml").read_text(encoding="utf-8")
    march = march.replace("month: 2026-02", "month: 2026-03").replace("evaluated_on: 2026-03-07", "evaluated_on: 2026-04-07")
    (site / "content/evaluations/2026-03.yaml").write_text(march, encoding="utf-8")
    warm = pipeline.run(site, out, jobs=1)
    assert "星级数据截至 2026年3月 考评" in (out / "accessibility/index.html").read_text(encoding="utf-8")
    assert warm.rendered < warm.pages  # the print pages show no footer
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_template_change_renders_every_page(tmp_path, steady):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("{% extends 'base.html' %}{% block main %}<p>新的 404</p>{% endblock %}\n")
    again = pipeline.run(site, out, jobs=1)
    assert again.rendered == again.pages
    assert "新的 404" in (out / "404.html").read_text(encoding="utf-8")


def test_parallel_rendering_is_byte_identical_to_serial(tmp_path, monkeypatch, steady):
    monkeypatch.setattr(rendering, "POOL_MIN_PAGES", 1)
    site = sample_site(tmp_path)
    pipeline.run(site, tmp_path / "serial", jobs=1, use_cache=False)
    parallel = pipeline.run(site, tmp_path / "parallel", jobs=2, use_cache=False)
    assert parallel.rendered == parallel.pages
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")


def test_no_cache_keeps_nothing(tmp_path, capsys, steady):
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out", "--no-cache", "-q")[0] == 0
    assert not (site / ".site-builder-cache").exists()
    assert run(capsys, "build", site, "-o", tmp_path / "out2", "-q", "--jobs", "2")[0] == 0
    assert (site / ".site-builder-cache" / ".gitignore").exists()
    with pytest.raises(SystemExit) as exit:
        run(capsys, "build", site, "--jobs", "0")
    assert exit.value.code == 2 and "不是正整数" in capsys.readouterr().err


# -- Markdown, rendered once ------------------------------------------------------------------------

from site_builder.model import markdown as markup
from site_builder.incremental import markdown_cache as mdcache  # noqa: E402

STORY = "content/stories/first.md"


def count_markdown(monkeypatch) -> list[int]:
    calls = []
    real = markup.render_markdown
    monkeypatch.setattr(markup, "render_markdown", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_an_unchanged_story_body_is_not_rendered_again(tmp_path, monkeypatch, steady):
    site = make_site(tmp_path)
    pipeline.run(site, tmp_path / "out", jobs=1)
    calls = count_markdown(monkeypatch)
    edit(site / "content/stories/first.md", "title: 窗口里的笑脸", "title: 窗口里的笑脸（修订）")
    pipeline.run(site, tmp_path / "out", jobs=1)
    assert calls == []
    assert "窗口里的笑脸（修订）" in (tmp_path / "out/stories/first/index.html").read_text(encoding="utf-8")


def test_a_cached_body_whose_link_broke_is_reported(tmp_path, capsys, steady):
    """The body is the same, but the post it links to is gone: the cache entry must not hide that."""
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out", "-q")[0] == 0
    before = tree(tmp_path / "out")
    text = (site / STORY).read_text(encoding="utf-8").replace("posts: [tax-window]", "posts: []")
    (site / STORY).write_text(text, encoding="utf-8")
    (site / "content/posts/tax-window.yaml").unlink()
    for name in ("li-ming", "wang-fang", "hidden"):
        (site / f"content/members/{name}.yaml").unlink(missing_ok=True)
    for month in (site / "content/evaluations").glob("*.yaml"):
        month.unlink()
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out", "-q")
    assert code == 1 and "content/stories/first.md:" in err and "tax-window.yaml" in err
    assert tree(tmp_path / "out") == before


def test_stories_rendered_in_workers_equal_serial(tmp_path, monkeypatch, steady):
    monkeypatch.setattr(mdcache, "POOL_MIN_STORIES", 1)
    monkeypatch.setattr(mdcache, "CHUNK", 1)
    site = sample_site(tmp_path)
    serial = pipeline.run(site, tmp_path / "a", jobs=1, use_cache=False)
    calls = count_markdown(monkeypatch)  # counts only the build process's own renderings
    parallel = pipeline.run(site, tmp_path / "b", jobs=2, use_cache=False)
    assert len(calls) < len(serial.model.stories) and tree(tmp_path / "a") == tree(tmp_path / "b")
    assert [s.html for s in parallel.model.stories] == [s.html for s in serial.model.stories]
    assert parallel.model.images == serial.model.images


def test_qr_codes_and_photo_sizes_are_worked_out_once(tmp_path, monkeypatch, steady):
    import zxingcpp

    from site_builder.model import images

    site = make_site(tmp_path)
    made, opened = [], []
    real_make, real_open = zxingcpp.create_barcode, images._open
    monkeypatch.setattr(zxingcpp, "create_barcode", lambda *a, **k: made.append(a) or real_make(*a, **k))
    monkeypatch.setattr(images, "_open", lambda *a: opened.append(1) or real_open(*a))
    pipeline.run(site, tmp_path / "out", jobs=1)
    assert made and opened
    made.clear(), opened.clear()
    edit(site / "content/posts/tax-window.yaml", "大厅入口左侧", "大厅入口右侧")  # its boards are rendered again
    pipeline.run(site, tmp_path / "out", jobs=1)
    assert made == [] and opened == []
    assert "大厅入口右侧" in (tmp_path / "out/posts/tax-window/index.html").read_text(encoding="utf-8")


# -- what a warm build reads and writes of the cache ------------------------------------------------

def cache_files(site) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (site / ".site-builder-cache").glob("*.pickle")}


def test_a_build_with_nothing_changed_writes_no_section_of_the_cache_again(tmp_path, monkeypatch, steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    schema = Path(feeds.__file__).with_name("posts.schema.json")  # a page made by a method: always rendered
    monkeypatch.setattr(pipeline, "PAGE_SOURCES",
                        [*pipeline.PAGE_SOURCES, lambda model: [Page("always.json", None, data=schema.read_bytes)]])
    pipeline.run(site, out, jobs=1)
    pipeline.run(site, out, jobs=1)  # (drops the memo entries of the pages it kept)
    before = cache_files(site)
    again = pipeline.run(site, out, jobs=1)
    assert again.rendered == 1  # the page made by a method, whose entry is the same
    assert cache_files(site) == before
    edit(sorted((site / "content/stories").glob("*.md"))[0], "\n\n", "\n\n新增的一段文字。\n\n")
    pipeline.run(site, out, jobs=1)
    written = {name for name, stamp in cache_files(site).items() if before.get(name) != stamp}
    assert "pages-output.pickle" in written and "pages-files.pickle" not in written  # the same files
    assert len([name for name in written if name.startswith("markdown-")]) == 1  # the new body's section


def test_a_warm_build_reads_the_links_of_the_rendered_pages_only(tmp_path, capsys, monkeypatch, steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    read, sections = [], []
    real = rendering._add_links
    monkeypatch.setattr(rendering, "_add_links", lambda links, blob: read.append(blob) or real(links, blob))
    real_section = cache_mod.Cache.section
    monkeypatch.setattr(cache_mod.Cache, "section", lambda cache, name: sections.append(name) or real_section(cache, name))
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    warm = pipeline.run(site, out, jobs=1)
    assert 0 < warm.rendered == len(read) < warm.pages  # the same files as before: kept pages' links were checked
    # ... and the sections that keep the links of the others were not read (those of the rendered pages are, to
    # see whether to save theirs again)
    assert 0 < len({name for name in sections if name.startswith("links-")}) <= warm.rendered
    read.clear()
    (site / "content/stories/new.md").write_text(story.read_text(encoding="utf-8"), encoding="utf-8")
    warm = pipeline.run(site, out, jobs=1)  # a new page: every page's links are checked against the new files
    assert len(read) == warm.pages
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_warm_build_reads_and_saves_again_only_the_search_index_parts_it_changes(tmp_path, capsys, monkeypatch,
                                                                                  steady):
    """The search index of the last build is kept with its shards' tables in sections of their own
    ("finisher-search-N", 67 MB at 10,000 posts, which every warm build read and saved whole): a warm build after
    one story reads and saves those of the shards whose keys changed. A part the cache lost makes the index from
    scratch: the same files, no traceback."""
    from site_builder.render import search_index
    monkeypatch.setattr(search_index, "shard_count", lambda docs: 4096)  # (a city's; the sample has 16)
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)

    def parts(names):
        return {name.removesuffix(".pickle") for name in names if name.startswith("finisher-search-")}
    assert len(parts(cache_files(site))) == pipeline.FINISHER_PARTS
    before = cache_files(site)
    sections = []
    real_section = cache_mod.Cache.section
    monkeypatch.setattr(cache_mod.Cache, "section", lambda cache, name: sections.append(name) or real_section(cache, name))
    whole = []
    real_whole = search_index._whole
    monkeypatch.setattr(search_index, "_whole", lambda *a, **k: whole.append(1) or real_whole(*a, **k))
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    pipeline.run(site, out, jobs=1)
    assert whole == []  # updated
    saved = parts(name for name, stamp in cache_files(site).items() if before.get(name) != stamp)
    assert 0 < len(saved) <= len(parts(sections)) <= 16  # (the new text's keys: ~10 shards)
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)

    for name in parts(cache_files(site)):  # the parts lost: the index made from scratch, the same
        (site / ".site-builder-cache" / f"{name}.pickle").unlink()
    edit(story, "新增的一段文字", "改过的一段说明")
    whole.clear()
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    assert whole == [1]
    shutil.rmtree(clean)
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_what_the_pages_offer_the_search_index_is_kept_apart_and_read_for_the_files_written_again(
        tmp_path, capsys, monkeypatch, steady):
    """The cache's page entries name the finishers a page offered something to; what it offered (its text, 60 %
    of the entries' bytes) is in sections of its own ("offers-N"), read by a warm build for the pages whose
    search files it writes again. Sections lost: each kept page's offer is read from its file. Both: the files
    of a clean build."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    cache = Cache.for_site(site)
    entries = {path: entry for n in range(pipeline.PAGE_SHARDS) for path, entry in cache.section(f"pages-{n}").items()}
    offering = {path for path, entry in entries.items() if entry.found}
    assert len(offering) > 20 and all(value is pipeline.APART for path in offering for _, value in entries[path].found)
    offers = {path: found for n in range(pipeline.OFFER_SHARDS) for path, found in cache.section(f"offers-{n}").items()}
    assert offers.keys() == offering and all(found[0][0] == "search" and found[0][1].title for found in offers.values())

    sections = []
    real_section = cache_mod.Cache.section
    monkeypatch.setattr(cache_mod.Cache, "section", lambda cache, name: sections.append(name) or real_section(cache, name))
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    pipeline.run(site, out, jobs=1)
    read = {name for name in sections if name.startswith("offers-")}
    assert 0 < len(read) < len({pipeline._shard(path, pipeline.OFFER_SHARDS) for path in offering}) / 2
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)

    for section in (site / ".site-builder-cache").glob("offers-*.pickle"):
        section.unlink()
    edit(story, "新增的一段文字", "改过的一段说明")
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    shutil.rmtree(clean)
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_kept_pages_offer_is_read_from_its_file_and_a_page_with_neither_stops_the_build(tmp_path):
    """What a kept page offered the search index, when the cache has lost it, is read from the page's file in the
    output (the old one, or the new one being written); a page whose offer and file are both gone (its file gone
    after the writer looked at it) stops the build with the page named and what to do, not a traceback."""
    from site_builder.render import search_index

    cache = Cache(tmp_path / "cache")  # (no section: every offer lost)
    writer = SimpleNamespace(old=tmp_path / "old", new=tmp_path / "new")
    page = "<html><body><main data-search-body><h1>办税服务厅</h1><p>一次办好。</p></main></body></html>".encode()
    for folder, name in ((writer.old, "posts/a/index.html"), (writer.new, "posts/b/index.html")):
        (folder / name).parent.mkdir(parents=True)
        (folder / name).write_bytes(page)
    read = pipeline._offer_reader(cache, writer, search_index)
    assert read("posts/a/index.html") == read("posts/b/index.html") == search_index.extract(page)
    assert read("posts/a/index.html").title == "办税服务厅"
    with pytest.raises(ContentErrors) as failed:
        read("posts/c/index.html")
    (problem,) = failed.value.problems
    assert problem.path == "posts/c/index.html" and "--no-cache" in problem.message


def test_a_kept_page_whose_links_the_cache_lost_is_rendered_again(tmp_path, capsys, steady):
    """The links of the pages are kept in sections of their own: when a link check needs a kept page's links and
    the cache has none (a section deleted, or not signed by this user), the page is rendered again, its links
    kept again for the next build, and the output is a clean build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    first = pipeline.run(site, out, jobs=1)
    for section in (site / cache_mod.FOLDER).glob("links-*.pickle"):
        section.unlink()
    # `check` checks every page's links: it renders those the cache has no links for (and writes nothing)
    assert pipeline.run(site, out, write=False, jobs=1).rendered == first.pages
    story = sorted((site / "content/stories").glob("*.md"))[0]
    (site / "content/stories/new.md").write_text(story.read_text(encoding="utf-8"), encoding="utf-8")
    warm = pipeline.run(site, out, jobs=1)  # (a new page: every page's links are checked)
    assert warm.rendered == warm.pages == first.pages + 1
    again = pipeline.run(site, out, jobs=1)
    assert again.rendered == 0
    (site / "content/stories/new2.md").write_text(story.read_text(encoding="utf-8"), encoding="utf-8")
    assert pipeline.run(site, out, jobs=1).rendered < first.pages  # the links were kept again
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_templates_are_compiled_once(tmp_path, monkeypatch, steady):
    import jinja2

    site = make_site(tmp_path)
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda env, *a, **k: compiled.append(a[1:2]) or real(env, *a, **k))
    pipeline.run(site, tmp_path / "out", jobs=1)
    assert compiled
    compiled.clear()
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("{% extends 'base.html' %}{% block main %}<p>新的 404</p>{% endblock %}\n")
    again = pipeline.run(site, tmp_path / "out", jobs=1)
    assert again.rendered == again.pages and compiled == [("404.html",)]  # the changed one only
    assert "新的 404" in (tmp_path / "out/404.html").read_text(encoding="utf-8")


def test_a_translation_edit_is_written_by_the_next_warm_build(tmp_path, capsys, steady):
    """A plain `t('key')` is compiled into the template's code (render/templates.py): the kept code is that of the
    translations it was compiled with, so a site's own translations.yaml, added, edited or removed with no
    template changed, is in the next warm build's pages as in a clean build's."""
    site = make_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    page = next(p for p in sorted(out.glob("*/*/index.html")) if "星级记录" in p.read_text(encoding="utf-8"))
    own = site / "templates/translations.yaml"
    own.parent.mkdir()
    for heading in ("新的记录标题", "又改了一次", None):
        if heading is None:
            own.unlink()
        else:
            own.write_text(f"zh-CN:\n  history_heading: {heading}\n", encoding="utf-8")
        pipeline.run(site, out, jobs=1)
        text = page.read_text(encoding="utf-8")
        assert (heading or "星级记录（一月一考评）") in text
        clean = tmp_path / f"clean-{heading}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean)


def test_a_build_without_cache_keeps_no_records(tmp_path):
    """--no-cache: the records are dropped once the model is made (a 10,000-post city's are ~800 MiB), and the
    pages are the same as a cached build's."""
    site = make_site(tmp_path)
    memory = Cache(None)
    pipeline.run(site, tmp_path / "plain", jobs=1, cache=memory, use_cache=False)
    assert not [name for name in memory._data if name.startswith("records")]
    pipeline.run(site, tmp_path / "cached", jobs=1)
    assert tree(tmp_path / "plain") == tree(tmp_path / "cached")
    kept = Cache.for_site(site)  # (a cache with a folder keeps them for the next build)
    assert any(kept.section(f"records-{n}") for n in range(records.SHARDS))



@pytest.mark.skipif(not workers.can_fork(), reason="no fork: everything runs in one process")
def test_the_evaluations_are_replayed_in_a_worker_while_the_stories_render(tmp_path, capsys, monkeypatch, steady):
    """On two cores the replay of the evaluations runs in a worker while this process renders the stories'
    Markdown: the same pages as one process makes, a warm build after it the same as a clean one, and a problem
    the replay finds reported as one process reports it."""
    site = sample_site(tmp_path)
    monkeypatch.setattr(mdcache, "POOL_MIN_STORIES", 1)  # (the sample has six stories)
    replayed_in = tmp_path / "replayed-in"
    real = model_build.Builder.replay_evaluations

    def replay(self, *args):
        replayed_in.write_text(str(os.getpid()))
        return real(self, *args)

    monkeypatch.setattr(model_build.Builder, "replay_evaluations", replay)
    assert run(capsys, "build", site, "-o", tmp_path / "two", "--no-cache", "-q", "-j", "2")[0] == 0
    assert int(replayed_in.read_text()) != os.getpid()
    assert run(capsys, "build", site, "-o", tmp_path / "one", "--no-cache", "-q", "-j", "1")[0] == 0
    assert int(replayed_in.read_text()) == os.getpid()
    assert tree(tmp_path / "two") == tree(tmp_path / "one")

    out = tmp_path / "out"  # a cached build keeps the standings the worker sent: a warm build uses them
    assert run(capsys, "build", site, "-o", out, "-q", "-j", "2")[0] == 0
    replayed_in.unlink()
    edit(sorted((site / "content/stories").glob("*.md"))[0], "\n\n", "\n\n新增的一段文字。\n\n")
    assert run(capsys, "build", site, "-o", out, "-q", "-j", "2")[0] == 0
    assert not replayed_in.exists()
    assert run(capsys, "build", site, "-o", tmp_path / "clean", "--no-cache", "-q", "-j", "1")[0] == 0
    assert tree(out) == tree(tmp_path / "clean")

    evaluation = sorted((site / "content/evaluations").glob("*.yaml"))[-1]
    lines = evaluation.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("  ") and not line.startswith("   "))
    edit(evaluation, lines[at], "  no-such-post:")
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "bad", "--no-cache", "-j", "2")
    assert code == 1 and int(replayed_in.read_text()) != os.getpid()
    assert f"{evaluation.relative_to(site).as_posix()}:{at + 1}:3: 找不到示范岗 `no-such-post`" in err
    assert run(capsys, "build", site, "-o", tmp_path / "bad", "--no-cache", "-j", "1")[1:] == (_, err)

# -- serve: groups of pages kept from the rebuild before (incremental/listing.py) ----------------------------

from site_builder.incremental import listing  # noqa: E402
from site_builder.pages.web import Page  # noqa: E402
from site_builder.printing.boards import Board  # noqa: E402


def made_groups(monkeypatch) -> list[str]:
    """The keys of the groups of pages that builds made (not reused), appended as they are made."""
    made: list[str] = []
    real = listing._made

    def spy(item, fingerprints, jobs):
        made.append(item.key)
        return real(item, fingerprints, jobs)
    monkeypatch.setattr(listing, "_made", spy)
    return made


def test_serve_keeps_the_boards_and_lists_when_a_story_changes(tmp_path, capsys, monkeypatch, steady):
    """Inside ``serve`` (the cache in memory) a story's edit changes nothing the boards, the lists or the post
    pages are listed from: those groups are reused, moved over to the new model (no page holds an object of
    the model before), and the pages that show the story are still rendered again: the output is a clean
    build's. The story's own group is kept as well: it read only the address of each story (the story's page is made
    by a view when it is rendered), so another title changes nothing it read (``Fingerprints.same_reads``). A
    member's edit makes the groups that read the member again."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    made = made_groups(monkeypatch)
    listed = []
    real = listing.list_pages
    monkeypatch.setattr(listing, "list_pages", lambda *a, **k: listed.append(real(*a, **k)) or listed[-1])
    first = pipeline.run(site, out, jobs=1, cache=cache, save=False)
    # (the stand-ins of the groups the first build made are made with them: the first rebuild reuses them)
    stood = {id(p) for found in cache.held[listing.HELD_STAND_INS].values() for p in found[1]}
    units = [f"{u.id}" for u in first.model.units if u.posts]
    member_pages = [p.url for p in listed[-1].pages if p.template == "member.html"]  # (by unit: each public member once)
    assert sorted(member_pages) == sorted(m.url for m in first.model.members)
    stories = len(first.model.stories)
    assert made == ["web.lists", *[f"web.posts.{u}" for u in units], *[f"web.members.{u}" for u in units],
                    "web.units", *[f"web.stories.{n}" for n in range((stories + web.STORY_GROUP - 1) // web.STORY_GROUP)],
                    "web.honours", "print.short",
                    *[f"print.unit.{u}" for u in units]]  # a group of post pages and of print pages for each unit
    story = next(p for p in sorted((site / "content/stories").glob("*.md")) if "posts:" in p.read_text(encoding="utf-8"))
    edit(story, "\ntitle: ", "\ntitle: 改过的")
    made.clear()
    second = pipeline.run(site, out, jobs=1, cache=cache, save=False)
    assert made == []  # every group reused
    assert 0 < second.rendered < second.pages / 10
    model_objects = {id(o) for o in (*second.model.posts, *second.model.all_members, *second.model.units,
                                     *second.model.stories)}
    reused = listed[-1]
    assert len(reused.same) > second.pages / 2
    assert all(id(reused.pages[i]) in stood for i in reused.unread)
    read_back = reused.same - reused.unread.keys()  # the reused pages that were rendered
    assert 0 < len(read_back) <= second.rendered
    assert all(reused.pages[i].template is None or reused.pages[i].args or reused.pages[i].context
               for i in read_back)  # (not stand-ins)
    listing.complete(reused, sorted(reused.same), Fingerprints(second.model, b"").index())
    for i in reused.same:
        for obj in _objects_in(reused.pages[i]):
            assert id(obj) in model_objects or obj is second.model, (reused.pages[i].url, obj)
    post_page = out / f"posts/{second.model.stories[0].posts[0].id}/index.html"
    assert "改过的" in post_page.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)

    shown = next(m for m in second.model.members if m.post.status != "revoked")  # on its post's board
    edit(site / f"content/members/{shown.id}.yaml", "pledge: ", "pledge: 再")
    made.clear()
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    # (a unit's print pages are listed from its posts and who serves at them, and what each member consents to show:
    # not from a pledge, which its board shows when the page is rendered; Fingerprints.same_reads)
    assert not {key for key in made if key.startswith("print.")}
    # (the post pages' boards are made when the pages are rendered: listing them reads no member)
    assert not {key for key in made if key.startswith("web.posts.")}
    assert "web.lists" not in made  # (the member's unit only)
    # (the honour roll is listed from the posts' standings and members and the honoured members, each by its key:
    # a pledge's edit lists it again whether or not the member is on it; its page is rendered again, below)
    assert "web.honours" not in made
    assert "再" in (out / f"posts/{shown.post.id}/index.html").read_text(encoding="utf-8")  # its board's fingerprint
    clean = tmp_path / "clean-member"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)

    # the honour roll reads the honoured members and the commended posts' members, not every member: the edit of
    # a member with no honour at a post not commended keeps its pages
    quiet = next(m for m in second.model.members
                 if not m.honours and all(p.status != "commended" for p in m.public_posts))
    edit(site / f"content/members/{quiet.id}.yaml", "pledge: ", "pledge: 又")
    made.clear()
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    assert "web.honours" not in made
    clean = tmp_path / "clean-quiet-member"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)
    # ... and an honour given to that member puts the member on the roll: listed again
    def on_the_roll() -> bool:
        return any(f'members/{quiet.id}/"' in page.read_text(encoding="utf-8") for page in (out / "honours").rglob("*.html"))

    assert not on_the_roll()
    edit(site / f"content/members/{quiet.id}.yaml", "pledge: ",
         "honours:\n  - date: 2025-10-01\n    title: 新评的荣誉\npledge: ")
    made.clear()
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    assert "web.honours" in made and on_the_roll()
    clean = tmp_path / "clean-honoured-member"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_serve_keeps_the_groups_that_did_not_read_what_a_post_edit_changed(tmp_path, capsys, monkeypatch, steady):
    """A kept group notes which attributes it read of each object: inside ``serve``, when an object it read has
    another digest, the group is kept if each of those attributes has the same value in the model before and in
    this one (``Fingerprints.same_reads``). A post's description is on none of the lists of posts, the honour roll or
    the units' lists: they are kept, and the pages that show it rendered again. Nor is its name, which the lists'
    template shows: the pages that do are rendered again. Its revocation takes it off the lists (its status is read
    by the listing, from its standing, a relation): they are made again. After each edit the output is a clean
    build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    made = made_groups(monkeypatch)
    looked = []
    real = tracking.Fingerprints.same_reads
    monkeypatch.setattr(tracking.Fingerprints, "same_reads",
                        lambda self, key, names, then: looked.append(key) or real(self, key, names, then))
    first = pipeline.run(site, out, jobs=1, cache=cache, save=False)
    post = next(p for p in first.model.posts if p.description and p.status != "revoked" and len(p.unit.posts) > 1)
    path = site / f"content/posts/{post.id}.yaml"

    def rebuild(old: str, new: str, name: str):
        edit(path, old, new)
        made.clear(), looked.clear()
        model = pipeline.run(site, out, jobs=1, cache=cache, save=False).model
        clean = tmp_path / f"clean-{name}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), name
        return model

    model = rebuild("description: ", "description: 改过的说明。", "description")
    assert not {"web.lists", "web.honours", "web.units", f"print.unit.{post.unit.id}"} & set(made), made
    # (the posts in list order are the last ones with the post made again put in its place: model.listed_posts)
    posts = {p.id: p for p in model.posts}
    assert posts[post.id] is not post and posts[post.id] in model.listed_posts
    assert all(posts[p.id] is p for p in model.listed_posts)
    assert f"post:{post.id}" in looked
    assert "改过的说明" in (out / f"posts/{post.id}/index.html").read_text(encoding="utf-8")
    rebuild("\nname: ", "\nname: 改名的", "name")  # (shown by the list pages' template: listed from what is not)
    assert not {"web.lists", "web.honours", "web.units"} & set(made), made
    assert any("改名的" in page.read_text(encoding="utf-8") for page in (out / "browse").rglob("*.html"))
    def listed() -> bool:
        return any(f'/posts/{post.id}/"' in page.read_text(encoding="utf-8") for page in (out / "browse").rglob("*.html"))

    assert listed()
    text = path.read_text(encoding="utf-8")
    rebuild(text, text + "revoked:\n  date: 2026-06-30\n  reason: 群众投诉查实\n", "revoked")
    assert {"web.lists", "web.units"} <= set(made), made
    assert not listed()


def test_serve_compares_again_only_the_groups_that_read_an_object_hashed_again(tmp_path, capsys, monkeypatch, steady):
    """Inside serve a kept group was compared with the digests of the build before; this build's digests are those
    with the objects made again hashed again, so only a group that read one of those is compared (3,000 groups
    at 10,000 posts, each a tuple of its objects' digests). Its arguments are written out again only when they are
    not the same objects and values as then (``tracking.same_arguments``), and its model attributes looked up only
    when one of them changed since (``Fingerprints.attributes_changed_since``). What changed is still seen: the
    pages of a clean build."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    compared, written, looked_up = [], [], []
    real = listing._digests_same
    monkeypatch.setattr(listing, "_digests_same", lambda group, now: compared.append(group) or real(group, now))
    text = tracking.arguments_text
    monkeypatch.setattr(tracking, "arguments_text",  # (by the check of a kept group)
                        lambda args: sys._getframe(1).f_code is listing._reusable.__code__ and written.append(args)
                        or text(args))
    digest = tracking.Fingerprints.attribute_digest
    monkeypatch.setattr(tracking.Fingerprints, "attribute_digest",  # (by the check of a kept group)
                        lambda self, key, name: sys._getframe(2).f_code is listing._reusable.__code__
                        and looked_up.append((key, name)) or digest(self, key, name))
    first = pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True)
    groups = len(cache.held[listing.HELD_COMPARED])
    assert groups > 20
    page_sets = []
    story = sorted((site / "content/stories").glob("*.md"))[0]
    member = site / f"content/members/{first.model.members[0].id}.yaml"  # (one with a public page)
    for n, (path, old, new) in enumerate([(story, "\n\n", "\n\n新增的一段文字。\n\n"), (member, "pledge: ", "pledge: 再"),
                                          (story, "新增的一段文字", "又改的一段文字"),
                                          (member, "  public: true", "  public: false")]):  # (a page fewer)
        edit(path, old, new)
        compared.clear(), written.clear(), looked_up.clear()
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[path])
        assert 0 < len(compared) <= groups / 2, (path.name, len(compared), groups)
        # (a kept group's arguments are the same objects and values as the rebuild before's, but where they changed:
        # a member no longer public changes the competition's places, which the post pages are listed with)
        assert len(written) <= (0 if path == story else groups / 4), (path.name, len(written), groups)
        assert len(looked_up) <= groups / 2, (path.name, len(looked_up), groups)
        # (the writer kept the pages all at once: its files are the pages' set, the same while the pages are; a
        # page fewer has every kept page's links looked at, and those pages kept one by one)
        files = cache.held[pipeline.HELD_WRITTEN].files
        assert files == set(tree(out)) - {".site-builder-output"}
        page_sets.append(files.pages if isinstance(files, output.Files) else None)
        clean = tmp_path / f"clean-{n}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), path.name
    assert page_sets[0] is not None and page_sets[0] is page_sets[1] is page_sets[2] and page_sets[3] is None


def test_serve_keeps_the_open_data_pieces_none_of_whose_reads_changed_without_comparing_their_digests(
        tmp_path, capsys, monkeypatch, steady):
    """Inside serve, a post's open-data piece none of whose reads is among the objects changed since the rebuild
    before (which kept or made every piece, or left them as they were while none of their reads changed: the
    settling rebuild) is kept as it is: no digest of it compared (10,000 pieces per edit at 10,000 posts). The
    piece of the post whose member changed is compared and made again; after a build that failed the pieces are
    still the last good build's. The files made of pieces equal to those rendered last are not hashed again (a
    pledge is in none of them); a member's new name is (in posts.json and posts.csv, not in history.csv). The pieces
    are asked for all at once: the last good build's taken as a whole, the one that read the member made again. The
    output is a clean build's each time."""
    from site_builder.incremental import derived
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    compared, made = [], []
    real_digests, real_record = Fingerprints.object_digests, feeds.post_record

    def object_digests(self, jobs=1):
        if any(frame.f_code.co_name == "_kept" for frame in _frames()):
            compared.append(1)
        return real_digests(self, jobs)

    def post_record(model, post):  # (what a post's piece is made from)
        made.append(post.id)
        return real_record(model, post)
    hashed, real_digest = [], output.digest
    asked, real_entry = [], derived.Derivations._entry

    def entry(self, name, function, args):  # (each piece looked up or made, one at a time)
        asked.append(name[0])
        return real_entry(self, name, function, args)
    monkeypatch.setattr(derived.Derivations, "_entry", entry)

    def digest(data):
        if type(data) is web.Chunks:
            hashed.append(data)
        return real_digest(data)
    monkeypatch.setattr(Fingerprints, "object_digests", object_digests)
    monkeypatch.setattr(feeds, "post_record", post_record)
    monkeypatch.setattr(output, "digest", digest)
    pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True)
    pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=())
    assert cache.held[derived.HELD_CURRENT][1] == {"open-data.post", "print.unit-counts"}
    member = next(m for m in sorted((site / "content/members").glob("*.yaml")) if (out / "members" / m.stem).is_dir())
    post = re.search(r"^post: *(\S+)", member.read_text(encoding="utf-8"), re.M).group(1).strip("\"'")
    broken = sorted((site / "content/stories").glob("*.md"))[0]
    good = broken.read_text(encoding="utf-8")
    post_file = site / "content/posts" / f"{post}.yaml"
    for n, (path, old, new) in enumerate([(member, "pledge: ", "pledge: 新"), (broken, "---", "---\n: ["),
                                          (broken, None, good), (member, "pledge: 新", "pledge: 再"),
                                          (member, "name: ", "name: 新"), (post_file, "location: ", "location: 新")]):
        compared.clear(), made.clear(), hashed.clear(), asked.clear()
        if old is None:
            path.write_text(new, encoding="utf-8")
        else:
            edit(path, old, new)
        try:
            pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[path])
        except ContentErrors:
            assert n == 1
            continue
        assert n != 1
        # (the pieces a build made are kept for the next with their digests: none hashed again at each rebuild, as
        # every one was after serve started with a clean build)
        each = [v for k, v in cache.held.items() if type(k) is tuple and k[0] == derived.HELD_EACH]
        assert each and all(entry.digests is not None for v in each for entry in v.entries), n
        if n in (0, 3, 4, 5):
            # (its own, compared; and a post's edit, its unit's row of the print index: print_pages.unit_counts)
            assert made == [post] and len(compared) == (2 if n == 5 else 1), (n, made, len(compared))
        assert len(hashed) == {4: 2, 5: 2}.get(n, 0), (n, len(hashed))  # (a location: posts.json, posts.csv)
        # the three files ask for every post's piece at once: the rebuild before's pieces taken as a whole, only the
        # one that read the member made again (derive_each); a post's edit puts the post made again in the model's
        # posts, the others the very objects: its piece is looked at again, not every post's one by one
        assert asked.count("open-data.post") == {0: 1, 2: 0, 3: 1, 4: 1, 5: 1}[n], (n, asked)
        clean = tmp_path / f"clean-{n}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), n


def _frames():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


def test_serve_finds_the_unchanged_objects_from_those_hashed_again(tmp_path, capsys, monkeypatch, steady):
    """Inside serve the digests the plan compares with are those the rebuild before kept, and this rebuild's are
    them with the objects made again hashed again: the objects that changed are found among those (71,000 digests
    were compared at 10,000 posts), and they are exactly those a comparison of every digest finds; the pages looked
    at are the same. After a story's, a member's and a score's edit; a story removed compares every digest."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    real, found = tracking.Fingerprints.unchanged, []

    def unchanged(self, before, jobs=1):
        result = real(self, before, jobs)
        now = self.object_digests(jobs)
        every = {k for k, d in before.objects.items() if d is not None and now.get(k) == d}
        if result.objects is None:
            assert set(before.objects) - result.changed == every
            index = cache.held.get("readers")  # (the reverse index, incremental/readers.py)
            if index is not None:
                assert index.look_at(result) == index.look_at(tracking.Unchanged(every, result.attributes))
        found.append(result.objects is None)
        return result
    monkeypatch.setattr(tracking.Fingerprints, "unchanged", unchanged)
    pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True)
    # (serve's settling rebuild changes no digest: the cache keeps the section it had, an equal copy of what the
    # rebuild's fingerprints gave, and the next rebuild compares with that: Fingerprints.kept_as)
    pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=())
    story = site / "content/stories/gongjiao-8lu-aixin-xianlu.md"  # (no other story links to it)
    member = next((site / "content/members").glob("*.yaml"))
    evaluation = sorted((site / "content/evaluations").glob("*.yaml"))[-1]
    for n, (path, old, new) in enumerate([(story, "\n\n", "\n\n新增的一段文字。\n\n"), (member, "pledge: ", "pledge: 再"),
                                          (evaluation, "note: ", "note: 改 "), (story, None, None)]):
        found.clear()
        if old is None:
            path.unlink()
        else:
            edit(path, old, new)
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[path])
        # (asked by the plan and by the open-data pieces: one answer; a story fewer: the objects compared anew)
        assert found and set(found) == {old is not None}, (n, found)
        clean = tmp_path / f"clean-{n}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), n


def test_serve_plans_from_the_pages_that_read_what_changed(tmp_path, capsys, monkeypatch, steady):
    """Inside ``serve`` (the cache in memory) the plan looks only at the pages that read an object whose digest
    changed (the reverse index kept from the build before, incremental/readers.py), and keeps and renders
    exactly the pages the comparison of every page would: after a story's, a member's, a score's, a settings
    edit and a story removed, and the output is a clean build's. (That plan lists the pages it looked at; every
    other page is kept as the cached build's entry has it, and the build goes on with that plan.)"""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    real, planned, looked, covered = rendering.plan, [], [], []

    def both(pages, previous, fingerprints, jobs=1, digests=None, same=frozenset(), readers=None, **known):
        full = real(pages, previous, fingerprints, jobs, digests, same)
        if readers is None:
            return full
        quick = real(pages, previous, fingerprints, jobs, digests, same, readers, **known)  # (serve's outputs, ...)
        assert known["where"] is not None and set(known["fresh"]) == set(range(len(pages))) - same
        assert quick.others is previous and list(quick.outputs) == [page.output for page in pages]
        assert len(quick.kept) <= len(full.kept)  # (fewer when not every page was looked at)
        kept = {i: quick.kept.get(i) or previous[output] for i, output in enumerate(quick.outputs)
                if i not in set(quick.todo)}
        assert quick.todo == full.todo and kept.keys() == full.kept.keys()
        assert all(kept[i] is full.kept[i] for i in kept)
        # (whether the entries are those of these pages and no other: known from the build before, or looked at)
        assert quick.covers == (previous.keys() == {page.output for page in pages})
        covered.append(known["covers"])
        planned.append(len(quick.todo))
        looked.append(len(quick.kept) + len(quick.todo))
        return quick
    monkeypatch.setattr(rendering, "plan", both)
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    assert planned == [] and cache.held["readers"].describes(pipeline._shards(cache))
    stories = sorted((site / "content/stories").glob("*.md"))
    edits = [
        lambda: edit(stories[0], "\ntitle: ", "\ntitle: 改过的"),
        lambda: edit(site / "content/members/cao-yang.yaml", "pledge: ", "pledge: 再"),
        lambda: edit(site / "content/evaluations/2025-03.yaml", "politics: 98, performance: 100",
                     "politics: 98, performance: 90"),
        lambda: edit(stories[0], "\ntitle: 改过的", "\ntitle: "),
        lambda: stories[1].unlink(),
        lambda: edit(site / "content/site.yaml", "title: ", "title: 新"),
        lambda: edit(stories[2], "\ntitle: ", "\ntitle: 又改"),
    ]
    for n, change in enumerate(edits, 1):
        change()
        result = pipeline.run(site, out, jobs=1, cache=cache, save=False)
        assert len(planned) == n and planned[-1] == result.rendered
    assert 0 < planned[0] < result.pages / 10
    assert looked[0] < result.pages / 2  # (a story's edit: most pages are kept without a look at each)
    assert planned[5] > result.pages * 0.9  # (the site's title: nearly every page)
    assert covered == [True, True, True, True, False, True, True]  # (but after a story gone: the pages before's)
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_the_reverse_index_names_every_reader_and_is_made_again_when_it_describes_other_pages():
    from site_builder.incremental.readers import Readers, updated
    from site_builder.incremental.tracking import Unchanged
    done = rendering.Done
    a = done(b"f", ("post:x", "unit:u"), (("model", ("as_of",)),), b"", b"")
    b = done(b"f", ("member:m",), (), b"", b"")
    c = done(None, (), (), b"", b"")
    more = {f"{n}.html": done(b"f", ("unit:v",), (), b"", b"") for n in range(10)}
    shards = ({"a.html": a}, {"b.html": b, "c.html": c}, more)
    readers = Readers(shards)
    everything = Unchanged({"post:x", "unit:u", "unit:v", "member:m"}, {("model", "as_of")})
    assert readers.look_at(everything) == {"c.html"}  # (its context is never compared: always looked at)
    assert readers.look_at(Unchanged({"post:x", "unit:v", "member:m"}, {("model", "as_of")})) == {"a.html", "c.html"}
    assert readers.look_at(Unchanged({"post:x", "unit:u", "member:m"}, {("model", "as_of")})) == {"c.html", *more}
    assert readers.look_at(Unchanged(everything.objects, set())) == {"a.html", "c.html"}
    # b rendered again reads the post now: named under it as well (and still under the member: a superset)
    b2 = done(b"g", ("post:x",), (), b"", b"")
    after = ({"a.html": a}, {"b.html": b2, "c.html": c}, more)
    assert updated(readers, after, shards, [("b.html", b2)]) is readers and readers.describes(after)
    assert readers.look_at(Unchanged({"unit:u", "unit:v", "member:m"}, {("model", "as_of")})) == \
        {"a.html", "b.html", "c.html"}
    assert readers.look_at(Unchanged({"post:x", "unit:u", "unit:v"}, {("model", "as_of")})) == {"b.html", "c.html"}
    # sections it does not describe (another build saved them): made from them
    other = ({"a.html": a}, {"b.html": b}, more)
    fresh = updated(readers, other, shards, [])
    assert fresh is not readers and fresh.describes(other) and fresh.look_at(everything) == set()


def _objects_in(page):
    """The model objects a page holds in its arguments and context (boards: the objects they name)."""
    todo, found = [page.args, page.context], []
    while todo:
        v = todo.pop()
        if isinstance(v, (list, tuple)):
            todo.extend(v)
        elif type(v) is dict:
            todo.extend(v.values())
        elif isinstance(v, Board):
            found += [v.unit, v.post] + ([v.member] if v.member is not None else [])
        elif type(v).__module__ == "site_builder.model.build":
            found.append(v)
    return found


def test_a_failed_rebuild_does_not_replace_the_groups_kept(tmp_path, capsys, monkeypatch, steady):
    """Groups are remembered only by a build that succeeded (the cache's pages are that build's): after a
    broken file and its repair the rebuild is still a clean build."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    def kept():
        return {k: cache.section(listing._section(k)).get("group") for k in cache.section(listing.INDEX)["keys"]}
    before = kept()
    assert len(before) > 4 and all(before.values())
    member = site / "content/members/cao-yang.yaml"
    text = member.read_text(encoding="utf-8")
    member.write_text(text.replace("pledge: ", "pledge: 新的", 1) + "pleadge: 多余\n", encoding="utf-8")
    with pytest.raises(Exception):
        pipeline.run(site, out, jobs=1, cache=cache, save=False)
    assert kept() == before  # (the same objects: nothing replaced)
    member.write_text(text.replace("pledge: ", "pledge: 新的", 1), encoding="utf-8")
    pipeline.run(site, out, jobs=1, cache=cache, save=False)
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_kept_pages_are_read_back_bound_to_the_new_model():
    class Thing:  # a model class (registered below)
        def __init__(self, id):
            self.id = id
    from site_builder.incremental import tracking
    tracking.register(Thing, "thing")
    try:
        old, new = Thing("a"), Thing("a")
        plain = {"x": [1, "two"], "y": ("z",)}
        page = Page("things/a/", "t.html", {"thing": old, "plain": plain, "list": [old, 3], "again": old})
        blob, ends, names = listing.unbind([page])
        assert b"thing:a" in blob and names == {"thing:a"} and ends == (len(blob),)
        [moved] = listing.bind(blob, {"thing:a": new})
        assert moved.context["thing"] is new and moved.context["list"] == [new, 3] and moved.context["again"] is new
        assert moved.context["plain"] == plain and moved.output == "things/a/index.html"
        with pytest.raises(listing.Stale):
            listing.bind(blob, {})  # the new model has no thing "a"
        # a large group is kept in slices, each read back alone (a page rendered again reads its own slice only)
        many = [Page(f"things/{n}/", "t.html", {"thing": old, "n": n}) for n in range(2 * listing.SLICE + 6)]
        blob, ends, names = listing.unbind(many)
        assert len(ends) == 3 and ends[-1] == len(blob) and names == {"thing:a"}
        last = listing.bind(memoryview(blob)[ends[1]:ends[2]], {"thing:a": new})
        assert [p.context["n"] for p in last] == list(range(2 * listing.SLICE, 2 * listing.SLICE + 6))
        assert all(p.context["thing"] is new for p in last)
        with pytest.raises(listing.Stale):
            listing.unbind([Page("data.json", None, data=lambda: b"")])  # a function cannot be kept
    finally:
        del tracking.ENTITIES[Thing]
        tracking._REDUCERS.clear()


def test_a_warm_build_reads_the_groups_kept_by_the_build_before(tmp_path, capsys, monkeypatch, steady):
    """The groups are kept in the cache folder: the next ``build`` (another process) reuses them too (all but the
    edited story's own group)."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q", "-j", "1")[0] == 0
    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    made = made_groups(monkeypatch)
    assert run(capsys, "build", site, "-o", out, "-q", "-j", "1")[0] == 0
    assert made == ["web.stories.0"]
    clean = tmp_path / "clean"
    assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(clean)


def test_a_page_records_what_a_board_read_even_if_another_page_made_it():
    """Boards are made where their pages are rendered, and a rendering process keeps the last ones it made (a
    post's page, the board's print page and its unit's list of boards show the same boards): a page that gets a
    board another page made must still read what the board is made of, or an edit would not render it again."""
    from site_builder import memo
    from site_builder.incremental import tracking
    from site_builder.incremental.derived import Derivations
    from site_builder.printing import boards
    model = pipeline.build_model(ROOT)
    post = next(p for p in model.posts if p.status != "revoked" and p.members)
    with memo.deriving(Derivations(tracking.Fingerprints(model, b""), None)), tracking.tracking():
        first, _ = tracking.record(lambda: boards.post_boards(model, post))  # for another page
        again, reads = tracking.record(lambda: boards.post_boards(model, post))
    read = {tracking.key_of(o) for o in reads.objects.values()}
    assert tracking.key_of(post.members[0]) in read and tracking.key_of(post) in read
    assert [b.data for b in again] == [b.data for b in first] and again[0].data is first[0].data  # (made once)
    assert [b.digest for b in boards.post_boards(model, post)] == [b.digest for b in first]  # (no build: made anew)


from site_builder.model import build as model_build  # noqa: E402


def test_the_standings_are_kept_until_an_evaluation_file_or_an_approval_changes(tmp_path, capsys, monkeypatch,
                                                                                steady):
    """A warm build replays no post's evaluations when the evaluation files, the rules and the posts'
    approvals are what the build before had, and does not even read their records back from the cache; a
    pass that reported a problem is not kept."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    pipeline.run(site, out, jobs=1)
    replays, read_back = [], []
    real = model_build.Builder.replay_evaluations
    monkeypatch.setattr(model_build.Builder, "replay_evaluations",
                        lambda self, *a: replays.append(1) or real(self, *a))
    real_value = load.Later.value
    monkeypatch.setattr(load.Later, "value", lambda self: read_back.append(1) or real_value(self))

    def build_and_compare(name):
        pipeline.run(site, out, jobs=1)
        counted, made = len(replays), len(read_back)
        clean = tmp_path / f"clean-{name}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        del replays[counted:], read_back[made:]  # (a --no-cache build replays them: not counted)
        assert tree(out) == tree(clean), name

    story = sorted((site / "content/stories").glob("*.md"))[0]
    edit(story, "\n\n", "\n\n新增的一段文字。\n\n")
    build_and_compare("story")
    assert replays == [] and read_back == []
    evaluation = site / "content/evaluations/2026-02.yaml"
    edit(evaluation, "politics: 9", "politics: 8")
    build_and_compare("evaluation")
    # every file's records are made once, one at a time: the edited one's too (kept as bytes from its parse on)
    assert len(replays) == 1 and len(read_back) == len(list((site / "content/evaluations").glob("*.yaml")))
    post = site / "content/posts/zrzy-budongchan-window.yaml"
    text = post.read_text(encoding="utf-8")
    approved = text[text.index("approval:"):].split("date: ", 1)[1][:10]
    day = dt.date.fromisoformat(approved)
    edit(post, f"date: {approved}", f"date: {day + dt.timedelta(days=1)}")
    build_and_compare("approval")
    assert len(replays) == 2

    edit(evaluation, "  zrzy-budongchan-window:", "  zrzy-budongchan-windows:")  # an unknown post
    for _ in range(2):  # reported by every build: the failed pass was not kept
        code, _, err = run(capsys, "build", site, "-o", out, "-q")
        assert code == 1 and "zrzy-budongchan-windows" in err
    assert len(replays) == 4
    edit(evaluation, "  zrzy-budongchan-windows:", "  zrzy-budongchan-window:")
    build_and_compare("repaired")


def test_an_evaluation_put_in_by_hand_is_never_taken_for_the_file_it_replaces(tmp_path):
    """``import evaluations`` tries the month in a model before it writes the file: the record it puts in has
    no digest, so the standings kept for the file it replaces are not recalled for it."""
    site = make_site(tmp_path)
    raw, _ = loaded(site)
    fid = sorted(dict(raw.evaluation_records()))[-1]
    files = {f: (path, found) for f, path, found in raw.evaluation_files()}
    assert files[fid][1] is not None and files[fid][0] == f"content/evaluations/{fid}.yaml"
    raw.add_evaluation(fid, raw.evaluation(fid), files[fid][0])
    assert {f: found for f, _, found in raw.evaluation_files()}[fid] is None
    raw.drop_evaluation(fid)
    assert fid not in dict(raw.evaluation_records()) and fid not in {f for f, _, _ in raw.evaluation_files()}


# -- derived pieces (incremental/derived.py): the open-data files ----------------------------------------

from site_builder.pages import feeds  # noqa: E402


def count_post_records(monkeypatch) -> list[str]:
    made: list[str] = []
    real = feeds.post_record
    monkeypatch.setattr(feeds, "post_record", lambda model, post: made.append(post.id) or real(model, post))
    return made


def test_the_open_data_files_make_again_only_the_pieces_of_the_posts_that_changed(tmp_path, capsys, monkeypatch,
                                                                                  steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    made = count_post_records(monkeypatch)
    first = pipeline.run(site, out, jobs=1)
    posts = [p.id for p in first.model.posts]
    assert sorted(made) == sorted(posts)  # once a post for the three files, not three times
    member = next(m for m in first.model.members if len(m.public_posts) == 1)
    edits = [  # (file, old, new, the posts whose pieces are made again)
        (f"members/{member.id}.yaml", "pledge: ", "pledge: 再", [member.public_posts[0].id]),
        (sorted((site / "content/evaluations").glob("*.yaml"))[-1].relative_to(site / "content").as_posix(),
         "politics: 9", "politics: 8", None),  # (the posts of one month's evaluation file)
        (sorted((site / "content/stories").glob("*.md"))[0].relative_to(site / "content").as_posix(),
         "\n\n", "\n\n新增的一段文字。\n\n", []),  # (no open-data file is rendered again)
    ]
    for name, old, new, expected in edits:
        made.clear()
        edit(site / "content" / name, old, new)
        warm = pipeline.run(site, out, jobs=1)
        assert warm.rendered < warm.pages / 2, name
        if expected is not None:
            assert sorted(made) == sorted(expected), name
        else:
            assert 0 < len(made) < len(posts), name
        clean = tmp_path / f"clean-{len(made)}-{Path(name).stem}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), name
    made.clear()  # a build parameter is in every record (its addresses): every piece is made again
    pipeline.run(site, out, jobs=1, base_url="https://elsewhere.example/")
    assert sorted(made) == sorted(posts)
    assert '"url":"https://elsewhere.example/posts/' in (out / "data/posts.json").read_text(encoding="utf-8")


def test_pieces_made_in_worker_processes_are_kept_for_the_next_build(tmp_path, capsys, monkeypatch, steady):
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(rendering, "POOL_MIN_PAGES", 1)
    first = pipeline.run(site, out, jobs=2)
    made = count_post_records(monkeypatch)  # (in this process: the next build renders a few pages here)
    monkeypatch.setattr(rendering, "POOL_MIN_PAGES", 10_000)
    member = next(m for m in first.model.members if len(m.public_posts) == 1)
    edit(site / f"content/members/{member.id}.yaml", "pledge: ", "pledge: 再")
    pipeline.run(site, out, jobs=2)
    assert made == [member.public_posts[0].id]
    assert run(capsys, "build", site, "-o", tmp_path / "clean", "--no-cache", "-q")[0] == 0
    assert tree(out) == tree(tmp_path / "clean")


def test_a_build_that_keeps_nothing_makes_each_piece_once_and_does_not_hold_it(tmp_path, monkeypatch):
    site = sample_site(tmp_path)
    made = count_post_records(monkeypatch)
    built = pipeline.run(site, tmp_path / "out", jobs=1, use_cache=False)
    assert sorted(made) == sorted(p.id for p in built.model.posts)  # the three files, one after another

    from site_builder.incremental.derived import Derivations
    calls = []
    derivations = Derivations(None, None)
    trimmed = []
    monkeypatch.setattr(workers, "trim", lambda: trimmed.append(len(derivations.made)))
    for page in (["a", "b"], ["a"], [], ["a"]):  # the pieces each page reads
        for name in page:
            derivations.derive("ns", lambda n: calls.append(n) or n.upper(), (name,))
        assert derivations.added == {}  # (nothing is sent back, so nothing waits for it: 87 MB at 10,000 posts)
        derivations.page_done()
    assert calls == ["a", "b", "a"]  # made again only after a page that read none
    assert trimmed == [0]  # the C heap's freed pages given back once, when the pieces were dropped


def test_a_build_that_keeps_nothing_has_what_pages_offer_search_written_aside(tmp_path, monkeypatch):
    """The pages' text for the search index goes to files while the site renders (not held by the build
    process) and is read back whole for the index: the same index as a serial build's."""
    monkeypatch.setattr(rendering, "POOL_MIN_PAGES", 1)
    site = sample_site(tmp_path)
    read_back = []
    real = rendering.spilled
    monkeypatch.setattr(rendering, "spilled", lambda folder: read_back.append(real(folder)) or read_back[-1])
    built = pipeline.run(site, tmp_path / "parallel", jobs=2, use_cache=False)
    [found] = read_back
    indexed = json.loads((tmp_path / "parallel/search-index/meta.json").read_text(encoding="utf-8"))
    assert len(found) == indexed["docs"] > 10
    assert [i for i, _, _ in found] == sorted(i for i, _, _ in found)
    monkeypatch.setattr(rendering, "spilled", real)
    pipeline.run(site, tmp_path / "cached", jobs=1)  # (nothing written aside: the cache keeps it with each page)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "cached") and built.pages > 100

    real_dump, dumped = rendering.pickle.dump, []

    def full_disk(value, file, *args, **kwargs):  # every other part's file cannot be written
        if workers.RESULTS_PREFIX in str(getattr(file, "name", "")):
            dumped.append(len(dumped))
            if len(dumped) % 2:
                file.write(b"half a pickle")
                raise OSError(28, "No space left on device")
        real_dump(value, file, *args, **kwargs)

    monkeypatch.setattr(rendering.pickle, "dump", full_disk)
    pipeline.run(site, tmp_path / "full-disk", jobs=1, use_cache=False)
    assert len(dumped) > 2 and tree(tmp_path / "full-disk") == tree(tmp_path / "cached")


def test_the_open_data_json_is_the_open_data_written_whole(tmp_path):
    site = sample_site(tmp_path)
    model = pipeline.build_model(site)
    whole = json.dumps(feeds.open_data(model), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert b"".join(feeds.posts_json(model)) == whole.encode("utf-8")
    assert json.loads(whole)["posts"] and b"".join(feeds.posts_csv(model)).count(b"\r\n") == len(model.posts) + 1


def test_a_build_that_keeps_nothing_remembers_its_last_memo_results_only(monkeypatch):
    """Without a cache folder (``--no-cache``) a memoized result (a QR code) serves the pages its process renders
    one after another, and the process does not hold every result it made to the end of the build."""
    monkeypatch.setattr(cache_mod, "RECENT_MEMO", 3)
    store = Cache(None)
    made = []

    def make(n):
        return lambda: made.append(n) or f"qr {n}"

    assert store.memo("boards.qr_svg", ("p1",), make(1)) == "qr 1"
    assert store.memo("boards.qr_svg", ("p1",), make(1)) == "qr 1" and made == [1]
    assert store.known("boards.qr_svg", ("p1",)) and not store.known("boards.qr_svg", ("p1",), durable=False)
    for n in 2, 3, 4:
        store.memo("boards.qr_svg", (f"p{n}",), make(n))
    assert not store.known("boards.qr_svg", ("p1",)) and store.known("boards.qr_svg", ("p4",))
    assert store.memo("boards.qr_svg", ("p1",), make(1)) == "qr 1" and made == [1, 2, 3, 4, 1]
    assert store.section("memo") == {} and store.added == {}  # (nothing kept for a later build)


def test_serve_reuses_the_model_objects_no_file_changed_and_hashes_only_the_others(tmp_path, capsys, monkeypatch,
                                                                                steady):
    """Inside ``serve`` (the cache in memory) a rebuild takes every unit, post, member and story of the model before
    whose file did not change and whose named objects are the same (model/build.py ``Builder.kept``), and their
    digests with them: only the objects made again, and those whose relations changed, are hashed. Each rebuild's
    output is a clean build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    hashed: list[str] = []
    real = tracking._digest_part
    monkeypatch.setattr(tracking, "_digest_part", lambda keys: hashed.extend(keys) or real(keys))

    def rebuild(name, base_url=None):
        hashed.clear()
        bodies.clear()
        result = pipeline.run(site, out, jobs=1, cache=cache, save=False, base_url=base_url)
        looked_at[:] = bodies
        clean = tmp_path / f"clean-{name}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q",
                   *(["--base-url", base_url] if base_url else []))[0] == 0
        assert tree(out) == tree(clean), name
        return result.model

    def objects(model):
        return {tracking.key_of(o): o for o in (*model.units, *model.all_posts, *model.all_members, *model.stories)}

    bodies: list[str] = []  # (the stories whose Markdown was looked at: replayed from the cache or rendered)
    looked_at: list[str] = []  # (... by the last rebuild)
    real_markdown = model_build.Builder.markdown
    monkeypatch.setattr(model_build.Builder, "markdown",
                        lambda self, body, *a: bodies.append(body) or real_markdown(self, body, *a))
    first = rebuild("first")
    story = next(s for s in first.stories if s.posts)
    edit(site / story.source, "\n\n", "\n\n新增的一段文字。\n\n")
    second = rebuild("story")
    before, now = objects(first), objects(second)
    assert {k for k in now if now[k] is not before.get(k)} == {f"story:{story.id}"}
    assert len(looked_at) == 1 and "新增的一段文字" in looked_at[0]  # (the others kept: same files, photos, objects)
    named = {f"post:{p.id}" for p in story.posts} | {f"member:{m.id}" for m in story.members}
    assert set(hashed) == {f"story:{story.id}"} | named  # (their stories are another object: hashed again)

    member = next(m for m in second.members if m.photo is not None)
    edit(site / f"content/members/{member.id}.yaml", "pledge: ", "pledge: 再")
    third = rebuild("member")
    before, now = now, objects(third)
    remade = {k for k in now if now[k] is not before.get(k)}
    assert remade == {f"member:{member.id}"} | {f"story:{s.id}" for s in member.stories}
    assert set(hashed) == remade | {f"post:{p.id}" for p in member.public_posts}  # (their members changed)

    pictured = next(s for s in third.stories if "<img" in s.html)  # a photo in its text, not its cover
    inline = re.search(r"!\[[^]]*\]\(\.\./(images/[^)]+)\)", (site / pictured.source).read_text(encoding="utf-8"))
    shutil.copy(site / "content" / member.photo.src, site / "content" / inline.group(1))
    story_photo = rebuild("story-photo")
    before, now = now, objects(story_photo)
    assert {k for k in now if now[k] is not before.get(k)} == {f"story:{pictured.id}"}
    assert len(looked_at) == 1

    photo = site / "content" / member.photo.src  # its bytes change, not the member's file
    shutil.copy(next(p for p in photo.parent.glob("*.jpg") if p != photo), photo)
    fourth = rebuild("photo")
    before, now = now, objects(fourth)
    assert f"member:{member.id}" in {k for k in now if now[k] is not before.get(k)}

    unit = member.post.unit
    edit(site / f"content/units/{unit.id}.yaml", "name: ", "name: 新")
    fifth = rebuild("unit")
    before, now = now, objects(fifth)
    remade = {k for k in now if now[k] is not before.get(k)}
    assert {f"unit:{unit.id}", f"post:{member.post.id}", f"member:{member.id}"} <= remade
    assert not any(now[k] is before.get(k) for k in remade)
    assert len(remade) < len(now) / 2

    # a rebuild that fails (a member's file broken) keeps nothing; its repair reuses the last good model's objects
    other = next(m for m in fifth.members if m.id != member.id and not m.stories)
    path = site / f"content/members/{other.id}.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("pledge: ", "pledge: [", 1), encoding="utf-8")
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False)
    edit(path, "pledge: [", "pledge: 又")
    repaired = rebuild("repaired")
    before, now = now, objects(repaired)
    assert {k for k in now if now[k] is not before.get(k)} == {f"member:{other.id}"}

    sixth = rebuild("address", base_url="https://other.example/")
    assert not any(o is before.get(k) for k, o in objects(sixth).items())  # (other settings: every object made again)


def test_two_models_built_apart_each_answer_with_their_own_relations(tmp_path, steady):
    """A post's members, a unit's posts ... are the model's (model/build.py ``Relations``), read by each object from
    the last model made that holds it: a model built later from other files (``pdf --stale`` builds a revision's
    after today's) shares no object with it and changes nothing it answers."""
    site = sample_site(tmp_path)
    first = pipeline.build_model(site, jobs=1)
    post = next(p for p in first.posts if any(not m.stories for m in p.members))
    members = post.members
    hidden = next(m for m in members if not m.stories)
    edit(site / f"content/members/{hidden.id}.yaml", "  public: true", "  public: false")
    second = pipeline.build_model(site, jobs=1)
    assert post.members == members and hidden in post.members
    again = next(p for p in second.posts if p.id == post.id)
    assert again is not post and [m.id for m in again.members] == [m.id for m in members if m is not hidden]


def test_a_model_replaced_with_the_same_objects_keeps_their_relations_without_binding_them_again(tmp_path, steady):
    """The pipeline makes the model twice (the second with the competitions): the second holds the very same
    objects and relations, and does not walk its objects to bind them again; a model given other objects with
    the same relations binds those; a model of the same objects with other relations (``serve``'s rebuild after a
    story's edit) gives them those without a walk, unless another model gave them its own since."""
    site = sample_site(tmp_path)
    model = pipeline.build_model(site, jobs=1)
    relations = model_build._RELATIONS
    assert all(vars(obj)[relations].relations is model.relations
               for obj in (*model.units, *model.all_posts, *model.all_members))
    unit = model.units[-1]
    bound = vars(unit).pop(relations)  # (to see whether the next model walks the objects)
    again = dataclasses.replace(model, competitions=())
    assert relations not in vars(unit)  # not walked
    vars(unit)[relations] = bound
    post = model.posts[0]
    assert again.relations is model.relations and post.members == model.relations.post_members[post.id] != ()
    copy = dataclasses.replace(post)  # (a post no model holds yet)
    assert relations not in vars(copy)
    other = dataclasses.replace(model, posts=(copy, *model.posts[1:]), all_posts=(copy, *model.all_posts[1:]))
    assert vars(copy)[relations].relations is other.relations and copy.members == post.members
    # a model of the same objects made after another one gave them its relations gives them its own again
    told = next(p for p in model.posts[1:] if p.stories)
    fewer = dataclasses.replace(model, relations=dataclasses.replace(model.relations, post_stories={}))
    assert told.stories == () and vars(told)[relations] is not vars(copy)[relations]
    # and one made right after, of the very same objects (serve's rebuild after a story's edit), without a walk
    del vars(unit)[relations]
    dataclasses.replace(fewer, relations=model.relations)
    assert relations not in vars(unit) and told.stories == model.relations.post_stories[told.id] != ()
    vars(unit)[relations] = vars(told)[relations]


def test_what_the_pages_are_listed_from_is_kept_while_its_objects_are_the_same(tmp_path, steady):
    """``model.build.while_same``: a value worked out from some of a model's tuples and tables is taken as it is by a
    model made from it while they are the very same objects (the pipeline's second model, ``serve``'s rebuild after a
    story's edit), and worked out again when one is another object. The sitemap is made of such parts, and carries
    the digest of its entries (the page is compared by it): another story's date gives another digest."""
    from site_builder.pages import feeds, print_pages

    site = sample_site(tmp_path)
    model = pipeline.build_model(site, jobs=1)
    made = []

    def listed(m):
        return model_build.while_same(m, "test", (m.posts, m.relations.standings), lambda: made.append(m) or (len(made),))
    first = listed(model)
    again = dataclasses.replace(model)
    assert listed(again) is first and made == [model]
    fewer = dataclasses.replace(model, posts=model.posts[1:])
    assert listed(fewer) == (2,) and made == [model, fewer]
    assert again.listed_posts is model.listed_posts and len(fewer.listed_posts) < len(model.listed_posts)
    # ``alike``: other objects that give the same (a member made again, the same ids: the sitemap's member part)
    ids = []

    def named(m):
        return model_build.while_same(m, "test ids", (m.posts,), lambda: made.append(m) or (len(made),),
                                      alike=lambda: ids.append(m) or tuple(p.id for p in m.posts))
    made.clear()
    value = named(model)
    copies = dataclasses.replace(model, posts=tuple(dataclasses.replace(p) for p in model.posts))
    assert named(model) is value and ids == [model]  # (the same objects: alike not asked)
    assert named(copies) is value and made == [model] and ids == [model, copies]
    assert named(fewer) == (2,) and made == [model, fewer]

    # ``again``: worked out from the value before. The print pages' units: when only who serves where changed (a
    # member's edit), a unit none of whose posts' staff changed keeps its part, the very tuple
    def units(m):
        return {item.key: item.args[2] for item in print_pages.pages(m) if getattr(item, "key", "").startswith("print.unit.")}
    before = units(model)
    post = next(p for p in model.posts if len(model.staff.get(p.id, ())) >= 2)
    moved = dataclasses.replace(model, staff={**model.staff, post.id: model.staff[post.id][::-1]})
    now = units(moved)
    assert now == {f"print.unit.{unit.id}": serving for unit, serving in print_pages._serving_by_unit(moved)}
    touched = f"print.unit.{post.unit.id}"
    assert now[touched] != before[touched] and dict(now[touched])[post.id] == model.staff[post.id][::-1]
    assert all(now[key] is before[key] for key in before if key != touched) and len(before) > 1

    urls = feeds.sitemap_urls(model)
    assert feeds.sitemap_urls(again) == urls and feeds.sitemap_urls(again).digest == urls.digest
    assert len(set(urls)) == len(urls) and ("stories/" + model.stories[0].id + "/", model.stories[0].date) in urls
    story = site / model.stories[0].source
    edit(story, f"date: {model.stories[0].date}", "date: 2020-01-01")
    later = pipeline.build_model(site, jobs=1)
    assert feeds.sitemap_urls(later).digest != urls.digest
    assert feeds.Urls(list(urls)).digest == feeds.Urls(urls).digest != feeds.Urls(list(urls)[1:]).digest


def test_serve_makes_again_only_the_members_a_watcher_saw_change(tmp_path, capsys, monkeypatch, steady):
    """Inside ``serve``, a rebuild told which files changed, when only members' and stories' did, takes the units,
    posts and other members of the model before as they are and works out the posts' members again only where the
    changed members serve (model/build.py ``changed_since``); a photo that changed is looked at again, even when
    the rebuild that was told of it failed. Each rebuild's output is a clean build's."""
    site = sample_site(tmp_path)
    watched, cache, out = _watched_rebuilds(tmp_path, capsys, monkeypatch, site, "made_afresh")

    def rebuild(name, *changed):
        result, made = watched(name, *changed)
        # the objects and digests kept for the next rebuild (made from the last ones') are those of the model
        model, index, digests, _ = cache.held[tracking._HELD_DIGESTS]
        fresh = tracking.Fingerprints(result.model, b"")
        assert model is result.model and index == fresh.index() and digests == fresh.object_digests(), name
        return result.model, made

    first, made = rebuild("first")
    assert made
    post = next(p for p in first.posts if len(p.members) >= 2 and not p.members[0].stories)
    last, second = post.members[-1], post.members[0]  # (no story names the second: it may stop being public)
    path = f"content/members/{last.id}.yaml"
    edit(site / path, "pledge: ", "pledge: 再")
    model, made = rebuild("pledge", path)
    assert not made
    assert next(p for p in model.posts if p.id == post.id).members[-1].pledge.startswith("再")
    edit(site / path, f"order: {last.order}\n", "order: 0\n")  # (first on its post's board now)
    model, made = rebuild("order", path)
    assert not made and next(p for p in model.posts if p.id == post.id).members[0].id == last.id
    other = f"content/members/{second.id}.yaml"
    edit(site / other, "  public: true", "  public: false")  # (off the post's board and pages)
    model, made = rebuild("consent", path, other)
    assert not made and second.id not in {m.id for m in next(p for p in model.posts if p.id == post.id).members}
    story = next(s for s in model.stories if s.members)
    edit(site / story.source, "\n\n", "\n\n新增的一段文字。\n\n")
    model, made = rebuild("story", story.source)
    assert not made

    # A photo changes while a story is broken: that rebuild fails; the next, told only of the story's repair, looks
    # at every photo again (the model before it was made before the photo changed).
    member = next(m for m in model.members if m.photo is not None)
    photo = site / "content" / member.photo.src
    shutil.copy(next(p for p in photo.parent.glob("*.jpg") if p != photo), photo)
    edit(site / story.source, "---\n", "---\ntitle: [\n")
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True,
                     changed=[photo, site / story.source])
    edit(site / story.source, "---\ntitle: [\n", "---\n")
    model, made = rebuild("photo", story.source)
    assert made
    assert next(m for m in model.members if m.id == member.id).photo.digest != member.photo.digest

    unit = post.unit
    edit(site / f"content/units/{unit.id}.yaml", "name: ", "name: 新")
    model, made = rebuild("unit", f"content/units/{unit.id}.yaml")
    assert made


def _watched_rebuilds(tmp_path, capsys, monkeypatch, site, method: str):
    """``serve``'s rebuilds in process, each told which files changed and its output compared with a clean build's:
    ``rebuild(name, *changed)`` returns its result and whether ``model.build.Builder.<method>`` ran; with the cache
    and the output folder."""
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    called: list[bool] = []
    real = getattr(model_build.Builder, method)
    monkeypatch.setattr(model_build.Builder, method, lambda self, *a: called.append(True) or real(self, *a))

    def rebuild(name, *changed):
        called.clear()
        result = pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True,
                              changed=[site / path for path in changed] if changed else None)
        ran = bool(called)  # (before the clean build, which runs it too)
        clean = tmp_path / f"clean-{name}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), name
        return result, ran
    return rebuild, cache, out


def _model_as_built(model) -> dict:
    """What a model holds, by value: every object's digest (its relations included), the published photos and the
    stories' links and photos, in their order."""
    return {"digests": tracking.Fingerprints(model, b"").object_digests(),
            "stories": [s.id for s in model.stories],
            "images": [(path, ref.digest) for path, ref in model.images.items()],
            "story_photos": {sid: [(src, ref.digest) for src, ref in photos] for sid, photos in model.story_photos.items()},
            "links": (model.external_links, model.internal_links),
            "related": [{oid: [s.id for s in found] for oid, found in table.items()}
                        for table in (model.relations.post_stories, model.relations.member_stories)]}


def _alone_rebuilds(tmp_path, capsys, monkeypatch, site, method: str):
    """:func:`_watched_rebuilds` after a first build, its ``rebuild(name, *changed, fast=True)`` checking that the model
    is the one made from every file and that ``Builder.with_alone_changed`` ran once and made it (``fast``) or not."""
    watched, cache, out = _watched_rebuilds(tmp_path, capsys, monkeypatch, site, method)
    alone: list[bool] = []
    real = model_build.Builder.with_alone_changed

    def spy(self, posts_made, members_made):
        model = real(self, posts_made, members_made)
        alone.append(model is not None)
        return model
    monkeypatch.setattr(model_build.Builder, "with_alone_changed", spy)

    def rebuild(name, *changed, fast=True):
        alone.clear()
        result, ran = watched(name, *changed)
        assert _model_built_as(result.model) == _model_built_as(pipeline.build_model(site, jobs=1)), name
        assert ran and alone == [fast], name
        return result.model

    watched("first")
    return rebuild, cache, out


def _model_built_as(model) -> dict:
    """:func:`_model_as_built`, with the ids in the model's tuples of objects and its staff table."""
    found = _model_as_built(model)
    for name in ("units", "posts", "all_posts", "members", "all_members", "honoured", "discussed", "stories"):
        found[name] = [obj.id for obj in getattr(model, name)]
    found["staff"] = {pid: [m.id for m in serving] for pid, serving in model.staff.items()}
    found["unit_posts"] = {uid: [p.id for p in posts] for uid, posts in model.relations.unit_posts.items()}
    return found


def test_serve_makes_again_only_the_stories_a_watcher_saw_change(tmp_path, capsys, monkeypatch, steady):
    """Inside ``serve``, a rebuild told that only stories' files changed takes everything else of the model before as
    it is and makes those stories again (model/build.py ``with_stories_changed``): after a text edit, a new date, other
    posts and members named, a link added, a photo no story showed before and a photo shown by the address another
    story published it at, the model is the one made from every file (each object's digest, the photos and links
    in their order) and the output a clean build's; a broken story stops the build and its repair is made again."""
    site = sample_site(tmp_path)
    shutil.copy(site / "content/images/stories/shaoer-shujia.jpg", site / "content/images/stories/extra.jpg")
    watched, cache, out = _watched_rebuilds(tmp_path, capsys, monkeypatch, site, "with_stories_changed")

    def rebuild(name, *changed):
        result, fast = watched(name, *changed)
        assert _model_as_built(result.model) == _model_as_built(pipeline.build_model(site, jobs=1)), name
        return result.model, fast

    first, made = rebuild("first")
    assert not made
    story = "content/stories/chuangkou-yinian-jingyan.md"
    edit(site / story, "\n\n", "\n\n新增的一段文字。\n\n")
    model, made = rebuild("text", story)
    assert made and "新增的一段文字" in next(s for s in model.stories if s.source == story).html
    edit(site / story, "date: 2026-01-15", "date: 2024-01-15")  # (the oldest story now)
    model, made = rebuild("date", story)
    assert made and model.stories[-1].source == story
    edit(site / story, "posts: [zrzy-budongchan-window, ", "posts: [")
    edit(site / story, "members: [lin-xiaowen, ", "members: [zhou-jianguo, ")
    model, made = rebuild("named", story)
    assert made and "zrzy-budongchan-window" not in {p.id for s in model.stories if s.source == story for p in s.posts}
    edit(site / story, "\n\n", "\n\n见[新的链接](https://new.example.cn/)和[窗口](../posts/zrzy-budongchan-window.yaml)。\n\n")
    model, made = rebuild("links", story)
    assert made and any(url == "https://new.example.cn/" for _, url in model.external_links)
    edit(site / story, "\n\n", "\n\n![新照片](../images/stories/extra.jpg)\n\n")
    model, made = rebuild("new photo", story, )
    assert made and "images/stories/extra.jpg" in model.images
    # a photo shown at the address a story after it (by id) publishes it at: not given its sizes, as when every story
    # is made in turn; one the story itself shows is
    shown = model.images["images/stories/shaoer-shujia.jpg"].variants()[-1][1]
    early = "content/stories/budongchan-yichuang-shouli.md"
    edit(site / early, "\n\n", f"\n\n![别处的照片](/{shown})\n\n")
    model, made = rebuild("published address", early)
    assert made and f'src="/{shown}"' in next(s for s in model.stories if s.source == early).html
    edit(site / story, "\n\n", f"\n\n![同一张](/{model.images['images/stories/extra.jpg'].variants()[-1][1]})\n\n")
    model, made = rebuild("own published address", story)
    assert made
    edit(site / story, "---\n", "---\ntitle: [\n")
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[site / story])
    edit(site / story, "---\ntitle: [\n", "---\n")
    model, made = rebuild("repaired", story)
    assert made


def test_serve_puts_members_made_again_in_the_model_before_without_making_it_again(tmp_path, capsys, monkeypatch,
                                                                                    steady):
    """Inside ``serve``, a rebuild told that only members' files changed, each member public or not as before and
    showing the same photo, takes the model before and puts the members made again in its places (model/build.py
    ``with_alone_changed``), the stories naming them pointing at them: after a pledge, a name on a story's
    page, an honour, a standard opened for comment, a board order, a post moved to and two members at once, the
    model is the one made from every file (each object's digest, its tuples, the stories and their links and
    photos) and the output a clean build's. A member who stops being public is made by the whole builder; a member
    with a problem stops the build and its repair is put in place again."""
    site = sample_site(tmp_path)
    rebuild, cache, out = _alone_rebuilds(tmp_path, capsys, monkeypatch, site, "members_again")
    lin, zhou = "content/members/lin-xiaowen.yaml", "content/members/zhou-jianguo.yaml"
    edit(site / lin, "pledge: ", "pledge: 再")
    model = rebuild("pledge", lin)
    story = next(s for s in model.stories if any(m.id == "lin-xiaowen" for m in s.members))
    named = next(m for m in story.members if m.id == "lin-xiaowen")
    assert named.pledge.startswith("再") and named is next(m for m in model.members if m.id == "lin-xiaowen")
    assert story in next(m for m in model.members if m.id == "lin-xiaowen").stories
    edit(site / lin, "name: 林晓雯", "name: 林晓文")  # (on the pages of the stories naming her)
    model = rebuild("name", lin)
    assert "林晓文" in (out / story.url / "index.html").read_text(encoding="utf-8")
    edit(site / zhou, "    result: met\n", "    result: met\nhonours:\n  - date: 2026-01-28\n    title: 岗位能手\n")
    model = rebuild("honour", zhou)
    assert "zhou-jianguo" in {m.id for m in model.honoured}
    edit(site / zhou, "  set: 2025-03-15\n", "")  # (its standard open for comment again)
    model = rebuild("discussed", zhou)
    assert "zhou-jianguo" in {m.id for m in model.discussed}
    edit(site / zhou, "order: 2", "order: 0")
    edit(site / lin, "pledge: 再", "pledge: 又")
    model = rebuild("two", zhou, lin)
    assert [m.id for m in next(p for p in model.posts if p.id == "zrzy-budongchan-window").members][0] == "zhou-jianguo"
    other = next(p for p in model.posts if p.id != "zrzy-budongchan-window" and p.members)
    edit(site / zhou, "post: zrzy-budongchan-window", f"post: {other.id}")
    model = rebuild("moved", zhou)
    assert "zhou-jianguo" in {m.id for m in next(p for p in model.posts if p.id == other.id).members}
    quiet = next(m for m in model.members if not m.stories and m.id not in ("lin-xiaowen", "zhou-jianguo"))
    edit(site / f"content/members/{quiet.id}.yaml", "  public: true", "  public: false")
    model = rebuild("not public", f"content/members/{quiet.id}.yaml", fast=False)
    assert quiet.id not in {m.id for m in model.members}
    edit(site / lin, "pledge: 又", "pledges:\n  nowhere: 没有这个岗位\npledge: 又")
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[site / lin])
    edit(site / lin, "pledges:\n  nowhere: 没有这个岗位\npledge: 又", "pledge: 终于")
    model = rebuild("repaired", lin)
    assert next(m for m in model.members if m.id == "lin-xiaowen").pledge.startswith("终于")


def test_serve_puts_posts_made_again_in_the_model_before_without_making_it_again(tmp_path, capsys, monkeypatch,
                                                                                steady):
    """Inside ``serve``, a rebuild told that only posts' (and members') files changed, each post with the same unit,
    approval and decision, takes the model before and puts the posts made again in its places, the members serving at
    them and the stories naming any of them made again pointing at them (model/build.py ``with_alone_changed``):
    after a description, a name shown on members' and stories' pages, a post and a member at once and a post not
    approved yet, the model is the one made from every file and the output a clean build's. Another approval
    number or unit is made by the whole builder; a post with a problem stops the build and its repair is put in
    place again."""
    site = sample_site(tmp_path)
    rebuild, cache, out = _alone_rebuilds(tmp_path, capsys, monkeypatch, site, "posts_again")
    window, pending = "content/posts/zrzy-budongchan-window.yaml", "content/posts/donghu-shebao-yibao-post.yaml"
    edit(site / window, "description: 负责", "description: 专门负责")
    model = rebuild("description", window)
    post = next(p for p in model.posts if p.id == "zrzy-budongchan-window")
    assert post.description.startswith("专门") and all(m.posts[0] is post for m in post.members) and post.stories
    assert all(any(p is post for p in s.posts) for s in post.stories)
    assert post in next(u for u in model.units if u.id == "zrzy").posts and post in model.listed_posts
    edit(site / window, "name: 不动产登记“一窗受理”窗口", "name: 不动产登记综合窗口")  # (on its members' and stories' pages)
    model = rebuild("name", window)
    member = next(p for p in model.posts if p.id == "zrzy-budongchan-window").members[0]
    assert "不动产登记综合窗口" in (out / member.url / "index.html").read_text(encoding="utf-8")
    edit(site / window, "location: 市民中心", "location: 新市民中心")
    edit(site / "content/members/lin-xiaowen.yaml", "pledge: ", "pledge: 再")
    rebuild("post and member", window, "content/members/lin-xiaowen.yaml")
    edit(site / pending, "description: 解答", "description: 耐心解答")  # (not approved: none of its members is public)
    model = rebuild("pending", pending)
    assert next(p for p in model.all_posts if p.id == "donghu-shebao-yibao-post").description.startswith("耐心")
    edit(site / window, "  number: 青先教办〔2025〕7号", "  number: 青先教办〔2025〕8号")
    rebuild("approval", window, fast=False)
    edit(site / window, "declared: 2025-02-26", "declared: 2025-04-26")  # (approved before it was declared)
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[site / window])
    edit(site / window, "declared: 2025-04-26", "declared: 2025-02-20")
    rebuild("repaired", window)


def test_arguments_found_the_same_are_written_the_same(tmp_path, steady):
    """``tracking.same_arguments`` says two arguments are the same only when ``arguments_text`` writes them the same
    (model objects by key, values by type and value, a dict's items in their order); a list is written out again."""
    site = sample_site(tmp_path)
    first, second = pipeline.build_model(site, jobs=1), pipeline.build_model(site, jobs=1)
    post, again, other = first.posts[0], second.posts[0], first.posts[1]
    standing = post.standing
    cases = [((first, post, "a", 1), (second, again, "a", 1), True),
             ((post,), (other,), False), (("a",), ("b",), False), ((1,), (True,), False), ((True,), (1,), False),
             ((None, ("x", (1, post))), (None, ("x", (1, again))), True), ((("x", 1),), (("x", 2),), False),
             ((("x",),), (("x", "y"),), False), ((standing,), (standing,), True), (("a", 1), ("a",), False),
             (({"a": 1, "b": (post, 2.5)},), ({"a": 1, "b": (again, 2.5)},), True),
             (({"a": 1, "b": 2},), ({"b": 2, "a": 1},), False), (({"a": 1},), ({"a": 1.0},), False),
             (({"a": 1},), ({"a": 1, "b": None},), False), ((0.0,), (-0.0,), False), (([1],), ([1],), False)]
    for before, now, expected in cases:
        assert tracking.same_arguments(before, now) is expected, (before, now)
        if expected:
            assert tracking.arguments_text(before) == tracking.arguments_text(now)
    held = {"rank": 1}
    kept = (held,)
    held["rank"] = 2  # (a dict is looked into, even the same one)
    assert not tracking.same_arguments(kept, ({"rank": 1},)) and tracking.same_arguments(kept, ({"rank": 2},))


def test_the_offers_copied_say_whether_they_come_from_the_same_pages():
    """What the pages offered a finisher, copied for serve's next rebuild, says what the finisher made of the
    offers it copies while no page was added or removed (the search index then numbers the same pages without
    comparing every address); a page's new offer keeps it, a page that offers nothing any more does not."""
    offers = pipeline._Offers({"a/": 1, "b/": 2}, lambda path: None)
    assert offers.made_of_the_same_pages() is None  # (not a copy)
    offers.made = made = SimpleNamespace(urls=("a/", "b/"))
    again = offers.copy(lambda path: None)
    assert again.made_of_the_same_pages() is made
    again.put("a/", 3)
    assert again.made_of_the_same_pages() is made and again["a/"] == 3 and offers["a/"] == 1
    again.put("c/", 4)
    assert again.made_of_the_same_pages() is None
    fewer = offers.copy(lambda path: None)
    fewer.put("b/", None)
    assert fewer.made_of_the_same_pages() is None and "b/" not in fewer and "b/" in offers
    fewer = offers.copy(lambda path: None)
    fewer.put("x/", None)  # (a page that offered nothing before and nothing now)
    assert fewer.made_of_the_same_pages() is made


def test_the_reused_pages_are_runs_of_places_not_a_set_of_each():
    """``Listed.same`` and ``Listed.unread`` are made of the kept groups' runs in the page list (171,000 places at
    10,000 posts were a dict and a frozenset made at every build); they answer as the set and the dict did."""
    from site_builder.incremental import listing

    group_a, group_b = object(), object()
    found_a = (group_a, ("pa0", "pa1", "pa2"), tuple((group_a, n) for n in range(3)))
    found_b = (group_b, ("pb0",), ((group_b, 0),))
    same = listing.Reused([2, 7], [5, 8])  # places 2, 3, 4 (group a) and 7 (group b); 0, 1, 5, 6 made afresh
    unread = listing.Unread(same, [found_a, found_b])
    assert set(same) == {2, 3, 4, 7} and len(same) == 4
    assert [i in same for i in range(-1, 9)] == [False, False, False, True, True, True, False, False, True, False]
    assert same - {3} == {2, 4, 7} and frozenset(same) == {2, 3, 4, 7}
    assert dict(unread) == {2: (group_a, 0), 3: (group_a, 1), 4: (group_a, 2), 7: (group_b, 0)}
    assert unread.pop(3, None) == (group_a, 1) and unread.pop(3, None) is None and unread.pop(5, None) is None
    assert list(unread) == [2, 4, 7] and len(unread) == 3 and 3 in same  # (read back: still reused)
    for i in (2, 4, 7):
        unread.pop(i)
    assert not unread and len(same) == 4
    assert not listing.Unread(listing.Reused([], []), [])


def test_serve_takes_the_standards_under_discussion_from_the_rebuild_before(tmp_path, capsys, monkeypatch, steady):
    """The standards pages list the public members whose standard is open for comment (``Model.discussed``). Inside
    ``serve``, when only members' and stories' files changed, the model before's list is taken with the members made
    again looked at anew (60,600 members were looked at by every rebuild at 10,000 posts): after a standard set, one
    opened and a story's edit, the list is the one worked out from every member and the pages a clean build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    asked = []
    real = model_build.Member.under_discussion
    monkeypatch.setattr(model_build.Member, "under_discussion",
                        property(lambda member: asked.append(member.id) or real.fget(member)))
    first = pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True)
    assert len(asked) == len(first.model.members) and [m.id for m in first.model.discussed] == ["ma-chenxi"]
    story = sorted((site / "content/stories").glob("*.md"))[0]
    for n, (path, old, new, discussed) in enumerate([
            (site / "content/members/chen-yuting.yaml", "  set: 2025-03-15\n", "", ["chen-yuting", "ma-chenxi"]),
            (site / "content/members/ma-chenxi.yaml", "  comment_from: 2026-01-20\n",
             "  comment_from: 2026-01-20\n  set: 2026-02-01\n", ["chen-yuting"]),
            (story, "\n\n", "\n\n新增的一段文字。\n\n", ["chen-yuting"])]):
        edit(path, old, new)
        asked.clear()
        result = pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[path])
        model = result.model
        assert [m.id for m in model.discussed] == discussed
        assert asked == ([path.stem] if path.parent.name == "members" else [])  # (the member made again alone)
        assert list(model.discussed) == [m for m in model.members if real.fget(m)]
        clean = tmp_path / f"clean-{n}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), path.name


def test_the_cache_knows_each_librarys_version_as_importlib_metadata_does(tmp_path, monkeypatch):
    """The cache is dropped when a library that shapes the output changes: its version is read from the name of the
    folder that installed it, the first on the import path, as importlib.metadata finds it (not loaded at each start)."""
    from importlib import metadata

    found = cache_mod._versions()
    assert found == {name: metadata.version(name) for name in cache_mod._LIBRARIES}
    # an installation earlier on the path is the one imported, and the one whose version counts
    for name, version in (("jinja2", "99.1"), ("markupsafe", "7.0")):
        (tmp_path / f"{name}-{version}.dist-info").mkdir()
        (tmp_path / f"{name}-{version}.dist-info" / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (tmp_path / "Markdown-2.0.egg-info").write_text("Metadata-Version: 1.1\nName: Markdown\nVersion: 2.0\n")
    monkeypatch.setattr(cache_mod.sys, "path", [str(tmp_path), *cache_mod.sys.path])
    earlier = cache_mod._versions()  # (the egg-info, a file as Debian's packages have, asked of importlib.metadata)
    assert earlier == {**found, "Jinja2": "99.1", "MarkupSafe": "7.0", "Markdown": "2.0"}
    assert earlier == {name: metadata.version(name) for name in cache_mod._LIBRARIES}
    # a library found by no folder name is asked of importlib.metadata; one not installed has no version
    monkeypatch.setattr(cache_mod.sys, "path", [str(tmp_path)])
    monkeypatch.setattr(metadata, "version", lambda name: {"PyYAML": "5.0"}.get(name) or
                        (_ for _ in ()).throw(metadata.PackageNotFoundError(name)))
    assert cache_mod._versions() == {"Jinja2": "99.1", "MarkupSafe": "7.0", "PyYAML": "5.0"}  # (Markdown: its
    # egg-info is asked of the replaced importlib.metadata, which knows no Markdown)


def test_reads_named_by_key_merge_with_the_objects_read(tmp_path):
    """A kept piece's reads are added by key (tracking.add_keys): a page's inputs are those of the objects it read
    and of the keys, each key once, an attribute-level object's names merged."""
    model = pipeline.build_model(sample_site(tmp_path))
    post, member = model.posts[0], model.members[0]

    def page():
        post.name, model.settings.page_size  # (whole objects: the post, the settings)
        model.posts  # (an attribute of the model: attribute-level)
        tracking.add_keys([tracking.key_of(post), tracking.key_of(member)], [("model", ["members"])])
        tracking.add_keys([tracking.key_of(member)], [("model", ["posts", "units"])])

    with tracking.tracking():
        _, reads = tracking.record(page)
    objects, attributes = Fingerprints(model, b"").inputs(None, reads)
    assert objects == tuple(sorted({tracking.key_of(post), tracking.key_of(member), "settings"}))
    assert attributes == (("model", ("members", "posts", "settings", "units")),)
    # the same reads made by the objects themselves give the same inputs
    with tracking.tracking():
        _, direct = tracking.record(lambda: (post.name, model.settings.page_size, member.name, model.posts, model.members,
                                             model.units))
    assert Fingerprints(model, b"").inputs(None, direct) == (objects, attributes)
    # a large set of keys added whole (an open-data file's pieces' reads, the same set for each file and rebuild) is
    # kept as it is; the inputs are the same, with and without the keys the page read itself, and asked again
    many = frozenset(f"thing:{n:05}" for n in range(tracking._SORTED_FROM)) | {tracking.key_of(member)}

    def whole(own, keys):
        def read():
            if own:
                post.name
            tracking.add_keys(keys, [("model", ["posts"])])
            tracking.add_keys(keys, ())
        with tracking.tracking():
            _, reads = tracking.record(read)
        assert len(reads.whole) == 1 and not reads.keys
        return Fingerprints(model, b"").inputs(None, reads)
    other = frozenset(f"other:{n:05}" for n in range(tracking._SORTED_FROM))
    for own, keys in ((True, many), (False, many), (True, many), (True, other), (False, many)):
        expected = sorted(keys | ({tracking.key_of(post)} if own else set()))
        assert whole(own, keys) == (tuple(expected), (("model", ("posts",)),))


def test_the_pieces_a_rebuild_makes_again_are_found_by_what_they_read():
    """derive_each's index of who read what (``derived._Readers``) names exactly the pieces whose reads changed:
    those :meth:`Derivations._unaffected` says are affected, for entries reading objects and attributes at random
    and any keys changed; the same index serves entries read in the same places (a rebuild's)."""
    from hypothesis import given, settings, strategies as st
    from site_builder.incremental import derived

    keys = st.sampled_from([f"post:p{i}" for i in range(6)])
    reads = st.tuples(st.frozensets(keys, max_size=3).map(tuple),
                      st.lists(st.tuples(keys, st.frozensets(st.sampled_from(["name", "stars"]), min_size=1)
                                         .map(tuple)), max_size=2).map(tuple))

    @settings(max_examples=200, deadline=None)
    @given(st.lists(reads, max_size=8), st.frozensets(keys), st.sets(st.tuples(keys, st.sampled_from(["name", "stars"]))))
    def check(entries, changed, same):
        entries = [derived.Entry(objects, attributes, None) for objects, attributes in entries]
        unchanged = tracking.Unchanged(None, same, changed)
        readers = derived._Readers(entries)
        expected = [i for i, e in enumerate(entries) if not derived.Derivations._unaffected(e, unchanged)]
        assert readers.affected(unchanged) == expected
        assert readers.affected(unchanged) == expected  # (asked again: the index made once)
    check()


def test_the_text_of_arguments_is_their_parts_text_one_after_another(tmp_path):
    """derive_each names its pieces by the head's text followed by the item's (``_each_by_piece``): the same names a
    call of the whole arguments gets (``Derivations._name``), for model objects, plain values and tuples."""
    site = sample_site(tmp_path)
    model = pipeline.build_model(site, None)
    parts = [model, model.posts[0], model.members[0], model.units[0], "文字", 3, None, True, (model.posts[1], "x")]
    for i in range(len(parts) + 1):
        head, rest = tuple(parts[:i]), tuple(parts[i:])
        assert tracking.arguments_text(head) + tracking.arguments_text(rest) == tracking.arguments_text(tuple(parts))
    assert tracking.arguments_text(("a1:b",)) != tracking.arguments_text(("a", "b"))  # (each part's length first)


def test_a_tuple_of_model_objects_of_the_same_keys_keeps_its_digest(tmp_path, monkeypatch, steady):
    """A model attribute that is a tuple (``model.posts``) keeps the digest the build before in the process gave it
    when each place holds the very object of then, or a model object of the same key (a post made again after its
    edit: a digest writes it as its key), without hashing the tuple again; an object of another key is hashed."""
    site = sample_site(tmp_path)
    first = pipeline.run(site, tmp_path / "out", jobs=1).model
    held: dict = {}
    before = Fingerprints(first, b"", held).attribute_digest("model", "posts")
    hashed = []
    real = tracking._value_digest
    monkeypatch.setattr(tracking, "_value_digest",
                        lambda value: (type(value) is tuple and hashed.append(value)) or real(value))
    post, other = first.posts[0], first.posts[1]
    again = dataclasses.replace(first, posts=(dataclasses.replace(post, location="新的地点"), *first.posts[1:]))
    assert again.posts[0] is not post
    assert Fingerprints(again, b"", held).attribute_digest("model", "posts") == before
    assert not hashed
    moved = dataclasses.replace(first, posts=(other, post, *first.posts[2:]))
    assert Fingerprints(moved, b"", held).attribute_digest("model", "posts") != before
    assert hashed


def test_serve_replays_only_the_posts_whose_scores_changed(tmp_path, capsys, monkeypatch, steady):
    """Inside ``serve`` a score's edit replays the evaluations from the last replay (``Builder._replayed_again``):
    the posts whose scores changed in the edited file get a new standing, every other post keeps its very standing.
    A month added, or a score for a post that is not approved, replays them all (and reports the problem). After
    each edit the output is a clean build's."""
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cache = Cache.for_site(site)
    monkeypatch.setattr(model_build, "_LAST_REPLAY", [])  # (what another test's serve held)
    whole = []
    real = model_build.Builder._replay_all
    monkeypatch.setattr(model_build.Builder, "_replay_all", lambda self, *a: whole.append(1) or real(self, *a))
    month = sorted((site / "content/evaluations").glob("*.yaml"))[-1]
    pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True)
    models = [pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=()).model]
    for n, (old, new) in enumerate([("{politics: 100, performance: 97", "{politics: 99, performance: 97"),
                                    ("{politics: 99, performance: 97", "{politics: 60, performance: 60"),
                                    ("{politics: 94, performance: 94", "{politics: 95, performance: 94")]):
        edit(month, old, new)
        whole.clear()
        models.append(pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[month]).model)
        assert len(whole) == (1 if n == 0 else 0), n  # (the first edit's replay is whole: none to start from)
        clean = tmp_path / f"clean-{n}"
        assert run(capsys, "build", site, "-o", clean, "--no-cache", "-q")[0] == 0
        assert tree(out) == tree(clean), n
        if n:
            was, now = models[-2].relations.standings, models[-1].relations.standings
            assert was.keys() == now.keys()
            assert 1 <= sum(was[pid] is not now[pid] for pid in now) <= 2, n  # (the post whose scores changed)
    text = month.read_text(encoding="utf-8")
    edit(month, "posts:\n", "posts:\n  no-such-post:\n    self: {politics: 90, performance: 90, service: 90, exemplary: 90}\n")
    whole.clear()
    with pytest.raises(ContentErrors):
        pipeline.run(site, out, jobs=1, cache=cache, save=False, watched=True, changed=[month])
    assert whole == [1]
    month.write_text(text, encoding="utf-8")
