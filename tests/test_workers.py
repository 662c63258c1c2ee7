"""workers.run: parts spread over forked workers and the build process itself, results in order."""

import os
import time

import pytest

from site_builder import workers


def _whose(part: list[int]) -> list[tuple[int, int]]:
    time.sleep(0.01 * (part[0] % 3))  # parts of uneven cost: they finish out of order
    return [(n * n, os.getpid()) for n in part]


def _fails_on_seven(part: list[int]) -> list[int]:
    if 7 in part:
        raise ValueError("part with 7")
    return part


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_results_come_in_order_and_the_build_process_works_too():
    parts = [[n] for n in range(40)]
    out = [item for result in workers.run(_whose, parts, 2) for item in result]
    assert [square for square, _ in out] == [n * n for n in range(40)]  # the order of the parts
    pids = {pid for _, pid in out}
    assert os.getpid() in pids  # the calling process did parts itself ...
    assert len(pids) == 2  # ... beside one forked worker: two processes for --jobs 2, not three


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_jobs_processes_at_most():
    parts = [[n] for n in range(40)]
    pids = {pid for result in workers.run(_whose, parts, 3) for _, pid in result}
    assert os.getpid() in pids and len(pids) <= 3


def test_one_job_runs_here():
    assert list(workers.run(_whose, [[1], [2]], 1)) == [[(1, os.getpid())], [(4, os.getpid())]]


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_a_failing_part_raises_in_the_caller():
    with pytest.raises(ValueError, match="part with 7"):
        list(workers.run(_fails_on_seven, [[n] for n in range(20)], 2))


_FAILING_AGAIN_AND_AGAIN = """
import sys
from site_builder import workers

def fails_on_seven(part):
    if 7 in part:
        raise ValueError("part with 7")
    return part

if __name__ == "__main__":
    for _ in range(int(sys.argv[1])):
        try:
            list(workers.run(fails_on_seven, [[n] for n in range(20)], 2))
        except ValueError:
            pass
    print("done")
"""


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_a_failing_part_never_leaves_the_pool_waiting(tmp_path):
    """A page that fails to render ends the build with its message, every time: cancelling a part just handed
    to the pool could leave the pool's shutdown waiting forever (CPython gh-94440, in Debian 12's Python 3.11.2:
    ~1 in a few thousand failed runs; the pool now cancels what it has not started itself). Run a thousand
    times in a process of its own, bounded in time."""
    import subprocess
    import sys

    script = tmp_path / "again.py"
    script.write_text(_FAILING_AGAIN_AND_AGAIN, encoding="utf-8")
    root = os.path.dirname(os.path.dirname(os.path.abspath(workers.__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        done = subprocess.run([sys.executable, str(script), "1000"], env=env, capture_output=True, text=True,
                              timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail("workers.run hung after a part failed (the pool's shutdown waited forever)")
    assert done.returncode == 0 and done.stdout.strip() == "done", done.stderr[-2000:]


def test_two_builds_in_one_process_wait_for_each_other(tmp_path):
    """The development server builds in a thread while `check` may run in another (the editing app's test
    does): the build process does parts of the work itself, from module globals that one build at a time
    may hold, so a second build in the process waits instead of rendering the other's pages or crashing."""
    import threading

    from site_builder.incremental import pipeline, rendering
    from support.sites import ROOT, make_site, tree

    site = make_site(tmp_path, base=ROOT)  # the sample city: enough pages for the workers to share
    results, errors = {}, []

    def build(name: str, write: bool) -> None:
        try:
            results[name] = pipeline.run(site, tmp_path / name, write=write, jobs=2, use_cache=False)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build, args=(f"out{n}", n % 2 == 0)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len({r.pages for r in results.values()}) == 1 and results["out0"].pages >= rendering.POOL_MIN_PAGES
    assert tree(tmp_path / "out0") == tree(tmp_path / "out2")


def _large(part: list[int]) -> list[bytes]:
    return [bytes([n % 256]) * 200_000 + os.urandom(8) for n in part]  # more than a pipe holds


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_large_results_come_back_through_files_that_are_removed(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []
    real = workers._received
    monkeypatch.setattr(workers, "_received", lambda sent: seen.append(sent[0]) or real(sent))
    out = [item for result in workers.run(_large, [[n] for n in range(12)], 2) for item in result]
    assert [(len(b), b[0]) for b in out] == [(200_008, n) for n in range(12)]
    assert True in seen  # (the worker's parts came through files)
    assert list(tmp_path.iterdir()) == []  # the files, and their folder, are gone


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_without_a_temporary_folder_results_come_through_the_pipe(monkeypatch):
    import tempfile

    def no_folder(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    out = [item for result in workers.run(_large, [[n] for n in range(6)], 2) for item in result]
    assert [b[0] for b in out] == list(range(6))


@pytest.mark.skipif(not workers.can_fork(), reason="workers are forked processes")
def test_what_a_killed_build_left_is_removed_by_the_next(tmp_path, monkeypatch):
    """A build killed outright (SIGKILL: a cancelled CI job) leaves its results folder behind, with the results
    that were on their way; the next process that uses workers removes it, and nothing else."""
    import signal
    import subprocess
    import sys
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(workers, "_swept", False)
    dead = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead.send_signal(signal.SIGKILL)
    dead.wait()
    left = tmp_path / f"{workers.RESULTS_PREFIX}{dead.pid}-abc123"
    left.mkdir()
    (left / "tmp1.pickle").write_bytes(b"x" * 1000)
    alive = tmp_path / f"{workers.RESULTS_PREFIX}{os.getpid()}-def456"  # (a build running in this process)
    alive.mkdir()
    other = tmp_path / f"{workers.RESULTS_PREFIX}notes"
    other.mkdir()
    out = [item for result in workers.run(_large, [[n] for n in range(4)], 2) for item in result]
    assert [b[0] for b in out] == list(range(4))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_a_scratch_folder_is_the_callers_until_it_is_done_with_it(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        with workers.scratch() as folder:
            assert os.path.dirname(folder) == str(tmp_path) and os.stat(folder).st_mode & 0o777 == 0o700
            (tmp_path / folder / "part.pickle").write_bytes(b"x")
            raise RuntimeError("a build that stops")
    assert list(tmp_path.iterdir()) == []  # removed, with what was in it

    def no_folder(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(tempfile, "mkdtemp", no_folder)
    with workers.scratch() as folder:
        assert folder is None  # (the caller keeps things in memory instead)


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _fails(n: int) -> int:
    raise ValueError(n)


@pytest.mark.skipif(not workers.can_fork(), reason="a forked helper")
def test_a_background_task_runs_in_another_process_while_the_caller_goes_on():
    with workers.background(_square, 12) as result:
        square, pid = result()
        assert result() == (144, pid)  # (asked again: the same answer, not a second wait)
    assert square == 144 and pid != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped


@pytest.mark.skipif(not workers.can_fork(), reason="a forked helper")
def test_a_failed_background_task_answers_none_and_one_never_asked_is_ended():
    with workers.background(_fails, 3) as result:
        assert result() is None
    with workers.background(time.sleep, 30) as result:
        pass  # left without asking: the helper is not waited for until it is done
    start = time.monotonic()
    with workers.background(_square, 2 ** 20) as result:
        pass
    assert time.monotonic() - start < 5
