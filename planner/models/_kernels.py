"""Unchecked Erlang B, C and A kernels behind the formulas and models of
:mod:`planner.models.erlang` (internal to planner.models).

Every function here takes validated 1-d float arrays of one shape (or, where
it says so, broadcastable ones) and does no checking of its own: the public
functions and models validate once at their boundary and call these. The
numerics (log space, series where scipy's incomplete gamma underflows or loses
accuracy, sums of positive parts) are described in
:mod:`planner.models.erlang`.

- :func:`log_erlang_b`, :func:`log_erlang_b_fewer`, :func:`erlang_b_values`: Erlang B.
- :func:`erlang_c_measures`: Erlang C P(wait), service level, ASA, occupancy.
- :func:`erlang_a_measures`, :func:`erlang_a_asa`: Erlang A (M/M/n+M).
- :func:`sl_from_parts`: a service level on the chosen basis.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from planner._validate import FloatArray, SLBasis
from planner.errors import InputError

__all__ = [
    "erlang_a_asa",
    "erlang_a_measures",
    "erlang_b_values",
    "erlang_c_measures",
    "log_erlang_b",
    "log_erlang_b_fewer",
    "sl_from_parts",
]

IntArray = NDArray[np.intp]

# Below this a regularised incomplete gamma value from scipy is replaced by a
# series: far from subnormal numbers, and scipy is accurate above it.
_TINY = 1e-250
_SERIES_TOL = 1e-17
# Erlang A sums run over up to about 25 sqrt(y) queue lengths, y = traffic *
# patience / aht (calls arriving within one mean patience); past this many
# the input is far outside any contact center and would take minutes.
_MAX_SERIES_TERMS = 2e7
_LOG_2 = float(np.log(2.0))


# --------------------------------------------------------------------------
# Erlang B
# --------------------------------------------------------------------------


def _log_falling_series(
    log_ratio: Callable[[IntArray, FloatArray], FloatArray], size: int
) -> FloatArray:
    """log of sums ``1 + t_1 + t_2 + ...`` with ``log t_j = sum_{i<=j} log_ratio(., i)``.

    For series whose terms fall from t_0 = 1 (the ratios are below 1). The
    terms are summed in blocks of growing length, each block's log terms a
    running sum, until the last term is below 1e-17 of the total: quick when
    the terms fall geometrically, exact (if slower) when they fall slowly.
    ``log_ratio(idx, j)`` gives the log ratios for the sums ``idx`` still
    running at the term numbers ``j`` (a row vector); -inf ends a sum.
    """
    total = np.ones(size)
    log_t = np.zeros(size)  # log of the last term of the previous block
    idx = np.arange(size)
    offset, block = 0, 16
    with np.errstate(divide="ignore"):  # ratios may underflow to 0
        while idx.size:
            j = offset + np.arange(1.0, block + 1.0)[None, :]
            log_terms = log_t[idx, None] + np.cumsum(log_ratio(idx, j), axis=1)
            total[idx] += np.exp(log_terms).sum(axis=1)
            log_t[idx] = log_terms[:, -1]
            idx = idx[np.exp(log_t[idx]) > _SERIES_TOL * total[idx]]
            offset, block = offset + block, min(2 * block, 4096)
    return np.log(total)


def log_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """log of Erlang B for whole ``n >= 0`` and ``a > 0`` (same shapes, 1-d)."""
    log_pmf = n * np.log(a) - a - special.gammaln(n + 1.0)
    cdf = special.gammaincc(n + 1.0, a)  # P(Poisson(a) <= n)
    ok = cdf > _TINY
    if ok.all():  # the usual case, without masks
        return log_pmf - np.log(cdf)
    out = np.empty_like(a)
    out[ok] = log_pmf[ok] - np.log(cdf[ok])
    far = ~ok  # a far above n: 1/B = cdf/pmf = sum_j n! / ((n-j)! a**j), terms falling
    if np.any(far):
        nf, af = n[far, None], a[far, None]
        out[far] = -_log_falling_series(
            lambda idx, j: np.log(np.maximum(nf[idx] - j + 1.0, 0.0) / af[idx]), nf.size
        )
    return out


def log_erlang_b_fewer(n: FloatArray, a: FloatArray, log_b: FloatArray) -> FloatArray:
    """log of Erlang B at ``n - 1`` agents from ``log_b`` = log B(n, a), for whole
    ``n >= 1`` and ``a > 0``: the recursion run backwards, B(n-1) = n B(n) /
    (a (1 - B(n))), which amplifies rounding by 1 / (1 - B(n)); where B(n) > 1/2
    (an overloaded queue) it is computed directly instead."""
    with np.errstate(divide="ignore"):  # 1 - B may round to 0 where B is near 1
        out = np.log(n) - np.log(a) + log_b - np.log(-np.expm1(log_b))
    direct = log_b > -_LOG_2
    if np.any(direct):
        out[direct] = log_erlang_b(n[direct] - 1.0, a[direct])
    return out


# --------------------------------------------------------------------------
# Erlang C
# --------------------------------------------------------------------------


def erlang_b_values(n: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B for validated arrays of one shape, zero traffic included."""
    b = np.where(n == 0, 1.0, 0.0)
    live = a > 0
    b[live] = np.exp(log_erlang_b(n[live], a[live]))
    return b


