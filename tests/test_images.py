"""Photos (site_builder/images.py): published variants carry no metadata, have the right size and
orientation, are offered with srcset; broken or oversized photos are content errors."""

import io
import os
import re

import pytest
from PIL import Image, ImageChops, ImageStat

from site_builder import workers
from site_builder.model import images
from support.sites import MINI, make_site, run, tree

PHOTO = "content/images/wang.png"
MEMBER = "content/members/wang-fang.yaml"


def phone_photo(width=1200, height=900, orientation=6) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera data, XMP, an ICC profile, turned by EXIF."""
    im = Image.new("RGB", (width, height), (180, 40, 40))
    im.paste((30, 30, 200), (0, 0, width // 4, height))  # a blue band on the left, to check the turn
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 7.0), 3: "E", 4: (120.0, 10.0, 3.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), xmp=xmp, icc_profile=b"\0" * 128, comment=b"secret")
    return out.getvalue()


def build_with_photo(tmp_path, capsys, data: bytes, name="images/wang.jpg"):
    member = (MINI / MEMBER).read_text(encoding="utf-8").replace("images/wang.png", name)
    site = make_site(tmp_path, {f"content/{name}": data, MEMBER: member, PHOTO: None})
    return site, run(capsys, "build", site, "-o", tmp_path / "out")


def test_phone_photo_is_turned_stripped_and_sized(tmp_path, capsys):
    data = phone_photo()
    with Image.open(io.BytesIO(data)) as im:  # the fixture really has what a phone writes
        assert im.getexif()[0x0112] == 6 and im.getexif().get_ifd(0x8825) and "xmp" in im.info
    site, (code, _, err) = build_with_photo(tmp_path, capsys, data)
    assert code == 0, err
    out = tmp_path / "out"
    page = (out / "members/wang-fang/index.html").read_text(encoding="utf-8")
    img = re.search(r'<img class="photo" [^>]*>', page).group(0)
    srcset = re.search(r'srcset="([^"]*)"', img).group(1)
    variants = [(part.split()[0], int(part.split()[1][:-1])) for part in srcset.split(", ")]
    assert [w for _, w in variants] == [480, 900]  # as displayed: 900 wide, never upscaled to 960
    width, height = (int(re.search(fr'{k}="(\d+)"', img).group(1)) for k in ("width", "height"))
    for src, w in variants:
        raw = (out / src.lstrip("/")).read_bytes()
        assert b"PhoneMaker" not in raw and b"adobe:ns:meta" not in raw and b"secret" not in raw
        with Image.open(io.BytesIO(raw)) as im:
            assert im.format == "JPEG" and not im.getexif()
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(im.info)
            assert im.width == w and im.height == round(w * 1200 / 900)  # portrait, as the phone showed it
            assert im.getpixel((w // 2, 5))[2] > 150  # the blue band, turned to the top
        if w == variants[0][1]:
            assert (width, height) == im.size  # the page reserves the right box: no layout jump
    assert not [p for p in out.rglob("*") if p.is_file() and p.read_bytes() == data]  # original never published


def test_one_picture_under_two_names_is_published_once(tmp_path, capsys):
    """The same picture uploaded twice (a member's photo and a story's cover here) has the same published files,
    named by the digest of its bytes: written once, and the build succeeds (it stopped with a traceback)."""
    data = phone_photo(orientation=1)
    story = (MINI / "content/stories/first.md").read_text(encoding="utf-8").replace(
        "tags: [窗口服务]\n", "tags: [窗口服务]\ncover:\n  file: images/cover.jpg\n  alt: 窗口\n")
    member = (MINI / MEMBER).read_text(encoding="utf-8").replace("images/wang.png", "images/wang.jpg")
    site = make_site(tmp_path, {"content/images/wang.jpg": data, "content/images/cover.jpg": data, MEMBER: member,
                                PHOTO: None, "content/stories/first.md": story})
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 0 and "Traceback" not in err, err
    published = sorted(p.name for p in (tmp_path / "out/media").glob("*.jpg"))
    assert len(published) == 2 and len({name.split("-")[0] for name in published}) == 1  # 480 and 900 wide
    for page in ("members/wang-fang/index.html", "stories/first/index.html"):
        assert f"/media/{published[0]}" in (tmp_path / "out" / page).read_text(encoding="utf-8")


def test_a_warm_build_does_not_read_an_unchanged_photo_again(tmp_path, capsys, monkeypatch):
    """A photo is known by its stat signature once read: a city's warm build does not read and hash tens of
    thousands of photos. One rewritten with other bytes is read (its change time moves, even if a copy keeps
    its modification time)."""
    import os
    import time
    data = phone_photo(orientation=1)
    site, (code, _, err) = build_with_photo(tmp_path, capsys, data)
    assert code == 0, err
    photo = site / "content/images/wang.jpg"
    old = time.time() - 60
    os.utime(photo, (old, old))
    read = []
    real = images._inspect
    monkeypatch.setattr(images, "_inspect", lambda path, src: read.append(src) or real(path, src))
    out = tmp_path / "out"
    for expected in (1, 1):  # read once more with its new change time, then not again
        assert run(capsys, "build", site, "-o", out)[0] == 0 and len(read) == expected
    page = out / "members/wang-fang/index.html"
    assert 'width="480" height="360"' in page.read_text(encoding="utf-8")
    photo.write_bytes(phone_photo(width=800, height=800, orientation=1))
    os.utime(photo, (old, old))  # (the modification time as it was: the change time still moves)
    assert run(capsys, "build", site, "-o", out)[0] == 0 and len(read) == 2
    assert 'width="480" height="480"' in page.read_text(encoding="utf-8")


def test_published_photo_formats(tmp_path, capsys):
    """PNG with transparency and WebP are accepted and become metadata-free JPEGs."""
    im = Image.new("RGBA", (600, 800), (0, 120, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "WEBP")
    site, (code, _, err) = build_with_photo(tmp_path, capsys, buf.getvalue(), "images/wang.webp")
    assert code == 0, err
    sizes = []
    for path in sorted((tmp_path / "out/media").glob("*.jpg")):
        with Image.open(path) as im:
            sizes.append(im.width)
            assert im.getpixel((1, 1)) == (255, 255, 255)  # transparent → white, not black
    assert sorted(sizes) == [480, 600]


@pytest.mark.parametrize("data,message", [
    (phone_photo()[:2000], "图片已损坏或不完整"),
    (b"GIF89a" + b"\0" * 100, "这个文件不是可识别的 JPEG、PNG 或 WebP 图片"),
])
def test_broken_photo_is_a_content_error(tmp_path, capsys, data, message):
    site, (code, _, err) = build_with_photo(tmp_path, capsys, data)
    assert code == 1 and "Traceback" not in err
    assert f"content/members/wang-fang.yaml:6:1: 照片 `content/images/wang.jpg`：{message}" in err
    assert not (tmp_path / "out").exists()


def test_too_many_pixels_is_a_content_error(tmp_path, capsys):
    buf = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buf, "PNG")  # 48 megapixels in a few kilobytes
    assert len(buf.getvalue()) < 100_000
    site, (code, _, err) = build_with_photo(tmp_path, capsys, buf.getvalue(), "images/big.png")
    assert code == 1
    assert "content/members/wang-fang.yaml:6:1: 照片 `content/images/big.png`：图片像素太多（8000×6000）" in err


def test_too_big_a_file_is_a_content_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 20_000)
    site, (code, _, err) = build_with_photo(tmp_path, capsys, phone_photo(3000, 2000) + b"\0" * 30_000)
    assert code == 1 and "图片文件太大" in err and "请先缩小" in err


def test_a_large_phone_photo_is_decoded_at_a_smaller_scale_and_sized_as_shown(monkeypatch, tmp_path):
    """A phone's 12-megapixel photo is decoded at the scale its widest variant needs (libjpeg's scaling: here a
    half), once for all its variants, turned as the phone showed it, each variant exactly as wide and high as
    the page says, and close to a full decoding's."""
    path = tmp_path / "phone.jpg"
    path.write_bytes(phone_photo(4000, 3000, orientation=6))
    ref = images.inspect(path, "phone.jpg")
    assert (ref.width, ref.height) == (3000, 4000)
    decoded = []
    real = images._decode
    monkeypatch.setattr(images, "_decode", lambda *a: decoded.append(real(*a)) or decoded[-1])
    variants = images.render_variants(path, [w for w, _ in ref.variants()])
    assert [im.size for im, *_ in decoded] == [(2000, 1500)]  # one decoding, at half the size (stored landscape)
    full = Image.open(path)
    full = full.transpose(Image.Transpose.ROTATE_270)
    for (width, _), data in zip(ref.variants(), variants):
        with Image.open(io.BytesIO(data)) as im:
            assert im.size == (width, ref.height_for(width))
            assert im.getpixel((width // 2, 5))[2] > 150  # the blue band, turned to the top
            reference = full.resize(im.size, Image.Resampling.LANCZOS)
            diff = ImageStat.Stat(ImageChops.difference(im.convert("RGB"), reference)).mean
            assert max(diff) < 4, diff  # (a mean difference of a few levels in 255: JPEG's own)


def test_a_small_photo_is_decoded_whole(monkeypatch, tmp_path):
    """Narrower than twice its widest variant: decoded at its full size (its variants are as before)."""
    path = tmp_path / "small.jpg"
    path.write_bytes(phone_photo(1200, 900, orientation=1))
    decoded = []
    real = images._decode
    monkeypatch.setattr(images, "_decode", lambda *a: decoded.append(real(*a)) or decoded[-1])
    assert len(images.render_variants(path, [480, 960])) == 2
    assert [im.size for im, *_ in decoded] == [(1200, 900)]


def many_photos(tmp_path, count=6):
    """The mini site with ``count`` members who each have a photo of their own."""
    member = (MINI / MEMBER).read_text(encoding="utf-8")
    changes = {PHOTO: None}
    for n in range(count):
        changes[f"content/images/p{n}.jpg"] = phone_photo(700 + 10 * n, 500, orientation=1)
        changes[f"content/members/wang-{n}.yaml"] = member.replace("images/wang.png", f"images/p{n}.jpg")
    changes[MEMBER] = member.replace("images/wang.png", "images/p0.jpg")
    return make_site(tmp_path, changes)


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_photos_are_checked_and_resized_on_every_core(tmp_path, capsys, monkeypatch):
    """A build on two jobs checks the photos and makes their sizes in workers as well: the same files as one
    job makes; a broken photo is reported as one job reports it."""
    site = many_photos(tmp_path)
    monkeypatch.setattr(images, "INSPECT_AHEAD_MIN", 1)
    monkeypatch.setattr(images, "PHOTOS_PART", 1)
    where = tmp_path / "pids"
    where.mkdir()
    for name in ("_inspect", "render_variants"):
        real = getattr(images, name)

        def spy(*args, real=real, name=name):
            (where / f"{name}-{os.getpid()}").touch()
            return real(*args)

        monkeypatch.setattr(images, name, spy)
    assert run(capsys, "build", site, "-o", tmp_path / "two", "--no-cache", "-j", "2")[0] == 0
    for name in ("_inspect", "render_variants"):
        assert {p.name for p in where.iterdir() if p.name.startswith(name)} - {f"{name}-{os.getpid()}"}, name
    assert run(capsys, "build", site, "-o", tmp_path / "one", "--no-cache", "-j", "1")[0] == 0
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert len(list((tmp_path / "one/media").glob("*.jpg"))) == 12

    (site / "content/images/p3.jpg").write_bytes(phone_photo()[:2000])
    results = [run(capsys, "build", site, "-o", tmp_path / "bad", "--no-cache", "-j", jobs) for jobs in "21"]
    assert results[0] == results[1] and results[0][0] == 1
    assert "content/members/wang-3.yaml:6:1: 照片 `content/images/p3.jpg`：图片已损坏或不完整" in results[0][2]


def test_a_photo_gone_before_its_sizes_are_made_is_a_content_error(tmp_path, capsys, monkeypatch):
    """A photo removed after the model checked it (while pages rendered) is named in a message, the build stops
    and the output is not touched: no traceback."""
    from site_builder.incremental import pipeline
    site = many_photos(tmp_path, 2)
    real = pipeline.write_images

    def removed_first(model, writer, jobs=1):
        (site / "content/images/p1.jpg").unlink()
        return real(model, writer, jobs)

    monkeypatch.setattr(pipeline, "write_images", removed_first)
    code, _, err = run(capsys, "build", site, "-o", tmp_path / "out", "--no-cache")
    assert code == 1 and "Traceback" not in err
    assert "content/images/p1.jpg:1:1: 无法读取图片" in err and "请放回照片" in err
    assert not (tmp_path / "out").exists()
