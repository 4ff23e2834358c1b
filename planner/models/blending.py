"""Blending: phone agents who fill their idle time with deferred work (email, outbound).

``agents`` agents answer calls first; an agent left idle starts a deferred
item (there is always one waiting) as long as more than ``threshold`` agents
stay idle, so that the reserve answers the next calls at once. An agent on an
item finishes it (exponential, mean ``item_aht`` seconds) before taking a
call; waiting callers go to agents as they finish calls or items, first come
first served, and may hang up (exponential patience). The state is (calls on
the lines, agents on items), a two-dimensional Markov chain solved exactly
(banded, as :mod:`planner.models.erlangx` does); a waiting caller's fate follows the
chain of (callers ahead, agents on items) from its arrival.

:func:`blend` gives the calls' service and the items done in one interval;
:class:`Blend` is the model the staffing search uses (the reserve chosen per
staffing), and :func:`planner.blended_staffing` the fewest agents (and their
reserve) that meet the call targets and finish the deferred work, beside
separate teams.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models._chains import uniformization_weights
from planner.models.base import IntervalModel, Load, Measures, per_interval_value
from planner.models.erlang import erlang_model
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
    moved = (col != r) & settled[r]  # an item done with nobody waiting starts another
    r, col, q = number[r[moved]], number[col[moved]], q[moved]
    full_size, size = size, int(settled.sum())
    out_rate = np.bincount(r, weights=q, minlength=size)
    # balance equations, banded along the calls; one state's equation is replaced by
    # pi = 1 there. It must be a state of large mass (a tiny one leaves the others
    # beyond floating point): the calls' offered load with the rest of the agents on
    # items, then the largest state of that solution, until the balance holds.
    i, j = col, r
    band = max(int(np.abs(i - j).max(initial=0)), 1)
    calls = min(round(lam / mu), width - 1)
    ref = int(number[int(settle(np.array([calls]), np.array([0]))[0]) * width + calls])
    for _ in range(4):
        keep = i != ref
        cells = (band + i[keep] - j[keep]) * size + j[keep]
        ab = np.bincount(cells, weights=q[keep], minlength=(2 * band + 1) * size)
        ab = ab.reshape(2 * band + 1, size)
        diagonal = -out_rate.copy()
        diagonal[ref] = 1.0
        ab[band] += diagonal
        rhs = np.zeros(size)
        rhs[ref] = 1.0
        pi = np.clip(linalg.solve_banded((band, band), ab, rhs, check_finite=False), 0, None)
        pi /= pi.sum()
        inflow = np.bincount(i, weights=q * pi[j], minlength=size)
        if np.abs(inflow - out_rate * pi).max() <= 1e-10 * max(
            float((out_rate * pi).max()), 1e-300
        ):
            break
        ref = int(np.argmax(pi))
    out = np.zeros(full_size)
    out[settled] = pi
    return out.reshape(height, width)


def _tagged(
    n: int, mu: float, nu: float, theta: float, reserve: int, queue: int, answer_time: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For a caller with ``j`` ahead while ``e`` agents are on items: P(answered),
    E[wait; answered] and P(answered within T), as arrays ``[e, j]``."""
    height = n - reserve + 1
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
        q = float(total.max())
        weights = uniformization_weights(q * answer_time)
        f = np.zeros((height, queue + 1))  # P(answered within N steps)
        for w in weights[1:]:
            shifted_c = np.concatenate([np.ones((height, 1)), f[:, :-1]], axis=1)
            shifted_i = np.concatenate([np.ones((height, 1)), f[:, :-1]], axis=1)
            shifted_i = np.concatenate([shifted_i[:1], shifted_i[:-1]], axis=0)
            f = (calls / q) * shifted_c + (items / q) * shifted_i + (1 - total / q) * f
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
    queue = 32
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
        where even keeping every agent for calls misses them."""
        if self.reserve is not None:
            return min(self.reserve, n)
        fail, meet = -1, n
        while meet - fail > 1:
            mid = (meet + fail) // 2
            if self._calls_met(self._at(n, load, i, mid, targets), targets):
                meet = mid
            else:
                fail = mid
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
        items = self.param("items", len(load))
        return np.where((load.calls > 0) | (items > 0), 1.0, 0.0)

    def proxy(self, load: Load) -> tuple[IntervalModel, Load]:
        """The calls alone (Erlang A, or C without a patience): a blend needs at least
        their requirement."""
        return erlang_model(self.patience), load

    def cap(self, load: Load) -> FloatArray:
        return np.full(len(load), float(_MAX_AGENTS))
