"""Content of the 'types of twitching' guide: plain words of our own, each row with its sources.

Based on section 1 of the project's clinical facts and the patient article it started from;
paraphrased, not quoted. Source ids resolve through the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TwitchType:
    id: str
    name: str
    looks_like: str
    moves_joint: str
    painful: str
    usually: str
    sources: tuple[str, ...]


TYPES = (
    TwitchType(
        "fasciculation",
        "Fasciculation (muscle twitch)",
        "A small flicker or ripple under the skin, as if something is tapping from inside. It shows up when "
        "the muscle is at rest and fades when you use the muscle.",
        "No",
        "No",
        "Very common and usually harmless, especially after stress, poor sleep, caffeine or hard exercise. "
        "It only matters when it comes with weakness, thinner muscles or changed reflexes.",
        ("de_carvalho_2017", "nhs_twitching", "reed_kurland_1963"),
    ),
    TwitchType(
        "myokymia",
        "Myokymia (rippling)",
        "A slow, wave-like rippling that moves through a muscle, often described as worms moving under the "
        "skin. The eyelid is by far the most common place.",
        "No",
        "No",
        "An eyelid that flickers for days or weeks is common and harmless. Rippling elsewhere in the face, "
        "or in the arms and legs, should be checked by a doctor.",
        ("palasi_2013", "trifonova_2019", "nice_ng127"),
    ),
    TwitchType(
        "cramp",
        "Cramp",
        "The whole muscle suddenly goes hard and tight, most often in the calf or foot and often at night. "
        "It lasts from seconds to a few minutes and eases with stretching.",
        "It can pull the foot or toes",
        "Yes",
        "Common and mostly harmless. See a doctor if cramps keep waking you, come with numbness or swelling, "
        "or one lasts more than 10 minutes.",
        ("nhs_leg_cramps",),
    ),
    TwitchType(
        "spasticity",
        "Spasticity and spasms",
        "Muscles feel stiff and tight and resist being bent; legs may suddenly straighten, pull in or jerk. "
        "Some people call these spasms a twitch.",
        "Yes",
        "Can be",
        "A sign that the pathways from the brain or spinal cord are affected, for example in multiple "
        "sclerosis, after a stroke or a spinal cord injury. New stiffness needs a doctor's assessment.",
        ("rizzo_2004", "spinal_cord_2018_spasticity", "seed_article_twitch_ms_als"),
    ),
    TwitchType(
        "clonus",
        "Clonus",
        "A rhythmic beating of a joint, most often the foot bouncing up and down when it rests on the floor "
        "or a car pedal, that keeps going while the muscle is stretched.",
        "Yes",
        "No",
        "A few beats can be normal. Beating that keeps going suggests a brain or spinal cord problem and "
        "needs a doctor. With a serotonin medicine and fever or agitation it is an emergency.",
        ("seed_article_twitch_ms_als", "dunkley_2003", "msd_serotonin_syndrome"),
    ),
    TwitchType(
        "tremor",
        "Tremor",
        "A rhythmic shaking, usually of the hands, that you notice when holding a cup or keeping your arms "
        "out.",
        "Yes",
        "No",
        "Often from caffeine, anxiety or medicines; an overactive thyroid is a common treatable cause. "
        "A new tremor is worth mentioning to a doctor.",
        ("nhs_overactive_thyroid",),
    ),
    TwitchType(
        "tetany",
        "Tetany",
        "Hands or feet lock into a cramped claw shape, often with tingling around the mouth or in the "
        "fingertips.",
        "Yes",
        "Often",
        "Usually a low calcium or magnesium level, or fast over-breathing. If the throat tightens or "
        "breathing is noisy, call the emergency number.",
        ("macefield_1991", "cooper_2008", "statpearls_hypomagnesemia"),
    ),
    TwitchType(
        "myoclonus",
        "Myoclonus (jerks)",
        "A sudden, shock-like jerk of a muscle or group of muscles that moves the arm or leg.",
        "Yes",
        "No",
        "A jerk as you fall asleep and hiccups are normal forms. New, frequent jerks, or hands that flap "
        "when held out, need a doctor, and urgently if there is confusion.",
        ("hameed_2018", "statpearls_hepatic_encephalopathy"),
    ),
    TwitchType(
        "seizure",
        "Focal seizure",
        "Rhythmic jerking that keeps going for seconds to minutes, often starting in a thumb, hand or the "
        "face and spreading along one side. People are often aware while it happens.",
        "Yes",
        "No",
        "A first seizure is an emergency: call the emergency number. Afterwards the limb may be weak for a "
        "while.",
        ("ilae_motor_seizures", "nhs_seizure_first_aid"),
    ),
)

FAQ_SOURCES = (
    "nhs_twitching",
    "medlineplus_muscle_twitching",
    "nice_ng127",
    "blexrud_1993",
    "bfs_prospective_2017",
    "bashford_2020",
    "turner_2013",
    "nice_ng42",
    "nice_ng220",
    "nhs_stroke",
    "nhs_meningitis",
)

CITED = tuple(dict.fromkeys([s for t in TYPES for s in t.sources] + list(FAQ_SOURCES)))
