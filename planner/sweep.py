"""Sweeps: many what-if variations of one scenario, in parallel, saved as they finish.

A variation is a dict of changes to a :class:`~planner.Scenario`
(:data:`AXES` lists them): ``{"volume": 1.15, "aht_seconds": 20,
"shrinkage": 0.35}`` is "15% more calls, AHT 20 s longer, 35% shrinkage".
:func:`grid` builds every combination of some axes. :func:`sweep` evaluates
each variation (the requirement and its cost, a simulation of the plan, or
both) on any :class:`concurrent.futures.Executor`: local processes by
default, or a ``dask.distributed`` cluster given its scheduler address.

With ``out=`` every finished variation is written at once to its own
Parquet file, named by a hash of the scenario, the variation and what is
evaluated; a sweep that was interrupted and is run again reads the files
that exist and computes only the rest. Every variation simulates from the
scenario's seed, so results do not depend on how many workers ran them or
in which order, and variations are compared on common random numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.scenario import Scenario
from planner.simulation import Deterministic, Distribution, Empirical, Exponential, Gamma, Lognormal
from planner.staffing import interval_metrics, scheduled_staff

__all__ = ["AXES", "Evaluate", "grid", "summarize_sweep", "sweep", "vary"]

Evaluate = Literal["requirements", "simulation", "both"]

AXES: dict[str, str] = {
    "volume": "multiplier on offered calls (1.15: 15% more)",
    "aht_factor": "multiplier on AHT",
    "aht_seconds": "seconds added to AHT (after the multiplier)",
    "shrinkage": "fraction of paid time off the phones, in [0, 1)",
    "service_level": "service-level target, in (0, 1]",
    "answer_time": "service-level threshold, seconds",
    "staffing_offset": "agents added to (or taken from) every interval of the plan",
    "patience": "mean patience, seconds (the distribution's shape is kept)",
    "cost_per_hour": "cost of a paid agent hour",
}


def grid(**axes: Iterable[float]) -> list[dict[str, float]]:
    """Every combination of the given axes' values, e.g. ``grid(volume=[0.9, 1, 1.1])``."""
    _check_axes(axes)
    names = list(axes)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _check_axes(variation: Mapping[str, Any]) -> None:
    unknown = sorted(set(variation) - set(AXES))
    if unknown:
        raise InputError(f"unknown variation axis {unknown[0]!r}; the axes are {list(AXES)}")


def _with_mean(dist: Distribution, mean: float) -> Distribution:
    """The same shape of distribution, with another mean."""
    if isinstance(dist, Exponential):
        return Exponential(mean)
    if isinstance(dist, Lognormal | Gamma):
        return type(dist)(mean, dist.cv)
    if isinstance(dist, Deterministic):
        return Deterministic(mean)
    if isinstance(dist, Empirical):
        return Empirical(dist.values * (mean / dist.mean))
    raise InputError(f"cannot rescale {dist!r}")


def vary(scenario: Scenario, variation: Mapping[str, Any]) -> Scenario:
    """The scenario with one variation applied (see :data:`AXES`)."""
    _check_axes(variation)
    v = dict(variation)
    calls = np.asarray(scenario.calls) * float(v.get("volume", 1.0))
    aht = np.asarray(scenario.aht) * float(v.get("aht_factor", 1.0))
    aht = aht + float(v.get("aht_seconds", 0.0))
    targets = scenario.targets
    changes = {k: v[k] for k in ("service_level", "answer_time") if k in v}
    if changes:
        targets = dataclasses.replace(targets, **changes)
    patience = scenario.patience
    if "patience" in v:
        patience = (
            Exponential(v["patience"])
            if patience is None
            else _with_mean(patience, float(v["patience"]))  # type: ignore[arg-type]
        )
    plan = scenario.plan
    if plan is not None and "staffing_offset" in v:
        plan = tuple(max(0, a + int(v["staffing_offset"])) for a in plan)
    return dataclasses.replace(
        scenario,
        calls=tuple(calls.tolist()),
        aht=tuple(aht.tolist()),
        history=None,  # the workload is now explicit
        targets=targets,
        shrinkage=v.get("shrinkage", scenario.shrinkage),
        patience=patience,
        plan=plan,
        cost_per_hour=v.get("cost_per_hour", scenario.cost_per_hour),
    )


