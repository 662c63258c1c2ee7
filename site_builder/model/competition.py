"""The competition 开展一项竞赛（勇做时代先锋，争当岗位先进）: rankings derived from the records and the model.

A competition (``content/competitions/<id>.yaml``) ranks the posts of each of its groups (by sector, by
district, the whole city, or listed units) month by month on weighted quantified indicators
(量化工作指标): values entered each month per post (``content/indicators/<id>/<YYYY-MM>.yaml``: 办件量,
一次办结率, 差评数 ...) or derived from the model (the month's evaluation total, the star level, months at
five stars). Nothing here reads files or the clock; every result is a frozen dataclass, and the awards
(月度流动红旗, 季度先锋岗, 年度…) follow from the rules, never typed in.

The rules, in the order they apply (docs/content-format.md "岗位竞赛" says the same for editors; the
"计算方法" section of every ranking page is generated from :class:`Competition`):

1. **Points** (:func:`normalise`): within a group and a month, each indicator's value becomes 0–100 points
   among the posts that have a value — ``none`` takes a 0–100 value as it is (``lower``: 100 − value);
   ``min_max`` gives the best value 100 and the worst 0, linearly between (all equal: 100);
   ``per_member`` divides by the post's public members (at least 1) first, then as ``min_max``;
   ``rank`` gives 100 × (n − r) / (n − 1) for rank r of n (ties share the better rank; one post: 100).
2. **Month score** (:func:`month_score`): Σ weight × points, rounded to two decimals. A post that takes part
   but lacks a value of any indicator that month has a *missing month*: ``missing: skip`` gives it no
   score that month, ``missing: zero`` counts the missing indicators as 0 points.
3. **Standings** at a month: the average of the post's month scores from the start of the competition,
   rounded to two decimals. A post is ranked when it has a score in at least ``min_months`` months
   (or in every month so far, when fewer months have passed). Equal scores share a rank (1, 1, 3: 并列).
   Movement is the change of rank since the previous month's standings; a post ranked now and not then is
   new (新).
4. **Awards**: per group, the first of each month's scores (月度流动红旗), of each quarter of the
   competition (three months from its start, averaged as the standings; 季度先锋岗) once its last month is
   in, and of the whole period (年度…) once the end month is in, among the posts still taking part then.
   Ties share the award.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from ..content import formats
from ..content.load import Raw
from ..content.schema import Rec, suggest
from ..errors import Problems
from .build import Model, Post
from .stars import MAX_STARS, month_of, months_between

# -- the definition -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    source: str  # entered | total | stars | five_star_months
    unit: str  # 件, %, 条; 分, 星, 个月 for the derived ones
    better: str  # higher | lower
    weight: float
    normalise: str  # none | min_max | per_member | rank
    decimals: int  # how an entered value is written and shown

    @property
    def entered(self) -> bool:
        return self.source == "entered"


@dataclass(frozen=True)
class Rules:
    min_months: int = 3
    missing: str = "skip"  # or "zero"
    leaders: int = 3  # the first places of a group shown as 先进 (学先进 links)


@dataclass(frozen=True)
class AwardNames:
    month: str = "月度流动红旗"
    quarter: str = "季度先锋岗"
    period: str = "年度岗位先进"


@dataclass(frozen=True)
class Group:
    id: str  # a sector or district id, a listed group's id, or "all"
    name: str | None  # None: the whole city (group_by: all)
    posts: tuple[str, ...]  # the posts taking part, by id


# -- the results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One post in its group's standings at one month."""

    post: str
    unit: str
    rank: int | None  # None: not ranked (see ``unranked``)
    tied: bool  # shares its rank (并列)
    score: float | None  # average of its month scores so far
    months: int  # months with a score so far
    month_score: float | None  # this month's score (None: a missing month with `missing: skip`)
    month_rank: int | None
    month_tied: bool
    values: tuple[float | None, ...]  # this month's indicator values, in the order of the indicators
    points: tuple[float | None, ...]  # and their points (0–100)
    movement: int | None  # places gained since the previous month (−1: one down); None when not compared
    new: bool  # ranked now, not in the previous month's standings
    unranked: str | None  # "min_months" (too few months with a score), "no_score"; None when ranked


