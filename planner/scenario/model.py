"""Scenarios: a day's workload, callers, targets, staffing, costs and simulation settings.

A :class:`Scenario` is the one description of a planning day that every
entry point runs: the CLI, the app and sweeps call its methods
(:meth:`~Scenario.requirements`, :meth:`~Scenario.evaluate`,
:meth:`~Scenario.summary`, :meth:`~Scenario.simulate`,
:meth:`~Scenario.simulated_staffing`) with overrides, never their own copy of
the pipeline. Building one only checks its fields; a workload forecast from
interval history comes from :meth:`Scenario.from_history`. What-ifs are carried
out by :mod:`planner.scenario.whatif` (``with_changes`` calls it) and files read
and written by :mod:`planner.scenario.file` (``load``/``save`` call it); neither
imports this module.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner import _validate as v
from planner.capacity import (
    CapacityPlan,
    CapacitySettings,
    WeeklyDemand,
    WeekProfile,
    capacity_plan,
)
from planner.capacity.inputs import CapacityInputs
from planner.channels import CHANNELS, CallsChannel, Channel, Day, EmailChannel
from planner.errors import InputError
from planner.models import ErlangX, IntervalModel, erlang_model
from planner.report import day_summary, evaluate_plan, hours, requirements
from planner.scenario import file, whatif
from planner.schedule import Progress, Schedule, ScheduleSettings, schedule
from planner.simulation import (
    Distribution,
    SimulatedStaffing,
    SimulationResult,
    simulate,
    simulated_staffing,
)
from planner.simulation.distributions import as_distribution
from planner.simulation.settings import SimulationSettings
from planner.staffing import blended_staffing, scheduled_staff
from planner.targets import Targets, check_search_targets

if TYPE_CHECKING:
    from planner.forecast import FittedForecast
    from planner.io import History

__all__ = ["MAX_INTERVALS", "Scenario"]

# Intervals in one scenario: two years of 15-minute intervals is 70,080.
MAX_INTERVALS = 100_000


# What simulate() takes beyond the scenario: how to run, not what to run.
_RUN_ARGS = frozenset(
    {"engine", "record_calls", "level", "max_passes", "confidence", "max_replications"}
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """One planning day: workload, callers, targets, staffing, costs and simulation settings.

    Attributes
    ----------
    name : short title.
    interval : interval length, seconds.
    calls : offered calls per interval.
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
    currency : the currency of every cost, an ISO 4217 code ("USD"), or ``None``
        (costs in the scenario's own units); said beside costs on screen.
    simulation : :class:`SimulationSettings`.
    scheduling : :class:`~planner.schedule.ScheduleSettings` (shift templates and
        rules) for :meth:`schedule`, or ``None``.
    channels : the other channels it staffs, each by a team of its own
        (:class:`~planner.ChatChannel`, :class:`~planner.EmailChannel`: a file's
        ``[channels.NAME]``), at most one of each kind; see :meth:`channel`.
    erlang_x : an :class:`~planner.ErlangX` model (redials, lines,
        repeat contacts, forecast uncertainty) for the requirement and its
        figures, or ``None`` (Erlang A, or C without a patience).
    capacity : the long-range capacity plan's inputs (a file's ``[capacity]``:
        :class:`~planner.capacity.inputs.CapacityInputs`), or ``None``; see
        :meth:`capacity_plan`.
    history, day, country, calendar : where the workload was forecast from
        (the history path as written in the file, the day, the public
        holidays' country and the center's calendar file; see
        :meth:`from_history`), or ``None``.
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
    currency: str | None = None
    simulation: SimulationSettings = field(default_factory=SimulationSettings)
    scheduling: ScheduleSettings | None = None
    erlang_x: ErlangX | None = None
    channels: tuple[Channel, ...] = ()
    capacity: CapacityInputs | None = None
    history: str | None = None
    day: str | None = None
    country: str | None = None
    calendar: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InputError(f"'name' must be text: {self.name!r}")
        if np.ndim(self.interval) != 0 or isinstance(self.interval, bool):
            raise InputError(f"'interval' must be a single number of seconds: {self.interval!r}")
        if self.history is not None and not np.size(self.calls):
            raise InputError(
                "a scenario with 'history' and no 'calls': forecast the day with "
                "Scenario.from_history(history, day=..., ...)"
            )
        calls = v.nonnegative("calls", self.calls)
        aht = v.positive("aht", self.aht)
        if calls.ndim != 1 or calls.size == 0:
            raise InputError(f"'calls' must be a non-empty list of numbers: {self.calls!r}")
        if calls.size > MAX_INTERVALS:
            raise InputError(
                f"'calls' has {calls.size} intervals; a scenario holds at most {MAX_INTERVALS}"
            )
        if aht.ndim == 0:
            aht = np.full(calls.shape, float(aht))
        if aht.shape != calls.shape:
            raise InputError(
                f"'aht' must be one number or one per interval ({calls.size}): got {aht.size}"
            )
        object.__setattr__(self, "calls", tuple(calls.tolist()))
        object.__setattr__(self, "aht", tuple(aht.tolist()))
        object.__setattr__(self, "interval", float(v.positive("interval", self.interval)))
        erlangs = calls * aht / self.interval
        v.within("traffic", erlangs, v.MAX_TRAFFIC, "Erlangs per interval (calls * aht / interval)")
        object.__setattr__(
            self, "shrinkage", float(v.shrinkage_fraction("shrinkage", self.shrinkage))
        )
        if self.patience is not None:
            object.__setattr__(self, "patience", as_distribution("patience", self.patience))
        if self.handle is not None:
            object.__setattr__(self, "handle", as_distribution("handle", self.handle))
        if self.plan is not None:
            plan = v.plan("plan", self.plan, calls.size, one_for_all=False,
                          expected="'required' or one agent count per interval")  # fmt: skip
            object.__setattr__(self, "plan", tuple(int(x) for x in plan))
        if self.cost_per_hour is not None:
            object.__setattr__(
                self, "cost_per_hour", float(v.nonnegative("cost_per_hour", self.cost_per_hour))
            )
        if self.currency is not None:
            object.__setattr__(self, "currency", v.currency("currency", self.currency))
        v.clock_seconds("start", self.start)
        check_search_targets(self.targets, self.patience is not None)
        if not isinstance(self.simulation, SimulationSettings):
            raise InputError(f"'simulation' must be SimulationSettings: {self.simulation!r}")
        if self.scheduling is not None and not isinstance(self.scheduling, ScheduleSettings):
            raise InputError(f"'scheduling' must be ScheduleSettings: {self.scheduling!r}")
        channels = tuple(self.channels)
        names = []
        for channel in channels:
            if not isinstance(channel, Channel):
                raise InputError(f"'channels' must hold channels (ChatChannel, ...): {channel!r}")
            channel.check_day(calls.size, self.interval)
            names.append(channel.name)
        if len(set(names)) != len(names):
            raise InputError(f"a scenario holds one channel of each kind: {names}")
        order = list(CHANNELS)  # one order, so equal scenarios compare equal
        channels = tuple(
            sorted(
                channels,
                key=lambda c: (
                    c.name not in order,
                    order.index(c.name) if c.name in order else 0,
                    c.name,
                ),
            )
        )
        object.__setattr__(self, "channels", channels)
        if self.capacity is not None and not isinstance(self.capacity, CapacityInputs):
            raise InputError(f"'capacity' must be CapacityInputs: {self.capacity!r}")
        if self.erlang_x is not None:
            if not isinstance(self.erlang_x, ErlangX):
                raise InputError(f"'erlang_x' must be an ErlangX model: {self.erlang_x!r}")
            if self.erlang_x.patience is not None:
                raise InputError(
                    "the Erlang X callers' patience is the scenario's own: give "
                    "Scenario(patience=...) and ErlangX without one"
                )
            self.erlang_x.definition(self.targets.sl_basis)

    # -- building -------------------------------------------------------------

    @classmethod
    def from_history(
        cls,
        history: str | PathLike[str] | History,
        *,
        day: str | None = None,
        country: str | None = None,
        calendar: str | None = None,
        base_dir: str | PathLike[str] = ".",
        **fields: Any,
    ) -> Scenario:
        """A scenario whose calls and AHT are forecast for ``day`` from interval history.

        Parameters
        ----------
        history : a history CSV (a path relative to ``base_dir``) or a
            :class:`planner.History`.
        day : the day to plan, ``"YYYY-MM-DD"`` (default: the day after the
            history).
        country : public holidays of this country (e.g. ``"US"``).
        calendar : the center's closures and special days, a CSV or TOML file
            (a path relative to ``base_dir``; see :func:`planner.calendars.read_calendar`).
        fields : the other :class:`Scenario` fields (``name`` is required;
            ``interval`` defaults to the history's and must match it).

        The scenario keeps the reference (``history``, ``day``, ``country``, ``calendar``),
        which a scenario file saves instead of the numbers; changing the
        workload later with :meth:`with_changes` drops it.
        """
        from planner import forecast  # here: planner.forecast imports this package
        from planner.io import History

        source: History | str = history if isinstance(history, History) else ""
        reference = None
        if not isinstance(history, History):
            source, reference = str(Path(base_dir) / history), str(history)
        days = None if calendar is None else Path(base_dir) / calendar
        model = forecast.fit(source, country=country, calendar=days)
        return cls.from_forecast(
            model, day=day, history=reference, country=country, calendar=calendar, **fields
        )

    @classmethod
    def from_forecast(
        cls, model: FittedForecast, *, day: str | None = None, **fields: Any
    ) -> Scenario:
        """A scenario of one forecast day: its calls and AHT per interval from ``model``.

        What :meth:`from_history` does once it has fitted the forecast; the app
        sends the intraday page's forecast to the other pages with it.

        Parameters
        ----------
        model : a fitted forecast (:func:`planner.forecast.fit`).
        day : the day to plan, ``"YYYY-MM-DD"`` (default: the day after the
            history).
        fields : the other :class:`Scenario` fields (``name`` is required;
            ``interval`` defaults to the forecast's and must match it).
        """
        first = model.daily.index[-1] + pd.Timedelta(days=1)
        try:
            when = pd.Timestamp(day) if day is not None else first
        except ValueError:
            raise InputError(f"'day' must be a date YYYY-MM-DD: {day!r}") from None
        if when < first:
            raise InputError(f"'day' must be after the history, from {first.date()}: {day!r}")
        interval = fields.pop("interval", model.interval)
        if interval != model.interval:
            raise InputError(
                f"'interval' ({float(interval):g} s) differs from the history's "
                f"({model.interval:g} s)"
            )
        frame = model.forecast((when - first).days + 1)
        frame = frame[pd.DatetimeIndex(frame.index).normalize() == when]
        if frame.empty:
            raise InputError(f"the forecast has no open interval on {when.date()} (closed?)")
        stamps = pd.DatetimeIndex(frame.index)
        grid = pd.date_range(stamps[0], stamps[-1], freq=f"{int(model.interval)}s")
        frame = frame.reindex(grid)
        return cls(
            interval=interval,
            calls=tuple(frame["calls"].fillna(0.0).round(2).tolist()),
            aht=tuple(frame["aht"].fillna(float(np.nanmean(frame["aht"]))).round(1).tolist()),
            start=grid[0].strftime("%H:%M"),
            day=str(when.date()),
            **fields,
        )

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some fields changed; what-ifs from the CLI, the app and sweeps.

        ``changes`` are the what-ifs of :data:`planner.scenario.WHATIFS`: the fields
        themselves, any :class:`Targets` field (``service_level=0.9``), any
        :class:`SimulationSettings` field (``replications=100``), Erlang X's and the
        shift rules' fields, ``plan="required"``, the workload multipliers
        (``volume=1.1``, ``aht_seconds=20``, ``staffing_offset=-1``) and a channel by
        its name (``chat=ChatChannel(...)`` adds or replaces it, ``chat=None`` removes
        it) or its volume and parameters (``chat_volume=1.5``). A number for
        ``patience`` or ``handle`` is a new mean that keeps the distribution's
        shape (a lognormal stays lognormal), and ``patience_cv`` /
        ``handle_cv`` make them lognormal with that CV. A new ``calls``,
        ``aht`` or ``interval`` drops the history reference (the numbers are
        saved instead). Unknown names are an InputError.

        Examples
        --------
        >>> from planner import Lognormal
        >>> s = Scenario(name="d", interval=1800, calls=[100], aht=180, patience=Lognormal(90, 1.2))
        >>> s.with_changes(patience=120, service_level=0.9).patience
        Lognormal(mean=120.0, cv=1.2)
        """
        return whatif.apply(self, changes)

    # -- what the scenario gives ----------------------------------------------

    @property
    def model(self) -> IntervalModel:
        """The calls' queueing model: Erlang X with an ``[erlang_x]`` section (with the
        scenario's mean patience), else Erlang A with a patience, else Erlang C."""
        patience = self.mean_patience
        if self.erlang_x is not None:
            return dataclasses.replace(self.erlang_x, patience=patience)
        return erlang_model(patience)

    @property
    def mean_patience(self) -> float | None:
        """Mean patience, seconds (the Erlang A parameter), or None."""
        return None if self.patience is None else float(self.patience.mean)  # type: ignore[union-attr]

    def workload(self) -> pd.DataFrame:
        """One row per interval: ``interval_start``, ``calls``, ``aht`` (seconds).

        ``interval_start`` is the clock time "HH:MM": a scenario is one day,
        and its intervals are labelled by time of day.
        """
        first = v.clock_seconds("start", self.start)
        starts = [v.clock_label(first + i * self.interval) for i in range(len(self.calls))]
        return pd.DataFrame(
            {"interval_start": starts, "calls": list(self.calls), "aht": list(self.aht)}  # type: ignore[arg-type]
        )

    def requirements(self, **changes: Any) -> pd.DataFrame:
        """The staffing requirement of every interval (see :func:`planner.requirements`).

        ``changes`` as in :meth:`with_changes`.
        """
        s = self.with_changes(**changes) if changes else self
        return s.calls_channel.requirements(s.as_day())

    def channel(self, name: str) -> Channel | None:
        """Its channel called ``name`` (``"chat"``, ``"email"``), or None."""
        if name not in CHANNELS:
            raise InputError(f"unknown channel {name!r}; the channels are {sorted(CHANNELS)}")
        return next((c for c in self.channels if c.name == name), None)

    def as_day(self) -> Day:
        """What its channels are staffed against: intervals, shrinkage, targets."""
        starts = tuple(self.workload()["interval_start"])
        return Day(starts, self.start, self.interval, self.shrinkage, self.targets)

    @property
    def calls_channel(self) -> CallsChannel:
        """Its calls as a channel, under :attr:`model`."""
        return CallsChannel(calls=self.calls, aht=self.aht, model=self.model)  # type: ignore[arg-type]

    def teams(self) -> tuple[Channel, ...]:
        """Every channel it staffs: the calls first, then :attr:`channels`."""
        return (self.calls_channel, *self.channels)

    def channel_requirements(self, name: str, **changes: Any) -> pd.DataFrame:
        """The team of channel ``name`` per interval (its ``requirements`` on the
        scenario's day): ``interval_start``, the contacts offered, ``agents``,
        ``scheduled`` and its measures. ``changes`` as in :meth:`with_changes`."""
        s = self.with_changes(**changes) if changes else self
        channel = s.calls_channel if name == "calls" else s.channel(name)
        if channel is None:
            raise InputError(
                f"scenario {s.name!r} has no {name} channel: add [channels.{name}] to its file"
            )
        return channel.requirements(s.as_day())

    def blended_requirements(self, **changes: Any) -> pd.DataFrame:
        """The calls and the email channel's items worked by one blended team, per
        interval (see :func:`planner.blended_staffing`): calls first, items in the
        idle time behind a reserve of idle agents, each interval's items finished
        within it (the blend has no deadline to carry them over).

        Columns: ``interval_start``, ``calls``, ``items``, ``agents`` and ``reserve``
        of the blended team, ``scheduled`` (after shrinkage), the separate teams it
        replaces (``call_agents``, ``item_agents``), ``saving`` (agents), and the
        blend's ``service_level``, ``abandon_rate`` and ``items_done``. An
        occupancy ceiling in the targets is left out: a blended team is busy by
        design.
        """
        s = self.with_changes(**changes) if changes else self
        email = s.channel("email")
        if not isinstance(email, EmailChannel):
            raise InputError(
                f"scenario {s.name!r} has no email channel: add [channels.email] to blend its "
                "items with the calls"
            )
        targets = dataclasses.replace(s.targets, max_occupancy=None)
        day = s.workload()
        rows = []
        for calls, aht, items in zip(day["calls"], day["aht"], email.items, strict=True):
            b = blended_staffing(
                float(calls), float(aht), s.interval, targets, items=float(items),
                item_aht=email.aht, patience=s.mean_patience,
            )  # fmt: skip
            rows.append({
                "items": float(items), "agents": b.agents, "reserve": b.reserve,
                "call_agents": b.call_agents, "item_agents": b.item_agents,
                "saving": b.saving, "service_level": float(b.result.service_level),
                "abandon_rate": float(b.result.abandon_rate), "items_done": b.items_done,
            })  # fmt: skip
        out = pd.concat([day[["interval_start", "calls"]], pd.DataFrame(rows)], axis=1)
        out.insert(5, "scheduled", scheduled_staff(out["agents"].to_numpy(), s.shrinkage))
        return out

    def staff_requirements(self, **changes: Any) -> pd.DataFrame:
        """Every team's agents per interval and the total (separate teams):
        ``NAME_agents`` for each of :meth:`teams` (``calls_agents`` first),
        ``total_agents`` and ``total_scheduled`` after shrinkage."""
        s = self.with_changes(**changes) if changes else self
        day = s.as_day()
        out = day.frame()
        total = np.zeros(len(out), dtype=np.int64)
        for team in s.teams():
            agents = team.requirements(day)["agents"].to_numpy(dtype=np.int64)
            out[f"{team.name}_agents"] = agents
            total = total + agents
        out["total_agents"] = total
        out["total_scheduled"] = scheduled_staff(total, s.shrinkage)
        return out

    def planned_agents(self, **changes: Any) -> np.ndarray:
        """Agents on the phones per interval: the plan, or the requirement."""
        s = self.with_changes(**changes) if changes else self
        if s.plan is not None:
            return np.asarray(s.plan, dtype=np.int64)
        return s.requirements()["agents"].to_numpy(dtype=np.int64)

    def evaluate(self, **changes: Any) -> pd.DataFrame:
        """The Erlang figures of the plan (or the requirement) per interval.

        Columns as :func:`planner.evaluate_plan`, plus ``required_agents``.
        """
        s = self.with_changes(**changes) if changes else self
        required = s.requirements()
        if s.plan is None:
            table = required
        else:
            table = evaluate_plan(
                s.workload(), s.plan, s.targets, s.interval, s.shrinkage, model=s.model
            )
        table.insert(list(table.columns).index("agents"), "required_agents", required["agents"])
        return table

    def summary(self, **changes: Any) -> pd.Series:
        """The day's figures for the plan (see :func:`planner.day_summary`), with cost."""
        s = self.with_changes(**changes) if changes else self
        return day_summary(s.evaluate(), s.interval, s.cost_per_hour)

    def cost(self) -> pd.Series:
        """Agent hours, scheduled (paid) hours after shrinkage and their cost, for the plan."""
        return self.summary()[["agent_hours", "scheduled_hours", "cost"]]

    def schedule_workload(self, **changes: Any) -> pd.DataFrame:
        """The workload a schedule covers: :meth:`workload`, or for a ``"week"``
        horizon the day on every weekday from ``first_weekday`` (see
        :meth:`~planner.schedule.ScheduleSettings.week`)."""
        s = self.with_changes(**changes) if changes else self
        rules = s._rules()
        if rules.horizon == "day":
            return s.workload()
        return rules.week(np.asarray(s.calls), np.asarray(s.aht), s.start, s.interval)

    def schedule(self, progress: Progress | None = None, **changes: Any) -> Schedule:
        """Shifts that cover the requirement, by the scenario's ``[schedule]`` rules.

        The agents needed on the phones per interval (of the day, or of the
        week) become people on duty after the schedule's shrinkage (the
        scenario's unless ``[schedule]`` sets its own); see
        :func:`planner.schedule.schedule`. ``changes`` as in :meth:`with_changes`;
        ``progress`` is called with (seconds, objective, bound) as HiGHS finds
        better schedules.
        """
        s = self.with_changes(**changes) if changes else self
        rules = s._rules()
        workload = s.schedule_workload()
        return schedule(
            s._requirements_of(workload)["agents"].to_numpy(),
            rules.templates,
            interval=s.interval,
            horizon=rules.horizon,
            coverage=rules.coverage,
            wrap=rules.wrap,
            paid_hours=rules.paid_hours,
            shrinkage=s.schedule_shrinkage(),
            max_part_time=rules.max_part_time,
            open_hours=rules.open_hours if rules.horizon == "week" else None,
            first_weekday=rules.first_weekday if rules.horizon == "week" else None,
            workload=workload.set_index("interval_start"),
            targets=s.targets,
            model=s.model,
            value_per_call=rules.value_per_call,
            start=s.start,
            labels=list(workload["interval_start"]),
            time_limit=rules.time_limit,
            mip_gap=rules.mip_gap,
            formulation=rules.formulation,
            rotation_weeks=rules.rotation_weeks,
            progress=progress,
        )

    def schedule_efficiency(self, **changes: Any) -> float:
        """The share of the shifts' paid hours the requirement needs: the people required
        on duty (after the schedule's shrinkage) over the paid hours of
        :meth:`schedule`, its breaks and the hours shifts cannot avoid included (1: a
        schedule that fits the requirement exactly). What a ``[capacity]`` section with
        ``efficiency = "schedule"`` plans with."""
        s = self.with_changes(**changes) if changes else self
        plan = s.schedule()
        required = hours(plan.coverage["required"], s.interval)
        if plan.scheduled_hours <= 0:
            raise InputError("the schedule has no paid hours to measure its efficiency on")
        return min(required / plan.scheduled_hours, 1.0)

    def schedule_requirements(self, **changes: Any) -> pd.DataFrame:
        """The requirement over the schedule's horizon (see :func:`planner.requirements`):
        ``agents`` on the phones and ``scheduled``, the people on duty that needs after
        the schedule's shrinkage (what :meth:`schedule` covers; their hours are the
        perfectly flexible paid hours)."""
        s = self.with_changes(**changes) if changes else self
        return s._requirements_of(s.schedule_workload())

    def _requirements_of(self, workload: pd.DataFrame) -> pd.DataFrame:
        return requirements(
            workload, self.targets, self.interval, self.schedule_shrinkage(), model=self.model
        )

    def schedule_shrinkage(self) -> float:
        """The schedule's shrinkage: its own ([schedule] shrinkage), else the scenario's."""
        rules = self._rules()
        return self.shrinkage if rules.shrinkage is None else rules.shrinkage

    def _rules(self) -> ScheduleSettings:
        if self.scheduling is None:
            raise InputError(
                f"scenario {self.name!r} has no shift templates: add a [schedule] section "
                "with [[schedule.shift]] tables to its file (or give templates=...)"
            )
        return self.scheduling

    def capacity_plan(self, **changes: Any) -> CapacityPlan:
        """The long-range hiring plan of its ``[capacity]`` section (see
        :func:`planner.capacity_plan`): the weeks of its demand (a file, a forecast of
        its history, or grown from the day), each shaped like the history's week or this
        scenario's day (times the weekday weights) at its calls-weighted AHT, staffed
        with its targets and queueing model, its shrinkage unless the section gives one
        (with ``efficiency = "schedule"``: :meth:`schedule_efficiency` and the schedule's
        shrinkage, whose breaks the shifts hold).
        ``changes`` as in :meth:`with_changes` (``growth``, ``attrition``, ``lead_time``,
        ``class_size``, ...)."""
        s = self.with_changes(**changes) if changes else self
        c = s.capacity
        if c is None:
            raise InputError(
                f"scenario {s.name!r} has no [capacity] section: add one to its file (see "
                "the capacity plan's page) to plan months ahead"
            )
        calls = np.asarray(s.calls, dtype=np.float64)
        aht = np.asarray(s.aht, dtype=np.float64)
        total = float(calls.sum())
        day_aht = float((calls * aht).sum() / total) if total > 0 else float(aht.mean())
        profile = c.profile or WeekProfile.from_day(
            calls, s.interval, start=s.start, weekday_shares=np.asarray(c.weekday_weights)
        )
        if c.efficiency == "schedule":  # measured: the breaks are then the shifts'
            efficiency, shrinkage = s.schedule_efficiency(), s.schedule_shrinkage()
        else:
            efficiency, shrinkage = float(c.efficiency), s.shrinkage
        settings = CapacitySettings(
            s.targets, s.model, efficiency, shrinkage if c.shrinkage is None else c.shrinkage,
            c.hours_per_fte,
        )  # fmt: skip
        demand = s._other_teams(c.weekly_demand(total, day_aht), total, c.weekday_weights)
        return capacity_plan(
            demand, profile, settings, c.workforce,
            quantile=c.quantile, paths=c.paths, seed=c.seed,
            volume_correlation=c.volume_correlation, time_limit=c.time_limit,
        )  # fmt: skip

    def _other_teams(self, demand: WeeklyDemand, day_calls: float,
                     weights: tuple[float, ...]) -> WeeklyDemand:  # fmt: skip
        """``demand`` with the agent hours a week of its other channels' teams (chat,
        email): each weekday, each team's requirement for this day with its contacts
        times the week's calls over the first week's (``day_calls`` times the weekday
        weights' sum) and the weekday's weight, the factor to 0.5% (one requirement per
        factor: a year of weeks needs tens, not hundreds)."""
        if not self.channels:
            return demand
        base = day_calls * sum(weights)
        day = self.as_day()
        cache: dict[float, float] = {}
        other = np.zeros(demand.weeks)
        for w, calls in enumerate(demand.calls):
            grown = calls / base if base > 0 else 1.0
            for weight in weights:
                factor = round(grown * weight / 0.005) * 0.005
                if factor <= 0:
                    continue
                if factor not in cache:
                    cache[factor] = sum(
                        hours(channel.scaled(factor).requirements(day)["agents"], self.interval)
                        for channel in self.channels
                    )
                other[w] += cache[factor]
        return dataclasses.replace(demand, other_agent_hours=tuple(other))

    def simulate(self, **overrides: Any) -> SimulationResult:
        """Simulate the plan (or the requirement) with the scenario's settings.

        ``overrides`` are scenario changes (see :meth:`with_changes`) and the
        run options of :func:`planner.simulate` (``engine``,
        ``record_calls``, ``level``).
        """
        s, run = self._split(overrides)
        sim = s.simulation
        return simulate(
            s.workload().set_index("interval_start"),
            s.planned_agents(),
            interval=s.interval,
            handle=s.handle,
            patience=s.patience,
            answer_time=s.targets.answer_time,
            sl_basis=s.targets.sl_basis,
            replications=sim.replications,
            seed=sim.seed,
            warmup=sim.warmup,
            close=sim.close,
            dispersion=sim.dispersion,
            **s._returns(),
            **run,
        )

    def _returns(self) -> dict[str, Any]:
        """Simulation options of the Erlang X model's callers (none without one)."""
        x = self.erlang_x
        if x is None:
            return {}
        return {
            "lines": x.lines, "redial_probability": x.redial_probability,
            "redial_delay": x.redial_delay, "fcr": x.fcr, "repeat_delay": x.repeat_delay,
        }  # fmt: skip

    def simulated_staffing(self, **overrides: Any) -> SimulatedStaffing:
        """The fewest agents per interval that meet the targets in simulation.

        See :func:`planner.simulated_staffing`; ``overrides`` as in
        :meth:`simulate` (plus ``confidence``, ``max_replications`` and ``max_passes``).
        """
        s, run = self._split(overrides)
        sim = s.simulation
        return simulated_staffing(
            s.workload().set_index("interval_start"),
            s.targets,
            interval=s.interval,
            handle=s.handle,
            patience=s.patience,
            replications=sim.replications,
            seed=sim.seed,
            warmup=sim.warmup,
            close=sim.close,
            dispersion=sim.dispersion,
            **s._returns(),
            **run,
        )

    def _split(self, overrides: dict[str, Any]) -> tuple[Scenario, dict[str, Any]]:
        run = {k: val for k, val in overrides.items() if k in _RUN_ARGS}
        changes = {k: val for k, val in overrides.items() if k not in _RUN_ARGS}
        return (self.with_changes(**changes) if changes else self), run

    # -- files ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario as the nested dict its TOML file holds (:mod:`planner.scenario.file`)."""
        return file.to_dict(self)

    def dumps(self) -> str:
        """The scenario as TOML text."""
        return file.dumps(self)

    def save(self, path: str | PathLike[str]) -> None:
        """Write the scenario to a TOML file."""
        file.save(self, path)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str = "<dict>", base_dir: str = "."
    ) -> Scenario:
        """Build a scenario from the nested dict of a TOML file (:mod:`planner.scenario.file`)."""
        return file.from_dict(data, cls=cls, source=source, base_dir=base_dir)

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>", base_dir: str = ".") -> Scenario:
        """Parse a scenario from TOML text."""
        return file.loads(text, cls=cls, source=source, base_dir=base_dir)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Scenario:
        """Read a scenario from a TOML file."""
        return file.load(path, cls=cls)
