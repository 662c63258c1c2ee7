"""Split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re

from .yamlio import YamlError

_FENCE = re.compile(r"^---[ \t]*$")
_KEYLIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*:(\s|$)")


def split(text: str) -> tuple[str, str, int]:
    """Return (front matter text, body, line number of the body's first line).

    The front matter's own first line is line 2 of the file.
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
            front = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1:])
            return front, body, i + 2
    raise YamlError(
        1, 1,
        "开头的信息块从第 1 行的 `---` 开始，但没有结束的 `---`：请在 title、date 等信息之后加一行 `---`，再写正文。",
    )
