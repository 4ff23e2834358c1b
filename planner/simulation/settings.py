"""How a scenario is simulated: the settings a scenario file's ``[simulation]`` holds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner import _validate as v
from planner.errors import InputError
from planner.simulation.run import Close

__all__ = ["SimulationSettings"]


@dataclass(frozen=True, kw_only=True)
class SimulationSettings:
    """How a scenario is simulated (see :func:`planner.simulate`)."""

    replications: int = 20
    seed: int = 1
    warmup: float = 0.0
    close: Close = "serve_queue"
    dispersion: float = 0.0

    def __post_init__(self) -> None:
        for name, least in (("replications", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise InputError(f"'{name}' must be a whole number >= {least}: {value!r}")
        object.__setattr__(self, "warmup", float(v.nonnegative("warmup", self.warmup)))
        object.__setattr__(self, "dispersion", float(v.nonnegative("dispersion", self.dispersion)))
        if self.close not in ("serve_queue", "stop"):
            raise InputError(f"'close' must be 'serve_queue' or 'stop': {self.close!r}")
