"""Multi-skill scenarios: many queues served by agent groups with skills, in one file.

A scenario file with ``[[queue]]`` and ``[[group]]`` tables is a
:class:`CenterScenario` (the one-queue format is unchanged; :func:`planner.load_scenario`
reads either). Its methods are what every entry point runs for a multi-skill center:
:meth:`~CenterScenario.bounds` (dedicated teams and full pooling by Erlang),
:meth:`~CenterScenario.staffing` (:func:`~planner.staff_center`),
:meth:`~CenterScenario.simulate` (:func:`~planner.simulate_center` of the plan)
and the tables the CLI prints. The format, with every key, is the docs' page
"Scenario files" (section "Many queues and skills").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from planner import _validate as v
from planner.errors import InputError, ScenarioError
from planner.report import hours
from planner.scenario.file import (
    _known,
    _table,
    distribution_from_table,
    distribution_table,
    parse,
    read_text,
    targets_from_table,
    targets_table,
)
from planner.simulation.distributions import Distribution, Exponential
from planner.simulation.skills import AgentGroup, CallType, Center, CenterResult, simulate_center
from planner.simulation.skills_bounds import staffing_bounds
from planner.simulation.skills_staffing import CenterStaffing, staff_center

__all__ = ["CenterScenario", "is_center"]

_TOP = {"name", "description", "interval", "start", "staffing", "simulation", "queue", "group"}
_STAFFING = {"shrinkage", "currency", "confidence"}
_SIMULATION = {"replications", "seed", "close"}
_QUEUE = {"name", "calls", "aht", "patience", "handle", "targets"}
_GROUP = {"name", "skills", "agents", "aht", "overflow_after", "cost_per_hour"}
_RUN = {"replications", "seed", "close", "confidence"}  # what a call may override


@dataclass(frozen=True, kw_only=True)
class CenterScenario:
    """One planning day of a multi-skill center.

    Attributes
    ----------
    name : short title.
    interval : interval length, seconds.
    queues : the call types (:class:`~planner.CallType`: calls per interval, AHT
        seconds, patience, handle shape, targets).
    groups : the agent groups (:class:`~planner.AgentGroup`: skills with
        priorities, agents per interval, own AHTs, overflow, cost per hour).
    required : True when the groups' agents are to be found (the file's
        ``agents = "required"``): :meth:`staffing` finds them and
        :meth:`simulate` simulates what it found; False: the groups' agents are
        the plan.
    start : clock time ("HH:MM") of the first interval.
    shrinkage : fraction of paid time not on the phones, in [0, 1): scheduled
        hours are agent hours / (1 - shrinkage).
    currency : ISO 4217 code of the groups' costs, or None.
    replications, seed, close : how days are simulated (as :func:`~planner.simulate`).
    confidence : the confidence per queue and interval a staffing must show.
    description : free text.
    """

    name: str
    interval: float
    queues: tuple[CallType, ...]
    groups: tuple[AgentGroup, ...]
    required: bool = False
    start: str = "00:00"
    shrinkage: float = 0.0
    currency: str | None = None
    replications: int = 40
    seed: int = 1
    close: str = "serve_queue"
    confidence: float = 0.95
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InputError(f"'name' must be text: {self.name!r}")
        object.__setattr__(self, "queues", tuple(self.queues))
        object.__setattr__(self, "groups", tuple(self.groups))
        Center(self.queues, self.groups, self.interval)  # checks every name and length
        object.__setattr__(self, "interval", float(self.interval))
        v.clock_seconds("start", self.start)
        shrinkage = v.single("shrinkage", self.shrinkage, v.fraction)
        if shrinkage >= 1:
            raise InputError(f"'shrinkage' must be in [0, 1): {self.shrinkage!r}")
        object.__setattr__(self, "shrinkage", shrinkage)
        object.__setattr__(self, "replications", v.whole("replications", self.replications, 2))
        object.__setattr__(self, "seed", v.whole("seed", self.seed, 0))
        if self.close not in ("serve_queue", "stop"):
            raise InputError(f"'close' must be 'serve_queue' or 'stop': {self.close!r}")
        level = v.single("confidence", self.confidence, v.fraction)
        if not 0.5 <= level < 1:
            raise InputError(f"'confidence' must be in [0.5, 1): {self.confidence!r}")
        object.__setattr__(self, "confidence", level)
        if self.currency is not None and not isinstance(self.currency, str):
            raise InputError(f"'currency' must be text such as 'EUR': {self.currency!r}")

    # -- what it is ----------------------------------------------------------

    @property
    def center(self) -> Center:
        """The call types and groups, the groups' agents as given (zero if required)."""
        return Center(self.queues, self.groups, self.interval)

    @property
    def intervals(self) -> int:
        return len(self.queues[0].calls)

    def interval_starts(self) -> list[str]:
        """Each interval's clock time, "HH:MM"."""
        first = v.clock_seconds("start", self.start)
        return [v.clock_label(first + i * self.interval) for i in range(self.intervals)]

    def with_changes(self, **changes: Any) -> CenterScenario:
        """A copy with fields replaced, and these what-ifs: ``calls_factor`` (every
        queue's calls times it), ``queue_calls`` ({queue: factor}), ``group_cost``
        ({group: cost per hour}) and ``group_agents`` ({group: agents per interval, one
        number or a list}: the plan, which is then given, not required)."""
        factor = changes.pop("calls_factor", None)
        per_queue = dict(changes.pop("queue_calls", None) or {})
        costs = dict(changes.pop("group_cost", None) or {})
        agents = dict(changes.pop("group_agents", None) or {})
        for what, names, given in (
            ("queue", {q.name for q in self.queues}, per_queue),
            ("group", {g.name for g in self.groups}, costs | agents),
        ):
            unknown = sorted(set(given) - names)
            if unknown:
                raise InputError(f"no {what} is named {unknown[0]!r}: {', '.join(sorted(names))}")
        queues = list(changes.pop("queues", self.queues))
        if factor is not None or per_queue:
            scale = 1.0 if factor is None else v.single("calls_factor", factor, v.nonnegative)
            queues = [
                dataclasses.replace(q, calls=tuple(
                    c * scale * v.single(f"queue_calls of {q.name!r}", per_queue.get(q.name, 1.0),
                                         v.nonnegative) for c in q.calls))
                for q in queues
            ]  # fmt: skip
        groups = list(changes.pop("groups", self.groups))
        groups = [
            dataclasses.replace(
                g,
                cost_per_hour=costs.get(g.name, g.cost_per_hour),
                agents=agents.get(g.name, g.agents),
            )
            for g in groups
        ]
        if agents:
            if set(agents) != {g.name for g in self.groups} and self.required:
                raise InputError(
                    "a required staffing is given for every group or none: "
                    f"give agents for {', '.join(g.name for g in self.groups)}"
                )
            changes["required"] = False
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise InputError(f"unknown change {unknown[0]!r}")
        return dataclasses.replace(self, queues=tuple(queues), groups=tuple(groups), **changes)

    # -- what every entry point runs ---------------------------------------

    def bounds(self) -> pd.DataFrame:
        """:func:`~planner.staffing_bounds`: agents per interval of dedicated teams
        (per queue and their sum) and of full pooling, by Erlang."""
        return staffing_bounds(self.center)

    def staffing(self, **overrides: Any) -> CenterStaffing:
        """:func:`~planner.staff_center` with the scenario's replications, seed, close
        and confidence (``overrides`` replace them; ``rounds`` is passed on)."""
        run = self._run(overrides, extra={"rounds", "max_rounds"})
        return staff_center(self.center, **run)

    def plan(self, staffing: CenterStaffing | None = None) -> Center:
        """The center with the agents simulated: the groups' own, or the staffing found
        (``staffing``, found here when not given) for a required plan."""
        if not self.required:
            return self.center
        found = self.staffing() if staffing is None else staffing
        return found.applied(self.center)

    def simulate(self, staffing: CenterStaffing | None = None, **overrides: Any) -> CenterResult:
        """:func:`~planner.simulate_center` of :meth:`plan`, with the scenario's
        replications, seed and close (``overrides`` replace them; ``engine``, ``level``)."""
        run = self._run(overrides, extra={"engine", "level"})
        run.pop("confidence")
        return simulate_center(self.plan(staffing), **run)

    def _run(self, overrides: dict[str, Any], extra: set[str]) -> dict[str, Any]:
        unknown = sorted(set(overrides) - _RUN - extra)
        if unknown:
            raise InputError(
                f"unknown option {unknown[0]!r}; allowed: {', '.join(sorted(_RUN | extra))}"
            )
        run = {name: getattr(self, name) for name in _RUN}
        return run | overrides

    # -- tables --------------------------------------------------------------

    def staffing_table(self, staffing: CenterStaffing) -> pd.DataFrame:
        """One row per interval: ``interval_start``, each group's agents, ``agents``
        (their sum), the Erlang bounds ``dedicated`` and ``pooled``, and each queue's
        confidence of meeting its targets (``confidence <queue>``)."""
        names = [g.name for g in self.groups]
        table = staffing.agents[names].reset_index(drop=True)
        table.insert(0, "interval_start", self.interval_starts())
        table["agents"] = table[names].sum(axis=1)
        table["dedicated"] = staffing.bounds["dedicated"].to_numpy()
        table["pooled"] = staffing.bounds["pooled"].to_numpy()
        for queue, row in staffing.confidence.iterrows():
            table[f"confidence {queue}"] = row.to_numpy()
        return table

    def staffing_summary(self, staffing: CenterStaffing) -> pd.DataFrame:
        """Per group and in total: agent hours, scheduled hours (with the shrinkage)
        and cost (None without costs); and the two bounds' agent hours."""
        step = self.interval
        rows = []
        for g in self.groups:
            agent_hours = hours(staffing.agents[g.name].to_numpy(), step)
            paid = agent_hours / (1 - self.shrinkage)
            cost = None if g.cost_per_hour is None else paid * g.cost_per_hour
            rows.append({"staffing": g.name, "agent_hours": agent_hours,
                         "scheduled_hours": paid, "cost": cost})  # fmt: skip
        costs = [g.cost_per_hour for g in self.groups]
        total = None if None in costs else staffing.cost / (1 - self.shrinkage)  # type: ignore[operator]
        rows.append({
            "staffing": "total", "agent_hours": staffing.agent_hours,
            "scheduled_hours": staffing.agent_hours / (1 - self.shrinkage), "cost": total,
        })  # fmt: skip
        bounds = staffing.bounds.attrs["agent_hours"]
        for name in ("dedicated", "pooled"):
            paid = bounds[name] / (1 - self.shrinkage)
            rows.append({"staffing": f"{name} (Erlang bound)", "agent_hours": bounds[name],
                         "scheduled_hours": paid, "cost": None})  # fmt: skip
        return pd.DataFrame(rows)

    def simulation_table(self, result: CenterResult) -> pd.DataFrame:
        """One row per interval and queue, then per interval and group: ``interval_start``,
        ``kind`` ("queue" or "group"), ``name`` and the simulated figures with their
        confidence intervals (a queue's service, waits and abandonment; a group's agents,
        calls answered and occupancy)."""
        parts = []
        for kind, results in (("queue", result.call_types), ("group", result.groups)):
            for name, res in results.items():
                table = res.table().drop(columns=["interval"], errors="ignore")
                if kind == "queue":
                    table = table.drop(columns=[c for c in table if str(c).startswith("occupancy")])
                else:
                    keep = ["agents", "calls", "occupancy", "occupancy_ci_low", "occupancy_ci_high"]
                    table = table[[c for c in keep if c in table]]
                table.insert(0, "name", name)
                table.insert(0, "kind", kind)
                table.insert(0, "interval_start", self.interval_starts())
                parts.append(table)
        return pd.concat(parts, ignore_index=True)

    # -- files ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario as the nested dict its TOML file holds."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out |= {"interval": self.interval, "start": self.start}
        staffing: dict[str, Any] = {"shrinkage": self.shrinkage, "confidence": self.confidence}
        if self.currency is not None:
            staffing["currency"] = self.currency
        out["staffing"] = staffing
        out["simulation"] = {
            "replications": self.replications, "seed": self.seed, "close": self.close,
        }  # fmt: skip
        out["queue"] = [_queue_table(q) for q in self.queues]
        out["group"] = [_group_table(g, self.required) for g in self.groups]
        return out

    def dumps(self) -> str:
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | PathLike[str]) -> None:
        """Write the scenario to a TOML file."""
        try:
            Path(path).write_text(self.dumps(), encoding="utf-8")
        except OSError as err:
            raise ScenarioError(f"cannot write scenario file {path}: {err.strerror}") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>") -> CenterScenario:
        """Build one from the nested dict of a TOML file; errors name ``source``, the
        queue or group (by position and name) and the key."""
        if not isinstance(data, dict):
            raise ScenarioError(f"{source}: a scenario must be a table of keys")
        _known(data, _TOP, source, "")
        for key in ("name", "interval", "queue", "group"):
            if key not in data:
                raise ScenarioError(f"{source}: missing key '{key}'")
        staffing = _table(data, "staffing", source)
        simulation = _table(data, "simulation", source)
        _known(staffing, _STAFFING, source, "staffing.")
        _known(simulation, _SIMULATION, source, "simulation.")
        queues = [_queue(t, i, source) for i, t in enumerate(_array(data, "queue", source))]
        tables = _array(data, "group", source)
        groups = [_group(t, i, source) for i, t in enumerate(tables)]
        given = [t.get("agents", "required") != "required" for t in tables]
        if any(given) and not all(given):
            raise ScenarioError(
                f"{source}: give 'agents' for every [[group]] (the plan) or for none "
                f'(agents = "required": found by simulation); given for '
                f"{sum(given)} of {len(given)}"
            )
        try:
            return cls(
                name=data["name"],
                description=data.get("description", ""),
                interval=data["interval"],
                start=data.get("start", "00:00"),
                queues=tuple(queues),
                groups=tuple(groups),
                required=not any(given),
                **staffing,
                **simulation,
            )
        except InputError as err:
            raise ScenarioError(f"{source}: {err}") from None

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>") -> CenterScenario:
        """Parse one from TOML text."""
        return cls.from_dict(parse(text, source), source=source)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> CenterScenario:
        """Read one from a TOML file."""
        return cls.loads(read_text(path), source=str(path))


