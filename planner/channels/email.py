"""The email channel: email or back-office items against a deadline, worked by a team
of its own (a scenario file's ``[channels.email]``).

Its requirement and service come from the backlog model of
:mod:`planner.deferred_work`: the share of each interval's items taken up by their
deadline, and the backlog carried from interval to interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner.channels.base import Channel, Day, Option
from planner.deferred_work import Clock, check_work, deferred, deferred_requirements
from planner.errors import InputError
from planner.staffing import scheduled

__all__ = ["EmailChannel", "parse_open_hours"]


def parse_open_hours(text: str, name: str = "open hours") -> tuple[str, str]:
    """``("08:00", "20:00")`` from ``"08:00-20:00"``; anything else is an InputError
    naming ``name`` (the clock times themselves are checked by the channel)."""
    parts = text.split("-")
    if len(parts) != 2:
        raise InputError(f"{name} must be HH:MM-HH:MM: {text!r}")
    return parts[0].strip(), parts[1].strip()


@dataclass(frozen=True, kw_only=True)
class EmailChannel(Channel):
    """A scenario's deferred work: email or back office, staffed by its own team.

    Attributes
    ----------
    items : items arriving per interval (the scenario's intervals).
    aht : seconds per item.
    deadline : the promise, seconds, counted by ``clock``.
    target : share of every interval's items taken up within the deadline, in (0, 1).
    open_hours : ``("HH:MM", "HH:MM")`` the team works each day, or None (always).
    clock : ``"business"`` (open hours count toward the deadline) or ``"calendar"``.
    backlog : items waiting when the first warm-up repeat starts.
    warmup : repeats of the scenario's intervals before the one reported.
    minimal : staff with ``minimal=True`` (see :func:`planner.required_deferred_agents`).
    """

    items: tuple[float, ...]
    aht: float
    deadline: float
    target: float = 0.9
    open_hours: tuple[str, str] | None = None
    clock: Clock = "business"
    backlog: int = 0
    warmup: int = 1
    minimal: bool = False

    name: ClassVar[str] = "email"
    offered: ClassVar[str] = "items"
    service: ClassVar[str] = "on_time"
    axes: ClassVar[Mapping[str, str]] = {
        "deadline": "the email channel's deadline, seconds",
        "target": "the email channel's share of items taken up in time, in (0, 1)",
    }
    options: ClassVar[Mapping[str, Option]] = {
        "deadline": Option("seconds to take an item up in (counted by --clock)", float),
        "target": Option("share of every interval's items taken up within the deadline "
                         "(default 0.9)", float),
        "open_hours": Option("HH:MM-HH:MM the team works each day (default: always)"),
        "clock": Option("what counts toward the deadline (default business: open hours "
                        "only)", str, ("business", "calendar")),
        "minimal": Option("then take away every agent the target can spare, one at a time "
                          "(slower; one fewer anywhere then misses)", switch=True),
    }  # fmt: skip

    def __post_init__(self) -> None:
        if not isinstance(self.minimal, bool):
            raise InputError(f"'minimal' must be true or false: {self.minimal!r}")
        counts = v.nonnegative("items", self.items)
        if counts.ndim != 1 or counts.size == 0:
            raise InputError(f"'items' must be one count per interval: {self.items!r}")
        object.__setattr__(self, "items", tuple(counts.tolist()))
        object.__setattr__(self, "aht", v.single("aht", self.aht, v.positive))
        object.__setattr__(self, "deadline", v.single("deadline", self.deadline, v.positive))
        share = v.single("target", self.target, v.fraction)
        if share >= 1:
            raise InputError(f"'target' must be below 1: {share!r}")
        object.__setattr__(self, "target", share)
        if self.open_hours is not None:
            hours = self.open_hours
            if isinstance(hours, str) or len(hours) != 2:
                raise InputError(f"'open_hours' must be [opening, closing]: {hours!r}")
            first = v.clock_seconds("open_hours", hours[0])
            last = v.clock_seconds("open_hours", hours[1], end_of_day=True)
            if last <= first:
                raise InputError(f"'open_hours' must close after it opens: {list(hours)!r}")
            object.__setattr__(self, "open_hours", (str(hours[0]), str(hours[1])))
        check_work(self.items, self.aht, self.deadline, self.deadline, None, self.clock, 4,
                   self.backlog, self.warmup)  # fmt: skip

    @classmethod
    def from_calls(
        cls,
        calls: ArrayLike,
        aht: ArrayLike,
        *,
        deadline: float | None = None,
        patience: float | None = None,
        **options: Any,
    ) -> EmailChannel:
        """Calls taken as items (the CLI's ``--channel email`` and the Email page without
        a channel): one handle time for all, ``deadline`` seconds and ``options`` as the
        fields. Items wait for their deadline: a ``patience`` is not theirs."""
        if deadline is None:
            raise InputError("the calls taken as email items need a 'deadline' (seconds)")
        handle = np.asarray(v.positive("aht", aht), dtype=np.float64)
        if np.ptp(handle) > 0:
            raise InputError("email items take one handle time ('aht') for every interval")
        return cls(items=tuple(np.ravel(calls).tolist()), aht=float(handle.ravel()[0]),
                   deadline=deadline, **options)  # fmt: skip

    @classmethod
    def option_fields(cls, given: Mapping[str, Any], aht: ArrayLike) -> dict[str, Any]:
        """``open_hours`` from ``"08:00-20:00"``; the rest as given."""
        fields = super().option_fields(given, aht)
        if "open_hours" in fields:
            fields["open_hours"] = parse_open_hours(fields["open_hours"], "'open_hours'")
        return fields

    @property
    def columns(self) -> tuple[str, ...]:
        return ("on_time", "backlog", "backlog_p90", "handled", "occupancy")

    def contacts(self) -> tuple[float, ...]:
        return self.items

    def check_day(self, intervals: int, interval: float) -> None:
        super().check_day(intervals, interval)
        if self.deadline < interval:
            raise InputError(
                f"the email 'deadline' ({self.deadline:g} s) is shorter than the "
                f"interval ({interval:g} s)"
            )

    def open_intervals(self, start: str, interval: float) -> np.ndarray:
        """True for each interval (starting at clock time ``start``, ``interval``
        seconds long) that begins inside the open hours."""
        if self.open_hours is None:
            return np.ones(len(self.items), dtype=bool)
        first = v.clock_seconds("open_hours", self.open_hours[0])
        last = v.clock_seconds("open_hours", self.open_hours[1], end_of_day=True)
        clock = (v.clock_seconds("start", start) + np.arange(len(self.items)) * interval) % 86400
        return (clock >= first) & (clock < last)

    def requirements(self, day: Day) -> pd.DataFrame:
        """:func:`planner.deferred_requirements` over the day's intervals."""
        return deferred_requirements(
            day.frame().assign(items=list(self.items)), self.aht, day.interval, self.deadline,
            self.target, day.shrinkage, open_intervals=self.open_intervals(day.start, day.interval),
            clock=self.clock, backlog=self.backlog, warmup=self.warmup, minimal=self.minimal,
        )  # fmt: skip

    def evaluate(self, day: Day, agents: ArrayLike) -> pd.DataFrame:
        """:func:`planner.deferred` of a plan, as :meth:`requirements` lays it out."""
        service = deferred(
            self.items, agents, self.aht, day.interval, self.deadline,
            open_intervals=self.open_intervals(day.start, day.interval), clock=self.clock,
            backlog=self.backlog, warmup=self.warmup,
        )  # fmt: skip
        out = day.frame().assign(items=list(self.items))
        out["agents"] = service["agents"].to_numpy()
        out["scheduled"] = scheduled(out["agents"].to_numpy(np.float64), day.shrinkage)
        for name in ("open", *self.columns):
            out[name] = service[name].to_numpy()
        return out

    def scaled(self, factor: float) -> EmailChannel:
        share = v.single("factor", factor, v.nonnegative)
        return replace(self, items=tuple((np.asarray(self.items) * share).tolist()))
