"""The benchmark's baselines agree with planner (so its timings compare like with like)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from planner import required_agents
from planner.simulation.engines import run_fast, run_simpy

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench_module(name: str = "bench_required_agents"):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_baselines_match_planner():
    bench = _bench_module()
    calls = np.random.default_rng(1).uniform(10, 2000, 25)
    expected = required_agents(calls, bench.AHT, bench.INTERVAL, bench.TARGETS).tolist()
    for baseline in (bench.incremental_required_agents, bench.straightforward_required_agents):
        assert baseline(calls.tolist(), bench.AHT, bench.INTERVAL) == expected


def test_minimal_simpy_model_answers_the_same_callers_as_planner():
    bench = _bench_module("bench_simulation")
    _, callers, day = bench.case(3000, seed=2)
    patience = (callers.gives_up_at - callers.arrival).tolist()
    minimal = np.asarray(
        bench.minimal_simpy(callers.arrival.tolist(), callers.handle.tolist(), patience)
    )
    ours = run_simpy(callers, day).start
    np.testing.assert_array_equal(np.isfinite(minimal), np.isfinite(ours))
    np.testing.assert_allclose(minimal[np.isfinite(ours)], ours[np.isfinite(ours)], rtol=1e-12)
    np.testing.assert_array_equal(run_fast(callers, day).start, ours)


def test_make_bench_keeps_the_sections_written_by_hand():
    """`make bench` rewrites docs/performance.md from what the benchmarks print; the
    sections no benchmark prints (the limits) stay, word for word."""
    run_all = _bench_module("run_all")
    page = (BENCH.parent / "docs" / "performance.md").read_text(encoding="utf-8")
    kept = run_all.written_by_hand(page)
    assert [s.splitlines()[0] for s in kept] == ["## Limits: what is refused up front"]
    assert kept[0].rstrip() in page
    printed = {title for _, title in run_all.BENCHES}
    assert all(f"## {title}" in page for title in printed)
