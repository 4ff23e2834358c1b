"""Scenario files: every TOML table of a :class:`~planner.Scenario`, in and out.

The one module that maps the planner's objects to TOML and back: the scenario's
sections, its targets, distributions, Erlang X callers, shift rules and templates
(also a templates file of its own), and any channel's ``[channels.NAME]`` section,
read from the channel's dataclass fields. The format, section by section with
every key, is the docs' page "Scenario files" (``docs/scenario-format.md``; its
example is read by the tests). Unknown keys, wrong types and out-of-range values
are rejected with the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, fields
from os import PathLike
from pathlib import Path
from typing import Any

import tomli_w

from planner.capacity.inputs import CapacityInputs
from planner.channels import CHANNELS, Channel
from planner.errors import InputError, ScenarioError
from planner.models import ErlangX
from planner.schedule import (
    WEEKDAYS,
    Break,
    ScheduleSettings,
    ShiftTemplate,
    duration_seconds,
    duration_text,
    weekday,
)
from planner.simulation.distributions import KINDS, Distribution, Exponential, as_distribution
from planner.simulation.settings import SimulationSettings
from planner.targets import Targets

__all__ = [
    "channel_from_table", "channel_table", "distribution_from_table", "distribution_table",
    "dumps", "from_dict", "load", "loads", "parse", "read_templates", "read_text", "save",
    "schedule_from_table", "schedule_table", "targets_from_table", "targets_table",
    "template_table", "templates_from", "to_dict",
]  # fmt: skip

# The scenario is passed in (``cls`` to build one, an instance to write one): this
# module never imports planner.scenario.model, which imports it.
Scenario = Any

# The largest file read: a year of 5-minute intervals with room to spare.
MAX_FILE_BYTES = 16 * 1024 * 1024

_TOP = {
    "name", "description", "interval", "workload", "targets", "staffing", "simulation", "schedule",
    "erlang_x", "channels", "capacity",
}  # fmt: skip
_ERLANG_X = {f.name for f in fields(ErlangX)} - {"patience"}  # the scenario's own
_WORKLOAD = {"start", "calls", "aht", "handle", "history", "day", "country", "calendar"}
_STAFFING = {"shrinkage", "patience", "plan", "cost_per_hour", "currency"}
_SIMULATION = {f.name for f in fields(SimulationSettings)}
_TARGETS = {f.name for f in fields(Targets)}


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the nested dict its TOML file holds.

    A scenario forecast from a history file keeps the reference (file, day,
    country, calendar), not the numbers.
    """
    s = scenario
    out: dict[str, Any] = {"name": s.name}
    if s.description:
        out["description"] = s.description
    out["interval"] = s.interval
    workload: dict[str, Any]
    if s.history is not None:
        workload = {"history": s.history, "day": s.day}
        if s.country:
            workload["country"] = s.country
        if s.calendar:
            workload["calendar"] = s.calendar
    else:
        ahts = tuple(s.aht)  # type: ignore[arg-type]  # a tuple once built
        aht: float | list[float] = ahts[0] if len(set(ahts)) == 1 else list(ahts)
        workload = {"start": s.start, "calls": list(s.calls), "aht": aht}
    if s.handle is not None:
        workload["handle"] = distribution_table(s.handle)
    out["workload"] = workload
    out["targets"] = targets_table(s.targets)
    staffing: dict[str, Any] = {"shrinkage": s.shrinkage}
    if s.patience is not None:
        p = s.patience
        assert isinstance(p, Distribution)  # a number becomes one when the scenario is built
        staffing["patience"] = p.mean if isinstance(p, Exponential) else distribution_table(p)
    staffing["plan"] = "required" if s.plan is None else list(s.plan)
    if s.cost_per_hour is not None:
        staffing["cost_per_hour"] = s.cost_per_hour
    if s.currency is not None:
        staffing["currency"] = s.currency
    out["staffing"] = staffing
    out["simulation"] = {f.name: getattr(s.simulation, f.name) for f in fields(s.simulation)}
    if s.erlang_x is not None:
        default = ErlangX()
        out["erlang_x"] = {
            f.name: getattr(s.erlang_x, f.name)
            for f in fields(ErlangX)
            if getattr(s.erlang_x, f.name) != getattr(default, f.name)
        }
    channels = {channel.name: channel_table(channel) for channel in s.channels}
    if channels:
        out["channels"] = channels
    if s.scheduling is not None:
        out["schedule"] = schedule_table(s.scheduling)
    if s.capacity is not None:
        out["capacity"] = s.capacity.to_table()
    return out


