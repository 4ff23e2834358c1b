"""Blending: phone agents who fill their idle time with deferred work (email, outbound).

``agents`` agents answer calls first; an agent left idle starts a deferred
item (there is always one waiting) as long as more than ``threshold`` agents
stay idle, so that the reserve answers the next calls at once. An agent on an
item finishes it (exponential, mean ``item_aht`` seconds) before taking a
call; waiting callers go to agents as they finish calls or items, first come
first served, and may hang up (exponential patience). The state is (calls on
the lines, agents on items), a two-dimensional Markov chain solved exactly as
a banded system, its states numbered along the short axis of agents on items
(:func:`planner.models._chains.stationary`); a waiting caller's fate follows
the chain of (callers ahead, agents on items) from its arrival.

:func:`blend` gives the calls' service and the items done in one interval;
:class:`Blend` is the model the staffing search uses (the reserve chosen per
staffing), and :func:`planner.blended_staffing` the fewest agents (and their
reserve) that meet the call targets and finish the deferred work, beside
separate teams.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models._chains import Deepest, stationary, uniformization_weights
from planner.models.base import IntervalModel, Load, Measures, per_interval_value
from planner.targets import Targets

__all__ = ["Blend", "BlendResult", "blend"]

_MAX_AGENTS = 400  # the chain holds agents x queue states; beyond, it is slow to solve


@dataclass(frozen=True, slots=True)
class BlendResult:
    """One interval of blended work; call fractions are of offered calls.

    Attributes
    ----------
    service_level : calls answered within T over offered calls.
    asa : mean wait of answered calls, seconds.
    abandon_rate : calls that hang up while waiting.
    p_wait : calls that find no agent free.
    items_done : deferred items finished in the interval.
    occupancy : agents busy (on calls or items) over agents.
    call_occupancy : agents on calls over agents.
    """

    service_level: float
    asa: float
    abandon_rate: float
    p_wait: float
    items_done: float
    occupancy: float
    call_occupancy: float


def _solve(
    n: int, lam: float, mu: float, nu: float, theta: float, reserve: int, queue: int
) -> FloatArray:
    """Stationary distribution ``pi[e, c]``: ``e`` agents on items, ``c`` calls."""
    width = n + queue + 1  # calls 0 .. n + queue
    height = n - reserve + 1  # agents on items 0 .. n - reserve
    size = width * height
    e, c = np.divmod(np.arange(size), width)
    free = n - e  # agents who may take calls

    def settle(cc: np.ndarray, ee: np.ndarray) -> np.ndarray:
        """Agents on items after idle ones beyond the reserve start an item."""
        idle = np.maximum(n - ee - cc, 0)
        return np.minimum(ee + np.maximum(idle - reserve, 0), n - reserve)

    rows, cols, rates = [], [], []

    def add(mask: np.ndarray, cc: np.ndarray, ee: np.ndarray, rate: np.ndarray) -> None:
        keep = mask & (rate > 0)
        rows.append(np.nonzero(keep)[0])
        cols.append((settle(cc, ee) * width + cc)[keep])
        rates.append(rate[keep])

    ones = np.ones(size)
    add(c < width - 1, c + 1, e, lam * ones)  # a call arrives (beyond the cut it is lost)
    add(c > 0, c - 1, e, np.minimum(c, free) * mu)  # a call ends
    add(e > 0, c, e - 1, e * nu)  # an item is done; the agent takes a waiting call or an item
    add(c > free, c - 1, e, np.maximum(c - free, 0) * theta)  # a caller hangs up
    r, col, q = np.concatenate(rows), np.concatenate(cols), np.concatenate(rates)
    # only states the policy leaves agents in (none idle beyond the reserve) are
    # solved for: the others hold no mass, and jumps from them would widen the band
    settled = settle(c, e) == e
    number = np.cumsum(settled) - 1
    live = settled[r]
    r, col, q = number[r[live]], number[col[live]], q[live]
    full_size, size = size, int(settled.sum())
    # a move changes the calls and the agents on items by at most one each: numbered
    # calls first (agents on items within), the band is about the agents' axis
    kept_c, kept_e = c[settled], e[settled]
    order = np.lexsort((kept_e, kept_c))
    position = np.empty(size, dtype=np.int64)
    position[order] = np.arange(size)
    # anchored at a state of large mass: the calls' offered load with the rest of
    # the agents on items (then the largest state found, until the balance holds)
    calls = min(round(lam / mu), width - 1)
    ref = int(number[int(settle(np.array([calls]), np.array([0]))[0]) * width + calls])
    pi = stationary(r, col, q, size, ref, order=position, tries=4)
    out = np.zeros(full_size)
    out[settled] = pi
    return out.reshape(height, width)


def _queue_guess(n: int, lam: float, mu: float, theta: float) -> int:
    """Callers waiting beyond which even ``n`` agents all on calls (Erlang A) leave
    under 1e-13 of the mass, plus a margin: a first cut of the blend's queue, which
    :func:`blend` deepens while its last places hold mass."""
    j = np.arange(1, 20_001, dtype=np.float64)
    log_ratio = np.cumsum(np.log(lam) - np.log(n * mu + j * theta))
    beyond = np.flatnonzero(log_ratio < np.log(1e-13))
    depth = int(beyond[0]) + 1 if beyond.size else 20_000
    return max(32, int(1.25 * depth) + 8)


def _tagged(
    n: int, mu: float, nu: float, theta: float, reserve: int, queue: int, answer_time: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For a caller with ``j`` = 0 .. ``queue`` ahead while ``e`` = 0 .. ``n - reserve``
    agents are on items: P(answered), E[wait; answered] and P(answered within T), as
    arrays ``[e, j]``. A caller's fate depends only on fewer agents on items and fewer
    callers ahead, so every reserve and depth reads a corner of one kept solution
    (the deepest asked for, per team and rates; the last 64 kept)."""

    def solve(kept: tuple[FloatArray, ...] | None) -> tuple[FloatArray, ...]:
        depth = max(-(-(queue + 1) // 128) * 128, 2 * kept[0].shape[1] if kept else 0)
        return _tagged_solve(n, mu, nu, theta, depth - 1, answer_time)

    kept = _TAGGED.get(
        (n, mu, nu, theta, answer_time), lambda kept: kept[0].shape[1] > queue, solve
    )
    rows, cols = n - reserve + 1, queue + 1
    return kept[0][:rows, :cols], kept[1][:rows, :cols], kept[2][:rows, :cols]


_TAGGED = Deepest(64)
_RESERVE_LOCK = threading.Lock()


def _tagged_solve(
    n: int, mu: float, nu: float, theta: float, queue: int, answer_time: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`_tagged` for every count of agents on items (0 .. n), solved."""
    height = n + 1
    e = np.arange(height)[:, None].astype(np.float64)
    j = np.arange(queue + 1)[None, :].astype(np.float64)
    shape = (height, queue + 1)
    calls = np.broadcast_to((n - e) * mu + j * theta, shape)  # a call ends, or one ahead leaves
    items = np.broadcast_to(e * nu, shape)  # an item ends: that agent takes the next caller
    total = calls + items + theta  # and the caller's own patience
    # answered and mean wait by first-step analysis, j increasing (j = -1 means answered);
    # an item ending takes one agent off items (e - 1) as the queue moves up
    answered = np.zeros((height, queue + 1))
    wait = np.zeros((height, queue + 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        up_calls = np.where(total > 0, calls / total, 0.0)
        up_items = np.where(total > 0, items / total, 0.0)
        stay = np.where(total > 0, 1.0 / total, 0.0)
    prev_a, prev_w = np.ones(height), np.zeros(height)
    for jj in range(queue + 1):
        below_a = np.concatenate([prev_a[:1], prev_a[:-1]])  # at e - 1
        below_w = np.concatenate([prev_w[:1], prev_w[:-1]])
        a = up_calls[:, jj] * prev_a + up_items[:, jj] * below_a
        answered[:, jj] = a
        wait[:, jj] = a * stay[:, jj] + up_calls[:, jj] * prev_w + up_items[:, jj] * below_w
        prev_a, prev_w = a, wait[:, jj]
    within = np.zeros((height, queue + 1))
    if answer_time > 0:
        # uniformization: a step at rate q moves the caller up (a call ends, or an
        # item ends and e drops by one), or stays; j = -1 means answered
        q = float(total.max())
        weights = uniformization_weights(q * answer_time)
        p_calls, p_items, p_stay = calls / q, items / q, 1.0 - total / q
        f = np.zeros((height, queue + 1))  # P(answered within N steps)
        g = np.empty_like(f)
        for w in weights[1:]:
            np.multiply(p_stay, f, out=g)
            g[:, 0] += p_calls[:, 0] + p_items[:, 0]
            g[:, 1:] += p_calls[:, 1:] * f[:, :-1]
            g[1:, 1:] += p_items[1:, 1:] * f[:-1, :-1]
            g[0, 1:] += p_items[0, 1:] * f[0, :-1]  # (no agent on items there)
            f, g = g, f
            within += w * f
    return answered, wait, within


def blend(
    agents: int,
    calls: float,
    aht: float,
    interval: float,
    *,
    item_aht: float,
    reserve: int,
    patience: float | None = None,
    answer_time: float = 20.0,
) -> BlendResult:
    """Calls and deferred items on one team for one interval (see the module notes).

    Parameters
    ----------
    agents : agents on duty.
    calls : calls offered in the interval.
    aht : handle time of a call, seconds.
    interval : interval length, seconds.
    item_aht : handle time of a deferred item, seconds.
    reserve : idle agents kept for calls: an agent starts an item only while more
        than ``reserve`` are idle (``agents``: none ever do).
    patience : mean patience of a waiting caller, seconds (None: nobody hangs up).
    answer_time : service-level threshold T, seconds.

    Examples
    --------
    >>> r = blend(16, 100, 180, 1800, item_aht=600, reserve=3, patience=300)
    >>> round(r.service_level, 3), round(r.items_done, 1)
    (0.686, 16.5)
    """
    n = v.whole("agents", agents, 1, _MAX_AGENTS)
    keep = v.whole("reserve", reserve, 0, n)
    lam = v.single("calls", calls, v.nonnegative) / v.single("interval", interval, v.positive)
    mu = 1.0 / v.single("aht", aht, v.positive)
    nu = 1.0 / v.single("item_aht", item_aht, v.positive)
    theta = 0.0 if patience is None else 1.0 / v.single("patience", patience, v.positive)
    t = v.single("answer_time", answer_time, v.nonnegative)
    if lam == 0:  # no calls: every agent beyond the reserve works on items
        return BlendResult(1.0, 0.0, 0.0, 0.0, (n - keep) * nu * float(interval),
                           (n - keep) / n, 0.0)  # fmt: skip
    if theta == 0 and lam >= n * mu:
        raise InputError(
            f"{lam / mu:g} Erlangs of calls on {n} agents never settle without a patience"
        )
    queue = _queue_guess(n, lam, mu, theta)
    while True:  # the queue is cut where its last places hold no mass worth keeping
        pi = _solve(n, lam, mu, nu, theta, keep, queue)
        if pi[:, -8:].sum() < 1e-12:
            break
        if queue > 20_000:
            raise InputError(
                f"the call queue of {n} agents grows past 20,000 callers: add agents, a "
                "patience, or a larger reserve"
            )
        queue *= 2
    height, width = pi.shape
    e = np.arange(height)[:, None]
    c = np.arange(width)[None, :]
    free = n - e
    answered, wait, within = _tagged(n, mu, nu, theta, keep, width - 1, t)
    waiting = c >= free  # an arriving caller finds no agent free
    ahead = np.clip(c - free, 0, width - 1)
    p_ans = np.where(waiting, answered[np.arange(height)[:, None], ahead], 1.0)
    p_within = np.where(waiting, within[np.arange(height)[:, None], ahead], 1.0)
    w = np.where(waiting, wait[np.arange(height)[:, None], ahead], 0.0)
    answered_share = float((pi * p_ans).sum())
    seconds = float(interval)
    busy_calls = float((pi * np.minimum(c, free)).sum())
    on_items = float((pi * e).sum())
    return BlendResult(
        service_level=float((pi * p_within).sum()) if lam > 0 else 1.0,
        asa=float((pi * w).sum()) / answered_share if answered_share > 0 else 0.0,
        abandon_rate=1.0 - answered_share if lam > 0 else 0.0,
        p_wait=min(float(pi[waiting].sum()), 1.0) if lam > 0 else 0.0,  # a sum of parts: <= 1
        items_done=on_items * nu * seconds,
        occupancy=min((busy_calls + on_items) / n, 1.0),
        call_occupancy=busy_calls / n,
    )


@functools.lru_cache(maxsize=4096)
def _blend_kept(
    n: int, calls: float, aht: float, interval: float, item_aht: float, reserve: int,
    patience: float | None, answer_time: float,
) -> BlendResult:  # fmt: skip
    """:func:`blend`, kept: a search asks for one staffing and reserve many times."""
    return blend(n, calls, aht, interval, item_aht=item_aht, reserve=reserve,
                 patience=patience, answer_time=answer_time)  # fmt: skip


_LAST_RESERVE: dict[tuple[object, ...], int] = {}  # a hint only: any value gives the same answer

_BLEND_FIELDS = (
    "service_level", "asa", "abandon_rate", "occupancy", "p_wait", "items_done", "reserve",
    "call_occupancy",
)  # fmt: skip


@dataclass(frozen=True)
class Blend(IntervalModel):
    """Calls and deferred items on one team, as a model (see the module notes).

    ``items`` deferred items must be finished in each interval (one number, or one
    per interval), each taking ``item_aht`` seconds; ``patience`` is the callers'
    mean patience, seconds (None: nobody hangs up). At each staffing the reserve is
    the smallest that meets the call targets (``reserve`` fixes it instead); the
    staffing meets the targets when the calls meet theirs and the items are done.
    An occupancy ceiling is refused: a blended team is busy by design.
    """

    items: float | tuple[float, ...]
    item_aht: float
    patience: float | None = None
    reserve: int | None = None
    name: ClassVar[str] = "blend"
    summary: ClassVar[str] = "blend (calls first, deferred items in the idle time)"
    per_interval: ClassVar[tuple[str, ...]] = ("items",)
    columns: ClassVar[tuple[str, ...]] = (
        "service_level", "asa", "abandon_rate", "occupancy", "items_done", "reserve",
    )  # fmt: skip

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", per_interval_value("items", self.items, v.nonnegative))
        object.__setattr__(self, "item_aht", v.single("item_aht", self.item_aht, v.positive))
        if self.patience is not None:
            object.__setattr__(self, "patience", v.single("patience", self.patience, v.positive))
        if self.reserve is not None:
            object.__setattr__(self, "reserve", v.whole("reserve", self.reserve, 0))

    @property
    def abandons(self) -> bool:
        return self.patience is not None

    def check(self, targets: Targets) -> None:
        super().check(targets)
        if targets.max_occupancy is not None:
            raise InputError("a blended team is busy by design: leave 'max_occupancy' out")

    def _calls_met(self, r: BlendResult, targets: Targets) -> bool:
        found = {"service_level": r.service_level, "asa": r.asa, "abandon_rate": r.abandon_rate}
        return bool(targets.met(found, skip=("occupancy",), abandons=self.abandons))

    def _at(self, n: int, load: Load, i: int, reserve: int, targets: Targets) -> BlendResult:
        return _blend_kept(n, float(load.calls[i]), float(load.aht[i]), load.interval,
                           self.item_aht, reserve, self.patience, targets.answer_time)  # fmt: skip

    def _reserve_for(self, n: int, load: Load, i: int, targets: Targets) -> int:
        """The fewest idle agents kept for calls that meet their targets (more would only
        take time from the items); the service improves with every agent kept. ``n``
        where even keeping every agent for calls misses them. Searched from the
        reserve last found for the interval (a search tries neighbouring staffings)."""
        if self.reserve is not None:
            return min(self.reserve, n)
        key = (float(load.calls[i]), float(load.aht[i]), load.interval, self.item_aht,
               self.patience, targets)  # fmt: skip
        start = min(_LAST_RESERVE.get(key, round(float(np.sqrt(load.traffic[i])))), n)

        def met(k: int) -> bool:
            return self._calls_met(self._at(n, load, i, k, targets), targets)

        fail, meet, step = -1, n, 1  # a bracket: ``fail`` misses (or is -1), ``meet`` meets
        if met(start):
            meet = start
            while meet - step > fail and met(meet - step):
                meet, step = meet - step, 2 * step
            fail = max(fail, meet - step)
        else:
            fail = start
            while fail + step < meet and not met(fail + step):
                fail, step = fail + step, 2 * step
            meet = min(meet, fail + step)
        while meet - fail > 1:
            mid = (meet + fail) // 2
            if met(mid):
                meet = mid
            else:
                fail = mid
        with _RESERVE_LOCK:  # the app runs pages on threads
            _LAST_RESERVE[key] = meet
            if len(_LAST_RESERVE) > 4096:
                _LAST_RESERVE.pop(next(iter(_LAST_RESERVE)))
        return meet

    def at_staffing(
        self, agents: int, load: Load, targets: Targets, i: int = 0
    ) -> tuple[int, BlendResult]:
        """The reserve chosen for ``agents`` (>= 1) in interval ``i``, and the blend it
        gives (kept: asking again after a search solves nothing twice)."""
        keep = self._reserve_for(agents, load, i, targets)
        return keep, self._at(agents, load, i, keep, targets)

    def measures(self, agents: FloatArray, load: Load, targets: Targets) -> Measures:
        v.within("agents", agents, _MAX_AGENTS, "agents on a blended team")
        out = {name: np.zeros(len(load)) for name in _BLEND_FIELDS}
        for i in range(len(load)):
            n = int(agents[i])
            if n == 0:
                calls = load.calls[i] > 0
                out["asa"][i] = np.inf if calls else 0.0
                out["abandon_rate"][i] = 0.0
                out["service_level"][i] = 0.0 if calls else 1.0
                out["p_wait"][i] = 1.0 if calls else 0.0
                continue
            keep, r = self.at_staffing(n, load, targets, i)
            for name in _BLEND_FIELDS:
                out[name][i] = keep if name == "reserve" else getattr(r, name)
        return out

    def meets(self, agents: FloatArray, load: Load, targets: Targets) -> NDArray[np.bool_]:
        m = self.measures(agents, load, targets)
        calls_ok = targets.met(m, skip=("occupancy",), abandons=self.abandons) | (load.calls == 0)
        return calls_ok & (m["items_done"] >= self.param("items", len(load)) - 1e-9)

    def floor(self, load: Load, targets: Targets) -> FloatArray:
        """The agents the work needs at full occupancy: the items' hours and the
        answered calls' (at least the share the targets answer), per interval."""
        items = self.param("items", len(load))
        answered = 1.0
        if self.abandons:
            shares = [0.0]
            if targets.service_level is not None and targets.sl_basis == "offered":
                shares.append(targets.service_level)
            if targets.max_abandon is not None:
                shares.append(1.0 - targets.max_abandon)
            answered = max(shares)
        work = load.traffic * answered + items * self.item_aht / load.interval
        busy = np.where(work > 0, np.ceil(work - 1e-9), 0.0)
        return np.where((load.calls > 0) | (items > 0), np.maximum(busy, 1.0), 0.0)

    def guess(self, load: Load, targets: Targets) -> FloatArray:
        """The floor and about the square root of the calls' load beyond it: the
        reserve the calls need, less the one the floor's rounding gives."""
        extra = np.maximum(np.round(np.sqrt(load.traffic)) - 1.0, 0.0)
        return self.floor(load, targets) + np.where(load.calls > 0, extra, 0.0)

    def cap(self, load: Load) -> FloatArray:
        return np.full(len(load), float(_MAX_AGENTS))
