"""Reading interval tables: workloads (calls, AHT) and ACD history exports.

:func:`read_workload_csv` reads a workload CSV: a header row and one row per
interval with at least the columns ``calls`` (offered calls in the interval)
and ``aht`` (average handle time, seconds); column names are matched without
regard to case or surrounding spaces, and other columns (an interval start,
say) are kept as text.

:func:`read_history` reads interval history as contact-center platforms
export it (time stamps, offered, handled, abandoned, AHT or handle time),
maps the usual headers, checks the interval grid and reports what it had to
clean. Every problem is reported with its line number (row, for a
DataFrame) and column."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import TextIO

import numpy as np
import pandas as pd

from planner import _validate as v
from planner._tables import (
    _csv_rows,
    _date_column,
    _has_offsets,
    _normal,
    _numbers,
    _open_csv,
    _plain,
    join_date_time,
    missing_day_notes,
    table_rows,
)
from planner.calls import CALL_COLUMNS, calls_from_rows
from planner.errors import InputError
from planner.history import History

__all__ = [
    "HISTORY_COLUMNS",
    "History",
    "guess_columns",
    "is_call_log",
    "read_history",
    "read_workload_csv",
]

_REQUIRED = ("calls", "aht")


def read_workload_csv(source: str | PathLike[str] | TextIO) -> pd.DataFrame:
    """Read a workload table (``calls``, ``aht`` and any other columns) from CSV.

    Parameters
    ----------
    source : a path or an open text file.

    Returns
    -------
    A DataFrame with float columns ``calls`` and ``aht`` and the other columns
    as strings, in file order.

    Raises
    ------
    InputError
        If the file is missing or empty, a required column is absent, or a row
        has the wrong number of fields, a non-numeric, negative (calls) or
        non-positive (aht) value; the message names the line and column.

    Examples
    --------
    >>> import io
    >>> read_workload_csv(io.StringIO("start,calls,aht\\n08:00,100,180\\n"))
       start  calls    aht
    0  08:00  100.0  180.0
    """
    name, reader, columns = _open_csv(source, "workload", " with 'calls' and 'aht'")
    lowered = [c.lower() for c in columns]
    missing = [c for c in _REQUIRED if c not in lowered]
    if missing:
        raise InputError(f"{name}: line 1: missing column(s) {missing}; found {columns}")
    rows, lines = _csv_rows(name, reader, columns)
    if not rows:
        raise InputError(f"{name}: no interval rows after the header")
    frame = pd.DataFrame(
        rows, columns=[c.lower() if c.lower() in _REQUIRED else c for c in columns]
    )
    for col, positive in (("calls", False), ("aht", True)):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        ok = np.isfinite(values) & ((values > 0) if positive else (values >= 0))
        if not ok.all():
            i = int(np.argmax(~ok))
            rule = "a number > 0 (seconds)" if positive else "a number >= 0 (calls per interval)"
            raise InputError(
                f"{name}: line {lines[i]}: column '{col}' must be {rule}: {_plain(frame[col][i])!r}"
            )
        frame[col] = values
    return frame


# --- interval history ------------------------------------------------------

# Canonical history columns and the export headers they are recognised under
# (compared lower-case, with anything but letters and digits read as a space).
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "interval_start": (
        "interval", "interval start", "interval_start", "start", "start time", "timestamp",
        "datetime", "date time", "period", "period start", "time",
    ),
    "calls": (
        "offered", "calls offered", "offered calls", "contacts offered", "calls", "volume",
        "calls in", "inbound calls",
    ),
    "handled": ("handled", "calls handled", "answered", "calls answered", "handled calls"),
    "abandoned": ("abandoned", "abandons", "calls abandoned", "abandoned calls", "aband"),
    "answered_within": (
        "answered within", "answered within threshold", "answered in sl", "within sl",
        "answered in 20s", "answered in 20 s", "answered within 20s", "sl calls",
    ),
    "aht": (
        "aht", "avg handle time", "average handle time", "aht s", "aht sec", "aht seconds",
        "avg handle time s",
    ),
    "handle_time": (
        "handle time", "total handle time", "handle time s", "handle seconds",
        "total handle time s",
    ),
}  # fmt: skip


def _recognised(columns: list[str]) -> dict[str, str]:
    """Source header -> history column, for the headers :data:`HISTORY_COLUMNS` knows."""
    aliases = {alias: c for c, names in HISTORY_COLUMNS.items() for alias in map(_normal, names)}
    return {col: aliases[_normal(col)] for col in columns if _normal(col) in aliases}


def is_call_log(columns: list[str]) -> bool:
    """Whether a table's headers are a per-call export: no column of offered calls (an
    interval report has one) and a start time per row, with a date, queue, wait,
    talk, handle or outcome column beside it.

    Examples
    --------
    >>> is_call_log(["Call Start", "Queue", "Talk Time"]), is_call_log(["Interval", "Offered"])
    (True, False)
    """
    if "calls" in _recognised(list(columns)).values():
        return False
    aliases = {a: c for c, names in CALL_COLUMNS.items() for a in map(_normal, names)}
    found = {aliases[_normal(c)] for c in columns if _normal(c) in aliases}
    return "start" in found and bool(found & {"date", "queue", "wait", "talk", "handle", "outcome"})


def guess_columns(columns: list[str]) -> dict[str, str]:
    """History column -> the first source header recognised for it.

    What :func:`read_history` maps without being told; an app offers it as
    the default choice.

    Examples
    --------
    >>> guess_columns(["Start Time", "Calls Offered", "Avg Handle Time", "Team"])
    {'interval_start': 'Start Time', 'calls': 'Calls Offered', 'aht': 'Avg Handle Time'}
    """
    out: dict[str, str] = {}
    for source, canonical in _recognised(list(columns)).items():
        out.setdefault(canonical, source)
    return out


def _map_columns(
    columns: list[str], mapping: Mapping[str, str] | None, where: str, *, need_aht: bool = True
) -> dict[str, str]:
    """Source column -> canonical name, from the explicit mapping, then the aliases."""
    if mapping is not None and not isinstance(mapping, Mapping):
        raise InputError(f"'columns' must map your headers to history columns: {mapping!r}")
    out: dict[str, str] = {}
    for source, canonical in (mapping or {}).items():
        if canonical not in HISTORY_COLUMNS:
            raise InputError(
                f"{where}: unknown history column {canonical!r} in the mapping; "
                f"use one of {list(HISTORY_COLUMNS)}"
            )
        if source not in columns:
            raise InputError(f"{where}: the mapping names column {source!r}, not in {columns}")
        out[source] = canonical
    for col, canonical in _recognised(columns).items():
        if col not in out:
            out[col] = canonical
    seen: dict[str, str] = {}
    for source, canonical in out.items():
        if canonical in seen:
            raise InputError(
                f"{where}: columns {seen[canonical]!r} and {source!r} both read as "
                f"{canonical!r}; pass columns={{...}} to say which"
            )
        seen[canonical] = source
    missing = [c for c in ("interval_start", "calls") if c not in seen]
    if need_aht and "aht" not in seen and "handle_time" not in seen:
        missing.append("aht (or handle_time)")
    if missing:
        raise InputError(
            f"{where}: no column for {missing}; found {columns}. Name them with "
            "columns={'Your header': 'calls', ...}"
        )
    return out


def read_history(
    source: str | PathLike[str] | TextIO | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    interval: float | None = None,
    aht: float | None = None,
    timezone: str | None = None,
    name: str | None = None,
    queue: str | None = None,
) -> History:
    """Read interval history exported from an ACD or contact-center platform.

    Parameters
    ----------
    source : a CSV path or open file, or a DataFrame.
    columns : explicit mapping from source headers to history columns
        (``interval_start``, ``calls``, ``aht`` or ``handle_time``, and
        optionally ``handled``, ``abandoned``, ``answered_within``); common
        export headers (``Interval``, ``Calls Offered``, ``Avg Handle Time``,
        ...) are recognised without one, see :data:`HISTORY_COLUMNS`.
    interval : interval length, seconds; inferred from the stamps if omitted.
    aht : one AHT for every interval, seconds, for an export without AHT or
        handle time.
    timezone : the zone to plan in (``"Europe/London"``): time stamps are read
        as instants (naive ones as UTC) and turned into its wall-clock time.
        Without it, stamps are wall-clock time already and an offset is dropped.
    name : what messages call the source (a file name for an open stream).
    queue : for a call-level log with a queue column, the queue to read (default:
        all queues added together).

    Notes
    -----
    A call-level log (one row per call, no column of offered calls; see
    :mod:`planner.calls`) is recognised, said in ``notes``, and aggregated to
    ``interval`` (default 30 minutes). A column of times alone is joined to a
    date column beside it; without one it is an error.

    ``handle_time`` is the interval's total handle time (seconds), turned
    into AHT per handled call (per offered call without a handled column).
    Time stamps with a UTC offset keep their local wall-clock time. Errors
    name the line (row, for a DataFrame) and column; duplicate and
    misaligned interval starts are errors; missing intervals are reported in
    ``notes`` (see :class:`History`). Nothing is dropped silently.

    Examples
    --------
    >>> import io
    >>> h = read_history(io.StringIO(
    ...     "Interval,Calls Offered,Avg Handle Time\\n"
    ...     "2026-03-02 08:00,40,310\\n2026-03-02 08:30,55,290\\n2026-03-02 09:30,61,300\\n"))
    >>> h.interval, h.frame["calls"].tolist()
    (1800.0, [40.0, 55.0, 0.0, 61.0])
    >>> h.notes
    ('1 missing interval inside open hours filled with 0 calls: 2026-03-02 09:00',)
    """
    where, raw, lines = table_rows(source, name, "history")
    if raw.empty:
        raise InputError(f"{where}: no interval rows")
    if columns is None and is_call_log(list(raw.columns)):
        log = calls_from_rows(raw, lines, where, interval or 1800.0, timezone=timezone)
        history = log.history(queue, aht=aht)
        said = "" if interval else " (the default; pass interval= for another)"
        first = f"{history.notes[0]}{said}: one row per call, not per interval"
        return History(
            history.frame, history.interval, history.filled, history.missing_days,
            (first, *history.notes[1:]),
        )  # fmt: skip
    if queue is not None:
        raise InputError(f"{where}: 'queue' picks a queue of a call-level log; this is not one")
    mapped = _map_columns(list(raw.columns), columns, where, need_aht=aht is None)
    by_name = {canonical: source_col for source_col, canonical in mapped.items()}
    date_col = _date_column([c for c in raw.columns if c not in mapped])
    stamps = join_date_time(
        raw[by_name["interval_start"]],
        raw[date_col] if date_col else None,
        lines,
        by_name["interval_start"],
        where,
        timezone,
    )
    data: dict[str, np.ndarray] = {}
    for col in ("calls", "handled", "abandoned", "answered_within", "aht", "handle_time"):
        if col in by_name:
            data[col] = _numbers(raw[by_name[col]], lines, by_name[col], where, col == "calls")
    notes: list[str] = []
    if aht is not None:
        if "aht" in data or "handle_time" in data:
            raise InputError(f"{where}: give 'aht' or an AHT (or handle time) column, not both")
        constant = float(v.positive("aht", aht)) if np.ndim(aht) == 0 else np.nan
        if not constant > 0:
            raise InputError(f"'aht' must be one number of seconds: {aht!r}")
        data["aht"] = np.full(len(raw), constant)
        notes.append(f"AHT {constant:g} s in every interval (the export has no AHT)")
    elif "aht" not in data:
        per = data.get("handled", data["calls"])
        with np.errstate(invalid="ignore", divide="ignore"):
            data["aht"] = np.where(per > 0, data.pop("handle_time") / per, np.nan)
        notes.append(
            "AHT computed as handle time over "
            + ("handled" if "handled" in data else "calls")
            + " calls"
        )
    else:
        data.pop("handle_time", None)
    handled = data.get("handled", data["calls"])
    unknown = (handled > 0) & ~(data["aht"] > 0)
    if unknown.any():
        i = int(np.argmax(unknown))
        notes.append(
            f"{int(unknown.sum())} interval(s) with handled calls but no AHT (0 s or blank; "
            f"first at {lines[i]}): their AHT is taken as missing, not as 0 s"
        )
    if timezone is None and _has_offsets(raw[by_name["interval_start"]]):
        notes.append(
            "time stamps carry a UTC offset: kept as written, the wall-clock time of that "
            "offset; to plan in your own time, give timezone= (--timezone), e.g. "
            "'America/New_York'"
        )
    data["aht"] = np.where((handled > 0) & ~unknown, data["aht"], np.nan)
    frame = pd.DataFrame(data, index=stamps)
    frame.index.name = "interval_start"
    order = np.argsort(stamps.to_numpy(), kind="stable")
    frame = frame.iloc[order]
    ordered_lines = [lines[i] for i in order]
    dup = frame.index.duplicated()
    if dup.any():
        i = int(np.argmax(dup))
        j = int(np.flatnonzero(frame.index == frame.index[i])[0])
        raise InputError(
            f"{where}: {ordered_lines[i]}: interval {frame.index[i]} appears twice "
            f"(also {ordered_lines[j]}); remove or merge one"
        )
    seconds = (
        (pd.DatetimeIndex(frame.index) - pd.DatetimeIndex(frame.index).normalize())
        .total_seconds()
        .to_numpy()
    )
    same_day = (
        pd.DatetimeIndex(frame.index).normalize()[1:]
        == pd.DatetimeIndex(frame.index).normalize()[:-1]
    )
    steps = np.diff(seconds)[same_day]
    values, counts = np.unique(steps, return_counts=True)
    usual = float(values[np.argmax(counts)]) if steps.size else None
    if interval is not None:
        if isinstance(interval, bool):
            raise InputError(f"'interval' must be a number of seconds: {interval!r}")
        try:
            interval = float(interval)
        except (TypeError, ValueError):
            raise InputError(f"'interval' must be a number of seconds: {interval!r}") from None
    elif usual is None:
        raise InputError(f"{where}: cannot infer the interval length; pass interval=")
    else:
        interval = usual
    if not (interval >= 60 and 86400 % interval == 0):
        raise InputError(
            f"{where}: interval must divide a day into whole intervals of a minute or more: "
            f"{interval!r} s"
        )
    if usual is not None and interval < usual and (steps > interval).mean() > 0.5:
        raise InputError(
            f"{where}: the export's intervals are {usual / 60:g} minutes apart; "
            f"interval={interval:g} would add an empty {interval / 60:g}-minute interval "
            f"between them. Leave interval out (or give {usual:g}); to plan in longer "
            "intervals, roll the history up (History.rollup)"
        )
    off = np.mod(seconds, interval) != 0
    if off.any():
        i = int(np.argmax(off))
        raise InputError(
            f"{where}: {ordered_lines[i]}: {frame.index[i]} is not on the "
            f"{interval / 60:g}-minute grid of the other intervals"
        )
    # Intervals missing inside a day's open hours: ACDs leave out empty ones.
    full = []
    for _, group in frame.groupby(pd.DatetimeIndex(frame.index).normalize()):
        full.append(pd.date_range(group.index[0], group.index[-1], freq=f"{int(interval)}s"))
    grid = full[0].append(full[1:]) if len(full) > 1 else full[0]
    filled = grid.difference(frame.index)
    if len(filled):
        frame = frame.reindex(grid)
        frame.loc[filled, "calls"] = 0.0
        for col in ("handled", "abandoned", "answered_within"):
            if col in frame:
                frame.loc[filled, col] = 0.0
        shown = ", ".join(str(t)[:16] for t in filled[:5]) + (" ..." if len(filled) > 5 else "")
        notes.insert(
            0,
            f"{len(filled)} missing interval{'s' if len(filled) > 1 else ''} inside open hours "
            f"filled with 0 calls: {shown}",
        )
    days = pd.date_range(frame.index[0].normalize(), frame.index[-1].normalize(), freq="D")
    missing_days = tuple(
        d.date() for d in days.difference(pd.DatetimeIndex(frame.index).normalize().unique())
    )
    notes.extend(missing_day_notes(days, missing_days))
    frame.index.name = "interval_start"
    return History(frame, float(interval), pd.DatetimeIndex(filled), missing_days, tuple(notes))
