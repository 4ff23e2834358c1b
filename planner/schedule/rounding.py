"""A first schedule from the LP relaxation: rounded, then repaired greedily.

HiGHS alone can take most of a minute to find any schedule for a real week;
the LP relaxation is solved in seconds and sits within a few percent of the
optimum. This rounds it (people per template and band by largest remainders,
each day's shifts to the people working that day), gives each person their
breaks where the intervals have most people to spare, moves breaks and starts
while that leaves intervals less short, then, while some interval is short,
adds the person whose week covers most of the shortfall per unit of cost, and
last takes off anyone the coverage holds without. The result is a feasible
whole-number solution of the implicit formulation, HiGHS's first incumbent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner._validate import FloatArray

__all__ = ["Shift", "Tour", "first_answer"]

Breaks = tuple[int, ...]
"""One person's breaks on a shift: for each break, the index of its placement."""


@dataclass(frozen=True)
class Shift:
    """A day's shift of the implicit formulation: its template, band, day, start,
    variable, and for each break its placements' variables (its own, or the
    template's day's shared ones) and offsets into the shift (seconds)."""

    template: int
    band: int
    day: int
    start: float
    var: int
    breaks: tuple[tuple[int, ...], ...]
    places: tuple[tuple[float, ...], ...]
    lengths: tuple[float, ...]
    spacing: float
    pooled: bool = False


@dataclass(frozen=True)
class Tour:
    """A week's people variable: template, band, the days worked, its variable;
    with ``on``, any ``on`` of ``days`` (days off anywhere, counted per day)."""

    template: int
    band: int
    days: tuple[int, ...]
    var: int
    on: int = 0
    rest: tuple[int, int, bool] = (0, 1, False)  # weekends off, in weeks; this one's off


def _rotation_holds(x: NDArray[np.int64], tours: list[Tour], tour: Tour, change: int) -> bool:
    """Whether the weekend rule of ``tour``'s template and band holds with ``change``
    more people on ``tour``: weeks x (people with the weekend off) >= weekends x people."""
    weekends, weeks, _ = tour.rest
    if not weekends:
        return True
    mine = [t for t in tours if (t.template, t.band) == (tour.template, tour.band)]
    people = sum(int(x[t.var]) for t in mine) + change
    off = sum(int(x[t.var]) for t in mine if t.rest[2]) + (change if tour.rest[2] else 0)
    return weeks * off >= weekends * people


def _keep_weekends(x: NDArray[np.int64], lp: FloatArray, tours: list[Tour]) -> None:
    """Move people of a template and band onto weekend-off patterns (the LP's
    likeliest first) until the weekend rule holds."""
    groups: dict[tuple[int, int], list[Tour]] = defaultdict(list)
    for t in tours:
        if t.rest[0]:
            groups[t.template, t.band].append(t)
    for mine in groups.values():
        if mine[0].rest[0] > mine[0].rest[1]:
            continue  # more weekends off than weeks: nobody can work it (the LP says so)
        free = sorted((t for t in mine if t.rest[2]), key=lambda t: -lp[t.var])
        busy = sorted((t for t in mine if not t.rest[2]), key=lambda t: lp[t.var])
        while free and not _rotation_holds(x, tours, mine[0], 0):
            source = next((t for t in busy if x[t.var] > 0), None)
            if source is None:
                x[free[0].var] += 1
                continue
            x[source.var] -= 1
            x[free[0].var] += 1


def _days_for(lp_days: FloatArray, people: int, on: int) -> NDArray[np.int64]:
    """Whole people working each day, at most ``people`` a day and ``on x people``
    in all, near the LP's ``lp_days``."""
    out = np.minimum(np.floor(lp_days + 1e-9).astype(np.int64), people)
    order = np.argsort(-(lp_days - np.floor(lp_days + 1e-9)), kind="stable")
    rest = on * people - int(out.sum())
    while rest > 0:
        moved = False
        for d in order:
            if rest and out[d] < people:
                out[d] += 1
                rest -= 1
                moved = True
        if not moved:
            break
    while rest < 0:  # more than on x people: take from the largest days
        out[int(np.argmax(out))] -= 1
        rest += 1
    return out


