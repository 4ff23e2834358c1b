"""A scenario file's ``[capacity]`` section: what a capacity plan needs beyond the day.

```toml
[capacity]
start = "2027-01-04"        # the first week
weeks = 78                  # 18 months
weekly_calls = 60000        # or demand = "weeks.csv" (week_start, calls, aht, band)
growth = 0.08               # a year, on weekly_calls
volume_band = 0.1           # the 90% band: calls / 1.1 to calls x 1.1
weekday_weights = [1.2, 1.1, 1, 1, 1, 0.5, 0.2]   # Monday first; the day's shape each day
efficiency = 0.92           # or "schedule": measured on the scenario's [schedule]
hours_per_fte = 40
salary_per_week = 850
training_seats = 30
overtime_cap = 0.05
overtime_cost = 1300
quantile = 0.9              # plan to the 90% quantile (leave out: the expected requirement)

[[capacity.band]]
name = "first 90 days"
until_week = 13
annual_attrition = 0.55
headcount = 20

[[capacity.class]]
name = "standard"
recruit_weeks = 4
train_weeks = 6
min_size = 8
max_size = 20
ramp = [0.5, 0.7, 0.9]
```

``history = "calls.csv"`` instead forecasts the weeks from interval history
(:func:`~planner.capacity.weekly.forecast_weeks`: trend, yearly pattern once a
year is there, ``country``'s public holidays, a prediction band) and shapes
each week like the history's own; ``start`` is then the week after it.
Without a ``demand`` file or history the weeks are grown from ``weekly_calls`` (default:
the scenario's day times the sum of ``weekday_weights``, each weight the
share of that day's calls against the scenario's day), at the scenario's AHT
unless ``aht`` says otherwise. ``shrinkage`` defaults to the scenario's,
targets and queueing model are the scenario's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._tables import _numbers, table_rows
from planner.capacity.demand import MAX_WEEKS, WeeklyDemand
from planner.capacity.requirement import WeekProfile
from planner.capacity.weekly import forecast_weeks
from planner.capacity.workforce import HiringClass, TenureBand, Workforce
from planner.errors import InputError

__all__ = ["CHANGES", "CapacityInputs"]


@dataclass(frozen=True, kw_only=True)
class CapacityInputs:
    """The ``[capacity]`` section (see the module notes): the horizon and its demand, how
    a week's requirement becomes FTE, the :class:`Workforce`, and how to plan."""

    start: date
    workforce: Workforce
    weeks: int = 78
    demand: WeeklyDemand | None = None
    demand_file: str | None = None
    history_file: str | None = None
    country: str | None = None
    profile: WeekProfile | None = field(default=None, compare=False)
    weekly_calls: float | None = None
    aht: float | None = None
    growth: float = 0.0
    volume_band: float = 0.0
    weekday_weights: tuple[float, ...] = (1.0,) * 7
    efficiency: float | str = 1.0
    shrinkage: float | tuple[float, ...] | None = None
    hours_per_fte: float = 40.0
    quantile: float | None = None
    paths: int = 1000
    seed: int = 1
    volume_correlation: float = 0.9
    time_limit: float = 20.0

    def __post_init__(self) -> None:
        try:
            start = pd.Timestamp(self.start).date()
        except (TypeError, ValueError):
            raise InputError(
                f"'capacity.start' must be a date, YYYY-MM-DD: {self.start!r}"
            ) from None
        object.__setattr__(self, "start", start)
        if not isinstance(self.workforce, Workforce):
            raise InputError(f"'workforce' must be a Workforce: {self.workforce!r}")
        v.whole("capacity.weeks", self.weeks, 1, MAX_WEEKS)
        if self.weekly_calls is not None:
            calls = v.single("capacity.weekly_calls", self.weekly_calls, v.nonnegative)
            object.__setattr__(self, "weekly_calls", calls)
        if self.aht is not None:
            object.__setattr__(self, "aht", v.single("capacity.aht", self.aht, v.positive))
        growth = self.growth
        if (
            isinstance(growth, bool)
            or not isinstance(growth, int | float)
            or not (-0.9 <= growth <= 10)
        ):
            raise InputError(f"'capacity.growth' is a yearly rate, -0.9 to 10: {growth!r}")
        object.__setattr__(self, "growth", float(growth))
        spread = v.single("capacity.volume_band", self.volume_band, v.nonnegative)
        object.__setattr__(self, "volume_band", spread)
        weights = v.nonnegative("capacity.weekday_weights", list(self.weekday_weights))
        if weights.shape != (7,) or weights.sum() <= 0:
            raise InputError(
                f"'capacity.weekday_weights' must be 7 numbers, Monday first: {weights!r}"
            )
        object.__setattr__(self, "weekday_weights", tuple(weights.tolist()))
        if self.efficiency != "schedule":
            if isinstance(self.efficiency, str):
                raise InputError(
                    "'capacity.efficiency' must be a fraction in (0, 1] or 'schedule' (measured "
                    f"on the scenario's shifts): {self.efficiency!r}"
                )
            efficiency = v.single("capacity.efficiency", self.efficiency, v.fraction)
            object.__setattr__(self, "efficiency", efficiency)
        if self.shrinkage is not None:
            shrink = v.shrinkage_fraction("capacity.shrinkage", self.shrinkage)
            object.__setattr__(self, "shrinkage", float(shrink) if shrink.ndim == 0
                               else tuple(shrink.tolist()))  # fmt: skip
        object.__setattr__(
            self,
            "hours_per_fte",
            v.single("capacity.hours_per_fte", self.hours_per_fte, v.positive),
        )
        if self.quantile is not None:
            q = v.single("capacity.quantile", self.quantile, v.fraction)
            if not 0.5 <= q < 1:
                raise InputError(f"'capacity.quantile' must be in [0.5, 1): {self.quantile!r}")
            object.__setattr__(self, "quantile", q)
        v.whole("capacity.paths", self.paths, 0, 1_000_000)
        v.whole("capacity.seed", self.seed, 0)
        rho = v.single("capacity.volume_correlation", self.volume_correlation, v.share)
        object.__setattr__(self, "volume_correlation", rho)
        limit = v.single("capacity.time_limit", self.time_limit, v.positive)
        object.__setattr__(self, "time_limit", limit)
        if self.demand is not None and not isinstance(self.demand, WeeklyDemand):
            raise InputError(f"'capacity.demand' must be WeeklyDemand: {self.demand!r}")

    def weekly_demand(self, day_calls: float, day_aht: float) -> WeeklyDemand:
        """The horizon's weeks: the demand file's, else grown from ``weekly_calls``
        (default ``day_calls`` times the weekday weights' sum) at ``growth`` a year, with
        the ``volume_band``; AHT ``aht`` or ``day_aht`` (seconds)."""
        if self.demand is not None:
            if self.growth == 0:
                return self.demand
            d = self.demand  # a file's or a forecast's weeks, grown on top
            more = (1.0 + self.growth) ** (np.arange(d.weeks) / 52.0)
            band = {}
            if d.calls_low is not None and d.calls_high is not None:
                band = {"calls_low": tuple(np.asarray(d.calls_low) * more),
                        "calls_high": tuple(np.asarray(d.calls_high) * more)}  # fmt: skip
            return WeeklyDemand(d.week_start, tuple(np.asarray(d.calls) * more), d.aht,
                                band_level=d.band_level, notes=d.notes, **band)  # type: ignore[arg-type]  # fmt: skip
        w = np.arange(self.weeks)
        first = day_calls * sum(self.weekday_weights) if self.weekly_calls is None else (
            self.weekly_calls)  # fmt: skip
        calls = first * (1.0 + self.growth) ** (w / 52.0)
        band = {}
        if self.volume_band > 0:
            band = {"calls_low": tuple(calls / (1 + self.volume_band)),
                    "calls_high": tuple(calls * (1 + self.volume_band))}  # fmt: skip
        starts = tuple(self.start + timedelta(weeks=int(i)) for i in w)
        aht = self.aht if self.aht is not None else day_aht
        return WeeklyDemand(starts, tuple(calls), (aht,), **band)  # type: ignore[arg-type]

    # -- the file's table -------------------------------------------------------

    @classmethod
    def from_table(cls, table: object, source: str = "capacity", base_dir: str = "."
                   ) -> CapacityInputs:  # fmt: skip
        """From a scenario file's ``[capacity]`` table; ``demand`` is read relative to
        ``base_dir``; errors name ``source``."""
        if not isinstance(table, Mapping):
            raise InputError(f"{source}: [capacity] must be a table of keys")
        plain = {f.name for f in fields(cls)} - {
            "workforce", "demand", "demand_file", "history_file", "profile"}  # fmt: skip
        people = {f.name for f in fields(Workforce)} - {"bands", "classes"}
        known = plain | people | {"demand", "history", "band", "class"}
        unknown = sorted(set(table) - known)
        if unknown:
            raise InputError(
                f"{source}: unknown key 'capacity.{unknown[0]}'; allowed: "
                + ", ".join(sorted(known))
            )
        if "start" not in table and "history" not in table:
            raise InputError(f"{source}: [capacity] needs 'start', the first week (YYYY-MM-DD)")
        bands = _rows(table, "band", source)
        if not bands:
            raise InputError(
                f"{source}: [capacity] needs [[capacity.band]] tables: today's headcount by tenure"
            )
        try:
            workforce = Workforce(
                bands=tuple(TenureBand(**_keys(b, TenureBand, f"{source}: capacity.band"))
                            for b in bands),
                classes=tuple(HiringClass(**_listed(_keys(c, HiringClass,
                                                          f"{source}: capacity.class")))
                              for c in _rows(table, "class", source)),
                **{k: _listed_value(table[k]) for k in people if k in table},
            )  # fmt: skip
        except TypeError as err:
            raise InputError(f"{source}: [capacity]: {err}") from None
        values = {k: _listed_value(table[k]) for k in plain if k in table}
        demand, profile = None, None
        path = table.get("demand")
        if path is not None:
            if not isinstance(path, str):
                raise InputError(f"{source}: 'capacity.demand' must be a CSV file name: {path!r}")
            demand = read_demand(Path(base_dir) / path)
        past = table.get("history")
        if past is not None:
            if path is not None:
                raise InputError(f"{source}: [capacity] takes 'demand' or 'history', not both")
            if not isinstance(past, str):
                raise InputError(f"{source}: 'capacity.history' must be a CSV file name: {past!r}")
            from planner.io import read_history  # here: it loads the readers

            history = read_history(Path(base_dir) / past)
            demand = forecast_weeks(history, values.get("weeks", 78), country=values.get("country"))
            profile = WeekProfile.from_history(history)
            first = demand.week_start[0].isoformat()
            if str(values.setdefault("start", first)) != first:
                raise InputError(
                    f"{source}: 'capacity.start' is the week after the history ({first}) when "
                    f"[capacity] forecasts it: {values['start']!r}"
                )
        try:
            return cls(workforce=workforce, demand=demand, demand_file=path, history_file=past,
                       profile=profile, **values)  # fmt: skip
        except TypeError as err:
            raise InputError(f"{source}: [capacity]: {err}") from None

    def to_table(self) -> dict[str, Any]:
        """The ``[capacity]`` table of a scenario file (defaults left out)."""
        out: dict[str, Any] = {"start": self.start.isoformat()}
        skip = {"start", "workforce", "demand", "demand_file", "history_file", "profile"}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in skip or value is None or value == f.default:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        if self.demand_file is not None:
            out["demand"] = self.demand_file
        if self.history_file is not None:
            out["history"] = self.history_file
            out.pop("start")  # the week after the history
        people = self.workforce
        default = Workforce(bands=people.bands)
        for f in fields(Workforce):
            if f.name in ("bands", "classes"):
                continue
            value = getattr(people, f.name)
            if value != getattr(default, f.name):
                out[f.name] = list(value) if isinstance(value, tuple) else value
        out["band"] = [_plain(b) for b in people.bands]
        if people.classes:
            out["class"] = [_plain(c) for c in people.classes]
        return out

    def varied(self, name: str, value: Any) -> CapacityInputs:
        """One what-if of :data:`CHANGES` carried out."""
        people = self.workforce
        if name == "growth":
            return dataclasses.replace(self, growth=value)
        if name == "weekly_calls":
            return dataclasses.replace(self, weekly_calls=value, demand=None, demand_file=None,
                                       history_file=None, profile=None)  # fmt: skip
        if name == "salary_per_week":
            return self._with(dataclasses.replace(people, salary_per_week=value))
        if name == "attrition":
            factor = v.single("attrition", value, v.nonnegative)
            bands = tuple(
                dataclasses.replace(b, annual_attrition=min(b.annual_attrition * factor, 0.99))
                for b in people.bands
            )
            return self._with(dataclasses.replace(people, bands=bands))
        if name not in ("lead_time", "class_size"):
            raise InputError(f"unknown capacity change {name!r}; the changes are {sorted(CHANGES)}")
        if not people.classes:
            raise InputError(f"'{name}' needs hiring classes: [[capacity.class]]")
        if name == "lead_time":
            extra = v.whole("lead_time", _whole_number(value), -520, 520)
            classes = tuple(
                dataclasses.replace(c, recruit_weeks=max(c.recruit_weeks + extra, 0))
                for c in people.classes
            )
        else:
            most = v.whole("class_size", _whole_number(value), 1)
            classes = tuple(
                dataclasses.replace(c, max_size=most, min_size=min(c.min_size, most))
                for c in people.classes
            )
        return self._with(dataclasses.replace(people, classes=classes))

    def _with(self, workforce: Workforce) -> CapacityInputs:
        return dataclasses.replace(self, workforce=workforce)


