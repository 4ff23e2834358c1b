"""Staffing: the fewest agents that meet the targets, under any model, and shrinkage.

One search serves every model of :mod:`planner.models` (Erlang C, A and X, chat,
blending): it knows only the model protocol. Each interval starts from the
model's first guess (or the requirement of a cheaper model, its ``proxy``),
steps away from it by doubling until one count meets the targets and the one
below misses, then bisects; every interval of a day is searched at once, so a
model vectorised over intervals is evaluated a few times per day, not per
interval. A model's measures must improve with every agent added (they do for
every model here), so the answer is the fewest agents, not merely enough.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner._validate import FloatArray, IntArray
from planner.errors import InputError
from planner.models import Blend, BlendResult, ErlangC, IntervalModel, Load, blend, erlang_model
from planner.targets import Targets, check_targets

__all__ = [
    "BlendedStaffing",
    "blended_staffing",
    "fewest",
    "interval_metrics",
    "required_agents",
    "scheduled_staff",
]

# A bracket still open after this many doublings of its first step means a model
# gone wrong (every target is met by enough agents): stop, loudly.
_MAX_DOUBLINGS = 40


def checked_model(model: IntervalModel | None, targets: Targets) -> IntervalModel:
    """``model`` (Erlang C when None) after checking that ``targets`` suit it."""
    check_targets(targets)
    chosen = ErlangC() if model is None else model
    if not isinstance(chosen, IntervalModel):
        raise InputError(
            f"'model' must be a planner model (ErlangC(), ErlangA(patience=...), ErlangX(...), "
            f"Chat(...), Blend(...)): {model!r}"
        )
    return chosen


def search(
    model: IntervalModel, load: Load, targets: Targets, *, cap: ArrayLike | None = None
) -> FloatArray:
    """The fewest whole agents per interval meeting ``targets`` under ``model``; NaN
    where no count up to the model's cap (or ``cap``) does.

    Unchecked: for planner's own modules once they validated ``load`` and checked
    the model against the targets.
    """
    size = len(load)
    floor = model.floor(load, targets)
    top = model.cap(load)
    if cap is not None:
        top = np.minimum(top, np.broadcast_to(np.asarray(cap, dtype=np.float64), (size,)))
    searched = (floor > 0) | (load.calls > 0)  # an interval with no work needs nobody
    hi = np.where(searched, np.nan, 0.0)  # meets
    lo = floor - 1.0  # fails (or lies below the floor)
    live = np.flatnonzero(searched)
    if live.size == 0:
        return hi
    searched_model = model.take(live)  # per-interval parameters of the searched ones
    proxy = searched_model.proxy(load.take(live))
    if proxy is not None:
        base, seen = proxy
        guess = search(base, seen, targets)
        guess = np.where(np.isnan(guess), searched_model.guess(load.take(live), targets), guess)
    else:
        guess = searched_model.guess(load.take(live), targets)
    guess = np.clip(np.maximum(guess, floor[live]), None, top[live])

    def meets(idx: NDArray[np.intp], n: FloatArray) -> NDArray[np.bool_]:
        return np.asarray(model.take(idx).meets(n, load.take(idx), targets), dtype=bool)

    # the guess, and one fewer with it where the model's guess is usually the answer
    fewer = np.flatnonzero(guess - 1.0 > lo[live]) if model.close_guess else live[:0]
    good, fewer_ok = searched_model.meets_and_fewer(guess, fewer, load.take(live), targets)
    hi[live[good]] = guess[good]  # the fewest known to meet (NaN: none yet)
    lo[live[~good]] = np.maximum(lo[live[~good]], guess[~good])  # the most known to miss
    below = live[fewer]
    hi[below[fewer_ok]] = guess[fewer][fewer_ok] - 1.0
    lo[below[~fewer_ok]] = np.maximum(lo[below[~fewer_ok]], guess[fewer][~fewer_ok] - 1.0)
    # down from a guess that meets: steps of 1, 2, 4, ... until one misses
    idx, step = live[good], np.ones(int(good.sum()))
    while idx.size:
        trial = hi[idx] - step
        known = trial <= lo[idx]  # at or below a count known to miss
        idx, trial, step = idx[~known], trial[~known], step[~known]
        if idx.size == 0:
            break
        ok = meets(idx, trial)
        hi[idx[ok]] = trial[ok]
        lo[idx[~ok]] = trial[~ok]
        idx, step = idx[ok], 2.0 * step[ok]
    # up from a guess that misses: steps of 1, 2, 4, ... until one meets, or the cap
    idx, step = live[~good], np.ones(int((~good).sum()))
    for _ in range(_MAX_DOUBLINGS):
        if idx.size == 0:
            break
        trial = np.minimum(lo[idx] + step, top[idx])
        ok = meets(idx, trial)
        hi[idx[ok]] = trial[ok]
        lo[idx[~ok]] = trial[~ok]
        going = ~ok & (trial < top[idx])
        idx, step = idx[going], 2.0 * step[going]
    # bisect each open bracket
    idx = np.flatnonzero(np.isfinite(hi) & (hi - lo > 1))
    while idx.size:
        mid = np.floor((lo[idx] + hi[idx]) / 2)
        ok = meets(idx, mid)
        hi[idx] = np.where(ok, mid, hi[idx])
        lo[idx] = np.where(ok, lo[idx], mid)
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


class _Test(IntervalModel):
    """One count's test as a model of one interval, for :func:`fewest`."""

    def __init__(self, test: Callable[[int], bool], guess: int, lowest: int) -> None:
        self.test, self.first, self.lowest = test, guess, lowest

    def measures(self, agents: FloatArray, load: Load, targets: Targets) -> dict[str, FloatArray]:
        return {}

    def meets(self, agents: FloatArray, load: Load, targets: Targets) -> NDArray[np.bool_]:
        return np.array([self.test(int(n)) for n in agents], dtype=bool)

    def floor(self, load: Load, targets: Targets) -> FloatArray:
        return np.full(len(load), float(self.lowest))

    def guess(self, load: Load, targets: Targets) -> FloatArray:
        return np.full(len(load), float(self.first))


