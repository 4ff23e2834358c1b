"""What an interval's staffing must achieve (:class:`Targets`), shared by every model.

Targets sit below the models and the staffing search, so a model can read
them (which measures to compute, the service-level basis) and the one search
above the models can compare its measures with them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner._validate import SLBasis
from planner.errors import InputError

__all__ = ["DEFAULT_MAX_ABANDON", "Targets", "check_search_targets", "check_targets"]


# The abandonment cap every Targets carries unless switched off: a guard rail,
# so that no target is met by letting callers hang up.
DEFAULT_MAX_ABANDON = 0.10


@dataclass(frozen=True, kw_only=True, slots=True)
class Targets:
    """What an interval's staffing must achieve; ``None`` switches a target off.

    At least one target must be set. Any interval with calls gets at least one
    agent, and under Erlang C more agents than its traffic (a stable queue).

    ``max_abandon`` is on (10%) unless switched off: without a cap, targets
    that count only answered callers (ASA, a service level over answered
    calls) are met by letting callers hang up, so a search with a patience
    refuses them (see :meth:`unguarded`). Erlang C meets any cap: nobody
    abandons. A service level of 1.0 is refused: with random arrivals some
    caller always waits, whatever the staffing.

    Attributes
    ----------
    service_level : least fraction answered within ``answer_time``, in (0, 1),
        over offered calls (Erlang A: see ``sl_basis``).
    answer_time : service-level threshold T, seconds (>= 0).
    asa : greatest average speed of answer, seconds (> 0).
    max_abandon : greatest abandon rate, fraction of offered calls in (0, 1]
        (default 0.10; 1.0 accepts any abandonment). Met by Erlang C, where
        nobody abandons.
    max_occupancy : greatest agent occupancy, in (0, 1].
    sl_basis : service-level denominator for Erlang A, see
        :data:`planner.SLBasis` (Erlang C has no abandons, so all
        bases agree there).
    """

    service_level: float | None = 0.8
    answer_time: float = 20.0
    asa: float | None = None
    max_abandon: float | None = DEFAULT_MAX_ABANDON
    max_occupancy: float | None = None
    sl_basis: SLBasis = "offered"

    def __post_init__(self) -> None:
        for name, check in (
            ("service_level", v.fraction),
            ("asa", v.positive),
            ("max_abandon", v.fraction),
            ("max_occupancy", v.fraction),
        ):
            value = getattr(self, name)
            if value is not None:
                if np.ndim(value) != 0:
                    raise InputError(f"'{name}' must be a single number: {value!r}")
                object.__setattr__(self, name, float(check(name, value)))
        if np.ndim(self.answer_time) != 0:
            raise InputError(f"'answer_time' must be a single number: {self.answer_time!r}")
        object.__setattr__(
            self, "answer_time", float(v.nonnegative("answer_time", self.answer_time))
        )
        v.check_sl_basis(self.sl_basis)
        if all(
            getattr(self, name) is None
            for name in ("service_level", "asa", "max_abandon", "max_occupancy")
        ):
            raise InputError(
                "Targets needs at least one of 'service_level', 'asa', 'max_abandon' "
                "or 'max_occupancy'"
            )
        if self.service_level == 1.0:
            raise InputError(
                "'service_level' 1.0 cannot be met: with random arrivals some callers always "
                f"wait longer than {self.answer_time:g} s, whatever the staffing "
                "(Erlang C and A stay below 1); use 0.99 or 0.999"
            )

    def unguarded(self) -> list[str]:
        """The targets set that callers hanging up could meet, when nothing caps that.

        An ASA counts only answered callers, and so does a service level over
        answered calls (or over offered calls less those who hung up within
        the answer time): with abandonment, too few agents can meet them by
        losing the callers who would wait. A service level over offered
        calls counts every lost caller as a miss, and ``max_abandon`` caps
        the loss; with either, the list is empty.

        Examples
        --------
        >>> Targets(service_level=None, asa=30, max_abandon=None).unguarded()
        ['asa']
        >>> Targets(service_level=None, asa=30).unguarded()
        []
        """
        if self.max_abandon is not None:
            return []
        if self.service_level is not None and self.sl_basis == "offered":
            return []
        loose = []
        if self.service_level is not None:
            loose.append("service_level")
        if self.asa is not None:
            loose.append("asa")
        return loose

    def limits(
        self, *, abandons: bool = True
    ) -> dict[str, tuple[float, Callable[..., NDArray[np.bool_]]]]:
        """The targets set: measure name -> (limit, the comparison that meets it).

        Without abandonment (``abandons`` False: Erlang C, no patience) the
        abandonment cap is met by every plan and left out.
        """
        every = {
            "service_level": (self.service_level, np.greater_equal),
            "asa": (self.asa, np.less_equal),
            "abandon_rate": (self.max_abandon, np.less_equal),
            "occupancy": (self.max_occupancy, np.less_equal),
        }
        if not abandons:
            every["abandon_rate"] = (None, np.less_equal)
        return {name: (limit, op) for name, (limit, op) in every.items() if limit is not None}

    def met(
        self,
        measures: Mapping[str, ArrayLike],
        *,
        skip: Collection[str] = (),
        abandons: bool = True,
    ) -> NDArray[np.bool_]:
        """Whether ``measures`` meet every target set, element by element.

        ``measures`` maps ``service_level``, ``asa``, ``abandon_rate`` and
        ``occupancy`` (those the set targets need) to numbers or arrays. A
        measure that is NaN (undefined: nobody was answered) never meets its
        target. Names in ``skip`` are not checked, nor the abandonment cap
        when nobody ``abandons`` (Erlang C).

        Examples
        --------
        >>> Targets(service_level=0.8, answer_time=20, asa=30).met(
        ...     {"service_level": [0.85, 0.85, float("nan")], "asa": [12, 40, 5]},
        ...     abandons=False,
        ... ).tolist()
        [True, False, False]
        """
        ok: NDArray[np.bool_] = np.array(True)
        for name, (limit, compare) in self.limits(abandons=abandons).items():
            if name not in skip:
                if name not in measures:
                    raise InputError(f"the '{name}' target needs a '{name}' measure")
                ok = ok & compare(np.asarray(measures[name], dtype=np.float64), limit)
        return ok

    def to_dict(self) -> dict[str, float | str | None]:
        """The targets as a plain dict (the keyword arguments that rebuild them)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_targets(targets: Targets) -> None:
    """``targets`` is a :class:`Targets`."""
    if not isinstance(targets, Targets):
        raise InputError(f"'targets' must be a planner.Targets: {targets!r}")


def check_search_targets(targets: Targets, abandons: bool) -> None:
    """``targets`` is a :class:`Targets` that a search for the fewest agents cannot game.

    With abandonment (``abandons``), targets that count only answered
    callers need ``max_abandon`` (see :meth:`Targets.unguarded`).
    """
    check_targets(targets)
    loose = targets.unguarded() if abandons else []
    if loose:
        what = " and ".join(
            {"asa": "an ASA target", "service_level": f"a service level over "
             f"{targets.sl_basis.replace('_', ' ')}"}[name] for name in loose
        )  # fmt: skip
        raise InputError(
            f"{what} without 'max_abandon' can be met by letting callers hang up (too few "
            "agents lose the callers who would wait): set 'max_abandon' (e.g. 0.05; 1.0 "
            "accepts any abandonment) or a service level over offered calls"
        )
