"""``site-builder serve``'s editing app: ``/admin/`` saving into the local working copy, no forge needed.

The app is the one the build publishes (pages/admin.py) with Decap's ``proxy`` backend pointed at
``/api/v1`` of the preview server, which answers Decap's local backend protocol (what ``npx
decap-server`` does in Node: ``entriesByFolder``, ``getEntry``, ``persistEntry``, ``getMedia``,
``persistMedia``, ``deleteFile`` ...) here in Python. The preview server then sees the changed file and
rebuilds, as after any edit.

This backend reads and writes files, and the editor's browser has other pages open. So (tests in
tests/test_cms_local.py, docs/security.md):

* it is offered only when the preview listens on a loopback address (127.0.0.1, ::1);
* every request must name this server in ``Host`` (a page of another site that a DNS name leads here,
  "DNS rebinding", names its own) and every ``/api/v1`` request must come with an ``Origin`` of this
  server and ``Content-Type: application/json`` (a page of another site cannot send that without
  asking first, and is never told yes);
* every path is resolved, symbolic links included, and must lie inside ``content/``; entries are written
  only as ``content/<stories|members|posts|units>/<id>.<md|yaml>`` and only when they pass the schema
  ``check`` uses (else Decap shows our message); photos only into ``content/images/`` as JPEG, PNG or
  WebP within the size limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import posixpath
import tempfile
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from PIL import Image

from ..errors import ContentErrors, UsageError
from ..model import images
from ..model.build import Settings
from ..pages import admin
from .devserver import Response
from .new import validate

API = "/api/v1"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _json(status: int, value: Any) -> Response:
    return Response(status, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _text(status: int, message: str) -> Response:
    return Response(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


class LocalEditing:
    """The devserver app of ``serve``: ``/admin/`` and ``/api/v1`` (see the module's text)."""

    def __init__(self, site: Path, settings: Callable[[], Settings | None], url: Callable[[], str]):
        self.site = site
        self.content = (site / "content").resolve()
        self.settings, self.url = settings, url

    # -- the request ------------------------------------------------------------------------------
    def __call__(self, method: str, target: str, headers, body: bytes) -> Response | None:
        path = target.split("#", 1)[0].split("?", 1)[0]
        if path != API and path != "/admin" and not path.startswith("/admin/"):
            return None
        try:
            self._check_host(headers)
            if path == API:
                if method != "POST":
                    return Response(405, "text/plain; charset=utf-8", b"405 Method Not Allowed\n", {"Allow": "POST"})
                self._check_origin(headers)
                return _json(200, self.api(body))
            if method not in ("GET", "HEAD"):
                return Response(405, "text/plain; charset=utf-8", b"405 Method Not Allowed\n", {"Allow": "GET, HEAD"})
            return self.app_file(path)
        except Refused as exc:
            return _json(exc.status, {"error": exc.message}) if path == API else _text(exc.status, exc.message)

    def _hosts(self) -> set[str]:
        port = urlsplit(self.url()).port
        return {f"{host}:{port}" for host in ("127.0.0.1", "localhost", "[::1]")}

    def _check_host(self, headers) -> None:
        if (headers.get("Host") or "").lower() not in self._hosts():
            raise Refused(403, "本机编辑只接受发给本机预览地址的请求（Host 不符）。请用 site-builder serve 显示的地址打开 /admin/。")

    def _check_origin(self, headers) -> None:
        origin = headers.get("Origin") or ""
        if not origin.startswith("http://") or origin[len("http://"):].lower() not in self._hosts():
            raise Refused(403, "本机编辑只接受来自本机预览页面 /admin/ 的请求（Origin 不符）。")
        if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            raise Refused(415, "请求必须是 application/json。")

    def app_file(self, path: str) -> Response:
        if path == "/admin":
            return Response(301, "text/plain; charset=utf-8", b"", {"Location": "/admin/"})
        settings = self.settings()
        if settings is None:
            raise Refused(503, "网站还没有生成成功，内容编辑暂不可用：请先按终端或预览页上的提示改正内容。")
        made, why = admin.files(settings, self.site, local_url=self.url().rstrip("/") + API)
        if not made:
            raise Refused(503, why)
        name = path[len("/admin/"):] or "index.html"
        if name not in made:
            raise Refused(404, "404 页面未找到")
        kind = {".js": "text/javascript; charset=utf-8", ".yml": "text/yaml; charset=utf-8",
                ".html": "text/html; charset=utf-8", ".wasm": "application/wasm"}
        return Response(200, kind.get(posixpath.splitext(name)[1], "application/octet-stream"), made[name]())

    # -- Decap's local backend protocol -------------------------------------------------------------
    def api(self, body: bytes) -> Any:
        try:
            request = json.loads(body.decode("utf-8"))
            action, params = request["action"], request.get("params") or {}
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            raise Refused(422, "请求格式不对。") from None
        if not isinstance(action, str) or not isinstance(params, dict):
            raise Refused(422, "请求格式不对。")
        handler = getattr(self, "do_" + action, None) if action.isidentifier() else None
        if handler is None:
            raise Refused(422, f"不支持的操作 {action}。")
        return handler(params)

    def do_info(self, params: dict) -> Any:
        return {"repo": self.site.resolve().name, "publish_modes": ["simple"], "type": "local_fs"}

    def do_entriesByFolder(self, params: dict) -> Any:
        folder = self.resolve(_str(params, "folder"), existing=True)
        extension = str(params.get("extension") or "")
        if not folder.is_dir():
            return []
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(extension)
                       and not p.name.startswith("."))
        return [self.entry(self.shown(p)) for p in files]

    def do_entriesByFiles(self, params: dict) -> Any:
        files = params.get("files")
        if not isinstance(files, list):
            raise Refused(422, "请求格式不对。")
        return [self.entry(_str(f, "path"), f.get("label")) for f in files if isinstance(f, dict)]

    def do_getEntry(self, params: dict) -> Any:
        return self.entry(_str(params, "path"))

    def do_persistEntry(self, params: dict) -> Any:
        files = params.get("dataFiles") or ([params["entry"]] if isinstance(params.get("entry"), dict) else [])
        assets = params.get("assets") or []
        if not isinstance(files, list) or not isinstance(assets, list):
            raise Refused(422, "请求格式不对。")
        checked = []
        for item in files:
            if not isinstance(item, dict):
                raise Refused(422, "请求格式不对。")
            if item.get("newPath"):
                raise Refused(422, "不能改文件名：编号就是网址，发布后不要改。需要的话请新建一篇，再删除原来的。")
            shown = _str(item, "path")
            raw = item.get("raw")
            if not isinstance(raw, str):
                raise Refused(422, "请求格式不对。")
            path = self.entry_path(shown)
            self.validate(path, raw)
            checked.append((path, raw))
        media = [self.media(asset) for asset in assets]
        for path, data in media:
            _write(path, data)
        for path, raw in checked:
            _write(path, raw.encode("utf-8"))
        return {"message": "entry persisted"}

    def do_getMedia(self, params: dict) -> Any:
        folder = self.resolve(_str(params, "mediaFolder"), existing=True)
        if not folder.is_dir():
            return []
        return [self.media_file(p) for p in sorted(folder.iterdir())
                if p.is_file() and p.suffix.lower() in images.SUFFIXES and not p.name.startswith(".")]

    def do_getMediaFile(self, params: dict) -> Any:
        path = self.resolve(_str(params, "path"), existing=True)
        if not path.is_file():
            raise Refused(404, "找不到这张照片。")
        return self.media_file(path)

    def do_persistMedia(self, params: dict) -> Any:
        asset = params.get("asset")
        path, data = self.media(asset if isinstance(asset, dict) else {})
        _write(path, data)
        return self.media_file(path)

    def do_deleteFile(self, params: dict) -> Any:
        self.delete([_str(params, "path")])
        return {"message": "deleted"}

    def do_deleteFiles(self, params: dict) -> Any:
        paths = params.get("paths")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise Refused(422, "请求格式不对。")
        self.delete(paths)
        return {"message": "deleted"}

    def do_getDeployPreview(self, params: dict) -> Any:
        return None

    # -- files --------------------------------------------------------------------------------------
    def resolve(self, shown: str, existing: bool = False) -> Path:
        """``content/...`` (as Decap names it, relative to the site folder) → a path inside content/."""
        if "\\" in shown or "\x00" in shown or shown.startswith("/") or ":" in shown:
            raise Refused(403, f"`{shown}` 不在 content/ 里：本机编辑只能读写 content/ 里的文件。")
        norm = posixpath.normpath(shown)
        if norm != "content" and not norm.startswith("content/"):
            raise Refused(403, f"`{shown}` 不在 content/ 里：本机编辑只能读写 content/ 里的文件。")
        path = self.site / norm
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            raise Refused(403, f"`{shown}` 无法读取。") from None
        if not (real == self.content or real.is_relative_to(self.content)):
            raise Refused(403, f"`{shown}` 指向 content/ 以外：本机编辑只能读写 content/ 里的文件。")
        return path

    def shown(self, path: Path) -> str:
        return path.relative_to(self.site).as_posix()

    def entry(self, shown: str, label: Any = None) -> dict:
        """What decap-server answers for a file: its text and sha256, or data null when it does not exist."""
        path = self.resolve(shown)
        file: dict[str, Any] = {"path": shown} | ({"label": label} if isinstance(label, str) else {})
        try:
            data = path.read_bytes()
        except OSError:
            return {"data": None, "file": file | {"id": None}}
        return {"data": data.decode("utf-8", errors="replace"), "file": file | {"id": hashlib.sha256(data).hexdigest()}}

    def entry_path(self, shown: str) -> Path:
        path = self.resolve(shown)
        parts = posixpath.normpath(shown).split("/")
        kinds = {name: spec["extension"] for name, spec in admin.KINDS.items()}
        if len(parts) != 3 or parts[1] not in kinds or not parts[2].endswith("." + kinds[parts[1]]):
            raise Refused(403, f"`{shown}`：本机编辑只写 content/ 里 stories、members、posts、units 的文件。")
        return path

    def validate(self, path: Path, raw: str) -> None:
        try:
            validate(self.site, path.relative_to(self.site / "content").as_posix(), raw)
        except ContentErrors as exc:
            raise Refused(422, "未保存，请改正：" + "；".join(p.format() for p in exc.problems)) from None
        except UsageError as exc:
            raise Refused(422, f"未保存：{exc}") from None

    def media(self, asset: dict) -> tuple[Path, bytes]:
        shown = _str(asset, "path")
        path = self.resolve(shown)
        if not posixpath.normpath(shown).startswith("content/images/"):
            raise Refused(403, f"`{shown}`：照片只能上传到 content/images/ 里。")
        if path.suffix.lower() not in images.SUFFIXES:
            raise Refused(422, f"不支持的图片格式 `{path.suffix}`：请上传 JPEG、PNG 或 WebP 照片。")
        try:
            data = base64.b64decode(_str(asset, "content"), validate=True)
        except (binascii.Error, ValueError):
            raise Refused(422, "照片内容不对：请重新上传。") from None
        if len(data) > images.MAX_BYTES:
            raise Refused(422, f"照片太大（{len(data) // 1_000_000} MB，最多 {images.MAX_BYTES // 1_000_000} MB）：请先缩小。")
        try:
            with Image.open(io.BytesIO(data), formats=images.FORMATS) as im:
                if im.width * im.height > images.MAX_PIXELS:
                    raise Refused(422, f"照片像素太多（{im.width}×{im.height}）：请先缩小。")
                im.verify()
        except Refused:
            raise
        except Exception:
            raise Refused(422, "这个文件不是可识别的 JPEG、PNG 或 WebP 照片：请确认上传的是照片本身。") from None
        return path, data

    def media_file(self, path: Path) -> dict:
        data = path.read_bytes()
        return {"id": hashlib.sha256(data).hexdigest(), "content": base64.b64encode(data).decode("ascii"),
                "encoding": "base64", "path": self.shown(path), "name": path.name}

    def delete(self, shown_paths: list[str]) -> None:
        paths = [self.resolve(p) for p in shown_paths]
        for shown, path in zip(shown_paths, paths):
            if path.resolve() == self.content or path.is_dir() or path.name == "site.yaml":
                raise Refused(403, f"`{shown}` 不能在这里删除。")
        for path in paths:
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def _str(params: dict, key: str) -> str:
    value = params.get(key) if isinstance(params, dict) else None
    if not isinstance(value, str) or not value:
        raise Refused(422, "请求格式不对。")
    return value


def _write(path: Path, data: bytes) -> None:
    """Write beside, then rename over: a half-written file never reaches the preview's rebuild."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()  # replaced by the file itself, never written through
    fd, tmp = tempfile.mkstemp(prefix=".cms-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