def erlang_c_measures(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray | float,
    answer_time: FloatArray | float,
    b: FloatArray | None = None,
) -> dict[str, FloatArray]:
    """Erlang C ``p_wait``, ``service_level``, ``asa`` and ``occupancy``.

    For validated arrays of one shape; ``b`` = B(n, a) when already known.
    Unstable intervals (n <= a) get P(wait) 1, service level 0, ASA inf and
    occupancy 1; intervals without traffic get 0, 1, 0 and 0.
    """
    if b is None:
        b = erlang_b_values(n, a)
    gap = n - a
    stable = gap > 0
    zero = a == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c = np.where(stable, n * b / (gap + a * b), 1.0)
        sl = np.where(stable, 1.0 - c * np.exp(-gap * (answer_time / aht)), 0.0)
        wait = np.where(stable, c * aht / gap, np.inf)
        occ = np.fmin(a / n, 1.0)  # a / 0 is inf -> 1
    c[zero] = 0.0
    sl[zero] = 1.0
    wait[zero] = 0.0
    occ[zero] = 0.0
    return {"p_wait": c, "service_level": sl, "asa": wait, "occupancy": occ}


# --------------------------------------------------------------------------
# Erlang A (M/M/n+M)
# --------------------------------------------------------------------------


def _log_a_series(x: FloatArray, z: FloatArray) -> FloatArray:
    """log A(x, z) by its defining series, for ``z < x`` (terms fall from 1)."""
    xs, zs = x[:, None], z[:, None]
    return _log_falling_series(lambda idx, m: np.log(zs[idx] / (xs[idx] + m)), z.size)


# scipy's lower incomplete gamma loses accuracy in its lower tail for very
# large shapes (relative error 4e-6 at 1e6, 3e-2 at 1e7, five standard
# deviations out); past this shape the series is used below the mode.
_LARGE_SHAPE = 2e5


def _log_a(x: FloatArray, z: FloatArray) -> FloatArray:
    """log A(x, z) for ``x > 0``, ``z >= 0`` (1-d arrays of one shape)."""
    pos = z > 0
    p = special.gammainc(x, z)  # 0 at z = 0
    closed = pos & (p > _TINY) & ((x <= _LARGE_SHAPE) | (z >= x))
    if closed.all():  # the usual case, without masks
        return z - x * np.log(z) + special.gammaln(x + 1.0) + np.log(p)
    out = np.zeros_like(z)  # A(x, 0) = 1
    xc, zc = x[closed], z[closed]
    out[closed] = zc - xc * np.log(zc) + special.gammaln(xc + 1.0) + np.log(p[closed])
    series = pos & ~closed  # z below x: the series converges
    if np.any(series):
        out[series] = _log_a_series(x[series], z[series])
    return out


