"""The reader against the packaged knowledge base: the brief's examples, the public vignettes,
and the annotated evaluation set (written independently of this code)."""

from __future__ import annotations

import json

import pytest

from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text import extract

from ..conftest import DATA, shared_file

ANNOTATIONS = DATA / "text_annotations.jsonl"


@pytest.mark.parametrize(
    ("text", "finding", "state"),
    [
        ("I can still grip fine", "weak_grip", "absent"),
        ("nothing else on my face twitches", "loc_face", "absent"),
        ("my mum's brother ended up in a wheelchair", "fh_neuromuscular", "present"),
        ("my uncle had ALS", "fh_als", "present"),
        ("had polio as a child", "hx_polio", "present"),
        ("EMG only showed twitches, no nerve damage", "emg_denervation", "none"),
        ("Ca 5.1 mg/dL", "calcium", "very_low"),
        ("3+ reflexes", "reflexes", "brisk"),
        ("4 beats ankle clonus", "clonus_beats", "few"),
        ("6-8 shots of espresso a day", "trigger_caffeine", "present"),
    ],
)
def test_brief_examples(kb: KnowledgeBase, text: str, finding: str, state: str) -> None:
    assert extract(text, kb).as_evidence().get(finding) == state


@pytest.mark.parametrize("text", ["I'm scared it's ALS", "could this be MS?"])
def test_worry_is_not_evidence(kb: KnowledgeBase, text: str) -> None:
    assert extract(text, kb).mentions == ()


def test_vignettes_read_cleanly(kb: KnowledgeBase) -> None:
    """This repository's vignettes always, the shared public ones when present (a warning when not): every
    text yields mentions whose spans, findings and states are real. Never skipped."""
    files = [DATA / "vignettes_extra.jsonl", DATA / "vignettes_new_conditions.jsonl"]
    public = shared_file("vignettes", "public.jsonl")
    files += [public] if public is not None else []
    rows = [json.loads(line) for path in files for line in path.read_text().splitlines() if line.strip()]
    assert len(rows) >= 90
    for row in rows:
        result = extract(row["text"], kb)
        assert result.mentions, row["id"]
        for mention in result.mentions:
            assert row["text"][mention.start : mention.end] == mention.span
            assert mention.finding in kb.findings
            assert mention.state in kb.findings[mention.finding].state_ids


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@pytest.mark.skipif(not ANNOTATIONS.exists(), reason="no annotated evaluation set")
def test_annotated_set_f1(kb: KnowledgeBase) -> None:
    """Micro F1 over (finding, state) pairs; the floor sits below the measured value (0.97 overall,
    0.95 on negated findings when written) so that only a real regression fails."""
    tp = fp = fn = ntp = nfp = nfn = 0
    for line in ANNOTATIONS.read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        got = extract(row["text"], kb).as_evidence()
        expected: dict[str, str] = row["expected"]
        for finding, state in expected.items():
            hit = got.get(finding) == state
            tp, fn = tp + hit, fn + (not hit)
            if state == "absent":
                ntp, nfn = ntp + hit, nfn + (not hit)
        for finding, state in got.items():
            if expected.get(finding) != state:
                fp += 1
                nfp += state == "absent"
    assert _f1(tp, fp, fn) >= 0.93
    assert _f1(ntp, nfp, nfn) >= 0.90


@pytest.mark.parametrize(
    ("text", "state"),
    [
        # A slash time after "in", or right after a follow-up word, is when something will happen.
        ("21M, finals in 2/52. 1/52 intermittent twitching L thenar eminence.", "days"),
        ("R/V 6/52. 3/7 fasciculations L calf.", "days"),
        ("TCI in about 6/52. Twitching R eyelid for 5/7.", "days"),
        ("Exams in 3 weeks and my eyelid has been twitching for 4 days.", "days"),
        ("I see the neurologist in 6 weeks' time; my calf started twitching 5 days ago.", "days"),
        # ...and these stay how long the twitching has lasted.
        ("2/52 hx of twitching R thigh.", "weeks"),
        ("The twitching started in my calf and in 3 weeks it spread to my thigh.", "weeks"),
        ("My calf has been twitching in the last 3 weeks.", "weeks"),
        ("twitching in my calf for 3 weeks", "weeks"),
    ],
)
def test_future_times_are_not_durations(kb: KnowledgeBase, text: str, state: str) -> None:
    assert extract(text, kb).as_evidence().get("twitch_duration") == state


@pytest.mark.parametrize(
    ("text", "present"),
    [
        (
            "A neurologist checked me - strength and reflexes normal, bloods (calcium, B12, thyroid) normal.",
            True,
        ),
        ("My GP had me checked last year. Reflexes normal, EMG showed no denervation.", True),
        ("I was seen by a neurologist: my reflexes were normal.", True),
        ("The neurologist checked me and found weakness in my right leg.", False),
        ("My doctor examined me, reflexes were brisk.", False),
        ("Nobody has examined me yet, but I have no weakness.", False),
        ("I'm waiting to be seen by a neurologist, my reflexes seem normal.", False),
        ("The neurologist said it might be MND, even though my strength is normal.", False),
        ("Should I get a neurologist to check me? My strength is normal.", False),
    ],
)
def test_a_clinicians_check_with_normal_findings(kb: KnowledgeBase, text: str, present: bool) -> None:
    got = extract(text, kb).as_evidence().get("assessed_normal")
    assert (got == "present") is present, got


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Over 3 months I've lost 8 kg even though I'm eating more.", "present"),
        ("I lost 5kg this year.", "present"),
        ("I've dropped 10 pounds without trying.", "present"),
        ("I've lost 10lbs since Christmas.", "present"),
        ("I've lost a stone.", "present"),
        ("I lost half a stone.", "present"),
        ("I've lost about 6 kilos.", "present"),
        ("I haven't lost 5 kg.", "absent"),
        ("I've put on 5 kg.", None),
        ("My dad lost 10 kg last year.", "present"),  # only the dad is described: he is assessed
        ("I twitch. My dad lost 10 kg last year.", None),
        ("I'm trying to lose 5 kg.", None),
        ("I lost 2 hours of sleep.", None),
    ],
)
def test_weight_lost_with_a_number(kb: KnowledgeBase, text: str, state: str | None) -> None:
    assert extract(text, kb).as_evidence().get("weight_loss") == state


@pytest.mark.parametrize(
    ("text", "childhood", "years"),
    [
        # Early childhood (HPO childhood onset, 1 to 5 years) is the finding; any child's age dates it.
        ("Since I was 3 I get attacks of stiffness when I start to run.", True, True),
        ("since age 2 my legs cramp at night", True, True),
        ("My leg has been stiff from the age of 4.", True, True),
        ("My calves have cramped since I was five.", True, True),
        ("Since I was 8 I get attacks of stiffness when I start to run.", False, True),
        ("Ever since I was about 12 or 13 years old my eyelid twitches.", False, True),
        ("Since I was 30 I've had twitching in my calves.", False, False),
        ("I've smoked since I was 15, and my arm has been twitching for 2 months.", False, False),
        ("I've had twitching since I was 12 weeks pregnant.", False, False),
        ("I've had cramps since I was 8 stone heavier.", False, False),
        ("My brother has had cramps since he was 5.", True, True),  # the brother is assessed
        ("My calf twitches. My brother has had cramps since he was 5.", False, False),
    ],
)
def test_onset_at_a_childs_age(kb: KnowledgeBase, text: str, childhood: bool, years: bool) -> None:
    got = extract(text, kb).as_evidence()
    assert (got.get("since_childhood") == "present") is childhood, got
    assert (got.get("twitch_duration") == "years") is years, got
