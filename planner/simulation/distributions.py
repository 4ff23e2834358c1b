"""Handle-time and patience distributions: small classes that draw from a Generator.

Each distribution validates its parameters when built, has a ``repr`` that can
be pasted back, ``mean`` and ``variance`` properties (seconds, seconds squared)
that tests compare samples against, and ``sample(size, rng)``, which draws from
a :class:`numpy.random.Generator` and from nothing else.

Examples
--------
>>> import numpy as np
>>> Lognormal(mean=240, cv=1.0)
Lognormal(mean=240.0, cv=1.0)
>>> d = Gamma(mean=300, cv=0.5)
>>> round(d.variance)
22500
>>> Deterministic(180).sample(3, np.random.default_rng(1))
array([180., 180., 180.])
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from planner import _validate as v
from planner._validate import FloatArray
from planner.errors import InputError

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "as_distribution",
]


def _scalar(name: str, value: float, check) -> float:
    if np.ndim(value) != 0:
        raise InputError(f"'{name}' must be a single number: {value!r}")
    return float(check(name, value))


class Distribution(ABC):
    """A distribution of non-negative durations, seconds.

    A subclass gives its parameters (:meth:`params`, the keyword arguments
    that rebuild it) and its draws; the repr, pickling, equality and the
    scenario-file table all follow from the parameters.
    """

    kind: str  # its name in a scenario file

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this distribution."""

    @property
    @abstractmethod
    def mean(self) -> float:
        """Mean, seconds."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """Variance, seconds squared."""

    @property
    def cv(self) -> float:
        """Coefficient of variation: standard deviation over mean."""
        return math.sqrt(self.variance) / self.mean

    @abstractmethod
    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        """``size`` independent draws, seconds, from ``rng``."""

    @abstractmethod
    def with_mean(self, mean: float) -> Distribution:
        """The same shape (CV) with another mean, seconds."""

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params().items())
        return f"{type(self).__name__}({args})"

    # Pickled (for process pools, and Streamlit's cache keys) as the call that rebuilds
    # it: the class and its parameters, in the order its constructor takes them.
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), tuple(self.params().values()))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and repr(other) == repr(self)

    def __hash__(self) -> int:
        return hash(repr(self))


class _OneParameter(Distribution):
    """A distribution given by its mean alone (seconds, > 0), named :attr:`_PARAM`."""

    _PARAM = "mean"

    def __init__(self, mean: float) -> None:
        self._mean = _scalar(f"{type(self).__name__}.{self._PARAM}", mean, v.positive)

    def params(self) -> dict[str, Any]:
        return {self._PARAM: self._mean}

    @property
    def mean(self) -> float:
        return self._mean

    def with_mean(self, mean: float) -> _OneParameter:
        return type(self)(mean)


class Exponential(_OneParameter):
    """Exponential with the given mean (the Erlang C and Erlang A assumption)."""

    kind = "exponential"

    @property
    def variance(self) -> float:
        return self._mean**2

    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        return rng.exponential(self._mean, size)


class _MeanCV(Distribution):
    """A two-parameter family given by its mean (seconds) and coefficient of variation (> 0)."""

    def __init__(self, mean: float, cv: float) -> None:
        self._mean = _scalar(f"{type(self).__name__}.mean", mean, v.positive)
        self._cv = _scalar(f"{type(self).__name__}.cv", cv, v.positive)

    def params(self) -> dict[str, Any]:
        return {"mean": self._mean, "cv": self._cv}

    @property
    def mean(self) -> float:
        return self._mean

    @property
    def variance(self) -> float:
        return (self._mean * self._cv) ** 2

    def with_mean(self, mean: float) -> _MeanCV:
        return type(self)(mean, self._cv)


class Lognormal(_MeanCV):
    """Lognormal given its mean (seconds) and coefficient of variation (> 0).

    Real handle times look like this, with a CV near 1 (Brown et al., 2005).
    The log of a draw is normal with ``sigma**2 = log(1 + cv**2)`` and
    ``mu = log(mean) - sigma**2 / 2``.
    """

    kind = "lognormal"

    def __init__(self, mean: float, cv: float) -> None:
        super().__init__(mean, cv)
        var_log = math.log1p(self._cv**2)
        self._sigma = math.sqrt(var_log)
        self._mu = math.log(self._mean) - var_log / 2

    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        return rng.lognormal(self._mu, self._sigma, size)


class Gamma(_MeanCV):
    """Gamma given its mean (seconds) and coefficient of variation (> 0).

    Shape ``1 / cv**2``, scale ``mean * cv**2``; ``cv = 1`` is the exponential.
    """

    kind = "gamma"

    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        return rng.gamma(1.0 / self._cv**2, self._mean * self._cv**2, size)


class Deterministic(_OneParameter):
    """Always the same duration, seconds (> 0). Draws consume no randomness."""

    kind = "deterministic"
    _PARAM = "value"

    def __init__(self, value: float) -> None:
        super().__init__(value)

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        return np.full(size, self._mean)


class Empirical(Distribution):
    """Resampled with replacement from observed durations, seconds.

    Parameters
    ----------
    values : observed durations (finite, >= 0, at least one, mean > 0), for
        example handle times exported from the ACD.
    """

    kind = "empirical"

    def __init__(self, values: Sequence[float] | ArrayLike) -> None:
        arr = v.nonnegative("Empirical.values", values)
        if arr.ndim != 1 or arr.size == 0:
            raise InputError(f"'Empirical.values' must be a non-empty list of numbers: {values!r}")
        if not arr.sum() > 0:
            raise InputError("'Empirical.values' must have a mean > 0: they are all 0")
        self._values = arr.copy()
        self._values.flags.writeable = False

    def params(self) -> dict[str, Any]:
        return {"values": self._values.tolist()}

    @property
    def values(self) -> FloatArray:
        """The observed durations (read-only), seconds."""
        return self._values

    @property
    def mean(self) -> float:
        return float(self._values.mean())

    @property
    def variance(self) -> float:
        return float(self._values.var())

    def sample(self, size: int, rng: np.random.Generator) -> FloatArray:
        return self._values[rng.integers(0, self._values.size, size)]

    def with_mean(self, mean: float) -> Empirical:
        """The observations scaled so their mean is ``mean`` (seconds)."""
        return Empirical(self._values * (_scalar("mean", mean, v.positive) / self.mean))


def as_distribution(name: str, value: Distribution | float) -> Distribution:
    """A distribution as given, or a plain number read as an exponential mean."""
    if isinstance(value, Distribution):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputError(
            f"'{name}' must be a distribution (Exponential, Lognormal, Gamma, "
            f"Deterministic, Empirical) or a mean in seconds: {value!r}"
        )
    return Exponential(_scalar(name, float(value), v.positive))


# Scenario files write a distribution as a table: {kind = "lognormal", mean = 240, cv = 1.1}.
KINDS: dict[str, tuple[type[Distribution], tuple[str, ...]]] = {
    cls.kind: (cls, params)
    for cls, params in (
        (Exponential, ("mean",)),
        (Lognormal, ("mean", "cv")),
        (Gamma, ("mean", "cv")),
        (Deterministic, ("value",)),
        (Empirical, ("values",)),
    )
}
