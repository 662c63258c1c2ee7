"""The editing app ``/admin/``: Decap CMS with forms generated from the content schema.

Nothing here is written by hand per field: :func:`config` walks the records of ``content/formats.py``
(the schema ``check`` uses) and turns each :class:`~site_builder.content.schema.Field` into a Decap
widget with the same required flag, length limit, pattern, choices and default; references to other
records (a story's members and posts, a member's post, a post's unit) become relation widgets
searched by name; districts and sectors come from site.yaml. Chinese labels and hints are
:data:`LABELS` (the words of docs/content-format.md); a field without one falls back to its ``doc=``.

The files the app writes are made by ``admin.js`` (a custom Decap format per kind, driven by
:func:`kinds_spec`): keys in schema order, dates as ``2025-03-06``, empty optional keys left out, and a
new file named like ``site-builder new`` names it (pinyin of the title or name, from the table
:func:`pinyin_table` makes with the same pypinyin). ``tests/test_admin.py`` runs that JavaScript over
every sample file and checks what it writes.

Decap CMS itself (``node_modules/decap-cms/dist``, pinned in package.json, installed by
``scripts/install-node-deps.sh``) is copied into the output: nothing is loaded from a CDN. The app is
published only when site.yaml has ``editing:`` (it needs a forge to save to); ``site-builder serve``
offers it on 127.0.0.1 with a local backend whatever site.yaml says (commands/cms_local.py).
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import unicodedata
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterator

from ..content import formats
from ..content.editing import DEFAULT_URLS
from ..content.schema import ID_RE, RESERVED_IDS, Bool, Date, Dict, Enum, Field, Id, Int, List, Month, MonthDay, Num, Record, Str
from ..model.build import Model, Settings
from .web import Page

DECAP_VERSION = "3.16.3"
JS_YAML_VERSION = "4.1.0"
FOLDER = "admin"
HERE = Path(__file__).resolve().parent
SLUG_MAX, ID_MAX = 40, 64  # commands/new.py: a title gives at most 40 characters of an id

# The record kinds the app edits: collection name → (folder in content/, schema, label, singular, identifier, id spec).
# Evaluations and site.yaml are the office's (spreadsheet import, docs/editors.md): no form for them.
KINDS: dict[str, dict[str, Any]] = {
    "stories": {"schema": formats.STORY, "extension": "md", "label": "先进事迹", "singular": "文章",
                "identifier": "title", "id": {"from": "title", "fallback": "story"},
                "description": "先进事迹、典型经验：写好后点“发布”（或“保存”），网站上会出现在写到的岗位和党员页面上。"},
    "members": {"schema": formats.MEMBER, "extension": "yaml", "label": "党员", "singular": "党员",
                "identifier": "name", "id": {"from": "name", "prefix": "post", "fallback": "member"},
                "description": "党员的岗位承诺、岗位先进性标准和本人同意公开的情况。"},
    "posts": {"schema": formats.POST, "extension": "yaml", "label": "示范岗", "singular": "示范岗",
              "identifier": "name", "id": {"from": "name", "prefix": "unit", "fallback": "post"},
              "description": "星级党员示范岗、党员示范窗口。星级由考评记录计算，这里不填。"},
    "units": {"schema": formats.UNIT, "extension": "yaml", "label": "单位", "singular": "单位",
              "identifier": "name", "id": {"from": "name", "fallback": "unit"},
              "description": "单位 / 党支部。"},
}

# An id field refers to a record of this collection (searched by its name) ...
REFERENCES = {"post": "posts", "posts": "posts", "member": "members", "members": "members", "unit": "units"}
# ... or to a key of this site.yaml mapping.
SITE_CHOICES = {"district": "districts", "sector": "sectors"}
# Keys of an id-keyed mapping (``pledges: {post id: text}``) refer to this collection.
DICT_KEYS = {"pledges": "posts"}
# Text fields that hold the path of a photo, and the folder of content/images/ uploads go to.
IMAGE_FIELDS = {("members", "photo"): "members", ("stories", "cover.file"): "stories"}

# Chinese labels and hints (docs/content-format.md). Key: collection, then the dotted key.
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "stories": {
        "title": ("标题", "80 字以内；新文章的文件名（网址）由标题的拼音生成，发布后不再改变"),
        "date": ("日期", ""),
        "author": ("作者", "作者或供稿单位"),
        "kind": ("类别", ""),
        "posts": ("写到的示范岗", "输入岗位名称中的字查找；文章会出现在这些岗位的页面上"),
        "members": ("写到的党员", "输入姓名查找；本人不同意公开的党员不能写"),
        "tags": ("标签", "最多 10 个，每个 20 字以内，如 窗口服务"),
        "cover": ("封面照片", "可省"),
        "cover.file": ("照片", "JPEG、PNG 或 WebP，15 MB 以内；网站会缩小照片并去掉拍摄地点等信息"),
        "cover.alt": ("照片的文字说明", "填了照片就必填：读屏软件朗读这句话，如“窗口工作人员为老人讲解材料”"),
        "cover.caption": ("图注", "可省：显示在照片下方"),
        "summary": ("摘要", "可省：列表页显示的一两句话，默认取正文开头"),
        "body": ("正文", "可以有小标题、列表、加粗、链接和照片"),
    },
    "members": {
        "name": ("姓名", ""),
        "post": ("所在示范岗", "输入岗位名称中的字查找"),
        "position": ("职务", "如 不动产登记受理员"),
        "order": ("排序", "可省：在公示榜上的先后顺序，小的在前"),
        "consent": ("本人书面同意情况", "未签同意书前两项都不要勾选：此人不会出现在任何页面上"),
        "consent.public": ("同意公开姓名、职务、承诺和岗位标准", ""),
        "consent.photo": ("同意公开照片", "不同意时显示中性占位图"),
        "consent.date": ("签署同意书日期", "可省"),
        "photo": ("照片", "可省：本人同意公开照片时才会显示；JPEG、PNG 或 WebP，15 MB 以内"),
        "pledge": ("一句岗位承诺", f"自拟的格言，不超过 {formats.MAX_PLEDGE} 字"),
        "pledges": ("在其他岗位的承诺", "可省：在某个岗位另写的一句承诺"),
        "pledges.key": ("岗位", ""),
        "pledges.value": ("承诺", ""),
        "roles": ("四员", "可省：示范员、服务员、引导员、宣传员"),
        "standard": ("岗位先进性标准", "党员提标准 → 群众议标准 → 组织定标准"),
        "standard.items": ("标准条目", f"每条 100 字以内，最多 {formats.MAX_STANDARD_ITEMS} 条"),
        "standard.proposed": ("党员提标准日期", ""),
        "standard.comment_from": ("群众议标准开始日期", "可省：网站“征求意见”页会列出"),
        "standard.comment_until": ("征求意见截止日期", "可省"),
        "standard.set": ("组织定标准日期", "可省：未填写时标准处于“征求意见中”"),
        "records": ("对标记录卡", "每次对照标准的记录"),
        "records.date": ("日期", ""),
        "records.text": ("记录", "300 字以内"),
        "records.public": ("在网站公开", "不勾选：只打印进档案"),
        "assessments": ("达标评议卡", "党员自评、群众评议、组织评议的结果"),
        "assessments.period": ("评议期", "如 2025 年上半年"),
        "assessments.date": ("日期", ""),
        "assessments.self": ("党员自评", ""),
        "assessments.public": ("群众评议", ""),
        "assessments.organisation": ("组织评议", ""),
        "assessments.result": ("结果", ""),
        "assessments.remarks": ("评语", "可省：只打印，不在网站公开"),
        "honours": ("表彰", "可省：获得的表彰（进入光荣榜）"),
        "honours.date": ("日期", ""),
        "honours.title": ("称号", "如 青川市优秀共产党员"),
    },
    "posts": {
        "name": ("岗位名称", ""),
        "kind": ("类别", ""),
        "unit": ("所属单位", "输入单位名称查找"),
        "location": ("岗位所在位置", "可省：如 市民中心二楼 B 区 12 号窗口"),
        "description": ("岗位职责简介", "可省，400 字以内"),
        "declared": ("支部申报日期", ""),
        "approval": ("市先教办批复", "没有批复的岗位不会出现在网站上"),
        "approval.date": ("批复日期", "填写批复时必填"),
        "approval.number": ("批复文号", "如 青先教办〔2025〕7号"),
        "feedback": ("群众监督渠道", "每个页面和公示榜都会显示"),
        "feedback.book": ("意见簿放在哪里", ""),
        "feedback.phone": ("投诉电话", "公开的办公电话，不能写个人手机号"),
        "feedback.form": ("网上意见表", "可省：https:// 开头"),
        "feedback.email": ("投诉邮箱", "可省"),
        "revoked": ("摘牌", "可省：因考评以外的原因摘牌时填写"),
        "revoked.date": ("摘牌日期", ""),
        "revoked.reason": ("摘牌原因", ""),
        "revoked.number": ("文号", "可省"),
    },
    "units": {
        "name": ("单位名称", ""),
        "branch": ("党支部名称", "申报示范岗的党支部"),
        "district": ("区县", ""),
        "sector": ("行业", ""),
        "address": ("地址", "可省"),
        "service_hall": ("有对外服务大厅", "勾选后其窗口岗位称“党员示范窗口”"),
        "website": ("单位网站", "可省：https:// 开头"),
    },
}


def label(kind: str, key: str, field: Field | None) -> tuple[str, str]:
    """(label, hint) of a field: LABELS, else its ``doc=``, else the key itself."""
    if key in LABELS.get(kind, {}):
        return LABELS[kind][key]
    return (field.doc if field is not None and field.doc else key.rsplit(".", 1)[-1]), ""


# -- schema → Decap widgets -----------------------------------------------------------------------

def _length_pattern(t: Str) -> list[str]:
    body = r"[\s\S]" if t.multiline else r"[^\n]"
    return [f"^{body}{{{t.min_len},{t.max_len}}}$", f"最多 {t.max_len} 个字"]


def _text(t: Str, field: dict) -> dict:
    field["widget"] = "text" if t.multiline else "string"
    if t.check is formats.URL.check:
        field["pattern"] = [r"^https?://\S+$", "请写完整的网址，https:// 开头"]
    elif t.check is formats.EMAIL.check:
        field["pattern"] = [r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "请写电子邮箱地址，如 tousu@example.cn"]
    elif isinstance(t, Id):
        field["pattern"] = [ID_RE.pattern, "只用小写英文字母、数字和连字符（-）"]
    else:
        field["pattern"] = _length_pattern(t)
    return field


def widget(kind: str, key: str, t: Any, settings: Settings, required: bool, default: Any = None) -> dict:
    """The Decap field (without name and label) for a value of schema type ``t`` at ``key``."""
    leaf = key.rsplit(".", 1)[-1]
    out: dict[str, Any] = {}
    if isinstance(t, Enum):
        out.update(widget="select", options=[{"label": v, "value": k} for k, v in t.values.items()])
    elif isinstance(t, Id) and leaf in REFERENCES:
        out.update(_relation(REFERENCES[leaf]))
    elif isinstance(t, Id) and leaf in SITE_CHOICES:
        choices = getattr(settings, SITE_CHOICES[leaf])
        out.update(widget="select", options=[{"label": v, "value": k} for k, v in choices.items()])
    elif (kind, key) in IMAGE_FIELDS:
        folder = IMAGE_FIELDS[kind, key]
        out.update(widget="image", choose_url=False, media_folder=f"/content/images/{folder}",
                   public_folder=f"images/{folder}")
    elif isinstance(t, Str):
        _text(t, out)
    elif isinstance(t, Bool):
        out.update(widget="boolean")
    elif isinstance(t, (Int, Num)):
        out.update(widget="number", value_type="int" if isinstance(t, Int) else "float")
        out.update({k: v for k, v in (("min", t.min), ("max", t.max)) if v is not None})
    elif isinstance(t, Date):
        out.update(widget="datetime", format="YYYY-MM-DD", date_format="YYYY-MM-DD", time_format=False,
                   picker_utc=True)
        if not required:
            out["default"] = ""  # an optional date stays empty until picked (else: today)
    elif isinstance(t, Month):
        out.update(widget="string", pattern=[r"^\d{4}-(0[1-9]|1[0-2])$", "写成 2025-03 这样的年-月"])
    elif isinstance(t, MonthDay):
        out.update(widget="string", pattern=[r"^\d{2}-\d{2}$", "写成 12-31 这样的月-日"])
    elif _is_list(t):
        out.update(_list(kind, key, t, settings))
    elif isinstance(t, Record):
        out.update(widget="object", collapsed=False, fields=fields(kind, t, settings, key, optional=not required))
    elif isinstance(t, Dict):
        out.update(widget="list", fields=[
            dict(name="key", label=label(kind, f"{key}.key", None)[0], required=True,
                 **(_relation(DICT_KEYS[leaf]) if leaf in DICT_KEYS else widget(kind, f"{key}.key", t.key, settings, True))),
            dict(name="value", label=label(kind, f"{key}.value", None)[0], required=True,
                 **widget(kind, f"{key}.value", t.value, settings, True)),
        ])
    else:  # a type this app has no form for: a plain text box, check says what is wrong
        out.update(widget="string")
    if default not in (None, [], {}) and not callable(default) and "default" not in out:
        out["default"] = default
    return out


def _is_list(t: Any) -> bool:
    return isinstance(t, List) or type(t).__name__ == "OneOrList"


def _relation(collection: str) -> dict:
    return {"widget": "relation", "collection": collection, "value_field": "{{slug}}",
            "search_fields": ["name"], "display_fields": ["name"], "options_length": 50}


def _list(kind: str, key: str, t: Any, settings: Settings) -> dict:
    item = t.item
    leaf = key.rsplit(".", 1)[-1]
    limits = {k: v for k, v in (("min", getattr(t, "min_len", 0) or None), ("max", getattr(t, "max_len", None))) if v}
    if isinstance(item, Enum):
        return {"widget": "select", "multiple": True,
                "options": [{"label": v, "value": k} for k, v in item.values.items()], **limits}
    if isinstance(item, Id) and leaf in REFERENCES:
        return {**_relation(REFERENCES[leaf]), "multiple": True, **limits}
    if isinstance(item, Record):
        inner = fields(kind, item, settings, key)
        return {"widget": "list", "fields": inner, "collapsed": True, "summary": "{{fields.%s}}" % inner[0]["name"],
                **limits}
    inner_field = {"name": leaf, "label": label(kind, key, None)[0], **widget(kind, key + ".item", item, settings, True)}
    return {"widget": "list", "field": inner_field, **limits}


def fields(kind: str, record: Record, settings: Settings, prefix: str = "", optional: bool = False) -> list[dict]:
    """The Decap fields of a record, in the schema's order. Inside an optional record nothing is required
    in the form (Decap would demand the inner fields even when the whole record is left out); check
    still says which key is missing when it is filled in half."""
    out = []
    for name, field in record.fields.items():
        key = f"{prefix}.{name}" if prefix else name
        text, hint = label(kind, key, field)
        required = field.required and not optional
        entry = {"name": name, "label": text, "required": required,
                 **widget(kind, key, field.type, settings, field.required, field.default)}
        if hint:
            entry["hint"] = hint
        out.append(entry)
    return out


def collection(name: str, settings: Settings) -> dict:
    spec = KINDS[name]
    out = {
        "name": name, "label": spec["label"], "label_singular": spec["singular"], "description": spec["description"],
        "folder": f"content/{name}", "extension": spec["extension"], "format": f"sb-{name}",
        "create": True, "delete": False, "identifier_field": spec["identifier"],
        "slug": "{{sb_id}}",  # admin.js (preSave): the pinyin id `site-builder new` would give
        "summary": "{{%s}}" % spec["identifier"],
        "sortable_fields": [spec["identifier"]],
        "fields": fields(name, spec["schema"], settings),
    }
    if name == "stories":
        out["sortable_fields"] = [{"field": "date", "default_sort": "desc"}, "title"]  # the newest first
        out["summary"] = "{{title}}（{{date}}）"
        out["media_folder"] = "/content/images/stories"  # photos in the body: ../images/stories/x.jpg
        out["public_folder"] = "../images/stories"
        label_text, hint = label(name, "body", None)
        out["fields"].append({"name": "body", "label": label_text, "hint": hint, "widget": "markdown",
                              "required": True, "modes": ["rich_text", "raw"],
                              "buttons": ["bold", "italic", "link", "heading-two", "heading-three",
                                          "bulleted-list", "numbered-list", "quote"],
                              "editor_components": ["image"]})
    return out


def backend(editing: dict | None, local_url: str | None = None) -> dict:
    """Decap's ``backend:``: the local one of ``serve`` (``local_url``), else site.yaml ``editing:``."""
    if local_url is not None:
        return {"name": "proxy", "proxy_url": local_url, "branch": "main"}
    assert editing is not None
    forge = editing["forge"]
    name = "gitea" if forge == "forgejo" else forge
    out: dict[str, Any] = {"name": name, "repo": editing["repo"], "branch": editing["branch"]}
    url = (editing["url"] or DEFAULT_URLS.get(forge, "")).rstrip("/")
    if forge == "github":
        auth = editing["auth_url"]
        scheme_host = re.match(r"^https://[^/]+", auth).group(0)
        out.update(base_url=scheme_host, auth_endpoint=auth[len(scheme_host):].lstrip("/") or "auth")
        if editing["url"]:  # GitHub Enterprise
            out["api_root"] = f"{url}/api/v3"
    elif forge == "gitlab":
        out.update(auth_type="pkce", app_id=editing["app_id"], base_url=url, api_root=f"{url}/api/v4",
                   auth_endpoint="oauth/authorize")
    else:
        out.update(app_id=editing["app_id"], base_url=url, api_root=f"{url}/api/v1")
    out["commit_messages"] = {
        "create": "新建{{collection}}：{{slug}}", "update": "修改{{collection}}：{{slug}}",
        "delete": "删除{{collection}}：{{slug}}", "uploadMedia": "上传照片：{{path}}", "deleteMedia": "删除照片：{{path}}",
    }
    return out


