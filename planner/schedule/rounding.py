"""A first schedule from the LP relaxation: rounded, then repaired greedily.

HiGHS alone can take most of a minute to find any schedule for a real week;
the LP relaxation is solved in a second and sits within a fraction of a
percent of the optimum. This rounds it (people per template and band by
largest remainders, each day's shifts to the people working that day, each
shift's breaks in order and apart), then, while some interval is short,
adds the person whose week covers most of the shortfall per unit of cost.
The result is a feasible whole-number solution of the implicit formulation,
given to HiGHS as its first incumbent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner._validate import FloatArray

__all__ = ["Shift", "Tour", "first_answer"]


@dataclass(frozen=True)
class Shift:
    """A day's shift of the implicit formulation: its template, band, day,
    start, variable, and each break's variables (one per placement)."""

    template: int
    band: int
    day: int
    start: float
    var: int
    breaks: tuple[tuple[int, ...], ...]
    places: tuple[tuple[float, ...], ...]
    lengths: tuple[float, ...]
    spacing: float


@dataclass(frozen=True)
class Tour:
    """A week's people variable: template, band, the days worked, its variable."""

    template: int
    band: int
    days: tuple[int, ...]
    var: int


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


def _rounded(values: FloatArray) -> NDArray[np.int64]:
    """Whole numbers with the same rounded total, by largest remainders."""
    return _share_out(values, int(np.floor(values.sum() + 0.5)))


def first_answer(
    lp: FloatArray,
    req: FloatArray,
    cover: sparse.csr_array,
    cost: FloatArray,
    shifts: list[Shift],
    tours: list[Tour],
    week: bool,
    most_people: int = 100_000,
) -> NDArray[np.int64] | None:
    """A whole-number solution covering ``req`` from the LP solution ``lp`` (None
    when the repair finds no person that helps)."""
    x = np.zeros(lp.size, np.int64)
    cover = sparse.csc_array(cover)
    by_day: dict[tuple[int, int, int], list[Shift]] = defaultdict(list)
    for sh in shifts:
        by_day[sh.template, sh.band, sh.day].append(sh)
    if week:
        groups: dict[tuple[int, int], list[Tour]] = defaultdict(list)
        for tour in tours:
            groups[tour.template, tour.band].append(tour)
        for members in groups.values():
            idx = np.array([t.var for t in members])
            x[idx] = _rounded(lp[idx])
        working: dict[tuple[int, int, int], int] = defaultdict(int)
        for tour in tours:
            for d in tour.days:
                working[tour.template, tour.band, d] += int(x[tour.var])
        for key, day_shifts in by_day.items():
            idx = np.array([sh.var for sh in day_shifts])
            x[idx] = _share_out(lp[idx], working[key])
    else:
        for sh in shifts:
            x[sh.var] = int(np.floor(lp[sh.var] + 0.5))
    for sh in shifts:
        if x[sh.var] and not _place_breaks(sh, lp, x):
            return None
    on = cover @ x
    spans = {sh.var: cover[:, [sh.var]] for sh in shifts}
    _shift_shortfall(x, on, req, cover, by_day)
    span_x = sparse.csc_array(sparse.hstack([spans[sh.var] for sh in shifts]))
    for _ in range(most_people):
        _shift_shortfall(x, on, req, cover, by_day)
        short = np.clip(req - on, 0, None)
        if short.max() <= 1e-9:
            _remove_spare(x, on, req, cover, spans, by_day, tours, shifts, cost, week)
            return x
        gain = span_x.T @ np.minimum(short, 1.0)  # per shift: shortfall it would cover
        if week:
            best, pick = 0.0, None
            at = {sh.var: i for i, sh in enumerate(shifts)}
            for tour in tours:
                days = [max(by_day[tour.template, tour.band, d], key=lambda s: gain[at[s.var]])
                        for d in tour.days]  # fmt: skip
                value = sum(gain[at[s.var]] for s in days) / max(cost[tour.var], 1e-9)
                if value > best:
                    best, pick = value, (tour, days)
            if pick is None:
                return None
            tour, days = pick
            x[tour.var] += 1
        else:
            per_cost = gain / np.maximum(cost[[sh.var for sh in shifts]], 1e-9)
            i = int(np.argmax(per_cost))
            if per_cost[i] <= 0:
                return None
            days = [shifts[i]]
        for sh in days:
            x[sh.var] += 1
            on += spans[sh.var].toarray().ravel()
            for chosen in _best_breaks(sh, cover, on, req):
                x[chosen] += 1
                on += cover[:, [chosen]].toarray().ravel()
    return None


