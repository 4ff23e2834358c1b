"""An independent, slow reference for Erlang A (M/M/n+M), used only by tests.

It builds the birth-death chain of the number of callers in system,
truncated far into the tail, solves its stationary distribution by the
balance equations, and follows a tagged arrival through the queue as an
absorbing continuous-time Markov chain (states: callers ahead of it, then
"answered" or "abandoned"). Service level comes from the matrix exponential
of that chain at the answer time and the answered callers' mean wait from its
fundamental matrix, so none of planner.queueing's closed forms is reused.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import expm
from scipy.special import logsumexp


def erlang_a_brute(
    agents: int, traffic: float, aht: float, patience: float, answer_time: float, depth: int = 400
) -> dict[str, float]:
    """Erlang A measures by brute force; ``depth`` is the queue truncation."""
    lam, mu, theta = traffic / aht, 1.0 / aht, 1.0 / patience
    n = agents
    logp = [0.0]
    for k in range(1, n + depth + 1):
        out_rate = min(k, n) * mu + max(k - n, 0) * theta
        logp.append(logp[-1] + np.log(lam / out_rate))
    p = np.exp(np.array(logp) - max(logp))
    p /= p.sum()
    size = depth + 1  # tagged caller with 0..depth callers ahead
    q = np.zeros((size + 2, size + 2))
    served, abandoned = size, size + 1
    for i in range(size):
        if i > 0:
            q[i, i - 1] = n * mu + i * theta
        else:
            q[i, served] = n * mu
        q[i, abandoned] = theta
        q[i, i] = -q[i].sum()
    arrive = p[n : n + size]  # PASTA: arrivals see the stationary distribution
    no_wait = p[:n].sum()
    at_t = expm(q * answer_time)
    transient = q[:size, :size]
    to_served = q[:size, served]
    p_served_waiting = arrive @ np.linalg.solve(-transient, to_served)
    wait_served = arrive @ np.linalg.solve(transient, np.linalg.solve(transient, to_served))
    p_served = no_wait + p_served_waiting
    return {
        "p_wait": 1.0 - no_wait,
        "abandon_rate": 1.0 - p_served,
        "answered_within": no_wait + arrive @ at_t[:size, served],
        "abandoned_within": arrive @ at_t[:size, abandoned],
        "asa": wait_served / p_served,
        "mean_queue": float(np.arange(depth + 1) @ p[n:]),
    }


def erlang_a_stationary(
    agents: int, traffic: float, aht: float, patience: float
) -> tuple[float, float]:
    """P(wait) and P(abandon) from the birth-death chain alone, summed in log space.

    Cheap enough for millions of states, so it reaches queues far longer than
    :func:`erlang_a_brute` can. P(abandon) = theta E[queue] / lambda.
    """
    lam, mu, theta = traffic / aht, 1.0 / aht, 1.0 / patience
    x, y = agents * mu / theta, lam / theta
    if y < x:  # geometric-then-Gaussian decay past the agents
        depth = int(40 * np.sqrt(y) + 100 / (1 - min(y / x, 0.9999)))
    else:  # the queue settles around y - x
        depth = int(y - x + 40 * np.sqrt(y)) + 1000
    k = np.arange(1, agents + depth + 1)
    rates = np.minimum(k, agents) * mu + np.maximum(k - agents, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam / rates))])
    p = np.exp(logp - logsumexp(logp))
    queue = p[agents:]
    return float(queue.sum()), float(np.arange(queue.size) @ queue * theta / lam)
