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
