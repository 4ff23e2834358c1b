"""Expected people and productive FTE week by week: today's staff and each class
a plan could hold (see :mod:`planner.capacity.workforce` for the rules).

Expected values are linear in class sizes (every person of a cohort leaves
with the same weekly chance), which is what lets the plan be an integer
programme; :mod:`planner.capacity.risk` draws the same rules at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner._validate import FloatArray, IntArray
from planner.capacity.workforce import Workforce

__all__ = ["ClassOptions", "base_supply", "class_options"]


def base_supply(workforce: Workforce, weeks: int) -> FloatArray:
    """Expected people on staff today and moved in by transfers, at the start of each of
    ``weeks`` weeks (all at full speed, so also their productive FTE)."""
    out = np.zeros(weeks)
    for band, tenure in zip(workforce.bands, workforce.tenure_today(), strict=True):
        out += band.headcount * workforce.survival(float(tenure), weeks)
    moved = workforce.transfers_for(weeks)
    settled = workforce.tenure_today()[-1]
    curve = workforce.survival(float(settled), weeks)
    for s in np.flatnonzero(moved):
        out[s:] += moved[s] * curve[: weeks - s]
    return out


@dataclass(frozen=True, eq=False)
class ClassOptions:
    """Every class a plan could hold: ``kind[j]`` (index into ``workforce.classes``) and
    ``start[j]`` (week training starts), and per option and week the expected share
    of its hires ``heads`` (on staff, paid), ``productive`` (FTE on the phones) and
    ``training`` (1 while the class trains: its seats)."""

    kind: IntArray
    start: IntArray
    heads: FloatArray
    productive: FloatArray
    training: FloatArray

    def __len__(self) -> int:
        return len(self.kind)


def class_options(workforce: Workforce, weeks: int) -> ClassOptions:
    """The classes of each kind that can start training from the week recruiting allows
    (``recruit_weeks``), every ``every_weeks``, and go live inside the ``weeks``."""
    kinds, starts = [], []
    for c, k in enumerate(workforce.classes):
        for s in range(k.recruit_weeks, weeks - k.train_weeks, k.every_weeks):
            kinds.append(c)
            starts.append(s)
    n = len(kinds)
    heads = np.zeros((n, weeks))
    productive = np.zeros((n, weeks))
    training = np.zeros((n, weeks))
    alive = workforce.survival(0.0, weeks)  # new hires: tenure 0 at the start of training
    for j, (c, s) in enumerate(zip(kinds, starts, strict=True)):
        k = workforce.classes[c]
        span = weeks - s
        heads[j, s:] = alive[:span]
        live = np.arange(span, dtype=np.float64) - k.train_weeks
        productive[j, s:] = alive[:span] * k.productivity(live)
        training[j, s : s + k.train_weeks] = 1.0
    return ClassOptions(np.array(kinds, dtype=np.int64), np.array(starts, dtype=np.int64),
                        heads, productive, training)  # fmt: skip