def dumps(scenario: Scenario) -> str:
    """The scenario as TOML text."""
    return tomli_w.dumps(to_dict(scenario))


def save(scenario: Scenario, path: str | PathLike[str]) -> None:
    """Write the scenario to a TOML file (a history path is kept as written)."""
    try:
        Path(path).write_text(dumps(scenario), encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot write scenario file {path}: {err.strerror}") from None


def from_dict(
    data: dict[str, Any], *, cls: type, source: str = "<dict>", base_dir: str = "."
) -> Scenario:
    """Build a scenario (of class ``cls``) from the nested dict of a TOML file; errors
    name ``source``.

    ``base_dir`` is where a ``history`` path is relative to.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a table of keys: {type(data).__name__}")
    if "queue" in data or "group" in data:
        raise ScenarioError(
            f"{source}: [[queue]] and [[group]] tables make a multi-skill center; read it "
            "with planner.load_scenario or planner.CenterScenario.load"
        )
    _known(data, _TOP, source, "")
    for key in ("name", "interval", "workload"):
        if key not in data:
            raise ScenarioError(f"{source}: missing key '{key}'")
    workload = _table(data, "workload", source)
    targets = _table(data, "targets", source)
    staffing = _table(data, "staffing", source)
    simulation = _table(data, "simulation", source)
    callers = _table(data, "erlang_x", source)
    _known(callers, _ERLANG_X, source, "erlang_x.")
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
    _typed(data, "interval", (int, float), source)
    for key in ("start", "history", "day", "country", "calendar"):
        _typed(workload, key, str, source, "workload.")
    _typed(simulation, "close", str, source, "simulation.")
    plan = staffing.get("plan", "required")
    if isinstance(plan, str) and plan != "required":
        raise ScenarioError(f"{source}: 'staffing.plan' must be 'required' or a list: {plan!r}")
    scheduling = _schedule(data, source)
    channels = _channels(data, source)
    capacity = None
    if "capacity" in data:
        try:
            capacity = CapacityInputs.from_table(data["capacity"], source, base_dir)
        except InputError as err:
            raise ScenarioError(str(err) if str(err).startswith(source) else f"{source}: {err}"
                                ) from None  # fmt: skip
    try:
        handle = workload.get("handle")
        patience = staffing.get("patience")
        common: dict[str, Any] = {
            "name": data["name"],
            "description": data.get("description", ""),
            "interval": data["interval"],
            "handle": None
            if handle is None
            else distribution_from_table(handle, name="workload.handle", default_mean=1.0),
            "targets": targets_from_table(targets),
            "shrinkage": staffing.get("shrinkage", 0.0),
            "patience": None
            if patience is None
            else distribution_from_table(patience, name="staffing.patience"),
            "plan": None if plan == "required" else plan,
            "cost_per_hour": staffing.get("cost_per_hour"),
            "currency": staffing.get("currency"),
            "simulation": SimulationSettings(**simulation),
            "scheduling": scheduling,
            "channels": channels,
            "erlang_x": None if "erlang_x" not in data else ErlangX(**callers),
            "capacity": capacity,
        }
        if from_history:
            return cls.from_history(  # type: ignore[attr-defined]
                workload["history"],
                day=workload.get("day"),
                country=workload.get("country"),
                calendar=workload.get("calendar"),
                base_dir=base_dir,
                **common,
            )
        return cls(
            calls=workload["calls"],
            aht=workload["aht"],
            start=workload.get("start", "00:00"),
            **common,
        )
    except InputError as err:
        raise ScenarioError(f"{source}: {err}") from None
    except TypeError as err:  # a list where a table was expected, and the like
        raise ScenarioError(f"{source}: {err}") from None


def loads(text: str, *, cls: type, source: str = "<string>", base_dir: str = ".") -> Scenario:
    """Parse a scenario from TOML text."""
    return from_dict(parse(text, source), cls=cls, source=source, base_dir=base_dir)


def load(path: str | PathLike[str], *, cls: type) -> Scenario:
    """Read a scenario from a TOML file (UTF-8, at most 16 MiB)."""
    return loads(read_text(path), cls=cls, source=str(path), base_dir=str(Path(path).parent))


def parse(text: str, source: str) -> dict[str, Any]:
    """The nested dict of a scenario file's TOML text; errors name ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None


def read_text(path: str | PathLike[str]) -> str:
    """A scenario file's text (UTF-8, at most 16 MiB); errors name the file."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: the file is {size / 2**20:.0f} MiB; scenario files are limited to "
                f"{MAX_FILE_BYTES // 2**20} MiB"
            )
        return Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot read scenario file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file (a scenario is TOML text)") from None


def _channels(data: dict[str, Any], source: str) -> tuple[Channel, ...]:
    """The ``[channels.NAME]`` sections, each read by the registry's channel; errors name
    the file."""
    channels = _table(data, "channels", source)
    _known(channels, set(CHANNELS), source, "channels.")
    try:
        return tuple(channel_from_table(name, table) for name, table in channels.items())
    except (InputError, TypeError) as err:
        raise ScenarioError(f"{source}: {err}") from None


def channel_table(channel: Channel) -> dict[str, Any]:
    """A channel's ``[channels.NAME]`` table: its fields but those at their default
    (tuples as lists, its own targets as a targets table)."""
    out: dict[str, Any] = {}
    for f in fields(channel):  # type: ignore[arg-type]
        value = getattr(channel, f.name)
        default = f.default_factory() if f.default_factory is not MISSING else f.default
        if value is None or (default is not MISSING and value == default):
            continue
        if isinstance(value, Targets):
            value = targets_table(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def channel_from_table(name: str, table: object) -> Channel:
    """The registry's channel ``name`` from its ``[channels.NAME]`` table: unknown and
    missing keys are errors naming ``channels.NAME.key``."""
    kind = CHANNELS[name]
    where = f"channels.{name}"
    if not isinstance(table, dict):
        raise InputError(f"[{where}] must be a table of keys")
    own = {f.name: f for f in fields(kind)}  # type: ignore[arg-type]
    unknown = sorted(set(table) - set(own))
    if unknown:
        raise InputError(f"unknown key '{where}.{unknown[0]}'; allowed: {', '.join(sorted(own))}")
    for key, f in own.items():
        if f.default is MISSING and f.default_factory is MISSING and key not in table:
            raise InputError(f"[{where}] needs '{key}'")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if "Targets" in str(own[key].type):
            if not isinstance(value, dict):
                raise InputError(f"'{where}.{key}' must be a table")
            value = targets_from_table(value, f"{where}.{key}")
        elif isinstance(value, list) and "tuple" in str(own[key].type):
            value = tuple(value)
        values[key] = value
    return kind(**values)


def _schedule(data: dict[str, Any], source: str) -> ScheduleSettings | None:
    """The ``[schedule]`` section, or None; errors name the file (and not twice)."""
    if "schedule" not in data:
        return None
    try:
        return schedule_from_table(data["schedule"], source)
    except InputError as err:
        raise ScenarioError(str(err)) from None


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


def _typed(
    table: dict[str, Any], key: str, kind: type | tuple[type, ...], source: str, prefix: str = ""
) -> None:
    value = table.get(key)
    if key in table and (not isinstance(value, kind) or isinstance(value, bool)):
        names = "number" if kind == (int, float) else getattr(kind, "__name__", str(kind))
        raise ScenarioError(f"{source}: '{prefix}{key}' must be a {names}: {value!r}")


# -- targets ---------------------------------------------------------------------------

# Targets on unless switched off: a file writes them false when they are.
_ON_BY_DEFAULT = frozenset(f.name for f in fields(Targets) if f.default is not None)


def targets_table(targets: Targets) -> dict[str, Any]:
    """The targets as a file's table: targets not set are left out, and one on by
    default that is switched off is ``false`` (TOML has no null)."""
    return {
        k: (False if val is None else val)
        for k, val in targets.to_dict().items()
        if val is not None or k in _ON_BY_DEFAULT
    }


def targets_from_table(table: Mapping[str, Any], name: str = "targets") -> Targets:
    """Targets from a file's table, ``false`` switching one off; errors name
    ``name.key``."""
    out = dict(table)
    for key, value in table.items():
        if value is False:
            if key not in _ON_BY_DEFAULT - {"answer_time", "sl_basis"}:
                raise InputError(f"'{name}.{key}' cannot be false")
            out[key] = None
        elif value is True:
            raise InputError(f"'{name}.{key}' must be a number or false: true")
    return Targets(**out)


# -- distributions ---------------------------------------------------------------------


def distribution_table(dist: Distribution) -> dict[str, Any]:
    """The table a scenario file holds, e.g. ``{"kind": "lognormal", "mean": 240, "cv": 1}``."""
    return {"kind": dist.kind, **dist.params()}


def distribution_from_table(
    table: object, *, name: str = "distribution", default_mean: float | None = None
) -> Distribution:
    """A distribution from a scenario-file table; errors name ``name`` and the key.

    A plain number is an exponential mean. ``default_mean`` stands in for a
    missing ``mean`` (a handle-time shape is rescaled to each interval's AHT anyway).

    Examples
    --------
    >>> distribution_from_table({"kind": "gamma", "mean": 300, "cv": 0.5})
    Gamma(mean=300.0, cv=0.5)
    >>> distribution_from_table(120)
    Exponential(mean=120.0)
    """
    if isinstance(table, int | float) and not isinstance(table, bool):
        return as_distribution(name, table)
    if not isinstance(table, dict):
        raise InputError(
            f"'{name}' must be a number or a table like {{kind = \"lognormal\", mean = 240, "
            f"cv = 1.0}}: {table!r}"
        )
    kind = table.get("kind")
    if kind not in KINDS:
        raise InputError(f"'{name}.kind' must be one of {list(KINDS)}: {kind!r}")
    cls, params = KINDS[kind]
    unknown = sorted(set(table) - {"kind", *params})
    if unknown:
        raise InputError(f"unknown key '{name}.{unknown[0]}' for kind {kind!r}; it takes {params}")
    args = dict(table)
    args.pop("kind")
    if "mean" in params and "mean" not in args and default_mean is not None:
        args["mean"] = default_mean
    missing = [p for p in params if p not in args]
    if missing:
        raise InputError(f"'{name}' of kind {kind!r} needs '{missing[0]}'")
    for key, value in args.items():
        if key != "values" and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InputError(f"'{name}.{key}' must be a number: {value!r}")
    try:
        return cls(**args)
    except InputError as err:
        raise InputError(f"'{name}': {err}") from None


# -- shift rules and templates ---------------------------------------------------------

_SHIFT_KEYS = {
    "name", "length", "starts", "every", "earliest", "latest", "break", "cost_per_hour",
    "min_count", "max_count", "days_off", "consecutive_off", "work_days", "part_time",
    "break_spacing", "start_band", "min_rest", "weekends_off",
}  # fmt: skip
_BREAK_KEYS = {"length", "earliest", "latest", "paid"}


def templates_from(tables: object, source: str = "templates") -> list[ShiftTemplate]:
    """Shift templates from a list of tables (a TOML file's ``[[shift]]`` entries).

    Durations take seconds or text (``"8h"``, ``"30min"``); ``work_days`` takes
    ``"Mon"`` ... ``"Sun"``; each ``[[shift.break]]`` is a :class:`Break`.

    Examples
    --------
    >>> [t.name for t in templates_from([{"name": "early", "length": "8h", "every": "30min",
    ...     "break": [{"length": "30min", "earliest": "3h", "latest": "5h", "paid": False}]}])]
    ['early']
    """
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{source}: give at least one [[shift]] table")
    out = []
    for i, table in enumerate(tables, start=1):
        where = f"{source}: shift {i}"
        if not isinstance(table, dict):
            raise InputError(f"{where}: must be a table of keys")
        unknown = sorted(set(table) - _SHIFT_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown key {unknown[0]!r}; known: {sorted(_SHIFT_KEYS)}")
        if "length" not in table:
            raise InputError(f"{where}: missing key 'length'")
        name = str(table.get("name", f"shift {i}"))
        try:
            template = _template(table, name)
        except InputError as err:
            said = str(err).removeprefix(f"shift {name!r}: ")
            raise InputError(f"{where} ({name}): {said}") from None
        out.append(template)
    return out


def _template(table: dict[str, Any], name: str) -> ShiftTemplate:
    """One ``[[shift]]`` table (its keys already known) as a template."""
    breaks = []
    listed = table.get("break", [])
    if not isinstance(listed, list):
        raise InputError(f"'break' must be [[shift.break]] tables: {listed!r}")
    for b in listed:
        bad = sorted(set(b) - _BREAK_KEYS) if isinstance(b, dict) else ["(not a table)"]
        if bad:
            raise InputError(f"break: unknown key {bad[0]!r}")
        paid = b.get("paid", True)
        if not isinstance(paid, bool):
            raise InputError(f"break: 'paid' must be true or false: {paid!r}")
        breaks.append(
            Break(
                duration_seconds("break.length", b.get("length", 0)),
                duration_seconds("break.earliest", b.get("earliest", 0)),
                duration_seconds("break.latest", b.get("latest", b.get("earliest", 0))),
                paid,
            )
        )
    days = table.get("work_days", list(WEEKDAYS))
    if isinstance(days, str) or not isinstance(days, list):
        raise InputError(f"'work_days' takes a list of Mon ... Sun: {days!r}")
    fields: dict[str, object] = {
        "name": name,
        "length": duration_seconds("length", table["length"]),
        "breaks": tuple(breaks),
        "work_days": tuple(weekday("work_days", d) for d in days),
    }
    if "starts" in table:
        starts = table["starts"]
        if isinstance(starts, str) or not isinstance(starts, list):
            raise InputError(f"'starts' takes a list of clock times HH:MM: {starts!r}")
        fields["starts"] = tuple(starts)
    for key in ("every", "break_spacing", "start_band", "min_rest"):
        if key in table:
            fields[key] = duration_seconds(key, table[key])
    for key in (
        "earliest", "latest", "cost_per_hour", "min_count", "max_count", "days_off",
        "consecutive_off", "part_time", "weekends_off",
    ):  # fmt: skip
        if key in table:
            fields[key] = table[key]
    return ShiftTemplate(**fields)  # type: ignore[arg-type]


def read_templates(path: str) -> list[ShiftTemplate]:
    """Shift templates from a TOML file of ``[[shift]]`` tables (see :func:`templates_from`)."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as err:
        raise InputError(f"cannot read templates file {path}: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML: {err}") from None
    unknown = sorted(set(data) - {"shift"})
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r}; a templates file has [[shift]] tables"
        )
    return templates_from(data.get("shift"), path)


_DURATIONS = {"every", "break_spacing", "start_band", "min_rest"}  # seconds in a template


def template_table(t: ShiftTemplate) -> dict[str, Any]:
    """A template as the ``[[shift]]`` table :func:`templates_from` reads back
    (durations as "8.5h" or "15min"; keys at their defaults left out)."""
    out: dict[str, Any] = {"name": t.name, "length": duration_text(t.length)}
    default = ShiftTemplate(t.name, t.length)
    if t.starts is not None:
        out["starts"] = list(t.starts)
    for key in ("every", "earliest", "latest", "cost_per_hour", "min_count", "days_off",
                "consecutive_off", "part_time", "break_spacing", "start_band", "min_rest",
                "weekends_off"):  # fmt: skip
        if getattr(t, key) != getattr(default, key):
            value = getattr(t, key)
            out[key] = duration_text(value) if key in _DURATIONS else value
    if t.max_count is not None:
        out["max_count"] = t.max_count
    if t.work_days != default.work_days:
        out["work_days"] = [WEEKDAYS[d] for d in t.work_days]
    if t.breaks:
        out["break"] = [
            {
                "length": duration_text(b.length),
                "earliest": duration_text(b.earliest),
                "latest": duration_text(b.latest),
                "paid": b.paid,
            }
            for b in t.breaks
        ]
    return out


def schedule_table(settings: ScheduleSettings) -> dict[str, Any]:
    """The ``[schedule]`` table of a scenario file (defaults left out)."""
    out: dict[str, Any] = {}
    default = ScheduleSettings(templates=settings.templates)
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name == "templates" or value == getattr(default, f.name):
            continue
        if f.name == "open_hours":
            value = {d: False if span is None else list(span) for d, span in value.items()}
        out[f.name] = dict(value) if isinstance(value, Mapping) else value
    out["shift"] = [template_table(t) for t in settings.templates]
    return out


def schedule_from_table(table: object, source: str = "schedule") -> ScheduleSettings:
    """Settings from a scenario file's ``[schedule]`` table (``shift`` holds the
    templates); errors name ``source`` and the key."""
    if not isinstance(table, dict):
        raise InputError(f"{source}: [schedule] must be a table of keys")
    known = {f.name for f in fields(ScheduleSettings)} - {"templates"} | {"shift"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(
            f"{source}: unknown key 'schedule.{unknown[0]}'; allowed: {', '.join(sorted(known))}"
        )
    if "shift" not in table:
        raise InputError(f"{source}: [schedule] needs [[schedule.shift]] templates")
    templates = templates_from(table["shift"], f"{source}: schedule")
    rest = {k: val for k, val in table.items() if k != "shift"}
    if isinstance(rest.get("open_hours"), dict):
        rest["open_hours"] = {
            k: None if span is False else span for k, span in rest["open_hours"].items()
        }
    try:
        return ScheduleSettings(templates=tuple(templates), **rest)
    except InputError as err:
        raise InputError(f"{source}: schedule: {err}") from None
