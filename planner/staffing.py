"""Staffing targets, the smallest agent count that meets them, and shrinkage.

Erlang C is used when no patience is given, Erlang A (exponential patience with
the given mean, seconds) otherwise. The search is a vectorised bracketing and
bisection over whole agent counts, so each interval costs O(log N) model
evaluations, and every interval of a day is searched at once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner import queueing as q
from planner.errors import InputError

__all__ = ["Targets", "interval_metrics", "required_agents", "requirements", "scheduled_staff"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# A bracket wider than 2**_MAX_DOUBLINGS times the first guess means a target
# no finite staffing meets in floating point (e.g. service level 1.0 at T = 0).
_MAX_DOUBLINGS = 40


@dataclass(frozen=True, kw_only=True, slots=True)
class Targets:
    """What an interval's staffing must achieve; ``None`` switches a target off.

    Attributes
    ----------
    service_level : least fraction answered within ``answer_time``, in (0, 1],
        over offered calls (Erlang A: see ``sl_basis``).
    answer_time : service-level threshold T, seconds (>= 0).
    asa : greatest average speed of answer, seconds (> 0).
    max_abandon : greatest abandon rate, fraction of offered calls in (0, 1];
        needs a patience (Erlang A).
    max_occupancy : greatest agent occupancy, in (0, 1].
    sl_basis : service-level denominator for Erlang A, see
        :data:`planner.queueing.SLBasis` (Erlang C has no abandons, so all
        bases agree there).
    """

    service_level: float | None = 0.8
    answer_time: float = 20.0
    asa: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None
    sl_basis: q.SLBasis = "offered"

    def __post_init__(self) -> None:
        for name, check in (
            ("service_level", v.fraction),
            ("asa", v.positive),
            ("max_abandon", v.fraction),
            ("max_occupancy", v.fraction),
        ):
            value = getattr(self, name)
            if value is not None:
                if np.ndim(value) != 0:
                    raise InputError(f"'{name}' must be a single number: {value!r}")
                object.__setattr__(self, name, float(check(name, value)))
        if np.ndim(self.answer_time) != 0:
            raise InputError(f"'answer_time' must be a single number: {self.answer_time!r}")
        object.__setattr__(
            self, "answer_time", float(v.nonnegative("answer_time", self.answer_time))
        )
        q.sl_from_parts(np.ones(1), np.zeros(1), np.zeros(1), self.sl_basis)  # checks the name

    def to_dict(self) -> dict[str, float | str | None]:
        """The targets as a plain dict (the keyword arguments that rebuild them)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _workload(calls: ArrayLike, aht: ArrayLike, interval: ArrayLike, patience: ArrayLike | None):
    c = v.nonnegative("calls", calls)
    h = v.positive("aht", aht)
    t = v.positive("interval", interval)
    if patience is None:
        c, h, t = np.broadcast_arrays(c, h, t)
        p = None
    else:
        c, h, t, p = np.broadcast_arrays(c, h, t, v.positive("patience", patience))
    return c, h, t, p


def _metrics(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray | None,
    targets: Targets,
    *,
    with_asa: bool,
) -> dict[str, FloatArray]:
    """Service level, ASA, occupancy (and abandon rate) for 1-d arrays."""
    t = np.full_like(a, targets.answer_time)
    if patience is None:
        c = q._erlang_c(n, a)
        stable = n > a
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            sl = np.where(stable, 1.0 - c * np.exp(-(n - a) * t / aht), 0.0)
            wait = np.where(stable, c * aht / (n - a), np.inf)
            occ = np.where(n > 0, np.minimum(a / n, 1.0), 1.0)
        zero = a == 0
        return {
            "service_level": np.where(zero, 1.0, sl),
            "asa": np.where(zero, 0.0, wait),
            "occupancy": np.where(zero, 0.0, occ),
            "p_wait": c,
        }
    parts = q._erlang_a_core(n, a, aht, patience, t, with_asa=with_asa)
    return {
        "service_level": q.sl_from_parts(
            parts["answered_within"],
            parts["abandoned_within"],
            parts["p_abandon"],
            targets.sl_basis,
        ),
        "asa": parts.get("asa", np.full_like(a, np.nan)),
        "occupancy": parts["occupancy"],
        "p_wait": parts["p_wait"],
        "abandon_rate": parts["p_abandon"],
    }