def _place_breaks(sh: Shift, lp: FloatArray, x: NDArray[np.int64]) -> bool:
    """Each break's placements for the shift's people, in proportion to the LP's,
    then moved later where a person's break would start too soon after the one
    before (False: the window does not allow it)."""
    count = int(x[sh.var])
    before: NDArray[np.float64] | None = None
    for j, variables in enumerate(sh.breaks):
        idx = np.array(variables)
        counts = _share_out(lp[idx], count)
        starts = np.repeat(np.array(sh.places[j]), counts)
        if before is not None:
            soonest = before + sh.lengths[j - 1] + sh.spacing
            places = np.array(sh.places[j])
            moved = []
            for a, least in zip(starts, soonest, strict=True):
                if a < least - 1e-9:
                    later = places[places >= least - 1e-9]
                    if not later.size:
                        return False
                    a = later[0]
                moved.append(a)
            starts = np.sort(np.array(moved))
            counts = np.array([int(np.sum(np.isclose(starts, p))) for p in sh.places[j]])
        x[idx] = counts
        before = starts
    return True


def _best_breaks(sh: Shift, cover: sparse.csc_array, on: FloatArray, req: FloatArray) -> list[int]:
    """One person's break placements on ``sh``: each where the people on duty most
    exceed the requirement, in order and apart."""
    chosen = []
    earliest = -np.inf
    for j, variables in enumerate(sh.breaks):
        best, pick, at = -np.inf, None, 0.0
        for var, a in zip(variables, sh.places[j], strict=True):
            if a < earliest - 1e-9:
                continue
            column = cover[:, [var]]
            rows = column.indices
            surplus = float(np.min(on[rows] - req[rows])) if rows.size else np.inf
            if surplus > best:
                best, pick, at = surplus, var, a
        if pick is None:
            pick, at = variables[-1], sh.places[j][-1]
        chosen.append(pick)
        earliest = at + sh.lengths[j] + sh.spacing
    return chosen


def _people_on(sh: Shift, x: NDArray[np.int64]) -> list[tuple[int, ...]]:
    """The break variables of each person on ``sh``, paired in order."""
    lists = [np.repeat(np.array(v), np.maximum(x[np.array(v)], 0)) for v in sh.breaks]
    return [tuple(int(lst[i]) for lst in lists) for i in range(int(x[sh.var]))]


def _drop(sh: Shift, x: NDArray[np.int64], on: FloatArray, req: FloatArray,
          cover: sparse.csc_array, spans: dict, apply: bool) -> bool:  # fmt: skip
    """Whether one person fewer on ``sh`` (the first whose breaks allow it) keeps
    every interval covered; with ``apply``, take them off."""
    if x[sh.var] <= 0:
        return False
    span = spans[sh.var]
    for person in dict.fromkeys(_people_on(sh, x)) or [()]:
        delta = -span.toarray().ravel()
        for var in person:
            delta += -cover[:, [var]].toarray().ravel()
        rows = np.flatnonzero(delta)
        if np.all(on[rows] + delta[rows] >= req[rows] - 1e-9):
            if apply:
                x[sh.var] -= 1
                for var in person:
                    x[var] -= 1
                on += delta
            return True
    return False


def _remove_spare(x: NDArray[np.int64], on: FloatArray, req: FloatArray,
                  cover: sparse.csc_array, spans: dict, by_day: dict, tours: list[Tour],
                  shifts: list[Shift], cost: FloatArray, week: bool) -> None:  # fmt: skip
    """Take off people the schedule covers without, dearest first, until none can go."""
    changed = True
    while changed:
        changed = False
        if not week:
            for sh in sorted(shifts, key=lambda s: -cost[s.var]):
                while _drop(sh, x, on, req, cover, spans, apply=True):
                    changed = True
            continue
        for tour in sorted(tours, key=lambda t: -cost[t.var]):
            while x[tour.var] > 0:
                trial_x, trial_on = x.copy(), on.copy()
                ok = all(
                    any(_drop(sh, trial_x, trial_on, req, cover, spans, apply=True)
                        for sh in by_day[tour.template, tour.band, d])
                    for d in tour.days
                )  # fmt: skip
                if not ok:
                    break
                trial_x[tour.var] -= 1
                x[:] = trial_x
                on[:] = trial_on
                changed = True


