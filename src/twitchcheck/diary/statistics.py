"""The few statistics the diary's patterns use, in numpy: Student t critical values, ranks, Spearman's
rho and its confidence interval (as scipy gives them, without loading scipy)."""

from __future__ import annotations

import math

import numpy as np

from twitchcheck.diary.series import FloatArray

Z_975 = 1.959963984540054
SPEARMAN_SE_FACTOR = 1.06  # Fieller, Hartley & Pearson (1957): var(atanh(rho_s)) ~ 1.06 / (n - 3)

# Two-sided 95% Student t critical values for df = 1..30 (standard table); normal beyond.
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_critical(df: int) -> float:
    """The two-sided 95% Student t critical value for ``df`` degrees of freedom (normal beyond the table)."""
    if df < 1:
        return math.inf
    return _T_975[df - 1] if df <= len(_T_975) else Z_975


def rankdata(values: FloatArray) -> FloatArray:
    """Average ranks (ties share the mean rank), as ``scipy.stats.rankdata``."""
    sorter = np.argsort(values, kind="mergesort")
    inverse = np.empty(sorter.size, dtype=np.intp)
    inverse[sorter] = np.arange(sorter.size)
    ordered = values[sorter]
    obs = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = obs.cumsum()[inverse]
    bounds = np.r_[np.nonzero(obs)[0], len(obs)]
    ranks: FloatArray = 0.5 * (bounds[dense] + bounds[dense - 1] + 1)
    return ranks


def spearman(x: FloatArray, y: FloatArray) -> float | None:
    """Spearman's rho, or None when either side has no variation."""
    rx, ry = rankdata(x), rankdata(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float(rx @ rx) * float(ry @ ry))
    if denom == 0.0:
        return None
    return max(-1.0, min(1.0, float(rx @ ry) / denom))


def fisher_ci(rho: float, n: int) -> tuple[float, float]:
    """95% interval for Spearman's rho through Fisher's z with the Fieller et al. variance."""
    if n <= 3:
        return -1.0, 1.0
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    half = Z_975 * math.sqrt(SPEARMAN_SE_FACTOR / (n - 3))
    return math.tanh(z - half), math.tanh(z + half)