def _log_gamma_q(a: FloatArray, z: FloatArray) -> FloatArray:
    """log Q(a, z), the regularised upper incomplete gamma, without underflow."""
    with np.errstate(divide="ignore"):
        out = np.log(special.gammaincc(a, z))
    idx = np.flatnonzero(out <= np.log(_TINY))
    if idx.size == 0:
        return out
    # Q tiny means z far above a, where Legendre's continued fraction
    # (modified Lentz) converges in a few dozen steps.
    at, zt = a[idx], z[idx]
    b = zt + 1.0 - at
    c = np.full_like(zt, 1e300)
    d = 1.0 / b
    h = d.copy()
    active = np.arange(idx.size)
    i = 0
    while active.size:
        i += 1
        an = -i * (i - at[active])
        b[active] += 2.0
        d[active] = 1.0 / (an * d[active] + b[active])
        c[active] = b[active] + an / c[active]
        delta = d[active] * c[active]
        h[active] *= delta
        active = active[np.abs(delta - 1.0) > 1e-16]
    out[idx] = -zt + at * np.log(zt) - special.gammaln(at) + np.log(h)
    return out


def _log_gamma_q_diff(a: FloatArray, z_lo: FloatArray, z_hi: FloatArray) -> FloatArray:
    """log(Q(a, z_lo) - Q(a, z_hi)) for ``a <= z_lo <= z_hi``, free of cancellation.

    Both values are upper tails, each accurate in relative terms however
    small, and the first is the larger.
    """
    hi = _log_gamma_q(a, z_lo)
    lo = _log_gamma_q(a, z_hi)
    # Rounding can leave the smaller tail a hair above the larger when z_lo
    # and z_hi nearly coincide: the difference is then zero.
    with np.errstate(divide="ignore"):
        return hi + np.log(np.maximum(-np.expm1(lo - hi), 0.0))


def _answered_wait(x: FloatArray, y: FloatArray, p_wait: FloatArray) -> FloatArray:
    """E[wait; answered] * theta: sum over m callers ahead on arrival.

    An arrival finds all n agents busy and m callers waiting with probability
    P(wait) q_m / A(x, y), q_m = y**m / ((x+1)...(x+m)); it is then answered
    with probability x / (x + m + 1) and waits, in units of the mean
    patience, h_m = sum_{i=0}^{m} 1 / (x + i + 1). The sum starts a dozen
    standard deviations left of the mode of q_m and runs right until the
    terms are negligible, so it is exact to rounding; blocks of terms grow in
    length, as about 25 sqrt(y) terms are needed. q_m is taken relative to
    its value at the start and normalised by the sum of the same terms (A
    up to a negligible left tail), so no huge factor like e**y enters.
    """
    weighted = np.zeros_like(y)
    mass = np.zeros_like(y)
    mode = np.maximum(0.0, np.floor(y - x - 1.0))
    start = np.maximum(0.0, np.floor(mode - 12.0 * np.sqrt(y) - 10.0))
    log_q = np.zeros_like(y)  # log(q_m / q_start) at the first m of the next block
    h_before = special.digamma(x + start + 1.0) - special.digamma(x + 1.0)
    idx = np.arange(y.size)
    offset, block = 0, 64
    while idx.size:
        xi, yi = x[idx, None], y[idx, None]
        m = start[idx, None] + offset + np.arange(float(block))[None, :]
        with np.errstate(divide="ignore"):  # the ratio may underflow to 0
            log_step = np.log(yi / (xi + m + 1.0))  # q_{m+1} / q_m
        log_qm = log_q[idx, None] + np.concatenate(
            [np.zeros((idx.size, 1)), np.cumsum(log_step[:, :-1], axis=1)], axis=1
        )
        q_m = np.exp(log_qm)
        h = h_before[idx, None] + np.cumsum(1.0 / (xi + m + 1.0), axis=1)
        terms = q_m * xi / (xi + m + 1.0) * h
        weighted[idx] += terms.sum(axis=1)
        mass[idx] += q_m.sum(axis=1)
        log_q[idx] = log_qm[:, -1] + log_step[:, -1]
        h_before[idx] = h[:, -1]
        done = (m[:, -1] > mode[idx]) & (q_m[:, -1] <= _SERIES_TOL * mass[idx])
        idx = idx[~done]
        offset, block = offset + block, min(2 * block, 16384)
    return p_wait * weighted / mass


