"""Breaks and days off as variables of their own (implicit shift scheduling).

Instead of one column per template x start x days-off pattern x break
placement, the programme has

* ``x[k, d, s]``: people working template ``k``'s shift starting at ``s`` on day ``d``;
* ``y[k, d, s, j, a]``: how many of them take break ``j`` at ``a`` seconds into
  the shift, with ``sum_a y = x`` (Aykin 1996): breaks subtract from coverage
  where they are taken. Where a break's window allows it to start too soon
  after the one before, cumulative rows keep every person's breaks in order
  and ``break_spacing`` apart: the people starting break ``j`` by ``a`` are at
  most the people who started break ``j - 1`` by ``a - length - spacing``,
  so pairing both lists in order gives everyone a valid pair;
* for a week, ``z[k, b, p]``: people on template ``k`` starting in band ``b``
  (starts within ``start_band`` seconds) working days-off pattern ``p``, tied
  to the days by ``sum_{s in b} x[k, d, s] = sum_{p worked on d} z[k, b, p]``
  (tour scheduling with the days and starts linked through daily counts,
  after Jarrah, Bard & deSilva 1994). People are paid by ``z``. Where days
  off may fall anywhere (``consecutive_off = false``, no weekend rule), one
  ``z[k, b]`` counts the band's people: each day at most all of them work, and
  ``on x z`` shift-days in all; handing the days out cyclically (McNaughton's
  wrap-around) gives each person ``on`` different days, so no pattern needs a
  variable.

A weekend rotation over ``W`` weeks with ``r`` weekends off each is one row
per template and band: ``W x (people with the weekend off) >= r x people``.
Every week has the same shifts; the people on them rotate (see
:func:`planner.schedule.result.rotation`), and each person then has at least
``r`` weekends off in ``W`` weeks. A solution reads back as people: each
shift's break starts are paired in order, and on each day the ``i``-th person
of a band working takes the ``i``-th earliest shift.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner.errors import InputError
from planner.schedule.enumerated import rotation_message
from planner.schedule.formulation import Day, Formulation, Person, Rule, Setting, nothing_fits
from planner.schedule.grid import DAY
from planner.schedule.rounding import Shift, Tour, first_answer
from planner.schedule.templates import ShiftTemplate

__all__ = ["bands", "implicit"]


def bands(starts: list[float], width: float) -> list[list[float]]:
    """Start times (sorted) in consecutive bands: each from its first start to
    ``width`` seconds after it (0: every start its own band)."""
    out: list[list[float]] = []
    for s in sorted(starts):
        if out and s <= out[-1][0] + width + 1e-9:
            out[-1].append(s)
        else:
            out.append([s])
    return out


class _Builder:
    """Variables and sparse rows, added one at a time."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.hours: list[float] = []
        self.people: list[float] = []
        self.template: list[int] = []
        self.cover: list[tuple[np.ndarray, np.ndarray, int, float]] = []
        self.rows: list[tuple[dict[int, float], float, float, str]] = []

    def var(self, template: int, cost: float = 0.0, hours: float = 0.0, people: float = 0.0) -> int:
        self.cost.append(cost)
        self.hours.append(hours)
        self.people.append(people)
        self.template.append(template)
        return len(self.cost) - 1

    def covers(self, var: int, span: tuple[np.ndarray, np.ndarray], sign: float) -> None:
        self.cover.append((span[0], span[1], var, sign))

    def row(
        self, coefficients: dict[int, float], lower: float, upper: float, message: str = ""
    ) -> None:
        self.rows.append((coefficients, lower, upper, message))


def _placements(setting: Setting, t: ShiftTemplate) -> list[list[float]]:
    """Each break's starts that can follow the one before (its earliest start,
    length and the spacing)."""
    out = setting.placements(t)
    for j in range(1, len(out)):
        soonest = out[j - 1][0] + t.breaks[j - 1].length + t.break_spacing
        out[j] = [a for a in out[j] if a >= soonest - 1e-9]
        if not out[j]:
            raise InputError(
                f"shift {t.name!r}: break {j + 1} cannot start {t.break_spacing:g} s after "
                f"break {j} ends: widen its window or lower 'break_spacing'"
            )
    return out