def _share_out(weights: FloatArray, total: int) -> NDArray[np.int64]:
    """``total`` split in proportion to ``weights`` by largest remainders."""
    weights = np.clip(weights, 0, None)
    if total <= 0:
        return np.zeros(weights.size, np.int64)
    if weights.sum() <= 1e-12:
        weights = np.ones(weights.size)
    ideal = weights * total / weights.sum()
    out = np.floor(ideal + 1e-9).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(ideal - out), kind="stable")[:rest]] += 1
    return out


class _State:
    """A whole-number schedule being built: people per shift and tour, each
    person's breaks, and the people on duty per interval."""

    def __init__(self, size: int, req: FloatArray, cover: sparse.csc_array,
                 shifts: list[Shift]) -> None:  # fmt: skip
        self.x = np.zeros(size, np.int64)
        self.req = req
        self.cover = cover
        self.shifts = shifts
        self.people: dict[int, list[Breaks]] = defaultdict(list)  # shift index -> breaks
        self.on = np.zeros(req.size)

    def column(self, var: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.cover.indptr[var], self.cover.indptr[var + 1]
        return self.cover.indices[lo:hi], self.cover.data[lo:hi]

    def delta(self, changes: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """The intervals ``units`` of each variable change, and by how many people
        (a break's column is negative: it takes people off duty)."""
        rows_l, data_l = [], []
        for var, sign in changes:
            rows, data = self.column(var)
            rows_l.append(rows)
            data_l.append(sign * data)
        rows, inverse = np.unique(np.concatenate(rows_l), return_inverse=True)
        summed = np.zeros(rows.size)
        np.add.at(summed, inverse, np.concatenate(data_l))
        return rows, summed

    def shortfall_change(self, changes: list[tuple[int, float]]) -> float:
        """How much less short the intervals are after the ``changes``."""
        rows, delta = self.delta(changes)
        before = np.clip(self.req[rows] - self.on[rows], 0, None).sum()
        after = np.clip(self.req[rows] - self.on[rows] - delta, 0, None).sum()
        return float(before - after)

    def apply(self, changes: list[tuple[int, float]]) -> None:
        for var, sign in changes:
            rows, data = self.column(var)
            self.on[rows] += sign * data

    def spare(self, var: int) -> float:
        """The fewest people to spare over a break placement's intervals."""
        rows, _ = self.column(var)
        return float(np.min(self.on[rows] - self.req[rows])) if rows.size else np.inf

    def placements(self, i: int, breaks: Breaks, sign: float = 1.0) -> list[tuple[int, float]]:
        """A person's break placements as (variable, ``sign``) changes."""
        sh = self.shifts[i]
        return [(sh.breaks[j][k], sign) for j, k in enumerate(breaks)]

    def leaving(self, i: int, breaks: Breaks) -> list[tuple[int, float]]:
        """The changes that take one person with ``breaks`` off shift ``i``."""
        return [(self.shifts[i].var, -1.0), *self.placements(i, breaks, -1.0)]

    def add(self, i: int) -> None:
        """One more person on shift ``i``, breaks where most people are to spare."""
        sh = self.shifts[i]
        self.x[sh.var] += 1
        self.apply([(sh.var, 1.0)])
        chosen: list[int] = []
        earliest = -np.inf
        for j, variables in enumerate(sh.breaks):
            allowed = [k for k, a in enumerate(sh.places[j]) if a >= earliest - 1e-9]
            k = max(allowed or [len(variables) - 1], key=lambda k: self.spare(variables[k]))
            chosen.append(k)
            self.apply([(variables[k], 1.0)])
            earliest = sh.places[j][k] + sh.lengths[j] + sh.spacing
        self.people[i].append(tuple(chosen))

    def remove(self, i: int, breaks: Breaks) -> None:
        sh = self.shifts[i]
        self.x[sh.var] -= 1
        self.people[i].remove(breaks)
        self.apply(self.leaving(i, breaks))

    def covered_without(self, i: int) -> Breaks | None:
        """A person of shift ``i`` the coverage holds without (None: none)."""
        for breaks in dict.fromkeys(self.people[i]):
            rows, delta = self.delta(self.leaving(i, breaks))
            if np.all(self.on[rows] + delta >= self.req[rows] - 1e-9):
                return breaks
        return None

    def solution(self) -> NDArray[np.int64]:
        """The whole-number vector: shifts and tours as counted, breaks from the people."""
        x = self.x.copy()
        for i, people in self.people.items():
            for breaks in people:
                for var, _ in self.placements(i, breaks):
                    x[var] += 1
        return x


def first_answer(
    lp: FloatArray,
    req: FloatArray,
    cover: sparse.csr_array,
    cost: FloatArray,
    shifts: list[Shift],
    tours: list[Tour],
    week: bool,
    repair: bool = True,
) -> NDArray[np.int64] | None:
    """A whole-number solution from the LP solution ``lp``, covering ``req`` when
    ``repair`` (hard coverage; None when no person added helps), else as rounded."""
    state = _State(lp.size, req, sparse.csc_array(cover), shifts)
    by_day: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for i, sh in enumerate(shifts):
        by_day[sh.template, sh.band, sh.day].append(i)
    counts = np.zeros(len(shifts), np.int64)
    if week:
        groups: dict[int, list[Tour]] = defaultdict(list)
        for tour in tours:
            groups[tour.template].append(tour)
        for members in groups.values():  # in order of start: a band's fraction carries on
            idx = np.array([t.var for t in sorted(members, key=lambda t: (t.band, t.days))])
            state.x[idx] = np.diff(np.floor(np.cumsum(np.r_[0.0, lp[idx]]) + 0.5)).astype(np.int64)
        _keep_weekends(state.x, lp, tours)
        working: dict[tuple[int, int, int], int] = defaultdict(int)
        for tour in tours:
            if tour.on:
                lp_days = np.array(
                    [
                        sum(lp[shifts[i].var] for i in by_day[tour.template, tour.band, d])
                        for d in tour.days
                    ]
                )
                for d, n in zip(tour.days, _days_for(lp_days, int(state.x[tour.var]), tour.on),
                                strict=True):  # fmt: skip
                    working[tour.template, tour.band, d] += int(n)
                continue
            for d in tour.days:
                working[tour.template, tour.band, d] += int(state.x[tour.var])
        for key, on_day in by_day.items():
            counts[on_day] = _share_out(lp[[shifts[i].var for i in on_day]], working[key])
    else:
        counts = np.floor(lp[[sh.var for sh in shifts]] + 0.5).astype(np.int64)
    for i in np.argsort([-c for c in counts], kind="stable"):
        for _ in range(int(counts[i])):
            state.add(int(i))
    _shift_shortfall(state, by_day)
    if not repair:
        return state.solution()
    span_x = sparse.csc_array(state.cover[:, [sh.var for sh in shifts]])
    # every person added covers some of the shortfall: no more than it in all
    for _ in range(int(np.ceil(np.clip(req - state.on, 0, None).sum())) + 1):
        short = np.clip(req - state.on, 0, None)
        if short.max() <= 1e-9:
            _remove_spare(state, by_day, tours, cost, week)
            return state.solution()
        gain = span_x.T @ np.minimum(short, 1.0)  # per shift: shortfall it would cover
        if week:
            best, pick = 0.0, None
            for tour in tours:
                if not _rotation_holds(state.x, tours, tour, 1):
                    continue
                days = [max(by_day[tour.template, tour.band, d], key=lambda i: gain[i])
                        for d in tour.days]  # fmt: skip
                if tour.on:  # the best days of the week
                    days = sorted(days, key=lambda i: -gain[i])[: tour.on]
                value = float(sum(gain[i] for i in days)) / max(cost[tour.var], 1e-9)
                if value > best:
                    best, pick = value, (tour, days)
            if pick is None:
                return None
            state.x[pick[0].var] += 1
            added = pick[1]
        else:
            per_cost = gain / np.maximum(cost[[sh.var for sh in shifts]], 1e-9)
            i = int(np.argmax(per_cost))
            if per_cost[i] <= 0:
                return None
            added = [i]
        for i in added:
            state.add(i)
        _shift_shortfall(state, by_day, rounds=2)
    return None


def _shift_shortfall(state: _State, by_day: dict, rounds: int = 20) -> None:
    """Local moves that keep the people and the cost but leave intervals less
    short: one person's break to another placement (in order, apart), one person
    of a band's day to another start with the same break offsets."""
    for _ in range(rounds):
        better = False
        for members in by_day.values():
            for i in members:
                for breaks in list(dict.fromkeys(state.people[i])):
                    better |= _move_breaks(state, i, breaks)
            if len(members) > 1:
                better |= _move_start(state, members)
        if not better:
            return


def _move_breaks(state: _State, i: int, breaks: Breaks) -> bool:
    """Move one of a person's breaks where the intervals are least short."""
    sh = state.shifts[i]
    person = list(breaks)
    moved = False
    for j, variables in enumerate(sh.breaks):
        lo = -np.inf if j == 0 else (
            sh.places[j - 1][person[j - 1]] + sh.lengths[j - 1] + sh.spacing)  # fmt: skip
        hi = np.inf if j == len(sh.breaks) - 1 else (
            sh.places[j + 1][person[j + 1]] - sh.lengths[j] - sh.spacing)  # fmt: skip
        best, pick = 1e-9, None
        for k, a in enumerate(sh.places[j]):
            if k == person[j] or not lo - 1e-9 <= a <= hi + 1e-9:
                continue
            gain = state.shortfall_change([(variables[person[j]], -1.0), (variables[k], 1.0)])
            if gain > best:
                best, pick = gain, k
        if pick is not None:
            state.apply([(variables[person[j]], -1.0), (variables[pick], 1.0)])
            state.people[i].remove(tuple(person))
            person[j] = pick
            state.people[i].append(tuple(person))
            moved = True
    return moved


def _move_start(state: _State, members: list[int]) -> bool:
    """Move one person of a band's day to the start that leaves the intervals
    least short (with the same break offsets)."""
    moved = False
    for i in members:
        if not state.people[i]:
            continue
        breaks = state.people[i][0]
        out = state.leaving(i, breaks)
        best, pick = 1e-9, None
        for k in members:
            if k == i:
                continue
            sh = state.shifts[k]
            if any(b >= len(v) for b, v in zip(breaks, sh.breaks, strict=True)):
                continue
            inn = [(sh.var, 1.0), *state.placements(k, breaks)]
            gain = state.shortfall_change(out + inn)
            if gain > best:
                best, pick = gain, (k, inn)
        if pick is not None:
            k, inn = pick
            state.apply(out + inn)
            state.x[state.shifts[i].var] -= 1
            state.people[i].remove(breaks)
            state.x[state.shifts[k].var] += 1
            state.people[k].append(breaks)
            moved = True
    return moved


def _remove_spare(state: _State, by_day: dict, tours: list[Tour], cost: FloatArray,
                  week: bool) -> None:  # fmt: skip
    """Take off people the coverage holds without, dearest first, until none can go."""
    changed = True
    while changed:
        changed = False
        if not week:
            for i in sorted(range(len(state.shifts)), key=lambda i: -cost[state.shifts[i].var]):
                while (breaks := state.covered_without(i)) is not None:
                    state.remove(i, breaks)
                    changed = True
            continue
        for tour in sorted(tours, key=lambda t: -cost[t.var]):
            while state.x[tour.var] > 0 and _rotation_holds(state.x, tours, tour, -1):
                taken: list[tuple[int, Breaks]] = []
                days = list(tour.days)
                need = len(days)
                if tour.on:  # any `on` days, but every day all the tour's people work
                    people = int(state.x[tour.var])
                    full = [d for d in days if _working(state, by_day, tour, d) >= people]
                    days = full + [d for d in days if d not in full]
                    if len(full) > tour.on:
                        break
                    need = tour.on
                for d in days:
                    if len(taken) == need:
                        break
                    for i in by_day[tour.template, tour.band, d]:
                        breaks = state.covered_without(i)
                        if breaks is not None:
                            state.remove(i, breaks)
                            taken.append((i, breaks))
                            break
                    else:
                        if not tour.on or d in days[: len(full)]:
                            break
                if len(taken) < need:
                    for i, breaks in taken:  # put them back as they were
                        state.x[state.shifts[i].var] += 1
                        state.people[i].append(breaks)
                        state.apply([(state.shifts[i].var, 1.0), *state.placements(i, breaks)])
                    break
                state.x[tour.var] -= 1
                changed = True


def _working(state: _State, by_day: dict, tour: Tour, d: int) -> int:
    """People of the tour's template and band working day ``d``."""
    return int(sum(state.x[state.shifts[i].var] for i in by_day[tour.template, tour.band, d]))
