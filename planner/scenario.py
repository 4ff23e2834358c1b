"""Scenarios: a day's workload, targets and staffing assumptions in a TOML file.

A scenario file looks like this (times in seconds, calls per interval)::

    name = "Retail bank inbound"
    description = "optional free text"
    interval = 1800                 # interval length, seconds

    [workload]
    start = "08:00"                 # clock time of the first interval
    calls = [120, 180, 240]         # offered calls per interval
    aht = 240                       # seconds: one number or one per interval

    [targets]                       # any of the planner.Targets fields
    service_level = 0.8
    answer_time = 20

    [staffing]
    shrinkage = 0.3                 # fraction of paid time off the phones
    patience = 180                  # mean patience, seconds; omit for Erlang C

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
from planner.staffing import Targets, requirements

__all__ = ["Scenario", "ScenarioError"]


class ScenarioError(InputError):
    """A scenario file or dict breaks a rule; the message names file and key."""


_TOP = {"name", "description", "interval", "workload", "targets", "staffing"}
_WORKLOAD = {"start", "calls", "aht"}
_STAFFING = {"shrinkage", "patience"}
_TARGETS = {f.name for f in fields(Targets)}


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """One planning day: workload per interval, targets and staffing assumptions.

    Attributes
    ----------
    name : short title.
    interval : interval length, seconds.
    calls : offered calls per interval.
    aht : average handle time per interval, seconds (same length as calls).
    start : clock time ("HH:MM") of the first interval.
    targets : the :class:`planner.Targets` to staff for.
    shrinkage : fraction of paid time not available for calls, in [0, 1).
    patience : mean caller patience, seconds; ``None`` means Erlang C.
    description : free text.
    """

    name: str
    interval: float
    calls: tuple[float, ...]
    aht: tuple[float, ...]
    start: str = "00:00"
    targets: Targets = field(default_factory=Targets)
    shrinkage: float = 0.0
    patience: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
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
            object.__setattr__(self, "patience", float(v.positive("patience", self.patience)))
        _clock_minutes(self.start)
        if not isinstance(self.targets, Targets):
            raise InputError(f"'targets' must be a planner.Targets: {self.targets!r}")

    # -- tables ---------------------------------------------------------------

    def workload(self) -> pd.DataFrame:
        """One row per interval: ``interval_start`` (HH:MM), ``calls``, ``aht`` (s)."""
        first = _clock_minutes(self.start) * 60.0
        starts = [_clock(first + i * self.interval) for i in range(len(self.calls))]
        return pd.DataFrame(
            {"interval_start": starts, "calls": list(self.calls), "aht": list(self.aht)}
        )

    def requirements(self) -> pd.DataFrame:
        """The staffing requirement of every interval (see :func:`planner.requirements`)."""
        return requirements(
            self.workload(), self.targets, self.interval, self.shrinkage, self.patience
        )

    # -- TOML -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario as the nested dict its TOML file holds."""
        aht: float | list[float] = self.aht[0] if len(set(self.aht)) == 1 else list(self.aht)
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["interval"] = self.interval
        out["workload"] = {"start": self.start, "calls": list(self.calls), "aht": aht}
        out["targets"] = {k: val for k, val in self.targets.to_dict().items() if val is not None}
        staffing: dict[str, float] = {"shrinkage": self.shrinkage}
        if self.patience is not None:
            staffing["patience"] = self.patience
        out["staffing"] = staffing
        return out

    def dumps(self) -> str:
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | PathLike[str]) -> None:
        """Write the scenario to a TOML file."""
        Path(path).write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>") -> Scenario:
        """Build a scenario from the nested dict of a TOML file; errors name ``source``."""
        _known(data, _TOP, source, "")
        for key in ("name", "interval", "workload"):
            if key not in data:
                raise ScenarioError(f"{source}: missing key '{key}'")
        workload = _table(data, "workload", source)
        targets = _table(data, "targets", source)
        staffing = _table(data, "staffing", source)
        _known(workload, _WORKLOAD, source, "workload.")
        _known(targets, _TARGETS, source, "targets.")
        _known(staffing, _STAFFING, source, "staffing.")
        if "calls" not in workload or "aht" not in workload:
            raise ScenarioError(f"{source}: [workload] needs both 'calls' and 'aht'")
        _typed(data, "name", str, source)
        _typed(data, "description", str, source)
        _typed(workload, "start", str, source, "workload.")
        try:
            return cls(
                name=data["name"],
                description=data.get("description", ""),
                interval=data["interval"],
                calls=workload["calls"],
                aht=workload["aht"],
                start=workload.get("start", "00:00"),
                targets=Targets(**targets),
                shrinkage=staffing.get("shrinkage", 0.0),
                patience=staffing.get("patience"),
            )
        except InputError as err:
            raise ScenarioError(f"{source}: {err}") from None

    @classmethod
    def loads(cls, text: str, *, source: str = "<string>") -> Scenario:
        """Parse a scenario from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ScenarioError(f"{source}: not valid TOML: {err}") from None
        return cls.from_dict(data, source=source)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Scenario:
        """Read a scenario from a TOML file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise ScenarioError(f"cannot read scenario file {path}: {err.strerror}") from None
        return cls.loads(text, source=str(path))


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
