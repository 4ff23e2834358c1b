"""The simulated day on the engine clock, and the callers drawn for it.

The engine clock counts seconds from the start of the warm-up (or of the day,
without one), so that every time an engine computes is the same float in both
engines. Periods are the warm-up (if any) followed by the planning intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from planner._validate import FloatArray, IntArray
from planner.simulation.distributions import Distribution


@dataclass(frozen=True, slots=True)
class Day:
    """Period boundaries (seconds, engine clock) and agents on duty per period.

    ``bounds`` has one more entry than ``agents``; ``bounds[-1]`` is the end of
    the day, when new callers stop arriving. Periods before ``first`` are
    warm-up and are left out of every result. With ``serve_queue`` the last
    period's agents stay after the end of the day until every caller already
    waiting is answered or has hung up; without it the day stops there, and
    callers still waiting are left unanswered.
    """

    bounds: FloatArray
    agents: IntArray
    first: int
    serve_queue: bool = False

    @property
    def end(self) -> float:
        """End of the day, seconds on the engine clock."""
        return float(self.bounds[-1])

    @property
    def after(self) -> int:
        """Agents on duty after the end of the day."""
        return int(self.agents[-1]) if self.serve_queue else 0

    @property
    def until(self) -> float:
        """When the simulation stops: the end of the day, or never (``serve_queue``)."""
        return np.inf if self.serve_queue else self.end

    @property
    def periods(self) -> int:
        return len(self.agents)

    def with_agents(self, agents: IntArray) -> Day:
        """The same day with another staffing plan (one entry per period)."""
        return Day(self.bounds, np.asarray(agents, dtype=np.int64), self.first, self.serve_queue)


@dataclass(frozen=True, slots=True)
class Callers:
    """Everyone who calls during one replication, in order of arrival.

    Times are seconds on the engine clock; ``gives_up_at`` is arrival plus
    patience (``inf`` when nobody abandons); ``period`` is the period of arrival.
    """

    arrival: FloatArray
    handle: FloatArray
    gives_up_at: FloatArray
    period: IntArray

    def __len__(self) -> int:
        return len(self.arrival)

    def head(self, stop: int) -> Callers:
        """The first ``stop`` callers."""
        return Callers(
            self.arrival[:stop], self.handle[:stop], self.gives_up_at[:stop], self.period[:stop]
        )


def ordered_uniforms(counts: IntArray, rng: np.random.Generator) -> FloatArray:
    """``counts[p]`` uniform times on [0, 1) in increasing order for each group ``p``,
    one array group after group, drawn in order rather than sorted: the partial
    sums of ``counts[p] + 1`` exponential spacings over their total are the order
    statistics of ``counts[p]`` uniforms (O(n), against O(n log n) for a sort)."""
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    spacings = rng.standard_exponential(int(counts.sum()) + counts.size)
    return _spacings_to_times(spacings, counts)


@njit(cache=True, nogil=True)
def _spacings_to_times(
    spacings: FloatArray, counts: IntArray
) -> FloatArray:  # pragma: no cover - compiled
    out = np.empty(spacings.size - counts.size)
    i = 0
    w = 0
    for p in range(counts.size):
        c = counts[p]
        total = 0.0
        for j in range(c + 1):
            total += spacings[i + j]
        run = 0.0
        for j in range(c):
            run += spacings[i + j]
            out[w] = run / total
            w += 1
        i += c + 1
    return out


def draw_callers(
    day: Day,
    expected: FloatArray,
    aht: FloatArray | None,
    handle: Distribution,
    patience: Distribution | None,
    dispersion: float,
    seed: np.random.SeedSequence,
) -> Callers:
    """Draw one replication's callers; nothing here depends on the staffing.

    Arrivals are a Poisson process whose rate is constant within a period, with
    ``expected[p]`` calls expected in period ``p``: a Poisson count, then
    uniform times. With ``dispersion`` > 0 every rate of the day is multiplied
    by one draw of a gamma variable with mean 1 and coefficient of variation
    ``dispersion``, so the day's total is negative binomial with variance
    ``m + dispersion**2 * m**2`` for mean ``m``. Handle times come from
    ``handle`` rescaled to mean ``aht[p]`` (as given when ``aht`` is None);
    patience from ``patience``. Arrivals, handle times and patience each have
    their own stream spawned from ``seed``, and every caller's handle time and
    patience are drawn in arrival order, so two staffing plans (or engines)
    see exactly the same callers.
    """
    arrivals_seed, handle_seed, patience_seed = seed.spawn(3)
    rng = np.random.default_rng(arrivals_seed)
    rate_factor = rng.gamma(1.0 / dispersion**2, dispersion**2) if dispersion > 0 else 1.0
    counts = rng.poisson(expected * rate_factor)
    period = np.repeat(np.arange(day.periods, dtype=np.int64), counts)
    u = ordered_uniforms(counts, rng)
    arrival = day.bounds[:-1][period] + u * np.diff(day.bounds)[period]
    n = arrival.size
    times = handle.sample(n, np.random.default_rng(handle_seed))
    if aht is not None:
        times = times * (aht[period] / handle.mean)
    if patience is None:
        gives_up_at = np.full(n, np.inf)
    else:
        gives_up_at = arrival + patience.sample(n, np.random.default_rng(patience_seed))
    return Callers(arrival, times, gives_up_at, period)
