"""The model protocol: what one interval's queue gives at a staffing.

Every model (Erlang C, A and X, chat, blending) answers the same question in
the same shape: given ``agents`` per interval, the :class:`Load` offered in
each interval and the :class:`~planner.Targets` (which say the answer time and
the service-level basis), what are the interval's measures? The one staffing
search (:mod:`planner.staffing`) is written against this protocol alone, so a
new model is one class and nothing above it branches on its name.

Measures are a dict of 1-d float arrays, one value per interval, under shared
names: ``service_level``, ``asa`` (seconds), ``abandon_rate`` and ``occupancy``
from every model (``abandon_rate`` 0 where nobody hangs up), and a model's own
further measures (``p_wait``, ``blocking``, ``items_done``, ...) beside them.
A model's :attr:`~IntervalModel.columns` name the measures its tables show.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError
from planner.targets import Targets, check_search_targets

__all__ = ["SHARED_MEASURES", "IntervalModel", "Load", "Measures", "per_interval_value"]

Measures = dict[str, FloatArray]
"""Measures per interval: name -> 1-d float array (see the module notes)."""

# The measures every model reports, under these names.
SHARED_MEASURES = ("service_level", "asa", "abandon_rate", "occupancy")


@dataclass(frozen=True, slots=True)
class Load:
    """The work offered in each interval, as 1-d arrays of one length.

    Attributes
    ----------
    calls : contacts offered per interval (calls, chats), count.
    aht : average handle time per contact, seconds.
    interval : interval length, seconds.
    """

    calls: FloatArray
    aht: FloatArray
    interval: float

    @classmethod
    def of(cls, calls: ArrayLike, aht: ArrayLike, interval: ArrayLike) -> Load:
        """A load from user input: checked (errors name the argument and the value),
        broadcast against each other and flattened. ``interval`` is one number. Calls whose
        load is below the smallest normal float (2.2e-308 Erlangs) count as none."""
        c, h = v.broadcast(calls=v.nonnegative("calls", calls), aht=v.positive("aht", aht))
        seconds = v.single("interval", interval, v.positive)
        calls = np.ravel(c).astype(np.float64)
        handle = np.ravel(h).astype(np.float64)
        # a load below the smallest normal float is no load: it cannot be computed with
        # any accuracy, and some of its products underflow to 0 while others do not
        calls[calls * handle / seconds < np.finfo(np.float64).tiny] = 0.0
        load = cls(calls, handle, seconds)
        v.within(
            "traffic", load.traffic, v.MAX_TRAFFIC, "Erlangs per interval (calls * aht / interval)"
        )
        return load

    @property
    def traffic(self) -> FloatArray:
        """Offered load per interval, Erlangs: ``calls * aht / interval``."""
        return self.calls * self.aht / self.interval

    @property
    def rate(self) -> FloatArray:
        """Arrivals per second in each interval."""
        return self.calls / self.interval

    def __len__(self) -> int:
        return int(self.calls.size)

    def take(self, idx: NDArray[np.intp]) -> Load:
        """The load of the intervals ``idx``."""
        return Load(self.calls[idx], self.aht[idx], self.interval)


class IntervalModel:
    """Base of the queueing models of one interval (see the module notes).

    A model is a frozen dataclass of its own parameters (a patience, handle
    times by concurrency, lines); those named in :attr:`per_interval` may also
    be one value per interval. Subclasses implement :meth:`measures`; the
    defaults of the rest suit a model whose measures improve with every agent.
    """

    name: ClassVar[str] = "model"
    """How the model is named on screen ("Erlang A")."""
    summary: ClassVar[str] = ""
    """One line on what the model assumes, for a page or a report."""
    per_interval: ClassVar[tuple[str, ...]] = ()
    """Parameters that may hold one value per interval."""
    columns: ClassVar[tuple[str, ...]] = ("service_level", "asa", "occupancy")
    """The measures a table of this model shows, in order."""
    close_guess: ClassVar[bool] = False
    """Whether :meth:`guess` is usually the answer itself: the search then tries it
    and one agent fewer in one evaluation (:meth:`meets_and_fewer`)."""

    @property
    def abandons(self) -> bool:
        """Whether callers may hang up (so an abandonment cap means something)."""
        return False

    def measures(self, agents: FloatArray, load: Load, targets: Targets) -> Measures:
        """The measures at ``agents`` per interval (whole counts, float array of the
        load's length), with ``targets`` giving the answer time and the basis."""
        raise NotImplementedError

    def meets(self, agents: FloatArray, load: Load, targets: Targets) -> NDArray[np.bool_]:
        """Whether ``agents`` meet every target, per interval; an interval without
        calls always does."""
        met = targets.met(self.measures(agents, load, targets), abandons=self.abandons)
        return np.broadcast_to(met, agents.shape) | (load.calls == 0)

    def meets_and_fewer(
        self, agents: FloatArray, fewer: NDArray[np.intp], load: Load, targets: Targets
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Whether ``agents`` meet the targets, per interval, and whether one agent
        fewer does in the intervals ``fewer``: a close guess's test, in one
        evaluation (a model may share the work of the two counts)."""
        if fewer.size == 0:
            return np.asarray(self.meets(agents, load, targets), dtype=bool), fewer < 0
        both = np.concatenate([np.arange(len(load)), fewer])
        counts = np.concatenate([agents, agents[fewer] - 1.0])
        ok = np.asarray(self.take(both).meets(counts, load.take(both), targets), dtype=bool)
        return ok[: len(load)], ok[len(load) :]

    def floor(self, load: Load, targets: Targets) -> FloatArray:
        """Per interval, a count below which no staffing meets ``targets`` (the
        search never tries fewer); 0 where no calls are offered."""
        return np.where(load.calls > 0, 1.0, 0.0)

    def guess(self, load: Load, targets: Targets) -> FloatArray:
        """A first guess of the requirement per interval (close saves evaluations)."""
        return np.maximum(np.ceil(load.traffic), self.floor(load, targets))

    def proxy(self, load: Load) -> tuple[IntervalModel, Load] | None:
        """A cheaper model (and the load it sees) whose requirement is a close first
        guess of this one's, or None (:meth:`guess` is used)."""
        return None

    def cap(self, load: Load) -> FloatArray:
        """The most agents the model can take per interval (``inf``: no limit)."""
        return np.full(len(load), np.inf)

    def check(self, targets: Targets) -> None:
        """Raise an InputError if ``targets`` cannot be searched for under this model
        (a target that letting callers hang up would meet, a basis it does not report)."""
        check_search_targets(targets, self.abandons)

    def check_load(self, load: Load) -> None:
        """Raise an InputError if the per-interval parameters do not fit ``load``."""
        for field in self.per_interval:
            value = getattr(self, field)
            if isinstance(value, tuple) and len(value) not in (1, len(load)):
                raise InputError(
                    f"array lengths do not match: 'calls' ({len(load)},), '{field}' "
                    f"({len(value)},): give one {field}, or one per interval"
                )

    def take(self, idx: NDArray[np.intp]) -> Any:
        """The model for the intervals ``idx`` (per-interval parameters sliced)."""
        changes = {}
        for field in self.per_interval:
            value = getattr(self, field)
            if isinstance(value, tuple) and len(value) > 1:
                changes[field] = tuple(np.asarray(value)[idx].tolist())
        return dataclasses.replace(self, **changes) if changes else self  # type: ignore[type-var]

    def param(self, field: str, size: int) -> FloatArray:
        """A per-interval parameter as a float array of ``size`` values."""
        return np.broadcast_to(np.asarray(getattr(self, field), dtype=np.float64), (size,))


def per_interval_value(name: str, value: Any, check: Any) -> Any:
    """A model parameter that is one number or one per interval, checked by ``check``
    (e.g. :data:`planner._validate.positive`): a float, or a tuple of floats (so the
    model stays hashable and comparable)."""
    if isinstance(value, bool):
        raise InputError(f"'{name}' must be a number or one number per interval: {value!r}")
    arr = check(name, value)
    if arr.ndim == 0:
        return float(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise InputError(f"'{name}' must be a number or one number per interval: {value!r}")
    return tuple(arr.tolist())
