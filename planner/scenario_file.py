"""Scenario files: a :class:`~planner.Scenario` to and from TOML.

The format, section by section with every key, is the docs' page "Scenario
files" (``docs/scenario-format.md``; its example is read by the tests). Unknown
keys, wrong types and out-of-range values are rejected with the file, the key
and the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, fields
from os import PathLike
from pathlib import Path
from typing import Any

import tomli_w

from planner.channels import CHANNELS, Channel
from planner.errors import InputError
from planner.models import ErlangX
from planner.scenario import Scenario, ScenarioError, SimulationSettings
from planner.schedule import ScheduleSettings
from planner.simulation import Distribution, Exponential
from planner.targets import Targets

__all__ = ["dumps", "from_dict", "load", "loads", "save", "to_dict"]

# The largest file read: a year of 5-minute intervals with room to spare.
MAX_FILE_BYTES = 16 * 1024 * 1024

_TOP = {
    "name", "description", "interval", "workload", "targets", "staffing", "simulation", "schedule",
    "erlang_x", "channels",
}  # fmt: skip
_ERLANG_X = {f.name for f in fields(ErlangX)} - {"patience"}  # the scenario's own
_WORKLOAD = {"start", "calls", "aht", "handle", "history", "day", "country"}
_STAFFING = {"shrinkage", "patience", "plan", "cost_per_hour"}
_SIMULATION = {f.name for f in fields(SimulationSettings)}
_TARGETS = {f.name for f in fields(Targets)}


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the nested dict its TOML file holds.

    A scenario forecast from a history file keeps the reference (file, day,
    country), not the numbers.
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
    else:
        ahts = tuple(s.aht)  # type: ignore[arg-type]  # a tuple once built
        aht: float | list[float] = ahts[0] if len(set(ahts)) == 1 else list(ahts)
        workload = {"start": s.start, "calls": list(s.calls), "aht": aht}
    if s.handle is not None:
        workload["handle"] = s.handle.to_table()
    out["workload"] = workload
    out["targets"] = s.targets.to_table()
    staffing: dict[str, Any] = {"shrinkage": s.shrinkage}
    if s.patience is not None:
        p = s.patience
        assert isinstance(p, Distribution)  # a number becomes one when the scenario is built
        staffing["patience"] = p.mean if isinstance(p, Exponential) else p.to_table()
    staffing["plan"] = "required" if s.plan is None else list(s.plan)
    if s.cost_per_hour is not None:
        staffing["cost_per_hour"] = s.cost_per_hour
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
        out["schedule"] = s.scheduling.to_table()
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


def from_dict(data: dict[str, Any], *, source: str = "<dict>", base_dir: str = ".") -> Scenario:
    """Build a scenario from the nested dict of a TOML file; errors name ``source``.

    ``base_dir`` is where a ``history`` path is relative to.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario must be a table of keys: {type(data).__name__}")
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
    for key in ("start", "history", "day", "country"):
        _typed(workload, key, str, source, "workload.")
    _typed(simulation, "close", str, source, "simulation.")
    plan = staffing.get("plan", "required")
    if isinstance(plan, str) and plan != "required":
        raise ScenarioError(f"{source}: 'staffing.plan' must be 'required' or a list: {plan!r}")
    scheduling = _schedule(data, source)
    channels = _channels(data, source)
    try:
        handle = workload.get("handle")
        patience = staffing.get("patience")
        common: dict[str, Any] = {
            "name": data["name"],
            "description": data.get("description", ""),
            "interval": data["interval"],
            "handle": None
            if handle is None
            else Distribution.from_table(handle, name="workload.handle", default_mean=1.0),
            "targets": Targets.from_table(targets),
            "shrinkage": staffing.get("shrinkage", 0.0),
            "patience": None
            if patience is None
            else Distribution.from_table(patience, name="staffing.patience"),
            "plan": None if plan == "required" else plan,
            "cost_per_hour": staffing.get("cost_per_hour"),
            "simulation": SimulationSettings(**simulation),
            "scheduling": scheduling,
            "channels": channels,
            "erlang_x": None if "erlang_x" not in data else ErlangX(**callers),
        }
        if from_history:
            return Scenario.from_history(
                workload["history"],
                day=workload.get("day"),
                country=workload.get("country"),
                base_dir=base_dir,
                **common,
            )
        return Scenario(
            calls=workload["calls"],
            aht=workload["aht"],
            start=workload.get("start", "00:00"),
            **common,
        )
    except InputError as err:
        raise ScenarioError(f"{source}: {err}") from None
    except TypeError as err:  # a list where a table was expected, and the like
        raise ScenarioError(f"{source}: {err}") from None


def loads(text: str, *, source: str = "<string>", base_dir: str = ".") -> Scenario:
    """Parse a scenario from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None
    return from_dict(data, source=source, base_dir=base_dir)


def load(path: str | PathLike[str]) -> Scenario:
    """Read a scenario from a TOML file (UTF-8, at most 16 MiB)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"{path}: the file is {size / 2**20:.0f} MiB; scenario files are limited to "
                f"{MAX_FILE_BYTES // 2**20} MiB"
            )
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot read scenario file {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file (a scenario is TOML text)") from None
    return loads(text, source=str(path), base_dir=str(Path(path).parent))


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
            value = value.to_table()
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
            value = Targets.from_table(value, f"{where}.{key}")
        elif isinstance(value, list) and "tuple" in str(own[key].type):
            value = tuple(value)
        values[key] = value
    return kind(**values)


def _schedule(data: dict[str, Any], source: str) -> ScheduleSettings | None:
    """The ``[schedule]`` section, or None; errors name the file (and not twice)."""
    if "schedule" not in data:
        return None
    try:
        return ScheduleSettings.from_table(data["schedule"], source)
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
