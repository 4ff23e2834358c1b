"""What-ifs: every named change a scenario takes, in one registry.

:data:`WHATIFS` lists them with their meaning: the scenario's own fields, the
fields of its targets, simulation settings, Erlang X callers and shift rules, the
workload multipliers a sweep varies (``volume``, ``aht_factor``, ...), and each
channel by its name with its volume and its own parameters (``chat_volume``,
``email_deadline``). :func:`apply` carries them out, in one place:
:meth:`planner.Scenario.with_changes` calls it, the sweep axes are the what-ifs
marked ``axis``, the command line's scenario flags those marked ``flag``, and the
app's sidebar labels its controls with their meaning.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from planner import _validate as v
from planner.capacity.inputs import CHANGES as CAPACITY_CHANGES
from planner.channels import CHANNELS
from planner.errors import InputError
from planner.models import ErlangX
from planner.schedule import ScheduleSettings
from planner.simulation import Distribution, Lognormal, SimulationSettings
from planner.targets import Targets

__all__ = ["WHATIFS", "WhatIf", "apply", "number"]


@dataclass(frozen=True, slots=True)
class WhatIf:
    """One named change of a scenario.

    Attributes
    ----------
    name : its keyword (``Scenario.with_changes(name=...)``).
    meaning : what it changes, with its unit.
    part : the part of the scenario it changes: ``"scenario"``, ``"targets"``,
        ``"simulation"``, ``"erlang_x"``, ``"schedule"``, ``"workload"`` or
        ``"channel"``.
    axis : a number a sweep may vary (:data:`planner.AXES`).
    flag : a flag of the command line's scenario commands (``--name``).
    """

    name: str
    meaning: str
    part: str
    axis: bool = False
    flag: bool = False


def _table() -> dict[str, WhatIf]:
    rows: list[WhatIf] = []

    def add(part: str, entries: Mapping[str, str], axes: tuple[str, ...] = (),
            flags: tuple[str, ...] = ()) -> None:  # fmt: skip
        rows.extend(WhatIf(k, m, part, k in axes, k in flags) for k, m in entries.items())

    add("workload", {
        "volume": "multiplier on offered calls (1.15: 15 percent more)",
        "aht_factor": "multiplier on AHT",
        "aht_seconds": "seconds added to AHT (after the multiplier)",
        "staffing_offset": "agents added to (or taken from) every interval of the plan",
        "patience_cv": "lognormal patience with this coefficient of variation",
        "handle_cv": "lognormal handle times with this coefficient of variation",
    }, axes=("volume", "aht_factor", "aht_seconds", "staffing_offset"),
        flags=("patience_cv", "handle_cv"))  # fmt: skip
    add("scenario", {
        "name": "short title", "description": "free text",
        "interval": "interval length, seconds",
        "calls": "offered calls per interval", "aht": "average handle time per interval, seconds",
        "start": "clock time of the first interval, HH:MM",
        "targets": "the Targets to staff for (or change one of its fields by name)",
        "shrinkage": "fraction of paid time off the phones, in [0, 1)",
        "patience": "mean patience, seconds (the distribution's shape is kept)",
        "handle": "handle-time shape for simulation (a number: its mean, the shape kept)",
        "plan": "agents on the phones per interval, or 'required'",
        "cost_per_hour": "cost of a paid agent hour",
        "currency": "the currency of costs, an ISO 4217 code (USD, EUR, GBP)",
        "simulation": "the SimulationSettings (or change one of its fields by name)",
        "scheduling": "the [schedule] settings (or change one of its rules by name)",
        "erlang_x": "the Erlang X callers (or change one of their fields by name)",
        "channels": "every other channel (or set one by its name)",
        "history": "the history file the workload was forecast from",
        "day": "the day forecast, YYYY-MM-DD", "country": "the public holidays' country",
        "calendar": "the center's calendar file of closures and special days",
        "capacity": "the [capacity] section: months ahead (None takes it away)",
    }, axes=("shrinkage", "patience", "cost_per_hour"),
        flags=("interval", "shrinkage", "patience"))  # fmt: skip
    add("targets", {
        "service_level": "service-level target, in (0, 1)",
        "answer_time": "service-level threshold, seconds",
        "asa": "greatest average speed of answer, seconds",
        "max_abandon": "greatest abandon rate, in (0, 1]",
        "max_occupancy": "greatest agent occupancy, in (0, 1]",
        "sl_basis": "the service level's denominator",
    }, axes=("service_level", "answer_time"),
        flags=("service_level", "answer_time", "asa", "max_abandon", "max_occupancy"))  # fmt: skip
    add("simulation", {
        "replications": "days simulated", "seed": "the seed of every random draw",
        "warmup": "seconds simulated before the day, left out of its figures",
        "close": "at the day's end: 'serve_queue' or 'stop'",
        "dispersion": "day-to-day volume CV beyond Poisson",
    }, flags=("replications", "seed", "warmup", "close"))  # fmt: skip
    add("erlang_x", {
        "lines": "most callers on the lines at once",
        "redial_probability": "chance a blocked or abandoned caller calls again, in [0, 1)",
        "redial_delay": "mean seconds before a redial",
        "fcr": "first-contact resolution: the rest of the answered calls call again, in (0, 1]",
        "repeat_delay": "mean seconds before a repeat contact (simulation)",
        "volume_cv": "forecast uncertainty: the volume's coefficient of variation",
        "sl_definition": "Erlang X's service level: 'offered', 'answered' or 'virtual'",
    }, flags=("lines", "redial_probability", "redial_delay", "fcr", "repeat_delay",
              "volume_cv"))  # fmt: skip
    rules = {f.name for f in fields(ScheduleSettings)} - {"shrinkage"}
    schedule = {name: f"schedule: the [schedule] rule '{name}'" for name in sorted(rules)}
    schedule |= {
        "max_part_time": "schedule: most share of people on part-time shifts, in [0, 1]",
        "paid_hours": "schedule: a budget of paid hours (soft coverage: shortfalls where they "
        "cost least service)",
        "schedule_shrinkage": "schedule: off-phone share the shifts' breaks leave out, in [0, 1)",
        "start_every": "schedule: seconds between the allowed start times of every shift template",
        "start_band": "schedule: seconds within which a person starts every day of a week "
        "(every shift template; 0 the same start)",
    }
    add("schedule", schedule,
        axes=("max_part_time", "paid_hours", "start_every", "start_band", "schedule_shrinkage",
              "rotation_weeks", "time_limit"))  # fmt: skip
    add("capacity", CAPACITY_CHANGES, axes=tuple(CAPACITY_CHANGES))
    for name, kind in CHANNELS.items():
        add("channel", {name: f"the {name} channel (None takes it away)"})
        where = f"(a scenario with [channels.{name}])"
        add("channel", {f"{name}_volume": f"multiplier on the {name} channel's {kind.offered} "
                        f"{where}"}, axes=(f"{name}_volume",))  # fmt: skip
        for param, meaning in kind.axes.items():
            add("channel", {f"{name}_{param}": f"{meaning} {where}"}, axes=(f"{name}_{param}",))
    return {w.name: w for w in rows}


WHATIFS: dict[str, WhatIf] = _table()
"""Every named change a scenario takes, by name."""

_TARGETS = frozenset(f.name for f in fields(Targets))
_SIMULATION = frozenset(f.name for f in fields(SimulationSettings))
_ERLANG_X = frozenset(f.name for f in fields(ErlangX)) - {"patience"}
_RULES = frozenset(f.name for f in fields(ScheduleSettings)) - {"shrinkage"}


def apply(scenario: Any, changes: Mapping[str, Any]) -> Any:
    """``scenario`` with ``changes`` carried out (see :meth:`planner.Scenario.with_changes`);
    an unknown name is an InputError listing the what-ifs."""
    unknown = sorted(set(changes) - set(WHATIFS))
    if unknown:
        names = sorted(WHATIFS)
        raise InputError(f"unknown scenario change {unknown[0]!r}; the changes are {names}")
    for name in changes:
        if WHATIFS[name].part in ("workload", "channel") and name not in CHANNELS:
            number(name, changes[name])
    own = {f.name for f in fields(scenario)}
    top = {k: val for k, val in changes.items() if k in own}
    _workload(scenario, changes, top)
    _parts(scenario, changes, top)
    _channels(scenario, changes, top)
    _distributions(scenario, changes, top)
    _capacity(scenario, changes, top)
    if isinstance(top.get("plan"), str) and top["plan"] == "required":
        top["plan"] = None
    if {"calls", "aht", "interval"} & set(top):
        top |= {"history": None}  # the workload is no longer the forecast
    changed = dataclasses.replace(scenario, **top)
    if "staffing_offset" in changes:  # last: it offsets the plan of everything else
        offset = _whole(changes["staffing_offset"])
        base = changed.planned_agents()
        changed = dataclasses.replace(changed, plan=tuple(np.maximum(base + offset, 0).tolist()))
    return changed


def _workload(scenario: Any, changes: Mapping[str, Any], top: dict[str, Any]) -> None:
    """``volume``, ``aht_factor`` and ``aht_seconds`` on the scenario's calls and AHT."""
    if {"volume", "aht_factor", "aht_seconds"} & set(changes):
        calls = np.asarray(top.get("calls", scenario.calls), dtype=np.float64)
        aht = np.asarray(top.get("aht", scenario.aht), dtype=np.float64)
        top["calls"] = tuple((calls * float(changes.get("volume", 1.0))).tolist())
        aht = aht * float(changes.get("aht_factor", 1.0)) + float(changes.get("aht_seconds", 0.0))
        top["aht"] = tuple(np.broadcast_to(aht, calls.shape).tolist())


