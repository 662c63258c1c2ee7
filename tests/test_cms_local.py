"""serve's local editing backend (commands/cms_local.py): only this computer's /admin/, only content/."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image

from site_builder.commands.cms_local import LocalEditing
from site_builder.commands.devserver import DevServer
from site_builder.incremental.pipeline import build_model
from support.sites import GOOD_MEMBER, make_site


@pytest.fixture
def server(tmp_path):
    site = make_site(tmp_path)
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    settings = build_model(site).settings
    out = tmp_path / "out"
    out.mkdir()
    holder: dict = {}
    app = LocalEditing(site, lambda: settings, lambda: holder["server"].url)
    srv = DevServer(out, host="127.0.0.1", port=0, log=lambda m: None, app=app)
    holder["server"] = srv
    srv.start()
    yield srv, site
    srv.stop()


def post(srv, body: dict | bytes, host: str | None = None, origin: str | None = "same",
         content_type: str = "application/json") -> tuple[int, dict]:
    port = int(srv.url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Host": host or f"127.0.0.1:{port}", "Content-Type": content_type}
    if origin == "same":
        origin = f"http://127.0.0.1:{port}"
    if origin is not None:
        headers["Origin"] = origin
    conn.request("POST", "/api/v1", data, headers)
    response = conn.getresponse()
    status, payload = response.status, json.loads(response.read() or b"null")
    conn.close()
    return status, payload


def photo() -> str:
    im = Image.new("RGB", (40, 30), (200, 30, 30))
    buf = io.BytesIO()
    im.save(buf, "JPEG")
    return base64.b64encode(buf.getvalue()).decode()


def test_reads_and_writes_inside_content(server):
    srv, site = server
    status, entries = post(srv, {"action": "entriesByFolder",
                                 "params": {"folder": "content/members", "extension": "yaml", "depth": 1}})
    assert status == 200 and {e["file"]["path"] for e in entries} >= {"content/members/li-ming.yaml"}
    text = GOOD_MEMBER.replace("群众的事再小也是大事", "有求必应")
    status, _ = post(srv, {"action": "persistEntry", "params": {
        "dataFiles": [{"path": "content/members/li-ming.yaml", "slug": "li-ming", "raw": text}], "assets": [],
        "options": {"commitMessage": "x"}}})
    assert status == 200
    assert (site / "content/members/li-ming.yaml").read_text(encoding="utf-8") == text
    status, media = post(srv, {"action": "persistMedia", "params": {
        "asset": {"path": "content/images/stories/photo.jpg", "content": photo(), "encoding": "base64"},
        "options": {}}})
    assert status == 200 and media["path"] == "content/images/stories/photo.jpg"
    assert (site / "content/images/stories/photo.jpg").is_file()
    status, found = post(srv, {"action": "entriesByFiles", "params": {"files": [
        {"path": "content/members/li-ming.yaml", "label": "李明"}, {"path": "content/members/nobody.yaml"}]}})
    assert status == 200 and found == [  # as decap-server answers: the label back, data null for no file
        {"data": text, "file": {"path": "content/members/li-ming.yaml", "label": "李明",
                                "id": hashlib.sha256(text.encode()).hexdigest()}},
        {"data": None, "file": {"path": "content/members/nobody.yaml", "id": None}}]


@pytest.mark.parametrize("host, origin", [
    ("evil.example:80", "same"),           # DNS rebinding: another name that leads here
    ("attacker.example", "same"),
    (None, "https://attacker.example"),    # a page of another site sending the editor's browser here
    (None, "null"),
    (None, None),                          # no Origin: not from the /admin/ page
])
def test_refuses_other_hosts_and_origins(server, host, origin):
    srv, site = server
    before = (site / "content/members/li-ming.yaml").read_bytes()
    for body in ({"action": "getEntry", "params": {"path": "content/members/hidden.yaml"}},
                 {"action": "persistEntry", "params": {"dataFiles": [
                     {"path": "content/members/li-ming.yaml", "raw": GOOD_MEMBER}], "assets": [], "options": {}}}):
        status, payload = post(srv, body, host=host, origin=origin)
        assert status == 403 and "本机" in payload["error"]
    assert (site / "content/members/li-ming.yaml").read_bytes() == before


def test_refuses_a_form_post_without_json(server):
    srv, _ = server
    status, payload = post(srv, b"action=info", content_type="application/x-www-form-urlencoded")
    assert status == 415


@pytest.mark.parametrize("path", [
    "content/../outside.txt", "../outside.txt", "/etc/passwd", "content/members/../../outside.txt",
    "templates/base.html", "content\\..\\outside.txt", "content/site.yaml.bak/../../outside.txt",
])
def test_only_content(server, path):
    srv, site = server
    status, payload = post(srv, {"action": "getEntry", "params": {"path": path}})
    assert status == 403 and "content/" in payload["error"]
    status, payload = post(srv, {"action": "persistMedia", "params": {
        "asset": {"path": path, "content": photo(), "encoding": "base64"}, "options": {}}})
    assert status == 403
    status, payload = post(srv, {"action": "deleteFile", "params": {"path": path, "options": {}}})
    assert status == 403
    assert (site.parent / "outside.txt").read_text(encoding="utf-8") == "secret"


def test_symlink_out_of_content_is_refused(server):
    srv, site = server
    os.symlink(site.parent / "outside.txt", site / "content/stories/link.md")
    status, payload = post(srv, {"action": "getEntry", "params": {"path": "content/stories/link.md"}})
    assert status == 403


def test_entries_only_in_their_folders_and_only_when_check_accepts_them(server):
    srv, site = server
    for path in ("content/site.yaml", "content/evaluations/2025-06.yaml", "content/members/x.md",
                 "content/stories/a/b.md"):
        status, _ = post(srv, {"action": "persistEntry", "params": {
            "dataFiles": [{"path": path, "raw": "x: 1\n"}], "assets": [], "options": {}}})
        assert status == 403, path
    bad = GOOD_MEMBER.replace("pledge: 群众的事再小也是大事", "pledge: " + "长" * 41)
    status, payload = post(srv, {"action": "persistEntry", "params": {
        "dataFiles": [{"path": "content/members/li-ming.yaml", "raw": bad}], "assets": [], "options": {}}})
    assert status == 422 and "content/members/li-ming.yaml:5:9:" in payload["error"] and "最多 40 个字" in payload["error"]
    assert "长" * 41 not in (site / "content/members/li-ming.yaml").read_text(encoding="utf-8")


def test_photos_are_checked(server):
    srv, site = server
    cases = [("content/images/x.gif", photo(), "格式"),
             ("content/images/x.jpg", base64.b64encode(b"<svg onload=alert(1)>").decode(), "照片"),
             ("content/members/x.jpg", photo(), "content/images/")]
    for path, content, words in cases:
        status, payload = post(srv, {"action": "persistMedia", "params": {
            "asset": {"path": path, "content": content, "encoding": "base64"}, "options": {}}})
        assert status in (403, 422) and words in payload["error"], path
        assert not (site / path).exists()


def test_not_offered_beyond_this_computer(tmp_path):
    from site_builder.commands.serve import Preview
    site = make_site(tmp_path)
    assert Preview(site, host="0.0.0.0", port=0, log=lambda m: None).server.app is None
    assert Preview(site, host="127.0.0.1", port=0, log=lambda m: None).server.app is not None


def test_admin_files_are_served_with_the_local_backend(server):
    srv, _ = server
    port = int(srv.url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/admin/config.yml")
    response = conn.getresponse()
    body = response.read().decode()
    if response.status == 503:
        pytest.skip("decap-cms is not installed")
    config = json.loads(body)
    assert config["backend"] == {"name": "proxy", "proxy_url": f"http://127.0.0.1:{port}/api/v1", "branch": "main"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/admin/", headers={"Host": "rebind.example"})
    assert conn.getresponse().status == 403
