"""Server-side pictures of a diary as SVG strings: a timeline of twitching with its triggers, and a
body heat map. No user-written text is ever drawn (labels come from the knowledge base), so the SVG
can be inlined in a page as it is.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from twitchcheck.diary.schemas import vocabulary
from twitchcheck.diary.series import DiarySummary, EntrySeries, FloatArray, IntArray, day_to_date
from twitchcheck.diary.triggers import daily_table
from twitchcheck.knowledge import KnowledgeBase

TWITCH_COLOUR = "#b2182b"
PALETTE = {
    "caffeine": "#8c510a",
    "alcohol": "#7b3294",
    "sleep": "#2166ac",
    "stress": "#e08214",
    "exercise": "#1b7837",
}


# Text size. matplotlib's SVG measures in points, and a picture shown at its own width draws a point as 4/3
# CSS px: 9 pt is 12 px, the smallest text that stays readable on a phone; 9.5 pt leaves room for a picture
# shown a few percent narrower than drawn. Pages show the wide timeline where the page is wider than it and
# the narrow one on phones.
TEXT_PT = 9.5
TITLE_PT = 11.0
WIDE_IN = 8.2  # 787 px: fits a page column of 800 px
NARROW_IN = 3.4  # 326 px: fits a 360 px phone with the page's margins
BODY_MAP_TEXT_PX = 13  # the body map is drawn in CSS px at 300 px wide


# matplotlib's rc_context changes global settings while a figure is drawn: one timeline at a time, whichever
# thread (web page, API, export) asks.
_MATPLOTLIB = threading.Lock()


def _empty_svg(message: str, width: int = 640, height: int = 120) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(message)}>'
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="14" fill="#555">{escape(message)}</text></svg>'
    )


def timeline_svg(data: EntrySeries | DiarySummary, *, width_in: float = WIDE_IN) -> str:
    """Twitches per day (bars, with a 7-day average) above the factors the diary records; no text is
    smaller than :data:`TEXT_PT` (12 CSS px when shown at the width it is drawn)."""
    summary = data.summary() if isinstance(data, EntrySeries) else data
    if summary.entries == 0:
        return _empty_svg("No diary entries yet.")
    from matplotlib import rc_context
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    days, twitches, factors = daily_table(summary)
    dates = [day_to_date(int(d)) for d in days]
    shown = [(name, values, unit) for name, (values, unit) in factors.items() if np.any(~np.isnan(values))]
    panels = 1 + len(shown)
    # Deterministic SVG: fixed ids, no date, text kept as text.
    narrow = width_in < 5
    settings = rc_context({"svg.hashsalt": "twitchcheck", "svg.fonttype": "none", "font.size": TEXT_PT})
    with _MATPLOTLIB, settings:
        fig = Figure(figsize=(width_in, (2.4 if narrow else 2.2) + 1.1 * len(shown)), layout="constrained")
        ratios = [2.0] + [1.0] * len(shown)
        axes = fig.subplots(panels, 1, sharex=True, gridspec_kw={"height_ratios": ratios}, squeeze=False)[
            :, 0
        ]
        ax = axes[0]
        ax.bar(dates, twitches, width=0.9, color=TWITCH_COLOUR, alpha=0.55, label="twitches that day")
        avg = _rolling_daily_mean(days, twitches, 7)
        ax.plot(dates, avg, color=TWITCH_COLOUR, linewidth=1.6, label="7-day average")
        ax.set_ylabel("twitches")
        title = "Twitching and triggers, by day" if narrow else "Twitching and possible triggers, by day"
        ax.set_title(title, loc="left", fontsize=TITLE_PT)
        ax.legend(loc="upper left", fontsize=TEXT_PT, frameon=False)
        for axis, (name, values, unit) in zip(axes[1:], shown, strict=True):
            keep = ~np.isnan(values)
            kept_dates = [d for d, k in zip(dates, keep, strict=True) if k]
            colour = PALETTE.get(name, "#444")
            if name in ("sleep", "stress"):
                axis.plot(kept_dates, values[keep], marker="o", markersize=2.5, linewidth=1, color=colour)
            else:
                axis.bar(kept_dates, values[keep], width=0.9, color=colour, alpha=0.8)
            axis.set_ylabel(name, fontsize=TEXT_PT)
            axis.text(1.0, 1.0, unit, transform=axis.transAxes, ha="right", va="bottom", color="#555")
        locator = AutoDateLocator(minticks=3, maxticks=6 if narrow else None)  # type: ignore[no-untyped-call]
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        for axis in axes:
            axis.spines[["top", "right"]].set_visible(False)
            axis.tick_params(labelsize=TEXT_PT)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "twitchcheck"})
    return _strip_prolog(buffer.getvalue())


def _strip_prolog(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _rolling_daily_mean(days: IntArray, values: FloatArray, window: int) -> FloatArray:
    """Mean per calendar day over the last ``window`` days of the diary (days without entries count as 0;
    the first days average over the days the diary has so far)."""
    first = int(days.min())
    dense = np.zeros(int(days.max()) - first + 1)
    dense[days - first] = values
    sums = np.convolve(dense, np.ones(window))[: dense.size]
    covered = np.minimum(np.arange(1, dense.size + 1), window)
    out: FloatArray = (sums / covered)[days - first]
    return out


# ---------------------------------------------------------------------------------------------- body map

# A front view, the person facing you: their right is on the left of the picture.
# Each shape: (finding, side or None for midline, SVG element).
_SHAPES: Sequence[tuple[str, str | None, str]] = (
    ("loc_face", None, '<ellipse cx="150" cy="52" rx="30" ry="38"/>'),
    ("loc_eyelid", "right", '<ellipse cx="138" cy="44" rx="8" ry="4"/>'),
    ("loc_eyelid", "left", '<ellipse cx="162" cy="44" rx="8" ry="4"/>'),
    ("loc_tongue", None, '<ellipse cx="150" cy="74" rx="8" ry="4"/>'),
    ("loc_neck", None, '<rect x="136" y="90" width="28" height="22" rx="4"/>'),
    ("loc_trunk", None, '<rect x="108" y="112" width="84" height="150" rx="16"/>'),
    ("loc_arm", "right", '<rect x="78" y="118" width="26" height="130" rx="12"/>'),
    ("loc_arm", "left", '<rect x="196" y="118" width="26" height="130" rx="12"/>'),
    ("loc_hand", "right", '<ellipse cx="90" cy="266" rx="14" ry="18"/>'),
    ("loc_hand", "left", '<ellipse cx="210" cy="266" rx="14" ry="18"/>'),
    ("loc_thigh", "right", '<rect x="110" y="266" width="36" height="120" rx="14"/>'),
    ("loc_thigh", "left", '<rect x="154" y="266" width="36" height="120" rx="14"/>'),
    ("loc_calf", "right", '<rect x="114" y="392" width="30" height="110" rx="12"/>'),
    ("loc_calf", "left", '<rect x="156" y="392" width="30" height="110" rx="12"/>'),
    ("loc_foot", "right", '<ellipse cx="124" cy="516" rx="20" ry="10"/>'),
    ("loc_foot", "left", '<ellipse cx="176" cy="516" rx="20" ry="10"/>'),
)
DRAWN_REGIONS = frozenset(f for f, _, _ in _SHAPES)


def region_counts(data: EntrySeries | DiarySummary) -> dict[tuple[str, str | None], int]:
    """Entries per (region, side); entries that name no side, or both, count on both sides."""
    summary = data.summary() if isinstance(data, EntrySeries) else data
    counts: dict[tuple[str, str | None], int] = {}
    for group in summary.groups:
        sides = ("left", "right", None) if group.side in (None, "both") else (group.side,)
        for region in group.regions:
            for side in sides:
                counts[(region, side)] = counts.get((region, side), 0) + group.entries
    return counts


def _colour(fraction: float) -> str:
    """White (no entries) to deep red (the most-written region)."""
    low, high = np.array([0xF7, 0xF7, 0xF7]), np.array([0xB2, 0x18, 0x2B])
    r, g, b = (low + (high - low) * max(0.0, min(1.0, fraction))).round().astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


def body_map_svg(data: EntrySeries | DiarySummary, kb: KnowledgeBase) -> str:
    """Where the twitching was written down, as a shaded body outline (a front view), with ``kb``'s
    regions and labels."""
    vocab = vocabulary(kb)
    counts = region_counts(data)
    per_shape: list[tuple[str, str | None, str, int]] = []
    for finding, side, element in _SHAPES:
        if finding not in vocab.regions:
            continue
        if side is None:
            n = max(counts.get((finding, s), 0) for s in ("left", "right", None))
        else:
            n = counts.get((finding, side), 0)
        per_shape.append((finding, side, element, n))
    top = max([n for *_, n in per_shape] + [1])
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="600" viewBox="0 0 300 600" role="img" '
        'aria-label="Body map of where twitching was recorded">',
        "<title>Where twitching was recorded</title>",
        '<g stroke="#555" stroke-width="1.2">',
    ]
    for finding, side, element, n in per_shape:
        label = vocab.labels.get(finding, finding)
        where = f" ({side})" if side else ""
        tip = f"{label}{where}: {n} entr{'y' if n == 1 else 'ies'}"
        attrs = (
            f' fill="{_colour(n / top)}" data-finding="{finding}" '
            f'data-side="{side or "midline"}" data-count="{n}"'
        )
        closing = element.index("/>")
        parts.append(
            f"{element[:closing]}{attrs}><title>{escape(tip)}</title></{element[1 : element.index(' ')]}>"
        )
    parts.append("</g>")
    text = f'font-family="sans-serif" font-size="{BODY_MAP_TEXT_PX}" fill="#333"'
    parts.append(f'<text x="64" y="30" {text}>Right</text>')
    parts.append(f'<text x="204" y="30" {text}>Left</text>')
    parts.append(
        '<defs><linearGradient id="tc-heat"><stop offset="0" stop-color="#f7f7f7"/>'
        '<stop offset="1" stop-color="#b2182b"/></linearGradient></defs>'
        '<rect x="20" y="560" width="160" height="10" fill="url(#tc-heat)" stroke="#555" stroke-width="0.5"/>'
        f'<text x="20" y="588" {text}>0</text>'
        f'<text x="180" y="588" text-anchor="end" {text}>{top} entries</text>'
    )
    undrawn = sorted({region for (region, _) in counts} - DRAWN_REGIONS)
    for i, region in enumerate(undrawn):
        label = escape(vocab.labels.get(region, region))
        total = max(counts.get((region, s), 0) for s in ("left", "right", None))
        parts.append(
            f'<text x="196" y="{556 + 15 * i}" {text} '
            f'data-finding="{region}" data-count="{total}">{label}: {total}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
