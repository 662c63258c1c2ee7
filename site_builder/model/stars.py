"""The star rules: a post's star level and status derived from its monthly evaluation record.

Nothing here reads files. :func:`standing` replays a post's record month by month (and the review
dates between them) and returns the resulting level, status and the full history, each entry naming
the month and scores that caused it (一月一考评，挂星、加星、减星、摘牌，授牌命名，年底复评).

The first evaluated month (首次考评月份) of a post is the month after its approval: a post approved on
30 April cannot be evaluated for April. With ``approval_month_cutoff`` (site.yaml) a post approved on
or before that day of its month is evaluated from the approval month on. Either way, scores written
for the approval month count: the office did evaluate it. Before the first evaluated month a month
without scores is no month at all (no "missing" entry, never a failure).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import pickle
from dataclasses import dataclass, field
from typing import Mapping, NamedTuple

from ..content import formats
from ..memo import Recent, memoized

MAX_STARS = 5
ACTIVE, COMMENDED, REVOKED = "active", "commended", "revoked"


@dataclass(frozen=True)
class Rules:
    dimensions: dict[str, float]
    sources: dict[str, float]
    pass_mark: float
    revoke_below: float
    consecutive_failures: int
    fail_at_zero_stars: bool = True
    missing_month: str = "hold"  # or "fail"
    approval_month_cutoff: int | None = None  # approved on or before this day: the approval month is evaluated
    first_batch_end: dt.date = dt.date(2025, 12, 31)
    year_end_review: str = "12-31"  # MM-DD

    def total(self, scores: Mapping[str, Mapping[str, int]]) -> float:
        """Month total = Σ source weight × Σ dimension weight × score, rounded to two decimals."""
        return self.total_of(flat_scores(scores))

    def total_of(self, values: bytes) -> float:
        """:meth:`total` of the scores as :attr:`MonthScore.values` holds them (the same sums, in the same order)."""
        value = sum([sw * sum([dw * values[at] for dw, at in dimensions]) for sw, dimensions in _weights(self)])
        return round(value + 1e-9, 2)

    def review_dates(self, until: dt.date) -> list[dt.date]:
        """The first-batch end, then each year-end review after it, up to ``until``."""
        month, day = (int(x) for x in self.year_end_review.split("-"))
        dates = [self.first_batch_end] if self.first_batch_end <= until else []
        year = self.first_batch_end.year
        while True:
            review = dt.date(year, month, day)
            if review > until:
                break
            if review > self.first_batch_end:
                dates.append(review)
            year += 1
        return dates


# The order of :attr:`MonthScore.values`: every source's dimensions, source by source.
ORDER = tuple((s, d) for s in formats.SOURCES for d in formats.DIMENSIONS)
_AT = {sd: n for n, sd in enumerate(ORDER)}


def flat_scores(scores: Mapping[str, Mapping[str, int]]) -> bytes:
    """source → dimension → score as :attr:`MonthScore.values` holds them."""
    return bytes([scores[s][d] for s, d in ORDER])


@functools.lru_cache(maxsize=64)
def _weighting(dimensions: tuple, sources: tuple) -> tuple:
    return tuple((sw, [(dw, _AT[s, d]) for d, dw in dimensions]) for s, sw in sources)


def _weights(rules: Rules) -> tuple:
    """((source weight, [(dimension weight, index in the values)]), ...) in the order of the rules."""
    return _weighting(tuple(rules.dimensions.items()), tuple(rules.sources.items()))


@dataclass(frozen=True, slots=True)
class MonthScore:
    """One post's scores for one month. A city has hundreds of thousands of them: the scores (0–100 each,
    content/formats.py) are one ``bytes`` in the order of :data:`ORDER` (45 bytes, where a dictionary of
    dictionaries took ~900), and the file and line are kept apart. Slots, not an attribute dictionary: 104
    bytes an object instead of 200, in every process that renders a post's history."""

    month: str  # YYYY-MM
    values: bytes  # the scores in the order of ORDER
    note: str | None = None
    path: str = ""  # "content/evaluations/2025-04.yaml", for traceability
    line: int = 0

    @classmethod
    def of(cls, month: str, scores: Mapping[str, Mapping[str, int]], note: str | None = None, path: str = "",
           line: int = 0) -> "MonthScore":
        return cls(month, flat_scores(scores), note, path, line)

    @property
    def scores(self) -> dict[str, dict[str, int]]:
        """source → dimension → score."""
        out: dict[str, dict[str, int]] = {}
        for (s, d), value in zip(ORDER, self.values):
            out.setdefault(s, {})[d] = value
        return out

    @property
    def source(self) -> str:
        """"content/evaluations/2025-04.yaml:12"."""
        return f"{self.path}:{self.line}"

    def __reduce__(self):  # (made again by its constructor: a third faster than dataclass's slot-by-slot state)
        return MonthScore, (self.month, self.values, self.note, self.path, self.line)


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a post's star history (slots: see :class:`MonthScore`)."""

    date: dt.date  # the month's last day, or the review / decision date
    month: str | None  # the evaluated month, None for reviews and decisions
    reason: str  # a translation key: pass_add, pass_at_max, fail_remove, fail_at_zero_hold, fail_below,
    # fail_consecutive, fail_at_zero, missing_hold, missing_remove, missing_at_zero_hold, missing_consecutive,
    # missing_at_zero, batch_commend (five stars at the end of the first batch), review_commend (at a
    # year-end review), review_decommend, revoked_decision
    before: int
    after: int
    status: str  # status after this entry
    total: float | None = None
    evaluation: MonthScore | None = None
    detail: str | None = None  # reason text of a decision

    @property
    def delta(self) -> int:
        return self.after - self.before

    def __reduce__(self):
        return Change, (self.date, self.month, self.reason, self.before, self.after, self.status, self.total,
                        self.evaluation, self.detail)