def _parts(scenario: Any, changes: Mapping[str, Any], top: dict[str, Any]) -> None:
    """Changes to the targets, the simulation settings, the callers and the shift rules."""
    target_changes = {k: changes[k] for k in _TARGETS & set(changes)}
    if target_changes:
        top["targets"] = dataclasses.replace(top.get("targets", scenario.targets), **target_changes)
    sim_changes = {k: changes[k] for k in _SIMULATION & set(changes)}
    if sim_changes:
        base = top.get("simulation", scenario.simulation)
        top["simulation"] = dataclasses.replace(base, **sim_changes)
    callers = {k: changes[k] for k in _ERLANG_X & set(changes)}
    if callers:
        base_x = top.get("erlang_x", scenario.erlang_x) or ErlangX()
        top["erlang_x"] = dataclasses.replace(base_x, **callers)
    rules = {k: changes[k] for k in _RULES & set(changes)}
    if "schedule_shrinkage" in changes:
        rules["shrinkage"] = changes["schedule_shrinkage"]
    current = top.get("scheduling", scenario.scheduling)
    for key, field, extra in (("start_every", "every", {"starts": None}),
                              ("start_band", "start_band", {})):  # fmt: skip
        if key in changes:
            if current is None:
                raise InputError(f"'{key}' needs a scenario with shift templates ([schedule])")
            templates = rules.get("templates", current.templates)
            value = float(changes[key])
            rules["templates"] = tuple(dataclasses.replace(t, **{field: value}, **extra)
                                       for t in templates)  # fmt: skip
    if rules:
        if current is None:
            if "templates" not in rules:
                raise InputError(
                    f"{sorted(rules)[0]!r} changes the schedule, and the scenario has no "
                    "shift templates ([schedule] in its file, or templates=...)"
                )
            top["scheduling"] = ScheduleSettings(**rules)
        else:
            top["scheduling"] = dataclasses.replace(current, **rules)


