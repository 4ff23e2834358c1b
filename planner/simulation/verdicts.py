"""What a simulated day says about the targets: the one rule every front end reports.

A day or an interval *misses* a target when its whole two-sided confidence
interval lies on the wrong side of the limit: for an interval, when the
confidence that its expected metrics meet every target
(:func:`~planner.simulation.search.interval_confidence`) is below ``(1 - level)
/ 2``. A result is *too uncertain to act on* with fewer than
:data:`MIN_REPLICATIONS` replications or a day service-level interval wider than
:data:`WIDE_CI` either side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner._validate import FloatArray
from planner.simulation.results import Estimate, SimulationResult
from planner.simulation.search import interval_confidence
from planner.targets import Targets

__all__ = ["MIN_REPLICATIONS", "WIDE_CI", "SimulationVerdict", "verdict"]

MIN_REPLICATIONS = 10
"""Fewer replications give confidence intervals too wide to act on."""
WIDE_CI = 0.05
"""A day service-level interval wider than this either side asks for more replications."""


@dataclass(frozen=True, slots=True)
class SimulationVerdict:
    """What a simulation says about the targets (see the module notes).

    Attributes
    ----------
    level : the confidence level of the intervals.
    day_missed : the targets the whole day misses, by the measure each limits
        (``service_level``, ``asa``, ``abandon_rate``, ``occupancy``): the day's
        :class:`~planner.Estimate` of it.
    confidence : per interval, the confidence that its expected metrics meet
        every target.
    missed : per interval, True where it misses a target (confidence below
        ``(1 - level) / 2``).
    uncertain : the result is too uncertain to act on (too few replications,
        or a wide day service-level interval).
    """

    level: float
    day_missed: dict[str, Estimate]
    confidence: FloatArray
    missed: NDArray[np.bool_]
    uncertain: bool

    @property
    def met(self) -> bool:
        """No target is missed, by the day or by any interval."""
        return not self.day_missed and not bool(self.missed.any())


def verdict(
    result: SimulationResult, targets: Targets, *, abandons: bool = True
) -> SimulationVerdict:
    """The verdict of ``result`` on ``targets``; without abandonment (``abandons``
    False: nobody hangs up) the abandonment cap is not judged."""
    level = result.level
    day_missed = {}
    for metric, (limit, meets) in targets.limits(abandons=abandons).items():
        est = result.day(metric)
        low, high = est.confidence_interval(level)
        # the whole interval on the wrong side: even its most favourable end misses
        floor = meets is np.greater_equal  # met from above (a service level), else below
        if (high < limit) if floor else (low > limit):
            day_missed[metric] = est
    confidence = interval_confidence(result.per_interval, targets, abandons=abandons)
    day_sl = result.day("service_level")
    low, high = day_sl.confidence_interval(level)
    uncertain = result.replications < MIN_REPLICATIONS or (high - low) / 2 > WIDE_CI
    return SimulationVerdict(
        level=level,
        day_missed=day_missed,
        confidence=confidence,
        missed=confidence < (1.0 - level) / 2,
        uncertain=bool(uncertain),
    )