@dataclass(frozen=True)
class UnitEntry:
    """A unit in its group's league table: the average standing score of its ranked posts."""

    unit: str
    rank: int | None
    tied: bool
    score: float | None
    posts: int  # ranked posts counted
    best: str | None  # its best-placed post


@dataclass(frozen=True)
class Standings:
    group: Group
    entries: tuple[Entry, ...]  # ranked posts by rank (then id), then the unranked by id
    units: tuple[UnitEntry, ...]


@dataclass(frozen=True)
class Award:
    kind: str  # month | quarter | period
    name: str  # the award's name in the rules: 月度流动红旗 ...
    months: tuple[str, ...]  # the months it is for (decided in the last)
    number: int | None  # the quarter's number (1–4), for quarter awards
    group: str
    post: str
    unit: str
    score: float
    tied: bool  # shared with another post of the group

    @property
    def month(self) -> str:
        """The month the award was decided in."""
        return self.months[-1]


@dataclass(frozen=True)
class MonthResult:
    month: str
    groups: tuple[Standings, ...]
    awards: tuple[Award, ...]  # decided this month: the month's, and a quarter's or the period's at their end

    def standings(self, group: str) -> Standings | None:
        return next((s for s in self.groups if s.group.id == group), None)


@dataclass(frozen=True)
class Competition:
    id: str
    name: str
    description: str | None
    start: str  # YYYY-MM
    end: str
    kinds: tuple[str, ...]
    group_by: str  # sector | district | all | list
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    rules: Rules
    award_names: AwardNames
    quarters: tuple[tuple[str, ...], ...]  # the months of each quarter of the period
    months: tuple[MonthResult, ...]  # from the start to the latest month with data (none yet: empty)
    source: str  # content/competitions/<id>.yaml

    @property
    def latest(self) -> MonthResult | None:
        return self.months[-1] if self.months else None

    @property
    def finished(self) -> bool:
        return bool(self.months) and self.months[-1].month == self.end

    @property
    def awards(self) -> tuple[Award, ...]:
        return tuple(a for m in self.months for a in m.awards)

    def result(self, month: str) -> MonthResult | None:
        return next((m for m in self.months if m.month == month), None)

    def previous(self, month: str) -> MonthResult | None:
        found = [m for m in self.months if m.month < month]
        return found[-1] if found else None


# -- the rules, as pure functions ------------------------------------------------------------------------

def rank(scores: Mapping[str, float]) -> dict[str, tuple[int, bool]]:
    """Standard competition ranking, highest first: {id: (rank, tied)}; equal scores (to two decimals)
    share the better rank and the next rank is skipped (1, 1, 3)."""
    rounded = {k: round(v, 2) for k, v in scores.items()}
    order = sorted(rounded, key=lambda k: (-rounded[k], k))
    out: dict[str, tuple[int, bool]] = {}
    for i, k in enumerate(order):
        if i and rounded[k] == rounded[order[i - 1]]:
            out[k] = out[order[i - 1]]
        else:
            out[k] = (i + 1, False)
    counts: dict[int, int] = {}
    for r, _ in out.values():
        counts[r] = counts.get(r, 0) + 1
    return {k: (r, counts[r] > 1) for k, (r, _) in out.items()}


def normalise(method: str, better: str, values: Mapping[str, float],
              members: Mapping[str, int] | None = None) -> dict[str, float]:
    """0–100 points for each post's value of one indicator, within one group and month (module docstring)."""
    if not values:
        return {}
    higher = better == "higher"
    if method == "none":
        return {k: min(100.0, max(0.0, float(v if higher else 100 - v))) for k, v in values.items()}
    if method == "per_member":
        members = members or {}
        values = {k: v / max(1, members.get(k, 1)) for k, v in values.items()}
    if method == "rank":
        ranked = rank({k: (v if higher else -v) for k, v in values.items()})
        n = len(values)
        return {k: 100.0 if n == 1 else 100.0 * (n - r) / (n - 1) for k, (r, _) in ranked.items()}
    best, worst = (max(values.values()), min(values.values())) if higher else \
        (min(values.values()), max(values.values()))
    if math.isclose(best, worst):
        return {k: 100.0 for k in values}
    return {k: 100.0 * abs(v - worst) / abs(best - worst) for k, v in values.items()}