def _pooled(setting: Setting, t: ShiftTemplate, places: list[list[float]]) -> bool:
    """Whether ``t``'s breaks can share variables across its shifts of a day
    (Bechtold & Jacobs 1990): each break's window always clear of the one
    before (any pairing keeps the spacing), and every start's placements on one
    common grid (each shift's window a run of the day's break times)."""
    for j in range(1, len(places)):
        if places[j - 1][-1] + t.breaks[j - 1].length + t.break_spacing > places[j][0] + 1e-9:
            return False
    step = setting.grid.interval
    for j in range(len(places)):
        phases = {round((s + places[j][0] - setting.grid.origin) % step, 6)
                  for s in t.start_times()}  # fmt: skip
        if len(phases) > 1 or any(round(a - places[j][0], 6) % step for a in places[j]):
            return False
    return True


def implicit(setting: Setting) -> Formulation:
    """The implicit formulation of ``setting`` (see the module notes)."""
    grid = setting.grid
    week = grid.days == 7
    weekend = set(setting.weekend())
    b = _Builder()
    shifts: list[Shift] = []
    tours: list[Tour] = []
    for ti, t in enumerate(setting.templates):
        weeks = setting.weeks(t)
        if not weeks:
            continue
        worked = sorted({d for w in weeks for d in w})
        paid = t.paid_seconds / 3600
        places = _placements(setting, t)
        pooled = _pooled(setting, t, places)
        pool: dict[tuple[int, int], dict[float, int]] = defaultdict(dict)  # (day, j): time -> var
        mine: list[Shift] = []
        groups = bands(t.start_times(), t.start_band) if week else [[s] for s in t.start_times()]
        for bi, band in enumerate(groups):
            on_day: dict[int, list[int]] = defaultdict(list)
            for d in worked:
                for s in band:
                    if not setting.on_duty_while_open(d, s, t.length):
                        continue
                    begin = d * DAY + s
                    xi = b.var(
                        ti, *((0.0, 0.0, 0.0) if week else (paid * t.cost_per_hour, paid, 1.0))
                    )
                    b.covers(xi, grid.span(begin, begin + t.length), 1.0)
                    ys: list[list[int]] = []
                    for j, brk in enumerate(t.breaks):
                        ys.append([])
                        for a in places[j]:
                            at = round(begin + a, 6)
                            if pooled and at in pool[d, j]:
                                ys[j].append(pool[d, j][at])
                                continue
                            yi = b.var(ti)
                            b.covers(yi, grid.span(begin + a, begin + a + brk.length), -1.0)
                            ys[j].append(yi)
                            if pooled:
                                pool[d, j][at] = yi
                        if not pooled:
                            b.row({**{y: 1.0 for y in ys[j]}, xi: -1.0}, 0.0, 0.0)
                            if j:
                                _ordered(b, t, j, places, ys)
                    on_day[d].append(xi)
                    mine.append(Shift(
                        ti, bi, d, s, xi, tuple(tuple(y) for y in ys),
                        tuple(tuple(p) for p in places), tuple(k.length for k in t.breaks),
                        t.break_spacing, pooled,
                    ))  # fmt: skip
            if not week:
                continue
            on = min(7 - t.days_off, len(t.work_days))
            if not t.consecutive_off and not t.weekends_off:
                # days off anywhere: people per band, at most all of them each day
                # and ``on`` days each in all (a cyclic fill gives everyone a week)
                open_days = tuple(d for d in worked if on_day[d])
                if len(open_days) >= on and on:
                    zi = b.var(ti, paid * on * t.cost_per_hour, paid * on, 1.0)
                    tours.append(Tour(ti, bi, open_days, zi, on))
                    total: dict[int, float] = {zi: -float(on)}
                    for d in open_days:
                        b.row({**{x: 1.0 for x in on_day[d]}, zi: -1.0}, -np.inf, 0.0)
                        total.update({x: 1.0 for x in on_day[d]})
                    b.row(total, 0.0, 0.0)
                else:
                    for d in open_days:
                        b.row({x: 1.0 for x in on_day[d]}, 0.0, 0.0)
                continue
            zs = []
            for p in weeks:
                if all(on_day[d] for d in p):
                    zi = b.var(ti, paid * len(p) * t.cost_per_hour, paid * len(p), 1.0)
                    zs.append((zi, p))
                    rest = (t.weekends_off, setting.rotation_weeks, not weekend & set(p))
                    tours.append(Tour(ti, bi, p, zi, rest=rest))
            for d in worked:
                if on_day[d]:
                    link = {x: 1.0 for x in on_day[d]}
                    link.update({zi: -1.0 for zi, p in zs if d in p})
                    b.row(link, 0.0, 0.0)
            if t.weekends_off and zs:
                w = setting.rotation_weeks
                b.row({zi: t.weekends_off - w * (not weekend & set(p)) for zi, p in zs},
                      -np.inf, 0.0, rotation_message(t.name, t.weekends_off, w))  # fmt: skip
        if pooled:
            _forward_backward(b, mine, pool, len(t.breaks))
        shifts.extend(mine)
    if not shifts:
        raise nothing_fits()
    size = len(b.cost)
    index = np.concatenate([c[0] for c in b.cover])
    values = np.concatenate([c[1] * c[3] for c in b.cover])
    columns = np.concatenate([np.full(c[0].size, c[2]) for c in b.cover])
    cover = sparse.csr_array((values, (index, columns)), shape=(grid.days * grid.n, size))
    structure = _rules(b.rows, size)

    cost = np.array(b.cost)

    def decode(x: NDArray[np.int64]) -> list[tuple[Person, int]]:
        return _decode(x, shifts, tours, week)

    def first(lp: np.ndarray, req: np.ndarray, hard: bool) -> NDArray[np.int64] | None:
        return first_answer(lp, req, cover, cost, shifts, tours, week, repair=hard)

    return Formulation(
        cost=cost, hours=np.array(b.hours), people=np.array(b.people),
        template=np.array(b.template, dtype=np.int64), cover=cover, structure=structure,
        integral=np.ones(size, bool), decode=decode, options=size, first_answer=first,
    )  # fmt: skip


