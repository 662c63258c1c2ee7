"""Photos: checked when the model is built, resized and stripped of metadata when written.

Only JPEG, PNG and WebP are opened. The original file is never published: the site gets JPEG
variants (named by the original's content hash and the way variants are made, so an unchanged photo is
never re-encoded) without EXIF, GPS, XMP or ICC data.

A city has a photo for each of tens of thousands of members, many straight from a phone (12 megapixels): a
build checks them on every core (:func:`inspected_ahead`), decodes a JPEG at the smallest scale its use allows
(libjpeg's DCT scaling, 1/2 to 1/8: every block is still read, so a broken file is refused as at full size),
and makes all of a photo's variants from one decoding (:func:`render_variants`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from .. import workers
from ..digests import RACY_SECONDS, stat_signature
from ..memo import memoized

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported by the functions that decode a photo: a build that decodes none (a warm one: the photos'
# sizes are remembered) does not load it (~12 ms of its start).

FORMATS = ("JPEG", "PNG", "WEBP")
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MAX_BYTES = 15_000_000
MAX_PIXELS = 40_000_000  # 40 megapixels: larger is refused as a likely decompression bomb
WIDTHS = (480, 960)
MEDIA = "media/"  # the output folder of the published sizes (named by the digest of the photo's bytes and the width)
QUALITY = 80
VARIANTS = "2"  # how the variants are made, part of their names: a new way, new names (an output updated in
# place never keeps a variant made the old way under the name of one made the new way). 2: scaled decoding
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
        return [(w, f"{MEDIA}{self.digest}-{w}.jpg") for w in sorted(set(widths))]

    def height_for(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))


def inspect(path: Path, src: str) -> ImageRef:
    """The photo's reference (its size and the digest of its bytes); raise ImageProblem with a message saying
    what to do. A photo whose stat signature (modification and change time, size, inode) is the one it had
    at an earlier build is not read again: a city has a photo for each of tens of thousands of members, and
    a warm build read and hashed every one of them. What :func:`inspected_ahead` found is taken as it is."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ImageProblem(f"无法读取图片：{exc.strerror}。") from None
    signature = stat_signature(st)
    if _settled(st):
        return _inspect_unchanged(str(path), src, signature)
    return _inspect_ahead(str(path), src, signature)


def _settled(st) -> bool:
    """Whether a file's stat signature can be trusted to tell a later change (not modified just now)."""
    return st.st_mtime < time.time() - RACY_SECONDS


@memoized("images.inspect")  # (a photo that could not be used is read again: exceptions are not kept)
def _inspect_unchanged(path: str, src: str, signature: tuple) -> ImageRef:
    return _inspect_ahead(path, src, signature)


def _inspect_ahead(path: str, src: str, signature: tuple) -> ImageRef:
    found = _AHEAD.get((path, src, signature))
    if found is None:
        return _inspect(Path(path), src)
    if type(found) is str:
        raise ImageProblem(found)
    return found


_AHEAD: dict[tuple[str, str, tuple], ImageRef | str] = {}  # what inspected_ahead found: (file, src, signature) →
INSPECT_AHEAD_MIN = 64  # fewer photos to inspect are inspected one at a time, as the model asks for them


@contextlib.contextmanager
def inspected_ahead(files: Iterable[tuple[Path, str]], jobs: int) -> Iterator[None]:
    """Inspect the photos among ``files`` ((file, content-relative path)) that no earlier build inspected, on
    ``jobs`` cores, before the model asks for them one at a time: for the duration, :func:`inspect` takes
    what was found (by the file's stat signature then). A clean build of a city checks every member's photo
    (a phone's: tens of milliseconds to read, hash and decode), and the model asks for them one by one."""
    todo = []
    if jobs > 1 and workers.can_fork():  # (in one process each photo is checked when the model asks for it)
        for file, src in files:
            try:
                st = file.stat()
            except OSError:
                continue  # (inspect reports it)
            signature = stat_signature(st)
            if not _settled(st) or not _inspect_unchanged.known(str(file), src, signature):
                todo.append((str(file), src, signature))
    if len(todo) >= INSPECT_AHEAD_MIN:
        parts = workers.chunks(todo, jobs, PHOTOS_PART)
        for part, found in zip(parts, workers.run(_inspect_part, parts, jobs)):
            _AHEAD.update(zip(part, found))
    try:
        yield
    finally:
        _AHEAD.clear()


