"""Reading interval tables from CSV.

A workload CSV has a header row and one row per interval with at least the
columns ``calls`` (offered calls in the interval) and ``aht`` (average handle
time, seconds); column names are matched without regard to case or
surrounding spaces, and other columns (an interval start, say) are kept as
text. Every problem is reported with its line number.
"""

from __future__ import annotations

import csv
import io
from os import PathLike
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from planner.errors import InputError

__all__ = ["read_workload_csv"]

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
    name = getattr(source, "name", None) or "<stream>"
    if isinstance(source, (str, PathLike)):
        path = Path(source)
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise InputError(f"cannot read workload file {name}: {err.strerror}") from None
        handle: TextIO = io.StringIO(text)
    else:
        handle = source
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(f"{name}: empty file, expected a header row with 'calls' and 'aht'")
    columns = [cell.strip() for cell in header]
    lowered = [c.lower() for c in columns]
    missing = [c for c in _REQUIRED if c not in lowered]
    if missing:
        raise InputError(f"{name}: line 1: missing column(s) {missing}; found {columns}")
    rows: list[list[str]] = []
    lines: list[int] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) != len(columns):
            raise InputError(
                f"{name}: line {reader.line_num}: expected {len(columns)} fields, got {len(row)}"
            )
        rows.append([cell.strip() for cell in row])
        lines.append(reader.line_num)
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
                f"{name}: line {lines[i]}: column '{col}' must be {rule}: {frame[col][i]!r}"
            )
        frame[col] = values
    return frame
