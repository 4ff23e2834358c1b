"""Erlang X: abandonment, redials, a finite number of lines, repeat contacts and
forecast uncertainty, exact from the continuous-time Markov chain.

The chain's state is ``(n, m)``: ``n`` callers on the lines (talking or
waiting, at most ``lines``) and ``m`` callers in the redial orbit. Fresh calls
arrive at rate ``lam``; a call finding every line busy is blocked; waiting
callers are answered first come first served by ``agents`` agents (handle
times exponential with mean ``aht``) or hang up (patience exponential with
mean ``patience``). A blocked or abandoned attempt redials with probability
``redial_probability`` after an exponential delay of mean ``redial_delay``;
a blocked redial tries again with the same probability. Without redials the
orbit is empty and the chain is a birth-death process solved in closed form
(log space); with redials its balance equations are solved as a banded
linear system (LAPACK), the states numbered along the shorter axis first.

Measures are per attempt (a redial is a call the ACD counts again), from
what each attempt sees on arrival: fresh calls see the stationary
distribution (PASTA), redials see it weighted by the orbit size. A waiting
caller with ``j`` callers ahead moves up at rate ``agents / aht + j /
patience`` and hangs up at rate ``1 / patience``; its chance of being
answered (within T), its mean wait and its virtual wait (the wait it would
have had with infinite patience) follow from that pure-death chain.

Truncation: the orbit (and with unlimited lines, the lines) are cut where the
stationary mass of the outermost states, times the tail they imply, is below
``tolerance``; ``truncated_mass`` reports that bound, and a chain that cannot
meet it within ``MAX_STATES`` states is an InputError.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import _kernels as kernels
from planner.models._chains import stationary, waits_upto
from planner.models.base import IntervalModel, Load, Measures
from planner.models.erlang import erlang_model
from planner.targets import Targets

__all__ = ["MAX_STATES", "ErlangX", "ErlangXResult", "SLDefinition", "erlang_x"]

SLDefinition = Literal["offered", "answered", "virtual"]
# Largest chain solved (lines x orbit states); beyond, the error says which limit to change.
MAX_STATES = 2_000_000
# Lines past which a limit the queue never reaches is solved as no limit.
_FEW_LINES = 10_000
_FIELDS = (
    "service_level", "answered_within", "virtual_within", "asa", "virtual_wait", "abandon_rate",
    "abandon_first", "blocking", "occupancy", "redial_share", "repeat_share",
    "fresh_traffic", "offered_traffic", "truncated_mass",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ErlangXResult:
    """Steady-state measures of the Erlang X model; fractions are of offered
    attempts (fresh calls, redials and repeats) unless named otherwise.

    Attributes
    ----------
    service_level : by ``sl_definition``: answered within T over offered
        (``"offered"``), over answered (``"answered"``), or the share whose
        virtual wait is within T (``"virtual"``).
    answered_within : attempts answered within T over offered attempts.
    virtual_within : attempts whose virtual wait (infinite patience) is within
        T, over offered attempts (blocked attempts are not within T).
    asa : mean wait of answered attempts, seconds.
    virtual_wait : mean virtual wait (infinite patience) of attempts that get a
        line, seconds; what CCmath reports as ASA.
    abandon_rate : attempts that hang up while waiting, over offered attempts.
    abandon_first : the same for first attempts (fresh calls) only.
    blocking : attempts that find every line busy, over offered attempts.
    occupancy : busy time over available agent time.
    redial_share : redials over offered attempts.
    repeat_share : repeat contacts (answered but unresolved calls that call
        again) over fresh calls, first contacts and repeats together.
    fresh_traffic : fresh calls (first contacts and repeats) times AHT, Erlangs.
    offered_traffic : all offered attempts times AHT, Erlangs.
    truncated_mass : bound on the stationary mass the truncation left out.
    """

    service_level: FloatArray
    answered_within: FloatArray
    virtual_within: FloatArray
    asa: FloatArray
    virtual_wait: FloatArray
    abandon_rate: FloatArray
    abandon_first: FloatArray
    blocking: FloatArray
    occupancy: FloatArray
    redial_share: FloatArray
    repeat_share: FloatArray
    fresh_traffic: FloatArray
    offered_traffic: FloatArray
    truncated_mass: FloatArray


def _birth_death(lam: float, agents: int, mu: float, theta: float, lines: int) -> FloatArray:
    """Stationary distribution of callers on the lines without redials (log space)."""
    n = np.arange(1, lines + 1, dtype=np.float64)
    deaths = np.minimum(n, agents) * mu + np.maximum(n - agents, 0.0) * theta
    with np.errstate(divide="ignore"):
        log_p = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(deaths))))
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def _lines_needed(lam: float, agents: int, mu: float, theta: float, tolerance: float) -> int:
    """Lines beyond which the birth-death chain with arrival rate ``lam`` holds less than
    ``tolerance`` of its mass (the chain's tail decays at least geometrically)."""
    load = lam / mu
    size = max(agents + 16, int(load + 12 * np.sqrt(load)) + 16, 64)
    while True:
        p = _birth_death(lam, agents, mu, theta, size)
        tail = np.cumsum(p[::-1])[::-1]
        beyond = np.nonzero(tail < tolerance * 1e-3)[0]
        if beyond.size:
            return max(int(beyond[0]), agents + 1)
        if size > MAX_STATES:
            raise InputError(
                "the queue is too long to solve exactly: more agents, or a finite 'lines'"
            )
        size *= 2


def _orbit_solution(
    lam: float,
    agents: int,
    mu: float,
    theta: float,
    lines: int,
    redial: float,
    gamma: float,
    orbit: int,
    low: int = 0,
    mode: tuple[int, int] = (0, 0),
) -> FloatArray:
    """Stationary distribution ``pi[m, n]`` with the orbit held to ``orbit`` callers (a
    redial that would exceed it is dropped) and at least ``low`` callers on the lines
    (a departure below is not made: the states below hold no mass worth keeping);
    ``mode`` = (m, n) is a state of large mass, where the solution is anchored."""
    width = lines - low + 1
    size = width * (orbit + 1)
    m, k = np.divmod(np.arange(size), width)
    n = low + k
    reference = min(mode[0], orbit) * width + min(max(mode[1] - low, 0), width - 1)
    rows, cols, rates = [], [], []

    def add(mask: np.ndarray, dn: int, dm: int, rate: FloatArray | float) -> None:
        values = np.broadcast_to(rate, m.shape)[mask]
        keep = values > 0
        src = np.nonzero(mask)[0][keep]
        rows.append(src)
        cols.append(src + dn + dm * width)
        rates.append(values[keep])

    free = n < lines
    add(free, 1, 0, lam)  # a fresh call takes a line
    add(~free & (m < orbit), 0, 1, lam * redial)  # blocked, will redial
    add(free & (m > 0), 1, -1, m * gamma)  # a redial takes a line
    add(~free & (m > 0), 0, -1, m * gamma * (1.0 - redial))  # blocked redial gives up
    above = n > low
    add(above, -1, 0, np.minimum(n, agents) * mu)  # answered call ends
    waiting = np.maximum(n - agents, 0) * theta
    add(above & (n > agents) & (m < orbit), -1, 1, waiting * redial)  # hangs up, will redial
    gone = np.where(m < orbit, 1.0 - redial, 1.0)
    add(above & (n > agents), -1, 0, waiting * gone)  # hangs up for good
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    q = np.concatenate(rates)
    # banded: states numbered along the shorter axis first, so every transition stays
    # within a band of that axis's length; anchored at the state with the most mass
    # by the chain without an orbit
    if orbit + 1 < width:  # number the orbit first
        order = (np.arange(size) % width) * (orbit + 1) + np.arange(size) // width
    else:
        order = np.arange(size)
    pi = stationary(r, c, q, size, reference, order=order).reshape(orbit + 1, width)
    out = np.zeros((orbit + 1, lines + 1))
    out[:, low:] = pi / pi.sum()
    return out


def _tail_bound(mass: FloatArray) -> float:
    """Mass beyond the last entry of a distribution along one axis, bounded by a
    geometric tail fitted to its last two entries (the last entry when it rises)."""
    last, before = float(mass[-1]), float(mass[-2]) if mass.size > 1 else 0.0
    if before <= 0 or last >= before:
        return last if last > 0 else 0.0
    ratio = last / before
    return last * ratio / (1.0 - ratio)


@dataclass(frozen=True, slots=True)
class _Case:
    """One interval's parameters but its arrival rate (seconds; see :func:`erlang_x`)."""

    agents: int
    aht: float
    patience: float
    lines: int | None
    redial: float
    redial_delay: float
    answer_time: float
    tolerance: float


def _one(lam: float, case: _Case) -> dict[str, float]:
    """Every measure for arrival rate ``lam`` (per second) in ``case``."""
    agents, aht, patience, lines = case.agents, case.aht, case.patience, case.lines
    redial, redial_delay = case.redial, case.redial_delay
    answer_time, tolerance = case.answer_time, case.tolerance
    if lam == 0:  # nobody calls: nothing is missed, nobody waits
        nothing = ("wait", "virtual_wait", "abandon_rate", "abandon_first", "blocking", "busy",
                   "attempts", "redials", "truncated_mass")  # fmt: skip
        return dict.fromkeys(
            ("answered_within", "virtual_within", "answered"), 1.0
        ) | dict.fromkeys(nothing, 0.0)
    mu = 1.0 / aht
    theta = 0.0 if np.isinf(patience) else 1.0 / patience
    gamma = 1.0 / redial_delay
    if theta == 0 and lines is None and lam * aht >= agents:
        raise InputError(
            f"{lam * aht:g} Erlangs on {agents} agents never settles without abandonment "
            "or a limit on lines: add agents, a patience or 'lines'"
        )
    upper = lam / (1.0 - redial) if redial > 0 else lam  # attempts, on average at most
    if lines is not None and lines > _FEW_LINES:
        # lines the queue never reaches (where callers hang up, or agents keep up) are no
        # limit: the chain is cut where its mass is below the tolerance, as without lines
        if theta == 0 and upper * aht >= agents:
            if lines > MAX_STATES:
                raise InputError(
                    f"{lines:,} lines fill up when callers never hang up and {agents} agents "
                    f"cannot keep up: at most {MAX_STATES:,} lines are solved; add agents, "
                    "a patience or fewer 'lines'"
                )
        elif _lines_needed(upper, agents, mu, theta, tolerance) < lines:
            lines = None
    size = lines if lines is not None else _lines_needed(upper, agents, mu, theta, tolerance)
    truncated = 0.0
    if redial == 0:
        chain = _birth_death(lam, agents, mu, theta, size)
        pi = chain[None, :]
        if lines is None:
            truncated = _tail_bound(chain)
    else:
        # the orbit's mean is the redials per second times the delay; redials are a
        # share of the calls lost (blocked or hung up): a fixed point on the chain
        # without an orbit, fed the fresh calls and the redials
        n = np.arange(size + 1)
        retry = 0.0
        for _ in range(50):
            alone = _birth_death(lam + retry, agents, mu, theta, size)
            lost = theta * float(np.maximum(n - agents, 0) @ alone)
            lost += (lam + retry) * float(alone[-1]) if lines is not None else 0.0
            settled = abs(redial * lost - retry) <= 1e-3 * retry
            retry = redial * lost
            if settled:
                break
        mean = retry * redial_delay
        orbit = int(mean + 14 * np.sqrt(mean) + 16)
        if lines is None:  # lines for the fresh calls and the redials (grown if short)
            size = min(size, _lines_needed(lam + retry, agents, mu, theta, tolerance))
            alone = _birth_death(lam + retry, agents, mu, theta, size)
        # the fewest callers on the lines worth keeping: below, the chain fed every
        # fresh call and redial holds a negligible mass
        below = np.cumsum(alone)
        low = int(np.nonzero(below >= tolerance * 1e-3)[0][0]) if lam > 0 else 0
        low = min(low, agents)
        while True:
            if (orbit + 1) * (size - low + 1) > MAX_STATES:
                raise InputError(
                    f"the redial orbit needs more than {MAX_STATES:,} states to solve "
                    "exactly: a lower 'redial_probability', a shorter 'redial_delay' or "
                    "fewer 'lines'"
                )
            mode = (int(mean), int(np.argmax(alone)))
            pi = _orbit_solution(lam, agents, mu, theta, size, redial, gamma, orbit, low, mode)
            in_orbit = _tail_bound(pi.sum(axis=1))
            marginal = pi.sum(axis=0)
            on_lines = _tail_bound(marginal) if lines is None else 0.0
            under = _tail_bound(marginal[low:][::-1]) if low > 0 else 0.0
            truncated = in_orbit + on_lines + under
            if truncated < tolerance:
                break
            if in_orbit >= tolerance / 3:
                orbit = int(orbit * 1.5) + 1
            if on_lines >= tolerance / 3:
                size = int(size * 1.5) + 1
            if under >= tolerance / 3:
                low //= 2
    m = np.arange(pi.shape[0], dtype=np.float64)
    fresh_seen = pi.sum(axis=0)
    retry = gamma * float(m @ pi.sum(axis=1))  # redials per second
    redial_seen = (m * gamma) @ pi / retry if retry > 0 else np.zeros_like(fresh_seen)
    attempts = lam + retry
    seen = (lam * fresh_seen + retry * redial_seen) / attempts
    n_max = pi.shape[1] - 1
    last = n_max if lines is not None else n_max + 1  # with unlimited lines nobody is blocked
    depth = max(last - agents, 0)  # places in the queue: j = 0 .. depth - 1 ahead
    answered, wait, within, virtual, virtual_mean = (
        a[:depth] for a in waits_upto(agents, mu, theta, depth, answer_time)
    )
    idle = seen[: min(agents, last)].sum()  # answered at once
    queue = seen[agents:last] if last > agents else np.zeros(0)
    q_fresh = fresh_seen[agents:last] if last > agents else np.zeros(0)
    k = queue.size
    blocked = float(seen[n_max]) if lines is not None else 0.0
    p_answered = idle + float(queue @ answered[:k])
    n_axis = np.arange(n_max + 1)
    return {
        "answered_within": idle + float(queue @ within[:k]),
        "virtual_within": idle + float(queue @ virtual[:k]),
        "answered": p_answered,
        "wait": float(queue @ wait[:k]),
        "virtual_wait": float(queue @ virtual_mean[:k]) / (1.0 - blocked) if blocked < 1 else 0.0,
        "abandon_rate": float(queue @ (1.0 - answered[:k])),
        "abandon_first": float(q_fresh @ (1.0 - answered[:k])),
        "blocking": blocked,
        "busy": float(np.minimum(n_axis, agents) @ fresh_seen),
        "attempts": attempts,
        "redials": retry,
        "truncated_mass": truncated,
    }


def erlang_x(
    agents: ArrayLike,
    traffic: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    *,
    answer_time: ArrayLike = 20.0,
    lines: int | None = None,
    redial_probability: float = 0.0,
    redial_delay: float = 300.0,
    fcr: float = 1.0,
    volume_cv: float = 0.0,
    sl_definition: SLDefinition = "offered",
    tolerance: float = 1e-9,
) -> ErlangXResult:
    """Exact Erlang X measures (see the module notes); vectorised over the inputs.

    Parameters
    ----------
    agents : agents on the phones (whole number >= 0).
    traffic : offered load of first contacts, Erlangs (calls per second x AHT).
    aht : average handle time, seconds (> 0).
    patience : mean patience, seconds (> 0; ``numpy.inf``: nobody hangs up).
    answer_time : service-level threshold T, seconds (>= 0).
    lines : most callers on the lines at once (talking or waiting); ``None``
        for no limit.
    redial_probability : chance a blocked or abandoned attempt calls again, [0, 1).
    redial_delay : mean time before a redial, seconds (> 0).
    fcr : first-contact resolution: the share of answered calls that do not come
        back; the rest call again as new calls (the added load is solved to a
        fixed point), in (0, 1].
    volume_cv : forecast uncertainty: the arrival rate is lognormal around the
        forecast with this coefficient of variation, and the measures are
        averaged over it (weighted by attempts, answered calls or time as each
        measure is defined).
    sl_definition : ``"offered"``, ``"answered"`` or ``"virtual"``.
    tolerance : most stationary mass the truncation may leave out.

    Examples
    --------
    CCmath's Erlang X example: 4 calls a minute, AHT 3 min, 14 agents,
    T = 20 s, patience 1 min, 100 lines:

    >>> r = erlang_x(14, 12.0, 180, 60, answer_time=20, lines=100, sl_definition="virtual")
    >>> f"{float(r.service_level):.3%}", f"{float(r.abandon_rate):.2%}"
    ('87.976%', '7.43%')
    >>> round(float(r.virtual_wait) / 60, 2), round(float(r.occupancy), 4)
    (0.1, 0.7934)
    """
    arrays = v.broadcast(
        agents=v.count("agents", agents),
        traffic=v.nonnegative("traffic", traffic),
        aht=v.positive("aht", aht),
        patience=_patience(patience),
        answer_time=v.nonnegative("answer_time", answer_time),
    )
    if lines is not None and (
        isinstance(lines, bool) or not isinstance(lines, int | np.integer) or lines < 1
    ):
        raise InputError(f"'lines' must be a whole number >= 1, or None: {lines!r}")
    redial = _scalar("redial_probability", redial_probability)
    if not 0 <= redial < 1:
        raise InputError(f"'redial_probability' must be in [0, 1): {redial_probability!r}")
    delay = float(v.positive("redial_delay", _scalar("redial_delay", redial_delay)))
    resolved = float(v.fraction("fcr", _scalar("fcr", fcr)))
    cv = float(v.nonnegative("volume_cv", _scalar("volume_cv", volume_cv)))
    tol = float(v.positive("tolerance", _scalar("tolerance", tolerance)))
    if sl_definition not in ("offered", "answered", "virtual"):
        raise InputError(
            f"'sl_definition' must be 'offered', 'answered' or 'virtual': {sl_definition!r}"
        )
    shape = arrays[0].shape
    flat = [np.atleast_1d(x).ravel() for x in arrays]
    if lines is not None and np.any(flat[0] > lines):
        raise InputError(f"'agents' exceeds 'lines' ({lines}): agents need a line each")
    out = {name: np.empty(flat[0].size) for name in _FIELDS}
    for i, (n, a, h, p, t) in enumerate(zip(*flat, strict=True)):
        row = _row(int(n), float(a), float(h), float(p), float(t), lines, redial, delay,
                   resolved, cv, sl_definition, tol)  # fmt: skip
        for name, value in zip(_FIELDS, row, strict=True):
            out[name][i] = value
    fields = {k: val.reshape(shape) for k, val in out.items()}
    return ErlangXResult(**{k: val if val.ndim else val[()] for k, val in fields.items()})


@functools.lru_cache(maxsize=4096)
def _row(
    n: int, a: float, h: float, p: float, t: float, lines: int | None, redial: float,
    delay: float, resolved: float, cv: float, definition: str, tol: float,
) -> tuple[float, ...]:  # fmt: skip
    """One interval's measures in :data:`_FIELDS` order, kept (a search and a page
    rerun ask for the same staffing again; each solve can take seconds)."""
    nodes, weights = _volume_nodes(cv)
    # the busiest node first: its queue is the deepest, and the others' waiting
    # figures are a prefix of its (see waits_upto)
    parts = [
        _with_repeats(a * f / h, _Case(n, h, p, lines, redial, delay, t, tol), resolved)
        for f in nodes[::-1]
    ][::-1]
    row = _combine(parts, weights, n, h, definition)
    return tuple(float(row[name]) for name in _FIELDS)


def _with_repeats(lam: float, case: _Case, fcr: float) -> dict[str, float]:
    """:func:`_one` with the fresh rate raised by repeat contacts to its fixed point:
    ``fresh = lam + (1 - fcr) x answered(fresh)``, found by secant steps on the gap
    (the answered rate is smooth and grows slower than the fresh rate)."""

    def at(fresh: float) -> tuple[dict[str, float], float]:
        parts = _one(fresh, case)
        return parts, lam + (1.0 - fcr) * parts["attempts"] * parts["answered"] - fresh

    parts, gap = at(lam)
    if fcr == 1.0 or lam == 0:
        return parts | {"fresh": lam, "first": lam}
    # first step: as if the answered share stayed what it is at lam
    x0, g0 = lam, gap
    x1 = lam / max(1.0 - gap / lam, fcr)
    for _ in range(100):
        parts, g1 = at(x1)
        if abs(g1) <= 1e-8 * lam:
            return parts | {"fresh": x1, "first": lam}
        slope = (g1 - g0) / (x1 - x0) if x1 != x0 else -1.0
        x0, g0 = x1, g1
        x1 = x1 - g1 / slope if slope < 0 else x1 + g1
    raise InputError("repeat contacts did not settle: check 'fcr'")  # pragma: no cover


def _combine(
    parts: list[dict[str, float]], weights: FloatArray, agents: int, aht: float, definition: str
) -> dict[str, float]:
    """Average the measures over the volume nodes, each by what it is a share of."""
    w = np.asarray(weights)
    attempts = np.array([p["attempts"] for p in parts])
    per_attempt = w * attempts
    total = per_attempt.sum()

    def share(key: str) -> float:
        values = np.array([p[key] for p in parts])
        return float(per_attempt @ values / total) if total > 0 else 0.0

    answered_rate = w @ np.array([p["attempts"] * p["answered"] for p in parts])
    waited = w @ np.array([p["attempts"] * p["wait"] for p in parts])
    fresh = w @ np.array([p["fresh"] for p in parts])
    first = w @ np.array([p["first"] for p in parts])
    fresh_attempts = w @ np.array([p["fresh"] * p["abandon_first"] for p in parts])
    out = {
        "answered_within": share("answered_within"),
        "virtual_within": share("virtual_within"),
        "asa": float(waited / answered_rate) if answered_rate > 0 else 0.0,
        "virtual_wait": share("virtual_wait"),
        "abandon_rate": share("abandon_rate"),
        "abandon_first": float(fresh_attempts / fresh) if fresh > 0 else 0.0,
        "blocking": share("blocking"),
        "occupancy": float(w @ np.array([p["busy"] for p in parts]) / agents) if agents else 0.0,
        "redial_share": share("redials") / share("attempts") if total > 0 else 0.0,
        "repeat_share": float((fresh - first) / fresh) if fresh > 0 else 0.0,
        "fresh_traffic": float(fresh * aht),
        "offered_traffic": float(w @ attempts * aht),
        "truncated_mass": max(p["truncated_mass"] for p in parts),
    }
    answered = share("answered")
    out["service_level"] = {
        "offered": out["answered_within"],
        "answered": out["answered_within"] / answered if answered > 0 else 1.0,
        "virtual": out["virtual_within"],
    }[definition]
    return out


def _volume_nodes(cv: float) -> tuple[FloatArray, FloatArray]:
    """Multipliers of the arrival rate and their weights: a lognormal with mean 1 and
    coefficient of variation ``cv`` (Gauss-Hermite, 11 nodes less the outermost two
    pairs, whose weights are below 1e-5), or 1 itself."""
    if cv == 0:
        return np.ones(1), np.ones(1)
    x, w = np.polynomial.hermite_e.hermegauss(11)
    w = w / w.sum()
    keep = w > 1e-5  # the outermost nodes weigh nothing a staffing decision could see
    sigma = np.sqrt(np.log1p(cv * cv))
    return np.exp(sigma * x[keep] - sigma * sigma / 2), w[keep] / w[keep].sum()


def _patience(value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else value
    if isinstance(arr, str) or not np.all((arr > 0) | np.isinf(arr)) or np.any(np.isnan(arr)):
        raise InputError(f"'patience' must be > 0 seconds (inf: nobody hangs up): {value!r}")
    return arr


def _scalar(name: str, value: Any) -> float:
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise InputError(f"'{name}' must be a single number: {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"'{name}' must be a single number: {value!r}") from None


@dataclass(frozen=True, kw_only=True)
class ErlangX(IntervalModel):
    """The Erlang X model: callers' behaviour beyond Erlang A (redials, lines, repeat
    contacts, forecast uncertainty), for staffing with :func:`planner.required_agents`,
    :func:`planner.requirements` and scenarios. Fields as :func:`erlang_x`;
    ``patience`` None (or ``inf``) means nobody hangs up, and may hold one value per
    interval. ``sl_definition`` None follows the targets' ``sl_basis`` (``"offered"``
    or ``"answered"``). ``repeat_delay`` (mean seconds before a repeat contact) is for
    simulation: the chain is the steady state, where it does not matter. In
    simulation ``volume_cv`` is not used (its day-to-day volume uncertainty is the
    scenario's ``dispersion``).

    A scenario's ``[erlang_x]`` table holds the callers' behaviour without the
    patience, which is the scenario's own.
    """

    patience: float | tuple[float, ...] | None = None
    lines: int | None = None
    redial_probability: float = 0.0
    redial_delay: float = 300.0
    fcr: float = 1.0
    repeat_delay: float = 3600.0
    volume_cv: float = 0.0
    sl_definition: SLDefinition | None = None

    name: ClassVar[str] = "Erlang X"
    summary: ClassVar[str] = (
        "Erlang X (the exact chain of callers on the lines and in the redial orbit: redials, "
        "repeat contacts and lines; every attempt counts as a call)"
    )
    per_interval: ClassVar[tuple[str, ...]] = ("patience",)
    columns: ClassVar[tuple[str, ...]] = (
        "service_level", "asa", "occupancy", "abandon_rate", "blocking", "redial_share",
        "repeat_share", "offered_traffic",
    )  # fmt: skip

    def __post_init__(self) -> None:
        # the checks of erlang_x itself, on a case that needs no work
        erlang_x(0, 0.0, 1.0, 1.0, answer_time=0.0, **self._options("offered"))
        if self.patience is not None:
            patience = _patience(self.patience)
            value = float(patience) if patience.ndim == 0 else tuple(patience.tolist())
            object.__setattr__(self, "patience", value)
        if self.lines is not None:
            object.__setattr__(self, "lines", int(self.lines))
        for name in ("redial_probability", "redial_delay", "fcr", "volume_cv"):
            object.__setattr__(self, name, float(getattr(self, name)))
        delay = _scalar("repeat_delay", self.repeat_delay)
        object.__setattr__(self, "repeat_delay", float(v.positive("repeat_delay", delay)))

    def _options(self, definition: str) -> dict[str, Any]:
        return {
            "lines": self.lines, "redial_probability": self.redial_probability,
            "redial_delay": self.redial_delay, "fcr": self.fcr, "volume_cv": self.volume_cv,
            "sl_definition": self.sl_definition or definition,
        }  # fmt: skip

    def callers(self) -> ErlangX:
        """The callers' behaviour alone: this model without its patience (what a
        scenario's ``[erlang_x]`` table holds)."""
        return dataclasses.replace(self, patience=None)

    @property
    def abandons(self) -> bool:
        return self.patience is not None and bool(np.all(np.isfinite(self.patience)))

    def definition(self, sl_basis: str) -> str:
        """The service-level definition for targets on ``sl_basis``."""
        if self.sl_definition is not None:
            return self.sl_definition
        if sl_basis not in ("offered", "answered"):
            raise InputError(
                f"Erlang X reports service level over offered or answered calls (or the "
                f"virtual wait), not {sl_basis!r}: set 'sl_basis' or the model's 'sl_definition'"
            )
        return sl_basis

    def check(self, targets: Targets) -> None:
        super().check(targets)
        self.definition(targets.sl_basis)

    def measures(self, agents: FloatArray, load: Load, targets: Targets) -> Measures:
        patience = np.inf if self.patience is None else self.param("patience", len(load))
        r = erlang_x(
            agents, load.traffic, load.aht, patience, answer_time=targets.answer_time,
            **self._options(self.definition(targets.sl_basis)),
        )  # fmt: skip
        return {name: np.atleast_1d(getattr(r, name)) for name in _FIELDS}

    def meets(self, agents: FloatArray, load: Load, targets: Targets) -> NDArray[np.bool_]:
        """As every model's, but without redials, repeat contacts or a limit on lines
        the chain is Erlang A's (over the volume nodes): its closed forms then
        decide, vectorised, instead of a chain per interval."""
        definition = self.definition(targets.sl_basis)
        if (
            definition == "virtual"
            or not self.abandons
            or self.lines is not None
            or (self.redial_probability > 0 or self.fcr < 1.0)
        ):
            return super().meets(agents, load, targets)
        m = self._erlang_a_mix(
            agents, load, targets.answer_time, definition, with_asa=targets.asa is not None
        )
        met = targets.met(m, abandons=True)
        return np.broadcast_to(met, agents.shape) | (load.calls == 0)

    def _erlang_a_mix(
        self,
        agents: FloatArray,
        load: Load,
        answer_time: float,
        definition: str,
        *,
        with_asa: bool = True,
    ) -> Measures:
        """Erlang A's service level, ASA, abandonment and occupancy averaged over the
        volume nodes as :func:`erlang_x` averages them (by attempts, answered calls
        or time); ASA 0 where nobody is answered, as the chain reports it, and NaN
        without ``with_asa`` (the dear sum left out when no target needs it)."""
        size = len(load)
        patience = self.param("patience", size).copy()
        answer = np.full(size, float(answer_time))
        offered, within, answered, waited, busy = (np.zeros(size) for _ in range(5))
        for factor, weight in zip(*_volume_nodes(self.volume_cv), strict=True):
            traffic = load.traffic * factor
            m = kernels.erlang_a_measures(
                agents, traffic, load.aht, patience, answer, with_asa=with_asa
            )
            kept = 1.0 - m["abandon_rate"]
            attempts = weight * factor  # arrivals, relative to the forecast
            offered += attempts
            within += attempts * m["answered_within"]
            answered += attempts * kept
            with np.errstate(invalid="ignore"):  # nobody answered: ASA inf, weight 0
                waited += np.where(kept > 0, attempts * kept * m["asa"], 0.0)
            busy += weight * traffic * kept
        with np.errstate(divide="ignore", invalid="ignore"):
            if definition == "offered":
                level = within / offered
            else:
                level = np.where(answered > 0, within / answered, 1.0)
            return {
                "service_level": level,
                "asa": np.where(answered > 0, waited / answered, 0.0),
                "abandon_rate": 1.0 - answered / offered,
                "occupancy": np.where(agents > 0, busy / agents, 0.0),
            }

    def proxy(self, load: Load) -> tuple[IntervalModel, Load]:
        """Erlang A (C without a patience) on the load with its repeat contacts: its
        requirement is the search's first guess."""
        base = erlang_model(self.patience if self.abandons else None)
        return base, Load(load.calls / self.fcr, load.aht, load.interval)

    def cap(self, load: Load) -> FloatArray:
        return np.full(len(load), np.inf if self.lines is None else float(self.lines))
