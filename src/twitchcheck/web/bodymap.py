"""Body-map regions: each clickable area of the figure is one location finding."""

from __future__ import annotations

from dataclasses import dataclass

from twitchcheck.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Region:
    finding: str
    label: str


REGIONS = (
    Region("loc_eyelid", "Eyelid"),
    Region("loc_face", "Face (cheek, lips, chin or jaw)"),
    Region("loc_tongue", "Tongue"),
    Region("loc_neck", "Neck"),
    Region("loc_arm", "Arm or shoulder"),
    Region("loc_hand", "Hand, fingers or thumb"),
    Region("loc_trunk", "Back, chest, tummy or ribs"),
    Region("loc_thigh", "Thigh or buttock"),
    Region("loc_calf", "Calf, shin or lower leg"),
    Region("loc_foot", "Foot or toes"),
)


def regions(kb: KnowledgeBase) -> tuple[Region, ...]:
    """The regions whose finding exists in this knowledge base."""
    return tuple(r for r in REGIONS if r.finding in kb.findings)
