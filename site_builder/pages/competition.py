"""The competition's pages (开展一项竞赛; a ``pipeline.PAGE_SOURCES`` entry).

=========================================  ==================================================
``competition/``                            the competitions, with each group's leaders
``competition/<id>/``                       the current standings, the months, the awards, 计算方法
``competition/<id>/<YYYY-MM>/``             the standings of that month (an address that stays)
``competition/<id>/units/``                 the unit league table (latest month)
``print/competition/<id>/<YYYY-MM>/``       the month's result board 月度竞赛光荣榜 (print page)
``print/competition/<id>/<YYYY-MM>/flag-<post>/``  a red-flag certificate 流动红旗 (print page)
``data/competition/<id>.json``, ``.csv``    the standings of every month as open data
``data/competition.schema.json``            the JSON Schema of the JSON file
=========================================  ==================================================

Open data (docs/open-data.md) comes from the frozen results of :mod:`model.competition` in a fixed order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from ..model.build import Model
from ..model.competition import Competition
from ..printing.boards import PrintSettings
from ..printing.competition import competition_boards, page_url
from . import feeds
from .print_pages import board_page
from .standings import all_awards, definition, leaders, month_view, units_view
from .web import Page

SCHEMA = Path(__file__).with_name("competition.schema.json")
DATA_VERSION = 1


def data_url(c: Competition, suffix: str) -> str:
    return f"data/competition/{c.id}.{suffix}"


def pages(model: Model) -> Iterator[Page]:
    prints = PrintSettings.of(model.settings)
    yield Page("competition/", "competition/index.html", {
        "competitions": [{"c": definition(c), "latest": c.latest.month if c.latest else None,
                          "finished": c.finished, "leaders": leaders(model, c)} for c in model.competitions]})
    for c in model.competitions:
        latest = c.latest
        view = month_view(model, c, latest) if latest else {"c": definition(c), "groups": [], "months": []}
        yield Page(page_url(c.id), "competition/competition.html", {
            **view, "finished": c.finished, "awards": all_awards(model, c),
            "json": data_url(c, "json"), "csv": data_url(c, "csv")})
        for result in c.months:
            yield Page(page_url(c.id, result.month), "competition/month.html", month_view(model, c, result))
        yield Page(f"{page_url(c.id)}units/", "competition/units.html", {
            "c": definition(c), "month": latest.month if latest else None,
            "groups": units_view(model, c, latest) if latest else []})
        yield Page(data_url(c, "json"), None, data=lambda c=c: competition_json(model, c))
        yield Page(data_url(c, "csv"), None, data=lambda c=c: competition_csv(model, c))
        for board in competition_boards(model, (c,)):
            yield board_page(board, prints)
    yield Page("data/competition.schema.json", None, data=SCHEMA.read_bytes())  # (bytes: kept when unchanged)


# -- open data -------------------------------------------------------------------------------------------

def competition_record(model: Model, c: Competition) -> dict:
    s = model.settings
    posts = {p.id: p for p in model.posts}
    units = {u.id: u for u in model.units}
    ids = [i.id for i in c.indicators]

    def entry(e) -> dict:
        return {"post": e.post, "post_name": posts[e.post].name, "unit": e.unit, "unit_name": units[e.unit].name,
                "rank": e.rank, "tied": e.tied, "score": e.score, "months": e.months, "month_score": e.month_score,
                "month_rank": e.month_rank, "month_tied": e.month_tied,
                "values": dict(zip(ids, e.values)), "points": dict(zip(ids, e.points)),
                "movement": e.movement, "new": e.new, "unranked": e.unranked}

    def award(a) -> dict:
        return {"kind": a.kind, "name": a.name, "months": list(a.months), "quarter": a.number, "group": a.group,
                "post": a.post, "post_name": posts[a.post].name, "unit": a.unit, "score": a.score, "tied": a.tied}

    return {
        "version": DATA_VERSION,
        "site": {"title": s.title, "url": s.base_url},
        "competition": {
            "id": c.id, "name": c.name, "description": c.description, "url": s.base_url + page_url(c.id),
            "start": c.start, "end": c.end, "kinds": list(c.kinds), "group_by": c.group_by,
            "indicators": [{"id": i.id, "name": i.name, "source": i.source, "unit": i.unit, "better": i.better,
                            "weight": i.weight, "normalise": i.normalise, "decimals": i.decimals}
                           for i in c.indicators],
            "rules": {"min_months": c.rules.min_months, "missing": c.rules.missing, "leaders": c.rules.leaders},
            "awards": {"month": c.award_names.month, "quarter": c.award_names.quarter, "period": c.award_names.period},
            "quarters": [list(q) for q in c.quarters],
        },
        "as_of": c.latest.month if c.latest else None,
        "months": [{
            "month": r.month, "url": s.base_url + page_url(c.id, r.month),
            "groups": [{"id": st.group.id, "name": st.group.name, "standings": [entry(e) for e in st.entries],
                        "units": [{"unit": u.unit, "unit_name": units[u.unit].name, "rank": u.rank, "tied": u.tied,
                                   "score": u.score, "posts": u.posts, "best": u.best} for u in st.units]}
                       for st in r.groups],
            "awards": [award(a) for a in r.awards],
        } for r in c.months],
    }


def competition_json(model: Model, c: Competition) -> bytes:
    return (json.dumps(competition_record(model, c), ensure_ascii=False, separators=(",", ":")) + "\n").encode()


CSV_COLUMNS = ["month", "group_id", "group", "rank", "tied", "post_id", "post", "unit_id", "unit", "score", "months",
               "month_score", "month_rank", "movement", "new", "unranked", "awards"]


def competition_csv(model: Model, c: Competition) -> bytes:
    """One row per month, group and post; then each indicator's value and points (``value:<id>``, ``points:<id>``)."""
    record = competition_record(model, c)
    ids = [i["id"] for i in record["competition"]["indicators"]]
    rows = []
    for m in record["months"]:
        won: dict[str, list[str]] = {}
        for a in m["awards"]:
            won.setdefault(f"{a['group']}/{a['post']}", []).append(a["name"])
        for g in m["groups"]:
            for e in g["standings"]:
                rows.append([m["month"], g["id"], g["name"], e["rank"], _flag(e["tied"]), e["post"], e["post_name"],
                             e["unit"], e["unit_name"], e["score"], e["months"], e["month_score"], e["month_rank"],
                             e["movement"], _flag(e["new"]), e["unranked"], "；".join(won.get(f"{g['id']}/{e['post']}", [])),
                             *[e["values"][i] for i in ids], *[e["points"][i] for i in ids]])
    header = CSV_COLUMNS + [f"value:{i}" for i in ids] + [f"points:{i}" for i in ids]
    return feeds._csv(header, rows)


def _flag(value: bool) -> str:
    return "true" if value else "false"
