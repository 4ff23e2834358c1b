"""Reading tables: CSV rows with their line numbers, numbers and time stamps checked
with the line and column named, and notes on days an export lacks. Shared by the
readers of interval history, call logs and calendars."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from planner.errors import InputError

if TYPE_CHECKING:
    from _csv import Reader as CsvReader


def _plain(value: object) -> object:
    """A numpy scalar as the Python number it holds, so messages read ``-3.0``, not
    ``np.float64(-3.0)``."""
    return value.item() if isinstance(value, np.generic) else value


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()


_OFFSET = re.compile(r"\s*(?:[+-]\d{2}:?\d{2}|Z|UTC)$")


def _stamps(
    raw: pd.Series, lines: list[str], column: str, where: str, timezone: str | None = None
) -> pd.DatetimeIndex:
    """Interval starts as naive local wall-clock time; a bad one names its line.

    Without ``timezone`` a stamp's UTC offset is dropped (its wall-clock time
    is kept). With one, stamps are instants (naive ones read as UTC) and are
    turned into that zone's wall-clock time.
    """
    if timezone is not None:
        return _in_zone(raw, lines, column, where, timezone)
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(raw.dt.tz_localize(None))
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return pd.DatetimeIndex(raw)
    text = raw.astype(str).str.strip().str.replace(_OFFSET, "", regex=True)
    stamps = pd.to_datetime(text, errors="coerce", format="mixed")
    _bad_stamp(stamps, raw, lines, column, where)
    return pd.DatetimeIndex(stamps)


_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[ap]\.?m\.?)?$", re.IGNORECASE)


def join_date_time(
    times: pd.Series,
    dates: pd.Series | None,
    lines: list[str],
    column: str,
    where: str,
    timezone: str | None = None,
) -> pd.DatetimeIndex:
    """Time stamps from one column, or from a date column and a time column joined.

    A time without a date (``08:30``) is an error that asks for the date, rather
    than a stamp on today's date."""
    if pd.api.types.is_datetime64_any_dtype(times.dtype) or isinstance(
        times.dtype, pd.DatetimeTZDtype
    ):
        return _stamps(times, lines, column, where, timezone)
    text = times.astype(str).str.strip()
    only = text.str.fullmatch(_TIME_ONLY).to_numpy()
    if dates is not None and only.any():
        day = dates.astype(str).str.strip()
        text = text.where(~only, day + " " + text)
        return _stamps(text, lines, column, where, timezone)
    if only.any():
        i = int(np.argmax(only))
        raise InputError(
            f"{where}: {lines[i]}: column {column!r} has a time without a date: "
            f"{_plain(times.iloc[i])!r}. Add the date: a date column beside it (it is "
            "joined), or date and time in one column"
        )
    return _stamps(text, lines, column, where, timezone)


def _date_column(columns: list[str]) -> str | None:
    """A column of dates alone (``Date``), to join to a column of times."""
    return next((c for c in columns if _normal(c) in ("date", "day", "call date")), None)


def _has_offsets(raw: pd.Series) -> bool:
    """Whether time stamps come with a UTC offset (or as zone-aware values)."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return False
    return bool(raw.astype(str).str.strip().str.contains(_OFFSET).any())


def _in_zone(
    raw: pd.Series, lines: list[str], column: str, where: str, timezone: str
) -> pd.DatetimeIndex:
    """Stamps as instants (naive ones in UTC), as wall-clock time in ``timezone``."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"'timezone' must be a zone name like 'Europe/London': {timezone!r}"
        ) from None
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        stamps = pd.to_datetime(raw, utc=True)
    else:
        text = raw.astype(str).str.strip()
        stamps = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
        _bad_stamp(stamps, raw, lines, column, where)
    return pd.DatetimeIndex(stamps.dt.tz_convert(zone).dt.tz_localize(None))


def _bad_stamp(
    stamps: pd.Series, raw: pd.Series, lines: list[str], column: str, where: str
) -> None:
    bad = stamps.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{where}: {lines[i]}: column {column!r} is not a date and time: "
            f"{_plain(raw.iloc[i])!r}"
        )


def _numbers(raw: pd.Series, lines: list[str], column: str, where: str, required: bool):
    values = pd.to_numeric(raw.replace({"": np.nan}), errors="coerce").to_numpy(np.float64)
    given = raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()
    bad = (given & ~np.isfinite(values)) | (~given & required)
    bad |= np.isfinite(values) & (values < 0)
    if bad.any():
        i = int(np.argmax(bad))
        rule = "a number >= 0" + ("" if not required else " (it may not be blank)")
        raise InputError(
            f"{where}: {lines[i]}: column {column!r} must be {rule}: {_plain(raw.iloc[i])!r}"
        )
    return values


