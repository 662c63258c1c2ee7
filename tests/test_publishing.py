"""The CI definitions a site repository uses as is: valid YAML, and every command they run exists and works.

Each ``site-builder ...`` command found in a ``run:`` / ``script:`` line is parsed by the real command
line and then run in a copy of the mini site (CI variables replaced by sample values), the way the
CI job would run it in a site repository.
"""

import importlib
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from site_builder.commands import main as cli
from support.sites import ROOT, make_site, run

GITHUB = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
FORGEJO = sorted((ROOT / ".forgejo" / "workflows").glob("*.yml"))
GITLAB = ROOT / ".gitlab-ci.yml"
SAMPLE = {"steps.pages.outputs.base_url": "https://owner.github.io/pledge", "CI_PAGES_URL": "https://group.gitlab.io/pledge"}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as true; GitHub and Forgejo read it as "on"
        data["on"] = data.pop(True)
    return data


def scripts(path: Path) -> list[str]:
    """Every shell script of the file: the run: of each step, or GitLab's script/before_script lines."""
    data = load(path)
    if path.name == ".gitlab-ci.yml":
        out = list(data.get("default", {}).get("before_script", []))
        for name, job in data.items():
            if isinstance(job, dict) and "script" in job:
                out += job.get("before_script", []) + job["script"]
        return out
    return [step["run"] for job in data["jobs"].values() for step in job["steps"] if "run" in step]


SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "{", "}", "!"}
KEYWORDS = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until"}


def commands(path: Path, sample: bool = True) -> list[list[str]]:
    """Simple commands as word lists: each line (continuations joined) split at shell operators,
    without redirections; CI variables replaced by sample values."""
    out = []
    for script in scripts(path):
        for line in script.replace("\\\n", " ").split("\n"):
            lex = shlex.shlex(substitute(line) if sample else line, posix=True, punctuation_chars=True)
            lex.whitespace_split = True
            words, skip = [], False
            for token in list(lex) + [";"]:
                if skip:
                    skip = False
                elif token in SEPARATORS:
                    while words and words[0] in KEYWORDS:
                        words.pop(0)
                    if words:
                        out.append(words)
                    words = []
                elif set(token) <= set("<>&") or re.fullmatch(r"\d[<>]+", token):
                    skip = True  # a redirection and its target
                else:
                    words.append(token)
    return out


def substitute(command: str) -> str:
    command = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: SAMPLE.get(m.group(1), "x"), command)
    return re.sub(r"\$(\w+)", lambda m: SAMPLE.get(m.group(1), "x"), command)


def site_builder_commands(path: Path) -> list[list[str]]:
    return [words[1:] for words in commands(path) if words[0].endswith("site-builder")]


ALL = GITHUB + FORGEJO + [GITLAB]
PROGRAMS = {"python", "python3", "site-builder", "npm", "apt-get", "cat", "echo", "exit", "curl", "install", "printf",
            "chmod", "rsync", ".", "[", "command", "true"}


def test_the_files_are_there():
    assert [p.name for p in GITHUB] == ["check.yml", "publish.yml"]
    assert [p.name for p in FORGEJO] == ["check.yml", "publish.yml"]
    assert GITLAB.is_file()


@pytest.mark.parametrize("path", GITHUB + FORGEJO, ids=lambda p: str(p.relative_to(ROOT)))
def test_actions_workflows_are_well_formed(path):
    data = load(path)
    assert data["on"] and data["jobs"]
    for name, job in data["jobs"].items():
        assert job["runs-on"], name
        for step in job.get("steps", []):
            assert ("uses" in step) != ("run" in step), step


def test_github_checks_pull_requests_with_annotations_and_publishes_main():
    check, publish = (load(p) for p in GITHUB)
    assert "pull_request" in check["on"]
    assert ["check", "--format", "github"] in site_builder_commands(GITHUB[0])
    assert publish["on"]["push"]["branches"] == ["main"]
    steps = publish["jobs"]["build"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "output"  # what `site-builder build` writes
    assert publish["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_gitlab_checks_merge_requests_and_publishes_pages():
    data = load(GITLAB)
    assert any(r["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"' for r in data["check"]["rules"])
    assert data["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert data["pages"]["artifacts"]["paths"] == ["public"]
    assert ["build", "--output", "public", "--base-url", SAMPLE["CI_PAGES_URL"]] in site_builder_commands(GITLAB)


def test_forgejo_posts_problems_as_a_comment():
    script = "\n".join(scripts(FORGEJO[0]))
    assert "site-builder check --format markdown > check-report.md" in script
    assert '"$API/issues/$PR/comments"' in script and "GITHUB_STEP_SUMMARY" in script


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_site_builder_command_parses(path):
    found = site_builder_commands(path)
    assert found, "no site-builder command"
    for argv in found:
        try:
            args = cli.parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{path.name}: `site-builder {' '.join(argv)}` is not a valid command line")
        assert args.verb in cli.VERBS


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_scripts_and_python_imports_exist(path):
    text = "\n".join(scripts(path))
    for script in re.findall(r"(?:^|\s)((?:\./)?scripts/[\w./-]+)", text):
        assert (ROOT / script).is_file(), script
    for module, name in re.findall(r"from (site_builder[\w.]*) import (\w+)", text):
        assert hasattr(importlib.import_module(module), name), f"{module}.{name}"
    for words in commands(path):  # every program called is a shell builtin or a known tool
        assert (words[0] in PROGRAMS or words[0].endswith(("site-builder", "/python"))
                or re.fullmatch(r"\w+=\S*", words[0])), words


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(ROOT)))
def test_site_builder_commands_work_in_a_site_repository(path, tmp_path, capsys, monkeypatch):
    site = make_site(tmp_path)
    monkeypatch.chdir(site)
    for argv in site_builder_commands(path):
        code, out, err = run(capsys, *argv)
        assert code == 0, f"site-builder {' '.join(argv)}: {err}"
        if argv[0] == "build":
            folder = argv[argv.index("--output") + 1] if "--output" in argv else "output"
            home = (site / folder / "index.html").read_text(encoding="utf-8")
            base = argv[argv.index("--base-url") + 1] if "--base-url" in argv else "https://example.org/"
            assert f'href="{urlsplit(base).path.rstrip("/")}/static/site.css"' in home


def test_build_base_url_overrides_site_yaml(tmp_path, capsys):
    site = make_site(tmp_path)
    code, out, err = run(capsys, "build", site, "--base-url", "https://owner.github.io/pledge")
    assert code == 0, err
    page = (site / "output/posts/tax-window/index.html").read_text(encoding="utf-8")
    assert 'href="/pledge/static/site.css"' in page and 'href="/pledge/units/tax/"' in page
    with pytest.raises(SystemExit):
        run(capsys, "build", site, "--base-url", "ftp://example.org/")
    assert "argument --base-url: 不支持“ftp:”开头的网址" in capsys.readouterr().err