def month_score(indicators: Sequence[Indicator], points: Sequence[float | None], missing: str) -> float | None:
    """Σ weight × points, rounded to two decimals; a missing value skips the month or counts 0 (``missing``)."""
    if any(p is None for p in points) and missing == "skip":
        return None
    return round(sum(i.weight * (p or 0.0) for i, p in zip(indicators, points)) + 1e-9, 2)


def average(scores: Sequence[float]) -> float | None:
    return round(sum(scores) / len(scores) + 1e-9, 2) if scores else None


def needed_months(min_months: int, elapsed: int) -> int:
    """Months with a score a post needs to be ranked over ``elapsed`` months."""
    return min(min_months, elapsed)


def quarters_of(start: str, end: str) -> tuple[tuple[str, ...], ...]:
    """The competition's quarters: three months at a time from its start (the last one may be shorter)."""
    months = months_between(start, end)
    return tuple(tuple(months[i:i + 3]) for i in range(0, len(months), 3))


@dataclass(frozen=True)
class Spec:
    """What :func:`compute` needs: the definition and, per post, when it takes part and its values."""

    indicators: tuple[Indicator, ...]
    rules: Rules
    award_names: AwardNames
    groups: tuple[Group, ...]
    quarters: tuple[tuple[str, ...], ...]
    end: str


def compute(spec: Spec, months: Sequence[str], units: Mapping[str, str], taking_part: Mapping[str, frozenset],
            values: Mapping[tuple[str, str], Sequence[float | None]], members: Mapping[str, int]
            ) -> tuple[MonthResult, ...]:
    """The standings and awards of every month in ``months`` (the competition's, from its start).

    ``units``: post → unit id; ``taking_part``: post → the months it takes part in; ``values``:
    (post, month) → indicator values (None where missing); ``members``: post → public members.
    """
    k = len(spec.indicators)
    rules = spec.rules
    scores: dict[tuple[str, str], float | None] = {}  # (post, month) → month score
    detail: dict[tuple[str, str], tuple[tuple, tuple]] = {}  # (post, month) → (values, points)
    for group in spec.groups:
        for m in months:
            part = [p for p in group.posts if m in taking_part[p]]
            rows = {p: tuple(values.get((p, m)) or (None,) * k) for p in part}
            per_indicator = []
            for i, ind in enumerate(spec.indicators):
                have = {p: row[i] for p, row in rows.items() if row[i] is not None}
                per_indicator.append(normalise(ind.normalise, ind.better, have, members))
            for p, row in rows.items():
                pts = tuple(None if pi.get(p) is None else round(pi[p], 2) for pi in per_indicator)
                detail[p, m] = (row, pts)
                scores[p, m] = month_score(spec.indicators, [pi.get(p) for pi in per_indicator], rules.missing)

    def standing(group: Group, span: Sequence[str]) -> tuple[dict, dict]:
        """(post → average over ``span``, post → months with a score) of the posts taking part in it."""
        avg, counted = {}, {}
        for p in group.posts:
            own = [scores[p, m] for m in span if m in taking_part[p] and scores.get((p, m)) is not None]
            if any(m in taking_part[p] for m in span):
                counted[p] = len(own)
                avg[p] = average(own)
        return avg, counted

    def winners(kind: str, name: str, group: Group, span: Sequence[str], number: int | None) -> list[Award]:
        """The first of ``span`` among the posts still taking part in its last month (a revoked post wins nothing)."""
        avg, counted = standing(group, span)
        need = needed_months(rules.min_months, len(span))
        ranked = rank({p: s for p, s in avg.items()
                       if s is not None and counted[p] >= need and span[-1] in taking_part[p]})
        return [Award(kind, name, tuple(span), number, group.id, p, units[p], avg[p], tied)
                for p, (r, tied) in sorted(ranked.items()) if r == 1]

    out: list[MonthResult] = []
    previous: dict[str, dict[str, int]] = {}  # group → post → rank in the previous month's standings
    for n, m in enumerate(months):
        so_far = months[:n + 1]
        groups, awards = [], []
        for group in spec.groups:
            avg, counted = standing(group, so_far)
            for p in [p for p in avg if m not in taking_part[p]]:  # revoked before this month: out of the standings
                del avg[p], counted[p]
            need = needed_months(rules.min_months, len(so_far))
            eligible = {p: s for p, s in avg.items() if s is not None and counted[p] >= need}
            ranks = rank(eligible)
            month_ranks = rank({p: scores[p, m] for p in avg if scores.get((p, m)) is not None})
            before = previous.get(group.id, {})
            entries = []
            for p in sorted(avg, key=lambda p: (p not in ranks, ranks.get(p, (0,))[0], p)):
                r, tied = ranks.get(p, (None, False))
                mr, mtied = month_ranks.get(p, (None, False))
                row, pts = detail.get((p, m), ((None,) * k, (None,) * k))
                moved = before[p] - r if r is not None and p in before else None
                entries.append(Entry(p, units[p], r, tied, avg[p], counted[p], scores.get((p, m)), mr, mtied,
                                     row, pts, moved, r is not None and p not in before and n > 0,
                                     None if r is not None else ("no_score" if avg[p] is None else "min_months")))
            previous[group.id] = {e.post: e.rank for e in entries if e.rank is not None}
            groups.append(Standings(group, tuple(entries), unit_table(entries)))
            awards += [Award("month", spec.award_names.month, (m,), None, group.id, p, units[p], scores[p, m], t)
                       for p, (r, t) in sorted(month_ranks.items()) if r == 1]
        for q, quarter in enumerate(spec.quarters, 1):
            if quarter[-1] == m:
                awards += [a for g in spec.groups for a in winners("quarter", spec.award_names.quarter, g, quarter, q)]
        if m == spec.end:
            awards += [a for g in spec.groups for a in winners("period", spec.award_names.period, g, so_far, None)]
        out.append(MonthResult(m, tuple(groups), tuple(awards)))
    return tuple(out)


