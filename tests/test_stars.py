"""The star rules, one test per rule and edge case (first month, at 0, at 5, revoked, missing month)."""

import datetime as dt
import pickle

import pytest

from site_builder.model import stars
from site_builder.model.stars import COMMENDED, REVOKED, MonthScore, Rules, standing

D = ("politics", "performance", "service", "exemplary")
S = ("self", "public", "organisation")


def rules(**kw) -> Rules:
    base = dict(dimensions={d: 0.25 for d in D}, sources={"self": 0.2, "public": 0.4, "organisation": 0.4},
                pass_mark=85, revoke_below=60, consecutive_failures=3, fail_at_zero_stars=True,
                missing_month="hold", first_batch_end=dt.date(2025, 12, 31), year_end_review="12-31")
    base.update(kw)
    return Rules(**base)


def score(month: str, value: int, **by_source) -> MonthScore:
    scores = {s: {d: by_source.get(s, value) for d in D} for s in S}
    return MonthScore.of(month, scores, path=f"evaluations/{month}.yaml", line=3)


def record(*pairs) -> dict:
    return {m: score(m, v) for m, v in pairs}


APPROVED = dt.date(2025, 3, 6)


def months(n, start="2025-03"):
    return stars.months_between(start, "2099-12")[:n]


def test_total_weights_sources_and_dimensions():
    r = rules()
    s = score("2025-03", 0, self=100, public=80, organisation=90)
    assert r.total(s.scores) == pytest.approx(0.2 * 100 + 0.4 * 80 + 0.4 * 90)
    uneven = rules(dimensions={"politics": 0.4, "performance": 0.3, "service": 0.2, "exemplary": 0.1})
    scores = {src: {"politics": 100, "performance": 50, "service": 0, "exemplary": 0} for src in S}
    assert uneven.total(scores) == 55.0


def test_first_month_pass_adds_first_star_and_is_traceable():
    st = standing(rules(), APPROVED, record(("2025-03", 90)), "2025-03")
    assert st.stars == 1 and st.status == "active"
    (change,) = st.history
    assert change.month == "2025-03" and change.reason == "pass_add"
    assert (change.before, change.after, change.total) == (0, 1, 90.0)
    assert change.evaluation.source == "evaluations/2025-03.yaml:3"


def test_standings_kept_in_the_cache_are_the_same_standings_and_make_their_histories_only_when_read():
    months14 = months(14)
    made = {f"p{n}": standing(rules(), APPROVED, record(*[(m, 70 if i % (3 + n) == 1 else 90)
                                                          for i, m in enumerate(months14)]), "2026-04")
            for n in range(3)}
    kept = pickle.loads(pickle.dumps(stars.kept_standings(made), protocol=5))
    first = kept["p0"]
    assert all(type(st.__dict__["_history"]) is not tuple for st in kept.values())  # (not yet made into Changes)
    assert (first.stars, first.status, first.digest) == (made["p0"].stars, made["p0"].status, made["p0"].digest)
    assert first.last_change == max(c.date for c in made["p0"].history)  # (the sitemap's date, without the history)
    assert all(type(st.__dict__["_history"]) is not tuple for st in kept.values())
    assert first.history == made["p0"].history and len(first.history) >= 14 and first == made["p0"]
    assert first.history is first.history  # made once
    assert kept == made and kept["p2"].history != kept["p0"].history
    assert pickle.loads(pickle.dumps(kept)) == made  # (kept again after being read)
    # ... as the bank still: a standing is never changed by reading it (the cache saves it after the pages that
    # read every history; a standing that kept its Changes was saved as them)
    assert all(type(st.__dict__["_history"]) is stars._Banked for st in kept.values())
    assert len(pickle.dumps(kept, protocol=5)) == len(pickle.dumps(stars.kept_standings(made), protocol=5))
    assert stars.Standing().history == () and stars.Standing() == pickle.loads(pickle.dumps(stars.Standing()))


