"""The compiled event loop of a multi-skill center: call types, agent groups, routing.

Rules (those of :mod:`planner.simulation.engines` for one queue, plus routing):

- each call type waits in its own first-in-first-out queue;
- an arriving call is answered at once by the longest-idle agent of the first
  group, in the call type's group order, that has one idle; otherwise it waits;
- an agent who frees up takes the waiting call of the skill they rank first
  (lowest priority number), ties between skills to the longest wait; with none
  waiting they are idle from then on;
- overflow: a group may take a call type only once the call has waited a delay;
  the call then opens to it (answered at once if one of its agents is idle,
  else by the first of them to free up);
- a caller still waiting at ``gives_up_at`` hangs up (one answered exactly then
  is answered); hung-up callers are dropped from the queue when it is next looked
  at, which changes no one's fate;
- staffing changes per group at the period bounds: new agents are idle from the
  bound and take waiting calls at once; when a group's staffing drops from n to
  n - d, the agents at :func:`~planner.simulation.engines.leaving_ranks` of the
  group's agents ranked idle first (longest idle first), then busy by when they
  answered, go off duty; busy ones finish their call (overtime);
- at equal times a bound comes first, then call ends, then arrivals, then
  calls opening to a group after their delay.

With one call type and one group these are the fast engine's rules, and every
caller's answer time is the fast engine's (tested). The agents are kept in
binary heaps (idle per group by idle-since, busy by call end), so a call costs
O(log agents) plus a look at each skill of the agent who frees up.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner._validate import FloatArray, IntArray

# The heaps below hold agent slots (``heap``) with their keys beside them (``key``).


@njit(cache=True, nogil=True)
def _push(
    key: FloatArray, heap: IntArray, base: int, size: int, at: float, slot: int
) -> int:  # pragma: no cover - compiled
    """Add ``slot`` with key ``at``; returns the new size."""
    pos = size
    while pos > 0:
        parent = (pos - 1) // 2
        if key[base + parent] <= at:
            break
        key[base + pos] = key[base + parent]
        heap[base + pos] = heap[base + parent]
        pos = parent
    key[base + pos] = at
    heap[base + pos] = slot
    return size + 1


@njit(cache=True, nogil=True)
def _sift(
    key: FloatArray, heap: IntArray, base: int, size: int, pos: int
) -> None:  # pragma: no cover - compiled
    """Move the entry at ``pos`` down to its place."""
    at, slot = key[base + pos], heap[base + pos]
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and key[base + child + 1] < key[base + child]:
            child += 1
        if key[base + child] >= at:
            break
        key[base + pos] = key[base + child]
        heap[base + pos] = heap[base + child]
        pos = child
    key[base + pos] = at
    heap[base + pos] = slot


@njit(cache=True, nogil=True)
def _pop(key: FloatArray, heap: IntArray, base: int, size: int) -> int:  # pragma: no cover
    """Remove the first entry (its slot returned); the heap then has ``size - 1``."""
    top = heap[base]
    size -= 1
    if size > 0:
        key[base] = key[base + size]
        heap[base] = heap[base + size]
        _sift(key, heap, base, size, 0)
    return top


@njit(cache=True, nogil=True)
def _head(
    q: int, t: float, head: IntArray, tail: IntArray, members: IntArray, gives_up_at: FloatArray
) -> int:  # pragma: no cover - compiled
    """The longest-waiting caller of queue ``q`` still there at ``t`` (-1: none), after
    dropping those who hung up before ``t``."""
    while head[q] < tail[q] and gives_up_at[members[head[q]]] < t:
        head[q] += 1
    return members[head[q]] if head[q] < tail[q] else -1


@njit(cache=True, nogil=True)
def run_skills(
    arrival: FloatArray,
    handle: FloatArray,
    gives_up_at: FloatArray,
    queue: IntArray,
    period: IntArray,
    members: IntArray,
    first_member: IntArray,
    handle_factor: FloatArray,
    bounds: FloatArray,
    agents: IntArray,
    rank: IntArray,
    order: IntArray,
    delay: FloatArray,
) -> tuple[FloatArray, IntArray, FloatArray]:  # pragma: no cover - compiled
    """Answer times, answering group and overtime of callers in order of arrival.

    ``queue[i]``, ``period[i]``: caller ``i``'s call type and period;
    ``members[first_member[q]:first_member[q + 1]]`` the callers of type ``q``
    in order; a call of type ``q`` answered by group ``g`` takes
    ``handle[i] * handle_factor[q, g, period[i]]``. ``bounds`` (periods + 2,
    the last ``inf``) and ``agents[g, p]`` (periods + 1 columns, the last after
    the day); ``rank[g, q]`` the priority group ``g`` gives type ``q`` (-1: not
    its skill); ``order[q]`` the groups a call of type ``q`` goes to, in turn
    (-1 past the last); ``delay[g, q]`` how long a call of type ``q`` must have
    waited before group ``g`` takes it (0: at once; overflow). Returns ``start``
    (inf: never answered), ``by`` (the group, -1) and overtime rows ``(from, to,
    group)``.
    """
    inf = np.inf
    factor = handle_factor
    n = arrival.size
    n_groups = rank.shape[0]
    start = np.full(n, inf)
    by = np.full(n, -1, dtype=np.int64)
    # agent slots, group after group: room for the most a group ever has on duty
    room = np.empty(n_groups, dtype=np.int64)
    for g in range(n_groups):
        room[g] = max(agents[g].max(), 1)
    offset = np.zeros(n_groups + 1, dtype=np.int64)
    for g in range(n_groups):
        offset[g + 1] = offset[g] + room[g]
    slots = offset[n_groups]
    free = np.full(slots, bounds[0])  # on duty: idle since (<= now) or busy until
    began = np.full(slots, bounds[0])
    group_of = np.empty(slots, dtype=np.int64)
    duty = np.empty(slots, dtype=np.int64)  # per group: on-duty slots first
    on = np.zeros(n_groups, dtype=np.int64)
    idle = np.empty(slots, dtype=np.int64)  # a heap per group, at offset[g]
    idle_key = np.empty(slots)
    n_idle = np.zeros(n_groups, dtype=np.int64)
    busy = np.empty(slots, dtype=np.int64)  # one heap
    busy_key = np.empty(slots)
    n_busy = 0
    for g in range(n_groups):
        for j in range(room[g]):
            group_of[offset[g] + j] = g
            duty[offset[g] + j] = offset[g] + j
        on[g] = agents[g, 0]
        for j in range(on[g]):
            n_idle[g] = _push(
                idle_key, idle, offset[g], n_idle[g], free[offset[g] + j], offset[g] + j
            )
    over = np.empty((max(int(agents.sum()), 1), 3))
    n_over = 0
    head = first_member[:-1].copy()
    tail = first_member[:-1].copy()
    fresh = np.empty(slots, dtype=np.int64)  # agents new at a bound
    is_fresh = np.zeros(slots, dtype=np.bool_)

    # overflow: per (type, group) with a delay, the next caller whose wait reaches it
    n_pairs = 0
    for g in range(n_groups):
        for q in range(rank.shape[1]):
            if rank[g, q] >= 0 and delay[g, q] > 0:
                n_pairs += 1
    pair_q = np.empty(n_pairs, dtype=np.int64)
    pair_g = np.empty(n_pairs, dtype=np.int64)
    k = 0
    for q in range(rank.shape[1]):
        for g in range(n_groups):
            if rank[g, q] >= 0 and delay[g, q] > 0:
                pair_q[k], pair_g[k] = q, g
                k += 1
    pair_next = first_member[pair_q].copy()  # position in members of the next one

    i = 0
    p = 0
    while True:
        ta = arrival[i] if i < n else inf
        tc = busy_key[0] if n_busy > 0 else inf
        tb = bounds[p + 1]
        to, pair = inf, -1  # the next overflow
        for k in range(n_pairs):
            q = pair_q[k]
            if pair_next[k] < tail[q]:
                at = arrival[members[pair_next[k]]] + delay[pair_g[k], q]
                if at < to:
                    to, pair = at, k
        if tb <= tc and tb <= ta and tb <= to:
            if tb == inf:
                break
            p += 1
            n_fresh = 0
            for g in range(n_groups):
                size, want = on[g], agents[g, p]
                base = offset[g]
                if want >= size:
                    for j in range(size, want):
                        s = duty[base + j]
                        free[s] = tb
                        began[s] = tb
                        fresh[n_fresh] = s
                        n_fresh += 1
                    on[g] = want
                    continue
                # idle first by idle-since, then busy by when they answered (ties by
                # the end of the call), as the fast engine ranks them
                mine = duty[base : base + size].copy()
                busy_now = np.empty(size)
                second = np.empty(size)
                third = np.empty(size)
                for j in range(size):
                    s = mine[j]
                    if free[s] < tb:
                        busy_now[j], second[j], third[j] = 0.0, free[s], 0.0
                    else:
                        busy_now[j], second[j], third[j] = 1.0, began[s], free[s]
                by_key = np.argsort(third, kind="mergesort")
                by_key = by_key[np.argsort(second[by_key], kind="mergesort")]
                by_key = by_key[np.argsort(busy_now[by_key], kind="mergesort")]
                ranked = mine[by_key]
                d = size - want
                k = 0
                gone = size // (2 * d)
                kept, left = 0, 0
                leaving = np.empty(d, dtype=np.int64)
                for r in range(size):
                    s = ranked[r]
                    if k < d and r == gone:
                        if free[s] >= tb:  # busy: finishes the call off duty
                            over[n_over, 0] = tb
                            over[n_over, 1] = free[s]
                            over[n_over, 2] = g
                            n_over += 1
                        leaving[left] = s
                        left += 1
                        k += 1
                        gone = ((2 * k + 1) * size) // (2 * d)
                    else:
                        duty[base + kept] = s
                        kept += 1
                for j in range(d):
                    duty[base + kept + j] = leaving[j]
                on[g] = want
            # the heaps again, from who is on duty now (new agents apart)
            for j in range(n_fresh):
                is_fresh[fresh[j]] = True
            n_busy = 0
            for g in range(n_groups):
                n_idle[g] = 0
                for j in range(on[g]):
                    s = duty[offset[g] + j]
                    if is_fresh[s]:
                        continue
                    if free[s] < tb:
                        n_idle[g] = _push(idle_key, idle, offset[g], n_idle[g], free[s], s)
                    else:
                        n_busy = _push(busy_key, busy, 0, n_busy, free[s], s)
            for j in range(n_fresh):  # new agents take waiting calls at once
                s = fresh[j]
                is_fresh[s] = False
                g = group_of[s]
                c = _choose(g, tb, rank, head, tail, members, arrival, gives_up_at, delay)
                if c >= 0:
                    _answer(
                        c, s, g, tb, queue, head, start, by, began, free, handle, factor, period
                    )
                    n_busy = _push(busy_key, busy, 0, n_busy, free[s], s)
                else:
                    n_idle[g] = _push(idle_key, idle, offset[g], n_idle[g], free[s], s)
            continue
        if tc <= ta and tc <= to:
            s = busy[0]
            g = group_of[s]
            c = _choose(g, tc, rank, head, tail, members, arrival, gives_up_at, delay)
            if c >= 0:  # the next call: the agent stays in the busy heap, further down
                _answer(c, s, g, tc, queue, head, start, by, began, free, handle, factor, period)
                busy_key[0] = free[s]
                _sift(busy_key, busy, 0, n_busy, 0)
            else:
                _pop(busy_key, busy, 0, n_busy)
                n_busy -= 1
                n_idle[g] = _push(idle_key, idle, offset[g], n_idle[g], free[s], s)
            continue
        if to < ta:  # a waiting call opens to a group that takes it after a delay
            q, g = pair_q[pair], pair_g[pair]
            pair_next[pair] += 1
            c = _head(q, to, head, tail, members, gives_up_at)
            if c >= 0 and n_idle[g] > 0 and to >= arrival[c] + delay[g, q]:
                s = _pop(idle_key, idle, offset[g], n_idle[g])
                n_idle[g] -= 1
                _answer(c, s, g, to, queue, head, start, by, began, free, handle, factor, period)
                n_busy = _push(busy_key, busy, 0, n_busy, free[s], s)
            continue
        # an arrival
        q = queue[i]
        waiting = _head(q, ta, head, tail, members, gives_up_at)
        tail[q] += 1
        if waiting < 0:
            for k in range(order.shape[1]):
                g = order[q, k]
                if g < 0:
                    break
                if n_idle[g] > 0 and delay[g, q] == 0:
                    s = _pop(idle_key, idle, offset[g], n_idle[g])
                    n_idle[g] -= 1
                    _answer(
                        i, s, g, ta, queue, head, start, by, began, free, handle, factor, period
                    )
                    n_busy = _push(busy_key, busy, 0, n_busy, free[s], s)
                    break
        i += 1
    return start, by, over[:n_over]


@njit(cache=True, nogil=True)
def _answer(
    c: int,
    s: int,
    g: int,
    t: float,
    queue: IntArray,
    head: IntArray,
    start: FloatArray,
    by: IntArray,
    began: FloatArray,
    free: FloatArray,
    handle: FloatArray,
    factor: FloatArray,
    period: IntArray,
) -> None:  # pragma: no cover - compiled
    """Caller ``c``, the head of its queue, answered at ``t`` by agent ``s`` of group ``g``."""
    q = queue[c]
    head[q] += 1
    start[c] = t
    by[c] = g
    began[s] = t
    free[s] = t + handle[c] * factor[q, g, period[c]]


@njit(cache=True, nogil=True)
def _choose(
    g: int,
    t: float,
    rank: IntArray,
    head: IntArray,
    tail: IntArray,
    members: IntArray,
    arrival: FloatArray,
    gives_up_at: FloatArray,
    delay: FloatArray,
) -> int:  # pragma: no cover - compiled
    """The waiting call an agent of group ``g`` free at ``t`` takes: of the type they
    rank first, then the longest wait, among those that waited their delay (-1: none)."""
    best, best_rank, best_at = -1, 1 << 62, np.inf
    for q in range(rank.shape[1]):
        r = rank[g, q]
        if r < 0 or r > best_rank:
            continue
        c = _head(q, t, head, tail, members, gives_up_at)
        if c < 0 or t < arrival[c] + delay[g, q]:  # none, or not yet open to this group
            continue
        if r < best_rank or arrival[c] < best_at:
            best, best_rank, best_at = c, r, arrival[c]
    return best


@njit(cache=True, nogil=True)
def merge_order(arrival: FloatArray, first: IntArray) -> IntArray:  # pragma: no cover
    """The order that merges runs ``arrival[first[q]:first[q + 1]]``, each in order,
    into one order of arrival (ties: the lower ``q`` first, then the run's order), as
    a stable sort of ``arrival`` would; O(callers x runs)."""
    runs = first.size - 1
    at = first[:-1].copy()
    out = np.empty(arrival.size, dtype=np.int64)
    for j in range(arrival.size):
        best, best_at = -1, np.inf
        for q in range(runs):
            if at[q] < first[q + 1] and (best < 0 or arrival[at[q]] < best_at):
                best, best_at = q, arrival[at[q]]
        out[j] = at[best]
        at[best] += 1
    return out
