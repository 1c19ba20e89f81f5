"""ConText rules: medspaCy's defaults, minus a few that misfire on patient language, plus ours.

Our rules live in ``data/context_rules.json`` (rules as data). One extension is not expressible
in medspaCy's JSON: ``"scope": "list"`` restricts a rule to targets that are joined to it only
by list words and copulas, so "Na, K, Ca and TSH normal" negates all four, while "twitching in my
calf, strength is normal" leaves the twitching alone; ``"scope": "clause"`` to targets in the same
clause ("hot when everyone else is cold, heart racing").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from medspacy.context import ConTextRule
from spacy.tokens import Doc, Span

from twitchcheck.text.grammar import Grammar
from twitchcheck.text.tokens import token_strings

SPAN_GROUP = "medspacy_spans"
_COVER_KEY = "twitchcheck_target_tokens"

# Our categories beyond medspaCy's defaults (see data/context_rules.json).
NEGATED = "NEGATED_EXISTENCE"
NORMAL = "NORMAL"
POSSIBLE = "POSSIBLE_EXISTENCE"
FEAR = "FEAR"
HYPOTHETICAL = "HYPOTHETICAL"
HISTORICAL = "HISTORICAL"
FAMILY = "FAMILY"
OTHER_PERSON = "OTHER_PERSON"
SELF = "SELF"
RESOLVED = "RESOLVED"
CLAUSE = "CLAUSE"
CLAUSE_SELF = "CLAUSE_SELF"
# "no fever and neck is stiff": a body noun with its own verb starts a new statement, ending a denial or a
# verdict said before it (a "normal" after it cannot reach back across it either: "speech is normal and face
# is drooping").
NEW_SUBJECT = "NEW_SUBJECT"
FIRST_TIME = "FIRST_TIME"

# A new clause (", and my...") ends negation and worry; only a first-person word ends FAMILY, since
# "my aunt had ALS and she had cramps" is still about the aunt.
_CLAUSES = [CLAUSE, CLAUSE_SELF]
TERMINATING_TYPES = {
    FAMILY: [SELF, CLAUSE_SELF],
    OTHER_PERSON: [SELF, CLAUSE_SELF],
    NEGATED: [*_CLAUSES, NEW_SUBJECT],
    NORMAL: [*_CLAUSES, NEW_SUBJECT],
    POSSIBLE: [*_CLAUSES, NEW_SUBJECT],
    HYPOTHETICAL: [*_CLAUSES, NEW_SUBJECT],
    FEAR: [*_CLAUSES, NEW_SUBJECT],
    RESOLVED: [*_CLAUSES, NEW_SUBJECT],
}


def _default_rules_path() -> Path:
    import medspacy

    return Path(medspacy.__file__).resolve().parents[1] / "resources" / "en" / "context_rules.json"


def target_token_cover(doc: Doc) -> set[int]:
    """Token indices covered by any target span (cached on the doc)."""
    cached = doc.user_data.get(_COVER_KEY)
    if isinstance(cached, set):
        return cached
    cover: set[int] = set()
    for span in doc.spans.get(SPAN_GROUP, []):
        cover.update(range(span.start, span.end))
    doc.user_data[_COVER_KEY] = cover
    return cover


def list_scope(words: frozenset[str]) -> Callable[[Span, Span, Span], bool]:
    """An ``on_modifies`` callback: only list words, copulas or other targets between the two."""

    def check(target: Span, modifier: Span, _between: Span) -> bool:
        doc = target.doc
        start, end = (
            (target.end, modifier.start) if target.end <= modifier.start else (modifier.end, target.start)
        )
        if end <= start:
            return True
        cover = target_token_cover(doc)
        lower = token_strings(doc).lower
        return all(i in cover or lower[i] in words for i in range(start, end))

    return check


# What ends a clause for ``"scope": "clause"``: a comma or semicolon, or a new subject (a pronoun here, and
# the grammar's relative words: "while everyone else was eating Dad suddenly couldn't lift his arm").
_CLAUSE_ENDS = frozenset(
    {",", ";", "he", "she", "they", "i", "we", "my", "our", "his", "her", "their"}
    | {"he's", "she's", "they're", "i'm"}
)


def clause_scope(ends: frozenset[str]) -> Callable[[Span, Span, Span], bool]:
    """An ``on_modifies`` callback: none of ``ends`` between the two ("hot when everyone else is cold, heart
    racing": the others reach "cold" only)."""

    def check(target: Span, modifier: Span, _between: Span) -> bool:
        start, end = (
            (target.end, modifier.start) if target.end <= modifier.start else (modifier.end, target.start)
        )
        lower = token_strings(target.doc).lower
        return not any(lower[i] in ends for i in range(start, end))

    return check


def load_rules(grammar: Grammar) -> list[Any]:
    """Default rules (minus ``remove``) followed by ours, as ``ConTextRule`` objects."""
    ours = json.loads(
        resources.files("twitchcheck.text").joinpath("data", "context_rules.json").read_text("utf-8")
    )
    removed = set(ours.get("remove", []))
    defaults = json.loads(_default_rules_path().read_text("utf-8"))["context_rules"]
    rules: list[Any] = [ConTextRule.from_dict(r) for r in defaults if r["literal"] not in removed]
    # Set here rather than through ConText's ``terminating_types`` config: spaCy's config
    # validation turns those lists into one-shot iterators, so only the first rule got them.
    scope_words = frozenset(w.lower() for w in grammar.list_scope_tokens)
    relatives = grammar.people.relatives
    clause_ends = _CLAUSE_ENDS | {w.lower() for w in (*relatives.female, *relatives.male, *relatives.any)}
    for raw in ours["context_rules"]:
        data = dict(raw)
        scope = data.pop("scope", None)
        # medspaCy's from_dict does not read ``terminated_by``, though ConTextRule takes it.
        terminated_by = set(data.pop("terminated_by", ()))
        rule = ConTextRule.from_dict(data)
        rule.terminated_by |= terminated_by
        if scope == "list":
            rule.on_modifies = list_scope(scope_words)
        elif scope == "clause":
            rule.on_modifies = clause_scope(clause_ends)
        elif scope is not None:
            raise ValueError(f"context rule {data.get('literal')!r}: unknown scope {scope!r}")
        rules.append(rule)
    for rule in rules:
        rule.terminated_by |= set(TERMINATING_TYPES.get(rule.category, ()))
    return rules