_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def missing_day_notes(days: pd.DatetimeIndex, missing: tuple[date, ...]) -> list[str]:
    """Days with no rows, told apart: weekdays with no rows in most weeks are closed;
    the others are days an open weekday lacks (a lost export, or a holiday)."""
    if not missing:
        return []
    gone = pd.DatetimeIndex(pd.to_datetime(list(missing)))
    closed = [
        w
        for w in range(7)
        if (days.day_of_week == w).sum() >= 2  # seen in two weeks at least
        and (gone.day_of_week == w).sum() >= 0.75 * (days.day_of_week == w).sum()
    ]
    notes = []
    if closed:
        names = ", ".join(_WEEKDAYS[w] for w in closed)
        notes.append(f"closed on {names}: no rows in (nearly) every week")
    other = [d for d in missing if d.weekday() not in closed]
    if other:
        shown = ", ".join(f"{d} ({_WEEKDAYS[d.weekday()][:3]})" for d in other[:8])
        notes.append(
            f"{len(other)} day(s) with no rows on weekdays otherwise open (a holiday, or "
            f"missing from the export): {shown}" + (" ..." if len(other) > 8 else "")
        )
    return notes


def _open_csv(
    source: str | PathLike[str] | TextIO, what: str, expected: str = ""
) -> tuple[str, CsvReader, list[str]]:
    """The file's name, a csv reader past the header, and the header's column names."""
    name = getattr(source, "name", None) or "<stream>"
    if isinstance(source, (str, PathLike)):
        path = Path(source)
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise InputError(f"cannot read {what} file {name}: {err.strerror}") from None
        handle: TextIO = io.StringIO(decode(raw, name))
    else:
        handle = source
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(f"{name}: line 1: not a CSV file ({err})") from None
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(f"{name}: empty file, expected a header row{expected}")
    columns = [cell.strip() for cell in header]
    seen: set[str] = set()
    for column in columns:
        key = column.lower()
        if key and key in seen:
            raise InputError(f"{name}: line 1: column {column!r} appears twice in the header")
        seen.add(key)
    return name, reader, columns


def decode(raw: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark) or UTF-16 with one;
    else an InputError naming ``name`` (and the line, for text that is not UTF-8)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in raw:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise InputError(
                f"{name}: line {line}: not UTF-8 text (byte {raw[err.start]:#04x}); "
                "export the file as CSV in UTF-8"
            ) from None
    raise InputError(f"{name}: not a text CSV file (binary data); export it as CSV in UTF-8")


def _csv_rows(
    name: str, reader: CsvReader, columns: list[str]
) -> tuple[list[list[str]], list[int]]:
    """The remaining rows (stripped, blank lines skipped) and their line numbers."""
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(columns):
                raise InputError(
                    f"{name}: line {reader.line_num}: expected {len(columns)} fields, "
                    f"got {len(row)}"
                )
            rows.append([cell.strip() for cell in row])
            lines.append(reader.line_num)
    except csv.Error as err:
        raise InputError(f"{name}: line {reader.line_num}: not a CSV row ({err})") from None
    return rows, lines


def _read_csv_rows(
    source: str | PathLike[str] | TextIO, what: str = "history"
) -> tuple[str, pd.DataFrame, list[int]]:
    """All rows of a CSV (a ``what``) as strings, with their line numbers; ragged rows are
    errors."""
    name, reader, columns = _open_csv(source, what)
    rows, lines = _csv_rows(name, reader, columns)
    return name, pd.DataFrame(rows, columns=columns, dtype=object), lines


def table_rows(
    source: str | PathLike[str] | TextIO | pd.DataFrame, name: str | None, what: str
) -> tuple[str, pd.DataFrame, list[str]]:
    """What messages call the source, its rows as a DataFrame (a DataFrame's time index
    becomes a column) and each row's name in messages (``line 7``, or ``row 6``)."""
    if not isinstance(source, str | PathLike | pd.DataFrame) and not hasattr(source, "read"):
        raise InputError(f"the {what} must be a CSV path, an open file or a DataFrame: {source!r}")
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
        if isinstance(raw.index, pd.DatetimeIndex):
            raw = raw.reset_index(names=raw.index.name or "interval_start")
        raw.columns = [str(c) for c in raw.columns]
        lines = [f"row {label!r}" for label in source.index]
        return name or what, raw.reset_index(drop=True), lines
    where, raw, numbers = _read_csv_rows(source, what)
    return name or where, raw, [f"line {n}" for n in numbers]
