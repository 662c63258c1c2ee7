"""site.yaml ``editing:``: where the editing app ``/admin/`` saves (docs/content-format.md "网页编辑").

The app (Decap CMS, see pages/admin.py) talks to the forge from the editor's browser: it signs in with
an OAuth application of the forge, then commits, or with ``workflow: true`` opens a pull request per
draft. Without this block no ``/admin/`` is published; ``site-builder serve`` offers one that saves
into the local working copy all the same.
"""

from __future__ import annotations

import re

from .schema import Bool, Ctx, Enum, Field, Rec, Record, Str
from .values import check_url

FORGES = {"github": "GitHub", "gitlab": "GitLab", "gitea": "Gitea", "forgejo": "Forgejo"}
# The forge's own address when ``url`` is not given (only the hosted services have one).
DEFAULT_URLS = {"github": "https://github.com", "gitlab": "https://gitlab.com"}


def check_repo(text: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", text) or ".." in text:
        return f"仓库 `{text}` 的写法不对：请写成 所有者/仓库名，如 qingchuan/pledge-site（GitLab 的子组：组/子组/仓库名）。"
    return None


def check_branch(text: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", text) or ".." in text or text.startswith(("/", "-")) or text.endswith("/"):
        return f"分支名 `{text}` 不对：只用英文字母、数字和 - _ . /，如 main。"
    return None


def check_https(text: str) -> str | None:
    problem = check_url(text)
    if problem:
        return problem
    if not text.startswith("https://"):
        return "登录要经过这个地址，必须是 https:// 开头（否则口令会明文传输）。"
    return None


def _check(rec: Rec, ctx: Ctx) -> None:
    forge = rec["forge"]
    if forge == "github" and not rec["auth_url"]:
        ctx.error(rec.line, rec.col, "forge: github 还需要 auth_url：GitHub 的登录要经过一个 OAuth 中转服务，"
                                     "写它的登录地址，如 https://cms-auth.qingchuan.example.cn/auth（见 docs/editors.md）。")
    if forge != "github" and not rec["app_id"]:
        ctx.error(rec.line, rec.col, f"forge: {forge} 还需要 app_id：在 {FORGES[forge]} 里新建 OAuth 应用后得到的"
                                     "“客户端 ID”（Application ID / Client ID，见 docs/editors.md）。")
    if forge in ("gitea", "forgejo") and not rec["url"]:
        ctx.error(rec.line, rec.col, f"forge: {forge} 还需要 url：自建 {FORGES[forge]} 的地址，如 https://git.qingchuan.example.cn。")


EDITING = Record({
    "forge": Field(Enum(FORGES), required=True, doc="代码托管平台"),
    "repo": Field(Str(max_len=200, check=check_repo), required=True, doc="仓库：所有者/仓库名"),
    "branch": Field(Str(max_len=100, check=check_branch), default="main", doc="发布分支"),
    "url": Field(Str(max_len=200, check=check_https), doc="自建平台的地址（GitHub、GitLab.com 不用写）"),
    "app_id": Field(Str(max_len=200), doc="OAuth 应用的客户端 ID（GitLab、Gitea、Forgejo）"),
    "auth_url": Field(Str(max_len=300, check=check_https), doc="GitHub 的 OAuth 中转服务的登录地址"),
    "workflow": Field(Bool(), default=True, doc="true：每篇稿件开一个合并请求，审核后发布"),
}, check=_check)
