"""Every shift spelled out: one variable per template x start x days x break placement.

The classic set-covering formulation (Dantzig 1954): each option's column is
the share of every interval it is on duty. Exact and simple, but the options
multiply (every break placement, every days-off pattern), so it serves small
cases and as the reference the implicit formulation is tested against.
"""

from __future__ import annotations

from itertools import product

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner.schedule.formulation import Formulation, Person, Rule, Setting, nothing_fits
from planner.schedule.grid import DAY

__all__ = ["enumerated"]


def enumerated(setting: Setting) -> Formulation:
    """The set-covering formulation of ``setting``: one whole-number variable per
    shift option, counting the people who work it."""
    people: list[Person] = []
    columns = []
    for ti, t in enumerate(setting.templates):
        combos = [c for c in product(*setting.placements(t)) if t.spaced(c)]
        for start in t.start_times():
            for week in setting.weeks(t):
                if not all(setting.on_duty_while_open(d, start, t.length) for d in week):
                    continue
                for combo in combos:
                    breaks = tuple(float(x) for x in combo)
                    days = tuple((d, float(start), breaks) for d in week)
                    person = Person(ti, days, group=round(start))
                    people.append(person)
                    columns.append(duty(setting, person))
    if not people:
        raise nothing_fits()
    cover = sparse.csr_array(np.column_stack(columns))
    templates = setting.templates
    hours = np.array([templates[p.template].paid_seconds / 3600 * len(p.days) for p in people])
    template = np.array([p.template for p in people], dtype=np.int64)
    rate = np.array([t.cost_per_hour for t in templates])[template]

    def decode(x: NDArray[np.int64]) -> list[tuple[Person, int]]:
        return [(p, int(c)) for p, c in zip(people, x, strict=True) if c > 0]

    return Formulation(
        cost=hours * rate, hours=hours, people=np.ones(len(people)), template=template,
        cover=cover, structure=_rotation(setting, people), integral=np.ones(len(people), bool),
        decode=decode, options=len(people),
    )  # fmt: skip


def duty(setting: Setting, person: Person) -> np.ndarray:
    """Share of each interval of the horizon ``person`` is on duty."""
    t = setting.templates[person.template]
    out = np.zeros(setting.grid.days * setting.grid.n)
    for d, start, breaks in person.days:
        out += setting.grid.duty(
            d * DAY + start, t.length,
            tuple((at, b.length) for at, b in zip(breaks, t.breaks, strict=True)),
        )  # fmt: skip
    return out


def _rotation(setting: Setting, people: list[Person]) -> list[Rule]:
    """Weekends off: among the people on each template and start, enough have the
    weekend off each week that every one of them has ``weekends_off`` in a
    rotation (as :func:`planner.schedule.implicit.implicit` words it)."""
    if setting.grid.days != 7:
        return []
    weekend = set(setting.weekend())
    rows, messages = [], []
    groups: dict[tuple[int, float], list[int]] = {}
    for i, p in enumerate(people):
        if setting.templates[p.template].weekends_off:
            groups.setdefault((p.template, p.days[0][1] if p.days else 0.0), []).append(i)
    weeks = setting.rotation_weeks
    for (ti, _), members in groups.items():
        t = setting.templates[ti]
        row = np.zeros(len(people))
        for i in members:
            off = not weekend & {d for d, _, _ in people[i].days}
            row[i] = t.weekends_off - weeks * off
        rows.append(row)
        messages.append(rotation_message(t.name, t.weekends_off, weeks))
    return [
        Rule(sparse.csr_array(row[None, :]), np.array([-np.inf]), np.array([0.0]), m)
        for row, m in zip(rows, messages, strict=True)
    ]


def rotation_message(name: str, weekends: int, weeks: int) -> str:
    """What to say when a weekend rotation is what leaves no schedule."""
    return (
        f"the weekends_off of {name} ({weekends} in {weeks} week(s)) leave too few people "
        "at the weekend: lower it, or raise 'rotation_weeks'"
    )
