"""Split a Markdown file into its YAML front matter and its body.

Besides a missing opening or closing ``---``, two mistakes would silently publish the wrong thing, so
they are errors too (the author's intent is clear, the fix is easy, and guessing would be worse):

* front matter that leaks into the body: the first thing after the closing ``---`` is a line like
  ``tags: [...]`` naming a front-matter key, or a second ``---`` block holding one. Markdown would
  show it as a heading or a paragraph of the story and the information would be lost.
* a body swallowed by the front matter: the closing ``---`` is missing, and a horizontal rule
  (``---``) further down closed the block instead. Inside the block, after an empty line, there is
  a line that cannot be YAML (no ``key:``, not indented, not a list item or comment).

A ``---`` later in the body, after other text, stays a horizontal rule; a body that starts with prose
like ``Note: ...`` is fine (only the front-matter keys of the file kind count).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .formats import STORY
from .strict_yaml import YamlError

_FENCE = re.compile(r"^---[ \t]*$")
_KEYLIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:(\s|$)")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]|$)")
# A line that can stand at the left margin of a YAML block after an empty line: a key, a list item,
# a comment, the end of a flow collection, a quoted key, or an explicit key.
_YAMLISH = re.compile(r"""^(?:[^\s:#][^:]*:(?:\s|$)|-(?:\s|$)|#|[\]}]|["'?]|\.\.\.)""")


def _story_keys() -> frozenset[str]:

    return frozenset(STORY.fields)


def split(text: str, keys: Iterable[str] | None = None) -> tuple[str, str, int]:
    """Return (front matter text, body, line number of the body's first line).

    The front matter's own first line is line 2 of the file. ``keys`` are the front-matter keys of
    the file kind (default: a story's), used to recognise front matter leaking into the body.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is not None and _KEYLIKE.match(lines[first]):
            raise YamlError(
                first + 1, 1,
                "文件开头的信息（标题、日期等）必须放在两行 `---` 之间，第一行就是 `---`：请在文件最前面加一行 `---`。",
            )
        raise YamlError(
            1, 1,
            "文章缺少开头的信息块：第一行写 `---`，接着写 title、date 等，再写一行 `---`，然后才是正文。",
        )
    for i in range(1, len(lines)):
        if _FENCE.match(lines[i].rstrip("\r")):
            _check_swallowed(lines, i)
            _check_leak(lines, i, frozenset(keys) if keys is not None else _story_keys())
            front = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1:])
            return front, body, i + 2
    raise YamlError(
        1, 1,
        "开头的信息块从第 1 行的 `---` 开始，但没有结束的 `---`：请在 title、date 等信息之后加一行 `---`，再写正文。",
    )


def _check_swallowed(lines: list[str], close: int) -> None:
    """The block 1..close holds, after an empty line, a line that cannot be YAML: body text."""
    for j in range(2, close):
        line = lines[j].rstrip("\r")
        if not line.strip() or line[0] in " \t" or lines[j - 1].strip():
            continue
        if not _YAMLISH.match(line):
            raise YamlError(
                j + 1, 1,
                f"开头的信息块（第 1 行的 `---` 到第 {close + 1} 行的 `---`）里出现了像正文的文字：是不是忘了在 "
                "title、date 等信息之后加一行 `---`？正文中的分隔线 `---` 被当成了信息块的结尾。",
            )


def _check_leak(lines: list[str], close: int, keys: frozenset[str]) -> None:
    """What follows the closing fence (after empty lines) is more front matter: a known key, or a
    second ``---`` block whose first line is a known key."""
    j = close + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines):
        return
    line = lines[j].rstrip("\r")
    m = _KEY.match(line)
    if m and m.group(1) in keys:
        raise YamlError(
            j + 1, 1,
            f"`{m.group(1)}:` 写在了第 {close + 1} 行结束开头信息块的 `---` 之后，会被当成正文显示出来："
            "请把它移到两行 `---` 之间。",
        )
    if _FENCE.match(line):
        k = j + 1
        while k < len(lines) and not lines[k].strip():
            k += 1
        m = _KEY.match(lines[k].rstrip("\r")) if k < len(lines) else None
        if m and m.group(1) in keys:
            raise YamlError(
                j + 1, 1,
                "开头信息块之后又有一个 `---` 信息块：一篇文章只能有一个信息块，请把两块的内容合并到"
                "最前面的两行 `---` 之间。",
            )
