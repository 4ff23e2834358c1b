"""Benchmark: what running a page's long work in a worker process costs.

The app starts workers from multiprocessing's fork server (``app_pages/worker.py``):
starting the server once, then each job's round trip (start, pickle the job and the
answer), against the same work called directly. Median of ``--repeats``.
Run with ``make bench`` or ``python bench/bench_worker.py``.
"""

from __future__ import annotations

import argparse
import functools
import operator
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import planner  # noqa: E402
from app_pages import worker  # noqa: E402


def _in_worker(job: functools.partial) -> float:  # type: ignore[type-arg]
    """Seconds from starting ``job`` in a worker to holding its answer."""
    t0 = time.perf_counter()
    process, answers = worker.start(job, with_progress=False)
    kind, _ = answers.recv()
    process.join()
    assert kind == "done", kind
    return time.perf_counter() - t0


def _direct(job: functools.partial) -> float:  # type: ignore[type-arg]
    t0 = time.perf_counter()
    job()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from multiprocessing import forkserver

    t0 = time.perf_counter()
    forkserver.ensure_running()  # what worker.warm_up does in the background
    _in_worker(functools.partial(operator.mul, 6, 7))  # waits for the server's imports
    print(f"{'starting the fork server (once per app)':52}{time.perf_counter() - t0:9.3f} s")
    desk = planner.Scenario.load(ROOT / "scenarios" / "help_desk.toml")
    email = planner.EmailChannel(
        items=desk.calls, aht=float(sum(desk.aht) / len(desk.aht)), deadline=14400.0
    )
    cases = [
        ("6 * 7 (the round trip alone)", functools.partial(operator.mul, 6, 7)),
        ("help desk, email team (the Email page)", functools.partial(
            desk.with_changes(email=email).channel_requirements, "email")),
        ("help desk, every team", desk.staff_requirements),
    ]  # fmt: skip
    print(f"{'':52}{'worker':>9}{'direct':>11}")
    for label, job in cases:
        _direct(job)  # the kernels compiled or loaded once, as in a running app
        inside = statistics.median(_in_worker(job) for _ in range(args.repeats))
        direct = statistics.median(_direct(job) for _ in range(args.repeats))
        print(f"{label:52}{inside:7.3f} s{direct:9.3f} s")


if __name__ == "__main__":
    main()
