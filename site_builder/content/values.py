"""Values of content fields that leave the site: URLs, e-mail addresses, phone numbers.

Each ``check_*`` returns ``None`` when the value is fine, else a Chinese message saying what to do;
the same rules apply to a field in YAML (content/formats.py) and to a link in Markdown (model/markdown.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable
from urllib.parse import urlsplit

#: Longest URL accepted by :func:`check_url` (so it still fits in a QR code).
MAX_URL_LENGTH = 300

#: Longest e-mail address accepted by :func:`check_email`.
MAX_EMAIL_LENGTH = 254

# Bidirectional formatting characters (Trojan-Source style spoofing).
_BIDI_CHARS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Invisible characters without any use in the content of this site.
_INVISIBLE_CHARS = (
    "\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
)

_TAG_CHARS_RE = "\U000e0000-\U000e007f"  # "tag" characters (ASCII smuggling)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_BIDI_RE = re.compile(f"[{_BIDI_CHARS}]")

# Everything that may never appear in a URL / e-mail / phone field.
_BANNED_IN_FIELD_RE = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI_CHARS}{_INVISIBLE_CHARS}{_TAG_CHARS_RE}\\u2028\\u2029\\ud800-\\udfff]"
)

_SURROGATE_RE = re.compile("[\\ud800-\\udfff]")

def _describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}"
    return f"{code} {name}" if name else code

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")

_HIERARCHICAL_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})

_URL_FORBIDDEN_ASCII = '<>"`\\{}|^'

# a-z, 0-9, "-" and U+00A1..U+FFFF, written as what is not in them (the same characters: checked for every code
# point; compiled in 0.2 ms instead of 2-6 ms, at every start of the program)
_LABEL_CHAR = "[^\\x00-,./:-`{-\\xa0\\U00010000-\\U0010ffff]"
_LETTER_CHAR = "[^\\x00-`{-\\xa0\\U00010000-\\U0010ffff]"  # the same without 0-9 and "-"
_HOST_LABEL_RE = re.compile(f"(?!-){_LABEL_CHAR}{{1,63}}(?<!-)")

_TLD_RE = re.compile(f"{_LETTER_CHAR}{_LABEL_CHAR}{{0,62}}(?<!-)")

_IPV4_RE = re.compile(r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")

_FULLWIDTH_HINTS = {
    "\u3002": "。",
    "\uff0e": "．",
    "\uff1a": "：",
    "\uff0f": "／",
    "\uff20": "＠",
    "\uff0c": "，",
    "\uff08": "（",
    "\uff09": "）",
    "\uff0d": "－",
    "\uff0b": "＋",
}

def _banned_char_message(value: str, what: str) -> str | None:
    m = _BANNED_IN_FIELD_RE.search(value)
    if m:
        ch = m.group()
        if ch in "\t\n\r":
            kind = "换行或制表符"
        elif _SURROGATE_RE.match(ch):
            kind = "无效的字符"
        elif _BIDI_RE.match(ch):
            kind = "不可见的文字方向控制字符"
        elif _CONTROL_RE.match(ch) or ch in "\u2028\u2029":
            kind = "不可见的控制字符"
        else:
            kind = "不可见的零宽字符"
        return (
            f"{what}中第 {m.start() + 1} 个字符是{kind}（{_describe_char(ch)}）。"
            f"请删除后重新输入{what}（不要从网页或聊天软件中直接复制）。"
        )
    return None

def _fullwidth_message(value: str, what: str) -> str | None:
    for ch in value:
        if ch in _FULLWIDTH_HINTS:
            return f"{what}中有全角符号“{ch}”。请切换到英文输入法，改成半角符号。"
        if "\uff10" <= ch <= "\uff19":
            return f"{what}中有全角数字“{ch}”。请切换到英文输入法，改成半角数字。"
    return None

def check_url(value: str, *, schemes: Iterable[str] = ("https", "http")) -> str | None:
    """Validate a URL from a content field.  ``None`` when fine, else a Chinese message.

    Rejected: schemes not in *schemes* (case-insensitive), credentials (``user@host``),
    missing host, control / bidi / zero-width characters, any whitespace, backslashes and
    ``< > " ` { } | ^``, and more than ``MAX_URL_LENGTH`` characters.
    """
    allowed = tuple(s.lower() for s in schemes)
    shown = "、".join(f"{s}://" if s in _HIERARCHICAL_SCHEMES else f"{s}:" for s in allowed)
    if not isinstance(value, str):
        return "网址必须是文字，例如 https://www.example.cn/。请检查这一项的写法（必要时加引号）。"
    if not value:
        return f"网址是空的。请填写以 {shown} 开头的完整网址。"
    if len(value) > MAX_URL_LENGTH:
        return (
            f"网址太长：{len(value)} 个字符，最多 {MAX_URL_LENGTH} 个（否则二维码无法识别）。"
            "请使用更短的网址，例如栏目首页的地址。"
        )
    msg = _banned_char_message(value, "网址")
    if msg:
        return msg
    for i, ch in enumerate(value):
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            return f"网址中第 {i + 1} 个字符是空格（{_describe_char(ch)}）。网址中不能有空格，请删除。"
    head = value  # scheme and host: where full-width typos ("https：//") break the URL
    if "//" in value:
        slash = value.find("/", value.find("//") + 2)
        head = value if slash == -1 else value[:slash]
    msg = _fullwidth_message(head, "网址")
    if msg:
        return msg
    for ch in _URL_FORBIDDEN_ASCII:
        if ch in value:
            hint = "请把反斜杠“\\”改成“/”。" if ch == "\\" else "请删除它，或换成正确的网址。"
            return f"网址中不能有字符“{ch}”。{hint}"
    m = _SCHEME_RE.match(value)
    if not m:
        return f"网址必须以 {shown} 开头（例如 https://www.example.cn/）。请补全网址开头。"
    scheme = m.group(1).lower()
    if scheme not in allowed:
        return f"不支持“{m.group(1)}:”开头的网址，只能使用 {shown}。请换成正确的网址。"
    rest = value[m.end():]
    if scheme not in _HIERARCHICAL_SCHEMES:
        if not rest:
            return f"“{m.group(1)}:”后面缺少内容。请填写完整。"
        return None
    if not rest.startswith("//"):
        return f"网址应写成 {scheme}://域名/…（冒号后面是两个斜杠“//”）。请修改网址开头。"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "网址中的域名或端口写法不对。请检查“//”后面到下一个“/”之间的部分。"
    netloc = parts.netloc
    if "@" in netloc:
        return "网址中不能包含用户名或密码（“@”前面的部分）。请删除“//”和“@”之间的内容，只保留域名。"
    host = parts.hostname or ""
    if not host:
        return "网址缺少域名。请写成 https://www.example.cn/ 这样的完整网址。"
    if port is not None and port == 0:
        return "网址中的端口号不对。请删除端口号（冒号和后面的数字）或改正。"
    if netloc.startswith("["):
        return None  # IPv6 literal, already parsed by urlsplit
    if _IPV4_RE.fullmatch(host):
        return None
    labels = host.rstrip(".").split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_HOST_LABEL_RE.fullmatch(label) for label in labels)
        or not _TLD_RE.fullmatch(labels[-1])
    ):
        return f"网址中的域名“{host}”格式不对（应类似 www.example.cn）。请检查拼写。"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"网址中的域名“{host}”格式不对（应类似 www.example.cn）。请检查拼写。"
    return None

_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")

_EMAIL_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

_EMAIL_TLD_RE = re.compile(r"[A-Za-z]{2,63}")

def check_email(value: str) -> str | None:
    """Validate an e-mail address (``local@domain.tld``, ASCII only, ≤ 254 characters)."""
    if not isinstance(value, str):
        return "邮箱地址必须是文字，例如 name@example.cn。请检查这一项的写法。"
    if not value:
        return "邮箱地址是空的。请填写完整的邮箱地址，例如 name@example.cn。"
    if len(value) > MAX_EMAIL_LENGTH:
        return f"邮箱地址太长：{len(value)} 个字符，最多 {MAX_EMAIL_LENGTH} 个。请检查是否填错。"
    msg = _banned_char_message(value, "邮箱地址")
    if msg:
        return msg
    for i, ch in enumerate(value):
        if ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            return f"邮箱地址中第 {i + 1} 个字符是空格。邮箱地址中不能有空格，请删除。"
    msg = _fullwidth_message(value, "邮箱地址")
    if msg:
        return msg
    if value.count("@") != 1:
        return "邮箱地址必须有且只有一个“@”，例如 name@example.cn。请检查。"
    local, domain = value.split("@")
    if not local or len(local) > 64 or not _EMAIL_LOCAL_RE.fullmatch(local):
        return (
            f"邮箱地址“@”前面的部分“{local}”不对：只能用英文字母、数字和 . _ - + 等符号，"
            "不能以点开头或结尾、不能有两个连续的点，最多 64 个字符。请检查。"
        )
    labels = domain.split(".")
    if (
        len(labels) < 2
        or not all(_EMAIL_LABEL_RE.fullmatch(label) for label in labels[:-1])
        or not _EMAIL_TLD_RE.fullmatch(labels[-1])
    ):
        return f"邮箱地址“@”后面的域名“{domain}”格式不对（应类似 example.cn）。请检查拼写。"
    return None

_PHONE_CHARS_RE = re.compile(r"\+?[0-9 ()\-]*")

MIN_PHONE_DIGITS = 5

MAX_PHONE_DIGITS = 20

def check_phone(value: str) -> str | None:
    """Validate a phone number: digits, optional leading ``+``, spaces, hyphens, parentheses.

    5–20 digits; ASCII only; parentheses must pair up (not nested); it must start with a digit,
    ``+`` or ``(`` and end with a digit.
    """
    if not isinstance(value, str):
        return "电话号码必须是文字。请给电话号码加上引号，例如 phone: \"0571-86001234\"。"
    if not value:
        return "电话号码是空的。请填写电话号码，例如 0571-86001234。"
    if len(value) > 40:
        return "电话号码太长（最多 40 个字符）。请只填写一个电话号码。"
    msg = _banned_char_message(value, "电话号码")
    if msg:
        return msg
    msg = _fullwidth_message(value, "电话号码")
    if msg:
        return msg
    if not _PHONE_CHARS_RE.fullmatch(value):
        for i, ch in enumerate(value):
            if ch == "+" and i == 0:
                continue
            if ch not in "0123456789 ()-":
                if ch == "+":
                    return "电话号码中的“+”只能写在最前面（国际区号）。请修改。"
                if ch.isspace():
                    return f"电话号码中第 {i + 1} 个字符是特殊空白（{_describe_char(ch)}）。请改成普通空格或删除。"
                return (
                    f"电话号码中不能有“{ch}”。只能用数字、开头的“+”、空格、连字符“-”和括号。"
                    "分机号或说明文字请写在其他栏目里。"
                )
    digits = sum(ch.isdigit() for ch in value)
    if digits < MIN_PHONE_DIGITS or digits > MAX_PHONE_DIGITS:
        return (
            f"电话号码有 {digits} 位数字，应为 {MIN_PHONE_DIGITS}–{MAX_PHONE_DIGITS} 位。"
            "请检查是否漏写或多写了数字，一个栏目只填一个号码。"
        )
    depth = 0
    for ch in value:
        if ch == "(":
            depth += 1
            if depth > 1:
                return "电话号码中的括号不能嵌套。请修改，例如 (0571) 86001234。"
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return "电话号码中的括号没有配对。请修改，例如 (0571) 86001234。"
    if depth:
        return "电话号码中的括号没有配对。请修改，例如 (0571) 86001234。"
    body = value[1:] if value.startswith("+") else value
    if not body or not (body[0].isdigit() or body[0] == "(") or not value[-1].isdigit():
        return "电话号码应以数字（或“+”、“(”）开头，并以数字结尾。请删除首尾多余的符号。"
    return None

def tel_href(phone: str) -> str:
    """``tel:`` URL for a phone number that passed :func:`check_phone`.

    ``"+86 (571) 8600-1234"`` → ``"tel:+8657186001234"``.  Raises ``ValueError`` (with the
    Chinese message) for a number that :func:`check_phone` rejects.
    """
    problem = check_phone(phone)
    if problem is not None:
        raise ValueError(problem)
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "tel:" + ("+" if phone.startswith("+") else "") + digits
