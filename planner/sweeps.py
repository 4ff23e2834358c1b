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

import hashlib
import itertools
import json
import os
import signal
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from planner.channels import CHANNELS, team_day
from planner.errors import InputError
from planner.report import day_summary
from planner.scenario import WHATIFS, CenterScenario, Scenario, whatif

__all__ = ["AXES", "Evaluate", "center_axes", "grid", "summarize_sweep", "sweep", "vary"]

Evaluate = Literal["requirements", "simulation", "schedule", "capacity"]

AXES: dict[str, str] = {name: w.meaning for name, w in WHATIFS.items() if w.axis}
"""The what-ifs a sweep may vary (those of :data:`planner.scenario.WHATIFS` marked
``axis``): name -> meaning. A multi-skill :class:`~planner.CenterScenario` has its
own (see :func:`center_axes`)."""
# Axes that change the scenario's [schedule] rules (evaluate="schedule").
SCHEDULE_AXES = tuple(name for name in AXES if WHATIFS[name].part == "schedule")


def grid(**axes: Iterable[float]) -> list[dict[str, float]]:
    """Every combination of the given axes' values, e.g. ``grid(volume=[0.9, 1, 1.1])``;
    a multi-skill scenario's per-queue and per-group axes (:func:`center_axes`) are
    checked by :func:`sweep`: ``grid(**{"volume cards": [1, 1.2]})``."""
    _check_axes({k: x for k, x in axes.items() if not k.startswith(("volume ", "cost "))})
    for name, values in axes.items():
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise InputError(f"grid axis {name!r} takes a list of values: {values!r}")
    names = list(axes)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _check_axes(variation: Mapping[str, Any], axes: Mapping[str, str] = AXES) -> None:
    unknown = sorted(set(variation) - set(axes))
    if unknown:
        raise InputError(f"unknown variation axis {unknown[0]!r}; the axes are {list(axes)}")


def center_axes(center: CenterScenario) -> dict[str, str]:
    """The axes a sweep of a multi-skill scenario may vary: name -> meaning.
    ``volume`` (every queue's calls times it), ``volume <queue>`` (that queue's) and
    ``cost <group>`` (that group's cost per hour)."""
    axes = {"volume": "every queue's calls, times this"}
    axes |= {f"volume {q.name}": f"calls of queue {q.name!r}, times this" for q in center.queues}
    axes |= {f"cost {g.name}": f"cost per hour of group {g.name!r}" for g in center.groups}
    return axes


def vary(scenario: Scenario | CenterScenario, variation: Mapping[str, Any]) -> Any:
    """The scenario with one variation applied: :meth:`Scenario.with_changes` of its
    axes (see :data:`AXES`), numbers each. A budget of paid hours is soft coverage
    (shortfalls where they cost least service), unless the scenario says otherwise.
    A multi-skill scenario takes :func:`center_axes`."""
    if isinstance(scenario, CenterScenario):
        _check_axes(variation, center_axes(scenario))
        number = {k: whatif.number(k, val) for k, val in variation.items()}
        return scenario.with_changes(
            calls_factor=number.get("volume"),
            queue_calls={k.removeprefix("volume "): x for k, x in number.items()
                         if k.startswith("volume ")},
            group_cost={k.removeprefix("cost "): x for k, x in number.items()
                        if k.startswith("cost ")},
        )  # fmt: skip
    _check_axes(variation)
    changes: dict[str, Any] = {k: whatif.number(k, val) for k, val in variation.items()}
    if "paid_hours" in changes:
        changes["coverage"] = "soft"
    return scenario.with_changes(**changes)