def test_a_process_keeps_the_histories_of_the_last_banks_read_only():
    """Every process that renders reads every post's history in turn: what the banks made is kept for the last
    few banks read, not by each bank to the end of the build (a city's 338,000 Changes in every process)."""
    made = {f"p{n:03}": standing(rules(), APPROVED, record(*[(m, 90) for m in months(3 + n % 5)]), "2026-04")
            for n in range(stars.BANKED * (stars.RECENT_BANKS + 3))}
    kept = stars.kept_standings(made)
    banks = {id(st.__dict__["_history"].bank) for st in kept.values()}
    assert len(banks) == stars.RECENT_BANKS + 3
    first = kept["p000"].history
    for key, st in kept.items():
        assert st.history == made[key].history
        assert len(stars._RECENT) <= stars.RECENT_BANKS
    assert all(not hasattr(bank, "__dict__") for bank in stars._RECENT)  # (made histories are not the bank's)
    again = kept["p000"].history  # its bank left the last read: made again, equal
    assert again == first == made["p000"].history and again is not first
    assert kept["p000"].history is again  # (and the same while its bank is among the last read)


def test_the_standings_banked_by_the_last_call_are_taken_as_they_are(monkeypatch):
    """``serve`` replays the evaluations again after a score's edit: the memo of ``standing`` gives every other post its
    very standing of the rebuild before, whose history that rebuild banked. The next call takes those banked
    standings as they are (no history pickled again) and banks only the standings it has not seen."""
    made = {f"p{n}": standing(rules(), APPROVED, record(*[(m, 90 - n) for m in months(4 + n)]), "2026-04")
            for n in range(4)}
    first = stars.kept_standings(made)
    pickled = []
    real = stars.pickle.dumps
    monkeypatch.setattr(stars.pickle, "dumps", lambda *a, **k: pickled.append(a[0]) or real(*a, **k))
    again = stars.kept_standings(made)
    assert again == first and all(again[key] is first[key] for key in made) and not pickled
    edited = {**made, "p2": standing(rules(), APPROVED, record(*[(m, 60) for m in months(6)]), "2026-04")}
    third = stars.kept_standings(edited)
    assert [set(p) for p in pickled] == [{"p2"}]  # (its history alone)
    assert all(third[key] is first[key] for key in made if key != "p2")
    assert third["p2"] == edited["p2"] and third["p2"].history == edited["p2"].history


def test_pass_mark_is_inclusive():
    st = standing(rules(), APPROVED, record(("2025-03", 85)), "2025-03")
    assert st.stars == 1


def test_first_month_fail_at_zero_revokes_by_default():
    st = standing(rules(), APPROVED, record(("2025-03", 80)), "2025-03")
    assert st.status == REVOKED and st.stars == 0
    assert st.history[-1].reason == "fail_at_zero" and st.revoked_month == "2025-03"


def test_fail_at_zero_can_be_a_hold_instead():
    st = standing(rules(fail_at_zero_stars=False), APPROVED, record(("2025-03", 80)), "2025-03")
    assert st.status == "active" and st.stars == 0
    assert st.history[-1].reason == "fail_at_zero_hold"


def test_stars_stop_at_five():
    st = standing(rules(), APPROVED, record(*[(m, 95) for m in months(7)]), months(7)[-1])
    assert st.stars == 5
    assert [c.reason for c in st.history][-2:] == ["pass_at_max", "pass_at_max"]
    assert [c.after for c in st.history] == [1, 2, 3, 4, 5, 5, 5]


def test_failing_month_removes_one_star():
    ms = months(3)
    st = standing(rules(), APPROVED, record((ms[0], 90), (ms[1], 90), (ms[2], 70)), ms[-1])
    assert st.stars == 1 and st.history[-1].reason == "fail_remove"
    assert st.history[-1].delta == -1


def test_score_below_revoke_mark_removes_the_plaque_at_once():
    ms = months(4)
    st = standing(rules(), APPROVED, record((ms[0], 95), (ms[1], 95), (ms[2], 95), (ms[3], 59)), ms[-1])
    assert st.status == REVOKED and st.stars == 0
    assert st.history[-1].reason == "fail_below" and st.history[-1].before == 3
    assert st.revoked_on == dt.date(2025, 6, 30)


def test_consecutive_failures_revoke():
    ms = months(6)
    data = [(ms[0], 95), (ms[1], 95), (ms[2], 95), (ms[3], 80), (ms[4], 80), (ms[5], 80)]
    st = standing(rules(), APPROVED, record(*data), ms[-1])
    assert [c.after for c in st.history] == [1, 2, 3, 2, 1, 0]
    assert st.status == REVOKED and st.history[-1].reason == "fail_consecutive"


def test_a_pass_resets_the_failure_count():
    ms = months(7)
    data = [(ms[0], 95), (ms[1], 95), (ms[2], 95), (ms[3], 80), (ms[4], 80), (ms[5], 90), (ms[6], 80)]
    st = standing(rules(), APPROVED, record(*data), ms[-1])
    assert st.status == "active" and st.stars == 1


