"""Argument checks shared by the public functions.

Each check converts its input to a float array and raises :class:`InputError`
naming the parameter, the rule and the first offending value (with its index
when the input is an array), in the style ``'aht' must be > 0: -3.0``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from planner.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SLBasis = Literal["offered", "offered_excl_short_abandons", "answered"]
"""Denominator of a service level.

``"offered"``: answered within T over offered calls (the default and the
convention of most calculators). ``"offered_excl_short_abandons"``: answered
within T over offered calls less those abandoned within T. ``"answered"``:
answered within T over answered calls.
"""
SL_BASES: tuple[str, ...] = get_args(SLBasis)


def check_sl_basis(sl_basis: object) -> SLBasis:
    """``sl_basis`` if it names a service-level denominator, else an InputError."""
    if not isinstance(sl_basis, str) or sl_basis not in SL_BASES:
        raise InputError(
            f"'sl_basis' must be {', '.join(map(repr, SL_BASES[:-1]))} or "
            f"{SL_BASES[-1]!r}: {sl_basis!r}"
        )
    return sl_basis  # type: ignore[return-value]


def _fail(
    name: str,
    rule: str,
    values: FloatArray,
    bad: NDArray[np.bool_],
    labels: Sequence[object] | None = None,
) -> None:
    if not np.any(bad):
        return
    index = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
    value = float(values[index]) if values.ndim else float(values[()])
    if labels is not None and len(index) == 1:
        where = f" (row {labels[int(index[0])]!r})"
    elif values.ndim:
        where = f" (at index {index[0] if len(index) == 1 else index})"
    else:
        where = ""
    raise InputError(f"'{name}' must be {rule}: {value!r}{where}")


def _is_bool(value: object) -> bool:
    """Whether ``value`` is a bool, or an array or flat list of them (in part): True and
    False are not the numbers 1 and 0 to a planner (``interval=True`` is no 1-second
    interval)."""
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, np.ndarray | pd.Series):
        return value.dtype == np.bool_
    if isinstance(value, list | tuple):
        return any(isinstance(x, bool | np.bool_) for x in value)
    return False


def _to_float(name: str, value: ArrayLike) -> FloatArray:
    if _is_bool(value):
        raise InputError(f"'{name}' must be a number, not true or false: {value!r}")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"'{name}' must be a number or an array of numbers: {value!r}") from None


def _checked(rule: str, test: Callable[[FloatArray], NDArray[np.bool_]]):
    """A check for one rule; ``test`` must be False for NaN (one pass when all is well)."""

    def check(name: str, value: ArrayLike, labels: Sequence[object] | None = None) -> FloatArray:
        arr = _to_float(name, value)
        good = test(arr)
        if not good.all():
            _fail(name, "a number, not NaN", arr, np.isnan(arr), labels)
            _fail(name, rule, arr, ~good, labels)
        return arr

    return check


nonnegative = _checked(">= 0 and finite", lambda a: np.isfinite(a) & (a >= 0))
positive = _checked("> 0 and finite", lambda a: np.isfinite(a) & (a > 0))
fraction = _checked("in (0, 1]", lambda a: (a > 0) & (a <= 1))
share = _checked("in [0, 1]", lambda a: (a >= 0) & (a <= 1))
shrinkage_fraction = _checked("in [0, 1)", lambda a: (a >= 0) & (a < 1))
count = _checked("a whole number >= 0", lambda a: np.isfinite(a) & (a >= 0) & (a == np.floor(a)))


# Inputs past these limits are refused up front, with the limit named: no
# contact center comes near them, and past them answers lose meaning (one
# agent is below float resolution) or take minutes and gigabytes.
MAX_TRAFFIC = 1e7  # Erlangs offered in one interval
MAX_AGENTS = 1_000_000  # agents on duty in one interval of a plan


def single(name: str, value: Any, check: Callable[..., FloatArray]) -> float:
    """One number, checked by ``check`` (e.g. :data:`positive`); a list, a bool or
    text is an InputError naming ``name``."""
    if isinstance(value, bool) or np.ndim(value) != 0:
        raise InputError(f"'{name}' must be a single number: {value!r}")
    return float(check(name, value))


def whole(name: str, value: Any, least: int, most: int | None = None) -> int:
    """A whole number (not a bool) from ``least`` to ``most`` (no upper end without
    one), else an InputError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise InputError(f"'{name}' must be a whole number >= {least}: {value!r}")
    if most is not None and value > most:
        raise InputError(f"'{name}' must be at most {most}: {value!r}")
    return int(value)


