"""A center's own calendar of closures and special days (CSV or TOML).

Public holidays say which days may differ; only the center knows what it
does on them. A calendar lists dates with what to expect, and overrides
whatever the forecast learned or assumed for them:

CSV, one row per date (``name`` and ``volume`` optional)::

    date,name,volume
    2026-12-24,Christmas Eve,reduced 0.6
    2026-12-25,Christmas Day,closed
    2026-10-12,Columbus Day,normal
    2026-11-27,Black Friday,1.4

TOML, one ``[[day]]`` table per date::

    [[day]]
    date = 2026-12-25
    name = "Christmas Day"
    volume = "closed"

``volume`` is calls relative to an ordinary same weekday: ``closed`` (0),
``normal`` (1), a number (``1.4``: 40% busier; ``0.6``: reduced), or
blank: the day is special and its volume is learned from the history's
special days.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from planner._tables import _csv_rows, _open_csv
from planner.errors import InputError

__all__ = ["SpecialDay", "read_calendar"]

_WORDS = {"closed": 0.0, "close": 0.0, "normal": 1.0, "open": 1.0, "ordinary": 1.0}


@dataclass(frozen=True)
class SpecialDay:
    """One calendar entry: ``name`` and ``volume`` (calls relative to an ordinary same
    weekday; 0 closed, 1 normal, None to learn it from the history)."""

    name: str = "special day"
    volume: float | None = None

    def __post_init__(self) -> None:
        if self.volume is not None and not (0 <= self.volume < float("inf")):
            raise InputError(f"a special day's volume must be a number >= 0: {self.volume!r}")


def _volume(text: object, where: str) -> float | None:
    """``closed``, ``normal``, a number (optionally after a word: ``reduced 0.6``) or blank."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, bool):
        return 1.0 if text else 0.0
    if isinstance(text, int | float):
        value = float(text)
    else:
        word = str(text).strip().lower()
        if not word:
            return None
        if word in _WORDS:
            return _WORDS[word]
        number = re.fullmatch(r"(?:[a-z]+\s+)?([0-9.]+)\s*(%?)", word)
        if number is None:
            raise InputError(
                f"{where}: volume must be 'closed', 'normal' or a number relative to an "
                f"ordinary day (1.4 = 40% busier): {text!r}"
            )
        try:
            value = float(number.group(1)) / (100.0 if number.group(2) else 1.0)
        except ValueError:
            raise InputError(f"{where}: volume is not a number: {text!r}") from None
    if not value >= 0:
        raise InputError(f"{where}: volume must be >= 0: {text!r}")
    return value


def _date(value: object, where: str) -> date:
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
        ok = not pd.isna(stamp) and stamp == stamp.normalize()
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise InputError(f"{where}: 'date' must be a date YYYY-MM-DD: {value!r}")
    return stamp.date()


def _entries(rows: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[date, SpecialDay]:
    out: dict[date, SpecialDay] = {}
    seen: dict[date, str] = {}
    for where, row in rows:
        unknown = sorted(set(row) - {"date", "name", "volume"})
        if unknown:
            raise InputError(
                f"{where}: unknown key(s) {unknown}; a calendar entry has date, name, volume"
            )
        if "date" not in row or row["date"] in ("", None):
            raise InputError(f"{where}: 'date' is missing")
        day = _date(row["date"], where)
        if day in seen:
            raise InputError(f"{where}: {day} is listed twice (also {seen[day]})")
        seen[day] = where
        name = str(row.get("name") or "").strip() or "special day"
        out[day] = SpecialDay(name, _volume(row.get("volume"), where))
    return out


def read_calendar(
    source: str | PathLike[str] | TextIO | Mapping[Any, Any],
) -> dict[date, SpecialDay]:
    """A calendar of special days from a CSV or TOML file (by its suffix), or a mapping
    ``{date: volume or SpecialDay}``; errors name the line or entry.

    Examples
    --------
    >>> import io
    >>> read_calendar(io.StringIO("date,name,volume\\n2026-12-25,Christmas,closed\\n"))
    {datetime.date(2026, 12, 25): SpecialDay(name='Christmas', volume=0.0)}
    """
    if isinstance(source, Mapping):
        out: dict[date, SpecialDay] = {}
        for key, value in source.items():
            where = f"calendar entry {key!r}"
            day = _date(key, where)
            out[day] = (
                value if isinstance(value, SpecialDay) else SpecialDay(volume=_volume(value, where))
            )
        return out
    if isinstance(source, str | PathLike):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise InputError(f"cannot read calendar file {path}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text; save the calendar as UTF-8") from None
        name, toml = str(path), path.suffix.lower() == ".toml"
    else:
        text = source.read()
        name = getattr(source, "name", None) or "calendar"
        toml = str(name).lower().endswith(".toml")
    if toml:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"{name}: not valid TOML ({err})") from None
        unknown = sorted(set(data) - {"day"})
        if unknown:
            raise InputError(f"{name}: unknown table(s) {unknown}; list dates as [[day]] tables")
        days = data.get("day", [])
        if not isinstance(days, list):
            raise InputError(f"{name}: 'day' must be [[day]] tables")
        return _entries((f"{name}: [[day]] number {i + 1}", d) for i, d in enumerate(days))
    _, reader, columns = _open_csv(io.StringIO(text), "calendar")
    rows, lines = _csv_rows(name, reader, columns)
    header = [c.strip().lower() for c in columns]
    if "date" not in header:
        raise InputError(f"{name}: line 1: no 'date' column; found {columns}")
    return _entries(
        (f"{name}: line {line}", dict(zip(header, row, strict=True)))
        for line, row in zip(lines, rows, strict=True)
    )
