"""The competition's printed boards (开展一项竞赛): the month's result board 月度竞赛光荣榜 (A3) and the
certificate of each rotating red flag 流动红旗 (A4 landscape), derived from :mod:`model.competition`.

Like every board (printing/boards.py) each has a ``data`` dict holding exactly what it shows, and its
fingerprint is a hash of it: correcting a month's indicator file changes that month's board (and the
later months' standings), which ``site-builder pdf --stale`` then lists for reprinting. The QR code
of both leads to the month's page, ``competition/<id>/<YYYY-MM>/``, which keeps its address.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.paper import KINDS
from ..model.build import Model
from ..model.competition import Award, Competition, MonthResult
from .boards import Board

ROWS = 10  # the first places of each group on the month's board (fewer with many groups: rows_for)
MAX_ROWS = 30  # ranked rows on one board, whatever the number of groups


def page_url(competition: str, month: str | None = None) -> str:
    """The site address of a competition's page, or of one month's standings."""
    return f"competition/{competition}/{month}/" if month else f"competition/{competition}/"


@dataclass(frozen=True)
class Holder:
    """What a unit and a post are for the other boards, for a competition's: its ``id`` names the folder of
    its PDFs (``pdf/competition-<id>/``), its ``url`` is the competition's page."""

    id: str
    name: str
    url: str


@dataclass(eq=False)
class CompetitionBoard(Board):
    competition: str = ""
    month: str = ""
    winner: str | None = None  # the post a red-flag certificate is for

    @property
    def url(self) -> str:
        base = f"print/{page_url(self.competition, self.month)}"
        return base if self.winner is None else f"{base}flag-{self.winner}/"

    @property
    def filename(self) -> str:
        return f"{self.id}-{self.kind.name}.pdf"

    @property
    def name(self) -> str:
        return self.data["post"] if self.winner is not None else f"{self.data['competition']} {self.month}"

    @property
    def source(self) -> str:
        """The file to edit when the board is wrong (``pdf`` names it when a board does not fit)."""
        return f"content/indicators/{self.competition}/{self.month}.yaml"


def _names(model: Model) -> tuple[dict, dict]:
    return {p.id: p for p in model.posts}, {u.id: u for u in model.units}


def _award(a: Award, posts: dict, units: dict, groups: dict) -> dict:
    return {"kind": a.kind, "name": a.name, "number": a.number, "months": list(a.months), "group": groups[a.group],
            "post": posts[a.post].name, "unit": units[a.unit].name, "score": a.score, "tied": a.tied}


def rows_for(groups: int) -> int:
    """How many of each group's first places the month's board shows: ten, fewer with many groups (at least 3)."""
    return max(3, min(ROWS, MAX_ROWS // max(1, groups)))


def board_data(model: Model, c: Competition, result: MonthResult) -> dict:
    posts, units = _names(model)
    groups = {g.id: g.name for g in c.groups}
    shown, rows = [], rows_for(len(result.groups))
    for s in result.groups:
        ranked = [e for e in s.entries if e.rank is not None]
        shown.append({"name": s.group.name, "ranked": len(ranked), "rows": [
            {"rank": e.rank, "tied": e.tied, "post": posts[e.post].name, "unit": units[e.unit].name, "score": e.score,
             "month_score": e.month_score, "movement": e.movement, "new": e.new} for e in ranked[:rows]]})
    return {
        "competition": c.name, "month": result.month, "start": c.start, "end": c.end,
        "indicators": [{"name": i.name, "unit": i.unit, "weight": i.weight} for i in c.indicators],
        "groups": shown,
        "awards": [_award(a, posts, units, groups) for a in result.awards],
        "qr": model.settings.base_url + page_url(c.id, result.month),
        "organisation": model.settings.organisation["name"],
    }


def flag_data(model: Model, c: Competition, award: Award) -> dict:
    posts, units = _names(model)
    return {**_award(award, posts, units, {g.id: g.name for g in c.groups}), "competition": c.name,
            "month": award.month, "qr": model.settings.base_url + page_url(c.id, award.month),
            "organisation": model.settings.organisation["name"]}


def board_density(data: dict) -> int:
    rows = sum(len(g["rows"]) + 2 for g in data["groups"]) + len(data["awards"])
    return 0 if rows <= 32 else 1 if rows <= 44 else 2 if rows <= 58 else 3 if rows <= 74 else 4


def competition_boards(model: Model, competitions: tuple[Competition, ...] | None = None,
                       months: tuple[str, ...] = ()) -> list[CompetitionBoard]:
    """Each month's board of each competition, followed by that month's red-flag certificates (``months``:
    only those months)."""
    lang = model.settings.language
    out: list[CompetitionBoard] = []
    for c in model.competitions if competitions is None else competitions:
        holder = Holder(f"competition-{c.id}", c.name, page_url(c.id))
        for result in c.months:
            if months and result.month not in months:
                continue
            data = board_data(model, c, result)
            out.append(CompetitionBoard(KINDS["competition"], f"{c.id}-{result.month}", holder, holder, None, data,
                                        lang=lang, as_of=result.month, density=board_density(data),
                                        competition=c.id, month=result.month))
            for a in result.awards:
                if a.kind == "month":
                    flag = flag_data(model, c, a)
                    out.append(CompetitionBoard(KINDS["flag"], f"{c.id}-{result.month}-{a.post}", holder, holder,
                                                None, flag, lang=lang, as_of=result.month, competition=c.id,
                                                month=result.month, winner=a.post))
    return out