def _meets(
    n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray | None, targets: Targets
) -> NDArray[np.bool_]:
    m = _metrics(n, a, aht, patience, targets, with_asa=targets.asa is not None)
    ok = np.ones(a.shape, dtype=bool)
    if targets.service_level is not None:
        ok &= m["service_level"] >= targets.service_level
    if targets.asa is not None:
        ok &= m["asa"] <= targets.asa
    if targets.max_occupancy is not None:
        ok &= m["occupancy"] <= targets.max_occupancy
    if targets.max_abandon is not None:
        ok &= m["abandon_rate"] <= targets.max_abandon
    if patience is None:
        ok &= n > a  # Erlang C is only meaningful for a stable queue
    return ok | (a == 0)


def _search(
    a: FloatArray, aht: FloatArray, patience: FloatArray | None, targets: Targets
) -> FloatArray:
    """Smallest whole n meeting the targets, for 1-d arrays; O(log n) evaluations."""
    # Lowest count that could meet the targets.
    floor = np.floor(a) + 1.0 if patience is None else np.where(a > 0, 1.0, 0.0)
    if targets.max_occupancy is not None:
        floor = np.maximum(floor, np.ceil(a / targets.max_occupancy - 1e-12))
    floor = np.where(a == 0, 0.0, floor)
    lo = floor - 1.0  # invariant: lo fails (or is below the floor), hi meets
    hi = floor + np.ceil(np.sqrt(a)) + 1.0
    ok = _meets(hi, a, aht, patience, targets)
    doublings = 0
    while not ok.all():
        bad = ~ok
        if doublings == _MAX_DOUBLINGS:
            i = int(np.argmax(bad))
            raise InputError(
                f"targets {targets.to_dict()} cannot be met for traffic {a[i]!r} Erlangs "
                f"with any number of agents"
            )
        lo[bad] = hi[bad]
        hi[bad] = floor[bad] + 2.0 * (hi[bad] - floor[bad])
        ok[bad] = _meets(
            hi[bad], a[bad], aht[bad], None if patience is None else patience[bad], targets
        )
        doublings += 1
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            return hi
        mid = np.floor((lo[open_] + hi[open_]) / 2)
        good = _meets(
            mid, a[open_], aht[open_], None if patience is None else patience[open_], targets
        )
        hi[open_] = np.where(good, mid, hi[open_])
        lo[open_] = np.where(good, lo[open_], mid)


def _check_targets(targets: Targets, patience: ArrayLike | None) -> None:
    if not isinstance(targets, Targets):
        raise InputError(f"'targets' must be a planner.Targets: {targets!r}")
    if patience is None and targets.max_abandon is not None:
        raise InputError(
            "'max_abandon' needs a patience: Erlang C (no patience) has no abandonment"
        )


def required_agents(
    calls: ArrayLike,
    aht: ArrayLike,
    interval: ArrayLike,
    targets: Targets,
    patience: ArrayLike | None = None,
) -> int | IntArray:
    """Smallest number of agents on the phones that meets every target.

    Parameters
    ----------
    calls : offered calls per interval (>= 0; 0 calls need 0 agents).
    aht : average handle time, seconds (> 0).
    interval : interval length, seconds (> 0).
    targets : the :class:`Targets` to meet.
    patience : mean caller patience, seconds (> 0). ``None`` uses Erlang C
        (nobody abandons); a value uses Erlang A (exponential patience).

    Returns
    -------
    An ``int`` for scalar inputs, else an int64 array of the broadcast shape.

    Examples
    --------
    >>> required_agents(100, 180, 1800, Targets(service_level=0.8, answer_time=20))
    14
    >>> required_agents([100, 250], 180, 1800, Targets(), patience=300).tolist()
    [13, 28]
    """
    _check_targets(targets, patience)
    c, h, t, p = _workload(calls, aht, interval, patience)
    shape = c.shape
    a = (c * h / t).ravel()
    n = _search(a, h.ravel().copy(), None if p is None else p.ravel().copy(), targets)
    out = n.astype(np.int64).reshape(shape)
    return int(out) if out.ndim == 0 else out