def fewest(
    test: Callable[[int], bool], guess: int, *, lowest: int = 0, cap: int | None = None
) -> int | None:
    """The fewest whole count from ``lowest`` to ``cap`` that passes ``test`` (which more
    never fails once one passes), by the one search from ``guess``; None when even
    ``cap`` fails. For searches whose test is not a queueing model's (deferred work's
    rolling rule)."""
    one = Load(np.ones(1), np.ones(1), 1.0)  # one interval with work; the test is all
    found = search(_Test(test, guess, lowest), one, _ANY, cap=np.inf if cap is None else cap)[0]
    return None if np.isnan(found) else int(found)


# fewest() asks no target of its test; the search still takes a Targets.
_ANY = Targets(service_level=None, max_abandon=1.0)


def staffed(model: IntervalModel, load: Load, targets: Targets) -> FloatArray:
    """:func:`search` with an InputError naming the first interval no staffing meets."""
    model.check_load(load)
    agents = search(model, load, targets)
    missed = np.flatnonzero(np.isnan(agents))
    if missed.size:
        i = int(missed[0])
        top = float(model.cap(load.take(missed[:1]))[0])
        most = "any number of agents" if np.isinf(top) else f"at most {top:g} agents"
        raise InputError(
            f"targets {targets.to_dict()} cannot be met for traffic {float(load.traffic[i])!r} "
            f"Erlangs with {most} ({model!r}, interval {i})"
        )
    if agents.size and float(np.max(agents)) > v.MAX_AGENTS:
        i = int(np.argmax(agents))
        raise InputError(
            f"targets {targets.to_dict()} need {float(agents[i]):,.0f} agents in interval {i} "
            f"({float(load.traffic[i]):g} Erlangs), past the limit of {v.MAX_AGENTS:,} agents "
            "in an interval: check the targets (an occupancy or abandonment limit near 0?)"
        )
    return agents


def required_agents(
    calls: ArrayLike,
    aht: ArrayLike,
    interval: ArrayLike,
    targets: Targets,
    *,
    model: IntervalModel | None = None,
) -> int | IntArray:
    """Smallest number of agents that meets every target, per interval.

    Parameters
    ----------
    calls : offered contacts per interval (>= 0; 0 calls need 0 agents).
    aht : average handle time, seconds (> 0).
    interval : interval length, seconds (> 0).
    targets : the :class:`Targets` to meet.
    model : the queueing model (:mod:`planner.models`): ``ErlangC()`` (the
        default: nobody abandons), ``ErlangA(patience=...)``, ``ErlangX(...)``,
        ``Chat(...)`` or ``Blend(...)``.

    Returns
    -------
    An ``int`` for scalar inputs, else an int64 array of the broadcast shape.

    Examples
    --------
    >>> required_agents(100, 180, 1800, Targets(service_level=0.8, answer_time=20))
    14
    >>> from planner import ErlangA
    >>> required_agents([100, 250], 180, 1800, Targets(), model=ErlangA(patience=300)).tolist()
    [13, 28]
    """
    chosen = checked_model(model, targets)
    load = Load.of(calls, aht, interval)  # checked once, flattened
    shape = np.broadcast_shapes(np.shape(calls), np.shape(aht))
    chosen.check(targets)
    out = staffed(chosen, load, targets).astype(np.int64).reshape(shape)
    return int(out) if out.ndim == 0 else out


