"""The evaluation fast path gives exactly what the general loader gives, or steps aside.

``fastload.evaluation`` must return the very ``Rec`` (values, key order, positions) that
``yamlio.load`` + ``specs.EVALUATION`` return, and ``None`` whenever the general loader would find a
problem (so that problems are always reported by the general loader, at their line and column).
"""

from __future__ import annotations

import pickle

from hypothesis import HealthCheck, given, settings, strategies as st

from site_builder.content import fast_evaluations as fastload, formats as specs, strict_yaml as yamlio
from site_builder.errors import Problems
from site_builder.content.schema import INVALID, Ctx, Rec, seal
from support.sites import MINI, ROOT, make_site, run


def general(text: str, path: str = "e.yaml"):
    """(Rec or None, problems) from the general loader."""
    problems = Problems()
    try:
        node = yamlio.load(text)
    except yamlio.YamlError as exc:
        return None, [exc.message]
    if node is None:
        return None, ["empty"]
    rec = specs.EVALUATION.convert(node, Ctx(path, problems))
    return (None if rec is INVALID else rec), [p.message for p in problems.items]


def assert_same(a, b, where="file"):
    assert isinstance(b, type(a)) or isinstance(a, type(b)), (where, type(a), type(b))
    if isinstance(a, Rec):
        assert (a.path, a.line, a.col, a.offset) == (b.path, b.line, b.col, b.offset), where
        assert list(a.pos.items()) == list(b.pos.items()), where
        assert [a.where(key) for key in (None, *a)] == [b.where(key) for key in (None, *b)], where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    else:
        assert a == b, where


def agrees(text: str) -> Rec | None:
    fast = fastload.evaluation(text, "e.yaml")
    slow, problems = general(text)
    if problems:
        assert fast is None, f"fast path accepted a file with problems {problems}:\n{text}"
    elif fast is not None:
        assert_same(fast, slow)
        for rec in (fast, general(text)[0]):  # sealed (positions packed), then through the cache or a worker
            assert_same(pickle.loads(pickle.dumps(seal(rec), protocol=5)), slow, "sealed")
    return fast


