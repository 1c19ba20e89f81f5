"""Texts in another language, phone texts separated by spaces, ages said without "old", time linked by
"since then" and "now", seasons and form labels."""

from __future__ import annotations

from datetime import datetime

import pytest

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import assess
from twitchcheck.text import extract
from twitchcheck.text.grammar import load_grammar
from twitchcheck.text.language import foreign_language

SUNDAY_NOON = datetime(2026, 12, 6, 12, 0)
RULES = load_grammar().languages


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("mi padre tiene la cara caída y no puede hablar bien desde hace una hora", "es"),
        ("mój tata ma opadniętą twarz i nie może mówić", "pl"),
        ("mein Vater kann nicht sprechen und sein Gesicht hängt", "de"),
        ("ma tête me fait mal et mon bras tremble depuis hier", "fr"),
        ("我爸爸脸歪了，说话不清楚", "script"),
        ("أبي وجهه مائل ولا يستطيع الكلام", "script"),
    ],
)
def test_other_languages_are_recognised(text: str, code: str) -> None:
    assert foreign_language(text, RULES) == code


@pytest.mark.parametrize(
    "text",
    [
        "my dad's face has dropped and he can't talk",
        "calf twitching",
        "Mi madre tiene 80 años, her face dropped and she is not making sense",
        "my mum is from Spain, she says 'no puedo' and her face dropped",
    ],
)
def test_english_with_a_few_foreign_words_is_english(text: str) -> None:
    assert foreign_language(text, RULES) is None


def test_a_text_in_another_language_is_not_understood_and_says_call_for_help(kb: KnowledgeBase) -> None:
    result = assess("mi padre tiene mucho cansancio y le tiemblan los párpados desde hace una semana", kb=kb)
    assert result.understood is False
    assert result.triage.level == "urgent"
    reason = result.triage.reasons[0]
    assert "English" in reason and "112" in reason and "Español" in reason


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("mi padre tiene la cara caída y no puede hablar bien desde hace una hora", "cara caída"),
        ("mon fils fait des convulsions depuis dix minutes", "convulsions"),
        ("babcia jest nieprzytomna i ma drgawki", "nieprzytomna"),  # the first said
        ("ang lolo ko ay hindi makahinga at nanginginig", "hindi makahinga"),
        ("mere papa behosh ho gaye hain aur haath kaanp rahe hain", "behosh"),
        ("meu filho está com convulsao agora", "convulsão"),  # typed without the accent
    ],
)
def test_an_emergency_word_in_another_language_gets_emergency_advice(
    kb: KnowledgeBase, text: str, word: str
) -> None:
    result = assess(text, kb=kb)
    assert result.triage.level == "emergency"
    assert word in result.triage.reasons[0] and "English" in result.triage.reasons[1]


def test_a_harmless_word_that_looks_like_an_emergency_word_does_not(kb: KnowledgeBase) -> None:
    # "ataque de pánico" is a panic attack; "crise d'angoisse" an anxiety attack
    for text in (
        "tengo ataques de pánico y me tiembla el ojo desde hace días",
        "j'ai des crises d'angoisse et mon œil tremble",
    ):
        assert assess(text, kb=kb).triage.level == "urgent"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # mostly English, the emergency said in the language the writer switches into
        (
            "my tito is 60 and he fell in the garden, ngayon hindi siya makahinga at hindi siya "
            "sumasagot sa amin, his leg keeps twitching",
            "hindi siya makahinga",
        ),
        (
            "my grandma is visiting from Madrid and her hand is twitching, mi tía dice que no responde y "
            "que tiene la boca torcida, what do we do",
            "no responde",
        ),
        # a diminutive and a confusion word said in the other language
        (
            "my brother is 19 and his arm keeps twitching today, mi mamá dice que ahora está confundido, "
            "what should we do",
            "confundido",
        ),
        (
            "my cousin is 20, after a fight with her boyfriend she saari goliyan kha li from the cupboard, "
            "now she is very sleepy and her hands twitch",
            "saari goliyan",
        ),
    ],
)
def test_an_emergency_word_in_a_language_the_text_switches_into_is_an_emergency(
    kb: KnowledgeBase, text: str, word: str
) -> None:
    assert foreign_language(text, RULES) is None  # read as English
    result = assess(text, kb=kb)
    assert result.triage.level == "emergency"
    assert word in result.triage.reasons[0]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # a pronoun or particle between the words of an emergency phrase
        ("ang tatay ko hirap na siya huminga ngayon at nanginginig ang binti", "hirap huminga"),
        ("mi abuela no le responde a nadie y tiene los brazos temblando", "no responde"),
    ],
)
def test_short_words_may_sit_inside_an_emergency_phrase(kb: KnowledgeBase, text: str, word: str) -> None:
    result = assess(text, kb=kb)
    assert result.triage.level == "emergency" and word in result.triage.reasons[0]


def test_a_few_foreign_words_in_an_english_text_raise_no_alarm(kb: KnowledgeBase) -> None:
    # too few of the other language's own words to count as switching into it
    text = "my calf twitches after 4 coffees, no weakness. My abuela says 'no pasa nada'."
    assert assess(text, kb=kb).triage.level not in ("emergency", "urgent")


def test_runs_of_spaces_separate_statements(kb: KnowledgeBase) -> None:
    """Without the split, "no" would deny everything after it."""
    read = extract("my calf twitches  no weakness  legs feel heavy now", kb).as_evidence()
    assert read.get("both_legs") == "present"


@pytest.mark.parametrize(
    "text", ["I am 21 years and my eyelid is twitching", "my son is 8 years, his eye twitches"]
)
def test_an_age_without_old_is_not_a_duration(kb: KnowledgeBase, text: str) -> None:
    extraction = extract(text, kb, reference=SUNDAY_NOON)
    assert "twitch_duration" not in extraction.as_evidence()
    assert extraction.age in (21, 8)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("his fluoxetine was put up last Tuesday. Since then his legs do little jerks.", "days"),
        ("calf twitching since last summer", "months"),
        ("eyelid twitching, noticed in the autumn", "months"),
        ("my calf twitches. How long: few weeks", "weeks"),
        ("my legs twitch. Months of it.", "months"),
        ("left eyelid twitching 3rd day now", "days"),
    ],
)
def test_time_words(kb: KnowledgeBase, text: str, state: str) -> None:
    assert extract(text, kb, reference=SUNDAY_NOON).as_evidence().get("twitch_duration") == state


def test_a_recent_event_then_now_dates_the_symptom_but_an_old_one_does_not(kb: KnowledgeBase) -> None:
    recent = extract(
        "fell off the trampoline about an hour ago, now his legs keep jumping", kb, reference=SUNDAY_NOON
    ).as_evidence()
    assert recent.get("twitch_duration") == "days"
    weak = extract("She tripped an hour ago, now her left arm is weak", kb, reference=SUNDAY_NOON)
    assert weak.as_evidence().get("sudden_onset") == "present"
    old = extract(
        "Two years ago I cracked my skull falling off a ladder, and now my left hand jerks.",
        kb,
        reference=SUNDAY_NOON,
    ).as_evidence()
    assert old.get("twitch_duration") != "years"
