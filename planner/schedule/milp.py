"""One integer programme solved with HiGHS (``highspy``).

``highspy`` rather than ``scipy.optimize.milp`` (the same HiGHS): it reports
each better solution while it searches (the app's progress), its interrupt
callbacks keep the time limit where HiGHS's own check comes late, it takes a
starting solution, and its options are the solver's own.
``bench/bench_schedule.py`` times it against ``scipy.optimize.milp`` and CBC
(PuLP) on the same matrices.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner._validate import FloatArray

__all__ = ["Progress", "Solution", "solve"]

Progress = Callable[[float, float, float], None]
"""Called as HiGHS finds better schedules: (seconds so far, objective, bound)."""

OPTIONS: dict[str, bool | float | str | int] = {}
"""HiGHS options every solve takes (the bench compares settings through it)."""

_BANNER = threading.Lock()
_QUIET = [False]
# HiGHS keeps one thread pool per process; a forked child (a sweep's worker)
# inherits its bookkeeping but not its threads and would wait on them forever.
os.register_at_fork(after_in_child=lambda: highspy.Highs.resetGlobalScheduler(True))


@dataclass(frozen=True)
class Solution:
    """What HiGHS returned: the solution (None: none found), its objective, the
    best bound, the relative gap, and its status in words."""

    x: FloatArray | None
    objective: float
    bound: float
    gap: float
    status: str
    infeasible: bool


def _highs() -> highspy.Highs:
    """A silent HiGHS. Its first instance in a process prints a banner on the C
    level's stdout, which would land in the CLI's tables: it goes to /dev/null."""
    with _BANNER:
        if _QUIET[0]:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 1)
                    h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
            _QUIET[0] = True
    h.setOptionValue("output_flag", False)
    return h


def solve(
    cost: FloatArray,
    matrix: sparse.csr_array,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_upper: FloatArray,
    integral: NDArray[np.bool_],
    *,
    time_limit: float,
    gap: float,
    relaxed: bool = False,
    start: FloatArray | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Minimise ``cost @ x`` subject to ``row_lower <= matrix @ x <= row_upper`` and
    ``0 <= x <= col_upper``, whole numbers where ``integral`` (unless ``relaxed``),
    within ``time_limit`` seconds or a relative ``gap``; ``start`` is a solution
    to begin from."""
    h = _highs()
    inf = highspy.kHighsInf
    csc = sparse.csc_array(matrix)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(csc.shape[1]), int(csc.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.zeros(csc.shape[1])
    lp.col_upper_ = np.where(np.isinf(col_upper), inf, col_upper).astype(np.float64)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower).astype(np.float64)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    if not relaxed:
        kinds = [highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger]
        lp.integrality_ = [kinds[int(i)] for i in integral]
    h.passModel(lp)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("random_seed", 0)
    for key, value in OPTIONS.items():
        h.setOptionValue(key, value)
    if start is not None and not relaxed:
        solution = highspy.HighsSolution()
        solution.col_value = np.asarray(start, dtype=np.float64)
        solution.value_valid = True
        h.setSolution(solution)
    if progress is not None and not relaxed:

        def report(event) -> None:
            out = event.data_out
            progress(float(out.running_time), float(out.objective_function_value),
                     float(out.mip_dual_bound))  # fmt: skip

        h.cbMipImprovingSolution.subscribe(report)
    if not relaxed:
        # HiGHS checks its time limit rarely while cutting at the root (10 s past it on
        # a week); its interrupt callbacks come more often and stop it on time.
        deadline = time.monotonic() + float(time_limit)

        def stop(event) -> None:
            if time.monotonic() > deadline:
                event.interrupt()

        h.cbMipInterrupt.subscribe(stop)
        h.cbSimplexInterrupt.subscribe(stop)
        h.cbIpmInterrupt.subscribe(stop)  # an LP HiGHS solves by interior point
    h.run()
    status = h.getModelStatus()
    message = h.modelStatusToString(status)
    info = h.getInfo()
    has = info.primal_solution_status == 2  # feasible
    x = np.array(h.getSolution().col_value) if has else None
    objective = float(np.asarray(cost) @ x) if x is not None else float("nan")
    if relaxed:
        bound, rel = objective, 0.0
    else:
        # HiGHS 1.16 can drop presolve's objective offset from both its objective and
        # its bound when it starts from a given solution: the bound moves with it.
        bound = float(info.mip_dual_bound)
        if x is not None:
            bound += objective - float(info.objective_function_value)
        rel = (objective - bound) / abs(objective) if x is not None and objective else 0.0
        rel = max(rel, 0.0) if x is not None else float("inf")
    infeasible = status == highspy.HighsModelStatus.kInfeasible
    return Solution(x, objective, bound, rel, message, infeasible)