class HistoryBank:
    """The histories of many standings as one pickle (``{key: history}``), made into :class:`Change` objects
    all at once when one of them is read (:func:`kept_standings`). What it made is kept by the process for the
    last :data:`RECENT_BANKS` banks read, not by the bank: every process that renders pages reads every post's
    history in turn (post pages, open data), and banks that kept theirs held all of a city's histories in each
    of them to the end of the build (338,000 Changes at 10,000 posts, ~90 MiB a process); nor is a bank that the
    cache keeps written into by a build that reads it."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data

    def __reduce__(self):
        return HistoryBank, (self.data,)

    def histories(self) -> dict:
        return _RECENT.get(self, lambda: pickle.loads(self.data))


# the banks read last and what they made: a page reads its post's history more than once, and the pages of a
# post come one after the other (by unit); a bank is made again, 0.1 ms for one post, when it has left
RECENT_BANKS = 64
_RECENT = Recent(RECENT_BANKS)


class _Banked(NamedTuple):
    bank: HistoryBank
    key: str


class _HistoryField:
    """A standing's history (a descriptor field of :class:`Standing`): a tuple, or where it sits in a
    :class:`HistoryBank`, made into the tuple when read (equal whenever read; the same object while the bank is
    among the last read). The standing keeps its place in the bank, never the tuple: a standing is never changed, and
    one that the cache keeps is pickled again as its bank (the cache is saved after the pages that read every
    history were rendered: a standing that kept the tuple was saved as 338,000 Changes at 10,000 posts, 0.75 s
    to read back at every warm build instead of ~0.1 s)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return ()  # (the field's default, for dataclass)
        value = obj.__dict__[self.slot]
        if type(value) is _Banked:
            return value.bank.histories()[value.key]
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


@dataclass(frozen=True)
class Standing:
    """A post's star level, status and history as its record makes them (:func:`standing`); never changed
    once made (one standing may serve several builds: :func:`standing` is memoized)."""

    stars: int = 0
    status: str = ACTIVE
    history: tuple[Change, ...] = _HistoryField()  # type: ignore[assignment]
    commended_on: dt.date | None = None
    revoked_on: dt.date | None = None
    revoked_month: str | None = None
    first_month: str | None = None  # the first month the post must be evaluated (首次考评月份)
    last_change: dt.date | None = None  # the newest date in the history (the sitemap's last change of the post)
    # whether any month's scores count yet (the lists say 尚无考评, not 0 星): read for every post on every list
    # page, without making its history
    evaluated: bool = False
    # the digest of what :func:`standing` made it from (its arguments): equal digests, equal standings. A
    # post's history is most of what a post holds; incremental/tracking.py compares a standing by this
    # digest instead of hashing the history again (``TRACKING_DIGEST``, a class attribute, not a field)
    digest: bytes = field(default=b"no evaluations", repr=False, compare=False)
    TRACKING_DIGEST = "digest"

    @property
    def revocation(self) -> Change | None:
        return self.history[-1] if self.status == REVOKED and self.history else None


