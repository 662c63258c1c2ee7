"""Photos: checked when the model is built, resized and stripped of metadata when written.

Only JPEG, PNG and WebP are opened. The original file is never published: the site gets JPEG
variants (named by the original's content hash, so an unchanged photo is never re-encoded) without
EXIF, GPS, XMP or ICC data.
"""

from __future__ import annotations

import hashlib
import io
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps

from ..digests import RACY_SECONDS, stat_signature
from ..memo import memoized

FORMATS = ("JPEG", "PNG", "WEBP")
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_BYTES = 15_000_000
MAX_PIXELS = 40_000_000  # 40 megapixels: larger is refused as a likely decompression bomb
WIDTHS = (480, 960)
QUALITY = 80
ORIENTATION = 0x0112  # the EXIF tag that says how to turn the picture for display


class ImageProblem(Exception):
    pass


@dataclass(frozen=True)
class ImageRef:
    src: str  # path relative to content/, posix
    digest: str
    width: int
    height: int

    def variants(self) -> list[tuple[int, str]]:
        """(width, output path) for each published size; never wider than the original."""
        widths = [w for w in WIDTHS if w < self.width] + [min(self.width, WIDTHS[-1])]
        return [(w, f"media/{self.digest}-{w}.jpg") for w in sorted(set(widths))]

    def height_for(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


def inspect(path: Path, src: str) -> ImageRef:
    """The photo's reference (its size and the digest of its bytes); raise ImageProblem with a message saying
    what to do. A photo whose stat signature (modification and change time, size, inode) is the one it had
    at an earlier build is not read again: a city has a photo for each of tens of thousands of members, and
    a warm build read and hashed every one of them."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ImageProblem(f"无法读取图片：{exc.strerror}。") from None
    if st.st_mtime < time.time() - RACY_SECONDS:
        return _inspect_unchanged(str(path), src, stat_signature(st))
    return _inspect(path, src)


@memoized("images.inspect")  # (a photo that could not be used is read again: exceptions are not kept)
def _inspect_unchanged(path: str, src: str, signature: tuple) -> ImageRef:
    return _inspect(Path(path), src)


def _inspect(path: Path, src: str) -> ImageRef:
    """Open and fully decode the image once; raise ImageProblem with a message saying what to do."""
    if path.suffix.lower() not in SUFFIXES:
        raise ImageProblem(f"不支持的图片格式 `{path.suffix}`：请使用 JPEG、PNG 或 WebP。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageProblem(f"无法读取图片：{exc.strerror}。") from None
    if len(data) > MAX_BYTES:
        raise ImageProblem(f"图片文件太大（{len(data) // 1_000_000} MB，最多 {MAX_BYTES // 1_000_000} MB）：请先缩小。")
    digest = hashlib.sha256(data).hexdigest()
    width, height = _size(digest, data)
    return ImageRef(src, digest[:16], width, height)


@memoized("images.size", key=lambda digest, data: digest)  # a photo is decoded once, not at every build
def _size(digest: str, data: bytes) -> tuple[int, int]:
    im = _open(data)
    width, height = im.size
    if im.getexif().get(ORIENTATION) in (5, 6, 7, 8):  # shown turned a quarter (phone photos): as displayed
        width, height = height, width
    return width, height


def _open(data: bytes) -> Image.Image:
    # WeasyPrint (site-builder pdf) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported: a truncated
    # photo would then pass as good, depending on what ran before. Decode strictly, whatever the global says.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _decode(data)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _decode(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=FORMATS)
            if im.width * im.height > MAX_PIXELS:
                raise ImageProblem(
                    f"图片像素太多（{im.width}×{im.height}）：最多 {MAX_PIXELS // 1_000_000} 百万像素，请先缩小。")
            im.load()
            return im
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem("图片像素太多，可能是恶意文件：请换一张正常的照片。") from None
    except Image.UnidentifiedImageError:
        raise ImageProblem("这个文件不是可识别的 JPEG、PNG 或 WebP 图片：请确认上传的是照片本身。") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"图片已损坏或不完整（{exc}）：请重新导出并上传。") from None


def render(path: Path, width: int) -> bytes:
    """One published variant: oriented, RGB, resized, no metadata."""
    im = _open(path.read_bytes())
    im = ImageOps.exif_transpose(im)
    if im.mode not in ("RGB", "L"):
        background = Image.new("RGB", im.size, (255, 255, 255))
        rgba = im.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        im = background
    if im.width != width:
        im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS)
    im = im.convert("RGB")
    im.info = {}  # Pillow would write a JPEG comment (and keeps other metadata) carried in info
    out = io.BytesIO()
    im.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()
