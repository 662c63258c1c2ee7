"""Text rules shared by the content fields and the Markdown of stories.

A line break written inside a sentence (an editor wrapping a long line, a YAML ``|`` block) is not a
space in Chinese: "遗漏。\\n我承诺" reads "遗漏。我承诺", never "遗漏。 我承诺". Between Latin words it
is one space. :func:`join_lines` applies this to plain text (a pledge written on two lines, the
paragraphs of a record); model/markdown.py applies the same expression inside rendered paragraphs.
"""

from __future__ import annotations

import json
import re

import yaml

# East Asian characters (CJK ideographs, kana, hangul, CJK and full-width punctuation).
EAST_ASIAN = (
    "\u1100-\u11ff\u2e80-\u2fdf\u2ff0-\u303f\u3040-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f"
)
# a line break (with the spaces around it) between two East Asian characters: dropped
EA_SOFT_BREAK_RE = re.compile(f"(?<=[{EAST_ASIAN}])[ \\t]*\\n[ \\t]*(?=[{EAST_ASIAN}])")
_OTHER_BREAK_RE = re.compile(r"[ \t]*\n[ \t]*")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n\s*")


def join_lines(text: str) -> str:
    """The lines of one paragraph as one line: no space where a line break stood between two East Asian
    characters, one space elsewhere."""
    return _OTHER_BREAK_RE.sub(" ", EA_SOFT_BREAK_RE.sub("", text.strip()))


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text (separated by an empty line), each joined into one line."""
    return [join_lines(p) for p in _BLANK_LINE_RE.split(text.strip()) if p.strip()]


_PLAIN = re.compile(r"^[^\s#:\-?\[\]{},&*!|>'\"%@`][^#:\n\[\]{},]*$")


def yaml_str(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value`` (plain when that is safe, else double-quoted)."""
    if _PLAIN.match(value) and value == value.strip():
        try:
            if yaml.safe_load(value) == value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)