def _queue_table(q: CallType) -> dict[str, Any]:
    out: dict[str, Any] = {"name": q.name, "calls": list(q.calls)}
    out["aht"] = list(q.aht) if isinstance(q.aht, tuple) else q.aht
    p = q.patience
    if isinstance(p, Distribution):
        out["patience"] = p.mean if isinstance(p, Exponential) else distribution_table(p)
    if not isinstance(q.handle, Exponential):
        out["handle"] = distribution_table(q.handle)  # type: ignore[arg-type]
    out["targets"] = targets_table(q.targets)
    return out


def _group_table(g: AgentGroup, required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": g.name, "skills": dict(g.priority)}
    out["agents"] = (
        "required" if required else list(g.agents) if isinstance(g.agents, tuple) else g.agents
    )
    for key in ("aht", "overflow_after"):
        if getattr(g, key):
            out[key] = dict(getattr(g, key))
    if g.cost_per_hour is not None:
        out["cost_per_hour"] = g.cost_per_hour
    return out


def _entry(table: object, i: int, source: str, kind: str, allowed: set[str],
           needed: tuple[str, ...]) -> str:  # fmt: skip
    """Check the ``i``-th ``[[kind]]`` table's keys; how errors name it: the file, the
    table's place and its name."""
    where = f"{source}: [[{kind}]] {i + 1}"
    if not isinstance(table, dict):
        raise ScenarioError(f"{where} must be a table")
    if isinstance(table.get("name"), str):
        where += f" ({table['name']!r})"
    _known(table, allowed, where, "")
    for key in needed:
        if key not in table:
            raise ScenarioError(f"{where}: missing key '{key}'")
    return where


def _queue(table: dict[str, Any], i: int, source: str) -> CallType:
    where = _entry(table, i, source, "queue", _QUEUE, ("name", "calls", "aht"))
    try:
        patience = table.get("patience")
        handle = table.get("handle")
        targets = table.get("targets", {})
        if not isinstance(targets, dict):
            raise InputError(f"'targets' must be a table: {targets!r}")
        return CallType(
            name=table["name"],
            calls=table["calls"],
            aht=table["aht"],
            patience=None if patience is None
            else distribution_from_table(patience, name="patience"),
            handle=None if handle is None
            else distribution_from_table(handle, name="handle", default_mean=1.0),
            targets=targets_from_table(targets),
        )  # fmt: skip
    except (InputError, TypeError) as err:
        raise ScenarioError(f"{where}: {err}") from None


def _group(table: dict[str, Any], i: int, source: str) -> AgentGroup:
    where = _entry(table, i, source, "group", _GROUP, ("name", "skills"))
    agents = table.get("agents", "required")
    if isinstance(agents, str) and agents != "required":
        raise ScenarioError(f"{where}: 'agents' must be \"required\", a number or a list")
    try:
        return AgentGroup(
            name=table["name"],
            skills=table["skills"],
            agents=0 if agents == "required" else agents,
            aht=table.get("aht", {}),
            cost_per_hour=table.get("cost_per_hour"),
            overflow_after=table.get("overflow_after", {}),
        )
    except (InputError, TypeError) as err:
        raise ScenarioError(f"{where}: {err}") from None


def _array(data: dict[str, Any], key: str, source: str) -> list[Any]:
    value = data[key]
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"{source}: '{key}' must be one or more [[{key}]] tables")
    return value


def is_center(data: Mapping[str, Any]) -> bool:
    """Whether a scenario file's dict describes a multi-skill center (``[[queue]]``)."""
    return "queue" in data or "group" in data