def test_nothing_after_revocation_counts():
    ms = months(3)
    st = standing(rules(), APPROVED, record((ms[0], 50), (ms[1], 99), (ms[2], 99)), ms[-1])
    assert st.status == REVOKED and len(st.history) == 1


def test_missing_month_holds_by_default_and_is_shown():
    ms = months(3)
    st = standing(rules(), APPROVED, record((ms[0], 90), (ms[2], 90)), ms[-1])
    assert [c.reason for c in st.history] == ["pass_add", "missing_hold", "pass_add"]
    assert st.stars == 2 and st.history[1].month == ms[1] and st.history[1].total is None


def test_missing_month_can_count_as_failure():
    ms = months(3)
    st = standing(rules(missing_month="fail"), APPROVED, record((ms[0], 90), (ms[2], 90)), ms[-1])
    assert [c.reason for c in st.history] == ["pass_add", "missing_remove", "pass_add"]
    assert st.stars == 1


def test_missing_months_in_a_row_can_revoke_when_counted_as_failure():
    ms = months(4)
    st = standing(rules(missing_month="fail"), APPROVED, record((ms[0], 90), (ms[1], 90)), ms[-1])
    assert st.status == "active" and st.stars == 0
    st = standing(rules(missing_month="fail", consecutive_failures=2), APPROVED,
                  record((ms[0], 90), (ms[1], 90), (ms[2], 90)), "2025-07")
    assert st.status == REVOKED and st.history[-1].reason == "missing_consecutive"


def test_no_evaluation_at_all_is_zero_stars_active():
    st = standing(rules(), APPROVED, {}, None)
    assert (st.stars, st.status, st.history) == (0, "active", ())


def test_approved_after_the_last_evaluated_month_has_no_history():
    st = standing(rules(), dt.date(2026, 1, 5), {}, "2025-12")
    assert st.history == ()


def test_five_stars_at_first_batch_end_commends():
    ms = stars.months_between("2025-03", "2025-12")
    st = standing(rules(), APPROVED, record(*[(m, 95) for m in ms]), "2025-12")
    assert st.status == COMMENDED and st.commended_on == dt.date(2025, 12, 31)
    assert st.history[-1].reason == "batch_commend" and st.history[-1].month is None


def test_four_stars_at_first_batch_end_is_not_commended():
    ms = stars.months_between("2025-08", "2025-12")
    data = [(m, 95) for m in ms[:-1]] + [(ms[-1], 70)]
    st = standing(rules(), dt.date(2025, 8, 1), record(*data), "2025-12")
    assert st.status == "active" and st.stars == 3


def test_review_not_applied_before_its_date():
    ms = stars.months_between("2025-03", "2025-11")
    st = standing(rules(), APPROVED, record(*[(m, 95) for m in ms]), "2025-11")
    assert st.status == "active" and st.stars == 5


def test_year_end_review_commends_later_and_withdraws_when_below_five():
    ms = stars.months_between("2025-08", "2026-12")
    # 2025: only 5 months (Aug–Dec) → 5 stars exactly at the first batch end
    data = {m: score(m, 95) for m in ms}
    data["2026-11"] = score("2026-11", 80)  # fails in Nov and Dec 2026 → 3 stars at the year-end review
    data["2026-12"] = score("2026-12", 80)  # (the December month is applied before the 31 December review)
    st = standing(rules(), dt.date(2025, 8, 1), data, "2026-12")
    reasons = [(c.reason, c.date) for c in st.history if c.month is None]
    assert reasons == [("batch_commend", dt.date(2025, 12, 31)), ("review_decommend", dt.date(2026, 12, 31))]
    assert st.status == "active" and st.stars == 3


def test_year_end_review_commends_a_post_that_reaches_five_later():
    ms = stars.months_between("2025-10", "2026-12")
    st = standing(rules(), dt.date(2025, 10, 1), record(*[(m, 95) for m in ms]), "2026-12")
    review = [c for c in st.history if c.reason == "review_commend"]
    assert [c.date for c in review] == [dt.date(2026, 12, 31)]
    assert st.status == COMMENDED


def test_configured_review_day():
    ms = stars.months_between("2025-03", "2026-07")
    st = standing(rules(first_batch_end=dt.date(2025, 6, 30), year_end_review="06-30"), APPROVED,
                  record(*[(m, 95) for m in ms]), "2026-07")
    assert [c.date for c in st.history if c.month is None] == [dt.date(2026, 6, 30)]


