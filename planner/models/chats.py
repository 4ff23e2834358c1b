"""Chat: agents who hold several conversations at once, each slower as they add one.

Each of ``agents`` agents holds up to ``k`` chats (``k = len(handle)``); an
agent holding ``j`` chats finishes each in ``handle[j - 1]`` seconds on
average (exponential), so finishes chats at rate ``j / handle[j - 1]``.
New chats go to the agents holding fewest, and the chats are taken as spread
evenly (with ``c`` chats in service, ``c mod agents`` agents hold one more than
the rest); with every slot busy a chat waits, first come first served, and
may leave after an exponential patience. The number of chats in the system
is then a birth-death chain, solved in closed form in log space; a waiting
chat's fate follows from the pure-death chain of the queue ahead of it (see
:mod:`planner.models.erlangx`). With ``k = 1`` this is Erlang A (or C without a
patience). Without a patience, more chats than the agents can finish never
settle: service level 0, ASA infinite (as Erlang C reports it).

Occupancy is the share of chat slots in use, as chat calculators report it;
``agents_busy`` is the share of agents holding at least one chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models._chains import waits_upto
from planner.models.base import IntervalModel, Load, Measures
from planner.targets import Targets

__all__ = ["MAX_SLOTS", "Chat", "ChatResult", "chat", "handle_times"]

# Most chat slots (agents x concurrency) in one interval.
MAX_SLOTS = 1_000_000
_FIELDS = (
    "service_level", "answered_within", "asa", "virtual_wait", "abandon_rate", "p_wait",
    "occupancy", "agents_busy", "mean_concurrency",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChatResult:
    """Steady-state measures of a chat interval; fractions are of offered chats.

    Attributes
    ----------
    service_level : answered within T over the basis (``sl_basis``).
    answered_within : chats answered within T over offered chats.
    asa : mean wait of answered chats, seconds.
    virtual_wait : mean wait a chat would have with infinite patience, seconds
        (what chat calculators such as CCmath report as ASA).
    abandon_rate : chats that leave while waiting, over offered chats.
    p_wait : chats that find every slot busy.
    occupancy : chat slots in use over all slots (agents x concurrency).
    agents_busy : agents holding at least one chat, over all agents.
    mean_concurrency : chats per agent holding any.
    """

    service_level: FloatArray
    answered_within: FloatArray
    asa: FloatArray
    virtual_wait: FloatArray
    abandon_rate: FloatArray
    p_wait: FloatArray
    occupancy: FloatArray
    agents_busy: FloatArray
    mean_concurrency: FloatArray


def handle_times(handle: ArrayLike) -> FloatArray:
    """Handle time per concurrency level (1, 2, ... k), seconds, checked: a float
    array of at most 64 levels."""
    h = np.atleast_1d(v.positive("handle", handle)).astype(np.float64)
    if h.ndim != 1 or h.size == 0:
        raise InputError(f"'handle' must be seconds per chat at 1, 2, ... k chats held: {handle!r}")
    if h.size > 64:
        raise InputError(f"'handle' gives {h.size} concurrency levels; at most 64")
    return h


def _service_rates(agents: int, handle: FloatArray, chats: np.ndarray) -> FloatArray:
    """Chats finished per second with ``chats`` in service, spread evenly over agents."""
    k = handle.size
    per_agent = np.concatenate([[0.0], np.arange(1, k + 1) / handle])  # j chats: j / h_j
    q, r = np.divmod(np.minimum(chats, agents * k), max(agents, 1))
    high = np.minimum(q + 1, k)
    return r * per_agent[high] + (agents - r) * per_agent[np.minimum(q, k)]


def _one(
    agents: int, rate: float, handle: FloatArray, theta: float, answer_time: float, basis: str
) -> dict[str, float]:
    """Every measure for one interval: ``rate`` chats per second."""
    k = handle.size
    slots = agents * k
    full = agents * k / handle[-1]  # chats finished per second with every slot busy
    if rate == 0:
        return dict.fromkeys(_FIELDS, 0.0) | {"service_level": 1.0, "answered_within": 1.0}
    if theta == 0 and rate >= full:  # the queue grows without end, as in Erlang C
        return {
            "service_level": 0.0, "answered_within": 0.0, "asa": np.inf,
            "virtual_wait": np.inf, "abandon_rate": 0.0, "p_wait": 1.0, "occupancy": 1.0,
            "agents_busy": 1.0, "mean_concurrency": float(k),
        }  # fmt: skip
    size = slots + 64
    while True:
        c = np.arange(1, size + 1)
        deaths = _service_rates(agents, handle, c) + np.maximum(c - slots, 0) * theta
        with np.errstate(divide="ignore"):
            log_p = np.concatenate(([0.0], np.cumsum(np.log(rate) - np.log(deaths))))
        p = np.exp(log_p - log_p.max())
        p /= p.sum()
        if p[-1] < 1e-15 and p[-16:].sum() < 1e-13:
            break
        if size > slots + 10_000_000:
            raise InputError("the chat queue is too long to solve: add agents")
        size *= 2
    n = np.arange(size + 1)
    queue = p[slots:]
    depth = queue.size
    answered, wait, within, _, virtual_mean = (
        a[:depth] for a in waits_upto(slots, 1.0 / handle[-1], theta, depth, answer_time)
    )
    idle = p[:slots].sum()
    p_answered = idle + float(queue @ answered)
    in_service = np.minimum(n, slots)
    holding = np.minimum(n, agents)  # agents with at least one chat (spread evenly)
    busy_agents = float(holding @ p)
    out = {
        "answered_within": idle + float(queue @ within),
        "asa": float(queue @ wait) / p_answered if p_answered > 0 else 0.0,
        "virtual_wait": float(queue @ virtual_mean),
        "abandon_rate": float(queue @ (1.0 - answered)),
        "p_wait": float(queue.sum()),
        "occupancy": float(in_service @ p) / slots if slots else 0.0,
        "agents_busy": busy_agents / agents if agents else 0.0,
        "mean_concurrency": float(in_service @ p) / busy_agents if busy_agents > 0 else 0.0,
    }
    out["service_level"] = (
        out["answered_within"] if basis == "offered" else out["answered_within"] / p_answered
    )
    return out


def chat(
    agents: ArrayLike,
    chats: ArrayLike,
    handle: ArrayLike,
    interval: float,
    *,
    patience: float | None = None,
    answer_time: float = 20.0,
    sl_basis: str = "offered",
) -> ChatResult:
    """Chat measures per interval (see the module notes); vectorised over ``agents``
    and ``chats``.

    Parameters
    ----------
    agents : chat agents on duty (whole numbers).
    chats : chats offered per interval.
    handle : seconds per chat when an agent holds 1, 2, ... k chats (its length is
        the most chats an agent holds); one number: one chat at a time.
    interval : interval length, seconds.
    patience : mean patience of a waiting chat, seconds (None: nobody leaves).
    answer_time : service-level threshold T, seconds.
    sl_basis : ``"offered"`` or ``"answered"``.

    Examples
    --------
    CCmath's chat example: 4 chats a minute, 3, 3.5 and 4 minutes at 1, 2 and 3
    chats held, 5 agents, patience 1 minute:

    >>> r = chat(5, 240, [180, 210, 240], 3600, patience=60)
    >>> f"{float(r.abandon_rate):.2%}", f"{float(r.occupancy):.2%}"
    ('15.44%', '86.78%')
    >>> round(float(r.virtual_wait) / 60, 2)
    0.22
    """
    h = handle_times(handle)
    n, c = v.broadcast(agents=v.count("agents", agents), chats=v.nonnegative("chats", chats))
    seconds = v.single("interval", interval, v.positive)
    t = v.single("answer_time", answer_time, v.nonnegative)
    theta = 0.0 if patience is None else 1.0 / v.single("patience", patience, v.positive)
    if sl_basis not in ("offered", "answered"):
        raise InputError(f"'sl_basis' for chat must be 'offered' or 'answered': {sl_basis!r}")
    v.within("agents", n * h.size, MAX_SLOTS, "chat slots (agents x concurrency)")
    shape = n.shape
    flat_n, flat_c = np.atleast_1d(n).ravel(), np.atleast_1d(c).ravel()
    out = {name: np.empty(flat_n.size) for name in _FIELDS}
    for i, (agents_i, chats_i) in enumerate(zip(flat_n, flat_c, strict=True)):
        row = _one(int(agents_i), chats_i / seconds, h, theta, t, sl_basis)
        for name in _FIELDS:
            out[name][i] = row[name]
    shaped = {k: val.reshape(shape) for k, val in out.items()}
    return ChatResult(**{k: val if val.ndim else val[()] for k, val in shaped.items()})


@dataclass(frozen=True)
class Chat(IntervalModel):
    """Chat with concurrency as a model: an agent holds up to ``len(handle)`` chats and
    takes ``handle[j - 1]`` seconds a chat while holding ``j``; ``patience`` is the mean
    patience of a waiting chat, seconds (None: nobody leaves).

    ``handle`` gives the shape of the handle times by concurrency; each interval's
    are rescaled so that one chat at a time takes the load's ``aht`` (with the load's
    ``aht`` equal to ``handle[0]``, they are ``handle`` itself). Occupancy is the share
    of chat slots in use; the service-level basis is ``"offered"`` or ``"answered"``.

    Examples
    --------
    CCmath's chat example (4 chats a minute, 3, 3.5 and 4 minutes, 5 agents):

    >>> from planner.models.base import Load
    >>> m = Chat(handle=(180, 210, 240), patience=60).measures(
    ...     np.array([5.0]), Load.of(240, 180, 3600), Targets())
    >>> f"{float(m['abandon_rate'][0]):.2%}"
    '15.44%'
    """

    handle: tuple[float, ...]
    patience: float | None = None
    name: ClassVar[str] = "chat"
    summary: ClassVar[str] = "chat (agents hold several chats, each slower as they add one)"
    columns: ClassVar[tuple[str, ...]] = (
        "service_level", "asa", "virtual_wait", "abandon_rate", "occupancy", "mean_concurrency",
    )  # fmt: skip

    def __post_init__(self) -> None:
        object.__setattr__(self, "handle", tuple(handle_times(self.handle).tolist()))
        if self.patience is not None:
            object.__setattr__(self, "patience", v.single("patience", self.patience, v.positive))

    @property
    def abandons(self) -> bool:
        return self.patience is not None

    @property
    def concurrency(self) -> int:
        """The most chats an agent holds."""
        return len(self.handle)

    def check(self, targets: Targets) -> None:
        super().check(targets)
        if targets.sl_basis not in ("offered", "answered"):
            raise InputError(
                f"'sl_basis' for chat must be 'offered' or 'answered': {targets.sl_basis!r}"
            )

    def _handle(self, aht: float) -> FloatArray:
        h = np.asarray(self.handle)
        return h if aht == h[0] else h * (aht / h[0])

    def measures(self, agents: FloatArray, load: Load, targets: Targets) -> Measures:
        slots = agents * self.concurrency
        v.within("agents", slots, MAX_SLOTS, "chat slots (agents x concurrency)")
        theta = 0.0 if self.patience is None else 1.0 / self.patience
        out = {name: np.empty(len(load)) for name in _FIELDS}
        rate = load.rate  # chats per second, each interval
        for i in range(len(load)):
            row = _one(int(agents[i]), float(rate[i]), self._handle(float(load.aht[i])),
                       theta, targets.answer_time, targets.sl_basis)  # fmt: skip
            for name in _FIELDS:
                out[name][i] = row[name]
        return out

    def meets(self, agents: FloatArray, load: Load, targets: Targets) -> NDArray[np.bool_]:
        ok = super().meets(agents, load, targets)
        if self.patience is None:  # no steady state beyond the slots' pace
            pace = agents * self.concurrency / (load.aht * self.handle[-1] / self.handle[0])
            ok = ok & ((load.rate < pace) | (load.calls == 0))
        return ok

    def guess(self, load: Load, targets: Targets) -> FloatArray:
        # the fluid estimate: every slot busy at the full-concurrency handle time
        full = load.aht * self.handle[-1] / self.handle[0]
        fluid = np.floor(load.rate * full / self.concurrency)
        return np.maximum(fluid, self.floor(load, targets))

    def cap(self, load: Load) -> FloatArray:
        return np.full(len(load), float(MAX_SLOTS // self.concurrency))
