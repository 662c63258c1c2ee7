"""Problems found in content: every one names its file, line and column and says what to do.

The pipeline collects problems instead of stopping at the first one (like MkDocs' strict mode), and
raises :class:`ContentErrors` at the end of a stage when any were found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the site folder, with forward slashes
    line: int  # 1-based; a problem with a whole file is at line 1, column 1 (Problems.whole_file); 0 only
    # for what is not a file (a folder, a template that does not exist)
    col: int  # 1-based; 0 when unknown
    message: str

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.path, "line": self.line, "column": self.col, "message": self.message}


@dataclass
class Problems:
    """A collector of problems for one run."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, line: int, col: int, message: str) -> None:
        self.items.append(Problem(path, line, col, message))

    def whole_file(self, path: str, message: str) -> None:
        """A problem with a whole file (empty, unreadable, too big, badly named): at line 1, column 1, so
        that pull-request annotations can place it."""
        self.add(path, 1, 1, message)

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self.items))


class ContentErrors(Exception):
    """Raised when the content has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


class UsageError(Exception):
    """A wrong command line or site folder (not content): printed as one line, exit code 2."""


def rel(path: Path, root: Path) -> str:
    """The path as shown in messages: relative to the site folder, forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