def test_every_shipped_evaluation_file_takes_the_fast_path_with_identical_results():
    files = sorted((ROOT / "content/evaluations").glob("*.yaml")) + sorted((MINI / "content/evaluations").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert agrees(text) is not None, path


USUAL = """\
# 2025 年 4 月
month: 2025-04
evaluated_on: 2025-05-06
by: "市先教办督导组"
posts:
  zrzy-window:
    self: {politics: 95, performance: 93, service: 96, exemplary: 92}
    public: {politics: 94, performance: 92, service: 97, exemplary: 90}
    organisation: {politics: 93, performance: 91, service: 95, exemplary: 91}
    note: 群众测评满意率 98.6%
  gongan:   # 户政窗口
    public:       {politics: 80, performance: 66, service: 62, exemplary: 70}
    self:         {exemplary: 80, politics: 88, performance: 70, service: 75}

    organisation: {politics: 85, performance: 70, service: 68, exemplary: 72}  # 组织
"""


def test_usual_layout_is_read_by_the_fast_path():
    rec = agrees(USUAL)
    assert rec is not None
    assert rec["posts"]["gongan"]["self"] == {"exemplary": 80, "politics": 88, "performance": 70, "service": 75}
    assert rec["posts"]["gongan"]["note"] is None
    assert rec["posts"].where("gongan") == ("e.yaml", 11, 3)


VARIANTS = [
    ("month: 2025-04", "month: 2025-13"),  # a bad month
    ("month: 2025-04", "month: '2025-04'"),
    ("month: 2025-04\n", ""),  # missing month
    ("evaluated_on: 2025-05-06", "evaluated_on: 2025-02-30"),
    ("by: \"市先教办督导组\"", "by: no"),
    ("by: \"市先教办督导组\"", "by: 12:30"),
    ("by: \"市先教办督导组\"", "by: \"a\\tb\""),
    ("by: \"市先教办督导组\"", "by: &a x"),
    ("by: \"市先教办督导组\"", "by: !!str x"),
    ("by: \"市先教办督导组\"", "by: |\n  x"),
    ("by: \"市先教办督导组\"", "by: 市先教办\n  督导组"),
    ("by: \"市先教办督导组\"", "by: \"" + "长" * 61 + "\""),
    ("by: \"市先教办督导组\"", "by: \"a\u202eb\""),
    ("by: \"市先教办督导组\"", "by: x # comment"),
    ("by: \"市先教办督导组\"", "by: x#y"),
    ("politics: 95", "politics: 101"),
    ("politics: 95", "politics: 095"),
    ("politics: 95", "politics: -5"),
    ("politics: 95", "politics: 9.5"),
    ("politics: 95", "politics: '95'"),
    ("politics: 95", "politics:95"),
    ("politics: 95", "politic: 95"),
    ("politics: 95, performance: 93", "politics: 95, politics: 93"),
    ("  zrzy-window:", "  zrzy_window:"),
    ("  zrzy-window:", "  index:"),
    ("  zrzy-window:", "  gongan:"),
    ("    self: {politics: 95", "    self:   {politics: 95"),
    ("    self: {politics: 95", "    public: {politics: 95"),
    ("    self: {politics: 95", "    selff: {politics: 95"),
    ("    organisation: {politics: 93, performance: 91, service: 95, exemplary: 91}\n", ""),
    ("    note: 群众测评满意率 98.6%", "    note: \"满意\""),
    ("    note: 群众测评满意率 98.6%", "    note: yes"),
    ("    note: 群众测评满意率 98.6%", "    note:"),
    ("    note: 群众测评满意率 98.6%", "    note: 满意\n    note: 又一次"),
    ("    note: 群众测评满意率 98.6%", "    note: 满意：很好"),
    ("    note: 群众测评满意率 98.6%", "    note: 满意: 很好"),
    ("    note: 群众测评满意率 98.6%", "    note: - 满意"),
    ("    note: 群众测评满意率 98.6%", "     note: 满意"),
    ("    note: 群众测评满意率 98.6%", "    note: 满意\r"),
    ("    note: 群众测评满意率 98.6%", "    note: 满意\t"),
    ("    note: 群众测评满意率 98.6%", "    notes: 满意"),
    ("posts:", "posts: {}"),
    ("posts:", "posts: # 各岗位"),
    ("# 2025 年 4 月\n", "---\n"),
    ("# 2025 年 4 月\n", "  \n"),
    ("# 2025 年 4 月\n", "extra: 1\n"),
    ("# 2025 年 4 月\n", "month: 2025-05\n"),
]


def test_variants_agree_with_the_general_loader():
    fast = 0
    for old, new in VARIANTS:
        assert old in USUAL, old
        fast += agrees(USUAL.replace(old, new, 1)) is not None
    assert fast >= 6  # the harmless variants (comments, spacing, quotes, full-width colon) stay fast


LINES = st.sampled_from([
    "month: 2025-04", "month: 2025-4", "evaluated_on: 2025-05-06", "by: 督导组", "by: \"督导组\"", "posts:",
    "posts: []", "  p1:", "  p2:", "  p-1:  # c", "  P1:", "    self: {politics: 1, performance: 2, service: 3, exemplary: 4}",
    "    public: {service: 3, exemplary: 4, politics: 100, performance: 0}",
    "    organisation: {politics: 1 , performance: 2,service: 3, exemplary: 4}",
    "    organisation: {politics: 1, performance: 2, service: 3}", "    note: 好", "    note: \"好\"  # c",
    "    note: null", "    note: 0755", "   note: 好", "# c", "", "  # c", "    self: {politics: 1, performance: 2, service: 3, exemplary: 4} # c",
    "month: 2025-04 # c", "\tmonth: 2025-04", "by: 督 # 导", "by:", "month: 2025-04-01", "  p1: {}",
    "    public: {politics: 5, performance: 6, service: 7, exemplary: 8}",
    "    organisation: {politics: 9, performance: 10, service: 100, exemplary: 0}",
    "    self: {politics: 101, performance: 2, service: 3, exemplary: 4}", "    note: 好 # c", "    note: 好 ",
    "    note: \"\"", "    note: 它's", "    note: a\u2028b", "# \x85", "month: 2025-04\r",
])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=14))
def test_random_files_agree_with_the_general_loader(lines):
    agrees("\n".join(lines) + "\n")


NOTES = [None, None, '"好"', "好", "好 # c", "满意率 98.6% ", "yes", '"a\\tb"', "'引'", "a: b", "- x", '""', "95"]


@st.composite
def evaluation_files(draw):
    """Mostly valid files in the usual and the hand-aligned layouts, with a few slips."""
    lines = ["# 考评", "month: 2025-04", "by: 督导组", "posts:"]
    for pid in draw(st.lists(st.sampled_from(["p1", "p2", "p-3", "index", "p4-"]), min_size=1, max_size=4)):
        lines.append(f"  {pid}:")
        aligned = draw(st.booleans())
        for source in draw(st.sampled_from([["self", "public", "organisation"], ["public", "self", "organisation"],
                                            ["self", "public"]])):
            scores = draw(st.lists(st.integers(0, 101), min_size=4, max_size=4))
            dims = ", ".join(f"{d}: {v}" for d, v in zip(specs.DIMENSIONS, scores))
            lines.append(f"    {source}:{' ' * (14 - len(source)) if aligned else ' '}{{{dims}}}")
        note = draw(st.sampled_from(NOTES))
        if note is not None:
            lines.append(f"    note: {note}")
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(LINES))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evaluation_files())
def test_generated_files_agree_with_the_general_loader(text):
    agrees(text)


def test_a_broken_evaluation_is_still_reported_at_its_line(tmp_path, capsys):
    text = (MINI / "content/evaluations/2025-01.yaml").read_text(encoding="utf-8")
    site = make_site(tmp_path, {"content/evaluations/2025-01.yaml": text.replace("politics: 95", "politics: 105", 1)})
    code, _, err = run(capsys, "check", site)
    assert code == 1 and "content/evaluations/2025-01.yaml:4:" in err and "105 超出范围" in err