def config(settings: Settings, local_url: str | None = None) -> dict:
    """The whole Decap configuration (admin/config.yml)."""
    out: dict[str, Any] = {
        "backend": backend(settings.editing, local_url),
        "locale": "zh_Hans" if settings.language == "zh-CN" else "en",
        "site_url": settings.base_url,
        "display_url": settings.base_url,
        "logo_url": "",
        "show_preview_links": False,
        "search": True,
        "media_folder": "content/images",
        "public_folder": "images",
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
        "collections": [collection(name, settings) for name in KINDS],
    }
    del out["logo_url"]
    workflow = settings.editing["workflow"] if settings.editing else False
    if local_url is None and workflow:
        out["publish_mode"] = "editorial_workflow"  # every draft a branch and a pull request
    return out


# -- what admin.js needs to write files like `site-builder new` -----------------------------------

def kinds_spec() -> dict:
    """Per collection: the schema's keys in order and how each value is written (admin.js)."""
    return {name: {"ext": spec["extension"], "id": spec["id"], "fields": _shape(spec["schema"])}
            for name, spec in KINDS.items()}


def _shape(t: Any) -> Any:
    if isinstance(t, Record):
        return {"record": [[name, _shape(f.type)] for name, f in t.fields.items()]}
    if type(t).__name__ == "OneOrList":
        return {"one_or_list": _shape(t.item)}
    if isinstance(t, List):
        return {"list": _shape(t.item)}
    if isinstance(t, Dict):
        return {"dict": _shape(t.value)}
    if isinstance(t, Date):
        return "date"
    if isinstance(t, (Int, Num)):
        return "number"
    if isinstance(t, Bool):
        return "bool"
    return "text"