def _column(cover: sparse.csc_array, var: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = cover.indptr[var], cover.indptr[var + 1]
    return cover.indices[lo:hi], cover.data[lo:hi]


def _gain(on: FloatArray, req: FloatArray, rows: np.ndarray, delta: np.ndarray) -> float:
    """How much less short the intervals ``rows`` are after adding ``delta``."""
    before = np.clip(req[rows] - on[rows], 0, None).sum()
    after = np.clip(req[rows] - on[rows] - delta, 0, None).sum()
    return float(before - after)


def _shift_shortfall(x: NDArray[np.int64], on: FloatArray, req: FloatArray,
                     cover: sparse.csc_array, by_day: dict, rounds: int = 20) -> None:  # fmt: skip
    """Local moves that leave the schedule's people and cost as they are but
    intervals less short: one person's break to another placement, one person
    of a band to another start on the same day; while any helps."""
    for _ in range(rounds):
        better = False
        for day_shifts in by_day.values():
            for sh in day_shifts:
                for person in list(dict.fromkeys(_people_on(sh, x))):
                    better |= _move_breaks(sh, person, x, on, req, cover)
            if len(day_shifts) > 1:
                better |= _move_start(day_shifts, x, on, req, cover)
        if not better:
            return


def _move_breaks(sh: Shift, person: tuple[int, ...], x: NDArray[np.int64], on: FloatArray,
                 req: FloatArray, cover: sparse.csc_array) -> bool:  # fmt: skip
    """Move one of ``person``'s breaks where it leaves the intervals least short."""
    moved = False
    person = list(person)
    for j, variables in enumerate(sh.breaks):
        at = list(variables).index(person[j])
        lo = -np.inf if j == 0 else (
            sh.places[j - 1][list(sh.breaks[j - 1]).index(person[j - 1])]
            + sh.lengths[j - 1] + sh.spacing)  # fmt: skip
        hi = np.inf if j == len(sh.breaks) - 1 else (
            sh.places[j + 1][list(sh.breaks[j + 1]).index(person[j + 1])]
            - sh.lengths[j] - sh.spacing)  # fmt: skip
        old_rows, old_share = _column(cover, person[j])
        best, pick = 1e-9, None
        for k, var in enumerate(variables):
            if k == at or not lo - 1e-9 <= sh.places[j][k] <= hi + 1e-9:
                continue
            new_rows, new_share = _column(cover, var)
            rows = np.concatenate([old_rows, new_rows])
            delta = np.concatenate([-old_share, new_share])
            rows, inverse = np.unique(rows, return_inverse=True)
            summed = np.zeros(rows.size)
            np.add.at(summed, inverse, delta)
            gain = _gain(on, req, rows, summed)
            if gain > best:
                best, pick = gain, (var, rows, summed)
        if pick is not None:
            var, rows, summed = pick
            x[person[j]] -= 1
            x[var] += 1
            on[rows] += summed
            person[j] = var
            moved = True
    return moved


def _move_start(day_shifts: list[Shift], x: NDArray[np.int64], on: FloatArray,
                req: FloatArray, cover: sparse.csc_array) -> bool:  # fmt: skip
    """Move one person of a band's day to the start (with the same break offsets)
    that leaves the intervals least short."""
    moved = False
    for sh in day_shifts:
        if x[sh.var] <= 0:
            continue
        person = _people_on(sh, x)[0]
        offsets = [list(v).index(p) for v, p in zip(sh.breaks, person, strict=True)]
        out = [sh.var, *person]
        best, pick = 1e-9, None
        for other in day_shifts:
            if other is sh or any(k >= len(v) for k, v in zip(offsets, other.breaks, strict=True)):
                continue
            inn = [other.var, *(v[k] for v, k in zip(other.breaks, offsets, strict=True))]
            rows_l, delta_l = [], []
            for var, sign in [(v, -1.0) for v in out] + [(v, 1.0) for v in inn]:
                r, d = _column(cover, var)
                rows_l.append(r)
                delta_l.append(sign * d)
            rows, inverse = np.unique(np.concatenate(rows_l), return_inverse=True)
            summed = np.zeros(rows.size)
            np.add.at(summed, inverse, np.concatenate(delta_l))
            gain = _gain(on, req, rows, summed)
            if gain > best:
                best, pick = gain, (inn, rows, summed)
        if pick is not None:
            inn, rows, summed = pick
            for var in out:
                x[var] -= 1
            for var in inn:
                x[var] += 1
            on[rows] += summed
            moved = True
    return moved