def interval_metrics(
    agents: ArrayLike,
    calls: ArrayLike,
    aht: ArrayLike,
    interval: ArrayLike,
    targets: Targets,
    *,
    model: IntervalModel | None = None,
) -> pd.DataFrame:
    """Per-interval measures of a staffing under ``model`` (Erlang C by default):
    ``traffic`` (Erlangs) and the model's measures, service level on
    ``targets.sl_basis`` with threshold ``targets.answer_time``. One row per element
    of the broadcast inputs."""
    chosen = checked_model(model, targets)
    n, c, h = v.broadcast(
        agents=v.count("agents", agents),
        calls=v.nonnegative("calls", calls),
        aht=v.positive("aht", aht),
    )
    load = Load.of(c, h, interval)
    chosen.check_load(load)
    m = chosen.measures(np.ravel(n).astype(np.float64), load, targets)
    return pd.DataFrame({"traffic": load.traffic, **m})


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
    """:func:`scheduled_staff` for validated arrays; past :data:`MAX_AGENTS` people in
    an interval (a shrinkage near 1) is an InputError naming the limit."""
    staff = np.asarray(agents / (1.0 - shrinkage), dtype=np.float64)
    if staff.size and float(np.max(staff)) > v.MAX_AGENTS:
        raise InputError(
            f"scheduled staff would be {float(np.max(staff)):,.0f} people in an interval, past "
            f"the limit of {v.MAX_AGENTS:,}: is the shrinkage ({float(np.max(shrinkage)):.9g}) "
            "right?"
        )
    # Round away float noise first: 14 / 0.7 is 20.000000000000004.
    return np.ceil(np.round(staff, 9)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class BlendedStaffing:
    """What :func:`blended_staffing` found for one interval.

    ``agents`` and ``reserve`` of the blended team, ``items_done`` by it, and the
    separate teams it replaces: ``call_agents`` (the calls' requirement alone) and
    ``item_agents`` (enough to finish the items alone). ``blended`` is False when
    no blend of fewer agents does both, and separate teams are the answer.
    """

    agents: int
    reserve: int
    items_done: float
    call_agents: int
    item_agents: int
    result: BlendResult
    blended: bool = True

    @property
    def saving(self) -> int:
        """Agents the blend saves against separate teams."""
        return self.call_agents + self.item_agents - self.agents


def blended_staffing(
    calls: float,
    aht: float,
    interval: float,
    targets: Targets,
    *,
    items: float,
    item_aht: float,
    patience: float | None = None,
) -> BlendedStaffing:
    """The fewest agents, and the smallest reserve, that meet the call ``targets``
    (service level, ASA, abandonment) and finish ``items`` deferred items in the
    interval (the :class:`~planner.models.Blend` model), beside separate teams: the
    calls' requirement and ``ceil(items x item_aht / interval)`` agents for the items.

    Examples
    --------
    >>> s = blended_staffing(100, 180, 1800, Targets(), items=40, item_aht=600, patience=300)
    >>> s.agents, s.reserve, s.call_agents + s.item_agents
    (25, 3, 27)
    """
    wanted = v.single("items", items, v.nonnegative)
    model = Blend(items=wanted, item_aht=item_aht, patience=patience)
    checked_model(model, targets).check(targets)
    load = Load.of(v.single("calls", calls, v.nonnegative), v.single("aht", aht, v.positive),
                   interval)  # fmt: skip
    seconds = load.interval
    call_agents = int(staffed(erlang_model(patience), load, targets)[0])
    item_agents = int(np.ceil(np.round(wanted * model.item_aht / seconds, 9)))
    top = call_agents + item_agents - 1  # from here on, separate teams do as well
    if call_agents >= 1 and top >= call_agents:
        n = search(model, load, targets, cap=top)[0]
        if np.isfinite(n):
            reserve, r = model.at_staffing(int(n), load, targets)  # the search's own solve
            return BlendedStaffing(int(n), reserve, r.items_done, call_agents, item_agents, r)
    # separate teams: the calls' requirement, and agents for the items alone
    first = max(call_agents, 1)
    calls_only = blend(first, float(load.calls[0]), float(load.aht[0]), seconds,
                       item_aht=model.item_aht, reserve=first, patience=patience,
                       answer_time=targets.answer_time)  # fmt: skip
    return BlendedStaffing(call_agents + item_agents, call_agents, wanted,
                           call_agents, item_agents, calls_only, blended=False)  # fmt: skip
