"""The output folder when builds are killed or run at the same time (issue 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
    folder = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from site_builder.write import output\n"
         "with output.locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(1.5)", str(folder)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    with output.locked(tmp_path / "site", folder):  # the output is held by the other process
        waited = time.monotonic() - start
    holder.communicate()
    err = capsys.readouterr().err
    assert waited > 0.5
    assert err.count("另一个构建正在使用") == 1 and str(folder) in err


def test_builds_into_sibling_folders_do_not_wait_for_each_other(tmp_path, capsys):
    with output.locked(tmp_path / "out1"):
        start = time.monotonic()
        with output.locked(tmp_path / "out2"):
            assert time.monotonic() - start < 0.5
    assert "另一个构建" not in capsys.readouterr().err
    assert not any(p.suffix == ".lock" for p in tmp_path.iterdir())  # nothing left beside the outputs


def test_locks_are_released_for_the_next_build_in_the_same_process(tmp_path, capsys):
    site = make_site(tmp_path)
    for n in range(2):
        code, _, err = run(capsys, "build", site, "-q")
        assert code == 0, err
        assert "另一个构建" not in err
    assert os.path.isdir(site / "output")


def test_the_swap_is_one_atomic_step(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("new", encoding="utf-8")
    (b / "x").write_text("old", encoding="utf-8")
    assert output.exchange(a, b)  # Linux: renameat2(RENAME_EXCHANGE)
    assert (b / "x").read_text(encoding="utf-8") == "new" and (a / "x").read_text(encoding="utf-8") == "old"


def test_a_build_killed_between_two_renames_gets_its_output_back(tmp_path, capsys):
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "build", site, "-o", out, "-q")[0] == 0
    published = tree(out)
    out.rename(tmp_path / ".out.old-424242")  # where a swap without an atomic exchange was killed
    code, _, err = run(capsys, "build", site, "-o", out, "-q")
    assert code == 0, err
    assert tree(out) == published
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


# -- the output path rule (site_builder/output_paths.py) ---------------------------------------------------------

import posixpath  # noqa: E402
import re  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

from site_builder.output_paths import MARKER, unsafe_output  # noqa: E402


def _unsafe_by_normalising(path: str) -> bool:
    """The rule written out the long way: plain ASCII, its own normal form, inside the output, not the marker."""
    norm = posixpath.normpath(path)
    return (not re.fullmatch(r"[A-Za-z0-9._\-/]+", path) or norm != path.rstrip("/") or norm.startswith(("..", "/"))
            or "/../" in f"/{norm}/" or norm == MARKER)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(alphabet="ab9._-/", max_size=12),
                 st.text(alphabet="aZ0._-/\n \\é", max_size=8),
                 st.lists(st.sampled_from(["posts", "x", ".", "..", "...", "", ".site-builder-output", "index.html",
                                           ".well-known", "a-b_c.d"]), max_size=5).map("/".join)))
def test_the_quick_test_of_a_page_path_agrees_with_the_rule(path):
    assert unsafe_output(path) == _unsafe_by_normalising(path)
    assert unsafe_output(path + "/") == _unsafe_by_normalising(path + "/")


def test_a_path_ending_in_a_line_feed_is_not_safe():
    """(``re.match`` with ``$`` let ``static/a.css\\n`` through: ``$`` matches before a final line feed.)"""
    assert unsafe_output("static/a.css\n") and unsafe_output("posts/x/\n")
    assert not unsafe_output("static/a.css") and not unsafe_output("posts/x/index.html")
    assert unsafe_output(MARKER) and unsafe_output("./" + MARKER) and not unsafe_output("a/" + MARKER)


def test_a_file_given_in_parts_is_written_compared_and_hashed_as_its_bytes_joined(tmp_path):
    """Data pages may give their bytes in parts (posts.json at 10,000 posts: 63 MB of its posts' pieces, never
    joined): the file, its digest, and whether it changed are those of the parts joined."""
    from site_builder.digests import digest
    from site_builder.pages.web import Chunks

    site = tmp_path / "site"
    site.mkdir()
    out = tmp_path / "out"
    parts = Chunks([b"{\"posts\":[", "{\"name\":\"窗口\"}".encode(), b",", b"{}", b"]}\n"])
    joined = b"".join(parts)
    assert digest(parts) == digest(joined) and parts.size == len(joined)
    with output.Writer(site, out) as writer:
        writer.write("data/posts.json", parts)
        writer.write("data/x.json", joined)
    assert (out / "data/posts.json").read_bytes() == joined
    assert writer.digests["data/posts.json"] == writer.digests["data/x.json"]
    for in_place in (True, False):
        with output.Writer(site, out, in_place=in_place) as writer:
            writer.write("data/posts.json", Chunks([joined[:5], joined[5:]]))  # the same bytes, other parts
            writer.write("data/x.json", Chunks([joined[:-2], b"]\n"]))  # one byte other
        assert writer.changed == (1 if in_place else 0), in_place  # (the second time: as the first left them)
        assert (out / "data/posts.json").read_bytes() == joined
        assert (out / "data/x.json").read_bytes() == joined[:-2] + b"]\n"
    assert output.store(tmp_path / "new.json", out / "data/posts.json", parts) is False  # the same: linked
    assert (tmp_path / "new.json").read_bytes() == joined


def test_a_worker_stores_a_page_into_folders_not_made_yet_or_already_there(tmp_path):
    """What a rendering process writes into the new output (``fresh``): its folder, and the folders above it, made
    when missing; a folder another page (or process) made already is fine; the same bytes as the old output's
    file are linked, not written."""
    new = tmp_path / "new"
    new.mkdir()
    for path, data in (("p/p1/index.html", b"one"), ("p/p1/board/index.html", b"two"), ("p/p2/index.html", b"3"),
                       ("index.html", b"home"), ("p/p1/index.html", b"again")):
        assert output.store(output.target_in(new, path), None, data, fresh=True) is True
        assert (new / path).read_bytes() == data
    old = tmp_path / "old"
    (old / "u/x").mkdir(parents=True)
    (old / "u/x/index.html").write_bytes(b"same")
    assert output.store(output.target_in(new, "u/x/index.html"), old / "u/x/index.html", b"same", fresh=True) is False
    assert (new / "u/x/index.html").stat().st_ino == (old / "u/x/index.html").stat().st_ino
    (new / "file").write_bytes(b"")
    try:  # (a file where a folder should be: the error of the system, as before)
        output.store(output.target_in(new, "file/index.html"), None, b"x", fresh=True)
    except OSError:
        pass
    else:
        raise AssertionError("stored under a file")


def test_a_sole_writer_that_starts_from_the_last_build_ends_with_the_build_id_and_files_of_a_fresh_one(tmp_path):
    """``serve``'s writer keeps what the previous build wrote (output.Written) and hashes only the files that
    changed: after kept, rewritten, added and dropped files, the build id and the folder are those a writer that
    wrote every file afresh gives; a file the previous build did not write is not kept; two pages on one file are
    refused."""
    from site_builder.digests import digest

    site = tmp_path / "site"
    site.mkdir()
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    files = {f"posts/p{i}/index.html": f"<p>{i}</p>".encode() for i in range(5)}
    with output.Writer(site, out) as writer:
        for path, data in files.items():
            writer.write(path, data)
    before = writer.written_files()
    assert before.build_id == output.marker_id(out)
    with output.Writer(site, out, in_place=True, sole=True, before=before) as writer:
        writer.previous = set(files)
        lost = writer.keep_all([(p, digest(files.get(p, b""))) for p in ("posts/p0/index.html", "posts/p1/index.html",
                                                                  "posts/p4/index.html", "posts/p9/index.html")])
        assert lost == ["posts/p9/index.html"]  # (not written by the previous build: rendered, not kept)
        writer.write("posts/p2/index.html", b"<p>two</p>")  # rewritten
        writer.write("posts/new/index.html", b"<p>new</p>")  # added; p3 dropped
    kept = writer.written_files()
    assert before.digests.keys() == files.keys()  # (what a writer was given is never changed)
    with output.Writer(site, fresh) as writer:
        for path in ("posts/p0/index.html", "posts/p1/index.html", "posts/p4/index.html"):
            writer.write(path, files[path])
        writer.write("posts/p2/index.html", b"<p>two</p>")
        writer.write("posts/new/index.html", b"<p>new</p>")
    assert kept.build_id == writer.build_id == output.marker_id(out)
    assert kept.digests == writer.digests
    assert not (out / "posts/p3").exists() and (out / "posts/p2/index.html").read_bytes() == b"<p>two</p>"
    with pytest.raises(ValueError, match="same output file"):
        with output.Writer(site, out, in_place=True, sole=True, before=kept) as writer:
            writer.previous = set(kept.digests)
            writer.write("posts/p0/index.html", b"x")
            writer.keep_all([("posts/p0/index.html", digest(files["posts/p0/index.html"]))])
    assert (out / "posts/p0/index.html").read_bytes() == b"<p>0</p>"  # (a failed build changes nothing)


def test_a_sole_writer_keeps_the_unchanged_files_of_a_finisher_all_at_once(tmp_path):
    """``keep_all`` in ``serve`` (sole, in place, from the previous build's files): the files whose content hash is
    the one that build wrote are taken as a set, not registered one by one (the search index's 8,800 files a
    rebuild at 10,000 posts); the others as before. The build id and the folder are a fresh writer's; a kept file
    written again, or a file already written under the same name, is refused."""
    from site_builder.digests import digest

    site = tmp_path / "site"
    site.mkdir()
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    pages = {f"posts/p{i}/index.html": f"<p>{i}</p>".encode() for i in range(3)}
    index = {f"search-index/g/{k}.json": f"[{k}]".encode() for k in range(4)}
    with output.Writer(site, out) as writer:
        for path, data in {**pages, **index}.items():
            writer.write(path, data)
    first = writer.written_files()

    def rebuild(before, written=None, kept=None):
        with output.Writer(site, out, in_place=True, sole=True, before=before) as writer:
            writer.previous = writer.before.files
            writer.keep_pages(frozenset(pages), [])
            for path, data in (written or {}).items():
                writer.write(path, data)
            lost = writer.keep_all(kept if kept is not None else [(p, digest(d)) for p, d in index.items()])
        return writer, lost

    writer, lost = rebuild(first)  # (the first: its files a set, not Files)
    assert lost == [] and set(index) <= writer.kept_files and not set(index) & set(writer.written.values())
    second = writer.written_files()
    assert isinstance(second.files, output.Files) and set(index) <= second.files.others
    changed = {**index, "search-index/g/1.json": b"[10]"}
    writer, lost = rebuild(second, {"search-index/g/1.json": b"[10]"},
                           [(p, digest(d)) for p, d in changed.items() if p != "search-index/g/1.json"]
                           + [("search-index/g/9.json", digest(b"x"))])
    assert lost == ["search-index/g/9.json"]  # (not written by the previous build)
    assert writer.kept_files == set(index) - {"search-index/g/1.json"}
    with output.Writer(site, fresh) as clean:
        for path, data in {**pages, **changed}.items():
            clean.write(path, data)
    third = writer.written_files()
    assert third.build_id == clean.build_id == output.marker_id(out) and third.digests == clean.digests
    assert (out / "search-index/g/1.json").read_bytes() == b"[10]"
    with pytest.raises(ValueError, match="same output file"):  # (written, then kept: looked at one by one)
        rebuild(third, {"search-index/g/2.json": b"[2]"})
    with pytest.raises(ValueError, match="same output file"):  # (kept, then written)
        with output.Writer(site, out, in_place=True, sole=True, before=third) as writer:
            writer.previous = writer.before.files
            writer.keep_all([(p, digest(d)) for p, d in changed.items()])
            writer.write("search-index/g/0.json", b"[0]")
    assert (out / "search-index/g/1.json").read_bytes() == b"[10]"  # (a failed build changes nothing)


def test_a_sole_writer_keeps_the_previous_builds_pages_all_at_once_and_ends_with_a_fresh_builds_files(tmp_path):
    """``serve``'s rebuilds keep every page but those rendered without a set made of them (``keep_pages``): the
    files are the pages' set, handed over as it is to the next rebuild, and the other files. After pages kept,
    one rewritten, a photo dropped and one added, the folder and build id are those of a writer that wrote every
    file afresh; the next rebuild with the same pages finds nothing lost, other pages are looked up, and a page
    written that was kept is refused."""
    site = tmp_path / "site"
    site.mkdir()
    out = tmp_path / "out"
    pages = {f"posts/p{i}/index.html": f"<p>{i}</p>".encode() for i in range(5)}
    others = {"static/site.css": b"body{}", "media/a.jpg": b"a"}
    with output.Writer(site, out) as writer:
        for path, data in {**pages, **others}.items():
            writer.write(path, data)
    first = writer.written_files()
    page_set = frozenset(pages)

    def rebuild(before, rewritten, written, kept=page_set):
        with output.Writer(site, out, in_place=True, sole=True, before=before) as writer:
            writer.previous = writer.before.files
            lost = writer.keep_pages(kept, rewritten)
            for path, data in written.items():
                writer.write(path, data)
        return writer, lost

    writer, lost = rebuild(first, ["posts/p2/index.html"], {"posts/p2/index.html": b"<p>two</p>",
                                                           "static/site.css": b"body{}", "media/b.jpg": b"b"})
    assert lost == set()
    second = writer.written_files()
    assert isinstance(second.files, output.Files) and second.files.pages is page_set
    assert second.files.others == {"static/site.css", "media/b.jpg"}
    assert second.files == {*pages, "static/site.css", "media/b.jpg"} and len(second.files) == 7
    assert not (out / "media/a.jpg").exists() and (out / "media/b.jpg").read_bytes() == b"b"
    assert (out / "posts/p2/index.html").read_bytes() == b"<p>two</p>"
    assert (out / "posts/p3/index.html").read_bytes() == b"<p>3</p>"
    fresh = tmp_path / "fresh"
    with output.Writer(site, fresh) as clean:
        for path, data in {**pages, "posts/p2/index.html": b"<p>two</p>", "static/site.css": b"body{}",
                           "media/b.jpg": b"b"}.items():
            clean.write(path, data)
    assert second.build_id == clean.build_id == output.marker_id(out) and second.digests == clean.digests

    # the same pages again: nothing lost, nothing looked up; the files are the very pages' set and the same others
    writer, lost = rebuild(second, [], {"static/site.css": b"body{}", "media/b.jpg": b"b"})
    assert lost == set() and writer.files() == second.files and writer.build_id == second.build_id
    # a page the previous build did not write is not kept (rendered instead)
    more = page_set | {"posts/p9/index.html"}
    writer, lost = rebuild(writer.written_files(), ["posts/p9/index.html"],
                           {"posts/p9/index.html": b"<p>9</p>", "static/site.css": b"body{}", "media/b.jpg": b"b"},
                           kept=more)
    assert lost == set()  # (it is among those rendered)
    with pytest.raises(ValueError, match="same output file"):
        rebuild(writer.written_files(), [], {"posts/p0/index.html": b"x"}, kept=more)
    assert (out / "posts/p0/index.html").read_bytes() == b"<p>0</p>"  # (a failed build changes nothing)
    writer, lost = rebuild(writer.written_files(), [], {"static/site.css": b"body{}", "media/b.jpg": b"b"},
                           kept=more | {"posts/p10/index.html"})
    assert lost == {"posts/p10/index.html"}
