"""Personal triggers: which of the person's own habits (caffeine, alcohol, sleep, stress, exercise) go with
days of more twitching: Spearman correlations over diary days, said in plain words, with their caution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from twitchcheck.diary.series import DiarySummary, FloatArray, IntArray
from twitchcheck.diary.statistics import fisher_ci, spearman

MIN_ASSOCIATION_DAYS = 10  # fewer diary days than this: no association is computed

CAUSATION_CAUTION = (
    "These are associations in your own diary, not proof of cause. Things that change on the same days "
    "(sleep, stress, illness, what you chose to write down) can explain them, and with few days a "
    "pattern can appear by chance. Use them as ideas to test, for example by cutting down one thing "
    "for a couple of weeks and seeing whether the diary changes."
)


@dataclass(frozen=True)
class Association:
    """Spearman correlation between a factor and twitches, over diary days that record both."""

    factor: str
    finding: str
    unit: str
    expected: Literal["positive", "negative"]
    n_days: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    mean_twitches_high: float | None
    mean_twitches_low: float | None
    supports_trigger: bool
    status: Literal["ok", "not enough data", "no variation"]
    summary: str


# Factor name -> (knowledge-base trigger finding, expected sign, unit).
FACTORS: dict[str, tuple[str, Literal["positive", "negative"], str]] = {
    "caffeine": ("trigger_caffeine", "positive", "mg or cups per day"),
    "alcohol": ("trigger_alcohol", "positive", "units per day"),
    "sleep": ("trigger_sleep_loss", "negative", "hours of sleep"),
    "stress": ("trigger_stress", "positive", "stress 0-10"),
    "exercise": ("trigger_exercise", "positive", "minutes of exercise (or yes/no)"),
}
_WORDS = {
    "caffeine": ("more caffeine", "less caffeine"),
    "alcohol": ("more alcohol", "less alcohol"),
    "sleep": ("less sleep", "more sleep"),
    "stress": ("more stress", "less stress"),
    "exercise": ("more exercise", "less exercise"),
}


def _recorded(summary: DiarySummary, name: str, mean: bool = False) -> FloatArray:
    counts = summary.counts[name]
    values = summary.sums[name] / np.maximum(counts, 1) if mean else summary.sums[name]
    return np.where(counts > 0, values, np.nan)


def daily_table(summary: DiarySummary) -> tuple[IntArray, FloatArray, dict[str, tuple[FloatArray, str]]]:
    """Diary days (local day numbers), twitches per day, and each factor per day (NaN if not recorded)."""
    mg, cups = _recorded(summary, "caffeine_mg"), _recorded(summary, "caffeine_cups")
    # One unit per person: whichever the diary uses on more days (no mg-per-cup conversion is assumed).
    caffeine, caffeine_unit = (
        (mg, "mg per day") if np.sum(~np.isnan(mg)) >= np.sum(~np.isnan(cups)) else (cups, "cups per day")
    )
    minutes, did = _recorded(summary, "exercise_minutes"), summary.maxima["exercised"]
    exercise, exercise_unit = (
        (minutes, "minutes of exercise per day")
        if np.sum(~np.isnan(minutes)) >= np.sum(~np.isnan(did))
        else (did, "exercised (yes = 1)")
    )
    factors = {
        "caffeine": (caffeine, caffeine_unit),
        "alcohol": (_recorded(summary, "alcohol_units"), "units per day"),
        "sleep": (_recorded(summary, "sleep_hours", mean=True), "hours of sleep"),
        "stress": (summary.maxima["stress"], "stress 0-10 (highest that day)"),
        "exercise": (exercise, exercise_unit),
    }
    return summary.day, summary.twitches, factors


def association(factor: str, x: FloatArray, y: FloatArray, unit: str) -> Association:
    finding, expected, _ = FACTORS[factor]
    keep = ~np.isnan(x)
    x, y = x[keep], y[keep]
    n = int(x.size)
    more, less = _WORDS[factor]

    def result(status: Literal["not enough data", "no variation"], summary: str) -> Association:
        return Association(
            factor, finding, unit, expected, n, None, None, None, None, None, False, status, summary
        )

    if n < MIN_ASSOCIATION_DAYS:
        return result(
            "not enough data",
            f"Only {n} diary day(s) record {factor}; at least {MIN_ASSOCIATION_DAYS} are needed "
            "to look for a link.",
        )
    rho = spearman(x, y)
    if rho is None:
        return result(
            "no variation", f"{factor.capitalize()} or twitching did not vary across your diary days."
        )
    low, high = fisher_ci(rho, n)
    median = float(np.median(x))
    high_days, low_days = (x > median, x <= median) if expected == "positive" else (x < median, x >= median)
    mean_high = float(y[high_days].mean()) if high_days.any() else None
    mean_low = float(y[low_days].mean()) if low_days.any() else None
    supports = low > 0 if expected == "positive" else high < 0
    if supports:
        lead = f"On days with {more} you logged more twitches"
    elif (expected == "positive" and high < 0) or (expected == "negative" and low > 0):
        lead = f"On days with {more} you logged fewer twitches, not more"
    else:
        lead = f"No clear link between {factor} and twitching in your diary"
    figures = f"Spearman rho {rho:+.2f}, 95% CI {low:+.2f} to {high:+.2f}, {n} days"
    if mean_high is not None and mean_low is not None:
        figures += f"; average twitches {mean_high:.1f} on {more} days vs {mean_low:.1f} on {less} days"
    summary = f"{lead} ({figures}). An association is not proof of cause."
    return Association(
        factor, finding, unit, expected, n, rho, low, high, mean_high, mean_low, supports, "ok", summary
    )


def trigger_associations(summary: DiarySummary) -> list[Association]:
    _, twitches, factors = daily_table(summary)
    return [association(name, values, twitches, unit) for name, (values, unit) in factors.items()]