CHANGES = {
    "growth": "capacity: weekly calls' growth a year (0.08: 8 percent; on top of a demand "
    "file's or a history's forecast)",
    "weekly_calls": "capacity: calls in the first week (replaces a demand file)",
    "attrition": "capacity: multiplier on every tenure band's annual attrition",
    "lead_time": "capacity: weeks added to every hiring class's recruiting",
    "class_size": "capacity: most people in a hiring class, every kind",
    "salary_per_week": "capacity: the cost of one person on staff a week",
}
"""The capacity plan's what-ifs (sweep axes, the app's sidebar), by name."""


def _whole_number(value: Any) -> Any:
    """A float that is a whole number, as an int (sweep axes are floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_demand(path: Path) -> WeeklyDemand:
    """A demand CSV: ``week_start``, ``calls``, ``aht`` and optionally ``calls_low`` and
    ``calls_high``, one row per week; or one row per ``month`` (see
    :meth:`WeeklyDemand.from_months`)."""
    if not path.exists():
        raise InputError(f"no demand file {path}")
    where, table, lines = table_rows(path, None, "demand")
    for column in ("calls", "aht", "calls_low", "calls_high"):
        if column in table:
            table[column] = _numbers(table[column], lines, column, where,
                                     required=column in ("calls", "aht"))  # fmt: skip
    try:
        if "month" in table and "week_start" not in table:
            return WeeklyDemand.from_months(table)
        return WeeklyDemand.from_table(table)
    except InputError as err:
        raise InputError(f"{path}: {err}") from None


def _rows(table: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    rows = table.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise InputError(f"{source}: [[capacity.{key}]] must be tables")
    return rows


def _keys(row: Mapping[str, Any], kind: type, where: str) -> dict[str, Any]:
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(row) - known)
    if unknown:
        raise InputError(
            f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(known))}"
        )
    return dict(row)


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _listed_value(x) for k, x in row.items()}


def _listed_value(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _plain(item: Any) -> dict[str, Any]:
    """A band's or a class's table: its fields, defaults left out."""
    out: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
