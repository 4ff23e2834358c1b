"""The benchmark's baselines agree with planner (so its timings compare like with like)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from planner import required_agents

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_required_agents.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_required_agents", BENCH)
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