def test_decision_revokes_with_reason():
    ms = months(4)
    st = standing(rules(), APPROVED, record(*[(m, 95) for m in ms]), ms[-1],
                  decision=(dt.date(2025, 5, 10), "群众实名投诉，经核实"))
    assert st.status == REVOKED and st.stars == 0
    last = st.history[-1]
    assert last.reason == "revoked_decision" and last.detail == "群众实名投诉，经核实" and last.before == 2
    assert st.revoked_on == dt.date(2025, 5, 10)


def test_rounding_of_the_total_is_stable():
    r = rules(pass_mark=84.99)
    s = {src: {d: 85 for d in D} for src in S}
    s["self"]["politics"] = 84
    assert r.total(s) == 84.95


def test_month_helpers():
    assert stars.month_end("2024-02") == dt.date(2024, 2, 29)
    assert stars.month_end("2025-12") == dt.date(2025, 12, 31)
    assert stars.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


# -- the first evaluated month (首次考评月份) ------------------------------------------------------------

def test_a_post_approved_on_the_last_day_is_first_evaluated_the_month_after():
    """Approved 30 April: April is not a month of this post (no "missing" row, never a failure), May is."""
    approved = dt.date(2026, 4, 30)
    for missing in ("hold", "fail"):
        st = standing(rules(missing_month=missing), approved, record(("2026-05", 90)), "2026-05")
        assert st.first_month == "2026-05"
        assert [(c.month, c.reason) for c in st.history] == [("2026-05", "pass_add")]
        assert st.status == "active" and st.stars == 1


def test_nothing_is_due_before_the_first_evaluated_month():
    st = standing(rules(missing_month="fail"), dt.date(2026, 4, 30), {}, "2026-04")
    assert st.history == () and st.status == "active" and st.stars == 0
    st = standing(rules(missing_month="fail"), dt.date(2026, 4, 30), {}, "2026-05")
    assert [(c.month, c.reason) for c in st.history] == [("2026-05", "missing_at_zero")]


def test_scores_written_for_the_approval_month_count():
    st = standing(rules(), dt.date(2026, 4, 30), record(("2026-04", 90), ("2026-05", 90)), "2026-05")
    assert [c.month for c in st.history] == ["2026-04", "2026-05"] and st.stars == 2


def test_approval_month_cutoff_makes_the_approval_month_due():
    r = rules(missing_month="fail", approval_month_cutoff=10)
    early = standing(r, dt.date(2026, 4, 10), {}, "2026-04")
    assert early.first_month == "2026-04" and early.history[0].reason == "missing_at_zero"
    late = standing(r, dt.date(2026, 4, 11), {}, "2026-04")
    assert late.first_month == "2026-05" and late.history == ()
    assert stars.first_month(rules(), dt.date(2026, 12, 1)) == "2027-01"



def test_a_standing_cannot_be_changed_once_made():
    st = standing(rules(), APPROVED, record(("2025-03", 90)), "2025-03")
    with pytest.raises(AttributeError):  # dataclasses.FrozenInstanceError
        st.stars = 5
    assert isinstance(st.history, tuple)


def test_a_standing_carries_the_digest_of_what_it_was_made_from():
    """Equal arguments give equal digests whichever objects hold them (a record read from the build cache
    holds other string objects than one parsed again); any change of them gives another digest."""
    ms = months(3)
    st = standing(rules(), APPROVED, record(*[(m, 90) for m in ms]), ms[-1])
    copies = {m: MonthScore.of("".join(list(m)), {"".join(list(s)): dict(v) for s, v in sc.scores.items()},
                               None, "".join(list(sc.path)), sc.line)
              for m, sc in record(*[(m, 90) for m in ms]).items()}
    assert standing(rules(), APPROVED, copies, ms[-1]).digest == st.digest
    changed = record(*[(m, 90) for m in ms])
    changed[ms[1]] = score(ms[1], 91)
    assert standing(rules(), APPROVED, changed, ms[-1]).digest != st.digest
    assert standing(rules(pass_mark=80), APPROVED, record(*[(m, 90) for m in ms]), ms[-1]).digest != st.digest
    assert standing(rules(), APPROVED, record(*[(m, 90) for m in ms]), ms[1]).digest != st.digest
    assert standing(rules(), APPROVED, record(*[(m, 90) for m in ms]), ms[-1],
                    (dt.date(2025, 5, 2), "调离")).digest != st.digest
