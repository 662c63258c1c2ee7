"""The editing app /admin/ (pages/admin.py, admin.js): generated from the schema, and what it writes passes check."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from site_builder.content import formats
from site_builder.content.schema import Id, List, Record
from site_builder.incremental.pipeline import build_model
from site_builder.pages import admin
from support import require
from support.sites import ROOT, make_site, run

SAMPLE = ROOT
NODE = shutil.which("node")
EDITING = """
editing:
  forge: gitea
  repo: qingchuan/pledge-site
  url: https://git.qingchuan.example.cn
  app_id: 0b6e4c1a-5f7e-4a8e-9c1d-2f3a4b5c6d7e
"""


def installed() -> bool:
    return admin.bundle(ROOT)[0] is not None


def walk(fields: list[dict], prefix: str = ""):
    for f in fields:
        key = f"{prefix}{f['name']}"
        yield key, f
        yield from walk(f.get("fields", []), key + ".")


@pytest.fixture(scope="module")
def settings():
    return build_model(SAMPLE).settings


def test_every_schema_field_has_a_form_field_with_a_chinese_label(settings):
    config = admin.config(settings, local_url="http://127.0.0.1:8000/api/v1")
    by_name = {c["name"]: c for c in config["collections"]}
    assert set(by_name) == {"stories", "members", "posts", "units"}
    for name, spec in admin.KINDS.items():
        form = dict(walk(by_name[name]["fields"]))

        def check(record: Record, prefix: str = "") -> None:
            for key, field in record.fields.items():
                dotted = prefix + key
                assert dotted in form, (name, dotted)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in form[dotted]["label"]), (name, dotted)
                if not prefix:
                    assert form[dotted]["required"] == field.required, (name, dotted)
                inner = field.type.item if isinstance(field.type, List) else field.type
                if isinstance(inner, Record):
                    check(inner, dotted + ".")
        check(spec["schema"])


def test_limits_choices_and_relations_come_from_the_schema(settings):
    config = admin.config(settings)  if settings.editing else admin.config(settings, "http://127.0.0.1:1/api/v1")
    forms = {c["name"]: dict(walk(c["fields"])) for c in config["collections"]}
    assert forms["stories"]["title"]["pattern"][0] == "^[^\\n]{1,%d}$" % formats.STORY.fields["title"].type.max_len
    assert forms["members"]["pledge"]["pattern"][0].endswith("{1,%d}$" % formats.MAX_PLEDGE)
    for kind, key, target in (("stories", "members", "members"), ("stories", "posts", "posts"),
                              ("members", "post", "posts"), ("posts", "unit", "units")):
        field = forms[kind][key]
        assert field["widget"] == "relation" and field["collection"] == target and field["search_fields"] == ["name"]
    assert forms["stories"]["members"]["multiple"] is True
    assert {o["value"] for o in forms["units"]["district"]["options"]} == set(settings.districts)
    assert [o["label"] for o in forms["stories"]["kind"]["options"]] == list(formats.STORY_KINDS.values())
    assert forms["stories"]["date"]["format"] == "YYYY-MM-DD" and forms["stories"]["date"]["time_format"] is False
    assert forms["members"]["photo"]["widget"] == "image"
    assert forms["members"]["photo"]["public_folder"] == "images/members"
    assert forms["stories"]["tags"]["max"] == 10


def test_every_id_field_of_an_edited_kind_refers_to_something():
    """A new id field in formats.py needs an entry in admin.REFERENCES (or SITE_CHOICES): else its form
    would be a bare text box where an editor must type an id."""
    def ids(record: Record, prefix: str = ""):
        for key, field in record.fields.items():
            t = field.type
            item = getattr(t, "item", None)
            if isinstance(t, Id) or isinstance(item, Id):
                yield key
            inner = item if item is not None else t
            if isinstance(inner, Record):
                yield from ids(inner, prefix + key + ".")
    for name, spec in admin.KINDS.items():
        for key in ids(spec["schema"]):
            assert key in admin.REFERENCES or key in admin.SITE_CHOICES, (name, key)


def test_backends_for_each_forge(settings):
    base = {"repo": "qingchuan/pledge-site", "branch": "main", "url": None, "app_id": None, "auth_url": None,
            "workflow": True}
    github = admin.backend({**base, "forge": "github", "auth_url": "https://cms-auth.example.cn/auth"})
    assert github == {**github, "name": "github", "base_url": "https://cms-auth.example.cn", "auth_endpoint": "auth"}
    gitlab = admin.backend({**base, "forge": "gitlab", "app_id": "abc"})
    assert gitlab["auth_type"] == "pkce" and gitlab["api_root"] == "https://gitlab.com/api/v4"
    forgejo = admin.backend({**base, "forge": "forgejo", "app_id": "abc", "url": "https://git.example.cn/"})
    assert forgejo["name"] == "gitea" and forgejo["api_root"] == "https://git.example.cn/api/v1"


def test_editing_block_is_checked(tmp_path, capsys):
    site = make_site(tmp_path)
    text = (site / "content/site.yaml").read_text(encoding="utf-8")
    (site / "content/site.yaml").write_text(text + "editing:\n  forge: gitea\n  repo: a/b\n", encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 1
    assert "forge: gitea 还需要 app_id" in out + err and "forge: gitea 还需要 url" in out + err


def test_admin_is_published_only_with_editing(tmp_path, capsys):
    require(installed(), "decap-cms and js-yaml are not installed: bash scripts/install-node-deps.sh")
    site = make_site(tmp_path)
    code, _, _ = run(capsys, "build", site, "-o", tmp_path / "plain")
    assert code == 0 and not (tmp_path / "plain/admin").exists()
    text = (site / "content/site.yaml").read_text(encoding="utf-8")
    (site / "content/site.yaml").write_text(text + EDITING, encoding="utf-8")
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 0, err
    out = tmp_path / "out/admin"
    assert (out / "decap-cms.js").read_bytes() == (ROOT / "node_modules/decap-cms/dist/decap-cms.js").read_bytes()
    config = yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"]["name"] == "gitea" and config["publish_mode"] == "editorial_workflow"
    assert config["locale"] == "zh_Hans"
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "noindex" in html and "http" not in html.replace("https://", "")  # nothing from a CDN
    for script in ("decap-cms.js", "js-yaml.min.js", "setup.js", "admin.js"):
        assert f'src="{script}"' in html and (out / script).is_file()


def roundtrip(kind: str, files: list[Path], setup: Path) -> dict[str, str]:
    """What admin.js's format writes after reading each file (Node runs the same file the browser does)."""
    script = (
        "const fs=require('fs'),vm=require('vm');"
        "vm.runInThisContext(fs.readFileSync(process.argv[1],'utf8').replace('window.SB_ADMIN','globalThis.SB_ADMIN'));"
        "const f=require(process.argv[2]).formatter(process.argv[3]);const out={};"
        "for(const p of process.argv.slice(4))out[p]=f.toFile(f.fromFile(fs.readFileSync(p,'utf8')));"
        "console.log(JSON.stringify(out));"
    )
    proc = subprocess.run([NODE, "-e", script, str(setup), str(admin.HERE / "admin.js"), kind, *map(str, files)],
                          capture_output=True, text=True, env={"NODE_PATH": str(ROOT / "node_modules")}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_what_the_forms_write_passes_check(tmp_path, capsys, settings):
    """Every sample file read by the app and written back (what saving a form writes) passes check,
    and the site built from them is the same."""
    require(NODE is not None and installed(), "node, decap-cms and js-yaml are needed: bash scripts/install-node-deps.sh")
    site = tmp_path / "site"
    shutil.copytree(SAMPLE / "content", site / "content")
    setup = tmp_path / "setup.js"
    setup.write_bytes(admin.setup_js(settings))
    changed = 0
    for kind in admin.KINDS:
        files = sorted((site / "content" / kind).glob("*.*"))
        for path, text in roundtrip(kind, files, setup).items():
            path = Path(path)
            changed += text != path.read_text(encoding="utf-8")
            path.write_text(text, encoding="utf-8")
    assert changed  # the comments are gone, at least
    code, out, err = run(capsys, "check", site)
    assert code == 0, out + err
    story = (site / "content/stories/budongchan-yichuang-shouli.md").read_text(encoding="utf-8")
    assert story.startswith("---\ntitle: 一张笑脸迎群众，一次办好暖人心\ndate: 2025-05-12\n")
    code, _, err = run(capsys, "build", SAMPLE, "-o", tmp_path / "before", "--no-cache")
    code2, _, err2 = run(capsys, "build", site, "-o", tmp_path / "after", "--no-cache")
    assert code == code2 == 0, err + err2
    for page in ("stories/budongchan-yichuang-shouli/index.html", "members/lin-xiaowen/index.html",
                 "posts/zrzy-budongchan-window/index.html"):
        assert (tmp_path / "before" / page).read_bytes() == (tmp_path / "after" / page).read_bytes(), page


def test_what_a_cms_may_write_is_accepted_or_refused_clearly(tmp_path, capsys, settings):
    require(NODE is not None and installed(), "node, decap-cms and js-yaml are needed: bash scripts/install-node-deps.sh")
    site = make_site(tmp_path)
    path = site / "content/stories/first.md"
    text = path.read_text(encoding="utf-8")
    # Keys in another order, null values, a date-time where a date is meant, an empty optional text:
    # the app's format writes the file check expects.
    odd = text.replace("---\n", "---\nsummary: ''\ncover: null\n", 1)
    odd = re.sub(r"(?m)^date: (\d{4}-\d{2}-\d{2})$", r"date: \g<1>T00:00:00.000Z", odd, count=1)
    path.write_text(odd, encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 1 and "日期" in out + err  # a date-time written by hand: refused, saying how to write it
    setup = tmp_path / "setup.js"
    setup.write_bytes(admin.setup_js(settings))
    fixed = roundtrip("stories", [path], setup)[str(path)]
    assert "T00:00" not in fixed and "summary" not in fixed and "cover" not in fixed
    assert fixed.startswith("---\ntitle: 窗口里的笑脸\ndate: 2025-03-01\n")
    path.write_text(fixed, encoding="utf-8")
    code, out, err = run(capsys, "check", site)
    assert code == 0, out + err


def test_new_file_names_are_pinyin_like_new(tmp_path, settings):
    require(NODE is not None and installed(), "node and js-yaml are needed: bash scripts/install-node-deps.sh")
    from site_builder.commands.new import new_id
    setup = tmp_path / "setup.js"
    setup.write_bytes(admin.setup_js(settings))
    cases = [("stories", {"title": "测试故事：Café 12345热线"}), ("units", {"name": "青川市税务局"}),
             ("members", {"name": "林晓雯", "post": ["zrzy-budongchan-window"]}),
             ("posts", {"name": "办税服务厅导税岗", "unit": "tax"})]
    script = (
        "const fs=require('fs'),vm=require('vm');"
        "vm.runInThisContext(fs.readFileSync(process.argv[1],'utf8').replace('window.SB_ADMIN','globalThis.SB_ADMIN'));"
        "const SB=require(process.argv[2]);"
        "console.log(JSON.stringify(JSON.parse(process.argv[3]).map(c=>SB.newId(c[0],c[1]))));"
    )
    proc = subprocess.run([NODE, "-e", script, str(setup), str(admin.HERE / "admin.js"), json.dumps(cases)],
                          capture_output=True, text=True, env={"NODE_PATH": str(ROOT / "node_modules")}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    empty = tmp_path / "empty"
    expected = [
        new_id(empty, "stories", ".md", "测试故事：Café 12345热线", fallback="story")[0],
        new_id(empty, "units", ".yaml", "青川市税务局", fallback="unit")[0],
        new_id(empty, "members", ".yaml", "林晓雯", "zrzy-budongchan-window", "member")[0],
        new_id(empty, "posts", ".yaml", "办税服务厅导税岗", "tax", "post")[0],
    ]
    assert got == expected