def _capacity(scenario: Any, changes: Mapping[str, Any], top: dict[str, Any]) -> None:
    """The capacity plan's what-ifs (growth, attrition, lead time, ...) on ``[capacity]``."""
    mine = [k for k in changes if k in CAPACITY_CHANGES]
    if not mine:
        return
    section = top.get("capacity", scenario.capacity)
    if section is None:
        raise InputError(f"{mine[0]!r} needs a scenario with a [capacity] section")
    for key in mine:
        section = section.varied(key, changes[key])
    top["capacity"] = section


def _channels(scenario: Any, changes: Mapping[str, Any], top: dict[str, Any]) -> None:
    """A channel by its name (None takes it away), and its volume and parameters."""
    channels = {c.name: c for c in top.get("channels", scenario.channels)}
    touched = False
    for name in CHANNELS:
        if name in changes:
            channels.pop(name, None)
            if changes[name] is not None:
                channels[name] = changes[name]
            touched = True
        mine = {k: v for k, v in changes.items() if k.startswith(f"{name}_")}
        if mine:
            channel = channels.get(name)
            if channel is None:
                first = sorted(mine)[0]
                raise InputError(f"{first!r} needs a scenario with [channels.{name}]")
            for key, value in mine.items():
                param = key.removeprefix(f"{name}_")
                channel = channel.scaled(value) if param == "volume" else channel.varied(
                    param, value
                )  # fmt: skip
            channels[name] = channel
            touched = True
    if touched:
        top["channels"] = tuple(channels.values())


def _distributions(scenario: Any, changes: Mapping[str, Any], top: dict[str, Any]) -> None:
    """A number for ``patience`` or ``handle`` keeps the distribution's shape; a CV makes it
    lognormal with that CV."""
    for name in ("patience", "handle"):
        current = getattr(scenario, name)
        value = top.get(name, current)
        if name in top and _isnumber(value) and isinstance(current, Distribution):
            value = current.with_mean(_positive(name, value))
        cv = changes.get(f"{name}_cv")
        if cv is not None:
            if value is None:
                if name == "patience":
                    raise InputError("'patience_cv' needs a patience (the mean, seconds)")
                value = 1.0  # a handle-time shape: rescaled to each interval's AHT
            mean = value.mean if isinstance(value, Distribution) else value
            value = Lognormal(_positive(name, mean), cv)
        if name in top or cv is not None:
            top[name] = value


def _isnumber(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _positive(name: str, value: Any) -> float:
    return v.single(name, value, v.positive)


def number(name: str, value: Any) -> float:
    """A what-if's value as a finite number; anything else is an InputError naming it."""
    if isinstance(value, bool):
        raise InputError(f"{name!r} takes numbers: {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name!r} takes numbers: {value!r}") from None
    if not math.isfinite(out):
        raise InputError(f"{name!r} takes finite numbers: {value!r}")
    return out


def _whole(value: Any) -> int:
    offset = number("staffing_offset", value)
    if offset != int(offset):
        raise InputError(f"'staffing_offset' takes whole numbers of agents: {value!r}")
    return int(offset)
