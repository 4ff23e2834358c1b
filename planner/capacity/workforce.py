"""The people a capacity plan starts from and the classes it can hire, week by week.

Time runs in weeks from today (week 0). A person's tenure is the weeks since
they were hired (a hire's first week of training is tenure 0). Attrition is
given per tenure band as the share of a band's people who would leave in a
year, and applied week by week as ``1 - (1 - annual) ** (1 / 52)``: new hires
usually leave faster than tenured staff. A hiring class is recruited for
``recruit_weeks`` (unpaid), trains for ``train_weeks`` (paid, off the phones),
then goes live and works at the productivity of its ramp curve, week by week,
until full speed (1.0). People on staff today are at full speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError

__all__ = ["HiringClass", "TenureBand", "Workforce"]

WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class TenureBand:
    """People of a tenure band: ``headcount`` on staff today, tenure from the end of
    the previous band to ``until_week`` (weeks; None: the last band, open-ended), and
    ``annual_attrition``, the share of them who leave in a year (in [0, 1))."""

    name: str
    until_week: int | None = None
    annual_attrition: float = 0.0
    headcount: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"a tenure band needs a name: {self.name!r}")
        if self.until_week is not None:
            v.whole(f"band {self.name!r}: until_week", self.until_week, 1, 10_000)
        rate = v.single(f"band {self.name!r}: annual_attrition", self.annual_attrition,
                        v.shrinkage_fraction)  # fmt: skip
        object.__setattr__(self, "annual_attrition", rate)
        v.whole(f"band {self.name!r}: headcount", self.headcount, 0, v.MAX_AGENTS)


@dataclass(frozen=True)
class HiringClass:
    """A kind of hiring class: recruiting and training lead time (weeks), class size
    limits (people), cost per hire (recruiting, equipment: currency), cost per class
    held (trainers, rooms: currency), the ramp curve (productivity in (0, 1] in each
    week after go-live; full speed after it) and how often one can start (every
    ``every_weeks`` weeks, from the first week recruiting allows)."""

    name: str
    recruit_weeks: int
    train_weeks: int
    min_size: int = 1
    max_size: int = 20
    cost_per_hire: float = 0.0
    cost_per_class: float = 0.0
    ramp: tuple[float, ...] = ()
    every_weeks: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"a hiring class needs a name: {self.name!r}")
        where = f"class {self.name!r}"
        v.whole(f"{where}: recruit_weeks", self.recruit_weeks, 0, 520)
        v.whole(f"{where}: train_weeks", self.train_weeks, 0, 520)
        v.whole(f"{where}: min_size", self.min_size, 1, v.MAX_AGENTS)
        v.whole(f"{where}: max_size", self.max_size, 1, v.MAX_AGENTS)
        if self.max_size < self.min_size:
            raise InputError(
                f"{where}: max_size ({self.max_size}) is below min_size ({self.min_size})"
            )
        for name in ("cost_per_hire", "cost_per_class"):
            cost = v.single(f"{where}: {name}", getattr(self, name), v.nonnegative)
            object.__setattr__(self, name, cost)
        ramp = v.fraction(f"{where}: ramp", list(self.ramp))
        if ramp.ndim != 1:
            raise InputError(f"{where}: 'ramp' must be a list of productivities: {self.ramp!r}")
        object.__setattr__(self, "ramp", tuple(float(x) for x in ramp))
        v.whole(f"{where}: every_weeks", self.every_weeks, 1, 520)

    @property
    def lead_weeks(self) -> int:
        """Weeks from today to the first class's go-live: recruiting plus training."""
        return self.recruit_weeks + self.train_weeks

    def productivity(self, weeks_live: FloatArray) -> FloatArray:
        """Productivity after ``weeks_live`` weeks on the phones (0 before go-live)."""
        w = np.asarray(weeks_live)
        curve = np.append(self.ramp, 1.0)
        out = curve[np.clip(w, 0, len(self.ramp)).astype(np.int64)]
        return np.where(w < 0, 0.0, out)


