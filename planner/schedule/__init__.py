"""Shifts from a requirement: how many people work each shift, at least cost (HiGHS MILP).

A :class:`ShiftTemplate` describes shifts people can work: a paid length,
the start times allowed, breaks placed in windows (with a spacing), a cost
per paid hour, bounds on how many work it, whether it is part time, and for
a week its days-off patterns, start band, rest and weekends off.
:func:`schedule` writes an integer programme over the people on each shift
(a break shorter than an interval covers the rest of it) and solves it with
HiGHS (``highspy``):

    minimise  sum(cost_s x_s) + sum(penalty_t u_t)
    subject to  people on duty in interval t + u_t >= required_t   for every t
                min_count <= people on a template <= max_count
                people part time <= max_part_time * all people
                paid hours <= paid_hours
                whole numbers of people, u_t >= 0

How the people on duty are written is the formulation: ``"implicit"``
(:mod:`~planner.schedule.implicit`: shifts per day, break placements and
days-off patterns as variables of their own, tied by counts; the default)
or ``"enumerated"`` (:mod:`~planner.schedule.enumerated`: one variable per
template x start x days x break placement). Both have the same optimum; the
implicit one stays small for a real week. It starts HiGHS from a rounded LP
solution, and the result reports HiGHS's bound and gap.

``required_t`` is people on duty: the agents needed on the phones over
``1 - shrinkage``, the share of on-duty time the breaks do not already take.
With ``coverage="hard"`` no interval may be short (``u`` is 0); with
``"soft"`` a shortfall costs its effect on service: one agent short in an
interval loses the calls answered within the answer time that Erlang C (or
A) says the last agent there answers, so a quiet interval is left short
before the peak. Opening hours per weekday keep everyone home while closed.

Days (or weeks) are cyclic with ``wrap=True`` (24/7: a shift running past
the horizon's end covers its start, as the next day's or week's would);
otherwise a shift must end by the end of the requirement's day. When HiGHS
finds no schedule, each rule is dropped in turn and the error names the one
without which a schedule exists. :class:`ScheduleSettings` is a scenario
file's ``[schedule]`` section (:meth:`planner.Scenario.schedule`).
"""

from planner.schedule.core import schedule
from planner.schedule.grid import DAY
from planner.schedule.milp import Progress
from planner.schedule.result import Schedule
from planner.schedule.settings import ScheduleSettings
from planner.schedule.templates import (
    MAX_COST_PER_HOUR,
    WEEKDAYS,
    Break,
    ShiftTemplate,
    duration_seconds,
    duration_text,
    opening_hours,
    weekday,
)

__all__ = [
    "DAY", "MAX_COST_PER_HOUR", "WEEKDAYS", "Break", "Progress", "Schedule", "ScheduleSettings",
    "ShiftTemplate", "duration_seconds", "duration_text", "opening_hours", "schedule", "weekday",
]  # fmt: skip
