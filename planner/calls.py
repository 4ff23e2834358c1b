"""Call-level logs: one row per call, as ACDs and CRMs export them, into intervals.

A call log has a start time per call (or a date and a time column) and,
optionally, its queue, wait (seconds before answer or abandon), talk, hold
and wrap-up or handle time (seconds), and outcome. :func:`read_calls`
reads it and :meth:`CallLog.history` aggregates it to the interval history
every forecast reads: offered, handled, abandoned, answered within
``answer_time`` and AHT per interval, per queue when there is a queue
column. A call counts in the interval it arrived in.

What a call's outcome is, in order: the outcome column (``answered``,
``handled``, ``abandoned``, ``missed``, ... or a yes/no ``abandoned``
column); else whether it was talked to (talk or handle time above 0); else
it is offered only, and the history has no handled column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from typing import TextIO

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._tables import (
    _normal,
    _numbers,
    _plain,
    join_date_time,
    missing_day_notes,
    table_rows,
)
from planner.errors import InputError
from planner.history import History

__all__ = ["CALL_COLUMNS", "CallLog", "queue_column", "read_calls"]

# Per-call columns and the export headers they are recognised under (compared
# lower-case, anything but letters and digits read as a space).
CALL_COLUMNS: dict[str, tuple[str, ...]] = {
    "start": (
        "call start", "call start time", "start time", "start", "arrival", "arrival time",
        "timestamp", "time stamp", "datetime", "date time", "call time", "call date time",
        "created", "received", "segment start", "contact start", "time",
    ),
    "date": ("date", "call date", "day"),
    "queue": ("queue", "queue name", "skill", "split", "service", "campaign", "vdn", "line"),
    "wait": (
        "wait", "wait time", "wait s", "wait seconds", "queue time", "time in queue",
        "queue duration", "speed of answer", "time to answer", "ring time", "waiting time",
    ),
    "talk": ("talk", "talk time", "talk s", "talk seconds", "talk duration", "conversation"),
    "hold": ("hold", "hold time", "hold s", "hold seconds"),
    "wrap": ("wrap", "wrap up", "wrap time", "wrap up time", "acw", "after call work"),
    "handle": ("handle", "handle time", "handle s", "handling time", "handle seconds"),
    "outcome": (
        "outcome", "status", "disposition", "result", "call result", "call status",
        "abandoned", "answered",
    ),
}  # fmt: skip

_ABANDONED = ("aban", "missed", "dropped", "hung up", "hangup", "lost", "unanswered", "no answer")
_ANSWERED = ("answer", "handled", "complete", "connected", "served", "talk", "accepted")
_YES, _NO = {"1", "yes", "y", "true", "t"}, {"0", "no", "n", "false", "f"}


def _recognised(columns: list[str]) -> dict[str, str]:
    """Per-call column -> the first source header recognised for it."""
    aliases = {alias: c for c, names in CALL_COLUMNS.items() for alias in map(_normal, names)}
    out: dict[str, str] = {}
    for col in columns:
        canonical = aliases.get(_normal(col))
        if canonical is not None:
            out.setdefault(canonical, col)
    return out


def queue_column(columns: list[str]) -> str | None:
    """The header of a log's queue column, if it has one."""
    return _recognised(list(columns)).get("queue")


