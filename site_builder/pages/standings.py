"""View data of the competition (开展一项竞赛) for templates: standings rows with their posts, units, values
with units and 学先进 links; a post's places; the awards of the honour roll.

Built from :mod:`model.competition`'s frozen results; the pages themselves are in :mod:`pages.competition`
(the post page and the honour roll, made by :mod:`pages.web`, take their part from here too). Everything a
page shows of a competition is in its context as plain values (posts and stories as model objects), so
the page's fingerprint changes exactly when what it shows does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..model.build import Model, Post
from ..model.competition import Award, Competition, Entry, Indicator, MonthResult
from ..model.stars import month_end
from ..printing.competition import page_url

LEARN_STORIES = 2  # stories linked from a leader (学先进)


def value_text(indicator: Indicator, value: float | None) -> str:
    """A value with its unit: ``1461 件``, ``99.5%``, ``5 星``; ``—`` when missing."""
    if value is None:
        return "—"
    decimals = indicator.decimals if indicator.entered else 0
    number = f"{value:.{decimals}f}"
    return f"{number}%" if indicator.unit == "%" else f"{number} {indicator.unit}"


def definition(c: Competition) -> Competition:
    """The competition without its results: what a page about one month needs of the rest."""
    return dataclasses.replace(c, months=())


def learn_from(post: Post) -> list:
    """The stories about a post or its members, newest first (学先进 links from a leader)."""
    found = list(post.stories)
    for m in post.members:
        found += [s for s in m.stories if s not in found]
    return sorted(found, key=lambda s: (s.date, s.id), reverse=True)[:LEARN_STORIES]


def _lookup(model: Model) -> tuple[dict, dict]:
    return {p.id: p for p in model.posts}, {u.id: u for u in model.units}


def _row(c: Competition, e: Entry, posts: dict, units: dict) -> dict:
    post = posts[e.post]
    leader = e.rank is not None and e.rank <= c.rules.leaders
    return {"entry": e, "post": post, "unit": units[e.unit], "leader": leader,
            "values": [value_text(i, v) for i, v in zip(c.indicators, e.values)],
            "learn": learn_from(post) if leader else []}


def award_view(c: Competition, a: Award, posts: dict, units: dict) -> dict:
    group = next(g for g in c.groups if g.id == a.group)
    return {"award": a, "post": posts[a.post], "unit": units[a.unit], "group": group.name,
            "url": page_url(c.id, a.month)}


def month_view(model: Model, c: Competition, result: MonthResult) -> dict:
    """One month's standings, group by group, and the awards decided in it."""
    posts, units = _lookup(model)
    groups = []
    for s in result.groups:
        rows = [_row(c, e, posts, units) for e in s.entries]
        groups.append({"group": s.group, "rows": [r for r in rows if r["entry"].rank is not None],
                       "unranked": [r for r in rows if r["entry"].rank is None],
                       "awards": [award_view(c, a, posts, units) for a in result.awards if a.group == s.group.id]})
    months = [m.month for m in c.months]
    i = months.index(result.month)
    return {"c": definition(c), "month": result.month, "groups": groups, "months": months,
            "prev": months[i - 1] if i else None, "next": months[i + 1] if i + 1 < len(months) else None,
            "awards": [award_view(c, a, posts, units) for a in result.awards], "latest": result.month == months[-1]}


def units_view(model: Model, c: Competition, result: MonthResult) -> list[dict]:
    """The unit league table of each group at ``result``'s month."""
    posts, units = _lookup(model)
    return [{"group": s.group, "rows": [{"entry": u, "unit": units[u.unit], "best": posts.get(u.best)} for u in s.units]}
            for s in result.groups]


def leaders(model: Model, c: Competition) -> list[dict]:
    """The first of each group in the latest standings (the list of competitions shows them)."""
    posts, units = _lookup(model)
    latest = c.latest
    if latest is None:
        return []
    return [{"group": s.group, "rows": [_row(c, e, posts, units) for e in s.entries if e.rank == 1]}
            for s in latest.groups]


def places_by_post(model: Model) -> dict[str, list[dict]]:
    """For each post, where it stands in the latest month of each competition it takes part in."""
    out: dict[str, list[dict]] = {}
    for c in model.competitions:
        latest = c.latest
        if latest is None:
            continue
        for s in latest.groups:
            ranked = sum(e.rank is not None for e in s.entries)
            for e in s.entries:
                out.setdefault(e.post, []).append({
                    "id": c.id, "name": c.name, "month": latest.month, "url": page_url(c.id, latest.month),
                    "group": s.group.name, "rank": e.rank, "tied": e.tied, "score": e.score, "ranked": ranked,
                    "movement": e.movement, "new": e.new, "unranked": e.unranked, "months": e.months,
                    "min_months": c.rules.min_months})
    return out


AWARD_ORDER = {"period": 0, "quarter": 1, "month": 2}


def all_awards(model: Model, c: Competition) -> list[dict]:
    """The awards so far: the period's, then the quarters', then the months', each newest first."""
    posts, units = _lookup(model)
    newest = sorted(c.awards, key=lambda a: a.month, reverse=True)
    return [award_view(c, a, posts, units) for a in sorted(newest, key=lambda a: AWARD_ORDER[a.kind])]


def honour_awards(model: Model) -> list[dict]:
    """Every competition's award winners for the honour roll: the period's, the quarters', the months' (newest first)."""
    out = []
    for c in model.competitions:
        awards = all_awards(model, c)
        if awards:
            out.append({"id": c.id, "name": c.name, "url": page_url(c.id), "names": c.award_names,
                        **{kind: [a for a in awards if a["award"].kind == kind] for kind in ("period", "quarter", "month")}})
    return out


def sitemap_urls(model: Model) -> list[tuple[str, dt.date | None]]:
    """The competition's pages for sitemap.xml (pages/feeds.py), each month's dated by its last day."""
    urls: list[tuple[str, dt.date | None]] = [("competition/", None)]
    for c in model.competitions:
        latest = month_end(c.latest.month) if c.latest else None
        urls += [(page_url(c.id), latest), (f"{page_url(c.id)}units/", latest)]
        urls += [(page_url(c.id, m.month), month_end(m.month)) for m in c.months]
    return urls