def _evaluate(
    scenario: Scenario | CenterScenario, variation: dict[str, Any], index: int, evaluate: str
) -> pd.DataFrame:
    """One variation, one row per interval (the worker's job; module level to pickle)."""
    s = vary(scenario, variation)
    if isinstance(s, CenterScenario):
        return _evaluate_center(s, variation, index, evaluate)
    if evaluate == "schedule":
        return _evaluate_schedule(s, variation, index)
    if evaluate == "capacity":
        return _evaluate_capacity(s, variation, index)
    table = s.evaluate()
    out = pd.DataFrame({"variation": index}, index=table.index)
    for key, value in variation.items():
        out[key] = value
    for col in (
        "interval_start",
        "calls",
        "aht",
        "traffic",
        "required_agents",
        "agents",
        "scheduled",
    ):
        out[col] = table[col].to_numpy()
    for col in ("service_level", "asa", "occupancy", "abandon_rate"):
        if col in table:
            out[f"erlang_{col}"] = table[col].to_numpy()
    for channel in s.channels:  # each other team beside the calls' (separate teams)
        team = channel.requirements(s.as_day())
        for col in ("offered", "agents", "scheduled", channel.service):
            source = channel.offered if col == "offered" else col
            out[f"{channel.name}_{col}"] = team[source].to_numpy()
    if evaluate == "simulation":
        res = s.simulate()
        for metric in ("service_level", "abandon_rate", "occupancy", "asa", "calls"):
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
    return _priced(out, s)


def _evaluate_center(
    s: CenterScenario, variation: dict[str, Any], index: int, evaluate: str
) -> pd.DataFrame:
    """One variation of a multi-skill scenario: its staffing per group found in
    simulation (:meth:`CenterScenario.staffing_table`'s columns), its day's totals
    (row-constant ``center_*``) and, with ``evaluate="simulation"``, each queue's
    service simulated again (``sim_service_level <queue>`` and the like)."""
    found = s.staffing()
    table = s.staffing_table(found)
    out = pd.DataFrame({"variation": index}, index=table.index)
    for key, value in variation.items():
        out[key] = value
    out = pd.concat([out, table], axis=1)
    total = s.staffing_summary(found).set_index("staffing").loc["total"]
    out["center_agent_hours"] = found.agent_hours
    out["center_scheduled_hours"] = total["scheduled_hours"]
    out["center_cost"] = np.nan if total["cost"] is None else total["cost"]
    out["center_met"] = found.met
    out["center_dedicated_hours"] = found.bounds.attrs["agent_hours"]["dedicated"]
    out["center_pooled_hours"] = found.bounds.attrs["agent_hours"]["pooled"]
    if evaluate == "simulation":
        res = s.simulate(found)
        for name, r in res.call_types.items():
            for metric in ("service_level", "abandon_rate", "asa"):
                out[f"sim_{metric} {name}"] = r[metric].mean
            day = r.day("service_level")
            out[f"day_sim_service_level {name}"] = day.mean
    out["interval_seconds"] = s.interval
    out["currency"] = s.currency or ""
    return out


_CAPACITY_WEEKS = (
    "week_start", "calls", "required_fte", "target_fte", "headcount", "productive_fte",
    "overtime_fte", "short_fte", "service_level", "p_short",
)  # fmt: skip


def _evaluate_capacity(s: Scenario, variation: dict[str, Any], index: int) -> pd.DataFrame:
    """One variation's capacity plan (:meth:`Scenario.capacity_plan`), one row per week:
    its figures (:data:`_CAPACITY_WEEKS`, ``week_service_level`` for the service level)
    and the plan's totals (row-constant ``capacity_*``: hires, classes, cost)."""
    plan = s.capacity_plan()
    weeks = plan.weeks
    out = pd.DataFrame({"variation": index}, index=weeks.index)
    for key, value in variation.items():
        out[key] = value
    for col in _CAPACITY_WEEKS:  # the week's service level apart from the axis of that name
        out["week_service_level" if col == "service_level" else col] = weeks[col].to_numpy()
    out["week_start"] = weeks["week_start"].dt.strftime("%Y-%m-%d")
    out["capacity_hires"] = int(plan.classes["size"].sum())
    out["capacity_classes"] = len(plan.classes)
    out["capacity_cost"] = float(plan.cost["total"])
    out["capacity_gap"] = plan.gap
    out["currency"] = s.currency or ""
    return out


