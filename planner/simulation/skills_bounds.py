"""The two staffings every multi-skill plan sits between, by Erlang, per interval.

- **Dedicated teams**: each call type answered by a team of its own, staffed
  alone for its targets (Erlang A with its mean patience, Erlang C without one),
  at its own handle time. Cross-trained agents can only do better, so a
  multi-skill staffing that costs more hours than this gains nothing.
- **Fully pooled**: every agent takes every call type, all calls in one
  first-come-first-served queue, staffed so that every type's targets hold for
  that one queue (callers of all types then wait alike). No routing does better
  with the same handle times, so it is the least any skill mix can need.

Group-specific handle times and routing are ignored here: these are bounds from
the call types alone, the reference a manager compares a skills plan against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import numpy as np
import pandas as pd

from planner._validate import FloatArray
from planner.errors import InputError
from planner.models.erlang import erlang_model
from planner.report import hours
from planner.simulation.distributions import Distribution
from planner.simulation.skills import CallType, Center
from planner.staffing import required_agents

__all__ = ["pooled_agents", "staffing_bounds"]


def _patience(t: CallType) -> float | None:
    """The call type's mean patience, seconds (None: nobody hangs up)."""
    return None if t.patience is None else float(cast(Distribution, t.patience).mean)


def pooled_agents(center: Center, types: Iterable[int]) -> FloatArray:
    """Agents per interval that call types ``types`` (positions in ``center.call_types``)
    need as one pool: their calls in one first-come-first-served queue, every agent
    taking each of them, every type's targets held for that queue (Erlang A at the
    calls' mean patience, Erlang C if one of them never hangs up). One type alone: its
    dedicated team."""
    chosen = [center.call_types[q] for q in types]
    step = center.interval
    calls = np.stack([np.asarray(t.calls, dtype=np.float64) for t in chosen])
    aht = np.stack([t.aht_per_interval() for t in chosen])
    total = calls.sum(axis=0)
    weights = np.where(total > 0, calls / np.where(total > 0, total, 1.0), 1.0 / len(calls))
    pooled_aht = (weights * aht).sum(axis=0)
    patience = [_patience(t) for t in chosen]
    if len(chosen) == 1:
        model = erlang_model(patience[0])
    elif any(p is None for p in patience):  # some never hang up: nobody abandons the pool
        model = erlang_model(None)
    else:
        mean = (weights * np.asarray(patience, dtype=np.float64)[:, None]).sum(axis=0)
        model = erlang_model(tuple(float(x) for x in mean))
    return np.max(
        [np.asarray(required_agents(total, pooled_aht, step, t.targets, model=model), float)
         for t in chosen],
        axis=0,
    )  # fmt: skip


def staffing_bounds(center: Center) -> pd.DataFrame:
    """Agents per interval under dedicated teams and under full pooling (see the module
    notes): columns ``dedicated <type>`` for each call type, ``dedicated`` (their sum)
    and ``pooled``; one row per interval. ``df.attrs["agent_hours"]`` holds the day's
    agent hours of each column."""
    if not isinstance(center, Center):
        raise InputError(f"'center' must be a Center: {center!r}")
    step = center.interval
    out: dict[str, FloatArray] = {}
    for q, t in enumerate(center.call_types):
        out[f"dedicated {t.name}"] = pooled_agents(center, [q])
    out["dedicated"] = np.sum([out[f"dedicated {t.name}"] for t in center.call_types], axis=0)
    out["pooled"] = pooled_agents(center, range(len(center.call_types)))
    table = pd.DataFrame(out).rename_axis("interval")
    table.attrs["agent_hours"] = {name: hours(col, step) for name, col in out.items()}
    return table
