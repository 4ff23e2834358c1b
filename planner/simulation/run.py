"""``simulate``: replications of a staffing plan over a day's workload."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Required, TypedDict, Unpack

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner._validate import FloatArray, IntArray, SLBasis, check_sl_basis
from planner.errors import InputError
from planner.simulation.day import Callers, Day, draw_callers
from planner.simulation.distributions import Distribution, Exponential, as_distribution
from planner.simulation.engines import ENGINES, Answers, Attempts, Returns, run_returns
from planner.simulation.outcomes import (
    leave_times,
    outcome_codes,
    period_totals,
)
from planner.simulation.results import SimulationResult, metrics_from_totals

__all__ = ["DayOptions", "Engine", "simulate"]

Engine = Literal["auto", "fast", "simpy"]
Seed = int | Sequence[int] | np.random.SeedSequence
Close = Literal["serve_queue", "stop"]
_OUTCOMES = np.array(["answered", "abandoned", "queued_at_end"])
_KINDS = np.array(["first", "redial", "repeat"])
# Callers of one replication are held in memory while it runs (about 100 bytes
# each); a few replications run at once (one per core), each dropped when totalled.
MAX_CALLERS = 10_000_000
# Callers simulated over all the replications, at most (the compiled engine draws and
# serves about 6 million a second: several minutes).
MAX_SIMULATED = 2_000_000_000


def _scalar(name: str, value: float, check) -> float:
    if np.ndim(value) != 0:
        raise InputError(f"'{name}' must be a single number: {value!r}")
    return float(check(name, value))


def workers() -> int:
    """Threads for replications run side by side (the machine's cores, at most 8)."""
    return min(os.cpu_count() or 1, 8)


def check_seed(seed: object) -> np.random.SeedSequence:
    """``seed`` as a SeedSequence: None (fresh entropy), a whole number >= 0, a
    sequence of them, or a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None:
        return np.random.SeedSequence()
    values: list[Any] = (
        list(seed) if isinstance(seed, Sequence) and not isinstance(seed, str) else [seed]
    )
    if not values or not all(
        isinstance(x, int | np.integer) and not isinstance(x, bool) and x >= 0 for x in values
    ):
        raise InputError(
            "'seed' must be a whole number >= 0 (or a list of them, or None for a fresh "
            f"one): {seed!r}"
        )
    if isinstance(seed, int | np.integer):
        return np.random.SeedSequence(int(seed))
    return np.random.SeedSequence([int(x) for x in values])


def engine_name(engine: str) -> Literal["fast", "simpy"]:
    """The engine to run: ``auto`` is the fast one, which covers every feature here."""
    if engine == "auto":
        return "fast"
    if engine == "fast":
        return "fast"
    if engine == "simpy":
        return "simpy"
    raise InputError(f"'engine' must be 'auto', 'fast' or 'simpy': {engine!r}")


@dataclass(frozen=True)
class Workload:
    """A day's expected calls and AHT per interval, checked."""

    labels: list[object]
    calls: FloatArray
    aht: FloatArray | None

    @classmethod
    def of(cls, workload: pd.DataFrame | Mapping[str, ArrayLike]) -> Workload:
        if isinstance(workload, Mapping) and not isinstance(workload, pd.DataFrame):
            try:
                workload = pd.DataFrame(dict(workload))
            except ValueError as err:
                raise InputError(f"'workload' columns must have equal lengths: {err}") from None
        if not isinstance(workload, pd.DataFrame):
            raise InputError(
                "'workload' must be a DataFrame (or a dict) with a 'calls' column (calls "
                f"per interval) and optionally 'aht' (seconds): {type(workload).__name__}"
            )
        if "calls" not in workload.columns:
            raise InputError(
                f"'workload' needs a 'calls' column; it has {list(map(str, workload.columns))}"
            )
        if len(workload) == 0:
            raise InputError("'workload' has no intervals")
        calls = v.column(workload, "calls", v.nonnegative)
        aht = v.column(workload, "aht", v.positive) if "aht" in workload.columns else None
        return cls(list(workload.index), calls, aht)


def check_plan(plan: ArrayLike, intervals: int) -> IntArray:
    """Agents per interval as whole numbers; a single number means every interval."""
    return v.plan("plan", plan, intervals)


class DayOptions(TypedDict, total=False):
    """What a simulated day is made of: the keyword arguments :func:`simulate` and
    :func:`~planner.simulated_staffing` share (see :func:`simulate` for each)."""

    interval: Required[float]
    handle: Distribution | float | None
    patience: Distribution | float | None
    replications: int
    seed: Seed | None
    dispersion: float
    warmup: float
    close: Close
    lines: int | None
    redial_probability: float
    redial_delay: float
    fcr: float
    repeat_delay: float


class _Returner(Returns):
    """Draws for callers who call again in one replication, from its own stream."""

    def __init__(self, exp: Experiment, seed: np.random.SeedSequence) -> None:
        self.rng = np.random.default_rng(seed)
        self.exp = exp
        self.lines = exp.lines

    def hung_up(self, i: int, now: float) -> float | None:
        exp = self.exp
        if exp.redial_probability > 0 and self.rng.random() < exp.redial_probability:
            return now + self.rng.exponential(exp.redial_delay)
        return None

    def resolved(self, i: int, now: float) -> float | None:
        exp = self.exp
        if exp.fcr < 1 and self.rng.random() >= exp.fcr:
            return now + self.rng.exponential(exp.repeat_delay)
        return None

    def draw(self, at: float) -> tuple[float, float, int]:
        exp = self.exp
        period = int(np.clip(np.searchsorted(exp.bounds, at, side="right") - 1, 0, None))
        period = min(period, len(exp.bounds) - 2)
        handle = float(exp.handle.sample(1, self.rng)[0])
        if exp._aht is not None:
            handle *= exp._aht[period] / exp.handle.mean
        patience = np.inf if exp.patience is None else float(exp.patience.sample(1, self.rng)[0])
        return handle, patience, period


class Experiment:
    """One workload, one set of callers per replication, any staffing plan.

    Replication ``r``'s callers are drawn from their own stream spawned from
    ``seed``, the same for every plan: common random numbers, so plans
    differ only by what the staffing changes. They are drawn again when
    needed, never kept, so memory does not grow with the replications. The
    defaults here are those of :func:`simulate` and
    :func:`~planner.simulated_staffing`.
    """

    def __init__(
        self,
        workload: Workload,
        *,
        interval: float,
        handle: Distribution | float | None = None,
        patience: Distribution | float | None = None,
        replications: int = 20,
        seed: Seed | None = None,
        dispersion: float = 0.0,
        warmup: float = 0.0,
        close: Close = "serve_queue",
        lines: int | None = None,
        redial_probability: float = 0.0,
        redial_delay: float = 300.0,
        fcr: float = 1.0,
        repeat_delay: float = 3600.0,
    ) -> None:
        self.workload = workload
        if lines is not None:
            lines = v.whole("lines", lines, 1)
        self.lines = lines
        self.redial_probability = _scalar("redial_probability", redial_probability, v.share)
        if self.redial_probability >= 1:
            raise InputError(f"'redial_probability' must be in [0, 1): {redial_probability!r}")
        self.redial_delay = _scalar("redial_delay", redial_delay, v.positive)
        self.fcr = _scalar("fcr", fcr, v.fraction)
        self.repeat_delay = _scalar("repeat_delay", repeat_delay, v.positive)
        # callers who call again (or a limit on lines) need the event model
        self.returning = lines is not None or self.redial_probability > 0 or self.fcr < 1
        self.interval = _scalar("interval", interval, v.positive)
        if handle is None:
            if workload.aht is None:
                raise InputError("give the workload an 'aht' column or a 'handle' distribution")
            handle = Exponential(1.0)
        self.handle = as_distribution("handle", handle)
        self.patience = None if patience is None else as_distribution("patience", patience)
        self.replications = v.whole("replications", replications, 1)
        self.dispersion = _scalar("dispersion", dispersion, v.nonnegative)
        self.warmup = _scalar("warmup", warmup, v.nonnegative)
        if close not in ("serve_queue", "stop"):
            raise InputError(f"'close' must be 'serve_queue' or 'stop': {close!r}")
        self.close: Close = close
        self.reseed(check_seed(seed))
        k = len(workload.calls)
        first = 1 if self.warmup > 0 else 0
        edges = self.warmup + self.interval * np.arange(k + 1, dtype=np.float64)
        self.bounds: FloatArray = np.concatenate([[0.0], edges]) if first else edges
        self.first = first
        expected: FloatArray = workload.calls
        aht: FloatArray | None = workload.aht
        if first:
            expected = np.concatenate([[expected[0] * self.warmup / self.interval], expected])
            aht = None if aht is None else np.concatenate([[aht[0]], aht])
        total = float(expected.sum()) * (1.0 + self.dispersion)
        if total > MAX_CALLERS:
            raise InputError(
                f"a simulated day holds at most {MAX_CALLERS:,.0f} expected callers "
                f"(memory); this one has {total:,.0f}: simulate fewer intervals at a time"
            )
        if total * self.replications > MAX_SIMULATED:
            raise InputError(
                f"{self.replications:,} replications of {total:,.0f} expected callers are "
                f"{total * self.replications:,.0f} callers to simulate, at most "
                f"{MAX_SIMULATED:,.0f} (several minutes of simulation): fewer replications"
            )
        self._expected = expected
        self._aht = aht
        # Replication i's seed is root's i-th child, as root.spawn() would give on a
        # fresh root, without spawning: the caller's SeedSequence is not changed.

    def drawn_again(self, replications: int, child: tuple[int, ...]) -> Experiment:
        """The same workload and day with ``replications`` and callers of their own: the
        user's seed's child ``child`` (a confirmation on fresh callers). Staffing
        searches only: callers who call again are not carried over."""
        other = Experiment(
            self.workload, interval=self.interval, handle=self.handle, patience=self.patience,
            replications=replications, dispersion=self.dispersion, warmup=self.warmup,
            close=self.close,
        )  # fmt: skip
        other.reseed(self.child_seed(*child))
        return other

    def child_seed(self, *child: int) -> np.random.SeedSequence:
        """The user's seed's child ``child`` (keys beyond the replications' 0, 1, ...)."""
        root = self.root
        return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, *child))

    def reseed(self, root: np.random.SeedSequence) -> None:
        """Draw the callers from ``root`` from now on."""
        self.root = root
        # What reproduces the run: the entropy, or the SeedSequence when it is a child.
        self.seed: Seed = root if root.spawn_key else root.entropy  # type: ignore[assignment]

    @classmethod
    def of(
        cls, workload: pd.DataFrame | Mapping[str, ArrayLike], options: Mapping[str, Any]
    ) -> Experiment:
        """The experiment of a public call: its workload and its :class:`DayOptions`."""
        unknown = sorted(set(options) - set(DayOptions.__annotations__))
        if unknown:
            raise InputError(
                f"unknown option {unknown[0]!r}; the day takes {list(DayOptions.__annotations__)}"
            )
        if "interval" not in options:
            raise InputError("'interval' is missing: the interval length, seconds")
        return cls(Workload.of(workload), **options)

    def day(self, plan: IntArray) -> Day:
        agents = np.concatenate([plan[:1], plan]) if self.first else plan
        return Day(self.bounds, agents, self.first, self.close == "serve_queue")

    def callers(self, r: int) -> Callers:
        """Replication ``r``'s callers, from the seed's ``r``-th child (as
        ``SeedSequence.spawn`` numbers them, without changing the caller's one)."""
        return draw_callers(
            self.day(np.zeros(len(self.workload.calls), dtype=np.int64)),
            self._expected,
            self._aht,
            self.handle,
            self.patience,
            self.dispersion,
            self._seed(r),
        )

    def totals(
        self,
        plan: IntArray,
        engine: str,
        answer_time: float,
        r: int,
        upto: int | None = None,
        callers: Callers | None = None,
    ) -> tuple[dict[str, FloatArray], Answers]:
        """Per-interval totals of replication ``r`` (warm-up dropped) and answer times.

        With ``upto``, only callers who arrive in intervals ``<= upto`` are
        simulated: under FCFS later callers cannot change what happens to
        them, so every total of those intervals is exact. ``callers`` saves
        drawing replication ``r``'s again.
        """
        callers = self.callers(r) if callers is None else callers
        if upto is not None:
            stop = int(np.searchsorted(callers.period, upto + self.first, side="right"))
            callers = callers.head(stop)
        day = self.day(plan)
        if self.returning:
            return self._returning_totals(callers, day, answer_time, r)
        answers = ENGINES[engine](callers, day)
        totals = period_totals(callers, answers.start, answers.overtime, day, answer_time)
        return {k: t[self.first :] for k, t in totals.items()}, answers

    def _returning_totals(
        self, callers: Callers, day: Day, answer_time: float, r: int
    ) -> tuple[dict[str, FloatArray], Answers]:
        """Totals with callers who call again (:func:`run_returns`): every attempt is a
        call; blocked ones are counted apart from those who hung up, and the redials,
        repeats and blocked attempts of each interval are totals too."""
        seed = self._seed(r)
        draws = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 3))
        answers = run_returns(callers, day, _Returner(self, draws))
        every, kind, blocked = answers.callers, answers.kind, answers.blocked
        totals = period_totals(every, answers.start, answers.overtime, day, answer_time)
        periods = day.periods

        def count(mask: np.ndarray) -> FloatArray:
            return np.bincount(every.period[mask], minlength=periods).astype(np.float64)

        lost = count(blocked)
        totals["abandoned"] = totals["abandoned"] - lost  # blocked, not hung up
        totals["abandoned_within"] = totals["abandoned_within"] - lost
        totals["waited"] = totals["waited"] - lost
        totals["blocked"] = lost
        totals["redials"] = count(kind == 1)
        totals["repeats"] = count(kind == 2)
        return {k: t[self.first :] for k, t in totals.items()}, answers

    def _seed(self, r: int) -> np.random.SeedSequence:
        root = self.root
        return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, r))

    def records(
        self, r: int, c: Callers, start: FloatArray, day: Day, labels: list[object]
    ) -> pd.DataFrame:
        """Per-call records of replication ``r`` (its callers ``c``), warm-up callers left out."""
        keep = c.period >= self.first
        leave = leave_times(c, start, day)
        answered = np.isfinite(start)
        origin = self.bounds[self.first]
        interval_index = c.period[keep] - self.first
        return pd.DataFrame(
            {
                "replication": r,
                "interval_start": np.asarray(labels, dtype=object)[interval_index],
                "arrival": c.arrival[keep] - origin,
                "handle_time": c.handle[keep],
                "patience": (c.gives_up_at - c.arrival)[keep],
                "wait": (leave - c.arrival)[keep],
                "answered_at": np.where(answered, start, np.nan)[keep] - origin,
                "outcome": _OUTCOMES[outcome_codes(c, start, day)[keep]],
            }
        )

    def result(
        self,
        plan: IntArray,
        engine: Literal["fast", "simpy"],
        answer_time: float,
        sl_basis: SLBasis,
        level: float = 0.95,
        *,
        record_calls: bool = False,
    ) -> SimulationResult:
        """Every replication of ``plan``, as a :class:`SimulationResult`."""
        return self.results(
            [plan], engine, answer_time, sl_basis, level, record_calls=record_calls
        )[0]

    def results(
        self,
        plans: Sequence[IntArray],
        engine: Literal["fast", "simpy"],
        answer_time: float,
        sl_basis: SLBasis,
        level: float = 0.95,
        *,
        record_calls: bool = False,
    ) -> list[SimulationResult]:
        """Every replication of each plan, on the same callers (drawn once per replication)."""

        def replication(r: int) -> list[tuple[dict[str, FloatArray], pd.DataFrame | None]]:
            callers = self.callers(r)
            out = []
            for plan in plans:
                totals, answers = self.totals(plan, engine, answer_time, r, callers=callers)
                kept = None
                if record_calls:
                    day = self.day(plan)
                    attempts = answers.callers if isinstance(answers, Attempts) else callers
                    kept = self.records(r, attempts, answers.start, day, self.workload.labels)
                    if isinstance(answers, Attempts):
                        kept["attempt"] = _KINDS[answers.kind[attempts.period >= self.first]]
                        blocked = answers.blocked[attempts.period >= self.first]
                        kept.loc[blocked, "outcome"] = "blocked"
                out.append((totals, kept))
            return out

        # A replication's callers are dropped once it is totalled; the compiled
        # engine releases the GIL, so a few replications run side by side.
        with ThreadPoolExecutor(max_workers=workers()) as pool:
            done = list(pool.map(replication, range(self.replications)))
        per_rep = [[rep[i][0] for rep in done] for i in range(len(plans))]
        records = [[rep[i][1] for rep in done] for i in range(len(plans))]
        out = []
        for i, plan in enumerate(plans):
            stacked = {k: np.stack([t[k] for t in per_rep[i]]) for k in per_rep[i][0]}
            out.append(
                SimulationResult(
                    agents=plan,
                    interval=self.interval,
                    labels=self.workload.labels,
                    answer_time=answer_time,
                    sl_basis=sl_basis,
                    replications=self.replications,
                    seed=self.seed,
                    engine=engine,
                    level=level,
                    per_interval=metrics_from_totals(stacked, sl_basis),
                    per_day=metrics_from_totals(day_totals(stacked), sl_basis),
                    records=pd.concat(records[i], ignore_index=True) if record_calls else None,  # type: ignore[arg-type]
                )
            )
        return out