def _priced(out: pd.DataFrame, s: Scenario) -> pd.DataFrame:
    """``out`` with the row-constant columns the day's cost is made from: the interval
    (seconds), the cost per paid hour and its currency."""
    out["interval_seconds"] = s.interval
    out["cost_per_hour"] = np.nan if s.cost_per_hour is None else s.cost_per_hour
    out["currency"] = s.currency or ""  # as Compare shows it: empty when not said
    return out


def _evaluate_schedule(s: Scenario, variation: dict[str, Any], index: int) -> pd.DataFrame:
    """One variation's schedule, one row per interval of its horizon: the agents it puts
    on the phones and their Erlang figures, and the schedule's totals (row-constant)."""
    try:
        result = s.schedule()
    except InputError as err:  # rules no schedule meets: a row that says why
        load = s.schedule_workload()
        out = pd.DataFrame({"variation": index}, index=load.index)
        for key, value in variation.items():
            out[key] = value
        out["interval_start"] = load["interval_start"].astype(str)
        out["calls"], out["aht"] = load["calls"], load["aht"]
        for col in ("schedule_people", "schedule_scheduled_hours", "schedule_cost", "schedule_gap"):
            out[col] = np.nan
        out["schedule_error"] = str(err)
        return _priced(out, s)
    service = result.service().reset_index()
    coverage = result.coverage.reset_index(drop=True)
    out = pd.DataFrame({"variation": index}, index=service.index)
    for key, value in variation.items():
        out[key] = value
    out["interval_start"] = service["interval_start"].astype(str)
    for col in ("calls", "aht", "traffic"):
        out[col] = service[col].to_numpy()
    out["required_agents"] = s.schedule_requirements()["agents"].to_numpy()
    out["agents"] = coverage["agents"].to_numpy()  # on the phones, from the shifts
    out["scheduled"] = coverage["scheduled"].to_numpy()  # people on duty
    out["required_people"] = coverage["required"].to_numpy()
    out["short"] = coverage["short"].to_numpy()
    for col in ("service_level", "asa", "occupancy", "abandon_rate"):
        if col in service:
            out[f"erlang_{col}"] = service[col].to_numpy()
    out["schedule_people"] = result.people
    out["schedule_scheduled_hours"] = result.scheduled_hours
    out["schedule_cost"] = result.cost
    out["schedule_gap"] = result.gap
    out["schedule_error"] = ""
    return _priced(out, s)


# Bumped when the result columns change, so older files are not reused.
_FORMAT = 5


