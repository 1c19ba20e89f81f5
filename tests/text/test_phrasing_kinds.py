"""Kinds of phrasing found in the blind development texts (2026-12-06, session 6), one example each
plus a near-miss: the texts themselves are never copied here."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.pipeline import assess
from twitchcheck.text import extract
from twitchcheck.text.document_rules import compile_document_rules
from twitchcheck.text.grammar import load_grammar

WRITTEN = datetime(2026, 12, 9, 15, 30)


def read(kb: KnowledgeBase, text: str) -> dict[str, str]:
    return extract(text, kb, reference=WRITTEN).as_evidence()


def ruled(kb: KnowledgeBase, text: str) -> dict[str, str]:
    """What the rules read: a warning sign only the learned reader saw is asked, not taken as said."""
    return {m.finding: m.state for m in extract(text, kb, reference=WRITTEN).mentions if m.source == "rules"}


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a new clause ("now he's ...") ends the scope of an earlier "no"
        ("she was spraying the roses no mask now shes twitching all over", "fasciculations", "present"),
        ("no gloves today i'm twitching in both arms", "fasciculations", "present"),
        # "strong" says fine only of strength
        ("the back pain is very strong", "back_pain", "present"),
        ("his grip is strong", "weak_grip", "absent"),
        ("her pee is dark like strong tea", "dark_urine", "present"),
        # a sharp object going into the body
        ("trod on a rusty nail in the garden last week", "recent_wound", "present"),
        ("caught a fish hook in my thumb 8 days ago", "recent_wound", "present"),
        # a locked jaw said as tightness or how far the mouth opens
        ("her jaw keeps getting tighter", "trismus", "present"),
        ("can only open my mouth a finger's width", "trismus", "present"),
        # the head or the back taking a blow
        ("he hit his head on the kerb", "hx_head_injury", "present"),
        ("she smacked her head on the bathroom floor", "hx_head_injury", "present"),
        ("he landed on his back off the trampoline", "spinal_trauma_recent", "present"),
        # unaccustomed exertion and the long lie
        ("ran a half marathon on sunday, never trained for it", "extreme_exercise", "present"),
        ("she fell in the night and couldn't get up till morning", "extreme_exercise", "present"),
        # a fit that is still going: it began that long ago
        ("his hand has been jerking for 10 minutes", "sudden_onset", "present"),
        # a dropped g
        ("my hands are shakin", "tremor", "present"),
        # the writer asking for help is not the patient
        ("my wife is twitching all over, what do I do", "fasciculations", "present"),
        (
            "dad was mowing the lawn this morning and now his face has dropped, what should I do",
            "face_droop",
            "present",
        ),
        ("did 100s of squats, never done that before", "extreme_exercise", "present"),
        ("her left arm jerks rhythmically", "rhythmic_jerking", "present"),
        ("I don't feel it when I wipe", "saddle_numbness", "present"),
        # a denial does not carry into a trigger named after a comma
        ("no numbness, working nights with the stress of it all", "trigger_stress", "present"),
        ("no tingling, working nights with the worry of it all", "trigger_sleep_loss", "present"),
        ("no fever, stress or caffeine", "trigger_stress", "absent"),
        # hours of sleep against a threshold
        ("only got 4 hours sleep", "trigger_sleep_loss", "present"),
        ("sometimes my thigh muscles twitch", "twitch_frequency", "occasional"),
        # after a comma a new action starts a new clause: "no helmet, hit his head"
        ("no seatbelt, hit her head on the window", "hx_head_injury", "present"),
        ("no fever, had a cough", "fever", "absent"),
        # memory and alertness slipping now
        ("she keeps forgetting what we just said", "confusion", "present"),
        ("he's getting sleepier and sleepier", "confusion", "present"),
        # coming off a medicine, not off a bike
        ("I came off my tablets last week", "drug_new_or_changed", "present"),
        ("suddenly my face drooped", "sudden_onset", "present"),
        # "if it lasts more than 2 weeks" is a condition, not how long it has lasted
        ("lip twitching for 3 days, see the GP if it lasts more than 2 weeks", "twitch_duration", "days"),
        # session 7: "since then" dates the complaint from a weekday said inside the sentence before
        ("Played five-a-side on Monday. Since then my thigh keeps flickering.", "twitch_duration", "days"),
        # a drink named as the colour of the urine, the colour said without the word "urine"
        ("her pee this morning was honestly the colour of cola", "dark_urine", "present"),
        ("passed a bit of urine earlier, it's dark like coke", "dark_urine", "present"),
        ("went way too hard at the gym on monday", "extreme_exercise", "present"),
        ("did a bootcamp session and now my legs are killing me", "extreme_exercise", "present"),
        # a relative named after "ringing about" is the patient, however much the writer says of themselves
        (
            "im phoning about my nan she is 90 and her muscles are twitching i had to help her up",
            "fasciculations",
            "present",
        ),
        # "and so am I": the writer echoing a feeling, not describing themselves
        ("my grandad's hands have gone into claws, he's frightened and so am I", "tetany", "present"),
        # a small amount not said to be the day's is not a denial of the habit
        ("2 double espressos before my shift", "trigger_caffeine", "present"),
        ("I only have 1 cup of coffee a day", "trigger_caffeine", "absent"),
        # hours of sleep with the number first
        ("been surviving on about 4 hrs sleep", "trigger_sleep_loss", "present"),
        ("eyelid tic since sunday", "loc_eyelid", "present"),
        ("ricked my back carrying the shopping", "back_pain", "present"),
        # "nearly threw up" did not happen
        ("ran till I nearly threw up", "vomiting", "absent"),
        # "over the last day" is up to now: it began within the day
        ("over the last day her left hand has been jerking rhythmically", "sudden_onset", "present"),
        # a blow said by where it landed
        ("took a cricket ball to the side of his head at training", "hx_head_injury", "present"),
        ("she can't keep her eyes open and keeps being sick", "confusion", "present"),
        ("we found her on the kitchen floor this morning", "extreme_exercise", "present"),
        ("on haemo 3x a week and missed thursday", "hx_kidney_disease", "present"),
        ("my heart keeps doing weird beats", "palpitations", "present"),
        ("his legs feel like lead", "weakness", "present"),
        ("he gets through a litre of vodka most days", "heavy_alcohol", "present"),
        # session 7, seventh batch's errors: a stomach bug and keeping nothing down, drowsy mid-sentence,
        # walking as if drunk, unaccustomed exercise said as "the first ... in years"
        ("he's got a tummy bug and can't keep anything down", "fluid_loss", "present"),
        ("she keeps falling asleep mid sentence", "confusion", "present"),
        ("he's walking like he's drunk but hasn't touched a drop", "poor_balance", "present"),
        ("my first spin session in ages last night", "extreme_exercise", "present"),
        # the liver flap as people see it; the belly and what it does; pain said as agonising
        ("when she holds her arms out her hands flop forward", "asterixis", "present"),
        ("his tummy is swollen and sore", "abdominal_pain", "present"),
        ("both calves swollen and agonising", "muscle_pain", "present"),
        # eighth batch, after scoring: "it's been like 3 mins" (still going: began that long ago)
        ("her arm is jerking in rhythm, it's been like 4 mins", "sudden_onset", "present"),
        ("his mouth's gone down on one side", "face_droop", "present"),
    ],
)
def test_kind_is_read(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert read(kb, text).get(finding) == state, read(kb, text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("my wee is dark like cola", "trigger_caffeine"),  # a colour, not a drink
        ("we cleared the gutters at the weekend", "muscle_wasting"),  # a real word is no typo
        ("I waited at the station for an hour", "drug_statin"),
        ("i have been twitching for a few seconds at a time", "sudden_onset"),  # one episode's length
        ("my head is pounding after work", "hx_head_injury"),
        ("I have to sleep propped on 4 pillows", "trigger_sleep_loss"),  # pillows, not hours
        ("he came off his bike on the way home", "drug_new_or_changed"),
        ("as I drop off my legs suddenly kick out", "sudden_onset"),  # how a jerk moves, not an onset
        ("twitching in my calves, my thighs and sometimes my arms, worse after shifts", "twitch_frequency"),
        ("my dad had MND and was diagnosed at 60", "fasciculations"),
        ("my heart is racing really fast", "poor_diet"),  # speed, not fasting
        ("she couldn't get up off the toilet without help", "bladder_problems"),  # a task, not voiding
        # a cramp's place is not a place the twitching spread to
        ("my calves flicker in the evening, and I had one cramp in my foot", "twitch_spread"),
        ("I can't settle at night and my legs twitch in bed", "weakness_proximal"),  # another difficulty
        ("he went back to the car", "back_pain"),
        ("the ache spreads to the back of my head", "hx_head_injury"),
        ("I have a glass of wine with dinner most days", "heavy_alcohol"),
        ("she sounds like she's drunk", "poor_balance"),  # speech, not walking
        ("did 100 jump squats", "fasciculations"),  # an exercise, not a twitch
        # a frame part is matched by its last word: "hard-on" matched every "on"
        ("his mouth's gone down on one side", "sexual_dysfunction"),
    ],
)
def test_near_miss_is_not_read(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert finding not in read(kb, text), read(kb, text)


def test_almost_before_a_symptom_word_does_not_deny_it(kb: KnowledgeBase) -> None:
    assert read(kb, "almost constant twitching in my thigh").get("fasciculations") == "present"


def test_heavy_drinking_is_not_liver_disease(kb: KnowledgeBase) -> None:
    found = read(kb, "stag do all weekend, heavy drinking, now my eyelids flicker")
    assert found.get("heavy_alcohol") == "present" and "hx_liver_disease" not in found, found


def test_drink_still_read_when_it_is_a_drink(kb: KnowledgeBase) -> None:
    assert read(kb, "i drink like 5 coffees a day and my pee is dark").get("trigger_caffeine") == "present"


def test_relative_story_with_a_question_is_an_emergency(kb: KnowledgeBase) -> None:
    text = (
        "husband was spraying the crops this morning without a mask now hes twitching all over, drooling, "
        "sweating loads and his pupils are tiny. what do I do"
    )
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_a_word_said_twice_around_a_comma_is_a_hesitation_not_a_new_clause(kb: KnowledgeBase) -> None:
    # spoken words written down: the comma between "like" and "like" does not end the statement
    assert read(kb, "then my pee came out like, like cola this morning").get("dark_urine") == "present"
    assert read(kb, "my pee came out fine, cola this morning was nice").get("dark_urine") is None


def test_a_missed_dialysis_is_read_and_a_missed_gym_session_is_not(kb: KnowledgeBase) -> None:
    said = read(kb, "she skipped dialysis on friday, now she's breathless and her legs twitch")
    assert said.get("missed_dialysis") == "present" and said.get("hx_kidney_disease") == "present"
    assert read(kb, "his haemo was cancelled because of the snow").get("missed_dialysis") == "present"
    assert "missed_dialysis" not in read(kb, "missed my gym session and my calf twitches")
    level = assess("she skipped dialysis on friday, now she's breathless and her legs twitch", kb=kb)
    assert level.triage.level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "since this morning she's talking complete nonsense",
        "he's hot and he doesn't know me",
        "grandad didnt know what year it was",
        "my sister is acting really spaced and keeps jerking",
    ],
)
def test_confusion_as_relatives_say_it(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("confusion") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "I have no idea what day my twitching started",
        "he said rubbish things about my cooking and my eye twitches",
        "the doctor doesn't know what is causing my twitching",
    ],
)
def test_not_knowing_or_rubbish_about_something_else_is_not_confusion(kb: KnowledgeBase, text: str) -> None:
    assert "confusion" not in read(kb, text)


@pytest.mark.parametrize(
    "text",
    [
        "little purple dots have come up on his chest",
        "marks on her legs that wont fade",
        "some blotches and you can still see them through the glass",
    ],
)
def test_spots_that_do_not_fade_said_by_colour_fading_or_the_glass(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("rash_nonblanching") == "present"


def test_spots_that_do_not_go_away_are_not_a_rash_that_does_not_fade(kb: KnowledgeBase) -> None:
    assert "rash_nonblanching" not in read(kb, "my spots don't go away and my eye twitches")


def test_no_before_a_number_is_a_number_not_a_denial(kb: KnowledgeBase) -> None:
    # "incident no 114" numbers the report; the sentence that runs on from it is not denied
    said = read(kb, "Report no 27. 01:10 he fell off the wall and landed on his back, legs numb")
    assert said.get("spinal_trauma_recent") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "my 2 year old got hold of his grandad's tablets, now he's sleepy",
        "she ate some of her sister's pills about an hour ago",
        "the baby bit into a washing capsule",
        "he drank some weedkiller from the shed",
    ],
)
def test_a_child_or_adult_who_swallowed_medicine_or_poison(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("swallowed_medicine_or_poison") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "I swallowed my pills this morning and my eyelid twitches",
        "I'm on loads of tablets and my calf twitches",
        "no trouble swallowing, calf twitching",
        "on prednisone for a nasty poison ivy rash and my calves twitch",
        "I think I overdosed on coffee today, my eyelid twitches",
    ],
)
def test_taking_ones_own_tablets_is_not_an_overdose(kb: KnowledgeBase, text: str) -> None:
    assert "swallowed_medicine_or_poison" not in read(kb, text)


def possible(kb: KnowledgeBase, text: str) -> dict[str, str]:
    return {m.finding: m.state for m in extract(text, kb, reference=WRITTEN).possible}


def test_worried_that_it_is_something_is_a_doubt_not_a_statement(kb: KnowledgeBase) -> None:
    # the worry is about what an event was; what the person feels is still read
    assert "seizure" not in read(kb, "my brother is afraid it is a seizure starting")
    assert possible(kb, "my brother is afraid it is a seizure starting").get("seizure") == "present"
    assert read(kb, "I'm worried about my twitching").get("fasciculations") == "present"
    assert read(kb, "my husband is having a fit").get("seizure") == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a conversation written down: the answer decides what the question asked about
        ("Q: Is there any droop of the face, any weakness? A: No, she looks fine.", "face_droop", "absent"),
        ("Nurse: has he been fitting? Mum: no.", "seizure", "absent"),
        ("Q: Is there any droop in her face? A: Yes, on the left side.", "face_droop", "present"),
        ("Any weakness? no", "weakness", "absent"),
    ],
)
def test_a_question_answered_yes_or_no(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert read(kb, text).get(finding) == state


def test_no_to_a_question_that_is_not_yes_or_no_denies_nothing(kb: KnowledgeBase) -> None:
    assert "fever" not in read(kb, "Q: Do you know what his temperature is? A: No, we have no thermometer.")
    assert "weakness" not in read(kb, "Any weakness? No idea, my legs feel odd")


def test_a_safety_net_in_a_plan_is_not_a_finding(kb: KnowledgeBase) -> None:
    said = read(
        kb, "Thigh flickers after a long hike. Advice given, safety netted re dark urine and swelling."
    )
    assert "dark_urine" not in said


def test_a_missed_session_is_dialysis_only_in_a_text_about_dialysis(kb: KnowledgeBase) -> None:
    dialysis = "He's on haemodialysis three times a week. He missed Monday's session, now his legs twitch."
    assert read(kb, dialysis).get("missed_dialysis") == "present"
    assert "missed_dialysis" not in read(kb, "I missed Monday's session at the gym, now my legs twitch.")


def test_a_dash_ends_what_the_bottom_is_said_to_feel(kb: KnowledgeBase) -> None:
    # "different ... bottom" would be numbness around the bottom; the dash ends one statement
    said = read(kb, "Something feels different - my bottom right eyelid is jumping again")
    assert "saddle_numbness" not in said and said.get("loc_eyelid") == "present"
    assert read(kb, "it feels different around my bottom").get("saddle_numbness") == "present"
    # elsewhere a dash may just go on about the same thing
    assert read(kb, "her wee - it looks like cola").get("dark_urine") == "present"


def test_a_relative_clause_is_about_something_else(kb: KnowledgeBase) -> None:
    assert "weak_grip" not in read(
        kb, "he scrolls his phone in bed which can't help matters, and his legs jump"
    )
    assert read(kb, "she can't hold her phone any more").get("weak_grip") == "present"


def test_having_had_ms_for_years_is_known_ms(kb: KnowledgeBase) -> None:
    assert read(kb, "Ive had MS for 9 years and now my eyelid flickers").get("hx_ms") == "present"
    assert "hx_ms" not in read(kb, "I had MS tests last year and they were clear")


def test_a_learned_guess_on_words_that_say_nothing_is_not_asked(kb: KnowledgeBase) -> None:
    # the learned reader guessed a cramp lasting too long from "minutes" alone
    text = "Calf cramp wakes me at night, I stand up till it lets go, couple of minutes, then fine."
    assert not {"cramp_prolonged", "seizure_prolonged", "exercise_intolerance"} & set(possible(kb, text))
    assert assess(text, kb=kb, reference=WRITTEN).triage.level in ("self_care", "routine")


@pytest.mark.parametrize(
    ("text", "state"),
    [
        # a fit still going as someone writes has lasted as long as they say
        ("Our daughter is fitting on the sofa. It has been 6 minutes now.", "present"),
        ("he started having a seizure in the kitchen, been going about 8 mins", "present"),
        ("she's fitting and the jerking hasn't stopped", "present"),
        # a finished fit's length decides too
        ("he had a fit that lasted about 2 minutes", "absent"),
    ],
)
def test_a_fit_still_going(kb: KnowledgeBase, text: str, state: str) -> None:
    assert read(kb, text).get("seizure_prolonged") == state


@pytest.mark.parametrize(
    "text",
    [
        # when the fit happened, or how long since it ended, is not how long it lasted
        "he had a fit this morning and since then he has been sleepy",
        "She had a seizure at teatime; she's been calm for 25 minutes now.",
        # a cramp or twitch that goes on is not a fit going on
        "my eyelid twitching hasn't stopped all week",
    ],
)
def test_time_since_a_fit_is_not_a_long_fit(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("seizure_prolonged") != "present"


def test_the_words_of_an_episode_being_over_are_compiled_with_the_grammar() -> None:
    """Once per grammar, with the document rules, one pattern a word: not on every phrase read."""
    grammar = load_grammar()
    compiled = compile_document_rules(grammar, {}).episodes
    assert [rule for rule, _ in compiled] == grammar.episodes
    for rule, over in compiled:
        words = rule.still_going_unless
        if words is None:
            assert over is None
        else:
            assert over is not None
            assert [p.pattern for p in over] == [rf"\b{re.escape(w)}\b" for w in words]
    rule = grammar.episodes[-1].model_copy(update={"still_going_unless": ["came round", "a.b"]})
    ((_, over),) = compile_document_rules(grammar.model_copy(update={"episodes": [rule]}), {}).episodes
    assert over is not None
    assert [p.pattern for p in over] == [r"\bcame\ round\b", r"\ba\.b\b"]


@pytest.mark.parametrize(
    "text",
    [
        # the synonym's own "not" is what was said, not a denial of it
        "when I got to him he was not with it at all",
        "Mum is not herself since this afternoon",
        "he wasn't with us for a minute or so and his arms jerked",
        "my brother's out of it and won't say much",
    ],
)
def test_absent_from_the_here_and_now_is_confusion(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("confusion") == "present"


def test_a_denied_cue_outside_the_words_still_denies(kb: KnowledgeBase) -> None:
    assert read(kb, "she is not confused").get("confusion") == "absent"
    assert read(kb, "ran so hard I nearly threw up").get("vomiting") == "absent"


def test_a_limb_gone_to_sleep_is_numbness(kb: KnowledgeBase) -> None:
    assert read(kb, "since the fall both his legs feel asleep").get("numbness_tingling") == "present"
    assert "numbness_tingling" not in read(kb, "the baby fell asleep on my arm and then my eyelid twitched")


def test_not_standing_up_is_weakness_and_standing_up_is_nothing(kb: KnowledgeBase) -> None:
    assert read(kb, "after he landed on his neck he couldn't stand up").get("weakness") == "present"
    # a cramp that eases on standing: "stand" is no word for weakness
    said = read(kb, "Calf cramps at night ease off within a few minutes once he stands up")
    assert said.get("cramp_prolonged") == "absent" and "weakness" not in said


@pytest.mark.parametrize(
    "text",
    [
        "my 3 year old chewed some of his sister's Ritalin",
        "the toddler ate some of my sertraline while I was in the shower",
    ],
)
def test_a_medicine_named_by_its_name_and_eaten(kb: KnowledgeBase, text: str) -> None:
    assert read(kb, text).get("swallowed_medicine_or_poison") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "I had my breakfast and then took my tablets as usual",
        "ate my tea with my citalopram like always, eyelid twitching",
        "I took my pills this morning and my calf is twitching",
    ],
)
def test_a_meal_with_the_usual_tablets_is_no_overdose_or_party_pill(kb: KnowledgeBase, text: str) -> None:
    said = read(kb, text)
    assert "swallowed_medicine_or_poison" not in said
    assert "serotonergic_recent_change" not in said


def test_pills_at_a_party(kb: KnowledgeBase) -> None:
    assert read(kb, "he took two pills at a party last night").get("serotonergic_drug") == "present"


def test_a_body_stiff_then_jerking_is_a_fit(kb: KnowledgeBase) -> None:
    assert read(kb, "his whole body is stiff and jerking").get("seizure") == "present"
    # stiffness and jerking in the legs alone are not, nor a stiff body after exercise with jerks at night
    assert "seizure" not in read(kb, "my legs go stiff and jerk at night")
    gym = "my whole body feels stiff after the gym, muscles twitching all over and my legs jerk at night"
    assert "seizure" not in read(kb, gym)


def test_a_learned_guess_on_a_denial_is_not_asked(kb: KnowledgeBase) -> None:
    # the learned reader once took "No fits" in a nurse's phone note for a fit; which guesses it makes
    # depends on the whole text, so the rule is checked on the spans it is given
    from twitchcheck.text.extract import _prepared, _vague
    from twitchcheck.text.pipeline import get_pipeline

    pipeline = get_pipeline(kb)
    doc = pipeline("Thumbs flickering. No fits, never blacked out. Arms jerking.", frozenset({"rules"}))
    words = [t.lower_ for t in doc]
    no_fits = (words.index("no"), words.index("fits") + 1)
    never = (words.index("never"), words.index("out") + 1)
    jerking = (words.index("arms"), words.index("jerking") + 1)
    assert _vague({no_fits, never, jerking}, doc, _prepared(pipeline)) == {no_fits, never}


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # "cannot" and "can not" read like "can't", "will not" like "won't"
        ("since the crash she cannot move her legs", "both_legs"),
        ("he can not move his right arm", "weakness"),
        ("our grandad will not wake up properly", "confusion"),
    ],
)
def test_a_negation_spelled_out_reads_like_its_short_form(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "present"


def test_a_person_leaping_is_not_a_muscle_jumping(kb: KnowledgeBase) -> None:
    assert "fasciculations" not in read(kb, "my brother jumped into the lake from the jetty")
    assert read(kb, "my thigh keeps jumping over and over").get("fasciculations") == "present"
    assert read(kb, "eyelid jumping off and on all week").get("fasciculations") == "present"


def test_a_dive_that_ends_with_the_head_on_the_bottom_is_spinal_trauma(kb: KnowledgeBase) -> None:
    text = "My nephew dived off the pier an hour ago and hit his head on the bottom, now his neck hurts"
    assert ruled(kb, text).get("spinal_trauma_recent") == "present"
    near_miss = "I was at the bottom of the garden when my calf started jumping"
    assert "spinal_trauma_recent" not in read(kb, near_miss)


def test_a_first_hard_class_is_unaccustomed_exercise(kb: KnowledgeBase) -> None:
    assert read(kb, "went to my first ever spin class on tuesday").get("extreme_exercise") == "present"
    near_miss = "it was my first time noticing the twitch, after a normal workout"
    assert "extreme_exercise" not in read(kb, near_miss)


def test_jerking_that_then_goes_up_the_arm_spreads(kb: KnowledgeBase) -> None:
    text = "his fingers started jerking by themselves, then his wrist, and it went up the arm to his shoulder"
    assert ruled(kb, text).get("spreading_jerking") == "present"
    # with no jerking in the text, something going up the arm is not a march
    near_miss = "the pins and needles started in my hand and it went up my arm"
    assert "spreading_jerking" not in read(kb, near_miss)


def test_hands_doing_a_flappy_thing_is_the_flap(kb: KnowledgeBase) -> None:
    text = "Her skin looks yellow and her hands do this odd flappy thing when she holds them out"
    assert ruled(kb, text).get("asterixis") == "present"


def test_pee_of_a_normal_colour_denies_dark_urine(kb: KnowledgeBase) -> None:
    assert ruled(kb, "sore thighs after the hike but my wee is a normal colour").get("dark_urine") == "absent"
    assert read(kb, "his pee looks dark like coca-cola").get("dark_urine") == "present"


def test_a_first_long_race_with_sore_legs_is_not_muscle_breakdown(kb: KnowledgeBase) -> None:
    # unaccustomed hard exercise is the textbook harmless trigger; with normal urine it is self care
    race = {
        "extreme_exercise": "present",
        "trigger_exercise": "present",
        "muscle_pain": "present",
        "fasciculations": "present",
        "loc_thigh": "present",
        "loc_calf": "present",
        "twitch_spread": "several_sites",
        "twitch_duration": "days",
        "dark_urine": "absent",
    }
    assert assess(evidence=race, kb=kb).triage.level in ("self_care", "routine")
    # the same exertion with cola-coloured urine and weak arms is an emergency
    breakdown = (
        "My first ever crossfit class was on Saturday. Now my arms are swollen, weak and very painful "
        "and my pee is dark like coca-cola."
    )
    assert assess(breakdown, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_salts_lost_to_a_stomach_bug_are_checked_soon_unless_it_is_settling(kb: KnowledgeBase) -> None:
    ill = "Two days of diarrhoea and being sick, now my calves keep cramping and I feel really dehydrated."
    assert assess(ill, kb=kb, reference=WRITTEN).triage.level == "urgent"
    settling = "Diarrhoea since the weekend, now easing; a few calf cramps today but I'm drinking plenty."
    assert read(kb, settling).get("improving") == "present"
    assert assess(settling, kb=kb, reference=WRITTEN).triage.level in ("self_care", "routine")


def test_a_bump_on_the_head_is_a_head_injury_and_a_banging_head_is_not(kb: KnowledgeBase) -> None:
    swing = "he came off the swing and has a big bump on his head"
    assert ruled(kb, swing).get("hx_head_injury") == "present"
    assert "hx_head_injury" not in ruled(kb, "my head keeps banging with a headache")


def test_a_limb_jerking_days_after_a_head_injury_is_an_emergency(kb: KnowledgeBase) -> None:
    text = (
        "My daughter (14) was knocked out for a few seconds at hockey on Sunday. Headaches every day since, "
        "and this afternoon her left arm jerked by itself for about a minute while she was awake."
    )
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_a_great_jolt_is_a_big_one_and_a_normal_colour_still_judges(kb: KnowledgeBase) -> None:
    said = read(kb, "every night just as I'm nodding off I get a great jolt through my legs")
    assert said.get("jerks_falling_asleep") == "present"
    assert read(kb, "my wee is a normal colour").get("dark_urine") == "absent"


def test_what_someone_read_about_is_not_what_they_have(kb: KnowledgeBase) -> None:
    said = read(kb, "Couldn't sleep so I ended up reading about epilepsy and MND for hours. Eyelid flickers.")
    assert "hx_epilepsy" not in said and said.get("loc_eyelid") == "present"
    # reading as the thing being done when it started is no such cue
    assert read(kb, "I was reading a book when my thumb started twitching").get("fasciculations") == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # when a blood test was taken, said between its name and its number
        ("Bloods: CK yesterday 3,900 (ref under 200), legs ache", "ck", "high"),
        # a head that is bad, sore or thumping on waking, and wears off by a time of day
        ("most days I'm woken with a thumping head that wears off by lunch", "morning_headache", "present"),
        ("every day first thing with a sore head", "headache", "present"),
        # purging is losing fluid
        ("our daughter has been making herself sick after meals", "fluid_loss", "present"),
        ("had the squits all weekend", "fluid_loss", "present"),
        # seeing two where there is one
        ("I see two lampposts instead of one when I'm tired", "diplopia", "present"),
    ],
)
def test_labs_headaches_purging_and_double_vision_as_people_say_them(
    kb: KnowledgeBase, text: str, finding: str, state: str
) -> None:
    assert ruled(kb, text).get(finding) == state


def test_two_of_something_ordered_is_no_double_vision(kb: KnowledgeBase) -> None:
    assert "diplopia" not in ruled(kb, "we got two pizzas instead of one and my eyelid twitches")
    # a symptom that went away is still gone
    assert "fasciculations" not in read(kb, "the twitching went away after a week")


def test_strength_said_to_be_normal_denies_weakness(kb: KnowledgeBase) -> None:
    assert read(kb, "calves flicker after runs, strength seems fine").get("weakness") == "absent"
    assert read(kb, "since the summer I've lost strength in my grip").get("weakness") == "present"
    assert "weakness" not in read(kb, "I do strength training three times a week and my calf twitches")


def test_hardly_able_to_lift_the_legs_is_weakness(kb: KnowledgeBase) -> None:
    assert ruled(kb, "since tuesday she can hardly lift her legs onto the bed").get("weakness") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "since lunch nan barely knows who I am",
        "when we found him he didn't know where he was",
        "my dad keeps asking where he is",
        "grandad is talking daft tonight",
    ],
)
def test_not_knowing_where_or_who_is_confusion(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("confusion") == "present"


def test_not_knowing_where_a_pain_is_is_not_confusion(kb: KnowledgeBase) -> None:
    assert "confusion" not in ruled(kb, "she doesn't know where the pain is coming from")


def test_unable_to_keep_still_is_agitation_and_coffee_jitters_are_not(kb: KnowledgeBase) -> None:
    assert ruled(kb, "since the new dose he's pacing and can't keep still").get("agitation") == "present"
    assert "agitation" not in ruled(kb, "I'm jittery after four coffees and my eyelid twitches")


def test_a_relative_who_does_not_know_me_is_the_one_assessed(kb: KnowledgeBase) -> None:
    text = "my grandad didn't recognise me at teatime and his hand keeps jerking"
    assert ruled(kb, text).get("confusion") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_cannot_stand_ending_its_sentence_is_weakness(kb: KnowledgeBase) -> None:
    text = "He fell off the wall onto his neck an hour ago. His legs are twitching and he cant stand. Help"
    assert ruled(kb, text).get("weakness") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    assert "weakness" not in ruled(kb, "I can't stand it when my eyelid twitches")


def test_sat_is_a_saturday_and_sats_are_oxygen(kb: KnowledgeBase) -> None:
    race = "did a 60k trail race on sat (hilly), thighs flickering today"
    assert "breathing_failure" not in ruled(kb, race)
    assert ruled(kb, "O2 sat 89% on room air").get("breathing_failure") == "present"
    assert ruled(kb, "the monitor says his sat is 86%").get("breathing_failure") == "present"


def test_a_face_not_involved_is_no_breathing_failure(kb: KnowledgeBase) -> None:
    note = "Eyelids squeeze shut in bright light; the mouth and face not affected."
    assert "breathing_failure" not in ruled(kb, note)
    assert ruled(kb, "his lips are going blue").get("breathing_failure") == "present"


def test_a_mouth_pulling_up_with_the_eye_closing_is_no_eye_rolling(kb: KnowledgeBase) -> None:
    text = "the right cheek twitches and the mouth corner pulls up together with the eye closing"
    assert "oculogyric" not in ruled(kb, text)


def test_a_dialysis_day_skipped_is_a_missed_session_only_in_a_text_about_dialysis(kb: KnowledgeBase) -> None:
    text = "Dad has dialysis Tue/Thu/Sat and he skipped Thursday's, now he's breathless lying down"
    assert ruled(kb, text).get("missed_dialysis") == "present"
    assert "missed_dialysis" not in ruled(kb, "I skipped Thursday's gym session and my thigh twitches")


def test_a_phrase_opening_with_not_reads_when_contracted(kb: KnowledgeBase) -> None:
    # "not himself" also as "isn't himself" / "isnt herself"
    assert ruled(kb, "since lunch grandad isn't himself").get("confusion") == "present"
    assert ruled(kb, "since lunch nan isnt herself").get("confusion") == "present"
    assert ruled(kb, "she is not confused").get("confusion") == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "my lower back has been bad for weeks and the pain runs down into my left calf",
        "neck's stiff and there's a pain shooting to my right thumb",
        "sore back since the move, now it's going right down the back of my leg",
    ],
)
def test_pain_that_travels_into_a_limb_is_root_pain(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("radiating_pain") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "the pain went down after two paracetamol and my legs feel lighter",
        "the twitching is going down my legs",
        "I've been run ragged and feel a bit run down",
    ],
)
def test_going_down_without_root_pain_is_not_root_pain(kb: KnowledgeBase, text: str) -> None:
    assert "radiating_pain" not in ruled(kb, text)


def test_pain_running_down_a_leg_is_not_tiredness(kb: KnowledgeBase) -> None:
    assert "fatigue" not in ruled(kb, "a hot pain running down my shin since the gym")
    assert ruled(kb, "honestly just feeling run down lately").get("fatigue") == "present"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("both his ankles are puffed right up by teatime", "present"),
        ("her legs and face look bloated and puffy", "present"),
        ("mum's feet are like balloons again", "present"),
        ("ankles not swollen at all", "absent"),
    ],
)
def test_ankles_legs_or_face_puffed_up_is_fluid_swelling(kb: KnowledgeBase, text: str, state: str) -> None:
    assert ruled(kb, text).get("swelling") == state


def test_one_ankle_swollen_after_a_twist_is_no_fluid_swelling(kb: KnowledgeBase) -> None:
    assert "swelling" not in ruled(kb, "went over on my ankle at netball and it's swollen")


def test_root_pain_with_a_dropping_foot_needs_a_doctor_within_days(kb: KnowledgeBase) -> None:
    text = (
        "Back's been playing up for three weeks with pain going down my right leg, and now that foot "
        "slaps on the floor and I keep catching my toes. Waterworks fine, no numbness between my legs."
    )
    assessment = assess(text, kb=kb, reference=WRITTEN)
    assert assessment.triage.level == "urgent"
    assert "root_pain_with_foot_drop" in {flag.id for flag in assessment.red_flags}


def test_itching_and_swelling_with_kidney_failure_need_the_kidney_team_soon(kb: KnowledgeBase) -> None:
    text = (
        "Dad has stage 4 kidney disease, not on dialysis. For ten days he's been itchy all over and "
        "worn out, his ankles are puffy and his legs jump at night."
    )
    assessment = assess(text, kb=kb, reference=WRITTEN)
    assert assessment.triage.level in ("urgent", "emergency")
    assert "kidney_failure_symptoms" in {flag.id for flag in assessment.red_flags}


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a new clause with its own subject ends a denial ("no fever and neck is stiff")
        ("no temperature and neck is stiff", "stiff_neck", "present"),
        ("can hardly walk and wee looks brown", "dark_urine", "present"),
        # the everyday "temp", a thermometer's reading, Fahrenheit
        ("no temp at all", "fever", "absent"),
        ("my toddler got into my paracetamol", "swallowed_medicine_or_poison", "present"),
        ("he's had a temp since friday", "fever", "present"),
        ("thermometer said 38.7", "fever", "present"),
        ("temp 101.8F this morning", "fever", "present"),
        ("temp 98.9 F", "fever", "absent"),
        # household insect killers, pinhead pupils, dribbling
        ("found her with the wasp killer can, pupils tiny and drooling", "pesticide_exposure", "present"),
        ("pupils gone like pin heads", "miosis", "present"),
        ("he's dribbling everywhere", "drooling", "present"),
        # a child getting into a named medicine
        ("she got into her nan's sertraline", "swallowed_medicine_or_poison", "present"),
        # drowsy said against the person's usual
        ("he's been vomiting all day and he's drowsier than usual tonight", "confusion", "present"),
        # feeling tested by someone else
        ("he didn't flinch when I pricked his foot", "numbness_tingling", "present"),
        # a first competition in dialect
        ("did me first bootcamp session sunday", "extreme_exercise", "present"),
    ],
)
def test_kinds_from_the_twelfth_batch(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) == state


def test_getting_into_a_habit_is_no_swallowed_medicine(kb: KnowledgeBase) -> None:
    assert "swallowed_medicine_or_poison" not in ruled(kb, "he got into steroids at the gym last year")


def test_walking_and_the_bladder_named_together_keep_the_bladder(kb: KnowledgeBase) -> None:
    assert ruled(kb, "back pain, trouble walking and peeing").get("bladder_problems") == "present"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a comparison with the usual is no verdict on what follows it
        ("more tired than normal, stiff neck and a headache", "stiff_neck"),
        ("weaker than usual, slurring her words", "slurred_speech"),
    ],
)
def test_than_normal_is_no_verdict(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "present"


def test_a_new_subject_ends_a_denial_and_a_verdict(kb: KnowledgeBase) -> None:
    # "normal" after a new subject does not reach back across it ("speech is normal and face is drooping" is
    # tested above), so here the breathing is simply not read
    assert ruled(kb, "no headache and breathing is normal").get("breathless") != "present"
    read = ruled(kb, "ankles very swollen, sleepier than normal, been vomiting")
    assert read.get("swelling") == "present" and read.get("confusion") == "present"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # someone else's temperature, a job, a pool
        ("oven temp 350F and my eyelid twitches", "fever"),
        ("swimming pool temp was 104f, after that my calves twitched", "fever"),
        ("my temp job ends on friday, eyelid twitching", "fever"),
        # a routine is no overdose; using a household spray is no organophosphate
        (
            "I got into the habit of taking my sertraline at night, eyelid twitching",
            "swallowed_medicine_or_poison",
        ),
        ("bought some fly spray for the kitchen, my eyelid twitches", "pesticide_exposure"),
        # sleepier with a new baby or after jabs is tiredness, not a change of consciousness
        ("much sleepier than usual since the new baby, eyelid twitching", "confusion"),
        ("my baby is sleepier than normal after her jabs", "confusion"),
        # big legs from squats are muscle
        ("my legs are huge from squats", "swelling"),
    ],
)
def test_near_misses_of_the_new_kinds(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert finding not in ruled(kb, text)


def test_a_temperature_in_fahrenheit(kb: KnowledgeBase) -> None:
    assert ruled(kb, "temp 98.6F, calf twitching").get("fever") == "absent"
    assert ruled(kb, "temp 101.3 F since lunch").get("fever") == "present"


def test_a_time_of_day_said_with_how_often_is_no_onset(kb: KnowledgeBase) -> None:
    read = ruled(kb, "his arms and legs jolt, it only ever happens at bedtime")
    assert "sudden_onset" not in read
    # the last time someone was seen well keeps its moment
    assert ruled(kb, "she was fine at lunch and now her arm is weak").get("sudden_onset") == "present"


def test_a_visit_today_is_no_onset_of_what_recurs_every_night(kb: KnowledgeBase) -> None:
    text = "Saw the school nurse today, my legs jerk every night as I drop off and wake me up."
    assert "sudden_onset" not in ruled(kb, text)
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "self_care"


def test_the_not_of_not_himself_denies_nothing_after_it(kb: KnowledgeBase) -> None:
    read = ruled(kb, "lately she's not been herself: itchy all over and her ankles puffed right up")
    assert read.get("confusion") == "present"
    assert read.get("itching") == "present" and read.get("swelling") == "present"
    assert ruled(kb, "he's not making sense slurring his words").get("slurred_speech") == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # the sleep start's feeling told as a likeness
        (
            "as she goes off her arms jolt and she says it felt like she was falling",
            "jerks_falling_asleep",
            "present",
        ),
        # a lab's day after the verb
        ("CK came back yesterday 4,120 U/L", "ck", "high"),
        # the level of a spinal cord injury with what it left
        ("C6 tetra since a diving accident, spasms much worse this week", "hx_spinal_injury", "present"),
        # the task first, then how hard it is
        ("the stairs are hard now", "weakness_proximal", "present"),
    ],
)
def test_kinds_from_over_triaged_development_texts(
    kb: KnowledgeBase, text: str, finding: str, state: str
) -> None:
    assert ruled(kb, text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # how hard a jerk is, not a hard task
        ("his legs jerk so hard the bed shakes", "weakness_proximal"),
        # a trip told as a likeness
        ("I jolt awake like I've tripped off a kerb", "tripping"),
        # the day of a blood test is not how long the complaint has lasted
        ("aching thighs since march, had bloods last week", "sudden_onset"),
        # "para" is also paracetamol
        ("took some para for the headache", "hx_spinal_injury"),
    ],
)
def test_near_misses_of_over_triaged_kinds(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert finding not in ruled(kb, text)


def test_a_frame_that_needs_company_leaves_the_learned_reader_its_say(kb: KnowledgeBase) -> None:
    text = "Just as I'm dropping off my whole body gives a jump, like I've missed a step, and I'm wide awake"
    mentions = {m.finding: m for m in extract(text, kb, reference=WRITTEN).mentions}
    assert "jerks_falling_asleep" in mentions


def test_new_weakness_after_a_fall_on_an_old_spinal_injury_is_an_emergency(kb: KnowledgeBase) -> None:
    text = (
        "T4 para for years. Tipped out of my chair onto my back an hour ago and my hands went weak "
        "20 minutes ago."
    )
    assessment = assess(text, kb=kb, reference=WRITTEN)
    assert assessment.triage.level == "emergency"
    assert "acute_spinal_injury" in {flag.id for flag in assessment.red_flags}


def test_rolling_onto_the_back_is_no_injury(kb: KnowledgeBase) -> None:
    assert "spinal_trauma_recent" not in ruled(
        kb, "T10 para, I rolled onto my back to sleep and my legs spasmed"
    )


def test_a_march_told_as_a_list_is_spreading_jerking(kb: KnowledgeBase) -> None:
    text = "her left thumb started jerking, then her whole hand, now it's going up her arm"
    assert ruled(kb, text).get("spreading_jerking") == "present"
    # twitches that turn up in one place and then another are no march
    assert "spreading_jerking" not in ruled(kb, "my eyelid twitches, then my calf, then my arm")


@pytest.mark.parametrize(
    "text",
    [
        "the left side of grandad's mouth is down",
        "her face on that side is drooping",
        "right side of his face looks lower than the other",
        "his mouth has gone to one side",
        "mum's face has gone squint on the right",
    ],
)
def test_a_dropped_face_as_people_say_it(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("face_droop") == "present"


def test_a_mouth_twitching_to_one_side_is_no_dropped_face(kb: KnowledgeBase) -> None:
    assert "face_droop" not in ruled(kb, "her mouth twitches to one side now and then")
    # a spasm pulling the mouth across (hemifacial spasm, a tic) is no droop either
    assert "face_droop" not in ruled(
        kb, "for a year my eye screws up and the corner of my mouth pulls to one side"
    )


@pytest.mark.parametrize(
    "text",
    [
        # a verdict on one subject does not deny the next one's sign
        "speech is normal and face is drooping",
        # a dose after "fever" is no temperature
        "my baby has a fever, gave her 100mg calpol an hour ago",
        # a person's temp said the everyday way
        "she's got a temp and a stiff neck",
        # the time of one event after a usual day
        "she is usually fine but at breakfast her left arm went weak and numb",
        # drowsier than usual in an ill baby
        "my 3 month old is sleepier than normal and breathing fast",
        # a denial inside "won't wake" denies nothing after it
        "he won't wake up properly, neck stiff and a temp",
    ],
)
def test_emergencies_the_review_found_at_risk_stay_emergencies(kb: KnowledgeBase, text: str) -> None:
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("speech is normal and face is drooping", "face_droop", "present"),
        ("my baby has a fever, gave her 100mg calpol", "fever", "present"),
        ("she's got a temp and a stiff neck", "fever", "present"),
        ("he won't wake up properly, neck stiff", "stiff_neck", "present"),
        ("mum keeps losing her balance, like falling over every day", "tripping", "present"),
    ],
)
def test_readings_the_review_found_at_risk(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) == state


@pytest.mark.parametrize(
    "text",
    [
        "my legs jerk as I fall asleep, then the whole night I'm wide awake",
        "the sauna's temp was 104 and my calves twitched after",
    ],
)
def test_harmless_stories_the_review_found_pushed_up_stay_down(kb: KnowledgeBase, text: str) -> None:
    assert assess(text, kb=kb, reference=WRITTEN).triage.level in ("self_care", "routine")


def test_a_pasted_chat_speaker_is_not_the_patient(kb: KnowledgeBase) -> None:
    text = (
        "group chat about my sister Jo, she has epilepsy\n"
        "Dad: Jo is having one of her fits on the sofa\n"
        "Me: how long has it been\n"
        "Dad: lips going a bit blue"
    )
    read = ruled(kb, text)
    assert read.get("seizure") == "present" and read.get("breathing_failure") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # an inability said with "not" is a problem, and its "not" denies nothing after it
        ("he's not speaking properly, face droopy", "face_droop"),
        ("not able to swallow, slurred speech", "slurred_speech"),
        ("eyes won't stay open, neck stiff and fever", "stiff_neck"),
    ],
)
def test_an_inability_denies_nothing_after_it(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_a_plain_denial_still_reaches_its_list(kb: KnowledgeBase) -> None:
    read = ruled(kb, "no weakness, not slurring, face fine")
    assert read.get("weakness") == "absent" and read.get("slurred_speech") == "absent"


# Session 11 (2026-12-07): kinds from the development texts' under-triaged stories.


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # everyday words for shaking and the runs
        ("his hands are shakier than they were last month", "tremor"),
        ("the baby has had watery poos since friday", "fluid_loss"),
        # under-triaged stories of salts, kidneys and babies
        ("he keeps scratching himself till he bleeds", "itching"),
        ("the baby's had hardly any wet nappies since lunch", "dehydration"),
        ("my feet feel crampy after tea", "cramps"),
        ("she's just getting over chicken pox", "trigger_viral_illness"),
        ("grandad sounds slurry on the phone tonight", "slurred_speech"),
        ("mum can barely get up off the armchair now", "weakness_proximal"),
        ("my legs are like wet sand this evening", "weakness"),
        # a refusal or an idiom denies nothing after it
        ("back went yesterday, now cant pee properly, left leg weak", "weakness"),
        ("calf locked for 20 minutes and won't stretch out, hands clawing", "tetany"),
        ("wet herself without realising, both feet tingling", "numbness_tingling"),
        ("arms won't bend, burning hot and sweating buckets", "fever"),
        # what cannot be done is the problem said
        ("ten minutes ago she couldn't say what she meant, words all jumbled", "slurred_speech"),
        ("chest tight and he can't take a full breath", "breathing_failure"),
        ("so weak since lunch, legs just won't work, muscles twitching", "fasciculations"),
        ("non stop jerking in her legs tonight", "jerks_move_joint"),
        # statin weakness, back pain and gym drugs as people say them
        ("since the statin I have to push on the arms of the sofa to stand", "weakness_proximal"),
        ("getting off the toilet needs a run-up these days", "weakness_proximal"),
        ("my back is painful all the way down into my right foot", "back_pain"),
        ("stacking clen with my pre-workout for 2 weeks", "drug_new_or_changed"),
    ],
)
def test_session_11_kinds_are_read_as_said(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "present"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        # a quoted number, and which test the number came from
        ("the surgery said my CK was '3,100' and to stop the tablet", "high"),
        ("CK on last week's bloods 1,750", "high"),
        ("CK in the blood test 640", "raised"),
        # a verdict after the test's name, across a dash or "and it"
        ("they did a CK test - it came back very high", "high"),
        ("a CK blood test, which came back raised", "raised"),
    ],
)
def test_a_lab_value_said_the_way_people_relay_it(kb: KnowledgeBase, text: str, state: str) -> None:
    assert ruled(kb, text).get("ck") == state


def test_a_lab_verdict_asked_about_is_not_read(kb: KnowledgeBase) -> None:
    assert "potassium" not in ruled(kb, "potassium - was it high? can't remember")


@pytest.mark.parametrize(
    "text",
    ["my knees went all rubbery on the way up the hill", "her legs are like cooked spaghetti today"],
)
def test_legs_that_feel_soft_are_weak(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("weakness") == "present"


def test_bendy_arms_are_no_weakness(kb: KnowledgeBase) -> None:
    assert "weakness" not in ruled(kb, "my arms are really bendy since I took up pilates")


def test_fine_at_one_time_of_day_denies_nothing(kb: KnowledgeBase) -> None:
    read = ruled(kb, "lids droop by bedtime and things go double, fine first thing")
    assert read.get("diplopia") == "present" and read.get("fatigable_weakness") == "present"
    # a plain verdict still denies
    assert ruled(kb, "things go double, fine").get("diplopia") == "absent"


def test_one_happening_now_in_someone_with_epilepsy_is_a_fit(kb: KnowledgeBase) -> None:
    text = "my brother has epilepsy and he is having another one now, what do we do"
    assert ruled(kb, text).get("seizure") == "present"
    assert "seizure" not in ruled(kb, "she is having one now, a cup of tea, and her eyelid twitches")


def test_a_child_eating_a_siblings_medicine_is_the_child(kb: KnowledgeBase) -> None:
    text = "my 3 year old got into his older sister's handbag and swallowed some of her pills, now shaky"
    assert ruled(kb, text).get("swallowed_medicine_or_poison") == "present"
    assert assess(text, kb=kb, reference=WRITTEN, age=3).triage.level == "emergency"


def test_a_denial_with_nothing_after_it_denies_nothing(kb: KnowledgeBase) -> None:
    read = ruled(kb, "legs ache like I've run miles but I haven't, can't get up off the settee")
    assert read.get("weakness_proximal") == "present"
    assert "trigger_exercise" not in read


def test_muscle_weakness_on_a_statin_is_urgent(kb: KnowledgeBase) -> None:
    text = "on simvastatin since spring, thighs ache and I can't get up off the floor without the sofa"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "urgent"


def test_morning_headaches_with_being_sick_are_urgent(kb: KnowledgeBase) -> None:
    text = "headaches when I wake up for a month, and I've been sick twice in the mornings this week"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level in ("urgent", "emergency")


def test_farm_slurry_is_no_slurred_speech(kb: KnowledgeBase) -> None:
    assert "slurred_speech" not in ruled(kb, "spent the day spreading slurry, now my calves twitch")


# A review of the session-11 kinds (2026-12-07) found these edges; each reads as the old code did or better.


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("my CK test came back high and my thighs ache", "high"),
        ("the CK, which came back raised (about 5x normal), worried the GP", "raised"),
    ],
)
def test_a_lab_verdict_names_its_state_first(kb: KnowledgeBase, text: str, state: str) -> None:
    assert ruled(kb, text).get("ck") == state


@pytest.mark.parametrize(
    "text",
    [
        "my dad has epilepsy. I'm the one with the twitching, having one now in my thumb",
        "I'm epileptic and these calf twitches keep coming, I'm having one now",
    ],
)
def test_a_twitch_happening_now_is_no_fit(kb: KnowledgeBase, text: str) -> None:
    assert "seizure" not in ruled(kb, text)


def test_a_denial_broken_by_a_comma_still_denies(kb: KnowledgeBase) -> None:
    read = ruled(kb, "I can't, to be honest, see any drooping of his face, just the twitch")
    assert read.get("face_droop") == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "had noodles for tea and then my legs twitched all evening",
        "the physio says my knees are bendy because I'm hypermobile, thigh twitches on and off",
    ],
)
def test_noodles_and_hypermobile_knees_are_no_weakness(kb: KnowledgeBase, text: str) -> None:
    assert "weakness" not in ruled(kb, text)


def test_chewing_gum_at_night_is_not_fatigable(kb: KnowledgeBase) -> None:
    assert "fatigable_weakness" not in ruled(kb, "chewing gum in the evenings and my jaw twitches")


def test_a_real_marathon_said_with_feel_like_is_exercise(kb: KnowledgeBase) -> None:
    read = ruled(kb, "I feel like the marathon I did on Sunday finished me off, calves twitching")
    assert read.get("trigger_exercise") == "present"


# Session 11: kinds from self-care stories pushed to urgent or emergency.


def test_scots_nae_denies(kb: KnowledgeBase) -> None:
    read = ruled(kb, "nae numbness and ma arm's fine, just the calf twitchin")
    assert read.get("numbness_tingling") == "absent"


def test_twitches_that_turn_up_elsewhere_are_no_march(kb: KnowledgeBase) -> None:
    assert "spreading_jerking" not in ruled(kb, "my lip keeps jumping and now my eyebrow has joined in")
    marching = ruled(kb, "her thumb started jumping and it spread up her arm")
    assert marching.get("spreading_jerking") == "present"


def test_a_bad_cramp_is_not_asked_about_as_a_fit(kb: KnowledgeBase) -> None:
    result = assess(
        "I'm 70 and get calf cramps in bed twice a week. Over in a minute. How do I stop them?",
        kb=kb,
        reference=WRITTEN,
    )
    assert "seizure" not in {p.finding for p in result.possible_red_flags}
    assert result.triage.level in ("self_care", "routine")


def test_what_a_condition_can_do_to_anyone_is_not_the_patient(kb: KnowledgeBase) -> None:
    read = ruled(kb, "the leaflet says low calcium can make your fingers curl into claws. I get calf cramps")
    assert "tetany" not in read


def test_full_panic_is_no_verdict(kb: KnowledgeBase) -> None:
    read = ruled(kb, "went into full panic mode, breathing fast and my lips tingling")
    assert read.get("breathless") == "present" and read.get("trigger_stress") == "present"
    assert ruled(kb, "power full in all four limbs").get("weakness") == "absent"


def test_a_competition_in_minutes_is_no_episode(kb: KnowledgeBase) -> None:
    assert "cramp_prolonged" not in ruled(kb, "swimming race in 15 mins and my calf keeps cramping")


def test_an_inability_to_look_or_chew_denies_nothing_after_it(kb: KnowledgeBase) -> None:
    read = ruled(kb, "burning up, neck so stiff he cant look down, spots dont fade under a glass, v drowsy")
    assert read.get("rash_nonblanching") == "present" and read.get("confusion") == "present"
    result = assess("neck stiff, cant look down, rash that won't fade", kb=kb, reference=WRITTEN)
    assert result.triage.level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "she's rambling and keeps repeating herself",
        "she's not talking, just staring at the wall",
    ],
)
def test_confusion_told_as_rambling_or_staring(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("confusion") == "present"


def test_a_writer_rambling_is_no_confusion(kb: KnowledgeBase) -> None:
    assert "confusion" not in ruled(kb, "sorry I'm rambling, it's 3am and my calf won't stop twitching")


def test_one_leg_is_not_both_legs(kb: KnowledgeBase) -> None:
    assert "both_legs" not in ruled(kb, "sciatica down my left leg, and the leg feels weak")
    assert ruled(kb, "her legs are weak and numb").get("both_legs") == "present"


def test_a_proper_fit_after_never_having_had_one_is_a_fit(kb: KnowledgeBase) -> None:
    read = ruled(kb, "He has never had a fit in his life. An hour ago he had a proper fit on the floor")
    assert read.get("seizure") == "present"


def test_running_as_exercise_is_no_medicine_change(kb: KnowledgeBase) -> None:
    assert "drug_new_or_changed" not in ruled(kb, "been running 5k every morning for 3 weeks, calves twitch")


# The second review of session 11 (2026-12-07): each of these had changed for the worse.


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Can't say I've had any trouble swallowing, it's just the twitches in my arms", "dysphagia"),
        ("I can't remember ever having a seizure, twitchy legs at night", "seizure"),
        ("I wouldn't say there's any weakness, just the flickers", "weakness"),
        ("without noticing any weakness I keep getting twitches", "weakness"),
    ],
)
def test_a_report_verb_after_cant_still_denies(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "absent"


@pytest.mark.parametrize(
    "text",
    [
        "nae idea whit's gaun on, ma legs are numb an weak since yesterday",
        "it makes you panic when your legs go numb and weak like mine did this morning",
        "left thumb jumping and now my left hand and arm are jerking, 3 minutes, can't stop it",
        "he's having a full seizure, jerking all over, been going 6 minutes",
    ],
)
def test_emergencies_the_second_review_found_at_risk(kb: KnowledgeBase, text: str) -> None:
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_first_person_staring_is_no_confusion(kb: KnowledgeBase) -> None:
    assert "confusion" not in ruled(kb, "I keep staring into space at work when I'm tired, eyelid twitching")


def test_a_fit_told_in_other_words_near_a_cramp_is_still_asked(kb: KnowledgeBase) -> None:
    text = "Cramps in my hands last week. Yesterday I went stiff, passed out and shook, and wet myself"
    result = assess(text, kb=kb, reference=WRITTEN)
    assert result.triage.level in ("urgent", "emergency")
    assert "seizure" in {p.finding for p in result.possible_red_flags} or result.triage.level == "emergency"


def test_a_first_hard_class_with_painful_muscles_and_cola_urine_is_an_emergency(kb: KnowledgeBase) -> None:
    text = "did a spin class first time on monday, now my legs super pain and my wee is like coca cola"
    read = ruled(kb, text)
    assert read.get("muscle_pain") == "present" and read.get("extreme_exercise") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_unable_to_recall_a_fit_denies_it(kb: KnowledgeBase) -> None:
    assert ruled(kb, "Pt unable to recall any seizures. Twitching L calf 3/52.").get("seizure") == "absent"


# Session 12 (2026-12-07): kinds from the development texts, in our own words.


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a denial of a habit, medicine or test does not carry over a comma into the complaint told after it
        ("plant based, no iron tablets, arms and legs twitch, always worn out", "fasciculations", "present"),
        ("plant based, no iron tablets, arms and thighs twitch, always worn out", "fatigue", "present"),
        ("no energy drinks, twitching in my left calf", "loc_calf", "present"),
        ("not on any pills, eyelid flickering all week", "loc_eyelid", "present"),
        # ... while a list of complaints, or one closed by "or", stays denied
        ("no numbness, tingling, weakness", "weakness", "absent"),
        ("no caffeine, fever or weakness", "weakness", "absent"),
        ("no recent illness, fever, weakness", "weakness", "absent"),
        # starting or raising a serotonin medicine is that specific change (not also a general one)
        ("the GP put me on venlafaxine last week", "serotonergic_recent_change", "present"),
    ],
)
def test_session_12_kinds_are_read_as_said(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert read(kb, text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # a clinician's list of denials stays denied, whatever kind comes first (found by the review)
        ("Denies new meds, fasciculations, weakness, dysphagia, dysarthria", "weakness"),
        ("ROS: no new medications, twitching, weakness, SOB", "breathless"),
        ("Pt denies alcohol, twitching, weakness, difficulty breathing", "weakness"),
        ("no vaccine, twitching, ascending weakness, tingling", "weakness_rapid"),
        ("Without new medications, twitching, weakness, dysphagia", "dysphagia"),
    ],
)
def test_a_list_of_denials_stays_denied(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "absent"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # found by the second review: each read as present before its fix
        ("I take sertraline and twitch more often at night", "serotonergic_recent_change"),
        ("on salbutamol, twitches are more often in the evening", "drug_new_or_changed"),
        ("his normal seizures are controlled, twitching in his calf", "seizure"),
        ("I'm washed out and everything aches", "vision_problems"),
        ("the twitching has faded and things are back to normal", "vision_problems"),
        ("my son has a fever and keeps blinking hard", "tics"),
        ("his neck has gotten thicker since he started lifting weights", "goitre"),
    ],
)
def test_session_12_second_review_near_misses(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) != "present"


def test_a_complaint_in_a_place_after_a_denied_history_is_told(kb: KnowledgeBase) -> None:
    said = ruled(kb, "no previous stroke, weakness in left arm and face droop")
    assert said.get("face_droop") == "present" and said.get("weakness") == "present"
    jerking = ruled(kb, "no history of epilepsy, jerking in right arm and face")
    assert jerking.get("jerks_move_joint") == "present"
    # a clinician's bare list stays denied
    assert ruled(kb, "No history of epilepsy, fever, headache").get("fever") == "absent"


def test_a_cramp_still_going_has_lasted_that_long(kb: KnowledgeBase) -> None:
    text = "calf cramp while running, it's been 20 minutes and it won't ease"
    assert ruled(kb, text).get("cramp_prolonged") == "present"


def test_a_cramp_that_will_not_let_go_is_a_long_cramp(kb: KnowledgeBase) -> None:
    assert ruled(kb, "the cramp in my hand won't let go").get("cramp_prolonged") == "present"
    assert ruled(kb, "vegan, no b12 supplements, eyelid twitching").get("b12") is None


def test_one_medicine_change_is_counted_once(kb: KnowledgeBase) -> None:
    # the specific change stands for the general one: counted twice, a new tablet read as an emergency
    text = "started sertraline 3 days ago, eyelid twitching"
    assert "drug_new_or_changed" not in read(kb, text)
    assert assess(text, kb=kb, reference=WRITTEN).triage.level != "emergency"
    assert "drug_new_or_changed" not in read(
        kb, "had metoclopramide yesterday for sickness, now my eyelid twitches"
    )


def test_how_long_a_game_went_on_is_no_long_cramp(kb: KnowledgeBase) -> None:
    assert "cramp_prolonged" not in read(kb, "played squash 2 hours and at night a cramp in my calf")
    assert read(kb, "that night a cramp in my calf lasted 20 minutes").get("cramp_prolonged") == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a slow worsening as people tell it
        ("shaky hands for years, worse lately", "progressive", "present"),
        ("increasing stiffness in both legs since spring", "progressive", "present"),
        ("the leg has slowly weakened over the year", "progressive", "present"),
        # a swelling at the front of the neck
        ("her neck has got fuller at the front", "goitre", "present"),
        ("his neck looks fuller in photos", "goitre", "present"),
        ("her neck is swollen at the front", "goitre", "present"),
        # heat that cannot be borne
        ("I can't stand the heat in the office any more", "heat_intolerance", "present"),
        # rising from the floor by walking the hands up the legs
        ("she walks her hands up her legs to stand", "weakness_proximal", "present"),
        # "her usual fits": fits she has had before
        ("her usual fits are at night", "hx_epilepsy", "present"),
    ],
)
def test_session_12_course_and_sign_kinds(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert read(kb, text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("swollen glands in my neck with a cold", "goitre"),
        ("a stiff neck and swelling of the ankles", "goitre"),
        ("my knee hurts when I push on it", "weakness_proximal"),
        ("no more increasing my dose", "progressive"),
        # found by the review of this session's first changes: each read as present before its fix
        ("my mum had MND, I'm scared I'm starting the same, twitches in my arm", "progressive"),
        ("my grip has weakened since I broke my wrist, twitching thumb", "progressive"),
        ("the twitches are getting more frequent since the new job", "progressive"),
        ("the muscle on my neck bulges when it twitches", "goitre"),
        ("my neck is fat, I'm overweight, calf twitches", "goitre"),
        ("after a run I stand with my hands on my knees to get my breath", "weakness_proximal"),
        ("I'm 70 with bad knees and push off my knees to get up", "weakness_proximal"),
        ("I try to fit regular exercise in", "hx_epilepsy"),
        ("the kettle is always boiling at work", "heat_intolerance"),
    ],
)
def test_session_12_near_misses(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) != "present"


def test_a_fit_longer_than_the_usual_ones_still_going_is_an_emergency(kb: KnowledgeBase) -> None:
    text = "my daughter has epilepsy, her normal fits stop in a minute, this one has been going 7 minutes now"
    assert read(kb, text).get("seizure_prolonged") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    # a limb still jerking in someone with epilepsy is a fit too
    jerking = assess("she has epilepsy, her arm has been jerking for 6 minutes now", kb=kb, reference=WRITTEN)
    assert jerking.triage.level == "emergency"
    # her own shaking hands (a valproate tremor, the cold) are no fit (found by the second review)
    tremor = "I have epilepsy and take sodium valproate, my hands have been shaking for 20 minutes now"
    assert "seizure_prolonged" not in ruled(kb, tremor)
    # a twitch still going, or a wait, in someone with epilepsy is no fit
    assert "seizure_prolonged" not in read(kb, "I have epilepsy and my eyelid has flickered 20 minutes now")
    assert "seizure_prolonged" not in ruled(kb, "has epilepsy on keppra, been waiting 20 minutes for the GP")


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a reliever used more than before is a medicine change
        ("been puffing my ventolin way more with this cold", "drug_new_or_changed", "present"),
        ("using the blue inhaler a lot more since monday", "drug_new_or_changed", "present"),
        # a first race of a hard kind
        ("did my first ultra yesterday", "extreme_exercise", "present"),
    ],
)
def test_session_12_medicine_and_exertion(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) == state


def test_the_weather_is_no_heat_intolerance(kb: KnowledgeBase) -> None:
    assert "heat_intolerance" not in ruled(kb, "played tennis in the heat and my calves twitched after")
    assert "drug_new_or_changed" not in ruled(kb, "I take sertraline and my eyelid twitches a lot")


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # optic neuritis as people tell it: washed-out colours and an eye that hurts to move
        ("my left eye hurts when I move it and colours look washed out", "vision_problems"),
        # tics as parents and teachers see them
        ("she keeps blinking hard and screwing up her nose", "tics"),
    ],
)
def test_session_12_eye_and_tic_kinds(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) == "present"
    assert ruled(kb, "she looks washed out after the night shift").get("vision_problems") is None


def test_the_parts_of_the_face_are_twitch_places(kb: KnowledgeBase) -> None:
    assert ruled(kb, "his chin and tongue have quivered for years").get("loc_face") == "present"
    assert ruled(kb, "my bottom lip keeps twitching").get("loc_face") == "present"
    # a place of tingling is no place of a twitch
    assert "loc_face" not in ruled(kb, "my lips tingle when I breathe fast")


def test_a_form_line_label_does_not_end_the_statement(kb: KnowledgeBase) -> None:
    # "Pee: like cola" in a form is one statement: the label names what the line is about
    form = "Activity: hard gym session\nPee: like coca cola since last night"
    assert ruled(kb, form).get("dark_urine") == "present"
    # a colon after a clause still ends it
    assert "dark_urine" not in ruled(kb, "after the session I need a pee: like cola, I need sugar")


def test_nights_out_and_sleep_onset_told_apart(kb: KnowledgeBase) -> None:
    assert ruled(kb, "hen do on saturday, went way too hard").get("trigger_alcohol") == "present"
    jolt = "my arm jolts and kicks the duvet off. only when dropping off, never in the day"
    assert ruled(kb, jolt).get("jerks_falling_asleep") == "present"
    # "drunk" said of speech is no night out
    assert "trigger_alcohol" not in ruled(kb, "his speech sounds drunk")


def test_pain_denied_in_a_twitch_story_is_muscle_pain_denied(kb: KnowledgeBase) -> None:
    assert ruled(kb, "both calves flicker at night. No pain, legs strong").get("muscle_pain") == "absent"
    assert ruled(kb, "my thigh twitches but it doesn't hurt").get("muscle_pain") == "absent"
    # said as present, "pain" could be any pain; a clinical cue ("flexor") denies nothing here
    assert "muscle_pain" not in ruled(kb, "the pain is bad tonight")
    assert "muscle_pain" not in ruled(kb, "painful flexor spasms in both legs at night")


# Session 13 (2026-12-07): words that say what is normal, a trailing "fine" after a complaint, and a
# medicine taken only lately.


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a clear mind, told as people see it
        ("grandad is shaking in the chair but he is lucid", "confusion", "absent"),
        ("arm jumping on its own. she's still with it and knows where she is", "confusion", "absent"),
        ("ED triage: jerking R arm, alert and orientated", "confusion", "absent"),
        # ... and denied in turn, it is confusion
        ("mum doesn't seem to know me this evening and her hand is jerking", "confusion", "present"),
        ("he isn't really with it and keeps twitching", "confusion", "present"),
        # a denial further back in the list leaves it alone
        ("no sick, no temperature, fully alert, thighs twitching", "confusion", "absent"),
        # strength as it was
        ("thighs flutter after spin class, legs strong as ever", "weakness", "absent"),
        ("calves buzzing at night, legs work fine", "weakness", "absent"),
        ("my legs are not strong any more and they twitch", "weakness", "present"),
        # sight said to be fine, through the shared words for it
        ("top lid flickering since tuesday, eyesight is ok", "vision_problems", "absent"),
        ("lower lid jumps, I can see fine", "vision_problems", "absent"),
        # a fit had before, denied; a first fit
        ("her hand is jerking, she has never had a fit before", "hx_epilepsy", "absent"),
        ("this is his first ever seizure and it is still going", "hx_epilepsy", "absent"),
    ],
)
def test_session_13_what_is_normal(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        # "alert" and "with it" in other senses say nothing of the mind
        ("the GP will alert the hospital about my twitching calf", "confusion"),
        ("I have learned to live with it, this eyelid twitch", "confusion"),
        # a strength that is not a body's
        ("the coffee is strong and my eyelid twitches", "weakness"),
    ],
)
def test_session_13_normal_words_near_misses(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert finding not in ruled(kb, text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("her face has dropped on the left, speech is fine", "face_droop"),
        ("my calf has been twitching for a week, swallowing fine", "loc_calf"),
        ("his leg is jerking and won't stop, breathing ok", "jerks_move_joint"),
        ("bad low back pain and can't wee, legs are ok", "bladder_problems"),
        ("eyelid twitching, all fine otherwise", "loc_eyelid"),
    ],
)
def test_a_trailing_fine_is_about_what_comes_just_before_it(
    kb: KnowledgeBase, text: str, finding: str
) -> None:
    assert ruled(kb, text).get(finding) == "present"


def test_a_trailing_fine_still_governs_a_list_of_names(kb: KnowledgeBase) -> None:
    assert ruled(kb, "Sodium, potassium and calcium normal") == {
        "sodium": "normal",
        "potassium": "normal",
        "calcium": "normal",
    }
    said = ruled(kb, "right hand weak for months. Left hand and legs are fine.")
    assert said.get("weakness") == "present" and "one_sided" not in said
    assert ruled(kb, "thigh twitching. Swallowing and speech are fine").get("dysphagia") == "absent"


def test_a_medicine_taken_only_lately_is_a_new_one(kb: KnowledgeBase) -> None:
    assert (
        ruled(kb, "been on prednisolone since saturday and now my legs twitch").get("drug_new_or_changed")
        == "present"
    )
    assert (
        ruled(kb, "on citalopram and he's been having tramadol for his knee for 4 days, sweating").get(
            "serotonergic_recent_change"
        )
        == "present"
    )
    # years on it, or a time that dates the twitch, is no new medicine
    years = "on sertraline for six years, eyelid twitching for 3 days"
    assert "serotonergic_recent_change" not in ruled(kb, years)
    assert "drug_new_or_changed" not in ruled(kb, "on amlodipine, twitching since monday")
    assert "drug_new_or_changed" not in ruled(kb, "took ibuprofen this morning and my calf twitches")


def test_a_function_found_fine_after_a_warning_sign_does_not_hide_it(kb: KnowledgeBase) -> None:
    text = "terrible low back pain since lifting, and I can't pass urine, legs fine"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_a_short_question_answered_no_denies_it(kb: KnowledgeBase) -> None:
    # a nurse's or a form's bare question, then "no"
    assert ruled(kb, "shaking arms since lunch. Drowsy? nope, chatting away").get("confusion") == "absent"
    assert ruled(kb, "1. Fever? no 2. Where? both calves twitching").get("fever") == "absent"
    # unanswered, a bare question is the writer's worry and read as it stands
    assert ruled(kb, "Drowsy? She will not wake up properly").get("confusion") == "present"


def test_blood_pressure_tablets_as_people_name_them(kb: KnowledgeBase) -> None:
    assert ruled(kb, "dad is on bp meds and his face dropped an hour ago").get("hx_stroke_risk") == "present"
    assert "hx_stroke_risk" not in ruled(kb, "twitchy and tired af after exams")


def test_a_relative_who_speaks_in_pasted_messages_is_the_patient(kb: KnowledgeBase) -> None:
    chat = (
        "Me: copying in my nan's texts\n"
        "Nan: knees gone like jelly since dinner, and my hands keep twitching\n"
        "Nan: face feels a bit funny\n"
        "Me: I'll ring you back"
    )
    said = ruled(kb, chat)
    assert said.get("fasciculations") == "present" and said.get("weakness") == "present"
    # a family-history list names each relative once: still family history
    form = "Family history:\nGrandad: MND in his 70s\nMe: calves twitching for 5 weeks"
    assert ruled(kb, form).get("fh_als") == "present"


def test_found_on_the_floor_with_a_name_between_and_legs_that_fold(kb: KnowledgeBase) -> None:
    lie = "carer visit: found Mrs K on the kitchen floor, her hips and thighs are agony, wee is brown"
    assert ruled(kb, lie).get("extreme_exercise") == "present"
    assert "extreme_exercise" not in ruled(kb, "found my glasses on the floor, eyelid twitching")
    folded = "mid rehearsal my legs just folded and my calves are twitching"
    assert ruled(kb, folded).get("weakness") == "present"
    assert "weakness" not in ruled(kb, "I sat with my legs folded under me and my calf twitched")


def test_bladder_urgency_as_people_tell_it(kb: KnowledgeBase) -> None:
    urgent = "my bladder's been a bit urgent this month and my legs feel stiff"
    assert ruled(kb, urgent).get("bladder_problems") == "present"
    assert (
        ruled(kb, "low back ache and she keeps needing to wee urgently").get("bladder_problems") == "present"
    )
    # the loo is where people rush with sickness too
    sick = "norovirus, needed the toilet urgently all night, calves cramping"
    assert "bladder_problems" not in ruled(kb, sick)


def test_limbs_that_kick_out_or_stiffen_by_themselves_are_spasms(kb: KnowledgeBase) -> None:
    assert ruled(kb, "since his spinal op his legs kick out by themselves in bed").get("spasms") == "present"
    assert ruled(kb, "with her MS her arm curls up and goes rigid at night").get("spasms") == "present"
    # a cramp locks a leg too, and legs jerking on their own are jerks
    cramp = "hamstring cramped mid match, leg locked straight till the physio stretched it"
    assert "spasms" not in ruled(kb, cramp)
    assert "spasms" not in ruled(kb, "since the new tablets her legs keep jerking on their own")


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # a speaker who names someone else tells that person's story
        ("Mum: Grandad's face has dropped on one side\nMum: what do we do", "face_droop", "present"),
        (
            "Wife: husband 70 collapsed in the garden, won't answer\nWife: he's jerking all over",
            "jerks_move_joint",
            "present",
        ),
        # asked whether it is fine and answered no, it is not fine
        ("Breathing alright? No, really struggling", "breathless", "present"),
        ("legs strong? no, they keep giving way", "weakness", "present"),
        ("Orientated? no", "confusion", "present"),
        # a "no" that begins a longer answer is no denial
        ("Seizure? No one saw it start", "seizure", "present"),
        # normal words with a limit or under a denial a few words back
        ("I don't think he knows where he is", "confusion", "present"),
        ("suddenly drowsy, breathing fine", "confusion", "present"),
    ],
)
def test_session_13_review_must_fixes(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) == state


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("my son had a seizure before the ambulance arrived, first one ever", "hx_epilepsy", "present"),
        ("legs strong until this morning, now she can't stand up", "weakness", "absent"),
        ("A&O x1, jerking left arm", "confusion", "absent"),
        ("suddenly drowsy, breathing fine", "sudden_onset", "absent"),
        ("my twitches are as strong as ever", "weakness", "absent"),
        ("on the same dose of sertraline for 2 weeks, legs jerky", "serotonergic_recent_change", "present"),
        ("I found it hard to get up on the floor at yoga, legs weak", "extreme_exercise", "present"),
        ("no end in sight, twitching everywhere for months", "fasciculations", "absent"),
    ],
)
def test_session_13_review_never_reads(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert ruled(kb, text).get(finding) != state


def test_a_time_beside_a_normal_word_still_dates_the_complaint(kb: KnowledgeBase) -> None:
    said = ruled(kb, "she knows me this morning but her right hand keeps jerking")
    assert said.get("sudden_onset") == "present" and said.get("confusion") == "absent"


def test_the_good_limb_is_no_verdict(kb: KnowledgeBase) -> None:
    # "my good leg" names the unaffected side; what happens to it is still said
    said = ruled(kb, "since the polio my bad leg was always weak, now my good left leg is getting weaker too")
    assert said.get("weakness") == "present" and said.get("weakness_progressive") == "present"
    assert ruled(kb, "grip good, power good in both arms").get("weak_grip") == "absent"


def test_session_13_words_for_a_neck_lump_steroids_and_a_head(kb: KnowledgeBase) -> None:
    assert (
        ruled(kb, "there's a smooth swelling in the front of her neck and she's shaky").get("goitre")
        == "present"
    )
    assert ruled(kb, "GP put me on pred after the asthma flare").get("drug_corticosteroid") == "present"
    assert (
        ruled(kb, "woke up again with a pounding hed and my left hand twitched").get("headache") == "present"
    )
    # "hed" alone may be "he'd" typed without its apostrophe
    assert "headache" not in ruled(kb, "hed been drinking when his arm started jerking")


def test_a_calf_that_knots_at_night_without_the_word_cramp(kb: KnowledgeBase) -> None:
    said = ruled(kb, "grandad keeps getting woken at 4am, his left calf goes rock hard for a minute")
    assert said.get("cramps") == "present" and said.get("night_cramps") == "present"
    # a thigh gone hard and swollen after a workout is no cramp
    assert "cramps" not in ruled(kb, "after 300 squats my thighs are rock hard and swollen")


def test_a_thing_named_by_a_finding_word_is_not_the_finding(kb: KnowledgeBase) -> None:
    # standing on a cold floor eases a cramp; it is no cold trigger
    assert "trigger_cold" not in ruled(
        kb, "calf cramp at 2am, stood on the cold kitchen floor till it let go"
    )
    assert ruled(kb, "my legs twitch after a swim in the cold").get("trigger_cold") == "present"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        # "not short of breath" denies breathlessness; "not breathing" is the emergency
        ("twitchy legs tonight, chatting away, not short of breath at rest", "breathing_failure", "absent"),
        ("he's not breathing properly and his lips look grey", "breathing_failure", "present"),
        # a number with another unit is no temperature
        ("handgrip measured 41 kg on the dynamometer, forearm twitching", "fever", None),
        ("measured 38.6 an hour ago and my calves keep cramping", "fever", "present"),
        # a name looked up is a worry, not a finding
        ("I looked up 'hemifacial spasm' at 3am, but it's only my lower eyelid", "hemifacial_twitch", None),
        # an illness named to describe an ache is no illness
        ("thighs ache like after flu since the new statin", "trigger_viral_illness", None),
        # the jerks stop when a baby wakes; the waking is fine
        ("when she's deeply asleep her leg jerks, as soon as she wakes it stops", "confusion", None),
    ],
)
def test_session_13_misreads_that_raised_the_level(
    kb: KnowledgeBase, text: str, finding: str, state: str | None
) -> None:
    assert ruled(kb, text).get(finding) == state


def test_legs_like_noodles_are_both_legs(kb: KnowledgeBase) -> None:
    # both legs giving no support after vomiting, on water tablets, with a skipping heart: potassium
    text = "sick for three days, on water tablets, heart skipping, and now my legs are like wet noodles"
    assert ruled(kb, text).get("both_legs") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        # looking at something is no search
        "looked in the mirror and looked up again, half my face has dropped, 10 minutes ago",
        "patient looking up and to the right, unresponsive, jerking left arm",
        # a neck gone hard at night with a fever is no cramp
        "woke in the night with a fever, neck gone rock hard, can't touch chin to chest",
        # "he's seizing" is a fit
        "my dad's seizing on the kitchen floor and won't stop",
    ],
)
def test_session_13_second_review_emergencies(kb: KnowledgeBase, text: str) -> None:
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("calf swollen rock hard and agony after a tackle, foot going pale", "cramps"),
        ("Spirometry: FVC 45% pred, bulbar symptoms and widespread fasciculations", "drug_corticosteroid"),
        ("back sore from carrying the wee one to nursery, legs twitchy", "bladder_problems"),
        ("bad back, and I pee all the time since the water pills started", "bladder_problems"),
        ("back pain; I need urgent advice about my bladder scan results", "bladder_problems"),
        ("knees stiffen with the arthritis and my calves twitch", "spasms"),
        ("toddler keeps banging his head on the floor when cross", "headache"),
        ("his calf is seizing up on the pitch", "seizure"),
    ],
)
def test_session_13_second_review_never_reads(kb: KnowledgeBase, text: str, finding: str) -> None:
    assert ruled(kb, text).get(finding) != "present"


def test_session_13_second_review_still_reads(kb: KnowledgeBase) -> None:
    assert ruled(kb, "breath short and shallow, lips a bit blue").get("breathing_failure") == "present"
    assert ruled(kb, "temp spiked to 40 minutes after her jab, now floppy").get("fever") == "present"
    assert (
        ruled(kb, "itching to the point of bleeding since the dialysis was missed").get("itching")
        == "present"
    )


# After scoring the sixteenth batch (its three missed emergencies, as kinds in our own words)


def test_a_relative_with_an_age_in_years_is_the_patient(kb: KnowledgeBase) -> None:
    text = "Please answer quickly. My daughter 9 years is doing the fit now, I am scared, eyes rolled up"
    said = ruled(kb, text)
    assert said.get("seizure") == "present" and said.get("oculogyric") == "present"
    # "3 years ago" dates a story; it is no age
    assert "fh_stroke" not in ruled(kb, "my dad 3 years ago had a stroke, now my calf twitches")


def test_not_comfortable_is_discomfort_and_denies_nothing_after_it(kb: KnowledgeBase) -> None:
    text = (
        "tummy not good, sick twice, the clinic gave her metoclopramide and now her neck twists to one side"
    )
    said = ruled(kb, text)
    assert said.get("vomiting") == "present" and said.get("dopamine_blocker_recent") == "present"


def test_a_negation_taken_by_a_normal_word_ends_there(kb: KnowledgeBase) -> None:
    said = ruled(kb, "he does not hear me, arms and legs jerking")
    assert said.get("confusion") == "present" and said.get("jerks_move_joint") == "present"


def test_a_charity_challenge_of_many_reps_is_extreme_exercise(kb: KnowledgeBase) -> None:
    said = ruled(kb, "did 400 squats for a charity challenge on sunday, now my pee is like cola")
    assert said.get("extreme_exercise") == "present"
    assert "extreme_exercise" not in ruled(kb, "did 40 squats at the gym, calves twitchy")


def test_a_passing_stroke_told_through_a_translator(kb: KnowledgeBase) -> None:
    # a translated account of a hand gone powerless and a mouth corner that hung, now passed: a stroke warning
    text = (
        "This morning for 15 minutes my right hand was without force, the tea cup fell, and my right mouth "
        "angle hung. Now all is back."
    )
    said = ruled(kb, text)
    assert said.get("weakness") == "present" and said.get("face_droop") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    # a coffee cup is no coffee drunk
    assert "trigger_caffeine" not in ruled(kb, "my hand shook and the coffee cup fell out of it")


def test_an_age_in_years_said_with_who_it_is_is_no_duration(kb: KnowledgeBase) -> None:
    assert "twitch_duration" not in ruled(kb, "lower eyelid jumps when I study. 22 years girl.")
    assert ruled(kb, "My father 70 years, his calf twitches since 3 weeks").get("twitch_duration") == "weeks"
    assert ruled(kb, "my calf has twitched for 2 years, my dad had it too").get("twitch_duration") == "years"


# Session 14: kinds from the development texts (2026-12-07), in our own words


def test_others_named_as_a_yardstick_reach_only_their_own_words(kb: KnowledgeBase) -> None:
    # "when everyone else is cold" compares: what follows is still the patient's
    said = ruled(kb, "I'm sweating when everybody else is freezing, pulse pounding, fingers trembling")
    assert said.get("heat_intolerance") == "present"
    assert said.get("palpitations") == "present" and said.get("tremor") == "present"
    assert "trigger_cold" not in said
    # hot beside others as a yardstick is no fever; hot to the touch still is
    assert "fever" not in ruled(kb, "she's roasting hot while others wear jumpers")
    assert ruled(kb, "he is boiling hot when I touch him").get("fever") == "present"


def test_a_verdict_word_before_a_noun_only_describes_it(kb: KnowledgeBase) -> None:
    assert ruled(kb, "numb toes, great toe keeps flickering").get("numbness_tingling") == "present"
    assert ruled(kb, "weak fingers, fine motor tasks are harder").get("weakness") == "present"
    # still a verdict after the noun
    assert ruled(kb, "toes numb? no, toes fine").get("numbness_tingling") != "present"


def test_a_heart_rate_at_rest_of_100_or_more_is_a_racing_heart(kb: KnowledgeBase) -> None:
    assert ruled(kb, "my heart is doing 124 sitting on the sofa").get("palpitations") == "present"
    assert ruled(kb, "Obs: HR 131, BP 150/90").get("palpitations") == "present"
    # a normal rate denies nothing, and an oximeter's percent is no pulse
    assert "palpitations" not in ruled(kb, "pulse 76 regular")
    assert "palpitations" not in ruled(kb, "pulse ox 100% on air")


@pytest.mark.parametrize(
    "text",
    [
        "my heart goes a bit quick after the inhaler",
        "his heart is racy at night",
        "a fluttery feeling in my chest at night",
        "ticker going mad after coffee",
    ],
)
def test_a_heart_that_goes_quick_is_palpitations(kb: KnowledgeBase, text: str) -> None:
    assert ruled(kb, text).get("palpitations") == "present"


def test_a_quick_chest_x_ray_is_no_palpitation(kb: KnowledgeBase) -> None:
    assert "palpitations" not in ruled(kb, "they did a quick chest x-ray and it was clear")


def test_washed_out_and_wiped_are_tiredness_but_the_washing_is_not(kb: KnowledgeBase) -> None:
    assert ruled(kb, "since the bug she looks washed out and her calves twitch").get("fatigue") == "present"
    assert ruled(kb, "I'm totally wiped by teatime").get("fatigue") == "present"
    assert "fatigue" not in ruled(kb, "can't peg the washing out, my shoulder twitches")
    assert "fatigue" not in ruled(kb, "numb down there when I wiped")


def test_hay_fever_is_no_fever(kb: KnowledgeBase) -> None:
    said = ruled(kb, "hay fever season so using my blue inhaler more, fingers twitch")
    assert "fever" not in said and said.get("drug_beta_agonist") == "present"
    assert ruled(kb, "hay fever and now a fever of 39 with a stiff neck").get("fever") == "present"


def test_a_short_bracket_is_an_aside_a_frame_reads_across(kb: KnowledgeBase) -> None:
    text = "Carer note: found Mrs D (84) on the lounge floor at 7am, both calves sore, wee like cola"
    said = ruled(kb, text)
    assert said.get("extreme_exercise") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    # a long bracket still ends the statement, and a school year is no workout
    long_aside = "found him (he said he had only just sat down to rest) on the floor"
    assert "extreme_exercise" not in ruled(kb, long_aside)
    assert "extreme_exercise" not in ruled(kb, "a girl in Year 9 (13) walks stiffly, calves tight")


def test_a_change_of_job_site_or_shifts_is_no_medicine_change(kb: KnowledgeBase) -> None:
    for text in (
        "started on a new building site last week and my thighs flicker at night",
        "I just started a new role at the depot, eyelid going mad",
        "since switching to nights both calves jump",
        "just started eating properly again and my legs cramp",
    ):
        assert "drug_new_or_changed" not in ruled(kb, text), text
    assert ruled(kb, "the GP started me on a new tablet on friday").get("drug_new_or_changed") == "present"
    assert ruled(kb, "started a new course of steroids").get("drug_new_or_changed") == "present"


def test_asking_whether_it_is_normal_denies_nothing(kb: KnowledgeBase) -> None:
    said = ruled(kb, "is it normal to twitch all over after two nights of no sleep")
    assert said.get("fasciculations") == "present"
    assert ruled(kb, "is it ok that my calves twitch every evening").get("fasciculations") == "present"


def test_a_verdict_with_its_subject_before_it_does_not_reach_past_a_comma(kb: KnowledgeBase) -> None:
    said = ruled(kb, "O/E: tone normal, fasciculations in the L thigh and both calves")
    assert said.get("fasciculations") == "present" and said.get("loc_thigh") == "present"
    said = ruled(kb, "grip is normal, twitching in my right forearm")
    assert said.get("fasciculations") == "present" and said.get("weak_grip") == "absent"
    # a verdict that opens a list still reaches forward, and one at the end still reaches back
    assert ruled(kb, "normal tone, reflexes and power").get("weakness") == "absent"
    assert ruled(kb, "tone, reflexes and power normal").get("weakness") == "absent"


def test_a_thumping_head_is_a_headache_not_a_blow(kb: KnowledgeBase) -> None:
    said = ruled(kb, "woke with a thumping head again, left fingers twitching")
    assert said.get("headache") == "present" and "hx_head_injury" not in said
    assert ruled(kb, "she whacked her head on the cupboard door").get("hx_head_injury") == "present"


def test_a_question_that_takes_its_subject_as_given_tells_it(kb: KnowledgeBase) -> None:
    said = ruled(kb, "Is it normal for my bottom eyelid to flicker for 3 weeks?")
    assert said.get("loc_eyelid") == "present" and said.get("twitch_duration") == "weeks"
    assert ruled(kb, "Anyone else get thigh twitches after a night shift?").get("fasciculations") == "present"
    assert ruled(kb, "Should I worry that my hands shake holding a mug?").get("tremor") == "present"
    # a question with another beside it still asks, and an ordinary question still asks
    assert "seizure" not in ruled(kb, "Is this normal on my new tablets or am I about to have a fit?")
    assert "seizure" not in ruled(kb, "Is it a seizure when his eyes roll?")


def test_fingers_gone_stiff_and_curled_while_over_breathing_are_tetany(kb: KnowledgeBase) -> None:
    text = (
        "panicking in the exam hall, breathing way too fast, then her fingers went stiff and curled and her "
        "lips went tingly. she is calm now"
    )
    said = ruled(kb, text)
    assert said.get("tetany") == "present" and said.get("trigger_hyperventilation") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level in ("self_care", "routine")
    assert ruled(kb, "my hands cramped up stiff for a minute in the shower").get("tetany") == "present"
    # fingers that curl into the palm after a stroke are stiffness, not tetany
    assert "tetany" not in ruled(kb, "since his stroke his fingers curl into his palm")


# After the first review of session 14 (each in our own words; each failed on the code before the fix)


def test_a_fever_said_beside_others_is_still_a_fever(kb: KnowledgeBase) -> None:
    said = ruled(kb, "my 5 week old has a high temperature while everyone else at home is fine")
    assert said.get("fever") == "present"
    # ... and a baby's age in weeks is read from the text: a young baby with a fever is an emergency
    assert assess("my 5 week old has a high temperature, jerky arms", kb=kb).triage.level == "emergency"


def test_a_denial_in_a_short_bracket_is_no_aside(kb: KnowledgeBase) -> None:
    assert ruled(kb, "Mouth (no pain) drooping on the right since lunch").get("face_droop") != "absent"
    said = ruled(kb, "found her (not moving) on the hall floor, thighs sore")
    assert said.get("extreme_exercise") != "absent"


@pytest.mark.parametrize(
    "text",
    [
        "legs weak, cramps. Obs: HR reg, Hb 134",
        "pulse ox 100 on air, twitchy calves",
        "his heart is 100 percent fine, calves twitch",
        "digoxin for her heart 125 micrograms, eyelid twitch",
        "24 hr shift, 120 patients, calves jumping",
        "HR 172 max on the hill reps, calves twitchy after",
    ],
)
def test_other_numbers_near_a_heart_word_are_no_racing_heart(kb: KnowledgeBase, text: str) -> None:
    assert "palpitations" not in ruled(kb, text)


def test_a_head_thumped_on_something_is_a_blow(kb: KnowledgeBase) -> None:
    assert ruled(kb, "mum slipped and thumped her head on the bath").get("hx_head_injury") == "present"
    assert "hx_head_injury" not in ruled(kb, "my head is thumping on the left")


def test_an_exam_list_after_a_verdict_shares_it(kb: KnowledgeBase) -> None:
    assert ruled(kb, "Reflexes normal, tone/power/sensation intact").get("spasticity") != "present"
    said = ruled(kb, "Power normal, wasting none, fasciculations seen in both calves")
    assert said.get("muscle_wasting") != "present" and said.get("fasciculations") == "present"


def test_others_as_a_yardstick_keep_their_own_clause(kb: KnowledgeBase) -> None:
    text = "Unlike everyone else on the coach who had vomiting, I only have a twitchy eyelid"
    said = ruled(kb, text)
    assert "vomiting" not in said and said.get("loc_eyelid") == "present"
    # ... and no further than a new subject or a few words, whatever comes after (second review)
    said = ruled(kb, "While the others were eating my mum's face drooped and her speech went slurred")
    assert said.get("face_droop") == "present" and said.get("slurred_speech") == "present"
    said = ruled(kb, "While everybody else ate Grandad suddenly couldn't lift his arm")
    assert said.get("weakness") == "present"
    said = ruled(kb, "When everybody else had gone to bed she started jerking and would not wake")
    assert said.get("jerks_move_joint") == "present" or said.get("seizure") == "present"


def test_a_count_beside_a_denial_or_a_test_name_is_not_where_it_was_found(kb: KnowledgeBase) -> None:
    assert (
        ruled(kb, "EMG: fasciculation potentials only, no denervation in 4 regions").get("emg_denervation")
        == "none"
    )
    assert ruled(kb, "EMG of 3 limbs showed fasciculations only").get("emg_denervation") != "multiple_regions"
    assert ruled(kb, "EMG: active denervation in 3 regions").get("emg_denervation") == "multiple_regions"


def test_a_denial_inside_brackets_stays_there(kb: KnowledgeBase) -> None:
    said = ruled(kb, "Arms (no pain at all) weak and tingly since this morning")
    assert said.get("muscle_pain") == "absent" and said.get("weakness") == "present"
    said = ruled(kb, "Words (no drink taken, honest) slurring since teatime")
    assert said.get("slurred_speech") == "present"
    # a denial before a bracket still reaches past it
    assert ruled(kb, "no weakness (either side) or numbness").get("numbness_tingling") == "absent"


def test_not_breathing_properly_and_going_blue_are_breathing_failure(kb: KnowledgeBase) -> None:
    text = "she isn't breathing properly and has gone blue"
    assert ruled(kb, text).get("breathing_failure") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    assert "breathing_failure" not in ruled(kb, "my toes went blue in the snow")


def test_a_limb_that_could_not_be_moved_is_weak(kb: KnowledgeBase) -> None:
    said = ruled(kb, "out of nowhere he couldn't lift his left arm")
    assert said.get("weakness") == "present"


def test_a_collapse_with_jerking_is_a_fit(kb: KnowledgeBase) -> None:
    text = "my brother collapsed in the kitchen and was jerking all over for about 4 minutes"
    assert ruled(kb, text).get("seizure") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    assert "seizure" not in ruled(kb, "she fell in the snow and was shaking all over with cold")


def test_a_tongue_that_is_a_bit_sore_was_not_bitten(kb: KnowledgeBase) -> None:
    assert "seizure" not in ruled(kb, "vegan for years, feet tingle, tongue is a bit sore and red")
    assert ruled(kb, "he bit his tongue and was jerking on the floor").get("seizure") == "present"


def test_a_level_that_might_be_low_is_not_a_result(kb: KnowledgeBase) -> None:
    assert "magnesium" not in ruled(kb, "the pharmacist thinks my magnesium might be low")
    assert ruled(kb, "GP rang, magnesium was low at 0.58").get("magnesium") == "low"


# After the second review of session 14 (each fails on e50dd40)


def test_isnt_breathing_is_breathing_failure_and_keeps_its_negation(kb: KnowledgeBase) -> None:
    assert ruled(kb, "my husband isn't breathing").get("breathing_failure") == "present"
    said = ruled(kb, "the baby wasn't breathing and has gone grey")
    assert said.get("breathing_failure") == "present"


@pytest.mark.parametrize(
    "text",
    [
        "my toes are turning blue in the sea and my calf twitches",
        "her fingers keep going blue when it's cold, eyelid flickers",
        "my hair has gone grey from the stress, eyelid twitching",
    ],
)
def test_a_body_part_going_blue_is_no_breathing_failure(kb: KnowledgeBase, text: str) -> None:
    assert "breathing_failure" not in ruled(kb, text)


@pytest.mark.parametrize(
    "text",
    [
        "my coffee intake dropped and I'm still twitching all over",
        "my sugar dropped to 3.9 and I was jerking a bit, fine after a biscuit",
        "my phone fell and I jerked to catch it, now my shoulder twitches",
    ],
)
def test_something_else_that_dropped_or_fell_is_no_collapse(kb: KnowledgeBase, text: str) -> None:
    assert "seizure" not in ruled(kb, text)


def test_a_witnessed_collapse_with_jerking_limbs_is_a_fit(kb: KnowledgeBase) -> None:
    said = ruled(kb, "she collapsed and her arms and legs were jerking for about 3 minutes")
    assert said.get("seizure") == "present"


def test_a_learned_complaint_after_a_verdict_and_a_comma_is_not_denied(kb: KnowledgeBase) -> None:
    said = extract("Power normal, weakness left arm since this morning", kb, reference=WRITTEN).as_evidence()
    assert said.get("weakness") != "absent"


@pytest.mark.parametrize(
    "text",
    [
        "I have a 6 week old baby and my calves have twitched for 3 weeks",
        "my twitching started when our son was 2 months old",
        "our dog, she's 18 months old, and my eyelid twitches",
    ],
)
def test_a_baby_in_the_story_is_not_the_patient(kb: KnowledgeBase, text: str) -> None:
    assert extract(text, kb, reference=WRITTEN).age is None


# After scoring the seventeenth batch (its two missed emergencies, as kinds in our own words)


def test_a_relative_who_has_had_something_for_a_week_is_still_the_patient(kb: KnowledgeBase) -> None:
    text = (
        "My wife's had a bad back for days and tonight she can't feel the loo roll when she wipes and she "
        "hasn't peed since noon. I'm a nurse, is this A&E?"
    )
    said = ruled(kb, text)
    assert said.get("saddle_numbness") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"


def test_a_relative_opening_the_second_short_sentence_is_the_patient(kb: KnowledgeBase) -> None:
    text = "retired nurse. husband fitting now, left hand first then his face, 7 minutes so far, I'm with him"
    said = ruled(kb, text)
    assert said.get("seizure") == "present"
    assert assess(text, kb=kb, reference=WRITTEN).triage.level == "emergency"
    # a relative named after the writer's own complaint is not the patient
    assert "fh_als" in ruled(kb, "My calf twitches. My dad had MND and I'm scared")
