"""scripts/lib/python-env.sh: the virtual environment of scripts/build-sample.sh and scripts/test.sh.

Outside a virtual environment they make and use .venv/ and say so in one line; inside one they use it
silently; without a usable Python they say what to do. Each case runs the helper in a copy of the
files it reads, with a Python chosen through $PYTHON.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOW = 'python_env; echo "VIRTUAL_ENV=$VIRTUAL_ENV"; echo "python=$(command -v python)"'


def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copytree(ROOT / "scripts" / "lib", repo / "scripts" / "lib")
    shutil.copy(ROOT / "pyproject.toml", repo)
    return repo


def helper(repo: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHON")}
    return subprocess.run(["bash", "-c", f"set -euo pipefail; source scripts/lib/python-env.sh; {script}", "test.sh"],
                          cwd=repo, env={**environ, **env}, capture_output=True, text=True, timeout=300)


def fake_python(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_outside_a_virtual_environment_it_makes_dotvenv_and_says_so_in_one_line(tmp_path):
    repo = checkout(tmp_path)
    first = helper(repo, SHOW, PYTHON=sys.executable)
    assert first.returncode == 0, first.stderr
    venv = repo / ".venv"
    assert f"VIRTUAL_ENV={venv}" in first.stdout and f"python={venv}/bin/python" in first.stdout
    assert (venv / "bin" / "python").is_file()
    [line] = first.stderr.splitlines()
    assert line.startswith("test.sh: made the virtual environment .venv/ with ")
    assert ", using it (not run inside one); afterwards: " in line
    assert ".venv/bin/site-builder" in line and "source .venv/bin/activate" in line

    again = helper(repo, SHOW, PYTHON=sys.executable)
    assert again.returncode == 0, again.stderr
    [line] = again.stderr.splitlines()
    assert line.startswith("test.sh: using the virtual environment .venv/")


def test_inside_a_virtual_environment_it_uses_that_one_silently(tmp_path):
    repo = checkout(tmp_path)
    active = Path(sys.prefix)
    proc = helper(repo, SHOW, VIRTUAL_ENV=str(active))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert f"python={active}/bin/python" in proc.stdout
    assert not (repo / ".venv").exists()


def test_newest_has_its_own_environment_even_inside_one(tmp_path):
    repo = checkout(tmp_path)
    (repo / ".venv-newest" / "bin").mkdir(parents=True)  # made before (making one is tested above)
    fake_python(repo / ".venv-newest" / "bin" / "python", f'exec {sys.executable} "$@"')
    proc = helper(repo, 'python_env --newest; echo "VIRTUAL_ENV=$VIRTUAL_ENV"', VIRTUAL_ENV=sys.prefix)
    assert proc.returncode == 0, proc.stderr
    assert f"VIRTUAL_ENV={repo}/.venv-newest" in proc.stdout
    [line] = proc.stderr.splitlines()
    assert line.startswith("test.sh: using the virtual environment .venv-newest/")


def test_a_python_too_old_is_named_with_what_to_do(tmp_path):
    repo = checkout(tmp_path)
    old = fake_python(tmp_path / "python3.9", 'case "$*" in *python_version*) echo 3.9.2;; esac; exit 1')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python3", "python"):  # no other Python to fall back on
        (bin_dir / name).symlink_to(old)
    proc = helper(repo, "python_env", PYTHON=old, PATH=f"{bin_dir}:/usr/bin:/bin")
    assert proc.returncode == 1
    assert f"site-builder needs Python >= 3.11; found: {old} 3.9.2" in proc.stderr, proc.stderr
    assert "PYTHON=/path/to/python3.x" in proc.stderr
    assert not (repo / ".venv").exists()


def test_a_python_without_ensurepip_outside_the_system_says_what_to_install(tmp_path):
    """Debian's python3 without python3-venv has no ensurepip; one not from apt cannot get it with apt."""
    repo = checkout(tmp_path)
    shadow = tmp_path / "shadow" / "ensurepip"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('ensurepip is not installed')\n", encoding="utf-8")
    python = fake_python(tmp_path / "python3", f'PYTHONPATH={shadow.parent} exec {sys.executable} "$@"')
    version = "%d.%d" % sys.version_info[:2]
    proc = helper(repo, "python_env", PYTHON=python)
    assert proc.returncode == 1
    assert f"test.sh: {python} cannot make a virtual environment (no ensurepip)." in proc.stderr, proc.stderr
    assert f"apt-get install python{version}-venv" in proc.stderr
    assert not (repo / ".venv").exists()
