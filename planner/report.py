"""The report layer: a plan's Erlang figures per interval, and the day's roll-up.

Every per-interval table the planner shows (requirements, a scenario's plan,
a sweep variation, the app's pages) is built by :func:`evaluate_plan`, and
every whole-day figure (calls, peak agents, hours, cost, call-weighted
service) by :func:`day_summary`, so the same inputs give the same numbers
whichever entry point asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import IntervalModel, Load
from planner.staffing import checked_model, scheduled, staffed
from planner.targets import Targets

if TYPE_CHECKING:
    from planner.forecast import FittedForecast

__all__ = [
    "binding_targets",
    "day_summary",
    "evaluate_plan",
    "forecast_requirements",
    "hours",
    "money",
    "power_of_one",
    "requirements",
    "to_csv",
    "to_excel",
    "weekly_summary",
]

SECONDS_PER_HOUR = 3600.0


def hours(agents: ArrayLike, interval: float) -> float:
    """Agent hours of a plan: agents summed over intervals of ``interval`` seconds.

    Examples
    --------
    >>> hours([10, 20, 30], 1800)
    30.0
    """
    return float(np.asarray(agents, dtype=np.float64).sum() * interval / SECONDS_PER_HOUR)


def money(amount: float, currency: str | None = None, decimals: int = 2) -> str:
    """A cost as the app and the CLI write it: thousands separated, ``decimals`` places,
    after its currency code when there is one.

    >>> money(1234.5, "USD"), money(1234.5), money(float("nan"), "EUR")
    ('USD 1,234.50', '1,234.50', '-')
    """
    if not np.isfinite(amount):
        return "-"
    text = f"{amount:,.{decimals}f}"
    return f"{currency} {text}" if currency else text


def evaluate_plan(
    df: pd.DataFrame,
    agents: ArrayLike,
    targets: Targets,
    interval: float,
    shrinkage: float = 0.0,
    *,
    model: IntervalModel | None = None,
) -> pd.DataFrame:
    """The figures of a staffing plan, one row per interval of a workload table.

    Parameters
    ----------
    df : one row per interval with ``calls`` (offered calls per interval)
        and ``aht`` (seconds); other columns are kept.
    agents : agents on the phones per interval (the plan), or one number.
    targets : service-level definition (``answer_time``, ``sl_basis``).
    interval : interval length, seconds.
    shrinkage : fraction of paid time not on the phones, in [0, 1).
    model : the queueing model (:mod:`planner.models`); Erlang C by default.

    Returns
    -------
    A copy of ``df`` with ``traffic`` (Erlangs), ``agents``, ``scheduled`` and the
    model's measures (its ``columns``): ``service_level`` (on ``targets.sl_basis``),
    ``asa`` (seconds), ``occupancy``, and with a patience ``abandon_rate``; under
    Erlang X also ``blocking``, ``redial_share``, ``repeat_share`` and
    ``offered_traffic`` (Erlangs, redials and repeats included), per offered attempt.
    """
    day = _Day.checked(df, targets, interval, shrinkage, model)
    return day.table(day.plan(agents))


def requirements(
    df: pd.DataFrame,
    targets: Targets,
    interval: float,
    shrinkage: float = 0.0,
    *,
    model: IntervalModel | None = None,
) -> pd.DataFrame:
    """Staffing requirement for every interval of a workload table.

    The fewest agents meeting ``targets`` per interval under ``model`` (as
    :func:`planner.required_agents` finds them), evaluated as :func:`evaluate_plan`
    does: the same columns, with ``agents`` the requirement.

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"calls": [100, 0], "aht": [180, 180]})
    >>> requirements(day, Targets(), interval=1800, shrinkage=0.3)[["agents", "scheduled"]]
       agents  scheduled
    0      14         20
    1       0          0
    """
    day = _Day.checked(df, targets, interval, shrinkage, model)
    day.model.check(targets)
    return day.table(staffed(day.model, day.load, targets))


def power_of_one(
    calls: float,
    aht: float,
    interval: float,
    targets: Targets,
    *,
    model: IntervalModel | None = None,
    shrinkage: float = 0.0,
    fewer: int = 2,
    more: int = 3,
) -> pd.DataFrame:
    """One interval's requirement and what each agent fewer or more would give.

    Rows for ``fewer`` agents below the requirement (down to 1) to ``more`` above
    it, with ``agents``, ``scheduled`` (after ``shrinkage``), ``required`` (True on
    the requirement's row) and the model's measures (its ``columns``, and
    ``p_wait`` where the model reports it), as :func:`evaluate_plan` gives them.

    Examples
    --------
    >>> t = power_of_one(100, 180, 1800, Targets(), shrinkage=0.3)
    >>> t[["agents", "scheduled", "required"]].iloc[:3].to_dict("list")
    {'agents': [12, 13, 14], 'scheduled': [18, 19, 20], 'required': [False, False, True]}
    """
    day = _Day.checked(
        pd.DataFrame({"calls": [calls], "aht": [aht]}), targets, interval, shrinkage, model
    )
    day.model.check(targets)
    need = int(staffed(day.model, day.load, targets)[0])
    low = v.whole("fewer", fewer, 0)
    high = v.whole("more", more, 0)
    around = np.arange(max(need - low, 1 if need else 0), need + high + 1, dtype=np.float64)
    load = Load(np.full(around.size, day.load.calls[0]), np.full(around.size, day.load.aht[0]),
                day.load.interval)  # fmt: skip
    m = day.model.measures(around, load, targets)
    out = pd.DataFrame(
        {"agents": around.astype(np.int64), "scheduled": scheduled(around, day.shrinkage),
         "required": around == need}
    )  # fmt: skip
    for col in (*day.model.columns, *(["p_wait"] if "p_wait" in m else [])):
        out[col] = m[col]
    return out


# How each target is named on screen, in the order they are checked.
TARGET_NAMES = {
    "service_level": "service level",
    "asa": "ASA",
    "abandon_rate": "abandonment",
    "occupancy": "occupancy",
}


def binding_targets(
    df: pd.DataFrame,
    agents: ArrayLike,
    targets: Targets,
    interval: float,
    *,
    model: IntervalModel | None = None,
) -> list[str]:
    """Per interval, the targets that drive its staffing: those one agent fewer would miss
    under ``model`` (Erlang C by default).

    Returns one text per interval, e.g. ``"service level"`` or ``"ASA,
    abandonment"``; ``"stable queue"`` where one agent fewer misses no target but
    could not keep up with the traffic (the queue would grow without end), and
    ``""`` where the interval has no agents or one fewer would still meet every
    target (the plan is above the requirement there).

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"calls": [100, 100], "aht": [180, 180]})
    >>> binding_targets(day, [14, 16], Targets(service_level=0.8, answer_time=20), 1800)
    ['service level', '']
    """
    day = _Day.checked(df, targets, interval, 0.0, model)
    plan = day.plan(agents)
    fewer = np.maximum(plan - 1.0, 0.0)
    m = day.model.measures(fewer, day.load, targets)
    abandons = day.model.abandons
    limits = targets.limits(abandons=abandons)
    missed = {
        name: ~np.asarray(
            targets.met({name: m[name]}, skip=set(limits) - {name}, abandons=abandons)
        )
        for name in limits
    }
    names = [
        [TARGET_NAMES[name] for name, miss in missed.items() if bool(np.ravel(miss)[i])]
        for i in range(plan.size)
    ]
    # where one fewer misses no target, whether it could keep up at all (Erlang C's stable
    # queue): the model's own rule, asked only of those intervals
    staffed_calls = (plan > 0) & (day.load.calls > 0)
    quiet = np.flatnonzero(np.array([not n for n in names], dtype=bool) & staffed_calls)
    if quiet.size:
        kept = day.model.take(quiet).meets(fewer[quiet], day.load.take(quiet), targets)
        for i in quiet[~np.asarray(kept, dtype=bool)]:
            names[i] = ["stable queue"]
    return [", ".join(n) if staffed_calls[i] else "" for i, n in enumerate(names)]


@dataclass(frozen=True)
class _Day:
    """A workload table's inputs, validated once; the tables come from the model."""

    df: pd.DataFrame
    load: Load
    model: IntervalModel
    targets: Targets
    shrinkage: float

    @classmethod
    def checked(
        cls,
        df: pd.DataFrame,
        targets: Targets,
        interval: float,
        shrinkage: float,
        model: IntervalModel | None,
    ) -> _Day:
        calls, aht = _workload_columns(df)
        chosen = checked_model(model, targets)
        for name, value in (("interval", interval), ("shrinkage", shrinkage)):
            if np.ndim(value) != 0:
                raise InputError(f"'{name}' must be a single number: {value!r}")
        share = float(v.shrinkage_fraction("shrinkage", shrinkage))
        load = Load.of(calls, aht, interval)
        chosen.check_load(load)
        return cls(df, load, chosen, targets, share)

    @property
    def traffic(self) -> FloatArray:
        return self.load.traffic

    def plan(self, agents: ArrayLike) -> FloatArray:
        """``agents`` checked: whole counts, one per interval (or one for all); errors name
        the row label."""
        return v.plan("agents", agents, self.traffic.size, labels=list(self.df.index)).astype(
            np.float64
        )

    def table(self, agents: FloatArray) -> pd.DataFrame:
        m = self.model.measures(agents, self.load, self.targets)
        out = self.df.copy()
        out["traffic"] = self.traffic
        out["agents"] = agents.astype(np.int64)
        out["scheduled"] = scheduled(agents, self.shrinkage)
        for col in self.model.columns:
            out[col] = m[col]
        return out


