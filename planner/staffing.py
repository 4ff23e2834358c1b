"""Staffing targets, the smallest agent count that meets them, and shrinkage.

Erlang C is used when no patience is given, Erlang A (exponential patience with
the given mean, seconds) otherwise. The search is a vectorised bracketing and
bisection over whole agent counts, so each interval costs O(log N) model
evaluations, and every interval of a day is searched at once.

The public functions validate their arguments; :func:`search_agents`,
:func:`measures`, :func:`scheduled` and :func:`check_targets` are the
unchecked internals that :mod:`planner.report` calls once it has validated
a whole workload table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import special

from planner import _kernels as kernels
from planner import _validate as v
from planner._validate import FloatArray, IntArray, SLBasis
from planner.erlangx import ErlangX, search_x
from planner.errors import InputError

__all__ = [
    "Targets",
    "interval_metrics",
    "required_agents",
    "scheduled_staff",
]


# The abandonment cap every Targets carries unless switched off: a guard rail,
# so that no target is met by letting callers hang up.
DEFAULT_MAX_ABANDON = 0.10

# Every target is met by enough agents, so a bracket still open after this
# many doublings of its first step means a model gone wrong: stop, loudly.
_MAX_DOUBLINGS = 40


@dataclass(frozen=True, kw_only=True, slots=True)
class Targets:
    """What an interval's staffing must achieve; ``None`` switches a target off.

    At least one target must be set. Any interval with calls gets at least one
    agent, and under Erlang C more agents than its traffic (a stable queue).

    ``max_abandon`` is on (10%) unless switched off: without a cap, targets
    that count only answered callers (ASA, a service level over answered
    calls) are met by letting callers hang up, so a search with a patience
    refuses them (see :meth:`unguarded`). Erlang C meets any cap: nobody
    abandons. A service level of 1.0 is refused: with random arrivals some
    caller always waits, whatever the staffing.

    Attributes
    ----------
    service_level : least fraction answered within ``answer_time``, in (0, 1),
        over offered calls (Erlang A: see ``sl_basis``).
    answer_time : service-level threshold T, seconds (>= 0).
    asa : greatest average speed of answer, seconds (> 0).
    max_abandon : greatest abandon rate, fraction of offered calls in (0, 1]
        (default 0.10; 1.0 accepts any abandonment). Met by Erlang C, where
        nobody abandons.
    max_occupancy : greatest agent occupancy, in (0, 1].
    sl_basis : service-level denominator for Erlang A, see
        :data:`planner.queueing.SLBasis` (Erlang C has no abandons, so all
        bases agree there).
    """

    service_level: float | None = 0.8
    answer_time: float = 20.0
    asa: float | None = None
    max_abandon: float | None = DEFAULT_MAX_ABANDON
    max_occupancy: float | None = None
    sl_basis: SLBasis = "offered"

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
        v.check_sl_basis(self.sl_basis)
        if all(
            getattr(self, name) is None
            for name in ("service_level", "asa", "max_abandon", "max_occupancy")
        ):
            raise InputError(
                "Targets needs at least one of 'service_level', 'asa', 'max_abandon' "
                "or 'max_occupancy'"
            )
        if self.service_level == 1.0:
            raise InputError(
                "'service_level' 1.0 cannot be met: with random arrivals some callers always "
                f"wait longer than {self.answer_time:g} s, whatever the staffing "
                "(Erlang C and A stay below 1); use 0.99 or 0.999"
            )

    def unguarded(self) -> list[str]:
        """The targets set that callers hanging up could meet, when nothing caps that.

        An ASA counts only answered callers, and so does a service level over
        answered calls (or over offered calls less those who hung up within
        the answer time): with abandonment, too few agents can meet them by
        losing the callers who would wait. A service level over offered
        calls counts every lost caller as a miss, and ``max_abandon`` caps
        the loss; with either, the list is empty.

        Examples
        --------
        >>> Targets(service_level=None, asa=30, max_abandon=None).unguarded()
        ['asa']
        >>> Targets(service_level=None, asa=30).unguarded()
        []
        """
        if self.max_abandon is not None:
            return []
        if self.service_level is not None and self.sl_basis == "offered":
            return []
        loose = []
        if self.service_level is not None:
            loose.append("service_level")
        if self.asa is not None:
            loose.append("asa")
        return loose

    def limits(
        self, *, abandons: bool = True
    ) -> dict[str, tuple[float, Callable[..., NDArray[np.bool_]]]]:
        """The targets set: measure name -> (limit, the comparison that meets it).

        Without abandonment (``abandons`` False: Erlang C, no patience) the
        abandonment cap is met by every plan and left out.
        """
        every = {
            "service_level": (self.service_level, np.greater_equal),
            "asa": (self.asa, np.less_equal),
            "abandon_rate": (self.max_abandon, np.less_equal),
            "occupancy": (self.max_occupancy, np.less_equal),
        }
        if not abandons:
            every["abandon_rate"] = (None, np.less_equal)
        return {name: (limit, op) for name, (limit, op) in every.items() if limit is not None}

    def met(
        self,
        measures: Mapping[str, ArrayLike],
        *,
        skip: Collection[str] = (),
        abandons: bool = True,
    ) -> NDArray[np.bool_]:
        """Whether ``measures`` meet every target set, element by element.

        ``measures`` maps ``service_level``, ``asa``, ``abandon_rate`` and
        ``occupancy`` (those the set targets need) to numbers or arrays. A
        measure that is NaN (undefined: nobody was answered) never meets its
        target. Names in ``skip`` are not checked, nor the abandonment cap
        when nobody ``abandons`` (Erlang C).

        Examples
        --------
        >>> Targets(service_level=0.8, answer_time=20, asa=30).met(
        ...     {"service_level": [0.85, 0.85, float("nan")], "asa": [12, 40, 5]},
        ...     abandons=False,
        ... ).tolist()
        [True, False, False]
        """
        ok: NDArray[np.bool_] = np.array(True)
        for name, (limit, compare) in self.limits(abandons=abandons).items():
            if name not in skip:
                if name not in measures:
                    raise InputError(f"the '{name}' target needs a '{name}' measure")
                ok = ok & compare(np.asarray(measures[name], dtype=np.float64), limit)
        return ok

    def to_dict(self) -> dict[str, float | str | None]:
        """The targets as a plain dict (the keyword arguments that rebuild them)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_table(self) -> dict[str, Any]:
        """The targets as a file's table: targets not set are left out, and one on by
        default that is switched off is ``false`` (TOML has no null)."""
        return {
            k: (False if val is None else val)
            for k, val in self.to_dict().items()
            if val is not None or k in _ON_BY_DEFAULT
        }

    @classmethod
    def from_table(cls, table: Mapping[str, Any], name: str = "targets") -> Targets:
        """Targets from a file's table, ``false`` switching one off; errors name
        ``name.key``."""
        out = dict(table)
        for key, value in table.items():
            if value is False:
                if key not in _ON_BY_DEFAULT - {"answer_time", "sl_basis"}:
                    raise InputError(f"'{name}.{key}' cannot be false")
                out[key] = None
            elif value is True:
                raise InputError(f"'{name}.{key}' must be a number or false: true")
        return cls(**out)