@dataclass(frozen=True)
class CallLog:
    """A call-level log, read: one row per call.

    Attributes
    ----------
    calls : per call: ``start`` (local wall-clock time), ``queue``, ``wait``,
        ``handle`` (seconds; NaN where the log has no such column) and
        ``outcome`` (``"answered"``, ``"abandoned"`` or ``"offered"`` when
        the log does not say).
    interval : interval length the history is aggregated to, seconds.
    answer_time : the service-level threshold for ``answered_within``, seconds.
    notes : what was found, one line each.
    """

    calls: pd.DataFrame
    interval: float
    answer_time: float
    notes: tuple[str, ...]

    @property
    def queues(self) -> list[str]:
        """The queues in the log, in order of volume (one ``"all"`` without a queue column)."""
        return self.calls["queue"].value_counts().index.astype(str).tolist()

    def intervals(self, queue: str | None = None) -> pd.DataFrame:
        """Per interval (index ``interval_start``): ``calls`` (offered), ``handled``,
        ``abandoned``, ``answered_within`` (answered within ``answer_time``) and ``aht``
        (seconds, over handled calls with a handle time) of ``queue`` (None: all)."""
        calls = self.calls
        if queue is not None:
            if queue not in self.queues:
                raise InputError(f"queue {queue!r} is not in the log; it has {self.queues}")
            calls = calls[calls["queue"] == queue]
        slot = pd.DatetimeIndex(calls["start"]).floor(f"{int(self.interval)}s")
        answered = calls["outcome"].to_numpy() == "answered"
        known = calls["outcome"].to_numpy() != "offered"
        handle = calls["handle"].to_numpy(dtype=np.float64)
        timed = answered & (handle > 0)
        table = pd.DataFrame(
            {
                "calls": 1.0,
                "handled": answered.astype(float),
                "abandoned": (calls["outcome"].to_numpy() == "abandoned").astype(float),
                "answered_within": (
                    answered & (calls["wait"].to_numpy(dtype=np.float64) <= self.answer_time)
                ).astype(float),
                "handle_total": np.where(timed, handle, 0.0),
                "timed": timed.astype(float),
            },
            index=slot,
        )
        sums = table.groupby(level=0).sum()
        days = []
        for _, group in sums.groupby(pd.DatetimeIndex(sums.index).normalize()):
            days.append(
                pd.date_range(group.index[0], group.index[-1], freq=f"{int(self.interval)}s")
            )
        full = days[0].append(days[1:]) if len(days) > 1 else days[0]
        sums = sums.reindex(full, fill_value=0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(sums["timed"] > 0, sums["handle_total"] / sums["timed"], np.nan)
        out = sums[["calls", "handled", "abandoned", "answered_within"]].assign(aht=aht)
        keep = ["calls", "aht"]
        if known.any():
            keep[1:1] = ["handled", "abandoned"]
        if known.any() and calls["wait"].notna().any():
            keep.insert(-1, "answered_within")
        out = out[keep]
        out.index.name = "interval_start"
        return out

    def history(self, queue: str | None = None, *, aht: float | None = None) -> History:
        """The interval history of ``queue`` (None: all queues together); ``aht``
        (seconds) for a log without handle times."""
        frame = self.intervals(queue)
        notes = list(self.notes)
        if queue is None and len(self.queues) > 1:
            notes.append(
                f"{len(self.queues)} queues added together ({', '.join(self.queues[:6])}"
                f"{' ...' if len(self.queues) > 6 else ''}); pick one with queue= (--queue)"
            )
        if aht is not None:
            if frame["aht"].notna().any():
                raise InputError("give 'aht' only for a log without talk or handle times")
            frame["aht"] = v.single("aht", aht, v.positive)
            notes.append(f"AHT {aht:g} s in every interval (the log has no handle times)")
        elif not frame["aht"].notna().any():
            raise InputError(
                "the call log has no talk or handle time for any answered call; give aht= "
                "(--aht), or a log with a talk, handle or outcome column"
            )
        stamps = pd.DatetimeIndex(frame.index)
        span = pd.date_range(stamps[0].normalize(), stamps[-1].normalize(), freq="D")
        missing = tuple(d.date() for d in span.difference(stamps.normalize().unique()))
        notes.extend(missing_day_notes(span, missing))
        return History(frame, self.interval, pd.DatetimeIndex([]), missing, tuple(notes))


def _outcomes(raw: pd.Series, lines: list[str], column: str, where: str) -> np.ndarray:
    """``"answered"`` or ``"abandoned"`` per call from an outcome or yes/no column."""
    text = raw.astype(str).str.strip().str.lower()
    flag = _normal(column) in ("abandoned", "answered")
    out = np.empty(len(text), dtype=object)
    for i, value in enumerate(text.tolist()):
        if flag and value in _YES | _NO:
            abandoned = (value in _YES) == (_normal(column) == "abandoned")
            out[i] = "abandoned" if abandoned else "answered"
        elif any(word in value for word in _ABANDONED):
            out[i] = "abandoned"
        elif any(word in value for word in _ANSWERED):
            out[i] = "answered"
        else:
            raise InputError(
                f"{where}: {lines[i]}: column {column!r}: {_plain(raw.iloc[i])!r} is neither "
                "answered nor abandoned; map such values first (e.g. to 'answered')"
            )
    return out


def read_calls(
    source: str | PathLike[str] | TextIO | pd.DataFrame,
    *,
    interval: float = 1800.0,
    answer_time: float = 20.0,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> CallLog:
    """Read a call-level log (one row per call); see the module notes.

    Parameters
    ----------
    source : a CSV path or open file, or a DataFrame.
    interval : the interval length to aggregate to, seconds (dividing a day).
    answer_time : threshold of ``answered_within``, seconds.
    columns : explicit mapping from source headers to per-call columns
        (:data:`CALL_COLUMNS`: ``start``, ``date``, ``queue``, ``wait``,
        ``talk``, ``hold``, ``wrap``, ``handle``, ``outcome``).
    timezone : as in :func:`planner.io.read_history`.
    name : what messages call the source.

    Examples
    --------
    >>> import io
    >>> log = read_calls(io.StringIO(
    ...     "Call Start,Queue,Wait,Talk,Outcome\\n"
    ...     "2026-03-02 08:03:10,cards,12,200,answered\\n"
    ...     "2026-03-02 08:20:00,cards,95,0,abandoned\\n"
    ...     "2026-03-02 08:41:30,cards,4,320,answered\\n"))
    >>> table = log.intervals()
    >>> table["calls"].tolist(), table["handled"].tolist(), table["aht"].tolist()
    ([2.0, 1.0], [1.0, 1.0], [200.0, 320.0])
    """
    where, raw, lines = table_rows(source, name, "call log")
    return calls_from_rows(raw, lines, where, interval, answer_time, columns, timezone)


def calls_from_rows(
    raw: pd.DataFrame,
    lines: list[str],
    where: str,
    interval: float = 1800.0,
    answer_time: float = 20.0,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
) -> CallLog:
    """:func:`read_calls` on rows already read (``lines`` name each row in messages)."""
    seconds = v.single("interval", interval, v.positive)
    if not (seconds >= 60 and 86400 % seconds == 0):
        raise InputError(
            f"'interval' must divide a day into whole intervals of a minute or more: {interval!r}"
        )
    threshold = v.single("answer_time", answer_time, v.nonnegative)
    if raw.empty:
        raise InputError(f"{where}: no call rows")
    found = _recognised(list(raw.columns))
    for header, canonical in (columns or {}).items():
        if canonical not in CALL_COLUMNS:
            raise InputError(
                f"{where}: unknown call column {canonical!r}; use one of {list(CALL_COLUMNS)}"
            )
        if header not in raw.columns:
            raise InputError(f"{where}: the mapping names column {header!r}, not in the log")
        found[canonical] = header
    time_col = found.get("start") or next((c for c in raw.columns if _normal(c) == "time"), None)
    if time_col is None:
        raise InputError(
            f"{where}: no column with each call's start time; found {list(raw.columns)}. "
            "Name it with columns={'Your header': 'start'}"
        )
    date_col = found.get("date")
    start = join_date_time(
        raw[time_col], raw[date_col] if date_col else None, lines, time_col, where, timezone
    )
    notes = [f"a call-level log: {len(raw):,} calls, counted in {seconds / 60:g}-minute intervals"]
    if date_col:
        notes[0] += f" ({date_col!r} and {time_col!r} joined)"

    def number(col: str) -> np.ndarray:
        if col not in found:
            return np.full(len(raw), np.nan)
        return _numbers(raw[found[col]], lines, found[col], where, required=False)

    wait = number("wait")
    if "handle" in found:
        handle = number("handle")
    else:
        parts = [number(c) for c in ("talk", "hold", "wrap") if c in found]
        handle = np.nansum(np.vstack(parts), axis=0) if parts else np.full(len(raw), np.nan)
        if parts:
            handle[np.all(np.isnan(np.vstack(parts)), axis=0)] = np.nan
    if "outcome" in found:
        outcome = _outcomes(raw[found["outcome"]], lines, found["outcome"], where)
    elif np.isfinite(handle).any():
        outcome = np.where(handle > 0, "answered", "abandoned").astype(object)
        notes.append("no outcome column: a call with talk or handle time above 0 was answered")
    else:
        outcome = np.full(len(raw), "offered", dtype=object)
        notes.append("no outcome, talk or handle column: calls are counted as offered only")
    queue = (
        raw[found["queue"]].astype(str).str.strip().replace("", "(blank)")
        if "queue" in found
        else pd.Series("all", index=raw.index)
    )
    calls = pd.DataFrame(
        {
            "start": start,
            "queue": queue.to_numpy(),
            "wait": wait,
            "handle": handle,
            "outcome": outcome,
        }
    ).sort_values("start", kind="stable", ignore_index=True)
    return CallLog(calls, seconds, threshold, tuple(notes))