def forecast_requirements(
    fitted: FittedForecast,
    horizon: int | str,
    targets: Targets,
    *,
    shrinkage: float = 0.0,
    quantile: float | None = None,
    model: IntervalModel | None = None,
) -> pd.DataFrame:
    """Staffing requirement for every forecast interval under ``model`` (see
    :func:`planner.requirements`; Erlang C by default).

    With ``quantile`` (e.g. 0.9) each interval is staffed for that quantile
    of its predicted calls instead of the mean: insurance against forecast
    error, at the cost of more agents. The table keeps ``calls_mean`` and
    ``calls_lower``/``calls_upper`` (90% prediction interval) beside ``calls``.
    """
    frame = fitted.summary_frame(horizon)
    calls = frame["calls"] if quantile is None else fitted.calls_at_quantile(frame, quantile)
    table = pd.DataFrame(
        {
            "calls": calls.to_numpy(),
            "aht": frame["aht"].to_numpy(),
            "calls_mean": frame["calls"].to_numpy(),
            "calls_lower": frame["calls_lower"].to_numpy(),
            "calls_upper": frame["calls_upper"].to_numpy(),
        },
        index=frame.index,
    )
    return requirements(table, targets, fitted.interval, shrinkage, model=model)


def weekly_summary(table: pd.DataFrame, interval: float, fte_hours: float = 37.5) -> pd.DataFrame:
    """Each calendar week (from Monday) of a requirements table whose index holds the
    interval starts (time stamps), as :func:`forecast_requirements` gives it.

    Returns one row per week: ``week_start`` (its Monday), ``open_days`` (days with
    an interval), ``calls``, ``agent_hours`` (on the phones), ``scheduled_hours``
    (paid, after shrinkage) and ``fte``: the scheduled hours over ``fte_hours``, the
    paid hours of one full-time agent a week.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2026-03-06 09:00", periods=4, freq="24h")  # Fri to Mon
    >>> table = pd.DataFrame({"calls": 100.0, "agents": 14, "scheduled": 20}, index=days)
    >>> weekly_summary(table, 1800, fte_hours=40)[["open_days", "scheduled_hours", "fte"]]
       open_days  scheduled_hours   fte
    0          3             30.0  0.75
    1          1             10.0  0.25
    """
    hours_each = v.single("fte_hours", fte_hours, v.positive)
    seconds = v.single("interval", interval, v.positive)
    if not isinstance(table.index, pd.DatetimeIndex):
        raise InputError("'table' needs its interval starts (time stamps) as its index")
    missing = [c for c in ("calls", "agents", "scheduled") if c not in table]
    if missing:
        raise InputError(f"'table' is missing column(s) {missing}: pass a requirements table")
    stamps = pd.DatetimeIndex(table.index)
    monday = stamps.normalize() - pd.to_timedelta(stamps.day_of_week, unit="D")
    rows = []
    for start, group in table.groupby(monday):
        scheduled_hours = hours(group["scheduled"], seconds)
        rows.append({
            "week_start": pd.Timestamp(start),
            "open_days": int(pd.DatetimeIndex(group.index).normalize().nunique()),
            "calls": float(group["calls"].sum()),
            "agent_hours": hours(group["agents"], seconds),
            "scheduled_hours": scheduled_hours,
            "fte": scheduled_hours / hours_each,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["week_start", "open_days", "calls", "agent_hours",
                                       "scheduled_hours", "fte"])  # fmt: skip


def day_summary(
    table: pd.DataFrame, interval: float, cost_per_hour: float | None = None
) -> pd.Series:
    """Whole-day figures of an :func:`evaluate_plan` (or :func:`requirements`) table.

    Returns
    -------
    A Series with ``calls`` (offered in the day), ``peak_agents``,
    ``agent_hours`` (on the phones), ``scheduled_hours`` (paid, after
    shrinkage), ``cost`` (``scheduled_hours * cost_per_hour``, NaN without a
    rate), ``service_level`` (the interval levels weighted by offered calls;
    1 on a day without calls), ``asa`` (seconds, weighted by answered calls),
    ``occupancy`` (busy over available agent time) and, for an Erlang A
    table, ``abandon_rate`` (weighted by offered calls).

    Examples
    --------
    >>> import pandas as pd
    >>> day = requirements(pd.DataFrame({"calls": [100, 300], "aht": [180, 180]}),
    ...                    Targets(), 1800, shrinkage=0.3)
    >>> s = day_summary(day, 1800, cost_per_hour=20)
    >>> day["scheduled"].tolist(), float(s["scheduled_hours"]), float(s["cost"])
    ([20, 50], 35.0, 700.0)
    """
    missing = [c for c in ("calls", "agents", "scheduled", "traffic") if c not in table]
    if missing:
        raise InputError(f"'table' is missing column(s) {missing}: pass an evaluate_plan() table")
    interval = float(v.positive("interval", interval))
    calls = table["calls"].to_numpy(dtype=np.float64)
    abandon = table["abandon_rate"].to_numpy() if "abandon_rate" in table else np.zeros_like(calls)
    agents = table["agents"].to_numpy(dtype=np.float64)
    paid = hours(table["scheduled"], interval)
    rate = np.nan if cost_per_hour is None else float(v.nonnegative("cost_per_hour", cost_per_hour))
    out = {
        "calls": float(calls.sum()),
        "peak_agents": int(agents.max()) if agents.size else 0,
        "agent_hours": hours(agents, interval),
        "scheduled_hours": paid,
        "cost": paid * rate,
        "service_level": _weighted(table["service_level"], calls, empty=1.0),
        "asa": _weighted(table["asa"], calls * (1.0 - abandon), empty=0.0),
        "occupancy": _weighted(table["occupancy"], agents, empty=0.0),
    }
    if "abandon_rate" in table:
        out["abandon_rate"] = _weighted(table["abandon_rate"], calls, empty=0.0)
    return pd.Series(out)


# Columns that hold fractions (shown as %) and counts (summed in a totals row).
_FRACTIONS = ("service_level", "occupancy", "abandon_rate", "p_wait")
_COUNTS = ("calls", "agents", "scheduled", "required_agents")


def to_csv(table: pd.DataFrame) -> str:
    """A table as CSV for people: unbounded values (an ASA of ``inf``) left blank."""
    return table.replace([np.inf, -np.inf], np.nan).to_csv(index=False)


def to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A formatted workbook (.xlsx), one sheet per table, as bytes.

    Fraction columns (service level, occupancy, abandon rate, P(wait), and
    their CI bounds) are formatted as percentages, time stamps as dates and
    times, and a ``total`` row sums the counts (calls, agents, scheduled);
    unbounded values are left blank. The numbers are the table's own, so the
    workbook reads back to the same values.
    """
    import io as _io

    buffer = _io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        book = writer.book
        percent = book.add_format({"num_format": "0.0%"})
        stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        bold = book.add_format({"bold": True})
        for name, table in sheets.items():
            shown = table.replace([np.inf, -np.inf], np.nan).reset_index(drop=True)
            sheet_name = name[:31]
            shown.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            for j, col in enumerate(shown.columns):
                text = str(col)
                width = max(10, len(text) + 2)
                if any(f in text for f in _FRACTIONS):
                    sheet.set_column(j, j, width, percent)
                elif pd.api.types.is_datetime64_any_dtype(shown[col]):
                    sheet.set_column(j, j, 18, stamp)
                else:
                    sheet.set_column(j, j, width)
            counts = [j for j, col in enumerate(shown.columns) if str(col) in _COUNTS]
            if counts and len(shown):
                row = len(shown) + 1
                sheet.write(row, 0, "total", bold)
                for j in counts:
                    sheet.write_number(row, j, float(shown.iloc[:, j].sum()), bold)
    return buffer.getvalue()


def _weighted(values: pd.Series, weights: FloatArray, *, empty: float) -> float:
    """The ``weights``-weighted mean of ``values``; intervals of weight 0 (e.g. the ASA
    where nobody is answered, which is infinite) do not count."""
    counted = weights > 0
    total = weights[counted].sum()
    if total <= 0:
        return empty
    return float((values.to_numpy()[counted] * weights[counted]).sum() / total)


def _workload_columns(df: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """The checked ``calls`` and ``aht`` columns of a workload table."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"'df' must be a pandas DataFrame: {type(df).__name__}")
    missing = [col for col in ("calls", "aht") if col not in df.columns]
    if missing:
        raise InputError(
            f"'df' is missing column(s) {missing}; it has {list(map(str, df.columns))}"
        )
    return v.column(df, "calls", v.nonnegative), v.column(df, "aht", v.positive)