# Targets on unless switched off: a file writes them false when they are.
_ON_BY_DEFAULT = frozenset(f.name for f in fields(Targets) if f.default is not None)


def _workload(calls: ArrayLike, aht: ArrayLike, interval: ArrayLike, patience: ArrayLike | None):
    c = v.nonnegative("calls", calls)
    h = v.positive("aht", aht)
    t = v.positive("interval", interval)
    if patience is None:
        c, h, t = v.broadcast(calls=c, aht=h, interval=t)
        return c, h, t, None
    c, h, t, p = v.broadcast(calls=c, aht=h, interval=t, patience=v.positive("patience", patience))
    return c, h, t, p


def measures(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray | None,
    targets: Targets,
    *,
    with_asa: bool = True,
) -> dict[str, FloatArray]:
    """Service level, ASA, occupancy, P(wait) (and abandon rate) at ``n`` agents.

    Unchecked, for planner's own modules once they validated their inputs:
    1-d float arrays of one shape (agents, traffic in Erlangs, AHT and
    patience in seconds; ``patience`` None for Erlang C). ``with_asa`` False
    (Erlang A only) leaves out the dear ASA sum (NaN).
    """
    if patience is None:
        return kernels.erlang_c_measures(n, a, aht, targets.answer_time)
    t = np.full_like(a, targets.answer_time)
    parts = kernels.erlang_a_measures(
        n, a, aht, patience, t, sl_basis=targets.sl_basis, with_asa=with_asa
    )
    keep = ("service_level", "asa", "occupancy", "p_wait", "abandon_rate")
    return {key: parts[key] for key in keep}