def _inspect_part(part: list[tuple[str, str, tuple]]) -> list[ImageRef | str]:
    """:func:`_inspect` of each photo, in a worker: its reference, or what is wrong with it."""
    out: list[ImageRef | str] = []
    for file, src, _ in part:
        try:
            out.append(_inspect(Path(file), src))
        except ImageProblem as exc:
            out.append(str(exc))
    return out


def _inspect(path: Path, src: str) -> ImageRef:
    """Read, hash and decode the photo (see :func:`_size`); raise ImageProblem with a message saying what to do."""
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
    return ImageRef(src, hashlib.sha256(f"{VARIANTS} {digest}".encode()).hexdigest()[:16], width, height)


@memoized("images.size", key=lambda digest, data: digest)  # a photo is decoded once, not at every build
def _size(digest: str, data: bytes) -> tuple[int, int]:
    _, width, height = _open(data, 1)  # (the whole file decoded, at the smallest scale: only its size counts)
    return width, height


def _open(data: bytes, widest: int | None = None) -> tuple[Image.Image, int, int]:
    """The decoded image and its size as displayed (a phone photo's EXIF may say it is shown turned a quarter).
    ``widest``: the widest it will be shown at; a JPEG at least twice as wide is decoded at a half, a quarter or
    an eighth of its size (never narrower than that)."""
    # WeasyPrint (site-builder pdf) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported: a truncated
    # photo would then pass as good, depending on what ran before. Decode strictly, whatever the global says.
    from PIL import ImageFile
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _decode(data, widest)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _decode(data: bytes, widest: int | None) -> tuple[Image.Image, int, int]:
    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=FORMATS)
            if im.width * im.height > MAX_PIXELS:
                raise ImageProblem(
                    f"图片像素太多（{im.width}×{im.height}）：最多 {MAX_PIXELS // 1_000_000} 百万像素，请先缩小。")
            width, height = im.size
            turned = im.getexif().get(ORIENTATION) in (5, 6, 7, 8)
            if turned:  # shown turned a quarter (phone photos): as displayed
                width, height = height, width
            if widest is not None and widest < width:
                shown = (widest, -(-height * widest // width))
                im.draft(None, shown[::-1] if turned else shown)  # (a JPEG only; in the file's own orientation)
            im.load()
            return im, width, height
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
    return render_variants(path, [width])[0]


def render_variants(path: Path, widths: list[int]) -> list[bytes]:
    """The published variants of one photo at ``widths`` (none wider than the photo), from one decoding."""
    from PIL import Image, ImageOps
    im, full_width, full_height = _open(path.read_bytes(), max(widths))
    im = ImageOps.exif_transpose(im)
    if im.mode not in ("RGB", "L"):
        background = Image.new("RGB", im.size, (255, 255, 255))
        rgba = im.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        im = background
    out = []
    for width in widths:
        size = (width, max(1, round(full_height * width / full_width)))  # (ImageRef.height_for)
        variant = im if im.size == size else im.resize(size, Image.Resampling.LANCZOS)
        variant = variant.convert("RGB")
        variant.info = {}  # Pillow would write a JPEG comment (and keeps other metadata) carried in info
        buffer = io.BytesIO()
        variant.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        out.append(buffer.getvalue())
    return out


PHOTOS_PART = 16  # the fewest photos a worker is given at a time


def render_part(part: list[tuple[str, tuple[int, ...]]]) -> list[list[bytes] | str]:
    """``render_variants`` of each (file, widths), in a worker: the variants, or what went wrong (a photo
    that changed or went away after the model was built)."""
    out: list[list[bytes] | str] = []
    for file, widths in part:
        try:
            out.append(render_variants(Path(file), list(widths)))
        except ImageProblem as exc:
            out.append(str(exc))
        except OSError as exc:
            out.append(f"无法读取图片：{exc.strerror}。照片在生成时被移走或改动了：请放回照片，再生成一次。")
    return out
