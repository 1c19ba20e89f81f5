"""Typed loader for ``data/grammar.yaml``: the grammar (not the vocabulary) of free-text reading.

Keeping numbers, units, time words and qualifiers as validated data means a reviewer can extend
them without touching code, and a typo fails at load time instead of silently matching nothing.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Normalize(_Strict):
    irregular: dict[str, str]
    keep: list[str]
    min_stem: int = 3
    # Contractions typed without the apostrophe -> the part before "nt" ("cant" -> "ca").
    apostrophe_less: dict[str, str] = {}


class ReflexGrade(_Strict):
    finding: str
    below_max: int
    normal: int
    above_min: int


class Qualifiers(_Strict):
    below: list[str]
    above: list[str]
    normal: list[str]
    absent: list[str]
    extreme: list[str]
    prefixes: dict[str, str]
    reflex_grade: ReflexGrade


class Units(_Strict):
    aliases: dict[str, str]


class Numbers(_Strict):
    words: dict[str, float]
    placeholder: str


class Sudden(_Strict):
    finding: str
    within_days: float
    anchors: list[str]
    # Said in the same sentence, these make the complaint one that recurs over days ("in today, says
    # every night as she drops off she jolts"): the recent time is not its onset.
    recurring: list[str] = Field(default_factory=list)


class SinceAge(_Strict):
    finding: str
    child_below: float  # onset below this age is the finding (early childhood)
    pediatric_below: float  # onset below this age still dates the complaint (years ago)
    days: float


class Calendar(_Strict):
    leads: list[str]
    weekdays: list[list[str]]  # Monday first, as ``datetime.weekday``
    weekdays_full: list[str]
    months: list[list[str]]  # January first
    holidays: dict[str, tuple[int, int]]  # (month, day)
    times_of_day: dict[str, int]  # hour
    seasons: dict[str, int] = Field(default_factory=dict)  # the month a season starts
    # Leads that with a time of day say when something happens, not when it began ("only happens at
    # bedtime"), in a sentence with one of ``habit_words``.
    habitual_leads: list[str] = Field(default_factory=list)
    habit_words: list[str] = Field(default_factory=list)
    # ... unless the clause tells one event ("at teatime today his arm went weak").
    event_words: list[str] = Field(default_factory=list)


class Durations(_Strict):
    units: dict[str, float]
    slash: dict[str, float]
    since: dict[str, float]
    bare_plural_count: float
    min_course_days: float
    anchor_categories: list[str]
    anchor_findings: list[str]
    context_categories: list[str]
    context_exempt: list[str]
    sudden: Sudden
    onset_words: list[str]
    follow_up: list[str]
    future_cues: list[str]
    since_age: SinceAge
    calendar: Calendar


class LocationContext(_Strict):
    categories: list[str]
    exclude: list[str]
    negation_by_place: list[str]


class Frequency(_Strict):
    finding: str
    cues: dict[str, list[str]]


class Spread(_Strict):
    finding: str
    cues: dict[str, list[str]]
    regions: dict[str, list[str]]
    from_count: dict[str, int]
    # Symptoms whose places are not places the twitching spread to ("one cramp in my foot").
    not_from: list[str] = []


class Laterality(_Strict):
    finding: str
    left: list[str]
    right: list[str]
    same_side: list[str]


class CountRule(_Strict):
    finding: str
    nouns: list[str]
    thresholds: dict[str, int]


class ScoreRule(_Strict):
    finding: str
    words: list[str]
    scale: int
    full_words: list[str]


class AmountRule(_Strict):
    finding: str
    per_day_at_least: float
    mg_at_least: float
    containers: list[str]
    note: str


class MedicationChange(_Strict):
    finding: str
    specific: dict[str, str]
    cues: list[str]
    negated: list[str]
    medicine_words: list[str]
    exclude: list[str]
    # Using a reliever more than before ("puffing my ventolin way more"): these cues count only right beside
    # a medicine of ``reliever_findings`` (within ``reliever_reach`` characters), never for another medicine.
    reliever_cues: list[str] = []
    reliever_findings: list[str] = []
    reliever_reach: int = 40
    # A medicine taken only lately ("on prednisolone since Friday", "taking her mum's tramadol since the
    # weekend"): a time phrase of at most ``recent_days`` right after the medicine, nothing named between.
    recent_days: float = 0.0
    recent_reach: int = 40


class Combination(_Strict):
    all: list[str]
    then: str


class Assessment(_Strict):
    finding: str
    clinicians: list[str]
    checked: list[str]
    seen: list[str]
    passive_aux: list[str]
    passive: list[str]
    not_before: list[str]
    categories: list[str]
    findings: list[str]


class RapidSpread(_Strict):
    finding: str
    anchor: str
    within_days: float
    groups: dict[str, list[str]]
    unless: str


class EpisodeRule(_Strict):
    finding: str
    anchor: str
    at_least_minutes: float
    # Time still running counts too ("it's been 7 minutes now"), unless its clause says the episode
    # is over ("been calm for half an hour"); None: only a finished episode's length counts.
    still_going_unless: list[str] | None = None
    # Only time still running counts ("this one has been going 6 minutes"), never a finished episode's.
    still_going_only: bool = False
    # When given, the time's clause must say one of these words ("this one has been going 6 minutes").
    only_with_words: list[str] = []
    # Findings that date the episode in their clause too, once the text names ``anchor`` ("has epilepsy ...
    # her arm has been jerking for 6 minutes now").
    with_findings: list[str] = []
    # Words at most three before the time that make it how long something else went on ("played futsal
    # 2 hours, then a cramp"): an activity's length, not the episode's.
    not_after: list[str] = []


class ThresholdRule(_Strict):
    finding: str
    words: list[str]
    present_at_least: float | None = None
    present_below: float | None = None
    valid: tuple[float, float]
    # When given, the number must be followed by one of these ("slept 4 hours", not "4 pillows").
    units: list[str] = Field(default_factory=list)
    # The word read is not the person's when one of these comes just before it ("oven temp 350F").
    not_after: list[str] = Field(default_factory=list)
    # The number measures something else when one of these units follows it ("grip measured 38 kg").
    not_units: list[str] = Field(default_factory=list)
    # False: a number on the normal side says nothing (a pulse of 80 now denies no palpitations felt before).
    says_absent: bool = True
    # When given, only these words (at most two) may stand between the word and its number ("heart going 110",
    # "HR of 120"), so a comma or another measure ends the search ("HR reg, Hb 130", "pulse ox 100").
    between: list[str] = Field(default_factory=list)


class Yardsticks(_Strict):
    """A feeling said beside others as a yardstick ("boiling hot when everyone else is cold"): not
    ``findings`` when the match ends with one of ``feelings`` and one of ``phrases`` follows it."""

    findings: list[str]
    feelings: list[str]
    phrases: list[str]


class Questions(_Strict):
    openers: list[str]
    # Who asks, in a conversation written down ("Q:", "Nurse:"): a question after one is still a question.
    speaker_labels: list[str] = []
    # Who answers ("A:", "Caller:"): "A: No" after a question denies what it asked about.
    answer_labels: list[str] = []
    yes: list[str] = []  # an answer starting with one of these states what a labelled asker asked
    no: list[str] = []  # ... denies what a yes/no question asked
    not_no: list[str] = []  # words after "no" that make it no answer ("no idea")
    # A question with one of these asks what/when/how, not whether: "no" to it denies nothing.
    not_yes_no: list[str] = []
    # A question of at most this many words with no opener ("Confused? Not really", "Fever? nope", a form's
    # "2. Numbness? no") is asked by someone else: a bare "no" after it denies it.
    bare_words: int = 0
    # A question that takes its subject as given ("Is it normal for my eyelid to twitch for 3 weeks?", "Anyone
    # else get calf twitches after covid?"): it tells what the writer has, and is read as a statement.
    telling: list[str] = []


class Relatives(_Strict):
    female: list[str]
    male: list[str]
    any: list[str]


class People(_Strict):
    relatives: Relatives
    others: list[str]
    self_female: list[str]
    self_male: list[str]
    first_person: list[str]
    third_person: list[str]
    # "what do I do", "should I call", "can I give him": the writer asking for help, not a patient
    # speaking of themselves; a first-person word right after one of these is not counted.
    asking: list[str] = Field(default_factory=list)
    # "does she know who I am", "he didn't recognise me": the writer is the one not known, not a patient
    not_known: list[str] = Field(default_factory=list)
    # "she's scared and so am I", "me too": the writer echoing a feeling, not describing themselves;
    # a first-person word after ``echo_before`` + one word, or right before ``echo_after``, is not counted.
    echo_before: list[str] = Field(default_factory=list)
    echo_after: list[str] = Field(default_factory=list)
    # "I'm ringing about my dad", "writing on behalf of my wife": the relative named after one of
    # these is the patient, however much the writer says of themselves.
    about: list[str] = Field(default_factory=list)


class Languages(_Strict):
    min_hits: int = Field(ge=1)
    ratio: float = Field(gt=0)
    script_share: float = Field(gt=0, le=1)
    english: list[str]
    others: dict[str, list[str]]
    # Words for an emergency in each other language ("convulsión", "no responde"): a text the reader
    # cannot read that says one of these gets emergency advice, not the routine "not English" answer.
    emergency: dict[str, list[str]] = Field(default_factory=dict)


class Comparisons(_Strict):
    """A thing named only to describe another ("wee like cola", "the colour of strong tea"): a
    ``findings`` word right after a ``markers`` phrase, in a clause that names one of ``about`` (any
    clause when ``about`` is empty), is a comparison, not the thing itself."""

    markers: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)
    about: list[str] = Field(default_factory=list)
    gap: int = Field(default=2, ge=0, le=4)


class Grammar(_Strict):
    normalize: Normalize
    fillers: list[str]
    negation_fillers: list[str]
    strong_negation: list[str]
    denial_openers: list[str]
    # When a blood test was taken, said between its name and its number ("CK yesterday 4,850").
    lab_taken: list[str] = Field(default_factory=list)
    # A learned guess near where the rules read one of its look-alikes is that look-alike (grammar.yaml).
    learned_lookalikes: dict[str, list[str]] = Field(default_factory=dict)
    learned_lookalikes_unless: list[str] = Field(default_factory=list)
    max_fillers: int = Field(ge=0, le=5)
    problem_words: list[str]
    head_dominance: int
    head_stopwords: list[str]
    no_reverse_words: list[str]
    reverse_when: list[str]
    keep_nested_in: list[str]
    list_scope_tokens: list[str]
    qualifiers: Qualifiers
    units: Units
    numbers: Numbers
    durations: Durations
    location_context: LocationContext
    head_categories: list[str]
    # Body functions that several findings share ("breathing is fine" denies breathlessness and
    # breathing failure alike): head word -> the findings it denies. A head never affirms.
    shared_heads: dict[str, list[str]] = Field(default_factory=dict)
    # Words that say "fine" only of some findings: a strong grip is a normal grip, a strong pain is
    # a bad one. word -> the findings it can deny; any other finding ignores it.
    normal_only_for: dict[str, list[str]] = Field(default_factory=dict)
    # "fine"-type words that, inside a finding's words, describe what follows ("a great jolt")
    describing: list[str] = Field(default_factory=list)
    comparisons: list[Comparisons] = Field(default_factory=list)
    # "my legs suddenly kick out": a word for how a movement happens, not how the complaint began.
    # finding -> the movement words that, right after its word, make it the movement's manner.
    manner: dict[str, list[str]] = Field(default_factory=dict)
    # "stand on the cold floor", "his calf is seizing up": a finding's words naming a thing or another
    # finding. finding -> the words (or phrases) that, right after its words, make them that.
    objects: dict[str, list[str]] = Field(default_factory=dict)
    yardsticks: Yardsticks | None = None
    # "hay fever", "cabin fever": a finding's word inside the name of something else. finding -> the words
    # that, right before its words, make them that name.
    compounds: dict[str, list[str]] = Field(default_factory=dict)
    frequency: Frequency
    spread: Spread
    laterality: Laterality
    counts: list[CountRule]
    scores: list[ScoreRule]
    amounts: list[AmountRule]
    medication_change: MedicationChange
    combinations: list[Combination]
    assessment: Assessment
    rapid_spread: RapidSpread
    episodes: list[EpisodeRule]
    thresholds: list[ThresholdRule]
    implications: dict[str, list[str]]
    questions: Questions
    languages: Languages
    people: People


@cache
def load_grammar() -> Grammar:
    """The packaged grammar, parsed once."""
    text = resources.files("twitchcheck.text").joinpath("data", "grammar.yaml").read_text("utf-8")
    return Grammar.model_validate(yaml.safe_load(text))