def _ok(
    m: dict[str, FloatArray],
    n: FloatArray,
    a: FloatArray,
    targets: Targets,
    erlang_c: bool,
    *,
    check_asa: bool = True,
) -> NDArray[np.bool_]:
    """Whether measures ``m`` at ``n`` agents meet every target."""
    met = targets.met(m, skip=() if check_asa else ("asa",), abandons=not erlang_c)
    ok = np.broadcast_to(met, a.shape).copy()
    if erlang_c:
        ok &= n > a  # Erlang C is only meaningful for a stable queue
    return ok | (a == 0)


def _meets(
    n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray | None, targets: Targets
) -> NDArray[np.bool_]:
    if patience is None or targets.asa is None:
        m = measures(n, a, aht, patience, targets, with_asa=targets.asa is not None)
        return _ok(m, n, a, targets, patience is None)
    # Erlang A's ASA is dear: work it out only where every other target is met.
    m = measures(n, a, aht, patience, targets, with_asa=False)
    ok = _ok(m, n, a, targets, False, check_asa=False)
    sel = np.flatnonzero(ok)
    if sel.size:
        asa = kernels.erlang_a_asa(
            n[sel], a[sel], aht[sel], patience[sel], m["p_wait"][sel], m["abandon_rate"][sel]
        )
        ok[sel] = targets.met({"asa": asa}, skip=("service_level", "abandon_rate", "occupancy"))
    return ok


def _floor(a: FloatArray, patience: FloatArray | None, targets: Targets) -> FloatArray:
    """Fewest agents that could meet the targets."""
    if patience is None:
        floor = np.floor(a) + 1.0  # a stable queue
        if targets.max_occupancy is not None:  # Erlang C occupancy is a / n
            floor = np.maximum(floor, np.ceil(a / targets.max_occupancy - 1e-12))
    else:
        floor = np.ones_like(a)  # Erlang A occupancy counts only answered calls
    return np.where(a == 0, 0.0, floor)


# Square-root staffing (Halfin & Whitt 1981): with n = a + beta sqrt(a),
# P(wait) ~ 1 / (1 + beta Phi(beta) / phi(beta)) and the service level is
# 1 - P(wait) exp(-beta k) with k = sqrt(a) T / aht. It is used only for a
# first guess of the Erlang C requirement.
@functools.cache
def _halfin_whitt_table(service_level: float) -> tuple[FloatArray, FloatArray]:
    """beta meeting ``service_level`` by square-root staffing, on a grid of k."""
    k = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 121)])
    beta = np.full_like(k, 3.0)
    log_miss = np.log1p(-service_level)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(6):  # Newton on log P(wait) - beta k = log(1 - SL), from the right
            ratio = special.ndtr(beta) * np.sqrt(2 * np.pi) * np.exp(0.5 * beta**2)
            g = beta * ratio
            f = -np.log1p(g) - beta * k - log_miss
            slope = -(ratio + beta * (1.0 + g)) / (1.0 + g) - k
            beta = np.fmin(np.fmax(beta - f / slope, 0.0), 3.0)  # NaN -> 0
    return k, beta


