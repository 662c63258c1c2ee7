"""requirements/lock.txt (made by scripts/lock.sh) covers what pyproject.toml declares.

scripts/test.sh installs the lock's versions as pip constraints: a dependency missing from the lock
would be installed at whatever version is newest that day, and the suite would no longer be the same
on every machine. These tests name the command that fixes it.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from support import require

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
EXTRAS = ("test", "pdf")  # what scripts/lock.sh and scripts/test.sh install
FIX = "run `bash scripts/lock.sh` and commit requirements/lock.txt"


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"requirements/lock.txt: `{line}` is not name==version: {FIX}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for extra in EXTRAS:
        reqs += project["project"]["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def applies(req: Requirement, extras: tuple[str, ...] = ("",)) -> bool:
    return req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras)


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = lock_pins()
    for req in declared():
        if not applies(req):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"pyproject.toml asks for `{req}`, requirements/lock.txt has no version of it: {FIX}"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements/lock.txt pins {req.name}=={pins[name]}, outside pyproject.toml's `{req}`: {FIX}"


def test_the_lock_holds_the_dependencies_of_what_it_pins():
    """Transitively, as the installed packages declare them (only where their version is the lock's)."""
    pins = lock_pins()
    todo = [(canonicalize_name(r.name), tuple(r.extras) or ("",)) for r in declared() if applies(r)]
    seen, checked = set(), 0
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        if dist.version != pins.get(name):
            continue  # another version here (--newest, a developer's environment): other requirements
        checked += 1
        for text in dist.requires or ():
            req = Requirement(text)
            if applies(req, extras):
                dep = canonicalize_name(req.name)
                assert dep in pins, f"{name} {dist.version} needs `{req}`, requirements/lock.txt has no version of it: {FIX}"
                todo.append((dep, tuple(req.extras) or ("",)))
    require(checked > 0, "no package is installed at the lock's version: run the tests with `bash scripts/test.sh`")


def test_the_lock_pins_nothing_twice_and_not_the_project_itself():
    names = [canonicalize_name(line.split("==")[0]) for line in LOCK.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(names) == len(set(names))
    assert "site-builder" not in names and "pip" not in names