def _forward_backward(b: _Builder, shifts: list[Shift], pool: dict, breaks: int) -> None:
    """A template's shared break variables, per day and break: as many breaks as
    people on duty that day, the people starting by each start have breaks that
    end their window by then (forward), and those starting from it breaks from
    its window's start (backward). Windows move with the start, so these rows
    are Hall's condition and some assignment of breaks to people exists."""
    days: dict[int, list[Shift]] = defaultdict(list)
    for sh in shifts:
        days[sh.day].append(sh)
    for d, mine in days.items():
        mine.sort(key=lambda sh: sh.start)
        starts = sorted({sh.start for sh in mine})
        for j in range(breaks):
            times = pool[d, j]
            b.row({**{v: 1.0 for v in times.values()}, **{sh.var: -1.0 for sh in mine}}, 0.0, 0.0)
            for s in starts[:-1]:  # the last start's forward row is the equality
                last = round(d * DAY + s + mine[0].places[j][-1], 6)
                row = {sh.var: 1.0 for sh in mine if sh.start <= s}
                row.update({v: -1.0 for at, v in times.items() if at <= last + 1e-6})
                b.row(row, -np.inf, 0.0)
            for s in starts[1:]:  # the first start's backward row is the equality
                first = round(d * DAY + s + mine[0].places[j][0], 6)
                row = {sh.var: 1.0 for sh in mine if sh.start >= s}
                row.update({v: -1.0 for at, v in times.items() if at >= first - 1e-6})
                b.row(row, -np.inf, 0.0)


def _ordered(b: _Builder, t: ShiftTemplate, j: int, places: list[list[float]],
             ys: list[list[int]]) -> None:  # fmt: skip
    """Rows keeping break ``j`` after break ``j - 1`` ends plus the spacing."""
    gap = t.breaks[j - 1].length + t.break_spacing
    before, after = places[j - 1], places[j]
    for k, a in enumerate(after):
        if a - gap >= before[-1] - 1e-9:
            break  # every earlier break is then over in time
        row = {y: 1.0 for y in ys[j][: k + 1]}
        for y, at in zip(ys[j - 1], before, strict=True):
            if at <= a - gap + 1e-9:
                row[y] = row.get(y, 0.0) - 1.0
        b.row(row, -np.inf, 0.0)