def _key(scenario: Scenario | CenterScenario, variation: Mapping[str, Any], evaluate: str) -> str:
    """A stable name for one variation's result file."""
    text = json.dumps(
        {
            "scenario": scenario.dumps(),
            "variation": dict(variation),
            "evaluate": evaluate,
            "format": _FORMAT,
        },
        sort_keys=True,
        default=float,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def summarize_sweep(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per variation: its axes, staffing, paid hours and cost (in ``currency``,
    the scenario's ISO 4217 code, empty when it names none), and service.

    The day's figures come from :func:`planner.day_summary` on the
    variation's Erlang columns (call-weighted service level and abandon
    rate); simulated ones (when present) are the whole-day estimates with
    their 95% confidence interval. Each other channel of the scenario adds its
    team's agent hours (``NAME_agent_hours``) and its headline measure weighted by
    its contacts (``chat_service_level``, ``email_on_time``), and every team's
    scheduled hours and cost (``total_scheduled_hours``, ``total_cost``); with
    ``evaluate="schedule"``
    the shifts' people, paid hours (``scheduled_hours``), cost, intervals short
    and gap, or ``schedule_error``.
    """
    if "center_agent_hours" in intervals:
        return _summarize_center(intervals)
    if "capacity_cost" in intervals:
        return _summarize_capacity(intervals)
    axes = [c for c in AXES if c in intervals.columns]
    rows = []
    for index, g in intervals.groupby("variation", sort=True):
        if "schedule_error" in g and g["schedule_error"].iloc[0]:  # no schedule: why
            rows.append(
                {"variation": index} | {a: g[a].iloc[0] for a in axes}
                | {"calls": float(g["calls"].sum()), "schedule_error": g["schedule_error"].iloc[0]}
            )  # fmt: skip
            continue
        erlang = g.rename(columns=lambda c: c.removeprefix("erlang_"))
        rate = float(g["cost_per_hour"].iloc[0])
        day = day_summary(
            erlang, float(g["interval_seconds"].iloc[0]), None if np.isnan(rate) else rate
        )
        row: dict[str, Any] = {"variation": index}
        row |= {a: g[a].iloc[0] for a in axes}
        row |= {
            "calls": day["calls"],
            "peak_agents": int(day["peak_agents"]),
            "agent_hours": day["agent_hours"],
            "scheduled_hours": day["scheduled_hours"],
            "cost": day["cost"],
            "currency": g["currency"].iloc[0],
            "erlang_service_level": day["service_level"],
        }
        if "abandon_rate" in day:
            row["erlang_abandon_rate"] = day["abandon_rate"]
        step = float(g["interval_seconds"].iloc[0])
        for name, kind in CHANNELS.items():  # each other team, and every team's hours and cost
            if f"{name}_agents" not in g:
                continue
            team = team_day(
                g[f"{name}_offered"], g[f"{name}_agents"], g[f"{name}_scheduled"],
                g[f"{name}_{kind.service}"], step, kind.service,
            )  # fmt: skip
            row[f"{name}_agent_hours"] = team["agent_hours"]
            row[f"{name}_{kind.service}"] = team[kind.service]
            total = row.get("total_scheduled_hours", row["scheduled_hours"])
            row["total_scheduled_hours"] = total + team["scheduled_hours"]
            row["total_cost"] = row["total_scheduled_hours"] * rate
        if "schedule_scheduled_hours" in g:  # the shifts' own hours and cost
            row |= {
                "people": int(g["schedule_people"].iloc[0]),
                "scheduled_hours": float(g["schedule_scheduled_hours"].iloc[0]),
                "cost": float(g["schedule_cost"].iloc[0]),
                "short_intervals": int((g["short"] > 1e-9).sum()),
                "gap": float(g["schedule_gap"].iloc[0]),
                "schedule_error": "",
            }
        for col in [c for c in g.columns if c.startswith("day_sim_")]:
            row[col.removeprefix("day_")] = float(g[col].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows).set_index("variation")


def _summarize_capacity(weeks: pd.DataFrame) -> pd.DataFrame:
    """One row per variation of a capacity sweep: its axes, the plan's hires, classes and
    cost, its FTE-weeks short, the weeks with more than a 20% chance of being short and
    the lowest weekly service level expected."""
    axes = [c for c in AXES if c in weeks.columns]
    rows = []
    for index, g in weeks.groupby("variation", sort=True):
        rows.append({"variation": index} | {a: g[a].iloc[0] for a in axes} | {
            "hires": int(g["capacity_hires"].iloc[0]),
            "classes": int(g["capacity_classes"].iloc[0]),
            "cost": float(g["capacity_cost"].iloc[0]),
            "currency": g["currency"].iloc[0],
            "short_fte_weeks": float(g["short_fte"].sum()),
            "weeks_likely_short": int((g["p_short"] > 0.2).sum()),
            "lowest_service_level": float(g["week_service_level"].min()),
            "gap": float(g["capacity_gap"].iloc[0]),
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("variation")


def _summarize_center(intervals: pd.DataFrame) -> pd.DataFrame:
    """One row per variation of a multi-skill sweep: its axes, the staffing's agent
    hours, scheduled hours, cost and whether it met every target, the two Erlang
    bounds' agent hours and, when simulated, each queue's day service level."""
    axes = [c for c in intervals.columns if c == "volume" or c.startswith(("volume ", "cost "))]
    rows = []
    for index, g in intervals.groupby("variation", sort=True):
        first = g.iloc[0]
        row: dict[str, Any] = {"variation": index} | {a: first[a] for a in axes}
        row |= {
            "agent_hours": float(first["center_agent_hours"]),
            "scheduled_hours": float(first["center_scheduled_hours"]),
            "cost": float(first["center_cost"]),
            "currency": first["currency"],
            "met": bool(first["center_met"]),
            "dedicated_hours": float(first["center_dedicated_hours"]),
            "pooled_hours": float(first["center_pooled_hours"]),
        }
        for col in [c for c in g.columns if c.startswith("day_sim_")]:
            row[col.removeprefix("day_")] = float(first[col])
        rows.append(row)
    return pd.DataFrame(rows).set_index("variation")


def max_workers() -> int:
    """Worker processes a sweep may start on this machine: 4 per core (more only wait
    for a core, each holding its own copy of the scenario)."""
    return 4 * (os.cpu_count() or 1)


def sweep(
    scenario: Scenario | CenterScenario,
    variations: Sequence[Mapping[str, Any]],
    *,
    evaluate: Evaluate = "requirements",
    executor: Executor | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool = True,
    connect_timeout: float = 5.0,
) -> pd.DataFrame:
    """Evaluate every variation of ``scenario``; one row per variation and interval.

    Parameters
    ----------
    scenario : the base :class:`~planner.Scenario`, or a multi-skill
        :class:`~planner.CenterScenario` (its axes: :func:`center_axes`; each
        variation staffed in simulation, and with ``"simulation"`` simulated
        again; one row per interval with each group's agents).
    variations : dicts of changes (see :data:`AXES` and :func:`grid`).
    evaluate : ``"requirements"`` (Erlang requirement, its service and cost),
        ``"simulation"`` (the same, and a simulation of the plan with the
        scenario's settings) or ``"schedule"`` (the scenario's shifts by its
        ``[schedule]`` rules, and the service the agents they put on the phones
        give; the schedule axes of :data:`AXES` vary those rules) or ``"capacity"``
        (the ``[capacity]`` section's hiring plan, one row per week; its axes
        ``growth``, ``attrition``, ``lead_time``, ``class_size``, ...).
    executor : any :class:`concurrent.futures.Executor`; default a process
        pool of ``workers`` (default: all cores) whose workers exit when
        this process dies.
    scheduler : a ``dask.distributed`` scheduler address (``tcp://host:8786``)
        to run on instead; one that does not answer within
        ``connect_timeout`` seconds is an InputError.
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
    if evaluate not in ("requirements", "simulation", "schedule", "capacity"):
        raise InputError(
            "'evaluate' must be 'requirements', 'simulation', 'schedule' or 'capacity': "
            f"{evaluate!r}"
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise InputError(f"'workers' must be a whole number >= 1: {workers!r}")
    if workers is not None and workers > max_workers():
        raise InputError(
            f"'workers' must be at most {max_workers()} on this machine (4 processes per core, "
            f"{os.cpu_count() or 1} cores; a cluster through a dask scheduler): {workers!r}"
        )
    if not isinstance(scenario, Scenario | CenterScenario):
        raise InputError(
            f"'scenario' must be a planner.Scenario or CenterScenario: {type(scenario).__name__}"
        )
    if evaluate == "capacity" and (isinstance(scenario, CenterScenario) or
                                   scenario.capacity is None):  # fmt: skip
        raise InputError("evaluate='capacity' needs a scenario with a [capacity] section")
    if isinstance(scenario, CenterScenario) and evaluate == "schedule":
        raise InputError("a multi-skill scenario is swept for its staffing or simulation, "
                         "not for shifts: evaluate='requirements' or 'simulation'")  # fmt: skip
    if isinstance(variations, str | bytes | Mapping) or not isinstance(variations, Iterable):
        raise InputError(
            f"'variations' must be a list of variations (dicts; see grid()): {variations!r}"
        )
    given = list(variations)
    if not all(isinstance(v, Mapping) for v in given):
        raise InputError("each variation must be a dict of axes and values, like grid() makes")
    todo_all: list[dict[str, Any]] = [dict(v) for v in given]
    if not todo_all:
        raise InputError("'variations' is empty: nothing to sweep")
    for v in todo_all:
        vary(scenario, v)  # checks axes and values before any work starts
    folder = None if out is None else _result_folder(out)
    results: dict[int, pd.DataFrame] = {}
    todo: list[tuple[int, dict[str, Any], Path | None]] = []
    for i, v in enumerate(todo_all):
        path = (
            None if folder is None else folder / f"variation-{_key(scenario, v, evaluate)}.parquet"
        )
        saved = None if path is None else _load(path)
        if saved is not None:
            results[i] = saved.assign(variation=i)
        else:
            todo.append((i, v, path))
    if todo:
        own = executor is None
        client = None
        if scheduler is not None:
            client = _connect(scheduler, connect_timeout)
            executor = client.get_executor()
        elif executor is None:
            executor = ProcessPoolExecutor(
                max_workers=workers or os.cpu_count() or 1,
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
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
                    _save(frame, path)
                results[i] = frame
        except KeyboardInterrupt:
            if own:  # Ctrl-C: stop the variations under way, keep the ones saved
                for process in list(getattr(executor, "_processes", {}).values()):
                    process.terminate()
                executor.shutdown(wait=False, cancel_futures=True)
                own = False
            raise
        finally:
            if client is not None:
                client.close()
            elif own:
                executor.shutdown(wait=True, cancel_futures=True)
    table = pd.concat([results[i] for i in sorted(results)], ignore_index=True)
    table.attrs["reused"] = len(todo_all) - len(todo)
    return table


def _result_folder(out: str | os.PathLike[str]) -> Path:
    """The results folder, created and checked writable before any work starts."""
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except FileExistsError:
        raise InputError(f"'out' must be a folder, and {folder} is a file") from None
    except OSError as err:
        raise InputError(f"cannot save results in {folder}: {err.strerror}") from None
    return folder


def _load(path: Path) -> pd.DataFrame | None:
    """A saved result, if ``path`` holds one written for its own variation (the key in
    its name is the one saved inside it); else None, and the variation runs again: a
    file copied from another variation, an empty or a corrupt one is not trusted."""
    if not path.exists():
        return None
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError):  # pyarrow's errors on a damaged file are ValueErrors
        return None
    return frame if frame.attrs.get("sweep_key") == path.stem else None


def _save(frame: pd.DataFrame, path: Path) -> None:
    """Write one variation's result, its key inside; through a temporary file, so a kill
    never leaves half."""
    tmp = path.with_suffix(".tmp")
    frame = frame.copy()
    frame.attrs["sweep_key"] = path.stem
    try:
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
    except OSError as err:
        raise InputError(f"cannot save results in {path.parent}: {err.strerror}") from None


def _connect(scheduler: str, timeout: float) -> Any:
    """A dask.distributed client of ``scheduler``, or an InputError within ``timeout`` s."""
    from distributed import Client

    if "://" not in scheduler and ":" not in scheduler:
        raise InputError(
            f"'scheduler' must be a dask.distributed address like tcp://host:8786: {scheduler!r}"
        )
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise InputError(
            f"cannot reach the dask scheduler at {scheduler!r} within {timeout:g} s: {err}"
        ) from None


def _exit_with_parent(parent: int, poll_seconds: float = 0.5) -> None:
    """Run in each pool worker: end the worker when the process that started it dies.

    A worker blocked on the pool's queue never notices its parent is gone
    (after ``kill -9`` nothing closes that queue), so a daemon thread polls
    the parent's id and leaves with ``os._exit`` once it changes.
    """

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
