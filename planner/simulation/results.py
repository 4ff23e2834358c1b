"""Simulation results: per-replication figures, means and confidence intervals.

Every metric keeps its value in each replication; :class:`Estimate` turns
those into a mean and a Student t confidence interval across the independent
replications (a confidence interval for the mean, not a prediction interval
for one day). A replication where a ratio is undefined (an interval nobody
called in has no service level) is left out of that ratio's estimate, and
``n`` says how many replications remain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from planner._validate import FloatArray, IntArray, SLBasis, check_sl_basis

__all__ = ["METRICS", "RETURN_METRICS", "Estimate", "SimulationResult"]

# Reported metrics, in display order, with what each one means.
METRICS: dict[str, str] = {
    "calls": "calls offered (arrived), per interval",
    "answered": "calls answered (with close='serve_queue', after the last interval too)",
    "abandoned": "callers who hung up before being answered",
    "queued_at_end": "callers still waiting when the simulation stopped",
    "service_level": "answered within the answer time, over the basis (sl_basis)",
    "p_wait": "fraction of offered calls that had to wait",
    "asa": "average speed of answer: mean wait of answered calls, seconds",
    "abandon_rate": "abandoned over offered calls",
    "occupancy": "agents' busy time over their time on duty",
    "mean_queue": "time-average number of callers waiting",
    "max_queue": "most callers waiting at once",
}
# Metrics of a day with callers who call again or a limit on lines (see simulate's
# redial_probability, fcr and lines); every attempt counts as a call.
RETURN_METRICS: dict[str, str] = {
    "blocking": "attempts that found every line busy, over offered attempts",
    "redial_share": "redials over offered attempts",
    "repeat_share": "repeat contacts over fresh calls (first calls and repeats)",
}


_FRACTIONS = {
    "service_level", "p_wait", "abandon_rate", "occupancy", "blocking", "redial_share",
    "repeat_share",
}  # fmt: skip


def _limits(metric: str) -> tuple[float, float]:
    """Range of a metric: fractions lie in [0, 1], everything else is >= 0."""
    return (0.0, 1.0) if metric in _FRACTIONS else (0.0, np.inf)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den, NaN where den is 0 (the ratio is undefined, not zero)."""
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def metrics_from_totals(totals: dict[str, FloatArray], sl_basis: SLBasis) -> dict[str, FloatArray]:
    """The reported metrics from period (or day) totals, see :data:`METRICS`."""
    sl_basis = check_sl_basis(sl_basis)
    if sl_basis == "offered":
        basis = totals["calls"]
    elif sl_basis == "offered_excl_short_abandons":
        basis = totals["calls"] - totals["abandoned_within"]
    else:
        basis = totals["answered"]
    out = {
        "calls": totals["calls"],
        "answered": totals["answered"],
        "abandoned": totals["abandoned"],
        "queued_at_end": totals["queued_at_end"],
        "service_level": _ratio(totals["answered_within"], basis),
        "p_wait": _ratio(totals["waited"], totals["calls"]),
        "asa": _ratio(totals["answered_wait"], totals["answered"]),
        "abandon_rate": _ratio(totals["abandoned"], totals["calls"]),
        "occupancy": _ratio(totals["busy_time"], totals["staffed_time"]),
        "mean_queue": _ratio(totals["queue_time"], totals["length"]),
        "max_queue": totals["max_queue"],
    }
    if "blocked" in totals:
        fresh = totals["calls"] - totals["redials"]
        out["blocking"] = _ratio(totals["blocked"], totals["calls"])
        out["redial_share"] = _ratio(totals["redials"], totals["calls"])
        out["repeat_share"] = _ratio(totals["repeats"], fresh)
    return out


