"""A measured time phrase: the value both readers of time words return (:mod:`~twitchcheck.text.durations`
for "for 3 weeks", :mod:`~twitchcheck.text.calendar` for "since sunday"); its own module, so neither
reader imports the other in a circle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "at": a point in time that dates nothing by itself ("retired last month"); it dates a complaint only
# in the complaint's own clause or when the next clause links back ("... last week. Since then ...").
Kind = Literal["for", "ago", "since", "slash", "at"]


@dataclass(frozen=True)
class TimePhrase:
    """A measured time phrase: ``days`` long, at text[start:end]."""

    days: float
    kind: Kind
    start: int
    end: int
    # The age the complaint began at, when the phrase says so ("since I was 8" -> 8.0).
    onset_age: float | None = None
