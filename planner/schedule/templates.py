"""Shift templates: what shifts people can work (length, starts, breaks, weeks).

Times are seconds (a shift's length, a break's window after the shift starts)
or clock times ``"HH:MM"`` (start times); weekdays are 0 (Monday) to 6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from planner import _validate as v
from planner.errors import InputError

__all__ = [
    "MAX_COST_PER_HOUR", "WEEKDAYS", "Break", "ShiftTemplate", "duration_seconds",
    "opening_hours", "weekday",
]  # fmt: skip

_DAY = 86400.0
# No agent hour costs more; past it the solver's objective loses precision.
MAX_COST_PER_HOUR = 1e6
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEK = WEEKDAYS
_DAYS = {name.lower(): i for i, name in enumerate(_WEEK)}


@dataclass(frozen=True)
class Break:
    """A break of ``length`` seconds starting between ``earliest`` and ``latest``
    seconds after the shift starts (on the interval grid); ``paid`` or not."""

    length: float
    earliest: float
    latest: float
    paid: bool = True

    def __post_init__(self) -> None:
        for name in ("length", "earliest", "latest"):
            value = getattr(self, name)
            check = v.positive if name == "length" else v.nonnegative
            object.__setattr__(self, name, float(check(f"Break.{name}", value)))
        if self.latest < self.earliest:
            raise InputError(
                f"a break's window ends before it begins: {self.earliest:g} s to {self.latest:g} s"
            )


@dataclass(frozen=True)
class ShiftTemplate:
    """Shifts people can work.

    Attributes
    ----------
    name : what the tables call it.
    length : time from start to end, seconds (breaks included).
    starts : allowed start times ``"HH:MM"``; by default every ``every``
        seconds from ``earliest`` to ``latest``.
    breaks : :class:`Break` es, each placed by the solver in its window.
    cost_per_hour : per paid hour (unpaid breaks are not paid).
    min_count, max_count : bounds on how many people work this template.
    days_off, consecutive_off, work_days : the weeks it can be worked (see
        :meth:`patterns`): ``days_off`` days off, together or not, on
        ``work_days`` only (0 = Monday).
    part_time : counts towards :func:`schedule`'s ``max_part_time`` share.
    break_spacing : least time from one break's end to the next one's start,
        seconds (breaks keep the order of their windows).
    start_band : in a week, a person starts every day within this many
        seconds of their earliest start (0: the same start each day).
    min_rest : least time off between one day's shift and the next, seconds;
        a template whose band leaves less is an error.
    weekends_off : weekends (Saturday and Sunday both off) each person has in
        every rotation of :func:`schedule`'s ``rotation_weeks`` weeks.
    """

    name: str
    length: float
    starts: tuple[str, ...] | None = None
    every: float = 3600.0
    earliest: str = "00:00"
    latest: str = "23:59"
    breaks: tuple[Break, ...] = ()
    cost_per_hour: float = 1.0
    min_count: int = 0
    max_count: int | None = None
    days_off: int = 2
    consecutive_off: bool = True
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    part_time: bool = False
    break_spacing: float = 0.0
    start_band: float = 0.0
    min_rest: float = 0.0
    weekends_off: int = 0

    def __post_init__(self) -> None:
        for flag in ("consecutive_off", "part_time"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                raise InputError(
                    f"shift {self.name!r}: '{flag}' must be true or false: {getattr(self, flag)!r}"
                )
        checks = (("length", v.positive), ("every", v.positive), ("cost_per_hour", v.nonnegative),
                  ("break_spacing", v.nonnegative), ("start_band", v.nonnegative),
                  ("min_rest", v.nonnegative))  # fmt: skip
        for name, check in checks:
            value = getattr(self, name)
            if np.ndim(value) != 0 or isinstance(value, bool | str):
                raise InputError(f"shift {self.name!r}: '{name}' must be a number: {value!r}")
            object.__setattr__(self, name, float(check(name, value)))
        if self.cost_per_hour > MAX_COST_PER_HOUR:
            raise InputError(
                f"shift {self.name!r}: 'cost_per_hour' above {MAX_COST_PER_HOUR:g}: "
                f"{self.cost_per_hour:g}"
            )
        for name in ("earliest", "latest"):
            if not isinstance(getattr(self, name), str):
                raise InputError(
                    f"shift {self.name!r}: '{name}' must be a clock time HH:MM: "
                    f"{getattr(self, name)!r}"
                )
        if self.starts is not None and (
            isinstance(self.starts, str) or not all(isinstance(x, str) for x in self.starts)
        ):
            raise InputError(f"shift {self.name!r}: 'starts' must be clock times: {self.starts!r}")
        try:
            if not self.start_times():
                raise InputError(f"no start time from {self.earliest} to {self.latest}")
        except InputError as err:
            raise InputError(f"shift {self.name!r}: {err}") from None
        if (
            isinstance(self.days_off, bool)
            or not isinstance(self.days_off, int)
            or not (0 <= self.days_off <= 6)
        ):
            raise InputError(f"shift {self.name!r}: 'days_off' must be 0 to 6: {self.days_off!r}")
        days = tuple(sorted(set(self.work_days)))
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise InputError(
                f"shift {self.name!r}: 'work_days' must be weekdays 0 (Monday) to 6: "
                f"{self.work_days!r}"
            )
        object.__setattr__(self, "work_days", days)
        if self.length > _DAY:
            raise InputError(f"shift {self.name!r}: 'length' is at most 24 h: {self.length:g} s")
        if self.length + self.start_band + self.min_rest > _DAY + 1e-9:
            raise InputError(
                f"shift {self.name!r}: a {self.length / 3600:g} h shift starting anywhere in a "
                f"{self.start_band / 3600:g} h band leaves less than the 'min_rest' of "
                f"{self.min_rest / 3600:g} h between days: narrow 'start_band'"
            )
        if (
            isinstance(self.weekends_off, bool)
            or not isinstance(self.weekends_off, int)
            or self.weekends_off < 0
        ):
            raise InputError(
                f"shift {self.name!r}: 'weekends_off' must be a whole number >= 0: "
                f"{self.weekends_off!r}"
            )
        if not all(isinstance(b, Break) for b in self.breaks):
            raise InputError(f"shift {self.name!r}: 'breaks' must be Break s: {self.breaks!r}")
        object.__setattr__(self, "breaks", tuple(sorted(self.breaks, key=lambda b: b.earliest)))
        for b in self.breaks:
            if b.latest + b.length > self.length:
                raise InputError(
                    f"shift {self.name!r}: a {b.length:g} s break starting up to "
                    f"{b.latest:g} s in does not fit a {self.length:g} s shift"
                )
        lo = 0 if self.min_count is None else self.min_count
        if isinstance(lo, bool) or not isinstance(lo, int) or lo < 0:
            raise InputError(f"shift {self.name!r}: 'min_count' must be a whole number >= 0")
        if self.max_count is not None and (
            isinstance(self.max_count, bool)
            or not isinstance(self.max_count, int)
            or self.max_count < lo
        ):
            raise InputError(
                f"shift {self.name!r}: 'max_count' must be a whole number >= min_count "
                f"({lo}): {self.max_count!r}"
            )

    def start_times(self) -> list[float]:
        """Allowed starts, seconds after midnight."""
        if self.starts is not None:
            return sorted(
                {v.clock_seconds(f"{self.name}.starts", s, end_of_day=True) for s in self.starts}
            )
        first = v.clock_seconds("earliest", self.earliest, end_of_day=True)
        last = v.clock_seconds("latest", self.latest, end_of_day=True)
        return list(np.arange(first, last + 1e-9, self.every))

    @property
    def paid_seconds(self) -> float:
        """Paid time of one shift, seconds."""
        return self.length - sum(b.length for b in self.breaks if not b.paid)

    def spaced(self, starts: Sequence[float]) -> bool:
        """Whether break starts (seconds into the shift, one per break in order)
        keep each break ``break_spacing`` after the one before ends."""
        return all(
            later >= at + b.length + self.break_spacing - 1e-9
            for b, at, later in zip(self.breaks, starts, starts[1:], strict=False)
        )

    def patterns(self) -> list[tuple[int, ...]]:
        """The weeks this template can be worked: the days on (0 = Monday), with
        ``days_off`` days off (all together, around the week's end too, when
        ``consecutive_off``), on ``work_days`` only."""
        on = 7 - self.days_off
        out = []
        for days in combinations(self.work_days, min(on, len(self.work_days))):
            off = sorted(set(range(7)) - set(days))
            if self.consecutive_off and len(off) > 1:
                gaps = [(b - a) % 7 for a, b in zip(off, off[1:] + off[:1], strict=True)]
                if sum(g != 1 for g in gaps) > 1:  # more than one run of days off
                    continue
            out.append(days)
        return out


def weekday(name: str, value: object) -> int:
    """A weekday as 0 (Monday) to 6 from ``"Mon"`` ... ``"Sun"`` (any case, or the
    full name) or the number; anything else is an InputError naming ``name``."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and 0 <= value <= 6:
        return int(value)
    key = str(value).strip().lower()[:3]
    if isinstance(value, str) and key in _DAYS:
        return _DAYS[key]
    raise InputError(f"'{name}' takes Mon ... Sun (or 0 to 6): {value!r}")