@dataclass(frozen=True)
class Estimate:
    """A metric across replications: mean and a t confidence interval.

    ``values`` holds one row per replication (a scalar per replication for a
    whole-day figure, one column per interval otherwise); NaN marks a
    replication where the metric is undefined. ``limits`` is the metric's
    possible range.

    Examples
    --------
    >>> e = Estimate(np.array([0.80, 0.84, 0.82, 0.86]))
    >>> round(e.mean, 3), e.n
    (0.83, 4)
    >>> [round(x, 4) for x in e.confidence_interval(0.95)]
    [0.7889, 0.8711]
    """

    values: FloatArray
    level: float = 0.95
    limits: tuple[float, float] = (-np.inf, np.inf)

    @property
    def n(self):
        """Replications where the metric is defined."""
        n = np.sum(~np.isnan(self.values), axis=0)
        return int(n) if np.ndim(n) == 0 else n

    @property
    def mean(self):
        """Mean over the replications where the metric is defined."""
        n = np.asarray(self.n)
        total = np.nansum(self.values, axis=0)
        out = _ratio(total, n.astype(np.float64))
        return float(out) if out.ndim == 0 else out

    @property
    def sem(self):
        """Standard error of the mean (NaN with fewer than two replications)."""
        n = np.asarray(self.n, dtype=np.float64)
        dev = np.where(np.isnan(self.values), 0.0, self.values - np.asarray(self.mean))
        var = _ratio(np.sum(dev**2, axis=0), n - 1)
        out = np.sqrt(_ratio(var, n))
        return float(out) if out.ndim == 0 else out

    def half_width(self, level: float | None = None):
        """Half the width of the ``level`` confidence interval (default: ``self.level``)."""
        level = self.level if level is None else level
        if not 0 < level < 1:
            raise ValueError(f"'level' must be in (0, 1): {level!r}")
        n = np.asarray(self.n, dtype=np.float64)
        t = special.stdtrit(np.where(n > 1, n - 1, 1.0), 0.5 + level / 2)  # Student t quantile
        out = np.where(n > 1, t * np.asarray(self.sem), np.nan)
        return float(out) if out.ndim == 0 else out

    def confidence_interval(self, level: float | None = None):
        """``(low, high)``: the t confidence interval for the mean, within ``limits``.

        A metric's possible range (0 to 1 for a fraction) bounds its mean, so
        the interval is cut to it.
        """
        h = self.half_width(level)
        low, high = np.clip(self.mean - h, *self.limits), np.clip(self.mean + h, *self.limits)
        return (float(low), float(high)) if np.ndim(low) == 0 else (low, high)

    @property
    def ci_low(self):
        return self.confidence_interval()[0]

    @property
    def ci_high(self):
        return self.confidence_interval()[1]

    def __repr__(self) -> str:
        if np.ndim(self.values) == 1:
            low, high = self.confidence_interval()
            return (
                f"Estimate(mean={self.mean:.6g}, ci=({low:.6g}, {high:.6g}), "
                f"level={self.level}, n={self.n})"
            )
        return f"Estimate(intervals={np.shape(self.values)[1]}, replications={len(self.values)})"


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What :func:`planner.simulate` found, per interval and for the whole day.

    Attributes
    ----------
    agents : the staffing plan simulated, one count per interval.
    interval : interval length, seconds.
    labels : one label per interval (the workload's index).
    answer_time, sl_basis : the service-level definition used.
    replications, seed, engine, level : how it was run; ``seed`` reproduces
        it (``simulate(..., seed=result.seed)``): the entropy, or the
        SeedSequence given when it was a spawned child.
    per_interval : metric -> array (replications, intervals).
    per_day : metric -> array (replications,), whole-day figures (warm-up
        excluded) pooled from the interval totals.
    records : per-call records (see :func:`planner.simulate`), or None.
    """

    agents: IntArray
    interval: float
    labels: Sequence[object]
    answer_time: float
    sl_basis: SLBasis
    replications: int
    seed: int | Sequence[int] | np.random.SeedSequence
    engine: str
    level: float
    per_interval: dict[str, FloatArray] = field(repr=False)
    per_day: dict[str, FloatArray] = field(repr=False)
    records: pd.DataFrame | None = field(default=None, repr=False)

    def __getitem__(self, metric: str) -> Estimate:
        """Per-interval estimate of one metric, e.g. ``result["service_level"].mean``."""
        return Estimate(self.per_interval[self._known(metric)], self.level, _limits(metric))

    def day(self, metric: str) -> Estimate:
        """Whole-day estimate of one metric, e.g. ``result.day("abandon_rate")``."""
        return Estimate(self.per_day[self._known(metric)], self.level, _limits(metric))

    def _known(self, metric: str) -> str:
        if metric not in self.metrics:
            raise KeyError(f"unknown metric {metric!r}; the metrics are {list(self.metrics)}")
        return metric

    @property
    def metrics(self) -> dict[str, str]:
        """The metrics this result holds, with their meaning: :data:`METRICS`, and
        :data:`RETURN_METRICS` for a day with callers who call again or lines."""
        extra = {k: val for k, val in RETURN_METRICS.items() if k in self.per_interval}
        return METRICS | extra

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per interval (``interval_start``, the workload's
        labels) and metric, with mean, CI bounds and n."""
        k = len(self.agents)
        parts = []
        for metric in self.metrics:
            est = self[metric]
            low, high = est.confidence_interval()
            parts.append(
                pd.DataFrame(
                    {
                        "interval_start": list(self.labels),
                        "agents": self.agents,
                        "metric": [metric] * k,
                        "mean": est.mean,
                        "ci_low": low,
                        "ci_high": high,
                        "n": est.n,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """Whole-day metrics: one row per metric with mean, CI bounds and n."""
        rows = []
        for metric, meaning in self.metrics.items():
            est = self.day(metric)
            low, high = est.confidence_interval()
            rows.append((metric, est.mean, low, high, est.n, meaning))
        return pd.DataFrame(
            rows, columns=["metric", "mean", "ci_low", "ci_high", "n", "meaning"]
        ).set_index("metric")

    def table(self) -> pd.DataFrame:
        """Wide table, one row per interval: agents, then each metric's mean and CI."""
        out = pd.DataFrame({"agents": self.agents}, index=pd.Index(list(self.labels)))
        for metric in self.metrics:
            est = self[metric]
            low, high = est.confidence_interval()
            out[metric] = est.mean
            out[f"{metric}_ci_low"] = low
            out[f"{metric}_ci_high"] = high
        return out
