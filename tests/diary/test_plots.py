"""SVG pictures: well-formed, deterministic, and drawing what the diary says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from twitchcheck.diary.plots import DRAWN_REGIONS, body_map_svg, region_counts, timeline_svg
from twitchcheck.diary.schemas import new_entry, vocabulary
from twitchcheck.diary.series import EntrySeries
from twitchcheck.knowledge import load_kb

KB = load_kb()
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def diary() -> EntrySeries:
    daily = [
        {"occurred_at": START + timedelta(days=d), "regions": ["loc_calf"], "side": "left", "count": d,
         "caffeine_cups": d % 4, "sleep_hours": 6 + d % 3}
        for d in range(20)
    ]  # fmt: skip
    last = {"occurred_at": START + timedelta(days=21), "regions": ["loc_eyelid", "loc_calf"]}
    entries = [new_entry(KB, data) for data in [*daily, last]]
    return EntrySeries.from_entries(entries, [[] for _ in entries])


def test_every_knowledge_base_region_is_drawn() -> None:
    assert set(vocabulary(KB).regions) <= DRAWN_REGIONS


def test_body_map_shades_by_count_and_side() -> None:
    s = diary()
    counts = region_counts(s)
    assert counts[("loc_calf", "left")] == 21 and counts[("loc_calf", "right")] == 1
    root = ElementTree.fromstring(body_map_svg(s, KB))
    shapes = {(e.get("data-finding"), e.get("data-side")): e for e in root.iter() if e.get("data-finding")}
    left, right = shapes[("loc_calf", "left")], shapes[("loc_calf", "right")]
    assert (left.get("data-count"), right.get("data-count")) == ("21", "1")
    assert left.get("fill") == "#b2182b"  # the most-written region is the darkest
    assert shapes[("loc_hand", "left")].get("fill") == "#f7f7f7"
    assert "Calf" in "".join(left.itertext())


def test_timeline_is_valid_deterministic_svg() -> None:
    s = diary()
    svg = timeline_svg(s)
    assert svg == timeline_svg(s)
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    text = "".join(root.itertext())
    assert "twitches" in text and "caffeine" in text and "sleep" in text and "alcohol" not in text


def test_empty_pictures() -> None:
    empty = EntrySeries.empty()
    for svg in (timeline_svg(empty), body_map_svg(empty, KB)):
        assert ElementTree.fromstring(svg).tag == f"{SVG}svg"
