"""A cached build is always a clean build (issue 13), checked by a Hypothesis state machine.

:class:`CacheMachine` starts from a copy of ``tests/sites/mini`` and applies random sequences of
edits: stories (text, title, date, tags, members named), pledges, evaluation scores, site settings,
site templates and translations overriding the defaults, new, deleted, renamed and broken files (and their repair),
builds at another ``--base-url``, ``serve`` sessions (the preview's own in-process builds, with an
edit while it runs), ``pdf``, ``pdf --stale`` and ``check``. After every step it builds the site with the build
cache into the same output folder and compares it with a ``--no-cache`` build of the same content
into a fresh folder: the exit code, the messages (output paths and the counts and seconds that
depend on the cache normalised) and every byte of every output file must be the same. Builds into
other folders must leave the outputs of earlier builds alone, and an address used by one build
(``--base-url``, the preview's ``http://127.0.0.1:PORT/``) must not appear in a later plain build.

CI runs a few short sequences (about a minute). A longer run, one command:

    SITE_BUILDER_PROPERTY_EXAMPLES=200 python -m pytest tests/test_cache_property.py

(``SITE_BUILDER_PROPERTY_STEPS`` sets the steps per sequence, default 6; ``SITE_BUILDER_PROPERTY_PDF``
the WeasyPrint runs per sequence, default 1, as each costs seconds.) The test's process grows with the examples
(December 2026: 0.3 GB at 20, 1.5 GB at 60, ~10 GB at 300; half of it WeasyPrint's, run in this process, 0.7 GB at
60 with ``SITE_BUILDER_PROPERTY_PDF=0``): give a long run the memory, or fewer PDF runs. Hypothesis keeps no example
database here (nothing is written into the repository); a failure prints the shrunk sequence of
steps and a ``@reproduce_failure`` blob.

The last two tests pin the two leaks found this way without Hypothesis.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, note, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from site_builder.commands.serve import Preview
from site_builder.incremental import cache as cache_mod
from site_builder.render import templates
from support.sites import ROOT, make_site, run, tree
from test_devserver import wait_for, wait_settled

EXAMPLES = int(os.environ.get("SITE_BUILDER_PROPERTY_EXAMPLES", "8"))
STEPS = int(os.environ.get("SITE_BUILDER_PROPERTY_STEPS", "6"))
PDF_RUNS = int(os.environ.get("SITE_BUILDER_PROPERTY_PDF", "1"))  # WeasyPrint runs per sequence (seconds each)

SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
                    print_blob=True, suppress_health_check=list(HealthCheck))

# -- what the edits are made of ---------------------------------------------------------------------

STORIES = ["first", "second"]
MEMBERS = ["li-ming", "wang-fang", "hidden", "zhang-san"]  # the last one is not in the mini site
POSTS = ["tax-window", "tax-declared"]
MONTHS = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
SOURCES = ["self", "public", "organisation"]
DIMENSIONS = ["politics", "performance", "service", "exemplary"]
TEMPLATES = ["story.html", "post.html", "member.html", "print/plaque.html"]
SITE_URLS = ["https://example.org/", "https://pledge.example.net/board/"]  # base_url in site.yaml
OTHER_URLS = ["https://evil.example/", "https://mirror.example/pledge/"]  # build --base-url
BREAKABLE = ([f"content/stories/{s}.md" for s in STORIES] + [f"content/members/{m}.yaml" for m in MEMBERS]
             + [f"content/evaluations/{m}.yaml" for m in MONTHS[:2]]
             + ["content/site.yaml", "content/posts/tax-window.yaml", "templates/story.html"])

CHARS = "王李张刘陈杨赵黄周吴服务窗口群众承诺办事一次好的先进岗位党员示范热情耐心微笑快速清楚"
words = st.text(alphabet=CHARS + "AZaz09 ·<&'\"", min_size=1, max_size=14)
plain_words = st.text(alphabet=CHARS + "AZaz09", min_size=1, max_size=10)  # safe inside a template
pledges = st.one_of(words, st.text(alphabet=CHARS, min_size=38, max_size=44))  # the limit is 40
dates = st.dates(dt.date(2024, 6, 1), dt.date(2025, 12, 31))
PARAGRAPHS = ["王芳**往前多走一步。**", "见[办税窗口](../posts/tax-window.yaml)。", "见[李明](../members/li-ming.yaml)。",
              "- 一条\n- 两条", "## 小标题", "{{ 7*7 }} <script>alert(1)</script>"]
bodies = st.lists(st.one_of(st.sampled_from(PARAGRAPHS), words), min_size=1, max_size=4).map("\n\n".join)
settings_edits = st.one_of(
    st.tuples(st.just("title"), words.map(lambda w: json.dumps(w, ensure_ascii=False))),
    st.tuples(st.just("pass_mark"), st.integers(50, 100).map(str)),
    st.tuples(st.just("below"), st.integers(40, 90).map(str)),  # above pass_mark is an error
    st.tuples(st.just("first_batch_end"), st.dates(dt.date(2025, 2, 1), dt.date(2025, 12, 31)).map(str)),
    st.tuples(st.just("base_url"), st.sampled_from(SITE_URLS)),
)
SETTING_LINES = {"title": r"^title: .*$", "pass_mark": r"^  pass_mark: .*$", "below": r"^    below: .*$",
                 "first_batch_end": r"^  first_batch_end: .*$", "base_url": r"^base_url: .*$"}


def q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def story_text(title, date, tags, members, posts, body) -> str:
    lines = ["---", f"title: {q(title)}", f"date: {date}", "author: 宣传部"]
    if posts:
        lines.append(f"posts: [{', '.join(posts)}]")
    if members:
        lines.append(f"members: [{', '.join(members)}]")
    if tags:
        lines.append(f"tags: [{', '.join(q(t) for t in tags)}]")
    return "\n".join(lines + ["---", body, ""])


def member_text(name, pledge, public) -> str:
    return (f"name: {q(name)}\npost: tax-window\nposition: 办税员\n"
            f"consent: {{public: {'true' if public else 'false'}, photo: false}}\npledge: {q(pledge)}\n"
            f"standard:\n  items: [耐心解答]\n  proposed: 2025-01-05\n")


def evaluation_text(month: str) -> str:
    return (f"month: {month}\nposts:\n  tax-window:\n"
            + "".join(f"    {s}: {{{', '.join(f'{d}: 90' for d in DIMENSIONS)}}}\n" for s in SOURCES))


# -- comparing builds -------------------------------------------------------------------------------

def normalise(text: str, paths: dict[Path, str]) -> str:
    """Messages with the folders named by role, and without what depends on the cache or the clock."""
    for path, name in sorted(paths.items(), key=lambda kv: -len(str(kv[0]))):
        text = text.replace(str(path), name)
    text = re.sub(r"重新生成 \d+ 个", "重新生成 N 个", text)
    text = re.sub(r"\d+ 个有变化", "N 个有变化", text)
    return re.sub(r"[\d.]+ 秒", "T 秒", text)


def explain(cached: Path, clean: Path) -> str:
    """What differs between two output folders: missing, extra and changed files, with a diff."""
    a, b = tree(cached), tree(clean)
    lines = [f"only in the cached build: {sorted(a.keys() - b.keys())[:12]}",
             f"only in the clean build: {sorted(b.keys() - a.keys())[:12]}"]
    changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    lines.append(f"different ({len(changed)}): {changed[:12]}")
    for rel in changed[:3]:
        try:
            old, new = (cached / rel).read_text("utf-8"), (clean / rel).read_text("utf-8")
        except UnicodeDecodeError:
            lines.append(f"{rel}: binary")
            continue
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "cached/" + rel, "clean/" + rel, lineterm="", n=0)
        lines += [line[:300] for line in list(diff)[:16]]
    return "\n".join(lines)


def files_containing(folder: Path, needle: str) -> list[str]:
    data = needle.encode()
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and data in p.read_bytes())


def content_digest(site: Path, *extra: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in extra:
        h.update(part.encode() + b"\0")
    for folder in ("content", "templates"):
        for path in sorted((site / folder).rglob("*")):
            if path.is_file():
                h.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def stats(folder: Path) -> dict[str, tuple]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


def git(site: Path, *argv: str) -> None:
    subprocess.run(["git", "-C", str(site), "-c", "user.name=测试", "-c", "user.email=t@example.org",
                    "-c", "commit.gpgsign=false", *argv], check=True, capture_output=True)


# -- the state machine ------------------------------------------------------------------------------

class CacheMachine(RuleBasedStateMachine):
    """One working site, edited step by step and built with the cache; a fresh copy built without."""

    root: Path  # set by the test: the pytest tmp folder
    capsys = None
    clean_memo: dict  # content digest + options → (exit code, messages, tree) of the clean build

    def __init__(self):
        super().__init__()
        self.work = Path(tempfile.mkdtemp(dir=self.root / "sequences", prefix="seq-"))
        self.site = make_site(self.work)
        self.out = self.work / "out"
        self.broken: dict[str, str | None] = {}  # path → its text before it was broken
        self.others: dict[Path, dict] = {}  # output folders of other builds → their files, to stay as they are
        self.addresses: set[str] = set()  # base URLs of other builds, never in a plain build
        self.pdf_runs = 0
        git(self.site, "init", "-q")
        self.commit()

    def teardown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------------------

    def cli(self, *argv) -> tuple[int, str]:
        self.capsys.readouterr()  # whatever a serve session printed is not this command's
        code, out, err = run(self.capsys, *argv)
        return code, out + err

    def path(self, rel: str) -> Path:
        return self.site / rel

    def read(self, rel: str) -> str | None:
        try:
            return self.path(rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, rel: str, text: str | None) -> None:
        path = self.path(rel)
        if text is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def sub(self, rel: str, pattern: str, replacement: str) -> None:
        """Replace the first match of ``pattern`` (multiline) in a file; nothing when it is not there."""
        text = self.read(rel)
        if text is None or not re.search(pattern, text, re.M):
            note(f"{rel}: nothing to change")
            return
        self.write(rel, re.sub(pattern, lambda m: replacement, text, count=1, flags=re.M))

    def sources(self) -> dict[str, bytes]:
        """Every file of content/ and templates/ (what the preview watches)."""
        return {str(path.relative_to(self.site)): path.read_bytes()
                for folder in ("content", "templates") if (self.site / folder).is_dir()
                for path in sorted((self.site / folder).rglob("*")) if path.is_file()}

    def fresh_copy(self, name: str, with_git: bool = False) -> Path:
        """A copy of the working site's content (and templates, and git history) with nothing else."""
        target = self.work / name
        shutil.rmtree(target, ignore_errors=True)
        site = target / "site"
        shutil.copytree(self.site / "content", site / "content")
        if (self.site / "templates").is_dir():
            shutil.copytree(self.site / "templates", site / "templates")
        if with_git:
            shutil.copytree(self.site / ".git", site / ".git")
        return site

    def clean_build(self, options: list[str]) -> tuple[int, str, dict, Path | None]:
        """The --no-cache build of the working content: (code, messages, tree, folder if built now)."""
        key = content_digest(self.site, *options)
        if key in self.clean_memo:
            return (*self.clean_memo[key], None)
        site = self.fresh_copy("clean")
        out = site.parent / "out"
        code, messages = self.cli("build", site, "-o", out, "--no-cache", "-j", "1", *options)
        result = (code, normalise(messages, {site: "SITE", out: "OUT"}), tree(out) if out.is_dir() else {})
        self.clean_memo[key] = result
        return (*result, out)

    def check_build(self, out: Path, options: list[str] = ()) -> int:
        """Build with the cache into ``out``; assert it is the clean build. Returns the exit code."""
        before = tree(out) if out.is_dir() else {}
        code, messages = self.cli("build", self.site, "-o", out, *options)
        messages = normalise(messages, {self.site: "SITE", out: "OUT"})
        clean_code, clean_messages, clean_tree, clean_out = self.clean_build(list(options))
        assert (code, messages) == (clean_code, clean_messages), f"build {' '.join(options)}: exit code or messages"
        if code != 0:
            assert (tree(out) if out.is_dir() else {}) == before, "a failed build changed the output folder"
            return code
        if tree(out) != clean_tree:
            if clean_out is None:  # remembered: build it again to show the difference
                remembered = self.clean_memo.pop(content_digest(self.site, *options))
                *again, clean_out = self.clean_build(list(options))
                assert tuple(again) == remembered, "two clean builds of the same content differ"
            leaked = {address: files_containing(out, address) for address in sorted(self.addresses)}
            raise AssertionError(f"build {' '.join(options)} into {out.name}/ differs from a clean build:\n"
                                 + explain(out, clean_out) + "\naddresses of other builds in it: "
                                 + repr({a: files[:5] for a, files in leaked.items() if files and a not in options}))
        return code

    def commit(self) -> None:
        git(self.site, "add", "-A", "content")
        if (self.site / "templates").is_dir():
            git(self.site, "add", "-A", "templates")
        git(self.site, "commit", "-q", "--allow-empty", "-m", "内容")

    # -- after every step ---------------------------------------------------------------------------

    @invariant()
    def cached_build_equals_clean_build(self):
        code = self.check_build(self.out)
        if code == 0:
            for address in sorted(self.addresses):
                leaked = files_containing(self.out, address)
                assert not leaked, f"a plain build publishes {address} (from an earlier build or preview): {leaked}"
        for folder, files in self.others.items():
            assert tree(folder) == files, f"building into {self.out.name}/ changed {folder.name}/"

    # -- content edits ------------------------------------------------------------------------------

    @rule(slug=st.sampled_from(STORIES), title=words, date=dates, tags=st.lists(words, max_size=3),
          members=st.lists(st.sampled_from(MEMBERS), max_size=2, unique=True),
          posts=st.lists(st.sampled_from(POSTS), max_size=2, unique=True), body=bodies)
    def write_story(self, slug, title, date, tags, members, posts, body):
        """A new story, or a story rewritten: text and front matter."""
        self.write(f"content/stories/{slug}.md", story_text(title, date, tags, members, posts, body))

    @rule(slug=st.sampled_from(STORIES), paragraph=st.one_of(words, st.sampled_from(PARAGRAPHS)))
    def add_paragraph(self, slug, paragraph):
        text = self.read(f"content/stories/{slug}.md")
        if text is not None:
            self.write(f"content/stories/{slug}.md", text.rstrip("\n") + f"\n\n{paragraph}\n")

    @rule(slug=st.sampled_from(STORIES), field=st.sampled_from(["title", "date", "tags", "members"]),
          title=words, date=dates, members=st.lists(st.sampled_from(MEMBERS), max_size=2, unique=True))
    def story_front_matter(self, slug, field, title, date, members):
        rel = f"content/stories/{slug}.md"
        if field == "title":
            self.sub(rel, r"^title: .*$", f"title: {q(title)}")
        elif field == "date":
            self.sub(rel, r"^date: .*$", f"date: {date}")
        elif field == "tags":
            self.sub(rel, r"^tags: .*$", f"tags: [{q(title)}]")
        else:
            self.sub(rel, r"^members: .*$", f"members: [{', '.join(members)}]")

    @rule(member=st.sampled_from(MEMBERS), pledge=pledges)
    def set_pledge(self, member, pledge):
        self.sub(f"content/members/{member}.yaml", r"^pledge: .*$", f"pledge: {q(pledge)}")

    @rule(member=st.sampled_from(MEMBERS), field=st.sampled_from(["name", "position"]), value=words)
    def member_field(self, member, field, value):
        self.sub(f"content/members/{member}.yaml", rf"^{field}: .*$", f"{field}: {q(value)}")

    @rule(post=st.sampled_from(POSTS), field=st.sampled_from(["name", "book"]), value=words)
    def post_field(self, post, field, value):
        """A post's name (on its members' and stories' pages and boards) or its feedback book's place."""
        indent = "" if field == "name" else "  "  # (the book is under feedback:)
        self.sub(f"content/posts/{post}.yaml", rf"^{indent}{field}: .*$", f"{indent}{field}: {q(value)}")

    @rule(member=st.sampled_from(MEMBERS), name=words, pledge=pledges, public=st.booleans())
    def write_member(self, member, name, pledge, public):
        """A new member, or a member file rewritten from scratch."""
        self.write(f"content/members/{member}.yaml", member_text(name, pledge, public))

    @rule(month=st.sampled_from(MONTHS), source=st.sampled_from(SOURCES), dimension=st.sampled_from(DIMENSIONS),
          score=st.integers(0, 100))
    def set_score(self, month, source, dimension, score):
        rel = f"content/evaluations/{month}.yaml"
        if self.read(rel) is None:
            self.write(rel, evaluation_text(month))
        text = self.read(rel)
        line = re.search(rf"^    {source}: .*$", text, re.M)
        if line is None:
            note(f"{rel}: no line for {source}")
            return
        new = re.sub(rf"\b{dimension}: \d+", f"{dimension}: {score}", line.group(0))
        self.write(rel, text[:line.start()] + new + text[line.end():])

    @rule(edit=settings_edits)
    def site_setting(self, edit):
        key, value = edit
        line = SETTING_LINES[key]
        self.sub("content/site.yaml", line, line.strip("^$").split(":")[0] + ": " + value)

    @rule(name=st.sampled_from(TEMPLATES), marker=st.none() | plain_words)
    def site_template(self, name, marker):
        """SITE/templates/NAME overriding the default with one more line, or the override removed."""
        rel = f"templates/{name}"
        if marker is None:
            self.write(rel, None)
            return
        text = self.read(rel) or (templates.default_templates() / name).read_text(encoding="utf-8")
        block = re.search(r"\{% block (main|sheet) %\}", text)
        self.write(rel, text[:block.end()] + f'\n<p class="site-line">{marker}</p>' + text[block.end():])

    @rule(key=st.sampled_from(["history_heading", "nav_home", "board_scan_feedback"]), text=st.none() | plain_words)
    def translation(self, key, text):
        """SITE/templates/translations.yaml with one key of its own, or removed: plain `t('key')` calls are
        compiled into the templates' code (render/templates.py), which the cache keeps."""
        self.write("templates/translations.yaml", None if text is None else f"zh-CN:\n  {key}: {text}\n")

    @rule(text=st.none() | plain_words)
    def static_file(self, text):
        self.write("templates/static/extra.txt", text)

    @rule(rel=st.sampled_from([f"content/stories/{s}.md" for s in STORIES]
                              + [f"content/members/{m}.yaml" for m in MEMBERS]
                              + [f"content/evaluations/{m}.yaml" for m in MONTHS]))
    def delete_file(self, rel):
        self.write(rel, None)

    @rule(move=st.one_of(st.tuples(st.just("stories"), st.sampled_from(STORIES), st.sampled_from(STORIES)),
                         st.tuples(st.just("members"), st.sampled_from(MEMBERS), st.sampled_from(MEMBERS))))
    def rename_file(self, move):
        folder, old, new = move
        ext = ".md" if folder == "stories" else ".yaml"
        source, target = self.path(f"content/{folder}/{old}{ext}"), self.path(f"content/{folder}/{new}{ext}")
        if old != new and source.exists():
            os.replace(source, target)

    @rule(rel=st.sampled_from(BREAKABLE), how=st.sampled_from(["yaml", "unknown key", "link"]))
    def break_file(self, rel, how):
        text = self.read(rel)
        if text is None or rel in self.broken:
            return
        self.broken[rel] = text
        if rel.endswith(".html"):
            broken = text + {"yaml": "\n{% if %}\n", "unknown key": "\n{{ no_such_helper() }}\n",
                             "link": "\n<a href=\"{{ url('no-such-page/') }}\">x</a>\n"}[how]
        elif rel.endswith(".md") and how == "link":  # (found when the pages are rendered and the index made)
            broken = text + "\n\n见[没有的岗位](/posts/no-such-post/)。\n"
        elif rel.endswith(".md"):
            line = "tags: [未闭合" if how == "yaml" else "titel: 多余的键"
            broken = text.replace("---\n", f"---\n{line}\n", 1)
        else:
            broken = text + "\n: 坏了 [\n" if how == "yaml" else "pleadge: 多余的键\n" + text
        self.write(rel, broken)

    @precondition(lambda self: self.broken)
    @rule()
    def repair(self):
        for rel, text in self.broken.items():
            self.write(rel, text)
        self.broken.clear()

    # -- other commands -----------------------------------------------------------------------------

    @rule(address=st.sampled_from(OTHER_URLS), same_folder=st.booleans())
    def build_at_another_address(self, address, same_folder):
        """build --base-url X, into the usual output folder or another one: the clean build at X."""
        out = self.out if same_folder else self.work / "out-elsewhere"
        code = self.check_build(out, ["--base-url", address])
        self.addresses.add(address)
        if not same_folder and code == 0:
            self.others[out] = tree(out)

    @rule(edits=st.lists(st.one_of(
        st.tuples(st.just("pledge"), st.sampled_from(MEMBERS), pledges),
        st.tuples(st.just("score"), st.sampled_from(MONTHS), st.sampled_from(SOURCES), st.sampled_from(DIMENSIONS),
                  st.integers(0, 100)),
        st.tuples(st.just("paragraph"), st.sampled_from(STORIES), st.one_of(words, st.sampled_from(PARAGRAPHS))),
        st.tuples(st.just("story"), st.sampled_from(STORIES), st.sampled_from(["title", "date", "tags", "members"]),
                  words, dates, st.lists(st.sampled_from(MEMBERS), max_size=2, unique=True)),
        st.tuples(st.just("member"), st.sampled_from(MEMBERS), st.sampled_from(["name", "position"]), words),
        st.tuples(st.just("post"), st.sampled_from(POSTS), st.sampled_from(["name", "book"]), words),
        st.tuples(st.just("template"), st.sampled_from(TEMPLATES), st.none() | plain_words),
        st.tuples(st.just("broken"), st.sampled_from(BREAKABLE), st.sampled_from(["yaml", "unknown key", "link"]))),
        max_size=3))
    def serve_session(self, edits):
        """`serve`: its first build, up to three edits it rebuilds in turn, then stop; the preview is the clean
        build at its address, and the next plain build is clean. The edits: a pledge, a member's name or
        position, a post's name or feedback book, a score (whose post's standing is made again while the others'
        are reused from the rebuild before), a story's text or front matter (the boards and post pages are reused
        from the rebuild before), a site template, a file broken (the rebuild fails) and then repaired."""
        preview = Preview(self.site, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
        preview.start()
        try:
            self.addresses.add(preview.url)
            for edit in edits:
                kind, rest = edit[0], edit[1:]
                apply = {"pledge": self.set_pledge, "score": self.set_score, "paragraph": self.add_paragraph,
                         "story": self.story_front_matter, "member": self.member_field, "post": self.post_field,
                         "template": self.site_template, "broken": self.break_file}[kind]
                steps = [lambda: apply(*rest)] + ([self.repair] if kind == "broken" else [])
                for step in steps:
                    was = self.sources()
                    before = wait_settled(preview.server)
                    step()
                    if self.sources() != was:
                        wait_for(lambda: preview.server.rebuild_count > before, what="the preview's rebuild")
                        wait_settled(preview.server)
        finally:
            preview.stop()
        # The preview is the clean build at its address, search index included.
        site = self.fresh_copy("clean-preview")
        clean = site.parent / "out"
        if self.cli("build", site, "-o", clean, "--no-cache", "-j", "1", "--base-url", preview.url)[0] == 0:
            if tree(preview.out) != tree(clean):
                raise AssertionError("the preview differs from a clean build at its address:\n" + explain(preview.out, clean))

    @rule()
    def check_site(self):
        """`check` (reads the cache, writes nothing) says what `check --no-cache` says of a fresh copy."""
        code, messages = self.cli("check", self.site)
        clean = self.fresh_copy("clean-check")
        clean_code, clean_messages = self.cli("check", clean, "--no-cache")
        assert (code, normalise(messages, {self.site: "SITE"})) == (clean_code, normalise(clean_messages, {clean: "SITE"}))

    @precondition(lambda self: self.pdf_runs < PDF_RUNS)
    @rule(options=st.sampled_from([("--kind", "plaque"), ("--member", "li-ming", "--kind", "card"),
                                   ("--stale", "HEAD", "--kind", "plaque")]))
    def pdf(self, options):
        """`pdf` (WeasyPrint, seconds): the files this run wrote are those of a run on a fresh copy."""
        self.pdf_runs += 1
        out = self.site / "pdf"
        before = stats(out)
        code, messages = self.cli("pdf", self.site, "-o", out, *options)
        clean = self.fresh_copy("clean-pdf", with_git=True)
        clean_code, clean_messages = self.cli("pdf", clean, "-o", clean / "pdf", *options)
        assert (code, normalise(messages, {self.site: "SITE", out: "OUT"})) == \
            (clean_code, normalise(clean_messages, {clean: "SITE", clean / "pdf": "OUT"}))
        made = tree(clean / "pdf") if (clean / "pdf").is_dir() else {}
        now = tree(out) if out.is_dir() else {}
        assert {k: now.get(k) for k in made} == made, "PDFs differ from those of a fresh copy"
        after = stats(out)
        written = {k for k in after if before.get(k) != after[k]}
        assert written <= made.keys(), f"PDFs a fresh copy does not make: {sorted(written - made.keys())}"

    @rule()
    def pdf_stale_list(self):
        """`pdf --stale HEAD` (a list, no PDFs) says the same as on a fresh copy with the same history."""
        code, messages = self.cli("pdf", self.site, "--stale", "HEAD")
        clean = self.fresh_copy("clean-stale", with_git=True)
        clean_code, clean_messages = self.cli("pdf", clean, "--stale", "HEAD")
        assert (code, normalise(messages, {self.site: "SITE"})) == (clean_code, normalise(clean_messages, {clean: "SITE"}))

    @rule()
    def commit_content(self):
        self.commit()


def steady(tmp_path, monkeypatch) -> None:
    """The code and the default templates as they are now, whatever is edited in the checkout meanwhile."""
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")
    defaults = tmp_path / "default-templates"
    shutil.copytree(ROOT / "templates", defaults)
    monkeypatch.setattr(templates, "default_templates", lambda: defaults)


def test_a_cached_build_is_a_clean_build(tmp_path, capsys, monkeypatch):
    steady(tmp_path, monkeypatch)
    (tmp_path / "sequences").mkdir()
    machine = type("CacheMachine", (CacheMachine,), {"root": tmp_path, "capsys": capsys, "clean_memo": {}})
    run_state_machine_as_test(machine, settings=SETTINGS)


# -- the leaks it found, pinned ---------------------------------------------------------------------

def test_a_build_at_another_address_does_not_leak_into_the_next_build(tmp_path, capsys, monkeypatch):
    steady(tmp_path, monkeypatch)
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out1", "--base-url", "https://evil.example/", "-q")[0] == 0
    assert files_containing(tmp_path / "out1", "https://evil.example/")
    assert run(capsys, "build", site, "-o", tmp_path / "out2", "-q")[0] == 0
    assert run(capsys, "build", site, "-o", tmp_path / "clean", "--no-cache", "-q")[0] == 0
    assert files_containing(tmp_path / "out2", "evil.example") == []
    assert tree(tmp_path / "out2") == tree(tmp_path / "clean")


def test_a_build_after_serve_publishes_the_sites_address(tmp_path, capsys, monkeypatch):
    """A preview that rebuilt after an edit must not leave its address in the cache for the next build."""
    steady(tmp_path, monkeypatch)
    site = make_site(tmp_path)
    assert run(capsys, "build", site, "-o", tmp_path / "out", "-q")[0] == 0
    preview = Preview(site, host="127.0.0.1", port=0, jobs=1, log=lambda message: None)
    preview.start()
    try:
        before = wait_settled(preview.server)
        member = site / "content/members/wang-fang.yaml"
        member.write_text(member.read_text(encoding="utf-8").replace("一次讲清", "一次说清"), encoding="utf-8")
        wait_for(lambda: preview.server.rebuild_count > before, what="the preview's rebuild")
        wait_settled(preview.server)
    finally:
        preview.stop()
    assert "一次说清" in (preview.out / "members/wang-fang/index.html").read_text(encoding="utf-8")
    assert files_containing(preview.out, preview.url)  # the preview links to itself
    assert run(capsys, "build", site, "-o", tmp_path / "out", "-q")[0] == 0
    assert run(capsys, "build", site, "-o", tmp_path / "clean", "--no-cache", "-q")[0] == 0
    assert files_containing(tmp_path / "out", "127.0.0.1") == []
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
