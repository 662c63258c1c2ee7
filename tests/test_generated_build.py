"""The benchmark corpus builds with the real engine (so the generator cannot rot), in parallel and warm."""

from __future__ import annotations

import sys

from site_builder.incremental import cache as cache_mod, pipeline, rendering, records, tracking
from support.sites import ROOT, run, tree

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402


def test_a_small_generated_city_builds_and_rebuilds(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cache_mod, "_CODE_VERSION", "test")
    for module, name in ((rendering, "POOL_MIN_PAGES"), (records, "POOL_MIN_FILES"), (tracking, "DIGEST_PART")):
        monkeypatch.setattr(module, name, 1)  # every stage in worker processes
    site = tmp_path / "city"
    generate(12, site)
    code, out, err = run(capsys, "check", site, "--jobs", "2")
    assert code == 0, err
    code, out, err = run(capsys, "build", site, "-o", tmp_path / "out", "--jobs", "2")
    assert code == 0, err
    built = tree(tmp_path / "out")
    assert "posts/p000001/index.html" in built and "members/m000001-1/index.html" in built
    assert sum(name.startswith("stories/") for name in built) >= 6

    story = sorted((site / "content/stories").glob("*.md"))[0]
    story.write_text(story.read_text(encoding="utf-8").replace("。", "。补充一句。", 1), encoding="utf-8")
    warm = pipeline.run(site, tmp_path / "out", jobs=2)
    assert 0 < warm.rendered < warm.pages / 10
    assert run(capsys, "build", site, "-o", tmp_path / "clean", "--no-cache", "--jobs", "1", "-q")[0] == 0
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