def _evaluate(
    scenario: Scenario, variation: dict[str, Any], index: int, evaluate: str
) -> pd.DataFrame:
    """One variation, one row per interval (the worker's job; module level to pickle)."""
    s = vary(scenario, variation)
    offset = int(variation.get("staffing_offset", 0))
    table = s.requirements()
    required = table["agents"].to_numpy(dtype=np.int64)
    plan = (
        np.asarray(s.plan, dtype=np.int64)
        if s.plan is not None
        else np.maximum(required + offset, 0)
    )
    out = pd.DataFrame(
        {
            "variation": index,
            "interval_start": table["interval_start"].to_numpy(),
            "calls": table["calls"].to_numpy(),
            "aht": table["aht"].to_numpy(),
            "required_agents": required,
            "agents": plan,
            "scheduled": np.asarray(scheduled_staff(plan, s.shrinkage)),
        }
    )
    for key, value in variation.items():
        out.insert(1, key, value)
    erlang = interval_metrics(plan, s.calls, s.aht, s.interval, s.targets, s.mean_patience)
    for col in ("service_level", "asa", "occupancy", "abandon_rate"):
        if col in erlang:
            out[f"erlang_{col}"] = erlang[col].to_numpy()
    if evaluate in ("simulation", "both"):
        res = dataclasses.replace(s, plan=tuple(int(a) for a in plan)).simulate()
        for metric in ("service_level", "abandon_rate", "occupancy", "asa", "offered"):
            est = res[metric]
            low, high = est.confidence_interval()
            out[f"sim_{metric}"] = est.mean
            out[f"sim_{metric}_ci_low"] = low
            out[f"sim_{metric}_ci_high"] = high
        # Day figures as one row-constant column each, pooled within replications.
        for metric in ("service_level", "abandon_rate"):
            day = res.day(metric)
            out[f"day_sim_{metric}"] = day.mean
            out[f"day_sim_{metric}_ci_low"], out[f"day_sim_{metric}_ci_high"] = (
                day.confidence_interval()
            )
    out["interval_hours"] = s.interval / 3600.0
    out["hourly_cost"] = np.nan if s.cost_per_hour is None else s.cost_per_hour
    return out


