"""The channel protocol: a stream of contacts staffed by a team of its own.

A scenario's calls are one channel (:class:`~planner.channels.calls.CallsChannel`),
and each of its ``[channels.NAME]`` sections another (chat, email). Everything
above the channels (the scenario's every-team table, sweeps, the command line,
the app) loops over them through this protocol and never branches on a name:

- :meth:`Channel.requirements` and :meth:`Channel.evaluate`: the team per
  interval, for the targets or for a given plan, as a table with
  ``interval_start``, the contacts offered (``offered``), ``agents``,
  ``scheduled`` and the channel's measures (``columns``);
- :meth:`Channel.day_summary`: the day's figures of such a table;
- :meth:`Channel.scaled` and :meth:`Channel.varied`: what-ifs on its volume and
  its own parameters (the sweep axes ``NAME_volume`` and those in ``axes``);
- :attr:`Channel.options` and :meth:`Channel.option_fields`: its command-line
  options (``--channel NAME --OPTION ...``) and the fields they give.

A channel is a frozen dataclass of its own fields; the scenario file module
writes and reads its ``[channels.NAME]`` section from those fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner.errors import InputError
from planner.report import hours
from planner.targets import Targets

__all__ = ["Channel", "Day", "Option", "team_day"]


@dataclass(frozen=True, slots=True)
class Option:
    """One command-line option of a channel, ``--NAME`` (underscores as dashes).

    Attributes
    ----------
    help : what it sets, with its unit.
    type : turns the text given into a value (``float``, ``int``, ``str``).
    choices : the values it takes, or None (any).
    switch : a flag without a value (true when given).
    """

    help: str
    type: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    switch: bool = False


@dataclass(frozen=True, slots=True)
class Day:
    """What a channel is staffed against: its scenario's intervals and rules.

    Attributes
    ----------
    starts : each interval's label (``interval_start``), e.g. ``"08:00"``.
    start : clock time of the first interval, ``"HH:MM"``.
    interval : interval length, seconds.
    shrinkage : fraction of paid time off the channel, in [0, 1).
    targets : the scenario's targets (a channel may have its own).
    """

    starts: tuple[str, ...]
    start: str
    interval: float
    shrinkage: float
    targets: Targets

    def frame(self) -> pd.DataFrame:
        """One row per interval with its ``interval_start``."""
        return pd.DataFrame({"interval_start": list(self.starts)})


class Channel:
    """Base of the channels (see the module notes); subclasses are frozen dataclasses."""

    name: ClassVar[str] = "channel"
    """Its key: the file's ``[channels.NAME]``, column prefix ``NAME_`` in every-team tables."""
    offered: ClassVar[str] = "calls"
    """The column of contacts offered per interval in its tables ("chats", "items")."""
    service: ClassVar[str] = "service_level"
    """Its headline measure, weighted by the contacts offered over a day."""
    axes: ClassVar[Mapping[str, str]] = {}
    """Parameters a sweep may vary (beyond the volume): name -> meaning."""
    options: ClassVar[Mapping[str, Option]] = {}
    """Its command-line options, by name; :meth:`option_fields` turns them into fields."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The measures its tables show, in order."""
        return (self.service,)

    def contacts(self) -> tuple[float, ...]:
        """Contacts offered per interval."""
        raise NotImplementedError

    def requirements(self, day: Day) -> pd.DataFrame:
        """The team per interval that meets its targets (see the module notes)."""
        raise NotImplementedError

    def evaluate(self, day: Day, agents: ArrayLike) -> pd.DataFrame:
        """The figures of a plan of ``agents`` per interval, as :meth:`requirements`."""
        raise NotImplementedError

    def scaled(self, factor: float) -> Channel:
        """The channel with ``factor`` times the contacts."""
        raise NotImplementedError

    @classmethod
    def from_calls(
        cls, calls: ArrayLike, aht: ArrayLike, *, patience: float | None = None, **options: Any
    ) -> Channel:
        """Calls (and their AHT, seconds) taken as this channel's contacts, with its own
        ``options`` (the command line's ``--channel NAME`` without a scenario section)."""
        raise NotImplementedError

    @classmethod
    def option_fields(cls, given: Mapping[str, Any], aht: ArrayLike) -> dict[str, Any]:
        """The channel's fields from the :attr:`options` given (None: not given); ``aht``
        is the calls' handle time per interval, seconds, for options that refer to it."""
        return {name: value for name, value in given.items() if value is not None}

    def replaced(self, **changes: Any) -> Channel:
        """The channel with some of its fields changed (checked as when built)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def varied(self, parameter: str, value: Any) -> Channel:
        """The channel with one of its :attr:`axes` changed."""
        if parameter not in self.axes:
            raise InputError(
                f"the {self.name} channel has no parameter {parameter!r} to vary; "
                f"it has {sorted(self.axes)}"
            )
        return self.replaced(**{parameter: value})

    def check_day(self, intervals: int, interval: float) -> None:
        """Raise an InputError if the channel does not fit a scenario of ``intervals``
        intervals of ``interval`` seconds."""
        if len(self.contacts()) != intervals:
            raise InputError(
                f"the {self.name} channel has {len(self.contacts())} intervals and the calls "
                f"{intervals}: one count per interval"
            )

    def day_summary(self, table: pd.DataFrame, interval: float) -> pd.Series:
        """The day's figures of one of its tables: contacts offered, peak agents, agent
        and scheduled hours, and its :attr:`service` weighted by the contacts."""
        return team_day(
            table[self.offered], table["agents"], table["scheduled"], table[self.service],
            interval, self.service,
        )  # fmt: skip


def team_day(
    offered: ArrayLike,
    agents: ArrayLike,
    scheduled: ArrayLike,
    service: ArrayLike,
    interval: float,
    service_name: str = "service_level",
) -> pd.Series:
    """A team's day: ``offered`` contacts, ``peak_agents``, ``agent_hours`` and
    ``scheduled_hours`` (``interval`` seconds each), and ``service_name``: the
    per-interval ``service`` weighted by the contacts offered (1 on a day without
    any; an undefined interval, NaN, counts as met)."""
    contacts = np.asarray(offered, dtype=np.float64)
    level = np.nan_to_num(np.asarray(service, dtype=np.float64), nan=1.0)
    on = np.asarray(agents, dtype=np.float64)
    total = float(contacts.sum())
    return pd.Series(
        {
            "offered": total,
            "peak_agents": int(on.max()) if on.size else 0,
            "agent_hours": hours(on, interval),
            "scheduled_hours": hours(scheduled, interval),
            service_name: float(level @ contacts / total) if total > 0 else 1.0,
        }
    )