def interval_metrics(
    agents: ArrayLike,
    calls: ArrayLike,
    aht: ArrayLike,
    interval: ArrayLike,
    targets: Targets,
    patience: ArrayLike | None = None,
) -> pd.DataFrame:
    """Per-interval service level, ASA, occupancy, P(wait) (and abandon rate).

    Erlang C when ``patience`` is None, Erlang A otherwise; service level is on
    ``targets.sl_basis`` with threshold ``targets.answer_time``. Returns a
    DataFrame with one row per element of the broadcast inputs.
    """
    _check_targets(targets, patience)
    n = v.count("agents", agents)
    c, h, t, p = _workload(calls, aht, interval, patience)
    n, c, h, t = np.broadcast_arrays(n, c, h, t)
    if p is not None:
        p = np.broadcast_to(p, n.shape)
    a = (c * h / t).ravel()
    m = _metrics(
        n.ravel().astype(np.float64),
        a,
        h.ravel().astype(np.float64),
        None if p is None else p.ravel().astype(np.float64),
        targets,
        with_asa=True,
    )
    return pd.DataFrame({"traffic": a, **m})


def scheduled_staff(agents: ArrayLike, shrinkage: ArrayLike) -> int | IntArray:
    """Agents to schedule so ``agents`` are on the phones after shrinkage.

    ``ceil(agents / (1 - shrinkage))``, with ``shrinkage`` the fraction of paid
    time not available for calls, in [0, 1).

    Examples
    --------
    >>> scheduled_staff(14, 0.3)
    20
    """
    n = v.count("agents", agents)
    s = v.shrinkage_fraction("shrinkage", shrinkage)
    # Round away float noise first: 14 / 0.7 is 20.000000000000004.
    out = np.ceil(np.round(n / (1.0 - s), 9)).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def requirements(
    df: pd.DataFrame,
    targets: Targets,
    interval: float,
    shrinkage: float = 0.0,
    patience: ArrayLike | None = None,
) -> pd.DataFrame:
    """Staffing requirement for every interval of a workload table.

    Parameters
    ----------
    df : one row per interval with columns ``calls`` (offered calls per
        interval) and ``aht`` (seconds); other columns are kept.
    targets : the :class:`Targets` each interval must meet.
    interval : interval length, seconds.
    shrinkage : fraction of paid time not on the phones, in [0, 1).
    patience : mean patience, seconds; ``None`` for Erlang C.

    Returns
    -------
    A copy of ``df`` with ``traffic`` (Erlangs), ``agents``, ``scheduled``,
    ``service_level`` (answered within ``targets.answer_time`` over offered
    calls, or ``targets.sl_basis``), ``asa`` (seconds), ``occupancy`` and, with
    a patience, ``abandon_rate`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"calls": [100, 0], "aht": [180, 180]})
    >>> requirements(day, Targets(), interval=1800, shrinkage=0.3)[["agents", "scheduled"]]
       agents  scheduled
    0      14         20
    1       0          0
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"'df' must be a pandas DataFrame: {type(df).__name__}")
    missing = [col for col in ("calls", "aht") if col not in df.columns]
    if missing:
        raise InputError(
            f"'df' is missing column(s) {missing}; it has {list(map(str, df.columns))}"
        )
    if np.ndim(interval) != 0:
        raise InputError(f"'interval' must be a single number: {interval!r}")
    if np.ndim(shrinkage) != 0:
        raise InputError(f"'shrinkage' must be a single number: {shrinkage!r}")
    calls = _column(df, "calls")
    aht = _column(df, "aht")
    pat = (
        None if patience is None else np.broadcast_to(v.positive("patience", patience), calls.shape)
    )
    agents = required_agents(calls, aht, interval, targets, pat)
    metrics = interval_metrics(agents, calls, aht, interval, targets, pat)
    out = df.copy()
    out["traffic"] = metrics["traffic"].to_numpy()
    out["agents"] = agents
    out["scheduled"] = scheduled_staff(agents, shrinkage)
    for col in ("service_level", "asa", "occupancy"):
        out[col] = metrics[col].to_numpy()
    if patience is not None:
        out["abandon_rate"] = metrics["abandon_rate"].to_numpy()
    return out


def _column(df: pd.DataFrame, name: str) -> FloatArray:
    """A numeric column; errors name the offending row label."""
    raw = df[name].to_numpy()
    values = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(values) & pd.notna(raw)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"'{name}' must be a number: {raw[i]!r} (row {df.index[i]!r})")
    check = v.nonnegative if name == "calls" else v.positive
    return check(name, values, labels=df.index)
