"""A progress line on the terminal for builds that take more than a second.

``pipeline.run(progress=Progress())`` calls it with (stage, done, total); it redraws one line on
stderr at most ten times a second (``生成页面 12,345 / 76,751``), only when stderr is a terminal and
only once the build has run for a second, and clears the line when it is closed. Anywhere else (a
pipe, CI logs, ``--quiet``) it prints nothing.
"""

from __future__ import annotations

import sys
import time

STAGES = {
    "load": "读取内容 / loading",
    "model": "建立模型 / model",
    "views": "整理页面 / pages",
    "render": "生成页面 / rendering",
    "index": "建立搜索索引 / search index",
    "pdf": "生成 PDF / PDFs",
}


class Progress:
    def __init__(self, stream=None, *, enabled: bool | None = None, delay: float = 1.0, interval: float = 0.1):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled, self.delay, self.interval = enabled, delay, interval
        self.start = time.monotonic()
        self.last = 0.0
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = total and done >= total
        if now - self.start < self.delay or (now - self.last < self.interval and not final):
            return
        self.last = now
        label = STAGES.get(stage, stage)
        text = f"{label} {done:,} / {total:,}" if total else f"{label} …"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
