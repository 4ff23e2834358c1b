"""Sweeps: variations, executors (process pool, Dask), resume after a kill, seeds."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import InputError, Lognormal, Scenario
from planner.sweeps import grid, summarize_sweep, sweep, vary

ROOT = Path(__file__).resolve().parents[2]
DESK = Scenario.load(ROOT / "scenarios" / "help_desk.toml")
SMALL = dataclasses.replace(DESK, simulation=dataclasses.replace(DESK.simulation, replications=4))
VARIATIONS = grid(volume=[0.9, 1.1], staffing_offset=[0, 1])


def test_grid_and_axes():
    assert grid(volume=[1, 2], shrinkage=[0.3]) == [
        {"volume": 1, "shrinkage": 0.3},
        {"volume": 2, "shrinkage": 0.3},
    ]
    with pytest.raises(InputError, match="unknown variation axis 'colour'"):
        grid(colour=["red"])


def test_vary_applies_each_axis():
    s = vary(
        DESK,
        {"volume": 1.15, "aht_factor": 1.1, "aht_seconds": 20, "shrinkage": 0.35,
         "service_level": 0.8, "answer_time": 30, "patience": 120, "cost_per_hour": 50},
    )  # fmt: skip
    np.testing.assert_allclose(s.calls, np.asarray(DESK.calls) * 1.15)
    np.testing.assert_allclose(s.aht, np.asarray(DESK.aht) * 1.1 + 20)
    assert s.shrinkage == 0.35 and s.cost_per_hour == 50
    assert (s.targets.service_level, s.targets.answer_time) == (0.8, 30)
    assert s.targets.max_abandon == DESK.targets.max_abandon
    assert s.patience == Lognormal(120, 0.8)  # the shape is kept
    with pytest.raises(InputError, match="'shrinkage' must be in"):
        vary(DESK, {"shrinkage": 1.5})


def test_sweep_rows_and_cost_view():
    table = sweep(SMALL, VARIATIONS, evaluate="requirements", workers=2, progress=False)
    assert len(table) == len(VARIATIONS) * len(DESK.calls)
    summary = summarize_sweep(table)
    base = vary(DESK, VARIATIONS[0]).cost()
    assert summary.loc[0, "scheduled_hours"] == pytest.approx(base["scheduled_hours"])
    assert summary.loc[0, "cost"] == pytest.approx(base["cost"])
    assert (summary["currency"] == (DESK.currency or "")).all() and DESK.currency == "EUR"
    # one more agent in every interval: 40 intervals of 15 minutes = 10 more agent hours
    assert summary.loc[1, "agent_hours"] == pytest.approx(summary.loc[0, "agent_hours"] + 10)
    assert (summary["erlang_service_level"].diff().iloc[[1, 3]] > 0).all()


def test_same_numbers_whatever_runs_it():
    one = sweep(SMALL, VARIATIONS, evaluate="simulation", workers=1, progress=False)
    two = sweep(SMALL, VARIATIONS, evaluate="simulation", workers=2, progress=False)
    with ThreadPoolExecutor(3) as pool:
        threads = sweep(SMALL, VARIATIONS, evaluate="simulation", executor=pool, progress=False)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, threads)
    assert {"sim_service_level", "sim_service_level_ci_low", "sim_abandon_rate"} <= set(one)


@pytest.mark.slow
def test_dask_cluster_gives_the_process_pool_numbers():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = sweep(
            SMALL, VARIATIONS, evaluate="simulation", scheduler=cluster.scheduler_address,
            progress=False,
        )  # fmt: skip
    local = sweep(SMALL, VARIATIONS, evaluate="simulation", workers=2, progress=False)
    pd.testing.assert_frame_equal(on_dask, local)


def _children(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.slow
def test_killed_sweep_leaves_no_workers_and_resumes_without_recomputing(tmp_path):
    out = tmp_path / "results"
    variations = grid(volume=[0.8, 0.9, 1.0, 1.1, 1.2, 1.3])
    script = textwrap.dedent(f"""
        from planner import Scenario
        from planner.sweeps import sweep
        s = Scenario.load({str(ROOT / "scenarios" / "help_desk.toml")!r})
        s = s.with_changes(replications=300)
        sweep(s, {variations!r}, evaluate="simulation", workers=2, out={str(out)!r},
              progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and len(list(out.glob("*.parquet"))) < 2:
        workers |= _children(proc.pid)
        time.sleep(0.05)
    workers |= _children(proc.pid)
    proc.kill()
    proc.wait()
    assert len(workers) >= 2, f"the pool's workers were not seen: {workers}"
    # The workers notice their parent is gone and exit (they poll every 0.5 s).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    orphans = [w for w in workers if _alive(w)]
    for w in orphans:
        os.kill(w, signal.SIGKILL)
    assert not orphans, f"sweep workers outlived their killed parent: {orphans}"
    done = len(list(out.glob("*.parquet")))
    assert 2 <= done < len(variations), "the sweep should be killed midway"
    for path in out.glob("*.parquet"):  # a half-written file is never a .parquet
        assert len(pd.read_parquet(path)) == len(DESK.calls)
    slow = DESK.with_changes(replications=300)
    resumed = sweep(slow, variations, evaluate="simulation", workers=2, out=out, progress=False)
    assert resumed.attrs["reused"] == done
    fresh = sweep(slow, variations, evaluate="simulation", workers=2, progress=False)
    pd.testing.assert_frame_equal(resumed, fresh)
    again = sweep(slow, variations, evaluate="simulation", workers=2, out=out, progress=False)
    assert again.attrs["reused"] == len(variations)


def test_resume_trusts_only_a_result_saved_for_its_own_variation(tmp_path):
    # a file copied over another variation's name, and an empty file, are run again
    out = tmp_path / "res"
    variations = grid(volume=[0.9, 1.1])
    fresh = sweep(DESK, variations, workers=1, out=out, progress=False)
    first, second = sorted(out.glob("*.parquet"), key=lambda p: p.stat().st_mtime)
    second.write_bytes(first.read_bytes())  # another variation's result under this name
    again = sweep(DESK, variations, workers=1, out=out, progress=False)
    assert again.attrs["reused"] == 1
    pd.testing.assert_frame_equal(again.reset_index(drop=True), fresh.reset_index(drop=True))
    first.write_bytes(b"")  # a file left empty
    once_more = sweep(DESK, variations, workers=1, out=out, progress=False)
    assert once_more.attrs["reused"] == 1
    pd.testing.assert_frame_equal(once_more.reset_index(drop=True), fresh.reset_index(drop=True))


def test_bad_sweeps():
    with pytest.raises(InputError, match="'evaluate' must be"):
        sweep(SMALL, VARIATIONS, evaluate="everything", progress=False)
    with pytest.raises(InputError, match="nothing to sweep"):
        sweep(SMALL, [], progress=False)
    with pytest.raises(InputError, match="unknown variation axis 'volumes'"):
        sweep(SMALL, [{"volumes": 2}], progress=False)