def _key(scenario: Scenario, variation: Mapping[str, Any], evaluate: str) -> str:
    """A stable name for one variation's result file."""
    text = json.dumps(
        {"scenario": scenario.dumps(), "variation": dict(variation), "evaluate": evaluate},
        sort_keys=True,
        default=float,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def summarize_sweep(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per variation: its axes, staffing, paid hours and cost, and service.

    Erlang figures are call-weighted over the day; simulated ones (when
    present) are the whole-day estimates with their 95% confidence interval.
    """
    axes = [c for c in AXES if c in intervals.columns]
    rows = []
    for index, g in intervals.groupby("variation", sort=True):
        calls = g["calls"].to_numpy()
        hours = g["interval_hours"].to_numpy()
        paid = float((g["scheduled"] * hours).sum())
        row: dict[str, Any] = {"variation": index}
        row |= {a: g[a].iloc[0] for a in axes}
        row |= {
            "calls": float(calls.sum()),
            "peak_agents": int(g["agents"].max()),
            "agent_hours": float((g["agents"] * hours).sum()),
            "paid_hours": paid,
            "cost": paid * float(g["hourly_cost"].iloc[0]),
            "erlang_service_level": float(np.average(g["erlang_service_level"], weights=calls))
            if calls.sum() > 0
            else np.nan,
        }
        if "erlang_abandon_rate" in g:
            row["erlang_abandon_rate"] = (
                float(np.average(g["erlang_abandon_rate"], weights=calls))
                if calls.sum() > 0
                else np.nan
            )
        for col in [c for c in g.columns if c.startswith("day_sim_")]:
            row[col.removeprefix("day_")] = float(g[col].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows).set_index("variation")


def sweep(
    scenario: Scenario,
    variations: Sequence[Mapping[str, Any]],
    *,
    evaluate: Evaluate = "requirements",
    executor: Executor | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Evaluate every variation of ``scenario``; one row per variation and interval.

    Parameters
    ----------
    scenario : the base :class:`~planner.Scenario`.
    variations : dicts of changes (see :data:`AXES` and :func:`grid`).
    evaluate : ``"requirements"`` (Erlang requirement, its service and cost),
        ``"simulation"`` (also simulate the plan with the scenario's settings)
        or ``"both"`` (the same as simulation: the requirement always comes).
    executor : any :class:`concurrent.futures.Executor`; default a process
        pool of ``workers`` (default: all cores).
    scheduler : a ``dask.distributed`` scheduler address (``tcp://host:8786``)
        to run on instead.
    out : a directory to write each finished variation to (Parquet) and to
        resume from.
    progress : show a progress bar (terminal or notebook).

    Returns
    -------
    Tidy table: ``variation`` (its index), the axes it sets, and per interval
    ``calls``, ``aht``, ``required_agents``, ``agents`` (the plan),
    ``scheduled``, Erlang figures ``erlang_*`` at the plan and, when
    simulated, ``sim_*`` means with ``_ci_low``/``_ci_high`` (95%).
    :func:`summarize_sweep` turns it into one row per variation with cost.
    """
    if evaluate not in ("requirements", "simulation", "both"):
        raise InputError(f"'evaluate' must be 'requirements', 'simulation' or 'both': {evaluate!r}")
    if not isinstance(scenario, Scenario):
        raise InputError(f"'scenario' must be a planner.Scenario: {type(scenario).__name__}")
    todo_all: list[dict[str, Any]] = [dict(v) for v in variations]
    if not todo_all:
        raise InputError("'variations' is empty: nothing to sweep")
    for v in todo_all:
        vary(scenario, v)  # checks axes and values before any work starts
    folder = None if out is None else Path(out)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    results: dict[int, pd.DataFrame] = {}
    todo: list[tuple[int, dict[str, Any], Path | None]] = []
    for i, v in enumerate(todo_all):
        path = (
            None if folder is None else folder / f"variation-{_key(scenario, v, evaluate)}.parquet"
        )
        if path is not None and path.exists():
            results[i] = pd.read_parquet(path).assign(variation=i)
        else:
            todo.append((i, v, path))
    if todo:
        own = executor is None
        client = None
        if scheduler is not None:
            from distributed import Client

            client = Client(scheduler)
            executor = client.get_executor()
        elif executor is None:
            executor = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1)
        try:
            futures = {
                executor.submit(_evaluate, scenario, v, i, evaluate): (i, path)
                for i, v, path in todo
            }
            done = as_completed(futures)
            if progress:
                from tqdm.auto import tqdm

                done = tqdm(done, total=len(futures), initial=0, desc="variations")
            for future in done:
                i, path = futures[future]
                frame = future.result()
                if path is not None:
                    tmp = path.with_suffix(".tmp")
                    frame.to_parquet(tmp, index=False)
                    tmp.replace(path)  # a killed sweep never leaves half a file
                results[i] = frame
        finally:
            if client is not None:
                client.close()
            elif own:
                executor.shutdown(wait=True, cancel_futures=True)
    table = pd.concat([results[i] for i in sorted(results)], ignore_index=True)
    table.attrs["reused"] = len(todo_all) - len(todo)
    return table
