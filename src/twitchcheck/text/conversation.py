"""Conversations written down: questions, and the answers that settle them.

A call handler's or nurse's note, a chat transcript or a form reads "Q: Any fits? A: No". The question is
not a statement ("Q:" before it does not make it one), and the answer decides what it asked about: "no" to a
yes/no question denies it, "yes" to a labelled asker's question states it. "No" to a what/when/how question
("Do you know what his temperature is? No") answers something else and denies nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twitchcheck.text.clauses import Layout
from twitchcheck.text.grammar import Questions


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class ConversationRules:
    """The grammar's question openers and speaker labels, compiled once."""

    question: re.Pattern[str]  # a question, after an optional number and asker's label ("Q:", "Nurse:")
    asked: re.Pattern[str]  # a question put by a labelled asker
    yes: re.Pattern[str]  # an answer that starts with yes (after an optional answerer's label)
    no: re.Pattern[str]  # ... with no
    not_yes_no: re.Pattern[str]  # a what/when/how word: the question is not yes or no
    bare: re.Pattern[str]  # a short question with no opener ("Confused?", "3. Numbness?")
    bare_no: re.Pattern[str]  # ... and the answer that denies it
    telling: re.Pattern[str]  # a question that takes what it asks about as given ("is it normal that my ...")

    @classmethod
    def compile(cls, rules: Questions) -> ConversationRules:
        openers = _alternation(rules.openers)
        askers = _alternation(rules.speaker_labels) or r"(?!)"
        answerers = _alternation(rules.answer_labels) or r"(?!)"
        # a numbered form or list ("2. Any weakness? no")
        number = r"(?:\d{1,2}\s*[.)]\s*)?"
        label = rf"{number}(?:(?:{answerers})\s*[:.)-]\s*)?"
        yes, no = _alternation(rules.yes) or r"(?!)", _alternation(rules.no) or r"(?!)"
        not_no = _alternation(rules.not_no) or r"(?!)"
        more = max(rules.bare_words - 1, 0)
        asker = rf"^\W*{number}(?:(?:{askers})\s*[:.)-]\s*)?"
        return cls(
            question=re.compile(rf"{asker}(?:{openers})\b", re.I),
            asked=re.compile(rf"^\W*(?:{askers})\s*[:.)-]", re.I),
            yes=re.compile(rf"^\W*{label}(?:{yes})\b", re.I),
            no=re.compile(rf"^\W*{label}(?:{no})\b(?!\s+(?:{not_no})\b)", re.I),
            not_yes_no=re.compile(rf"\b(?:{_alternation(rules.not_yes_no) or '(?!)'})\b", re.I),
            bare=re.compile(
                rf"{asker}(?:[\w'-]+\s+){{0,{more}}}[\w'-]+\s*\?\s*$" if rules.bare_words else r"(?!)", re.I
            ),
            # a "no" that is the whole answer ("Confused? Not really, just slow"), not the start of one
            # ("Bladder? Not really working")
            bare_no=re.compile(rf"^\W*{label}(?:{no})\s*(?:[,.;!–-]|\d{{1,2}}\s*[.)]|$)", re.I),
            telling=re.compile(rf"^\W*(?:{_alternation(rules.telling) or '(?!)'})\b", re.I),
        )


@dataclass(frozen=True)
class AskedAndAnswered:
    """Sentence indexes: questions left open, and those answered "no" (denied)."""

    open: set[int]
    answered_no: set[int]


_OR = re.compile(r"\bor\b", re.I)


def _tells(rules: ConversationRules, question: str) -> bool:
    """A question that takes its subject as given, with no other question beside it ("Is this normal on
    steroids or am I going to have a fit?" still asks about the fit)."""
    return bool(rules.telling.match(question)) and not _OR.search(question)


def read_questions(rules: ConversationRules, text: str, layout: Layout) -> AskedAndAnswered:
    """Which sentences of ``text`` are questions still open, and which were answered "no" by the next."""
    sentences = layout.sentences
    said = [text[s.char_start : s.char_end] for s in sentences]
    asked = {
        s.index
        for s in sentences
        if said[s.index].rstrip().endswith("?")
        and rules.question.match(said[s.index])
        and not _tells(rules, said[s.index])
    }
    # A bare question is one only when a "no" answers it ("Confused? Not really"); alone it may be the
    # writer's own worry ("Stroke?") and is read as it stands.
    asked |= {
        s.index
        for s in sentences[:-1]
        if rules.bare.match(said[s.index]) and rules.bare_no.match(said[s.index + 1])
    }
    denied: set[int] = set()
    stated: set[int] = set()
    for s in sentences:
        if s.index not in asked or s.index + 1 >= len(sentences):
            continue
        question, answer = said[s.index], said[s.index + 1]
        if rules.no.match(answer) and not rules.not_yes_no.search(question):
            denied.add(s.index)
        elif rules.yes.match(answer) and rules.asked.match(question):
            stated.add(s.index)
    return AskedAndAnswered(asked - denied - stated, denied)
