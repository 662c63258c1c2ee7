"""Feeds and open data: more pages over the same model (a ``pipeline.PAGE_SOURCES`` entry).

* ``feed.xml``: an Atom feed of the newest stories (先进事迹/典型经验);
* ``sitemap.xml``: every public page (a sitemap index over ``sitemaps/N.xml`` beyond 50,000 addresses);
* ``data/posts.json``, ``data/posts.csv``, ``data/history.csv``: the current posts, their star levels
  and star histories, for other public systems (documented in docs/open-data.md, schema in
  ``data/posts.schema.json``); ``data/`` is a page that lists them.

Every date comes from the content (story dates, evaluation months, approval dates), never from the
clock, and everything is written in a fixed order: two builds of the same content are identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import operator
import re
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from .. import memo
from ..digests import digest
from ..model.build import Model, Post, remade_in_place, while_same
from ..model.stars import month_end
from .standings import sitemap_urls as competition_urls
from .web import Chunks, Page

FEED_ENTRIES = 50  # the newest stories in feed.xml
SITEMAP_LIMIT = 50_000  # addresses per sitemap file (the sitemaps.org limit)
SCHEMA = Path(__file__).with_name("posts.schema.json")
DATA_VERSION = 1

POST_COLUMNS = ["id", "name", "kind", "unit_id", "unit_name", "branch", "district_id", "district",
                "sector_id", "sector", "status", "stars", "approval_date", "approval_number", "commended_on",
                "revoked_on", "location", "complaint_phone", "feedback_book", "feedback_form", "feedback_email",
                "members", "url"]
HISTORY_COLUMNS = ["post_id", "date", "month", "reason", "stars_before", "stars_after", "status", "total", "note"]


def pages(model: Model) -> Iterator[Page]:
    yield Page("feed.xml", "feed.xml", {"stories": model.stories[:FEED_ENTRIES], "updated": last_date(model)})
    yield from sitemap(model)
    yield Page("data/posts.json", None, data=lambda: posts_json(model))
    yield Page("data/posts.csv", None, data=lambda: posts_csv(model))
    yield Page("data/history.csv", None, data=lambda: history_csv(model))
    yield Page("data/posts.schema.json", None, data=SCHEMA.read_bytes())  # (bytes: kept when unchanged)
    yield Page("data/", "open-data.html", {"count": len(model.posts)})


def last_date(model: Model) -> dt.date:
    """The newest date the content names: a story, or the end of the latest evaluated month."""
    dates = [s.date for s in model.stories[:1]]
    if model.as_of:
        dates.append(month_end(model.as_of))
    posts = model.posts
    approved = while_same(model, "feeds.approved", (posts,), lambda: max((p.approval["date"] for p in posts), default=None))
    if approved is not None:
        dates.append(approved)
    return max(dates, default=dt.date(1970, 1, 1))


# -- sitemap ------------------------------------------------------------------------------------------

class Urls(tuple):
    """Sitemap entries, (site-relative address, last change from the content or None), with the digest of what they
    are: the page whose context holds them is compared by it (``TRACKING_DIGEST``, incremental/tracking.py), not by
    a city's 76,000 entries written out at every build."""

    TRACKING_DIGEST = "digest"

    def __new__(cls, entries: Iterable[tuple[str, dt.date | None]], made_of: bytes | None = None) -> "Urls":
        urls = super().__new__(cls, entries)
        urls.digest = made_of if made_of is not None else digest(
            "\0".join(f"{url}\1{day.isoformat() if day else ''}" for url, day in urls).encode())
        return urls


_ID = operator.attrgetter("id")  # (in C: 60,000 members' ids for each member's edit at 10,000 posts)