def _unit(values: FloatArray) -> FloatArray:
    """``values`` clipped to [0, 1], in place (np.clip's wrapper costs more than this)."""
    return np.minimum(np.maximum(values, 0.0, out=values), 1.0, out=values)


def _erlang_a_live(
    n: FloatArray,
    a: FloatArray,
    h: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    abandoned_within: bool = True,
    log_e: FloatArray | None = None,
) -> dict[str, FloatArray]:
    """Erlang A ``p_wait``, ``abandon_rate``, ``answered_within`` and (unless
    ``abandoned_within`` is False: NaN, a sum saved) ``abandoned_within`` for 1-d
    arrays with agents and traffic both > 0; ``log_e`` is log B(n, a) when known."""
    r = pat / h  # mean patience in units of handle time
    x, y = n * r, a * r  # n mu / theta and lambda / theta
    # The series below run over about this many queue lengths: 25 sqrt(y)
    # around the mode under overload, a geometric-Gaussian tail under load;
    # never more than max(25 sqrt(y), 9 sqrt(x)), checked first.
    most = max(25.0 * np.sqrt(y.max()), 9.0 * np.sqrt(x.max())) if y.size else 0.0
    if most > _MAX_SERIES_TERMS:
        with np.errstate(divide="ignore"):
            terms = np.where(
                y >= x, 25.0 * np.sqrt(y), np.minimum(40.0 / (1.0 - y / x), 9.0 * np.sqrt(x))
            )
    else:
        terms = np.zeros(0)
    if np.any(terms > _MAX_SERIES_TERMS):
        i = int(np.argmax(terms > _MAX_SERIES_TERMS))
        raise InputError(
            f"Erlang A with traffic {float(a[i])!r} Erlangs on {int(n[i])} agents, patience "
            f"{float(pat[i])!r} s and aht {float(h[i])!r} s would sum about "
            f"{terms[i]:.0e} queue lengths (limit {_MAX_SERIES_TERMS:.0e}): callers "
            "that patient at that load queue without practical bound"
        )
    theta_t = t / pat
    u0 = np.exp(-theta_t)

    if log_e is None:
        log_e = log_erlang_b(n, a)
    log_a = _log_a(x, y)
    # pi_n = E / (1 + (A - 1) E), in log space; 1 - E may round to 0 (log -inf).
    with np.errstate(divide="ignore"):
        log_one_minus_e = np.log(-np.expm1(log_e))
    # log(1 - E + A E) without np.logaddexp, which is ten times slower
    log_ae = log_a + log_e  # finite, while log(1 - E) may be -inf
    log_pi_n = log_e - (
        np.maximum(log_one_minus_e, log_ae) + np.log1p(np.exp(-np.abs(log_one_minus_e - log_ae)))
    )
    p_wait = np.exp(log_pi_n + log_a)
    # Answered after waiting: pi_n sum_m q_m x / (x + m + 1) = pi_n x A(x+1, y) / (x+1).
    # A(x + 1, y) = (x + 1) (A(x, y) - 1) / y, from gamma(x + 1, y) = x gamma(x, y) -
    # y**x e**-y; A - 1 is taken from log A without cancellation (expm1).
    log1p_x = np.log1p(x)
    with np.errstate(divide="ignore", invalid="ignore"):  # log(A - 1), A large or near 1
        if np.all(log_a > 1.0):  # the usual case, one branch
            log_a_less_1 = log_a + np.log1p(-np.exp(-log_a))
        else:
            log_a_less_1 = np.where(
                log_a > 1.0,
                log_a + np.log1p(-np.exp(-np.maximum(log_a, 1.0))),
                np.log(np.expm1(np.minimum(log_a, 1.0))),
            )
        log_a1 = log1p_x - np.log(y) + log_a_less_1
    tiny = ~np.isfinite(log_a1)  # y (or A - 1) below floating point: directly
    if np.any(tiny):
        log_a1[tiny] = _log_a(x[tiny] + 1.0, y[tiny])
    log_x_ratio = np.log(x) - log1p_x  # log(x / (x + 1))
    served_waiting = np.exp(log_pi_n + log_x_ratio + log_a1)
    # P(abandon) = pi_n [A - (x/y)(A - 1)] = P(wait) - P(answered after waiting).
    # Under overload (y > x) write it as a sum of positive terms instead,
    # P(wait) (1 - x/y) + pi_n x/y, which keeps full relative accuracy.
    over = y > x
    if over.any():
        ratio = np.divide(x, y, out=np.zeros_like(x), where=over)  # only where it is used
        abandon_rate = np.where(
            over, p_wait * (1.0 - ratio) + np.exp(log_pi_n) * ratio, p_wait - served_waiting
        )
    else:
        abandon_rate = p_wait - served_waiting
    abandon_rate = _unit(abandon_rate)
    # No wait: sum_{k<n} pi_k = pi_n (1/E - 1), computed without cancellation.
    no_wait = np.exp(log_pi_n + log_one_minus_e - log_e)
    # Answered after waiting at most T:
    #   pi_n x integral_{u0}^{1} u**x e**(y (1 - u)) du
    #   = pi_n x/(x+1) [A(x+1, y) - e**(y (1 - u0)) u0**(x+1) A(x+1, y u0)].
    # The bracket is a difference of two terms of one size, good to rounding
    # in absolute terms. Under heavy load (y u0 >= x + 1) almost nobody is
    # answered that fast and the small result would drown in that rounding,
    # so there the same integral is taken as a difference of two upper
    # incomplete gamma tails, each exact in relative terms:
    #   = pi_n x e**y y**-(x+1) Gamma(x+1) [Q(x+1, y u0) - Q(x+1, y)].
    log_shift = y * (-np.expm1(-theta_t)) - theta_t * (x + 1.0)
    heavy = y * u0 >= x + 1.0
    some_heavy = bool(heavy.any())
    light = ~heavy if some_heavy else slice(None)  # no masks in the usual case
    log_after_wait = np.empty_like(y)
    with np.errstate(divide="ignore"):
        late = np.minimum(
            log_shift[light] + _log_a(x[light] + 1.0, (y * u0)[light]) - log_a1[light], 0.0
        )
        log_after_wait[light] = (
            log_pi_n[light] + log_x_ratio[light] + log_a1[light] + np.log(-np.expm1(late))
        )
        if some_heavy:
            xh, yh = x[heavy] + 1.0, y[heavy]
            log_after_wait[heavy] = (
                log_pi_n[heavy]
                + np.log(x[heavy])
                + yh
                - xh * np.log(yh)
                + special.gammaln(xh)
                + _log_gamma_q_diff(xh, yh * u0[heavy], yh)
            )
    answered_after_wait = np.exp(log_after_wait)
    answered_within = _unit(no_wait + answered_after_wait)
    out = {
        "p_wait": _unit(p_wait),
        "abandon_rate": abandon_rate,
        "answered_within": answered_within,
        "abandoned_within": np.full(y.size, np.nan),
    }
    if abandoned_within:
        # Offered wait (time to reach an agent) beyond T, then patience beyond T:
        # pi_n e**(y (1 - u0)) u0**x A(x, y u0) times u0.
        waiting_past_t = np.exp(log_pi_n + log_shift + _log_a(x, y * u0))
        out["abandoned_within"] = _unit(1.0 - waiting_past_t - answered_within)
    return out


