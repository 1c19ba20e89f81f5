"""Body-map regions and the figure's tap targets.

Each region is one location finding. The figure is a front view (the person's right on the viewer's
left) with a close-up of the face and neck beside it; every limb, the eyelids and the face have a left
and a right target, so one tap says where and on which side. Targets are at least ``MIN_TARGET`` units
square in a figure drawn ``FIGURE_WIDTH`` units wide: shown at least that many CSS pixels wide (the
stylesheet's minimum), every target is at least 44 x 44 CSS px, the size WCAG 2.5.5 asks for (2.5.8
asks 24).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twitchcheck.knowledge import KnowledgeBase

Side = Literal["left", "right"]
MIN_TARGET = 46  # units; 44 CSS px plus room for rounding
FIGURE_WIDTH = 326  # units: the phone width inside the diary's form (390 - 2 x 16 - 2 x 16)
FIGURE_HEIGHT = 372


@dataclass(frozen=True)
class Region:
    finding: str
    label: str
    short: str  # the region in a few words, after "left" or "right"


REGIONS = (
    Region("loc_eyelid", "Eyelid", "eyelid"),
    Region("loc_face", "Face (cheek, lips, chin or jaw)", "side of the face"),
    Region("loc_tongue", "Tongue", "tongue"),
    Region("loc_neck", "Neck", "neck"),
    Region("loc_arm", "Arm or shoulder", "arm or shoulder"),
    Region("loc_hand", "Hand, fingers or thumb", "hand"),
    Region("loc_trunk", "Back, chest, tummy or ribs", "back, chest or tummy"),
    Region("loc_thigh", "Thigh or buttock", "thigh or buttock"),
    Region("loc_calf", "Calf, shin or lower leg", "calf or shin"),
    Region("loc_foot", "Foot or toes", "foot"),
)
_SHORT = {r.finding: r.short for r in REGIONS}


@dataclass(frozen=True)
class Part:
    """One tap target: a rounded rectangle in the figure's units."""

    finding: str
    side: Side | None  # None: the middle of the body (tongue, neck, trunk)
    x: float
    y: float
    width: float
    height: float
    radius: float = 12

    @property
    def name(self) -> str:
        """'left calf or shin', 'tongue': what a tap on it picks, in words."""
        short = _SHORT.get(self.finding, self.finding)
        return f"{self.side} {short}" if self.side else short


def _pair(
    finding: str, y: float, width: float, height: float, *, right_x: float, left_x: float, radius: float = 12
) -> tuple[Part, Part]:
    return (
        Part(finding, "right", right_x, y, width, height, radius),
        Part(finding, "left", left_x, y, width, height, radius),
    )


# The body, x 0-200 (a small head for orientation only), then the face and neck, x 212-326.
BODY_PARTS: tuple[Part, ...] = (
    *_pair("loc_arm", 62, 46, 110, right_x=2, left_x=152),
    Part("loc_trunk", None, 52, 60, 96, 112, 18),
    *_pair("loc_hand", 176, 46, 48, right_x=2, left_x=152, radius=22),
    *_pair("loc_thigh", 176, 47, 78, right_x=52, left_x=101),
    *_pair("loc_calf", 258, 47, 62, right_x=52, left_x=101),
    *_pair("loc_foot", 324, 56, 46, right_x=40, left_x=104, radius=20),
)
FACE_PARTS: tuple[Part, ...] = (
    *_pair("loc_eyelid", 44, 48, 46, right_x=218, left_x=272),
    *_pair("loc_face", 94, 48, 46, right_x=218, left_x=272),
    Part("loc_tongue", None, 245, 144, 48, 46, 20),
    Part("loc_neck", None, 245, 218, 48, 48),
)
PARTS = BODY_PARTS + FACE_PARTS


def regions(kb: KnowledgeBase) -> tuple[Region, ...]:
    """The regions whose finding exists in this knowledge base."""
    return tuple(r for r in REGIONS if r.finding in kb.findings)


@dataclass(frozen=True)
class Figure:
    parts: tuple[Part, ...]
    width: int = FIGURE_WIDTH
    height: int = FIGURE_HEIGHT


def figure(kb: KnowledgeBase) -> Figure:
    """The figure, with the targets whose finding exists in this knowledge base."""
    return Figure(tuple(p for p in PARTS if p.finding in kb.findings))