def day_totals(totals: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """Whole-day totals from interval totals (sums; the largest queue for max_queue)."""
    return {k: (t.max(axis=-1) if k == "max_queue" else t.sum(axis=-1)) for k, t in totals.items()}


def simulate(
    workload: pd.DataFrame | Mapping[str, ArrayLike],
    plan: ArrayLike | None = None,
    *,
    answer_time: float = 20.0,
    sl_basis: SLBasis = "offered",
    engine: Engine = "auto",
    record_calls: bool = False,
    level: float = 0.95,
    **day: Unpack[DayOptions],
) -> SimulationResult:
    """Simulate a staffing plan over a day, ``replications`` times.

    One FCFS queue, served by ``plan[k]`` agents in interval ``k``; the
    queue and calls in progress carry from one interval into the next; when
    the staffing drops, the agents who go off duty are spread over idle and
    busy ones, and busy ones finish their call first (see
    :mod:`planner.simulation.engines`). Calls are counted in the interval
    they arrive in; busy time and queue length are split at the boundaries
    (and left out after the last interval).

    Parameters
    ----------
    workload : one row per interval: ``calls`` (expected offered calls per
        interval) and, optionally, ``aht`` (seconds). A DataFrame or a dict.
    plan : agents on duty per interval (whole numbers), or one number for all.
    answer_time : service-level threshold T, seconds.
    sl_basis : service-level denominator: ``"offered"`` (default),
        ``"offered_excl_short_abandons"`` (callers who hung up within T left
        out) or ``"answered"``.
    engine : ``"fast"`` (exact waiting-time recursion), ``"simpy"`` (the
        SimPy event model) or ``"auto"`` (the fast one: it handles everything
        below). Both give the same numbers from the same seed.
    record_calls : keep per-call records in ``result.records``: replication,
        interval_start (the workload's label), arrival and answered_at
        (seconds from the start of the first interval), handle_time,
        patience, wait (seconds in queue) and outcome (answered, abandoned,
        queued_at_end).
    level : confidence level of the intervals reported.
    day : the day's :class:`DayOptions`, shared with
        :func:`~planner.simulated_staffing`:

    interval : interval length, seconds (required).
    handle : handle-time distribution. With an ``aht`` column it is rescaled to
        each interval's AHT (it gives the shape); without one it is used as is.
        A number is an exponential mean; default exponential.
    patience : patience distribution (seconds), a number for an exponential
        mean, or None (default): nobody abandons.
    replications : independent days simulated (>= 1, default 20; confidence
        intervals need 2 or more).
    seed : an int or SeedSequence; the same seed gives the same numbers, and
        the same callers whatever the staffing (common random numbers).
        Replication ``i`` draws from the seed's ``i``-th child (as
        ``SeedSequence.spawn`` numbers them), so a run of 10 replications
        repeats the first 10 of a run of 20. None draws fresh entropy, kept
        in ``result.seed``.
    dispersion : day-level over-dispersion of volume: every rate of a day is
        multiplied by a gamma variable with mean 1 and this coefficient of
        variation (0: plain Poisson arrivals).
    warmup : seconds simulated before the first interval, at its rate and
        staffing, and left out of the results (0: the day starts empty).
    lines : most callers on the lines at once (talking or waiting; None: no
        limit); a call finding them all busy is blocked (``blocking``).
    redial_probability : chance a caller who hangs up or is blocked calls again,
        after an exponential delay of mean ``redial_delay`` seconds (a redial is a
        new attempt: ``redial_share``).
    fcr : first-contact resolution: the rest of the answered calls come back as
        new calls after an exponential delay of mean ``repeat_delay`` seconds
        (``repeat_share``). Attempts after the end of the day are not simulated.
        With any of these three, the SimPy engine runs (``engine="auto"``), every
        attempt counts as a call, and a blocked attempt is neither answered nor
        abandoned; ``record_calls`` adds each attempt's kind (``attempt``).
    close : callers still waiting when the last interval ends:
        ``"serve_queue"`` (default) the last interval's agents stay to answer
        them, as most centers do (they may still hang up); ``"stop"`` the day
        stops there and they count as ``queued_at_end``. Nobody new calls
        after the last interval either way.

    Examples
    --------
    >>> day = {"calls": [100, 120], "aht": [180, 180]}
    >>> res = simulate(day, [14, 16], interval=1800, patience=300, replications=20, seed=7)
    >>> est = res.day("service_level")
    >>> 0.7 < est.mean < 1 and est.ci_low < est.mean < est.ci_high
    True
    """
    if plan is None:
        raise InputError("'plan' is missing: agents on duty per interval, or one number for all")
    exp = Experiment.of(workload, day)
    agents = check_plan(plan, len(exp.workload.calls))
    answer_time = _scalar("answer_time", answer_time, v.nonnegative)
    sl_basis = check_sl_basis(sl_basis)
    level = _scalar("level", level, v.fraction)
    if level >= 1:
        raise InputError(f"'level' must be in (0, 1): {level!r}")
    name = engine_name(engine)
    if exp.returning:  # callers who call again are simulated by the event model
        if engine == "fast":
            raise InputError(
                "redials, repeat contacts and lines are simulated by engine='simpy' (or 'auto')"
            )
        name = "simpy"
    return exp.result(agents, name, answer_time, sl_basis, level, record_calls=record_calls)