def within(name: str, values: FloatArray, limit: float, what: str) -> None:
    """An InputError if any of ``values`` (checked numbers) exceeds ``limit``."""
    if values.size and float(np.max(values)) > limit:
        raise InputError(f"'{name}' is at most {limit:,.0f} {what}: {float(np.max(values))!r}")


def plan(
    name: str,
    value: Any,
    intervals: int,
    *,
    one_for_all: bool = True,
    labels: Sequence[object] | None = None,
    expected: str = "one agent count per interval",
) -> IntArray:
    """Agents per interval: whole numbers >= 0 (not True/False), at most
    :data:`MAX_AGENTS` each, one per interval or, with ``one_for_all``, one number for
    every interval. Errors name ``name``, the rule and the value (and the row label
    of a bad count when ``labels`` are given); a wrong length says what was
    ``expected``."""
    if np.asarray(value).dtype == bool:
        raise InputError(f"'{name}' must be agent counts, not True/False: {value!r}")
    each = np.ndim(value) == 1 and np.size(value) == intervals
    agents = count(name, value, list(labels) if labels is not None and each else None)
    within(name, agents, MAX_AGENTS, "agents per interval")
    if agents.ndim == 0 and one_for_all:
        agents = np.full(intervals, float(agents))
    if agents.ndim != 1 or agents.size != intervals:
        raise InputError(f"'{name}' needs {expected} ({intervals}): got shape {np.shape(value)}")
    return agents.astype(np.int64)


def broadcast(**named: FloatArray) -> list[FloatArray]:
    """Broadcast validated arrays against each other; a mismatch names them."""
    try:
        return list(np.broadcast_arrays(*named.values()))
    except ValueError:
        shapes = ", ".join(f"'{k}' {np.shape(val)}" for k, val in named.items())
        raise InputError(f"array lengths do not match: {shapes}") from None


def column(df: pd.DataFrame, name: str, check: Callable[..., FloatArray]) -> FloatArray:
    """A numeric column of ``df`` passed through ``check``; errors name the row label."""
    raw = df[name].to_numpy()
    values = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(values) & pd.notna(raw)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"'{name}' must be a number: {raw[i]!r} (row {df.index[i]!r})")
    return check(name, values, labels=df.index)


def clock_seconds(name: str, text: object, *, end_of_day: bool = False) -> float:
    """Seconds after midnight of an ``"HH:MM"`` clock time; ``end_of_day`` also takes
    ``"24:00"``. Anything else is an InputError naming ``name``."""
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise InputError(f"'{name}' must be a clock time HH:MM: {text!r}") from None
    top = 24 if end_of_day else 23
    if not (0 <= hours <= top and 0 <= minutes < 60) or hours * 60 + minutes > top * 60 + (
        0 if end_of_day else 59
    ):
        raise InputError(f"'{name}' must be a clock time HH:MM: {text!r}")
    return hours * 3600.0 + minutes * 60.0


def clock_label(seconds: float) -> str:
    """``"HH:MM"`` of a time of day in seconds after midnight (wrapping past 24:00)."""
    minutes = round(seconds / 60.0) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def currency(name: str, code: object) -> str:
    """An ISO 4217 currency code, three letters (``"usd"`` becomes ``"USD"``); anything
    else is an InputError naming ``name``."""
    text = code.strip().upper() if isinstance(code, str) else None
    if text is None or len(text) != 3 or not (text.isascii() and text.isalpha()):
        raise InputError(
            f"'{name}' must be a three-letter ISO 4217 currency code (USD, EUR, GBP): {code!r}"
        )
    return text
