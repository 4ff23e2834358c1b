"""The fewest agents that pass a test, from a good guess (internal).

For searches whose test is one exact but dear evaluation (Erlang X, chat):
steps that double away from the guess until one count passes and the one
below fails, then bisection; about ``2 log2(distance) + 2`` evaluations.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["fewest"]


def fewest(
    ok: Callable[[float], bool],
    start: float,
    *,
    cap: float = float("inf"),
    beyond: Callable[[], None] | None = None,
) -> float:
    """The smallest whole ``n >= 1`` with ``ok(n)``, given that more never fails once
    one passes. ``start`` is the guess (clipped to 1 .. ``cap``); ``beyond()`` is
    called (to raise) when even ``cap`` fails. ``ok(0)`` is taken as False."""
    n = max(min(float(start), cap), 1.0)
    if ok(n):
        meet, step = n, 1.0
        fail = n - 1.0
        while fail > 0 and ok(fail):
            meet, step = fail, 2 * step
            fail = max(meet - step, 0.0)
    else:
        fail, step = n, 1.0
        while True:
            if fail >= cap:
                if beyond is not None:
                    beyond()
                raise ValueError(f"no count up to {cap:g} passes")  # pragma: no cover
            meet = min(fail + step, cap)
            if ok(meet):
                break
            fail, step = meet, 2 * step
    while meet - fail > 1:
        mid = float((meet + fail) // 2)
        if ok(mid):
            meet = mid
        else:
            fail = mid
    return meet
