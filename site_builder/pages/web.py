"""Stage 3, views: the model → the list of pages, each a template and what it needs.

This is the only place that decides which pages exist and at which address. Other renderers
(boards, feeds, search) add their own page lists over the same model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..model.build import Member, Model, Post, Story, Unit
from ..printing.boards import post_boards
from .standings import honour_awards, places_by_post
from ..model.stars import COMMENDED, MAX_STARS, REVOKED, Standing

ALL = "all"


class Chunks(tuple):
    """A file's bytes as parts, which a page's ``data`` may give instead of bytes: hashed, compared and written part
    by part (``write/output.py``), never joined. ``data/posts.json`` at 10,000 posts is 63 MB made of its posts'
    pieces, which the other open-data files share: joined, the file was held beside them, and set the build's
    peak of memory. Not HTML: no links are collected from it and nothing of it goes into the search index."""

    __slots__ = ()

    @property
    def size(self) -> int:
        return sum(map(len, self))


@dataclass(slots=True)
class Page:
    """One output file: a template with its context, or ready data (bytes, or a function making them).

    A page's context is given made (``context``) or made when the page is rendered: ``view(*args)``, a
    module-level function run by the process that renders the page, while what it reads is recorded
    (incremental/tracking.py). A page whose view is unchanged is then compared by its ``args`` alone, which
    are model objects (compared by what the page reads of them), plain values, or objects that carry a
    digest of what they hold (``TRACKING_DIGEST``, e.g. a printed board): cheap to compare, and the context
    of a page that is not rendered is never made. A view reads nothing but its arguments and the model
    objects they lead to: anything computed once for many pages (boards, places) comes in ``args``.
    """

    url: str  # site-relative address: "" (home), "posts/x/", "404.html", "feed.xml"
    template: str | None
    context: dict | None = None
    data: bytes | Callable[[], bytes | Chunks] | None = None
    view: Callable[..., dict] | None = None
    args: tuple = ()
    output: str = field(init=False)  # the file: the address, or its index.html

    def __post_init__(self) -> None:
        self.output = self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url

    def make_context(self) -> dict:
        """The template's context (made by the view, if the page has one)."""
        if self.view is not None:
            return self.view(*self.args)
        return self.context if self.context is not None else {}


@dataclass(frozen=True, slots=True)
class Pages:
    """Pages made together: ``make(*args)``, run when the page list is made. A page source yields these
    besides single pages, for runs of pages that are costly to list (boards, the post pages).

    Like a view, ``make`` reads nothing but its arguments and the model objects they lead to, and changes none; the
    incremental core may then reuse a group's pages from the build before (kept in the cache) when nothing
    that ``make`` read has changed (incremental/listing.py). Pages whose ``data`` is a function do not belong
    in a group (a function cannot be kept for the next build's model)."""

    key: str  # unique among the groups of a build
    make: Callable[..., Iterable[Page]]
    args: tuple = ()

    def pages(self) -> list[Page]:
        return list(self.make(*self.args))


def paginate(items: list, size: int, first_url: str, more_url: str) -> Iterator[tuple[list, dict]]:
    """Split ``items`` into pages; yields (items, pager) with pager = {number, count, urls}."""
    chunks = [items[i:i + size] for i in range(0, len(items), size)] or [[]]
    urls = pager_urls(len(chunks), first_url, more_url)
    for n, chunk in enumerate(chunks, 1):
        yield chunk, pager(n, urls)


def pager_urls(count: int, first_url: str, more_url: str) -> list[str]:
    """The addresses of the ``count`` pages of a list: ``first_url``, then ``more_url`` 2/, 3/ ..."""
    return [first_url] + [f"{more_url}{n}/" for n in range(2, count + 1)]


def pager(number: int, urls: list[str]) -> dict:
    """The pager of page ``number`` of the list whose pages are at ``urls`` (see :func:`paginate`)."""
    return {"number": number, "count": len(urls), "urls": urls, "url": urls[number - 1]}


def browse_url(district: str, sector: str, level: str) -> str:
    if (district, sector, level) == (ALL, ALL, ALL):
        return ""
    return f"browse/{district}/{sector}/{level}/"


def facets(model: Model, district: str, sector: str, level: str) -> list[dict]:
    """The filter bar of a list page: each option links to the page with that one choice changed."""
    s = model.settings
    dims = [
        ("district", [(ALL, None)] + list(s.districts.items()), district),
        ("sector", [(ALL, None)] + list(s.sectors.items()), sector),
        ("stars", [(ALL, None)] + [(str(n), n) for n in range(MAX_STARS, -1, -1)], level),
    ]
    out = []
    for i, (name, options, current) in enumerate(dims):
        choices = []
        for value, label in options:
            pick = [district, sector, level]
            pick[i] = value
            choices.append({"value": value, "label": label, "url": browse_url(*pick), "current": value == current})
        out.append({"name": name, "choices": choices})
    return out


