"""What a shortfall costs under soft coverage: the calls answered in time it loses."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner._validate import FloatArray
from planner.errors import InputError
from planner.models import IntervalModel
from planner.staffing import interval_metrics
from planner.targets import Targets

__all__ = ["shortfall_prices"]


def shortfall_prices(
    required: FloatArray,
    workload: pd.DataFrame | None,
    interval: float,
    targets: Targets,
    model: IntervalModel | None,
    value_per_call: float,
    depth: int,
) -> FloatArray:
    """Per interval and agent short (1st, 2nd, ...): calls answered in time that agent
    answers, times ``value_per_call`` (increasing: convex, as a solver needs)."""
    n = len(required)
    if workload is None:
        return np.full((n, depth), value_per_call)
    if len(workload) != n:
        raise InputError(f"'workload' has {len(workload)} intervals; the requirement has {n}")
    calls = workload["calls"].to_numpy(dtype=np.float64)
    aht = workload["aht"].to_numpy(dtype=np.float64)
    # service level at the requirement and at 1, 2, ... agents fewer, in one call
    fewer = np.maximum(required[None, :] - np.arange(depth + 1)[:, None], 0)
    metrics = interval_metrics(fewer, calls, aht, interval, targets, model=model)
    sl = metrics["service_level"].fillna(0.0).to_numpy().reshape(depth + 1, n)
    out = (np.clip(sl[:-1] - sl[1:], 0, None) * calls * value_per_call).T
    return np.maximum.accumulate(out, axis=1)  # keep it convex