def _rules(rows: list[tuple[dict[int, float], float, float, str]], size: int) -> list[Rule]:
    """The builder's rows as rules: the structural ones together, each named one alone."""
    out = []
    plain = [r for r in rows if not r[3]]
    for group in [plain] + [[r] for r in rows if r[3]]:
        if not group:
            continue
        data: list[float] = []
        ri: list[int] = []
        ci: list[int] = []
        for i, (coefficients, _, _, _) in enumerate(group):
            ri.extend([i] * len(coefficients))
            ci.extend(coefficients)
            data.extend(coefficients.values())
        matrix = sparse.csr_array((data, (ri, ci)), shape=(len(group), size))
        out.append(Rule(matrix, np.array([r[1] for r in group]), np.array([r[2] for r in group]),
                        group[0][3]))  # fmt: skip
    return out


def _break_offsets(x: NDArray[np.int64], shifts: list[Shift]) -> dict[int, list[tuple[float, ...]]]:
    """Each shift's people's break starts (seconds into the shift): a shift's own
    break variables paired in order; shared ones handed out in order of start,
    each person the earliest left in their window."""
    out: dict[int, list[tuple[float, ...]]] = {}
    left: dict[int, int] = {}
    for i in sorted(range(len(shifts)), key=lambda i: (shifts[i].day, shifts[i].start)):
        sh = shifts[i]
        count = int(x[sh.var])
        if count <= 0:
            continue
        lists = []
        for j, variables in enumerate(sh.breaks):
            if not sh.pooled:
                lists.append(np.repeat(sh.places[j], np.maximum(x[np.array(variables)], 0)))
                continue
            taken: list[float] = []
            for var, a in zip(variables, sh.places[j], strict=True):
                have = left.setdefault(var, int(x[var]))
                n = min(have, count - len(taken))
                taken.extend([a] * n)
                left[var] = have - n
            if len(taken) < count:
                raise RuntimeError("the breaks HiGHS returned do not fit their shifts")
            lists.append(np.array(taken))
        out[i] = [tuple(float(lst[k]) for lst in lists) for k in range(count)]
    return out


def _decode(x: NDArray[np.int64], shifts: list[Shift], tours: list[Tour],
            week: bool) -> list[tuple[Person, int]]:  # fmt: skip
    """People from whole-number counts: each shift's people with their breaks
    (:func:`_break_offsets`), and each day's shifts of a band handed out in order
    of start to the band's people working that day."""
    daily: dict[tuple[int, int, int], list[tuple[float, tuple[float, ...]]]] = defaultdict(list)
    for i, people in _break_offsets(x, shifts).items():
        sh = shifts[i]
        daily[sh.template, sh.band, sh.day].extend((sh.start, breaks) for breaks in people)
    for key in daily:
        daily[key].sort()
    counted: dict[Person, int] = defaultdict(int)
    if not week:
        for (ti, bi, d), entries in daily.items():
            for s, breaks in entries:
                counted[Person(ti, ((d, s, breaks),), bi)] += 1
        return list(counted.items())
    taken: dict[tuple[int, int, int], int] = defaultdict(int)
    for tour in sorted(tours, key=lambda r: (r.template, r.band, r.days)):
        for worked in _weeks_of(tour, int(x[tour.var]), daily):
            days: list[Day] = []
            for d in worked:
                key = (tour.template, tour.band, d)
                s, breaks = daily[key][taken[key]]
                taken[key] += 1
                days.append((d, s, breaks))
            counted[Person(tour.template, tuple(days), tour.band)] += 1
    return list(counted.items())


def _weeks_of(tour: Tour, people: int, daily: dict) -> list[tuple[int, ...]]:
    """The days each of a tour's ``people`` works: its pattern, or for days off
    anywhere, the days' counts handed out cyclically (McNaughton's wrap-around:
    at most ``people`` a day, so nobody gets a day twice, and ``on`` each)."""
    if not tour.on:
        return [tour.days] * people
    weeks: list[list[int]] = [[] for _ in range(people)]
    at = 0
    for d in tour.days:
        for _ in range(len(daily.get((tour.template, tour.band, d), ()))):
            weeks[at % people].append(d)
            at += 1
    return [tuple(sorted(w)) for w in weeks]