def list_pages(model: Model) -> Iterator[Page]:
    listed = model.listed_posts
    s = model.settings
    districts, sectors = [ALL] + list(s.districts), [ALL] + list(s.sectors)
    levels = [ALL] + [str(n) for n in range(MAX_STARS, -1, -1)]
    # each post under the eight filters it matches (its district or all, its sector or all, its stars or all),
    # in listing order: one pass over the posts, not one for each of the filters' combinations
    matching: dict[tuple[str, str, str], list[Post]] = {}
    for p in listed:
        for key in set(itertools.product((ALL, p.unit.district), (ALL, p.unit.sector), (ALL, str(p.stars)))):
            matching.setdefault(key, []).append(p)
    for district, sector, level in itertools.product(districts, sectors, levels):
        posts = matching.get((district, sector, level), [])
        first = browse_url(district, sector, level)
        more = first or "browse/all/all/all/"
        # (one filter bar and filter for all the pages of a choice: a city's 7,000 list pages held one each, 22 MiB
        # at 10,000 posts, in the page list that every rendering process shares)
        bar, chosen = facets(model, district, sector, level), {"district": district, "sector": sector, "stars": level}
        for chunk, pager in paginate(posts, s.page_size, first, more):
            yield Page(pager["url"], "home.html" if first == "" else "browse.html", {
                "posts": chunk, "total": len(posts), "pager": pager, "facets": bar, "filter": chosen})


def post_pages(model: Model, unit: Unit, places: tuple) -> Iterator[Page]:
    """The pages of a unit's public posts; ``places``: (post id, where it stands in each competition)."""
    where = dict(places)
    for post in unit.posts:
        yield Page(post.url, "post.html", view=post_view, args=(model, post, where.get(post.id, ())))


STORY_GROUP = 100  # stories whose pages are listed together


def story_pages(stories: tuple[Story, ...]) -> Iterator[Page]:
    for story in stories:
        yield Page(story.url, "story.html", view=story_view, args=(story,))


def member_pages(model: Model, unit: Unit) -> Iterator[Page]:
    """The pages of the public members whose main post is one of ``unit``'s (each public member once: their main
    post is public, and they are among its members)."""
    for post in unit.posts:
        for member in post.members:
            if member.post is post:
                yield Page(member.url, "member.html", view=member_view, args=(member,))


def pages(model: Model) -> Iterator[Page | Pages]:
    s = model.settings
    yield Pages("web.lists", list_pages, (model,))
    places = places_by_post(model)  # 岗位竞赛: where each post stands
    for unit in model.units:  # a group for each unit: a member's edit lists one unit's post pages again
        if unit.posts:
            here = tuple((post.id, tuple(places[post.id])) for post in unit.posts if post.id in places)
            yield Pages(f"web.posts.{unit.id}", post_pages, (model, unit, here))
    # (and of member pages: a story's edit renders the pages of the members it names, read back from their
    # unit's group, not from one group of every member: 0.2 s at 10,000 posts)
    for unit in model.units:
        if unit.posts:
            yield Pages(f"web.members.{unit.id}", member_pages, (model, unit))
    yield Page("units/", "units.html", {"units": model.units})
    # (a group: a story's edit changes nothing a unit page is listed from, and a kept page's context is not
    # compared again)
    yield Pages("web.units", unit_pages, (model,))
    for chunk, pager in paginate(model.stories, s.page_size, "stories/", "stories/page/"):
        yield Page(pager["url"], "stories.html", {"stories": chunk, "pager": pager})
    # (groups of STORY_GROUP stories in their order: a story's edit lists its group's pages again, and the plan
    # compares those, not the context of every story page)
    for n in range(0, len(model.stories), STORY_GROUP):
        yield Pages(f"web.stories.{n // STORY_GROUP}", story_pages, (model.stories[n:n + STORY_GROUP],))
    # (a group: its pages' arguments are 20 posts or members a page, compared otherwise at every rebuild; it is
    # listed from the posts, the commended posts' members and the honoured members, which a story's edit, or a
    # member's without an honour, does not change)
    yield Pages("web.honours", honour_roll, (model,))
    # 群众议标准: at a campaign's start every member's standard is open for comment at once, so in pages too
    discussed = list(model.discussed)
    for chunk, pager in paginate(discussed, s.page_size, "standards/", "standards/page/"):
        yield Page(pager["url"], "standards.html", {"members": chunk, "pager": pager, "total": len(discussed)})
    yield Page("accessibility/", "accessibility.html", {})
    yield Page("404.html", "404.html", {})


