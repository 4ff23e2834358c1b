"""Imported by the workers' fork server only (see :mod:`app_pages.worker`): planner's
compiled kernels, loaded once there (from numba's cache, or compiled on a fresh
clone), so that no worker loads them again (about 0.2 s a job)."""

from __future__ import annotations

import planner

# Erlang A's first guess, as staffing with patience runs it
planner.required_agents(
    [100.0], 300.0, 1800, planner.Targets(service_level=0.8, answer_time=20.0),
    model=planner.ErlangA(patience=120.0),
)  # fmt: skip
# the email model's backlog chain
planner.required_deferred_agents([30.0, 60.0], 600.0, 1800, 7200.0, 0.8)
