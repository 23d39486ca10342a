"""Maximal covering (MCLP): greedy siting, and the exact MILP (PuLP + CBC) to measure it.

Objective units are the demand weights' (road metres, hotspot m² times a weight).
"""
from __future__ import annotations

import heapq
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pulp
from scipy import sparse


class GreedyResult(NamedTuple):
    chosen: np.ndarray      # candidate row indices, in the order picked
    gains: np.ndarray       # each one's marginal gain (objective units), non-increasing
    cumulative: np.ndarray  # objective after 1, 2, ... cameras (the coverage-against-budget curve)


class MilpResult(NamedTuple):
    chosen: np.ndarray   # candidate row indices of the best solution found (sorted)
    objective: float     # its covered weight, recomputed from the matrix
    optimal: bool        # True only when CBC proved optimality (not stopped on its time limit)
    status: str          # "optimal" or "not proven optimal (...)"
    seconds: float       # wall time of CBC


def _check_problem(matrix, weights, k: int):
    matrix = sparse.csr_matrix(matrix)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (matrix.shape[1],):
        raise ValueError(f"{len(weights)} weights for {matrix.shape[1]} demand points")
    if (weights < 0).any() or k < 0:
        raise ValueError("weights must be >= 0 and k >= 0")
    return matrix, weights


def greedy_siting(matrix, weights, k: int) -> GreedyResult:
    """Greedy maximal covering: repeatedly take the candidate with the largest uncovered gain.

    matrix: sparse candidates x demand (``coverage_matrix``); weights: per demand point
    (objective units, e.g. road metres), >= 0; k: budget. Lazy evaluation with a priority
    queue (gains only shrink, so a stale gain is an upper bound). Ties go to the lower
    index (gains equal but for rounding may go either way, and later picks follow).
    Stops early when no candidate adds anything. Returns ``GreedyResult``.
    """
    matrix, weights = _check_problem(matrix, weights, k)
    indptr, indices = matrix.indptr, matrix.indices
    covered = np.zeros(matrix.shape[1], dtype=bool)
    heap = list(zip(-(matrix @ weights), range(matrix.shape[0])))
    heapq.heapify(heap)
    chosen, gains = [], []
    while heap and len(chosen) < k:
        stale, j = heapq.heappop(heap)
        if -stale <= 0:
            break
        cols = indices[indptr[j]:indptr[j + 1]]
        fresh = weights[cols[~covered[cols]]].sum()
        if fresh <= 0:
            continue
        if heap and fresh < -heap[0][0]:
            heapq.heappush(heap, (-fresh, j))
            continue
        chosen.append(j), gains.append(fresh)
        covered[cols] = True
    gains = np.asarray(gains, dtype=float)
    return GreedyResult(np.asarray(chosen, dtype=np.int64), gains, np.cumsum(gains))


def covered_weight(matrix, weights, chosen) -> float:
    """Total weight of the demand points covered by the chosen candidates."""
    matrix, weights = _check_problem(matrix, weights, 0)
    hit = matrix[np.asarray(chosen, dtype=np.int64)].getnnz(axis=0) > 0
    return float(weights[hit].sum())


def _demand_groups(matrix, weights):
    """Demand points with the same covering candidates merged: (candidate lists, summed weights)."""
    csc = sparse.csc_matrix(matrix)
    csc.sort_indices()
    groups: dict[bytes, list] = {}
    for i in np.flatnonzero((np.diff(csc.indptr) > 0) & (weights > 0)):
        rows = csc.indices[csc.indptr[i]:csc.indptr[i + 1]]
        groups.setdefault(rows.tobytes(), [rows, 0.0])[1] += weights[i]
    return [g[0] for g in groups.values()], [g[1] for g in groups.values()]


def _mclp_model(matrix, weights, k: int):
    """The MCLP as a PuLP problem, demand points with the same covering candidates merged."""
    members, group_w = _demand_groups(matrix, weights)
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = [prob.add_variable(f"x{j}", cat=pulp.LpBinary) for j in range(matrix.shape[0])]
    y = [prob.add_variable(f"y{g}", lowBound=0, upBound=1) for g in range(len(group_w))]
    prob += pulp.lpSum(w * v for w, v in zip(group_w, y))
    for v, rows in zip(y, members):
        prob += v <= pulp.lpSum(x[j] for j in rows)
    prob += pulp.lpSum(x) == k
    return prob, x


def _solve_cbc(prob, time_limit: float) -> tuple[float, str]:
    """Solve with PuLP's bundled CBC; return wall seconds and CBC's log."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC; it is the one installed
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, logPath=str(log))
        start = time.perf_counter()
        prob.solve(solver)
        seconds = time.perf_counter() - start
        return seconds, log.read_text(errors="replace") if log.exists() else ""


def milp_siting(matrix, weights, k: int, time_limit: float = 60) -> MilpResult:
    """Exact maximal covering with PuLP + CBC, to measure how far greedy is from optimal.

    max sum_i w_i y_i  s.t.  y_i <= sum_j a_ij x_j,  sum_j x_j = k,  x binary, 0 <= y <= 1
    (demand points covered by the same candidates are merged first, which shrinks road
    instances a lot: the 20,000-candidate benchmark county solves in about 2 s).
    ``optimal`` is True only when CBC proved it: PuLP says "Optimal" even when CBC stopped
    on its time limit, so the solution status and CBC's own log are both checked;
    otherwise ``status`` reads "not proven optimal (...)" and ``objective`` is that of the
    best integer solution found (0, and no candidates, if none). time_limit: wall seconds
    for CBC (building the model comes on top).
    """
    matrix, weights = _check_problem(matrix, weights, k)
    k = min(k, matrix.shape[0])
    if k == 0:
        return MilpResult(np.empty(0, dtype=np.int64), 0.0, True, "optimal", 0.0)
    prob, x = _mclp_model(matrix, weights, k)
    seconds, text = _solve_cbc(prob, time_limit)
    stopped = "Stopped on time" in text
    proven = prob.sol_status == pulp.LpSolutionOptimal and not stopped and "Optimal solution found" in text
    feasible = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    # without an integer solution PuLP hands back CBC's fractional LP values: not a siting
    chosen = np.array([j for j, v in enumerate(x) if feasible and (v.value() or 0) > 0.5], dtype=np.int64)
    status = "optimal" if proven else (
        f"not proven optimal (PuLP status {pulp.LpStatus[prob.status]!r}, "
        f"{'stopped on its time limit' if stopped else 'no proof of optimality'}"
        f"{'' if feasible else ', no integer solution'})")
    return MilpResult(chosen, covered_weight(matrix, weights, chosen), proven, status, seconds)