def unit_pages(model: Model) -> Iterator[Page]:
    for unit in model.units:
        yield Page(unit.url, "unit.html", {"unit": unit, "posts": sort_posts(unit.posts)})


def honour_roll(model: Model) -> Iterator[Page]:
    """光荣榜: the commended posts and the honoured members (each person once, whatever the number of posts they
    serve at). honours/ shows the first page of each list and the competitions' awards; a longer list goes on at
    honours/posts/N/ and honours/members/N/ (a city commends thousands: one page of them all would be megabytes
    on a phone, and made again for any edit of one of them). Each page is made by :func:`honours_view` from its
    posts and members (a page is compared by them, not by a context of their honours: 1,760 pages at 10,000
    posts)."""
    size = model.settings.page_size
    commended = sorted((p for p in model.posts if p.status == COMMENDED), key=lambda p: (p.standing.commended_on, p.id))
    # (the members at a commended post are its members: not each member's posts looked through, twice)
    at_commended = {id(m): m for p in commended for m in p.members}
    honoured = sorted({**at_commended, **{id(m): m for m in model.honoured}}.values(),
                      key=lambda m: (id(m) not in at_commended, m.id))
    posts = list(paginate(commended, size, "honours/", "honours/posts/"))
    members = list(paginate(honoured, size, "honours/", "honours/members/"))
    totals = (len(commended), len(honoured))
    yield Page("honours/", "honours.html", view=honours_view,
               args=(None, tuple(posts[0][0]), tuple(members[0][0]), posts[0][1]["count"], members[0][1]["count"],
                     *totals, honour_awards(model)))
    for part, pages in (("posts", posts), ("members", members)):
        for chunk, pager in pages[1:]:
            yield Page(pager["url"], "honours.html", view=honours_view,
                       args=(part, tuple(chunk), pager["number"], pager["count"], *totals))


def honours_view(part: str | None, *args) -> dict:
    """A page of the honour roll (see :func:`honour_roll`): honours/ with the first page of both lists and the
    awards, or the ``number``-th page of one list (``part``)."""
    if part is None:
        posts, members, post_pages, member_pages, posts_total, members_total, awards = args
        pagers = {"posts": _honours_pager(1, post_pages, "posts"),
                  "members": _honours_pager(1, member_pages, "members")}
        shown = {"posts": posts, "members": members}
        extra = {"awards": awards}
    else:
        chunk, number, count, posts_total, members_total = args
        pagers, shown, extra = {part: _honours_pager(number, count, part)}, {part: chunk}, {}
    context = {"part": part, "posts_total": posts_total, "members_total": members_total, **extra}
    for name, chunk in shown.items():
        context[name] = list(chunk) if name == "posts" else \
            [{"member": m, "honours": newest_first(m.honours)} for m in chunk]
        context[f"{name}_pager"] = pagers[name]
    return context


def _honours_pager(number: int, count: int, part: str) -> dict:
    """The pager :func:`honour_roll`'s :func:`paginate` gave page ``number`` of ``count`` of one of its lists."""
    return pager(number, pager_urls(count, "honours/", f"honours/{part}/"))


def post_view(model: Model, post: Post, competitions: list[dict]) -> dict:
    """A post's page: ``prints``, its boards (their fingerprints: the boards are made here, or are among the last
    this process made); ``competitions``, where it stands."""
    return {"post": post, "history": NewestFirst(post.standing), "prints": post_boards(model, post),
            "competitions": competitions}


def member_view(member: Member) -> dict:
    return {"member": member, "post": member.post, "posts": member.public_posts, "records": public_records(member),
            "assessments": newest_first(member.assessments), "honours": newest_first(member.honours)}


def story_view(story) -> dict:
    return {"story": story}


def sort_posts(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.status == REVOKED, -p.stars, p.id))


class NewestFirst(tuple):
    """A post's star history, newest entry first (the post page's table), compared as the standing it
    comes from (``TRACKING_DIGEST``: a page context is not hashed entry by entry)."""

    TRACKING_DIGEST = "digest"

    def __new__(cls, standing: Standing) -> "NewestFirst":
        history = super().__new__(cls, reversed(standing.history))
        history.digest = standing.digest
        return history


def newest_first(entries: list[dict]) -> list[dict]:
    """A member's dated entries (assessments, honours) in the order the web shows them, as plain dicts: a
    page's context is compared by its digest, and a record would bring its file positions into it."""
    return [dict(e) for e in sorted(entries, key=lambda e: e["date"], reverse=True)]


def public_records(member) -> list:
    """The benchmarking records a member's public page shows: those marked public, newest first.

    A privacy rule, so it lives here and not in a template that a site can override; the internal
    record card (printing) shows them all."""
    return newest_first([r for r in member.records if r["public"]])