def kept_standings(standings: dict[str, Standing]) -> dict[str, Standing]:
    """``standings`` as the build cache keeps them (``memo.keep``): the same standings, with their histories in
    :class:`HistoryBank` objects. A city's histories are hundreds of thousands of Changes; reading them back
    was most of what a warm build read of the cache (0.9 s at 10,000 posts) when a build reads them only for the
    pages it renders — those of one post for a story's edit, every post's for the open data. Pickled apart from
    their standings, they are made only when read; a bank holds :data:`BANKED` posts' histories (one pickle for
    many shares their months, files and reasons, but makes them all when one is read). Standings kept already
    (a worker's, a build's before) stay as they are.

    How many: one. A bank of 500 posts took 50 ms to make while the garbage collector runs (as pages are
    rendered), one of 20 1.7 ms, one of a single post 0.1 ms (all 1,000 posts' at 1,000 posts: 120, 88 and 105 ms;
    one each, 75 % more bytes). Since a process keeps what the banks made for the last :data:`RECENT_BANKS`
    banks read only, the order of reading decides: the post pages come by unit, the open data by post, so a bank
    of 20 was made again for almost every post page (906 of 1,000 at 1,000 posts); one post's bank is made again
    only for the post's own pages. Measured at 10,000 posts (`--no-cache`): peak memory of the build 1,977 ->
    1,722 MiB, the clean build as fast (1,000 posts, 5 pairs: 0.985x), a warm build after a story as fast
    (11 pairs: 0.97x)."""
    global _LAST_KEPT
    last, now = _LAST_KEPT, {}
    kept = {}
    for key, s in standings.items():
        if type(s.__dict__["_history"]) is _Banked:
            kept[key] = s
            continue
        found = last.get(id(s))
        if found is not None and found[0] is s and found[1] == key:
            kept[key] = found[2]
            now[id(s)] = found
    keys = [key for key in standings if key not in kept]
    for i in range(0, len(keys), BANKED):
        part = keys[i:i + BANKED]
        bank = HistoryBank(pickle.dumps({key: standings[key].history for key in part}, protocol=5))
        for key in part:
            s = standings[key]
            kept[key] = dataclasses.replace(s, history=_Banked(bank, key))
            now[id(s)] = (s, key, kept[key])
    _LAST_KEPT = now
    return {key: kept[key] for key in standings}  # (in their order)


# (id of each standing the last call banked or took as banked → (it, its post, the banked one): ``serve`` replays the
# evaluations again after a score's edit, and the memo of ``standing`` gives the other posts' very standings, whose
# histories were banked by the rebuild before: 0.7 s at 10,000 posts. Only the last call's, for the next one)
_LAST_KEPT: dict[int, tuple[Standing, str, Standing]] = {}


BANKED = 1


@dataclass
class _Replay:
    """The standing while :func:`standing` replays the record."""

    first_month: str
    stars: int = 0
    status: str = ACTIVE
    commended_on: dt.date | None = None
    revoked_on: dt.date | None = None
    revoked_month: str | None = None


def month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    nxt = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def first_month(rules: Rules, approval: dt.date) -> str:
    """The first month a post approved on ``approval`` must be evaluated (see the module's docstring)."""
    if rules.approval_month_cutoff is not None and approval.day <= rules.approval_month_cutoff:
        return month_of(approval)
    return next_month(month_of(approval))


def months_between(first: str, last: str) -> list[str]:
    out, year, mon = [], int(first[:4]), int(first[5:7])
    while f"{year:04d}-{mon:02d}" <= last:
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return out


def standing(rules: Rules, approval: dt.date, record: dict[str, MonthScore], as_of: str | None,
             decision: tuple[dt.date, str] | None = None) -> Standing:
    """Replay one post's record from its approval month up to the month ``as_of`` (inclusive).

    ``record`` maps months to scores (months outside the range are ignored: the model reports them);
    ``decision`` is a revocation decided by the office (date, reason), outside the evaluations.
    """
    inputs = _inputs_digest(rules, approval, record, as_of, decision)
    return _replayed(inputs, rules, approval, record, as_of, decision)