def unit_table(entries: Sequence[Entry]) -> tuple[UnitEntry, ...]:
    """The units of a group ranked by the average standing score of their ranked posts."""
    by_unit: dict[str, list[Entry]] = {}
    for e in entries:
        by_unit.setdefault(e.unit, []).append(e)
    scores = {u: average([e.score for e in es if e.rank is not None]) for u, es in by_unit.items()}
    ranks = rank({u: s for u, s in scores.items() if s is not None})
    rows = []
    for u, es in by_unit.items():
        ranked = [e for e in es if e.rank is not None]
        best = min(ranked, key=lambda e: (e.rank, e.post)).post if ranked else None
        r, tied = ranks.get(u, (None, False))
        rows.append(UnitEntry(u, r, tied, scores[u], len(ranked), best))
    return tuple(sorted(rows, key=lambda e: (e.rank is None, e.rank or 0, e.unit)))


# -- from the records and the model -------------------------------------------------------------------------

def build(raw: Raw, model: Model, problems: Problems) -> tuple[Competition, ...]:
    """Every competition of ``raw``, ranked over ``model``; problems (file:line) for what does not fit."""
    return _Builder(raw, model, problems).build()


class _Builder:
    def __init__(self, raw: Raw, model: Model, problems: Problems):
        self.raw, self.model, self.problems = raw, model, problems

    def error(self, rec: Rec, key: str | None, message: str) -> None:
        self.problems.add(*rec.where(key), message)

    def build(self) -> tuple[Competition, ...]:
        by_competition: dict[str, dict[str, Rec]] = {}
        for key, rec in sorted(self.raw.indicators.items()):
            cid, stem = key.split("/", 1)
            if cid not in self.raw.competitions:
                if f"competitions/{cid}" not in self.raw.broken:
                    self.problems.add(rec.path, 1, 1, f"找不到竞赛 `{cid}`{suggest(cid, self.raw.competitions)}："
                                                      f"content/indicators/ 下的文件夹名是竞赛编号，请确认 "
                                                      f"content/competitions/{cid}.yaml 存在，或改正文件夹名。")
                continue
            if rec["month"] != stem:
                self.error(rec, "month", f"文件名是 {stem}.yaml，month 却写成 {rec['month']}：一个月一个文件，"
                                         "文件名就是月份，请改成一致。")
                continue
            by_competition.setdefault(cid, {})[stem] = rec
        return tuple(self.competition(cid, rec, by_competition.get(cid, {}))
                     for cid, rec in sorted(self.raw.competitions.items()))

    def groups(self, rec: Rec) -> list[tuple[str, str | None, set[str]]]:
        """(id, name, unit ids) of each group."""
        s = self.model.settings
        units = {u.id: u for u in self.model.units}
        by = rec["group_by"]
        if by == "all":
            return [("all", None, set(units))]
        if by in ("sector", "district"):
            names = s.sectors if by == "sector" else s.districts
            return [(gid, name, {u.id for u in units.values() if getattr(u, by) == gid}) for gid, name in names.items()]
        out = []
        for gid, group in rec["groups"].items():
            for uid in group["units"]:
                if uid not in units and uid not in self.raw.units and f"units/{uid}" not in self.raw.broken:
                    self.error(group, "units", f"找不到单位 `{uid}`{suggest(uid, units)}：请写 content/units/ 里的文件名"
                                               "（不含 .yaml）。")
            out.append((gid, group["name"], set(group["units"])))
        return out

    def competition(self, cid: str, rec: Rec, files: dict[str, Rec]) -> Competition:
        indicators = indicators_of(rec)
        r, a = rec["rules"], rec["awards"]
        rules = Rules(r["min_months"], r["missing"], r["leaders"])
        names = AwardNames(a["month"], a["quarter"], a["period"])
        start, end = rec["start"], rec["end"]
        kinds = tuple(rec["kinds"])

        posts: dict[str, Post] = {}
        groups = []
        for gid, name, unit_ids in self.groups(rec):
            taking = sorted(p.id for p in self.model.posts if p.unit.id in unit_ids and p.kind in kinds)
            groups.append(Group(gid, name, tuple(taking)))
            posts.update({p.id: p for p in self.model.posts if p.id in taking})
        periods = months_between(start, end)
        taking_part = {pid: frozenset(m for m in periods if _takes_part(post, m)) for pid, post in posts.items()}

        entered = [i for i in indicators if i.entered]
        values: dict[tuple[str, str], list[float | None]] = {}
        for month, frec in sorted(files.items()):
            self.check_file(frec, month, start, end, entered, posts, taking_part)
            for pid, row in frec["posts"].items():
                if pid in posts and month in taking_part[pid]:
                    values[pid, month] = [row.get(i.id) if i.entered else None for i in indicators]
        if entered:
            data_months = [m for m in files if start <= m <= end]
        else:
            data_months = [self.model.as_of] if self.model.as_of and self.model.as_of >= start else []
        last = min(max(data_months), end) if data_months else None
        months = months_between(start, last) if last else []
        for pid, post in posts.items():
            history = {c.month: c for c in post.standing.history if c.month}
            five = 0
            for m in months:
                change = history.get(m)
                if change is not None and change.after == MAX_STARS:
                    five += 1
                if m not in taking_part[pid]:
                    continue
                derived = {"total": change.total if change else None, "stars": change.after if change else None,
                           "five_star_months": five if change else None}
                row = values.setdefault((pid, m), [None] * len(indicators))
                for n, ind in enumerate(indicators):
                    if not ind.entered:
                        row[n] = derived[ind.source]
        spec = Spec(indicators, rules, names, tuple(groups), quarters_of(start, end), end)
        members = {pid: len(p.members) for pid, p in posts.items()}
        units = {pid: p.unit.id for pid, p in posts.items()}
        results = compute(spec, months, units, taking_part, {k: tuple(v) for k, v in values.items()}, members)
        return Competition(cid, rec["name"], rec["description"], start, end, kinds, rec["group_by"], tuple(groups),
                           indicators, rules, names, spec.quarters, results, rec.path)

    def check_file(self, frec: Rec, month: str, start: str, end: str, entered: list[Indicator],
                   posts: dict[str, Post], taking_part: dict[str, frozenset]) -> None:
        """A month's entered values against the competition: its period, its posts, its indicators."""
        if not start <= month <= end:
            self.error(frec, "month", f"{month} 不在竞赛期内（{start} 到 {end}）：请核对月份，或删除这个文件。")
            return
        if not entered:
            self.error(frec, "posts", "这个竞赛的指标都由考评记录派生，没有要录入的指标：请删除这个文件，"
                                      "或在竞赛文件里加 source: entered 的指标。")
            return
        known = {i.id: i for i in entered}
        table = frec["posts"]
        for pid, row in table.items():
            post = posts.get(pid)
            if post is None:
                everywhere = {p.id: p for p in self.model.all_posts}
                found = everywhere.get(pid)
                if found is None and pid not in self.raw.posts:
                    why = f"找不到示范岗 `{pid}`{suggest(pid, posts)}：请写 content/posts/ 里的文件名（不含 .yaml）。"
                elif found is not None and not found.public:
                    why = f"示范岗 `{pid}` 尚未批复，不参加竞赛：请删除这一项。"
                elif found is not None:
                    why = f"示范岗 `{pid}` 不在这个竞赛的参赛范围里（分组或岗位类别不符）：请删除这一项，或核对竞赛文件。"
                else:
                    continue  # its own file has a problem, reported there
                self.error(table, pid, why)
                continue
            if month not in taking_part[pid]:
                self.error(table, pid, f"示范岗 `{pid}` 在 {month} 还没有批复或已经摘牌，这个月不参加竞赛：请删除这一项。")
                continue
            for key in row:
                ind = known.get(key)
                if ind is None:
                    self.error(row, key, f"不认识的指标 `{key}`{suggest(key, known)}：这个竞赛要录入的指标是 "
                                         + "、".join(f"{i.id}（{i.name}）" for i in entered) + "。")
                    continue
                value = row[key]
                if ind.unit == "%" and value > 100:
                    self.error(row, key, f"{ind.name} {value}% 超过 100%：请核对。")
                elif round(value, ind.decimals) != value:
                    self.error(row, key, f"{ind.name}的数值 {value} 的小数位多于 {ind.decimals} 位（竞赛文件的 decimals）："
                                         "请按规定位数四舍五入。")
            lacking = [i for i in entered if i.id not in row]
            if lacking:
                self.error(table, pid, f"示范岗 `{pid}` 缺少指标："
                                       + "、".join(f"{i.id}（{i.name}）" for i in lacking)
                                       + "。这个月没有的数据请整行不写（按竞赛的 missing 规则计），不要只写一部分。")


def indicators_of(rec: Rec) -> tuple[Indicator, ...]:
    """The indicators of a competition's record (content/competitions/<id>.yaml)."""
    return tuple(Indicator(i["id"], i["name"], i["source"], i["unit"] or formats.DERIVED_UNITS[i["source"]],
                           i["better"], i["weight"], i["normalise"], i["decimals"]) for i in rec["indicators"])


def _takes_part(post: Post, month: str) -> bool:
    """An approved post takes part from its approval month to the month its plaque was removed."""
    if post.approval is None or month < month_of(post.approval["date"]):
        return False
    end = post.standing.revoked_month
    return end is None or month <= end


def post_places(competitions: Sequence[Competition], post_id: str) -> list[tuple[Competition, Standings, Entry]]:
    """Where a post stands in the latest month of each competition it takes part in."""
    out = []
    for c in competitions:
        latest = c.latest
        if latest is None:
            continue
        for s in latest.groups:
            entry = next((e for e in s.entries if e.post == post_id), None)
            if entry is not None:
                out.append((c, s, entry))
    return out