def sitemap_urls(model: Model) -> Urls:
    """(site-relative address, last change from the content) of every page worth finding. Made of parts, each
    worked out again only when what it lists is not the same objects (model/build.py ``while_same``)."""
    posts, members, units, stories = model.posts, model.members, model.units, model.stories
    relations = model.relations

    def post_url(post: Post) -> tuple[str, dt.date]:
        changed = post.standing.last_change  # (not the history: a warm build reads no unrendered post's)
        return post.url, max(post.approval["date"], changed) if changed else post.approval["date"]

    def post_urls_again(inputs: tuple, urls: Urls) -> Urls:  # (a post's edit: the others' entries as they were)
        places = remade_in_place(inputs[0], posts) if inputs[1] is relations.standings else None
        if places is None:
            return Urls(map(post_url, posts))
        entries = {i: post_url(posts[i]) for i in places}
        if all(urls[i] == entry for i, entry in entries.items()):
            return urls
        found = list(urls)
        for i, entry in entries.items():
            found[i] = entry
        return Urls(found)

    parts = [Urls([("", None), ("honours/", None), ("stories/", None), ("units/", None), ("standards/", None)]),
             while_same(model, "sitemap.posts", (posts, relations.standings), lambda: Urls(map(post_url, posts)),
                        again=post_urls_again),
             while_same(model, "sitemap.members", (members,), lambda: Urls((m.url, None) for m in members),
                        alike=lambda: tuple(map(_ID, members))),  # (a member's address is made of its id)
             while_same(model, "sitemap.units", (units, relations.unit_posts),
                     lambda: Urls((u.url, None) for u in units if u.posts)),
             while_same(model, "sitemap.stories", (stories,), lambda: Urls((s.url, s.date) for s in stories)),
             Urls(competition_urls(model))]  # 岗位竞赛: the competitions, each month of each
    return Urls(itertools.chain.from_iterable(parts), digest(b"".join(part.digest for part in parts)))


def sitemap(model: Model) -> Iterator[Page]:
    urls = sitemap_urls(model)
    if len(urls) <= SITEMAP_LIMIT:
        yield Page("sitemap.xml", "sitemap.xml", {"urls": urls})
        return
    parts = [Urls(urls[i:i + SITEMAP_LIMIT], digest(b"%s %d" % (urls.digest, i)))
             for i in range(0, len(urls), SITEMAP_LIMIT)]
    for n, part in enumerate(parts, 1):
        yield Page(f"sitemaps/{n}.xml", "sitemap.xml", {"urls": part})
    yield Page("sitemap.xml", "sitemap-index.xml", {"parts": [f"sitemaps/{n}.xml" for n in range(1, len(parts) + 1)]})


# -- open data ------------------------------------------------------------------------------------------

def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def post_record(model: Model, post: Post) -> dict:
    s = model.settings
    unit = post.unit
    return {
        "id": post.id,
        "url": s.base_url + post.url,
        "name": post.name,
        "kind": post.kind,
        "unit": {"id": unit.id, "name": unit.name, "branch": unit.branch, "url": s.base_url + unit.url},
        "district": {"id": unit.district, "name": s.districts[unit.district]},
        "sector": {"id": unit.sector, "name": s.sectors[unit.sector]},
        "location": post.location,
        "approval": {"date": _day(post.approval["date"]), "number": post.approval["number"]},
        "status": post.status,
        "stars": post.stars,
        "commended_on": _day(post.standing.commended_on),
        "revoked_on": _day(post.standing.revoked_on),
        "feedback": {k: post.feedback.get(k) for k in ("book", "phone", "form", "email")},
        "members": [{"id": m.id, "name": m.name, "position": m.position, "url": s.base_url + m.url}
                    for m in post.members],
        "history": [history_record(c) for c in post.standing.history],
    }


def history_record(change) -> dict:
    return {
        "date": change.date.isoformat(),
        "month": change.month,
        "reason": change.reason,
        "stars_before": change.before,
        "stars_after": change.after,
        "status": change.status,
        "total": change.total,
        "note": (change.evaluation.note if change.evaluation else None) or change.detail,
    }