@memoized("stars.standing", key=lambda inputs, *_: inputs, durable=False)  # (a serve rebuild: most posts' again)
def _replayed(inputs: bytes, rules: Rules, approval: dt.date, record: dict[str, MonthScore], as_of: str | None,
              decision: tuple[dt.date, str] | None) -> Standing:
    state = _Replay(first_month(rules, approval))
    history: list[Change] = []
    fails_in_row = 0
    events: list[tuple[dt.date, int, str | None]] = []
    if as_of is not None and month_of(approval) <= as_of:
        first = state.first_month
        events += [(end, 0, m) for end, m in _month_ends(month_of(approval), as_of) if m >= first or m in record]
        events += [(d, 1, None) for d in rules.review_dates(month_end(as_of)) if d >= approval]
    if decision is not None:
        events.append((decision[0], 2, None))
    events.sort(key=_event_order)
    hold = rules.missing_month == "hold"
    pass_mark, total_of = rules.pass_mark, rules.total_of

    def record_change(day, month, reason, after, status=None, total=None, evaluation=None, detail=None):
        history.append(Change(day, month, reason, state.stars, after, status or state.status, total, evaluation, detail))
        state.stars = after
        if status:
            state.status = status

    for day, kind, month in events:
        if state.status == REVOKED:
            break
        if kind == 2:
            record_change(day, None, "revoked_decision", 0, REVOKED, detail=decision[1])
            state.revoked_on = day
            state.revoked_month = month_of(day)
            break
        if kind == 1:
            if state.status == ACTIVE and state.stars == MAX_STARS:
                reason = "batch_commend" if day == rules.first_batch_end else "review_commend"
                record_change(day, None, reason, state.stars, COMMENDED)
                state.commended_on = day
            elif state.status == COMMENDED and state.stars < MAX_STARS and day != rules.first_batch_end:
                record_change(day, None, "review_decommend", state.stars, ACTIVE)
            continue
        score = record.get(month)
        if score is None and hold:
            record_change(day, month, "missing_hold", state.stars)
            continue
        total = total_of(score.values) if score else None
        if total is not None and total >= pass_mark:  # the usual month: one entry, made here
            fails_in_row = 0
            before = state.stars
            after = before + 1 if before < MAX_STARS else MAX_STARS
            history.append(Change(day, month, "pass_add" if after > before else "pass_at_max", before, after,
                                  state.status, total, score, None))
            state.stars = after
            continue
        fails_in_row += 1
        prefix = "missing_" if score is None else "fail_"
        if total is not None and total < rules.revoke_below:
            reason = "fail_below"
        elif fails_in_row >= rules.consecutive_failures:
            reason = "fail_consecutive"
        elif state.stars == 0 and rules.fail_at_zero_stars:
            reason = "fail_at_zero"
        else:
            after = max(0, state.stars - 1)
            reason = prefix + ("remove" if after < state.stars else "at_zero_hold")
            record_change(day, month, reason, after, total=total, evaluation=score)
            continue
        if score is None:
            reason = "missing_" + reason[5:]
        record_change(day, month, reason, 0, REVOKED, total=total, evaluation=score)
        state.revoked_on = day
        state.revoked_month = month
    return Standing(state.stars, state.status, tuple(history), state.commended_on, state.revoked_on,
                    state.revoked_month, state.first_month, max((c.date for c in history), default=None),
                    any(c.evaluation is not None for c in history), digest=inputs)


def _inputs_digest(rules: Rules, approval: dt.date, record: dict[str, MonthScore], as_of: str | None,
                   decision: tuple[dt.date, str] | None) -> bytes:
    """The digest of :func:`standing`'s arguments: what the standing is a function of, besides this
    module's code."""
    months = [(m.month, m.values, m.note, m.path, m.line) for _, m in sorted(record.items())]
    return plain_digest((rules_fields(rules), approval, months, as_of, decision))


def plain_digest(value) -> bytes:
    """The digest of plain data (strings, numbers, dates, containers), pickled without pickle's memo (which
    writes a string met twice as a reference, so equal values from different places would give other bytes)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.blake2b(buffer.getvalue(), digest_size=16).digest()


def rules_fields(rules: Rules) -> tuple:
    return tuple((f, getattr(rules, f)) for f in Rules.__dataclass_fields__)


def _event_order(event: tuple) -> tuple:
    return event[0], event[1]


@functools.lru_cache(maxsize=1024)
def _month_ends(first: str, last: str) -> tuple[tuple[dt.date, str], ...]:
    """(last day, month) of each month from ``first`` to ``last``: posts approved in the same month share it."""
    return tuple((month_end(m), m) for m in months_between(first, last))