def erlang_a_asa(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    p_wait: FloatArray,
    abandon_rate: FloatArray,
) -> FloatArray:
    """Erlang A ASA (seconds), given the model's P(wait) and P(abandon).

    A sum over queue lengths, dearer than the other measures, hence apart:
    0 without traffic, inf without agents (no call is ever answered).
    """
    out = np.where(a > 0, np.inf, 0.0)
    live = (n > 0) & (a > 0)
    r = patience[live] / aht[live]
    wait_served = _answered_wait(n[live] * r, a[live] * r, p_wait[live]) * patience[live]
    answered = 1.0 - abandon_rate[live]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[live] = np.where(answered > 0, wait_served / answered, np.inf)
    return out


def erlang_a_measures(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    answer_time: FloatArray,
    *,
    sl_basis: SLBasis = "offered",
    with_asa: bool = True,
    log_b: FloatArray | None = None,
) -> dict[str, FloatArray]:
    """Erlang A measures for 1-d validated arrays of one shape (``log_b``: log of
    Erlang B at ``n`` where both ``n`` and ``a`` are > 0, when already known).

    Returns ``p_wait``, ``abandon_rate``, ``answered_within``, ``abandoned_within``,
    ``service_level`` (on ``sl_basis``), ``occupancy`` and ``asa``. Without
    ``with_asa`` (a search's test) the ASA is NaN where there is traffic (see
    :func:`erlang_a_asa`), and so is ``abandoned_within`` unless the basis needs it.
    """
    live = (n > 0) & (a > 0)
    keep_abandoned_within = with_asa or sl_basis == "offered_excl_short_abandons"
    if live.all():  # the usual case: every interval has agents and calls
        res = _erlang_a_live(n, a, aht, patience, answer_time, keep_abandoned_within, log_b)
        res["occupancy"] = np.minimum(a * (1.0 - res["abandon_rate"]) / n, 1.0)
    else:
        res = {
            "p_wait": np.where(a > 0, 1.0, 0.0),
            "abandon_rate": np.where(a > 0, 1.0, 0.0),
            "answered_within": np.where(a > 0, 0.0, 1.0),
            "abandoned_within": np.zeros(a.shape),
            "occupancy": np.zeros(a.shape),
        }
        # With no agents every caller abandons, after exactly their patience.
        none = (n == 0) & (a > 0)
        res["abandoned_within"][none] = -np.expm1(-answer_time[none] / patience[none])
        if np.any(live):
            parts = _erlang_a_live(
                n[live], a[live], aht[live], patience[live], answer_time[live],
                keep_abandoned_within, None if log_b is None else log_b[live],
            )  # fmt: skip
            for key, value in parts.items():
                res[key][live] = value
            res["occupancy"][live] = np.minimum(
                a[live] * (1.0 - parts["abandon_rate"]) / n[live], 1.0
            )
    res["service_level"] = sl_from_parts(
        res["answered_within"], res["abandoned_within"], res["abandon_rate"], sl_basis
    )
    if with_asa:
        res["asa"] = erlang_a_asa(n, a, aht, patience, res["p_wait"], res["abandon_rate"])
    else:
        res["asa"] = np.where(a > 0, np.nan, 0.0)
    return res


def sl_from_parts(
    answered_within: FloatArray,
    abandoned_within: FloatArray,
    abandon_rate: FloatArray,
    basis: SLBasis,
) -> FloatArray:
    """Service level on the chosen basis from its parts (fractions of offered).

    ``basis`` must already be checked (:func:`planner._validate.check_sl_basis`).
    """
    if basis == "offered":
        return answered_within
    den = 1.0 - (abandoned_within if basis == "offered_excl_short_abandons" else abandon_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, answered_within / den, 0.0)
