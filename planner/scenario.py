"""Scenarios: a day's workload, callers, targets, staffing and costs in a TOML file.

A scenario file looks like this (times in seconds, calls per interval)::

    name = "Retail bank inbound"
    description = "optional free text"
    interval = 1800                 # interval length, seconds

    [workload]
    start = "08:00"                 # clock time of the first interval
    calls = [120, 180, 240]         # offered calls per interval
    aht = 240                       # seconds: one number or one per interval
    handle = { kind = "lognormal", cv = 1.1 }   # handle-time shape (simulation)

    [targets]                       # any of the planner.Targets fields
    service_level = 0.8
    answer_time = 20

    [staffing]
    shrinkage = 0.3                 # fraction of paid time off the phones
    patience = 180                  # mean patience, seconds; omit for Erlang C
    plan = "required"               # or agents on the phones per interval: [14, 20, 26]
    cost_per_hour = 30.0            # per paid (scheduled) agent hour

    [simulation]
    replications = 20
    seed = 1
    warmup = 0                      # seconds
    close = "serve_queue"           # or "stop"
    dispersion = 0.0                # day-to-day volume CV beyond Poisson

Instead of ``calls`` and ``aht``, ``[workload]`` may name interval history
to forecast the day from: ``history = "../data/sample_history.csv"``
(relative to the scenario file), ``day = "2026-05-26"`` (default: the day
after the history) and ``country = "US"`` (public holidays). ``patience``
and ``handle`` take a number (an exponential mean) or a distribution table:
``{kind = "lognormal", mean = 150, cv = 1.0}``; the kinds are exponential
(mean), lognormal and gamma (mean, cv), deterministic (value) and empirical
(values).

Unknown keys, wrong types and out-of-range values are rejected with the file,
the key and the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from planner import _validate as v
from planner.errors import InputError
from planner.simulation import Distribution, Exponential, SimulationResult, simulate
from planner.simulation.distributions import as_distribution, from_table, to_table
from planner.simulation.run import Close
from planner.staffing import Targets, requirements, scheduled_staff

__all__ = ["Scenario", "ScenarioError", "SimulationSettings"]


class ScenarioError(InputError):
    """A scenario file or dict breaks a rule; the message names file and key."""


_TOP = {"name", "description", "interval", "workload", "targets", "staffing", "simulation"}
_WORKLOAD = {"start", "calls", "aht", "handle", "history", "day", "country"}
_STAFFING = {"shrinkage", "patience", "plan", "cost_per_hour"}
_SIMULATION = {"replications", "seed", "warmup", "close", "dispersion"}
_TARGETS = {f.name for f in fields(Targets)}


@dataclass(frozen=True, kw_only=True)
class SimulationSettings:
    """How a scenario is simulated (see :func:`planner.simulate`)."""

    replications: int = 20
    seed: int = 1
    warmup: float = 0.0
    close: Close = "serve_queue"
    dispersion: float = 0.0

    def __post_init__(self) -> None:
        for name, least in (("replications", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise InputError(f"'{name}' must be a whole number >= {least}: {value!r}")
        object.__setattr__(self, "warmup", float(v.nonnegative("warmup", self.warmup)))
        object.__setattr__(self, "dispersion", float(v.nonnegative("dispersion", self.dispersion)))
        if self.close not in ("serve_queue", "stop"):
            raise InputError(f"'close' must be 'serve_queue' or 'stop': {self.close!r}")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """One planning day: workload, callers, targets, staffing, costs and simulation settings.

    Attributes
    ----------
    name : short title.
    interval : interval length, seconds.
    calls : offered calls per interval (forecast from ``history`` when given).
    aht : average handle time per interval, seconds (same length as calls).
    start : clock time ("HH:MM") of the first interval.
    targets : the :class:`planner.Targets` to staff for.
    shrinkage : fraction of paid time not available for calls, in [0, 1).
    patience : callers' patience: a number is an exponential mean (Erlang A),
        a :class:`~planner.Distribution` any shape; ``None`` means nobody
        abandons (Erlang C). Stored as a distribution.
    handle : handle-time shape for simulation, rescaled to each interval's
        AHT; ``None`` is exponential.
    plan : agents on the phones per interval, or ``None`` for the requirement.
    cost_per_hour : cost of a paid (scheduled) agent hour, or ``None``.
    simulation : :class:`SimulationSettings`.
    history, day, country : the history file the workload is forecast from
        (path as written in the file), the day and the holiday calendar.
    description : free text.
    """

    name: str
    interval: float
    calls: tuple[float, ...] = ()
    aht: tuple[float, ...] | float = ()
    start: str = "00:00"
    targets: Targets = field(default_factory=Targets)
    shrinkage: float = 0.0
    patience: Distribution | float | None = None
    handle: Distribution | None = None
    plan: tuple[int, ...] | None = None
    cost_per_hour: float | None = None
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    history: str | None = None
    day: str | None = None
    country: str | None = None
    base_dir: str = field(default=".", compare=False, repr=False)
    description: str = ""

    def __post_init__(self) -> None:
        if self.history is not None:
            self._forecast_workload()
        calls = v.nonnegative("calls", self.calls)
        aht = v.positive("aht", self.aht)
        if calls.ndim != 1 or calls.size == 0:
            raise InputError(f"'calls' must be a non-empty list of numbers: {self.calls!r}")
        if aht.ndim == 0:
            aht = np.full(calls.shape, float(aht))
        if aht.shape != calls.shape:
            raise InputError(
                f"'aht' must be one number or one per interval ({calls.size}): got {aht.size}"
            )
        object.__setattr__(self, "calls", tuple(calls.tolist()))
        object.__setattr__(self, "aht", tuple(aht.tolist()))
        object.__setattr__(self, "interval", float(v.positive("interval", self.interval)))
        object.__setattr__(
            self, "shrinkage", float(v.shrinkage_fraction("shrinkage", self.shrinkage))
        )
        if self.patience is not None:
            object.__setattr__(self, "patience", as_distribution("patience", self.patience))
        if self.handle is not None:
            object.__setattr__(self, "handle", as_distribution("handle", self.handle))
        if self.plan is not None:
            plan = v.count("plan", self.plan)
            if plan.ndim != 1 or plan.size != calls.size:
                raise InputError(
                    f"'plan' must be 'required' or one agent count per interval "
                    f"({calls.size}): got {self.plan!r}"
                )
            object.__setattr__(self, "plan", tuple(int(x) for x in plan))
        if self.cost_per_hour is not None:
            object.__setattr__(
                self, "cost_per_hour", float(v.nonnegative("cost_per_hour", self.cost_per_hour))
            )
        _clock_minutes(self.start)
        if not isinstance(self.targets, Targets):
            raise InputError(f"'targets' must be a planner.Targets: {self.targets!r}")
        if not isinstance(self.simulation, SimulationSettings):
            raise InputError(f"'simulation' must be SimulationSettings: {self.simulation!r}")

    def _forecast_workload(self) -> None:
        """Fill calls, AHT and start from a forecast of ``day`` from ``history``."""
        from planner import forecast  # here: planner.forecast imports this package

        path = Path(self.base_dir) / str(self.history)
        model = forecast.fit(str(path), country=self.country)
        first = model.daily.index[-1] + pd.Timedelta(days=1)
        day = pd.Timestamp(self.day) if self.day is not None else first
        if day < first:
            raise InputError(f"'day' must be after the history, from {first.date()}: {self.day!r}")
        if model.interval != self.interval:
            raise InputError(
                f"'interval' ({self.interval:g} s) differs from the history's "
                f"({model.interval:g} s)"
            )
        frame = model.forecast((day - first).days + 1)
        frame = frame[pd.DatetimeIndex(frame.index).normalize() == day]
        if frame.empty:
            raise InputError(f"the forecast has no open interval on {day.date()} (closed?)")
        stamps = pd.DatetimeIndex(frame.index)
        grid = pd.date_range(stamps[0], stamps[-1], freq=f"{int(self.interval)}s")
        frame = frame.reindex(grid)
        calls = frame["calls"].fillna(0.0)
        aht = frame["aht"].fillna(float(np.nanmean(frame["aht"])))
        object.__setattr__(self, "calls", tuple(calls.round(2).tolist()))
        object.__setattr__(self, "aht", tuple(aht.round(1).tolist()))
        object.__setattr__(self, "start", grid[0].strftime("%H:%M"))
        object.__setattr__(self, "day", str(day.date()))

    @property
    def mean_patience(self) -> float | None:
        """Mean patience, seconds (the Erlang A parameter), or None."""
        return None if self.patience is None else float(self.patience.mean)  # type: ignore[union-attr]

    # -- tables ---------------------------------------------------------------

    def workload(self) -> pd.DataFrame:
        """One row per interval: ``interval_start`` (HH:MM), ``calls``, ``aht`` (s)."""
        first = _clock_minutes(self.start) * 60.0
        starts = [_clock(first + i * self.interval) for i in range(len(self.calls))]
        return pd.DataFrame(
            {"interval_start": starts, "calls": list(self.calls), "aht": list(self.aht)}  # type: ignore[arg-type]
        )

    def requirements(self) -> pd.DataFrame:
        """The staffing requirement of every interval (see :func:`planner.requirements`)."""
        return requirements(
            self.workload(), self.targets, self.interval, self.shrinkage, self.mean_patience
        )

    def staffing_plan(self) -> np.ndarray:
        """Agents on the phones per interval: the plan, or the requirement."""
        if self.plan is not None:
            return np.asarray(self.plan, dtype=np.int64)
        return self.requirements()["agents"].to_numpy(dtype=np.int64)

    def cost(self) -> pd.Series:
        """Paid agent hours (plan or requirement, after shrinkage) and their cost."""
        agents = self.staffing_plan()
        scheduled = np.asarray(scheduled_staff(agents, self.shrinkage))
        hours = float(scheduled.sum() * self.interval / 3600.0)
        rate = self.cost_per_hour
        return pd.Series(
            {
                "agent_hours": float(agents.sum() * self.interval / 3600.0),
                "paid_hours": hours,
                "cost": hours * rate if rate is not None else float("nan"),
            }
        )

    def simulate(self, **overrides: Any) -> SimulationResult:
        """Simulate the plan (or the requirement) with the scenario's settings.

        Keyword arguments override any argument of :func:`planner.simulate`.
        """
        sim = self.simulation
        args: dict[str, Any] = {
            "interval": self.interval,
            "handle": self.handle,
            "patience": self.patience,
            "answer_time": self.targets.answer_time,
            "sl_basis": self.targets.sl_basis,
            "replications": sim.replications,
            "seed": sim.seed,
            "warmup": sim.warmup,
            "close": sim.close,
            "dispersion": sim.dispersion,
        }
        return simulate(self.workload(), self.staffing_plan(), **(args | overrides))

    # -- TOML -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario as the nested dict its TOML file holds."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["interval"] = self.interval
        workload: dict[str, Any]
        if self.history is not None:
            workload = {"history": self.history, "day": self.day}
            if self.country:
                workload["country"] = self.country
        else:
            aht: float | list[float] = self.aht[0] if len(set(self.aht)) == 1 else list(self.aht)  # type: ignore[arg-type, index]
            workload = {"start": self.start, "calls": list(self.calls), "aht": aht}
        if self.handle is not None:
            workload["handle"] = to_table(self.handle)
        out["workload"] = workload
        out["targets"] = {k: val for k, val in self.targets.to_dict().items() if val is not None}
        staffing: dict[str, Any] = {"shrinkage": self.shrinkage}
        if self.patience is not None:
            p = self.patience
            staffing["patience"] = p.mean if isinstance(p, Exponential) else to_table(p)  # type: ignore[arg-type]
        staffing["plan"] = "required" if self.plan is None else list(self.plan)
        if self.cost_per_hour is not None:
            staffing["cost_per_hour"] = self.cost_per_hour
        out["staffing"] = staffing
        out["simulation"] = {
            f.name: getattr(self.simulation, f.name) for f in fields(self.simulation)
        }
        return out

    def dumps(self) -> str:
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | PathLike[str]) -> None:
        """Write the scenario to a TOML file (a history path is kept as written)."""
        Path(path).write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str = "<dict>", base_dir: str = "."
    ) -> Scenario:
        """Build a scenario from the nested dict of a TOML file; errors name ``source``.

        ``base_dir`` is where a ``history`` path is relative to.
        """
        _known(data, _TOP, source, "")
        for key in ("name", "interval", "workload"):
            if key not in data:
                raise ScenarioError(f"{source}: missing key '{key}'")
        workload = _table(data, "workload", source)
        targets = _table(data, "targets", source)
        staffing = _table(data, "staffing", source)
        simulation = _table(data, "simulation", source)
        _known(workload, _WORKLOAD, source, "workload.")
        _known(targets, _TARGETS, source, "targets.")
        _known(staffing, _STAFFING, source, "staffing.")
        _known(simulation, _SIMULATION, source, "simulation.")
        from_history = "history" in workload
        if from_history and ({"calls", "aht", "start"} & set(workload)):
            raise ScenarioError(
                f"{source}: [workload] takes either 'history' or 'calls' and 'aht', not both"
            )
        if not from_history and ("calls" not in workload or "aht" not in workload):
            raise ScenarioError(f"{source}: [workload] needs both 'calls' and 'aht' (or 'history')")
        _typed(data, "name", str, source)
        _typed(data, "description", str, source)
        for key in ("start", "history", "day", "country"):
            _typed(workload, key, str, source, "workload.")
        _typed(simulation, "close", str, source, "simulation.")
        plan = staffing.get("plan", "required")
        if isinstance(plan, str) and plan != "required":
            raise ScenarioError(f"{source}: 'staffing.plan' must be 'required' or a list: {plan!r}")
        try:
            handle = workload.get("handle")
            patience = staffing.get("patience")
            return cls(
                name=data["name"],
                description=data.get("description", ""),
                interval=data["interval"],
                calls=workload.get("calls", ()),
                aht=workload.get("aht", ()),
                start=workload.get("start", "00:00"),
                handle=None if handle is None else _distribution("workload.handle", handle, 1.0),
                targets=Targets(**targets),
                shrinkage=staffing.get("shrinkage", 0.0),
                patience=None if patience is None else _distribution("staffing.patience", patience),
                plan=None if plan == "required" else plan,
                cost_per_hour=staffing.get("cost_per_hour"),
                simulation=SimulationSettings(**simulation),
                history=workload.get("history"),
                day=workload.get("day"),
                country=workload.get("country"),
                base_dir=base_dir,
            )
        except InputError as err:
            raise ScenarioError(f"{source}: {err}") from None

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>", base_dir: str = ".") -> Scenario:
        """Parse a scenario from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ScenarioError(f"{source}: not valid TOML: {err}") from None
        return cls.from_dict(data, source=source, base_dir=base_dir)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Scenario:
        """Read a scenario from a TOML file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise ScenarioError(f"cannot read scenario file {path}: {err.strerror}") from None
        return cls.loads(text, source=str(path), base_dir=str(Path(path).parent))


def _distribution(name: str, value: Any, default_mean: float | None = None) -> Distribution:
    """A number (exponential mean) or a distribution table from a scenario file."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Exponential(value) if value > 0 else as_distribution(name, value)
    return from_table(name, value, default_mean)


def _known(table: dict[str, Any], allowed: set[str], source: str, prefix: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(
            f"{source}: unknown key '{prefix}{unknown[0]}'; allowed: {', '.join(sorted(allowed))}"
        )


def _table(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(f"{source}: '{key}' must be a table ([{key}]): {value!r}")
    return value


def _typed(table: dict[str, Any], key: str, kind: type, source: str, prefix: str = "") -> None:
    if key in table and not isinstance(table[key], kind):
        raise ScenarioError(f"{source}: '{prefix}{key}' must be a {kind.__name__}: {table[key]!r}")


def _clock_minutes(text: str) -> int:
    """Minutes after midnight of an "HH:MM" clock time."""
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise InputError(f"'start' must be a clock time HH:MM: {text!r}") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InputError(f"'start' must be a clock time HH:MM: {text!r}")
    return hours * 60 + minutes


def _clock(seconds: float) -> str:
    """HH:MM of a time of day in seconds after midnight (wrapping past 24:00)."""
    minutes = round(seconds / 60.0) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
