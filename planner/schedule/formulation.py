"""What a schedule's integer programme is made of, whichever way it is written.

A formulation (:mod:`~planner.schedule.enumerated` or
:mod:`~planner.schedule.implicit`) gives its variables' costs, paid hours and
people, how each covers the intervals, the equalities that tie its variables
together, and how a solution reads back as people's weeks. The rules every
schedule takes (template counts, the part-time share, the budget, coverage)
are added by :func:`planner.schedule.schedule` from those vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner._validate import FloatArray
from planner.errors import InputError
from planner.schedule.grid import DAY, Grid
from planner.schedule.templates import ShiftTemplate

__all__ = ["Day", "Formulation", "Person", "Rule", "Setting", "nothing_fits"]


def nothing_fits() -> InputError:
    """What either formulation says when no shift of the templates can be worked."""
    return InputError(
        "no shift of the templates fits the opening hours and the day "
        "(check lengths, starts and work days)"
    )


Day = tuple[int, float, tuple[float, ...]]
"""One day's shift: (day of the horizon, start in seconds after midnight, each
break's start in seconds after the shift's start)."""


@dataclass(frozen=True)
class Person:
    """One person's week (or day): their template, the days they work, and the
    group they rotate weekends within (people of one template and start band)."""

    template: int
    days: tuple[Day, ...]
    group: int = 0


@dataclass(frozen=True)
class Rule:
    """Rows of constraints ``lower <= rows @ x <= upper``, with the message to give
    when they are what makes the problem infeasible ("" for the formulation's own
    equalities, which are never dropped)."""

    rows: sparse.csr_array
    lower: FloatArray
    upper: FloatArray
    message: str = ""

    def widened(self, extra: int) -> Rule:
        """The same rows over ``extra`` more variables (not in them)."""
        rows = sparse.hstack([self.rows, sparse.csr_array((self.rows.shape[0], extra))])
        return Rule(sparse.csr_array(rows), self.lower, self.upper, self.message)


@dataclass(frozen=True)
class Formulation:
    """A schedule's variables and their structure.

    Attributes
    ----------
    cost : per variable, per person or shift it counts (currency).
    hours : paid hours per unit of each variable.
    people : people per unit of each variable (0 for a day's shift in a week
        that a person variable already counts, or a break).
    template : each variable's template (-1: none).
    cover : intervals x variables: people on duty (a break subtracts).
    structure : equalities and orderings of the formulation's own.
    integral : which variables are whole numbers.
    decode : the people a solution's whole numbers describe, with counts.
    options : the size the result reports: shift options (enumerated) or
        variables (implicit).
    first_answer : from the LP relaxation's solution, the people required per
        interval and whether coverage is hard, a whole-number solution (covering
        them when hard; None: none found).
    """

    cost: FloatArray
    hours: FloatArray
    people: FloatArray
    template: NDArray[np.int64]
    cover: sparse.csr_array
    structure: list[Rule]
    integral: NDArray[np.bool_]
    decode: Callable[[NDArray[np.int64]], list[tuple[Person, int]]]
    options: int
    first_answer: Callable[[FloatArray, FloatArray, bool], NDArray[np.int64] | None] | None = None

    @property
    def size(self) -> int:
        """Number of variables."""
        return int(self.cost.size)


@dataclass(frozen=True)
class Setting:
    """What both formulations schedule on: the templates, the intervals, when the
    center is open, the weekday of the horizon's first day, whether a day's
    weekday is known (templates then keep to their work days) and the weeks a
    weekend rotation spans."""

    templates: tuple[ShiftTemplate, ...]
    grid: Grid
    is_open: NDArray[np.bool_]
    first: int
    weekday_known: bool
    rotation_weeks: int = 1

    def weeks(self, t: ShiftTemplate) -> list[tuple[int, ...]]:
        """The days of the horizon a person on ``t`` may work together: the
        template's days-off patterns in a week, the one day (or none) in a day."""
        if self.grid.days == 7:
            return [tuple(sorted((w - self.first) % 7 for w in p)) for p in t.patterns()]
        return [(0,)] if not self.weekday_known or self.first in t.work_days else []

    def placements(self, t: ShiftTemplate) -> list[list[float]]:
        """Each break's possible starts, seconds after the shift's start (on the
        interval grid from the window's earliest)."""
        step = self.grid.interval
        return [
            np.arange(b.earliest, b.latest + 1e-9, step).tolist() or [b.earliest] for b in t.breaks
        ]

    def weekend(self) -> tuple[int, int]:
        """The horizon's days that are Saturday and Sunday."""
        return ((5 - self.first) % 7, (6 - self.first) % 7)

    def on_duty_while_open(self, day: int, start: float, length: float) -> bool:
        """A shift on ``day`` from ``start`` (seconds after midnight) fits the
        horizon and is on duty only while the center is open."""
        if not self.grid.fits(start, length):
            return False
        at, _ = self.grid.span(day * DAY + start, day * DAY + start + length)
        return at.size > 0 and bool(self.is_open[at].all())