def opening_hours(hours: Mapping[Any, Any] | None) -> dict[int, tuple[float, float] | None]:
    """``{weekday: ("HH:MM", "HH:MM") or None}`` checked: weekday numbers to
    (open, close) seconds after midnight, or None (closed all day)."""
    if hours is None:
        return {}
    if not isinstance(hours, Mapping):
        raise InputError(f"'open_hours' must map weekdays to [open, close] or closed: {hours!r}")
    out: dict[int, tuple[float, float] | None] = {}
    for key, span in hours.items():
        day = weekday("open_hours", key)
        name = _WEEK[day]
        if span is None or span is False:
            out[day] = None
            continue
        if isinstance(span, str) or not isinstance(span, Sequence) or len(span) != 2:
            raise InputError(
                f"'open_hours' {name}: give [open, close] as clock times, or false: {span!r}"
            )
        lo = v.clock_seconds(f"open_hours {name}", span[0])
        hi = v.clock_seconds(f"open_hours {name}", span[1], end_of_day=True)
        if hi <= lo:
            raise InputError(f"'open_hours' {name}: closes at or before it opens: {span!r}")
        out[day] = (lo, hi)
    return out


_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}


def duration_text(seconds: float) -> str | float:
    """A duration as a scenario file writes it: ``"8.5h"``, ``"15min"``, or seconds
    when neither says it exactly (:func:`duration_seconds` reads each back exactly)."""
    if not 0 < seconds <= 7 * 86400:
        return seconds
    if seconds >= 3600 and seconds % 1800 == 0:
        text = f"{seconds / 3600:g}h"
    elif seconds % 60 == 0:
        text = f"{seconds / 60:g}min"
    else:
        return seconds
    return text if duration_seconds("duration", text) == seconds else seconds


def duration_seconds(name: str, value: object) -> float:
    """A duration: seconds as a number, or text like ``"8h"``, ``"30min"``, ``"90s"``."""
    if isinstance(value, bool):
        raise InputError(f"'{name}' must be a duration like 8h, 30min or seconds: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().lower()
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return float(text[: -len(unit)]) * _UNITS[unit]
            except ValueError:
                break
    raise InputError(f"'{name}' must be a duration like 8h, 30min or seconds: {value!r}")