@functools.lru_cache(maxsize=1)
def pinyin_table() -> dict[str, str]:
    """{reading: the characters read so}, as ``site-builder new`` reads one character (pypinyin)."""
    from pypinyin import lazy_pinyin  # ~0.4 s to import: only when /admin/ is made

    table: dict[str, list[str]] = {}
    for code in list(range(0x3400, 0x4DC0)) + list(range(0x4E00, 0xA000)):
        ch = chr(code)
        reading = lazy_pinyin(ch)[0]
        if reading == ch:
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c))
        word = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))
        if word:
            table.setdefault(word, []).append(ch)
    return {word: "".join(chars) for word, chars in sorted(table.items())}


def setup_js(settings: Settings, local_url: str | None = None) -> bytes:
    data = {
        "kinds": kinds_spec(), "pinyin": pinyin_table(), "slugMax": SLUG_MAX, "idMax": ID_MAX,
        "reserved": sorted(RESERVED_IDS), "previewStyle": "../static/site.css", "local": local_url is not None,
    }
    text = "window.SB_ADMIN = " + json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + ";\n"
    return text.encode("utf-8")


def config_yml(settings: Settings, local_url: str | None = None) -> bytes:
    """config.yml as JSON text (JSON is YAML): exact, and nothing a YAML reader could read otherwise."""
    return (json.dumps(config(settings, local_url), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- the files of /admin/ -------------------------------------------------------------------------

CHECKOUT = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=8)
def _tracked(root: Path, folder: str) -> bool:
    """Whether ``root`` is in a git work tree that tracks a file under ``folder`` (or ``folder`` itself)."""
    if not (root / folder).exists() and not (root / folder).is_symlink():
        return False
    try:
        proc = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", folder],
                              capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False  # no git: not a checkout of anyone's pull request
    if proc.returncode == 0 and proc.stdout:
        print(f"注意：{root / folder} 里有 git 管理的文件，不使用其中的程序（网页编辑只用另外安装的 decap-cms）。",
              file=sys.stderr)
        return True
    return False


def bundle(site: Path) -> tuple[dict[str, Path] | None, str]:
    """({file name in admin/: source}, "") when decap-cms and js-yaml are installed at the pinned versions,
    else (None, why not). The site's own node_modules/ first, unless git tracks it (docs/security.md)."""
    for root in dict.fromkeys([site.resolve(), CHECKOUT]):
        modules = root / "node_modules"
        if root != CHECKOUT and (not modules.is_dir() or _tracked(root, "node_modules")):
            continue
        if _version(modules / "decap-cms") == DECAP_VERSION and _version(modules / "js-yaml") == JS_YAML_VERSION:
            dist = modules / "decap-cms" / "dist"
            files = {p.name: p for p in sorted(dist.iterdir())
                     if p.name.endswith(".decap-cms.js") or p.name == "decap-cms.js" or p.suffix == ".wasm"}
            files["js-yaml.min.js"] = modules / "js-yaml" / "dist" / "js-yaml.min.js"
            if "decap-cms.js" in files and files["js-yaml.min.js"].is_file():
                return files, ""
    return None, (f"本次未生成网页编辑 /admin/：需要 decap-cms {DECAP_VERSION} 和 js-yaml {JS_YAML_VERSION}"
                  "（运行 bash scripts/install-node-deps.sh）。")


def _version(package: Path) -> str | None:
    try:
        return json.loads((package / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def index_html(settings: Settings) -> bytes:
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(settings.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>内容编辑 · {escape(settings.title)}</title>\n"
        '<link href="config.yml" type="text/yaml" rel="cms-config-url">\n'
        "</head>\n<body>\n"
        '<noscript>内容编辑需要启用 JavaScript。</noscript>\n'
        "<script>window.CMS_MANUAL_INIT = true;</script>\n"
        '<script src="decap-cms.js"></script>\n<script src="js-yaml.min.js"></script>\n'
        '<script src="setup.js"></script>\n<script src="admin.js"></script>\n'
        "</body>\n</html>\n"
    ).encode("utf-8")


def files(settings: Settings, site: Path, local_url: str | None = None) -> tuple[dict[str, Callable[[], bytes]], str]:
    """{path inside admin/: bytes maker} of the whole app, or ({}, why not)."""
    found, why = bundle(site)
    if found is None:
        return {}, why
    out: dict[str, Callable[[], bytes]] = {name: path.read_bytes for name, path in found.items()}
    out["index.html"] = lambda: index_html(settings)
    out["config.yml"] = lambda: config_yml(settings, local_url)
    out["setup.js"] = lambda: setup_js(settings, local_url)
    out["admin.js"] = (HERE / "admin.js").read_bytes
    return out, ""


def pages(model: Model) -> Iterator[Page]:
    """/admin/ when site.yaml has ``editing:`` (and Decap CMS is installed)."""
    settings = model.settings
    if not settings.editing:
        return
    made, why = files(settings, model.content.parent)
    if not made:
        print(f"提示：{why}", file=sys.stderr)
        return
    for name, data in sorted(made.items()):
        yield Page(f"{FOLDER}/" if name == "index.html" else f"{FOLDER}/{name}", None, data=data)