@dataclass(frozen=True)
class Workforce:
    """Everything on the supply side of a capacity plan.

    ``bands``: tenure bands in order (the last open-ended) with today's headcount;
    ``classes``: the kinds of hiring class; ``salary_per_week``: the cost of one person
    on staff a week, trainees included (currency); ``training_seats``: trainees at once
    across classes (None: no limit); ``overtime_cap``: overtime as a share of the
    productive FTE of a week at most, at ``overtime_cost`` per FTE-week;
    ``short_cost``: the price put on each FTE-week short of the requirement (None:
    twice a week's salary, or 1 without salaries: a plan hires where it can);
    ``transfers``: people moved in (+) or out (-) each week, tenured and at full speed
    (one number per week, or none).
    """

    bands: tuple[TenureBand, ...]
    classes: tuple[HiringClass, ...] = ()
    salary_per_week: float = 0.0
    training_seats: int | None = None
    overtime_cap: float = 0.0
    overtime_cost: float = 0.0
    short_cost: float | None = None
    transfers: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        bands = tuple(self.bands)
        if not bands or not all(isinstance(b, TenureBand) for b in bands):
            raise InputError(f"'bands' must be one or more TenureBand: {self.bands!r}")
        if bands[-1].until_week is not None:
            raise InputError(
                f"the last tenure band ({bands[-1].name!r}) must be open-ended: until_week=None"
            )
        ends = [b.until_week for b in bands[:-1]]
        if any(e is None for e in ends) or ends != sorted(set(ends)):  # type: ignore[type-var]
            raise InputError(
                "tenure bands must run in order, each to a later until_week than the last; "
                f"only the last open-ended: {[b.until_week for b in bands]}"
            )
        names = [b.name for b in bands]
        if len(set(names)) != len(names):
            raise InputError(f"tenure band names must differ: {names}")
        classes = tuple(self.classes)
        if not all(isinstance(c, HiringClass) for c in classes):
            raise InputError(f"'classes' must hold HiringClass: {self.classes!r}")
        names = [c.name for c in classes]
        if len(set(names)) != len(names):
            raise InputError(f"hiring class names must differ: {names}")
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "classes", classes)
        for name in ("salary_per_week", "overtime_cost"):
            object.__setattr__(self, name, v.single(name, getattr(self, name), v.nonnegative))
        if self.short_cost is not None:
            short = v.single("short_cost", self.short_cost, v.nonnegative)
            object.__setattr__(self, "short_cost", short)
        cap = v.single("overtime_cap", self.overtime_cap, v.share)
        object.__setattr__(self, "overtime_cap", cap)
        if self.training_seats is not None:
            v.whole("training_seats", self.training_seats, 0, v.MAX_AGENTS)
        try:
            moved = np.asarray(list(self.transfers), dtype=np.float64)
        except (TypeError, ValueError):
            moved = np.array([np.nan])
        if moved.ndim != 1 or not np.isfinite(moved).all():
            raise InputError(
                f"'transfers' must be a list of numbers, one a week: {self.transfers!r}"
            )
        object.__setattr__(self, "transfers", tuple(float(x) for x in moved))

    @property
    def price_of_short(self) -> float:
        """The price of an FTE-week short: ``short_cost``, or its default."""
        if self.short_cost is not None:
            return self.short_cost
        return 2.0 * self.salary_per_week if self.salary_per_week > 0 else 1.0

    @property
    def headcount(self) -> int:
        """People on staff today."""
        return sum(b.headcount for b in self.bands)

    def weekly_leave(self, tenure_weeks: FloatArray) -> FloatArray:
        """The chance that a person of each tenure (weeks) leaves in that week."""
        tenure = np.asarray(tenure_weeks)
        ends = np.array([b.until_week for b in self.bands[:-1]], dtype=np.float64)
        band = np.searchsorted(ends, tenure, side="right")
        annual = np.array([b.annual_attrition for b in self.bands])[band]
        return 1.0 - (1.0 - annual) ** (1.0 / WEEKS_PER_YEAR)

    def tenure_today(self) -> FloatArray:
        """Where each band's people stand today (weeks of tenure): the middle of their
        band, the start of the last."""
        starts = [0] + [int(b.until_week) for b in self.bands[:-1]]  # type: ignore[arg-type]
        out = [(s + b.until_week) / 2 if b.until_week is not None else float(s)
               for s, b in zip(starts, self.bands, strict=True)]  # fmt: skip
        return np.floor(np.asarray(out, dtype=np.float64))

    def survival(self, tenure_start: float, weeks: int) -> FloatArray:
        """Expected share still on staff at the start of each of ``weeks`` weeks, of
        people of tenure ``tenure_start`` at week 0 of them (1.0 first)."""
        leave = self.weekly_leave(tenure_start + np.arange(weeks - 1, dtype=np.float64))
        return np.concatenate([[1.0], np.cumprod(1.0 - leave)])[:weeks]

    def transfers_for(self, weeks: int) -> FloatArray:
        """People moved in (+) or out (-) in each of ``weeks`` weeks (0 past the list)."""
        moved = np.zeros(weeks)
        given = np.asarray(self.transfers[:weeks])
        moved[: given.size] = given
        return moved
