"""A scenario file's ``[schedule]`` section: templates and the rules they are scheduled by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.schedule.grid import DAY, Grid, open_mask
from planner.schedule.templates import WEEKDAYS, ShiftTemplate, opening_hours, weekday

__all__ = ["ScheduleSettings"]


@dataclass(frozen=True, kw_only=True)
class ScheduleSettings:
    """How a scenario's requirement becomes shifts (a scenario file's ``[schedule]``).

    Attributes
    ----------
    templates : the :class:`ShiftTemplate` s (``[[schedule.shift]]`` tables).
    horizon : ``"day"``, or ``"week"``: the scenario's day on every day of the
        week, its calls times ``week_factors`` and none outside ``open_hours``
        (a scenario of 7 days of intervals is the week itself).
    first_weekday : the week's first day (``"Mon"``).
    coverage, wrap, paid_hours, max_part_time, value_per_call : as :func:`schedule`.
    shrinkage : off-phone share the templates' breaks do not model; ``None``
        uses the scenario's shrinkage (set it lower when that includes breaks).
    open_hours : ``{"Sat": ("09:00", "17:00"), "Sun": None}`` (None: closed);
        for the week horizon.
    week_factors : ``{"Sat": 0.6}``: a weekday's calls against the scenario's day,
        for the week horizon.
    time_limit, mip_gap : how long HiGHS may search, and when it may stop.
    formulation, rotation_weeks : as :func:`schedule`.
    """

    templates: tuple[ShiftTemplate, ...]
    horizon: str = "day"
    coverage: str = "hard"
    wrap: bool = False
    paid_hours: float | None = None
    shrinkage: float | None = None
    max_part_time: float | None = None
    open_hours: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    week_factors: Mapping[str, float] = field(default_factory=dict)
    first_weekday: str = "Mon"
    value_per_call: float | None = None
    time_limit: float = 60.0
    mip_gap: float = 1e-4
    formulation: str = "implicit"
    rotation_weeks: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "first_weekday", WEEKDAYS[weekday("first_weekday", self.first_weekday)]
        )
        templates = tuple(self.templates)
        if not templates or not all(isinstance(t, ShiftTemplate) for t in templates):
            raise InputError("'templates' must be one or more ShiftTemplate")
        object.__setattr__(self, "templates", templates)
        if self.horizon not in ("day", "week"):
            raise InputError(f"'horizon' must be 'day' or 'week': {self.horizon!r}")
        if self.formulation not in ("implicit", "enumerated"):
            raise InputError(
                f"'formulation' must be 'implicit' or 'enumerated': {self.formulation!r}"
            )
        v.whole("rotation_weeks", self.rotation_weeks, 1, 6)
        if self.coverage not in ("hard", "soft"):
            raise InputError(f"'coverage' must be 'hard' or 'soft': {self.coverage!r}")
        if not isinstance(self.wrap, bool):
            raise InputError(f"'wrap' must be true or false: {self.wrap!r}")
        checks = {
            "paid_hours": v.positive, "shrinkage": v.shrinkage_fraction,
            "max_part_time": v.share, "value_per_call": v.positive, "time_limit": v.positive,
            "mip_gap": v.fraction,
        }  # fmt: skip
        for name, check in checks.items():
            value = getattr(self, name)
            if value is not None:
                if np.ndim(value) != 0 or isinstance(value, bool):
                    raise InputError(f"'{name}' must be a single number: {value!r}")
                object.__setattr__(self, name, float(check(name, value)))
        hours = opening_hours(self.open_hours)
        object.__setattr__(
            self,
            "open_hours",
            {
                WEEKDAYS[d]: None if span is None else (v.clock_label(span[0]), _close(span[1]))
                for d, span in sorted(hours.items())
            },
        )
        if not isinstance(self.week_factors, Mapping):
            raise InputError(f"'week_factors' must map weekdays to numbers: {self.week_factors!r}")
        factors = {}
        for key, value in self.week_factors.items():
            day = weekday("week_factors", key)
            if np.ndim(value) != 0 or isinstance(value, bool):
                raise InputError(f"'week_factors' {WEEKDAYS[day]} must be a number: {value!r}")
            factors[day] = float(v.nonnegative(f"week_factors {WEEKDAYS[day]}", value))
        object.__setattr__(
            self, "week_factors", {WEEKDAYS[d]: f for d, f in sorted(factors.items())}
        )

    def week(self, calls: FloatArray, aht: FloatArray, start: str, interval: float) -> pd.DataFrame:
        """The week's workload (7 x n rows ``interval_start``, ``calls``, ``aht`` from
        ``first_weekday``) from one day's: calls times the weekday's factor, none
        outside its opening hours. Calls longer than a day are taken as the week
        itself: 7 days of n intervals each."""
        calls = np.asarray(calls, dtype=np.float64)
        aht = np.asarray(aht, dtype=np.float64)
        first = weekday("first_weekday", self.first_weekday)
        given = calls.size * interval > DAY + 1e-9
        if given and (calls.size % 7 or calls.size // 7 * interval > DAY + 1e-9):
            raise InputError(
                f"a week schedule takes one day of intervals, or 7 days of n intervals each: "
                f"{calls.size} intervals of {interval:g} s are neither"
            )
        n = calls.size // 7 if given else calls.size
        origin = v.clock_seconds("start", start)
        clock = [v.clock_label(origin + i * interval) for i in range(n)]
        days = [WEEKDAYS[(first + d) % 7] for d in range(7)]
        if not given:
            grid = Grid(7, n, interval, origin, self.wrap)
            is_open = open_mask(opening_hours(self.open_hours), grid, first).reshape(7, n)
            factor = np.array([self.week_factors.get(d, 1.0) for d in days])
            calls = (calls[None, :] * factor[:, None] * is_open).reshape(-1)
            aht = np.tile(aht, 7)
        return pd.DataFrame(
            {"interval_start": [f"{d} {c}" for d in days for c in clock], "calls": calls,
             "aht": aht}
        )  # fmt: skip


def _close(seconds: float) -> str:
    """A closing time's label: ``"24:00"`` for midnight at the day's end."""
    return "24:00" if seconds >= DAY - 1e-9 else v.clock_label(seconds)