def open_data(model: Model) -> dict:
    """``data/posts.json`` as data (:func:`posts_json` writes it from each post's piece)."""
    return {**_open_data_head(model), "posts": [post_record(model, p) for p in model.posts]}


def _open_data_head(model: Model) -> dict:
    s = model.settings
    return {
        "version": DATA_VERSION,
        "site": {"title": s.title, "url": s.base_url, "language": s.language},
        "as_of": model.as_of,
        "rules": {"pass_mark": s.rules.pass_mark, "revoke_below": s.rules.revoke_below,
                  "consecutive_failures": s.rules.consecutive_failures, "missing_month": s.rules.missing_month},
        "districts": dict(s.districts),
        "sectors": dict(s.sectors),
    }


class PostData(NamedTuple):
    """A post's part of each open-data file, in UTF-8: the files are joined from the pieces as they are (at
    10,000 posts, 63 MB of posts.json; joined as text and then encoded, the file was made three times over
    beside the pieces, ~380 MiB for a moment in the process that made it)."""

    record: bytes  # its record in posts.json
    row: bytes  # its row of posts.csv
    history: bytes  # its rows of history.csv


@memo.derived("open-data.post")
def post_data(model: Model, post: Post) -> PostData:
    """A post's piece of the open-data files. The files list every post and are made again for an edit of any;
    the pieces of the posts that did not change are kept (incremental/derived.py)."""
    r = post_record(model, post)
    row = [
        r["id"], r["name"], r["kind"], r["unit"]["id"], r["unit"]["name"], r["unit"]["branch"],
        r["district"]["id"], r["district"]["name"], r["sector"]["id"], r["sector"]["name"], r["status"],
        r["stars"], r["approval"]["date"], r["approval"]["number"], r["commended_on"], r["revoked_on"],
        r["location"], r["feedback"]["phone"], r["feedback"]["book"], r["feedback"]["form"],
        r["feedback"]["email"], "；".join(m["name"] for m in r["members"]), r["url"],
    ]
    history = [[post.id, h["date"], h["month"], h["reason"], h["stars_before"], h["stars_after"], h["status"],
                h["total"], h["note"]] for h in r["history"]]
    return PostData(_json(r).encode(), _csv_lines([row]).encode(), _csv_lines(history).encode())


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def posts_json(model: Model) -> Chunks:
    """:func:`open_data` as JSON, made of each post's piece (the posts come last)."""
    head = _json({**_open_data_head(model), "posts": []})
    parts = [head[:-len("[]}")].encode(), b"["]
    for piece in post_data.each(model, model.posts):
        parts += (piece.record, b",")
    if model.posts:
        parts.pop()  # (the last comma)
    parts.append(b"]}\n")
    return Chunks(parts)


# A text cell starting with one of these is run as a formula by Excel, WPS and LibreOffice ("CSV
# injection": `=HYPERLINK(...)`, `=cmd|...`); such a cell gets a leading apostrophe, which spreadsheet
# programs hide. Numbers and phone numbers ("+86 571 8600-1234", "-3") are left as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9 ()\-.]*")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


def _csv_lines(rows: list[list]) -> str:
    """Rows as RFC 4180 CSV lines."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _csv_file(header: list[str], lines: Iterable[bytes]) -> Chunks:
    """A CSV file in UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese."""
    return Chunks(["\ufeff".encode(), _csv_lines([header]).encode(), *lines])


def _csv(header: list[str], rows: list[list]) -> bytes:
    return b"".join(_csv_file(header, [_csv_lines(rows).encode()]))


def posts_csv(model: Model) -> Chunks:
    return _csv_file(POST_COLUMNS, [piece.row for piece in post_data.each(model, model.posts)])


def history_csv(model: Model) -> Chunks:
    return _csv_file(HISTORY_COLUMNS, [piece.history for piece in post_data.each(model, model.posts)])