def _halfin_whitt_guess(a: FloatArray, aht: FloatArray, targets: Targets) -> FloatArray:
    """Agents (real) that square-root staffing says meet the service-level target.

    Measured against the exact answer it is low by 0 to 2 agents across
    service levels, answer times and loads; 0 without a service-level target.
    """
    if targets.service_level is None or targets.service_level >= 1.0:
        return np.zeros_like(a)
    root_a = np.sqrt(a)
    k_grid, beta = _halfin_whitt_table(targets.service_level)
    return a + np.interp(root_a * (targets.answer_time / aht), k_grid, beta) * root_a


_WINDOW = 5  # agent counts tried around the guess in one vectorised evaluation


def _erlang_c_window(
    a: FloatArray, aht: FloatArray, targets: Targets, floor: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Erlang C bracket around a square-root-staffing guess: returns (lo, hi).

    One exact Erlang B evaluation at the first count of a small window, the
    rest by the stable forward recursion B(n+1) = a B / (n + 1 + a B), and all
    counts checked at once. ``lo`` fails the targets (or lies below the
    floor); ``hi`` meets them, or is NaN where the window fell short.
    """
    first = np.maximum(np.floor(_halfin_whitt_guess(a, aht, targets)) - 1.0, 0.0)
    n = first[None, :] + np.arange(_WINDOW, dtype=np.float64)[:, None]  # (window, intervals)
    b = np.empty_like(n)
    live = a > 0
    b[0] = 0.0
    b[0, live] = np.exp(kernels.log_erlang_b(first[live], a[live]))
    for j in range(1, _WINDOW):
        ab = a * b[j - 1]
        b[j] = ab / (n[j] + ab)
    a2, aht2 = np.broadcast_to(a, n.shape), np.broadcast_to(aht, n.shape)
    m = kernels.erlang_c_measures(n, a2, aht2, targets.answer_time, b=b)
    ok = _ok(m, n, a2, targets, True)
    row = np.argmax(ok, axis=0)
    found = ok.any(axis=0) & (row > 0)  # the count before it fails: the answer
    hi = np.where(found, first + row, np.nan)
    lo = np.where(found, hi - 1.0, n[-1])
    at_first = ok[0]  # guess too high: the answer is in (floor - 1, first]
    hi[at_first] = first[at_first]
    lo[at_first] = np.minimum(floor[at_first], first[at_first]) - 1.0
    return lo, hi


def restart_at(
    aht: FloatArray, patience: FloatArray | None, targets: Targets
) -> Callable[[int, float], float]:
    """For Erlang X's search: element ``i``'s Erlang A (or C) requirement at a load."""

    def at(i: int, erlangs: float) -> float:
        p = None if patience is None else patience[i : i + 1]
        return float(search_agents(np.array([erlangs]), aht[i : i + 1], p, targets)[0])

    return at


def search_agents(
    a: FloatArray, aht: FloatArray, patience: FloatArray | None, targets: Targets
) -> FloatArray:
    """Smallest whole n meeting the targets, for 1-d arrays; O(log n) evaluations.

    Unchecked, for planner's own modules once they validated their inputs
    (traffic ``a`` in Erlangs, ``aht`` and ``patience`` in seconds; the
    arrays are not changed).

    Invariant: ``lo`` fails the targets (or lies below the floor) and ``hi``
    meets them. Erlang C starts from a square-root-staffing guess, which
    usually settles the answer within a step or two; otherwise, and for Erlang
    A, ``hi`` is found by doubling the distance from the floor and the gap is
    then bisected.
    """
    aht = aht.copy()
    patience = None if patience is None else patience.copy()
    floor = _floor(a, patience, targets)
    if patience is None:
        lo, hi = _erlang_c_window(a, aht, targets, floor)
    else:
        lo, hi = floor - 1.0, np.full_like(a, np.nan)

    def meets(sel: NDArray[np.intp], n: FloatArray) -> NDArray[np.bool_]:
        return _meets(n, a[sel], aht[sel], None if patience is None else patience[sel], targets)

    idx = np.flatnonzero(np.isnan(hi))
    step = np.ceil(np.sqrt(a[idx])) + 1.0
    for _ in range(_MAX_DOUBLINGS):
        if idx.size == 0:
            break
        trial = lo[idx] + step
        good = meets(idx, trial)
        hi[idx[good]] = trial[good]
        lo[idx[~good]] = trial[~good]
        idx, step = idx[~good], 2.0 * step[~good]
    if idx.size:
        raise InputError(
            f"targets {targets.to_dict()} cannot be met for traffic {float(a[idx[0]])!r} "
            "Erlangs with any number of agents"
        )
    idx = np.flatnonzero(hi - lo > 1)
    while idx.size:
        mid = np.floor((lo[idx] + hi[idx]) / 2)
        good = meets(idx, mid)
        hi[idx] = np.where(good, mid, hi[idx])
        lo[idx] = np.where(good, lo[idx], mid)
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


def check_targets(targets: Targets) -> None:
    """``targets`` is a :class:`Targets`."""
    if not isinstance(targets, Targets):
        raise InputError(f"'targets' must be a planner.Targets: {targets!r}")


def check_search_targets(targets: Targets, abandons: bool) -> None:
    """``targets`` is a :class:`Targets` that a search for the fewest agents cannot game.

    With abandonment (``abandons``), targets that count only answered
    callers need ``max_abandon`` (see :meth:`Targets.unguarded`).
    """
    check_targets(targets)
    loose = targets.unguarded() if abandons else []
    if loose:
        what = " and ".join(
            {"asa": "an ASA target", "service_level": f"a service level over "
             f"{targets.sl_basis.replace('_', ' ')}"}[name] for name in loose
        )  # fmt: skip
        raise InputError(
            f"{what} without 'max_abandon' can be met by letting callers hang up (too few "
            "agents lose the callers who would wait): set 'max_abandon' (e.g. 0.05; 1.0 "
            "accepts any abandonment) or a service level over offered calls"
        )


def required_agents(
    calls: ArrayLike,
    aht: ArrayLike,
    interval: ArrayLike,
    targets: Targets,
    patience: ArrayLike | None = None,
    *,
    erlang_x: ErlangX | None = None,
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
    erlang_x : an :class:`~planner.erlang_x.ErlangX` model (redials, lines,
        repeat contacts, forecast uncertainty): the requirement under Erlang X,
        found from the Erlang A (or C) one.

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
    check_search_targets(targets, patience is not None)
    c, h, t, p = _workload(calls, aht, interval, patience)
    shape = c.shape
    a = (c * h / t).ravel()
    v.within("traffic", a, v.MAX_TRAFFIC, "Erlangs per interval (calls * aht / interval)")
    n = search_agents(a, h.ravel(), None if p is None else p.ravel(), targets)
    if erlang_x is not None:
        n = search_x(a, h.ravel(), None if p is None else p.ravel(), targets, erlang_x, n,
                     restart_at(h.ravel(), None if p is None else p.ravel(), targets))  # fmt: skip
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
    check_targets(targets)
    c, h, t, p = _workload(calls, aht, interval, patience)
    n, c, h, t = v.broadcast(agents=v.count("agents", agents), calls=c, aht=h, interval=t)
    if p is not None:
        p = v.broadcast(agents=n, patience=p)[1]
    a = (c * h / t).ravel()
    v.within("traffic", a, v.MAX_TRAFFIC, "Erlangs per interval (calls * aht / interval)")
    m = measures(
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
    out = scheduled(v.count("agents", agents), v.shrinkage_fraction("shrinkage", shrinkage))
    return int(out) if out.ndim == 0 else out


def scheduled(agents: FloatArray, shrinkage: FloatArray | float) -> IntArray:
    """:func:`scheduled_staff` for validated arrays (unchecked)."""
    # Round away float noise first: 14 / 0.7 is 20.000000000000004.
    return np.ceil(np.round(agents / (1.0 - shrinkage), 9)).astype(np.int64)
