"""Matched targets with their ConText status, after overlap pruning and reporter handling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.clauses import Layout
from twitchcheck.text.context_rules import (
    FAMILY,
    FEAR,
    HYPOTHETICAL,
    NEGATED,
    NORMAL,
    OTHER_PERSON,
    POSSIBLE,
    SPAN_GROUP,
)
from twitchcheck.text.grammar import Comparisons, Grammar
from twitchcheck.text.pipeline import NEGATED_PREFIX_KEY, Pipeline, target_info
from twitchcheck.text.tokens import TokenStrings, token_strings
from twitchcheck.text.vocabulary import TargetInfo


@dataclass(frozen=True)
class Target:
    """A finding word in the text and what ConText says about it."""

    info: TargetInfo
    finding: Finding
    tok_start: int
    tok_end: int
    start: int
    end: int
    sentence: int
    clause: int
    mods: frozenset[str]
    strong_negation: bool
    internal_negation: bool
    family_words: frozenset[str] = frozenset()
    negation_words: frozenset[str] = frozenset()
    # The FAMILY and OTHER_PERSON modifiers on it: (category, words), to drop those naming the reporter.
    person_modifiers: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def negated(self) -> bool:
        return NEGATED in self.mods or NORMAL in self.mods or self.internal_negation

    @property
    def firmly_negated(self) -> bool:
        """Negated by "no"/"without"/"fine"-type cues, not only by "not"."""
        return NORMAL in self.mods or self.strong_negation or self.internal_negation


def collect_targets(
    pipeline: Pipeline,
    doc: Doc,
    findings: Mapping[str, Finding],
    grammar: Grammar,
    layout: Layout,
    normalize_negations: frozenset[str],
    reporter_words: frozenset[str],
) -> list[Target]:
    """All targets in ``doc``; nested matches of a different finding are dropped (longest wins)
    unless one of the two is a body site or the outer one qualifies the course ("tongue
    fasciculations", "getting weaker" keep both). A FAMILY or OTHER_PERSON modifier naming one of
    ``reporter_words`` (the relative who is the patient) is not counted (see :func:`with_reporter`)."""
    strong = {w.lower() for w in grammar.strong_negation}
    describing = {w.lower() for w in grammar.describing}
    keep_nested = set(grammar.keep_nested_in)
    negated_prefix: set[int] = doc.user_data.get(NEGATED_PREFIX_KEY, set())
    strings = token_strings(doc)
    lower = strings.lower
    raw = []
    seen: set[tuple[str, int, int]] = set()
    for span in doc.spans.get(SPAN_GROUP, []):
        info = target_info(pipeline, span)
        key = (info.finding, span.start, span.end)
        if key in seen or info.finding not in findings:
            continue
        seen.add(key)
        raw.append((span, info))
    # Spans covering each token: only those can contain a span starting there (no all-pairs scan).
    covering: dict[int, list[tuple[Any, TargetInfo]]] = {}
    for span, info in raw:
        for i in range(span.start, span.end):
            covering.setdefault(i, []).append((span, info))
    kept = []
    for span, info in raw:
        category = findings[info.finding].category
        swallowed = False
        for other, other_info in covering[span.start]:
            if other_info.finding == info.finding and (other.start, other.end) == (span.start, span.end):
                continue
            contains = (
                other.start <= span.start
                and span.end <= other.end
                and (other.end - other.start) > (span.end - span.start)
            )
            if not contains:
                continue
            if other_info.finding == info.finding:
                if other_info.only_with:
                    continue  # a frame that needs company may be dropped below: the synonym stands alone
                swallowed = True
                break
            if "location" in (category, findings[other_info.finding].category):
                continue
            if other_info.finding in keep_nested or other_info.means_normal:
                continue
            if other_info.kind in ("head", "frame"):
                continue  # a head or a frame never hides a synonym said inside it
            swallowed = True
            break
        if not swallowed:
            kept.append((span, info))
    # A frame that needs company ("missed Friday's session" needs dialysis) counts only beside it.
    named = {info.finding for _, info in kept if info.kind != "learned"}
    kept = [(span, info) for span, info in kept if not info.only_with or info.only_with & named]

    graph = doc._.context_graph
    # Each span's ``_.modifiers`` as ConText set them, edge by edge and keyed by the span's offsets (two
    # targets on the same words share them), read from the graph's edges: spaCy's extension lookup
    # cost more than the rest of a target.
    modifiers_of: dict[tuple[int, int], list[Any]] = {}
    for edge_target, edge_modifier in graph.edges if graph is not None else ():
        modifiers_of.setdefault((edge_target.start, edge_target.end), []).append(edge_modifier)
    # Negations that begin before a token and run past it, by token.
    straddles: dict[int, list[Any]] = {}
    for m in graph.modifiers if graph is not None else ():
        if m.category in (NEGATED, NORMAL):
            for i in range(m.modifier_span[0] + 1, m.modifier_span[1]):
                straddles.setdefault(i, []).append(m)
    targets = []
    bracket_of = _brackets(lower)
    # A negation that words saying what is normal take for themselves ("does not hear me") ends there: the
    # complaint after them is not denied ("he does not hear me, arms jerking"). Negation cue -> where it ends.
    used_negations: dict[tuple[int, int], int] = {}
    for span, info in kept:
        if info.says_normal:
            for modifier in modifiers_of.get((span.start, span.end), ()):
                m_start, m_end = modifier.modifier_span
                before = m_end <= span.start and _right_before(lower, m_end, span.start)
                if modifier.category == NEGATED and before:
                    used_negations[(m_start, m_end)] = span.end
    # ... and so does one inside a frame that names a finding with it ("she isn't breathing and has gone
    # blue": the "n't" belongs to the breathing)
    negations = [m for m in (graph.modifiers if graph is not None else ()) if m.category == NEGATED]
    for span, info in kept:
        if info.kind == "frame" and any(n in normalize_negations for n in info.norms):
            for modifier in negations:
                m_start, m_end = modifier.modifier_span
                if span.start <= m_start and m_end < span.end:  # inside, before what it denies
                    used_negations[(m_start, m_end)] = span.end
    for span, info in kept:
        if info.short and not _short_ok(doc, span.start):
            continue
        mods: set[str] = set()
        strong_neg = False
        family_words: set[str] = set()
        negation_words: set[str] = set()
        person_modifiers: list[tuple[str, frozenset[str]]] = []
        near_negation = False  # a negation with no comma between it and the words
        # ConText ignores a modifier that overlaps its target; "No trouble" + "trouble swallowing"
        # overlap, yet the "No" clearly denies the swallowing trouble.
        for modifier in [*modifiers_of.get((span.start, span.end), ()), *straddles.get(span.start, ())]:
            m_start, m_end = modifier.modifier_span
            words = set(lower[m_start:m_end])
            category = modifier.category
            if category in _BRACKETED and bracket_of.get(m_start, -1) not in (-1, bracket_of.get(span.start)):
                continue  # a denial or doubt inside brackets stays there: "legs (no pain) weak and numb"
            if category == NEGATED and span.start >= used_negations.get((m_start, m_end), len(lower) + 1):
                continue
            if category == NEGATED and _other_kind_listed_first(
                strings, m_end, span.start, info.finding, kept, findings, words
            ):
                continue
            if category == NEGATED and span.start <= m_start and m_end <= span.end:
                # A negation inside the match is counted by ``internal`` below, against the
                # negations the synonym itself carries ("can't pee" is a problem, not a denial).
                continue
            if (
                category == NEGATED
                and m_start < span.start < m_end
                and info.kind != "learned"
                and any(w in normalize_negations for w in lower[span.start : m_end])
                and any(n in normalize_negations for n in info.norms)
                and not any(w in normalize_negations for w in lower[m_start : span.start])
            ):
                # "was not" + "not with it": the cue's only negation is the synonym's own "not".
                continue
            if category == NORMAL and info.means_normal:
                continue
            if (
                category == NORMAL
                and info.kind != "learned"
                and span.start <= m_start
                and m_end < span.end
                and words <= describing
            ):
                continue  # "a great jolt", "fine tremor": the word describes what follows it, not a verdict
            if category == NORMAL and _not_normal_here(words, info.finding, grammar.normal_only_for):
                continue
            if category == NORMAL and _stated_before_list(
                strings, span, (m_start, m_end), info, kept, findings
            ):
                continue
            if (
                category == NORMAL
                and info.kind != "head"
                and findings[info.finding].category in _COMPLAINT_KINDS | {"location"}
                and _verdict_on_what_precedes(strings, span, (m_start, m_end), kept)
            ):
                continue
            if category == OTHER_PERSON and span.start < m_start and m_end <= span.end:
                continue  # others inside the finding's own words: "hot when everyone else is cold"
            if category == FAMILY:
                family_words |= words
            if category in (FAMILY, OTHER_PERSON):
                person_modifiers.append((category, frozenset(words)))
                if words & reporter_words:
                    continue
            mods.add(category)
            if category == NEGATED:
                negation_words |= words
                strong_neg = strong_neg or bool(words & strong)
                near_negation = near_negation or _right_before(lower, m_end, span.start)
        span_negs = sum(1 for w in lower[span.start : span.end] if w in normalize_negations)
        # A learned target includes a "not" only when its reader judged it part of the problem.
        own_negs = (
            span_negs if info.kind == "learned" else sum(1 for n in info.norms if n in normalize_negations)
        )
        internal = span_negs > own_negs or any(i in negated_prefix for i in range(span.start, span.end))
        if info.denied_only and not (internal or negation_words & _DENIAL_WORDS):
            continue  # "the pain is bad": which pain is not said; only a plain "no" or "not" denies it here
        if info.says_normal:
            after = lower[span.end : span.end + 3]
            if (
                _LIMITED_AFTER.intersection(after)
                or "x" in after[:1]
                or _LIMITED_BEFORE.intersection(lower[max(0, span.start - 2) : span.start])
            ):
                continue
            # "lucid" denies confusion by itself; "not lucid" affirms it, "no fits, fully alert" does not
            denied = near_negation or internal
            mods -= {NEGATED, NORMAL}
            # internal negation is what makes a target read absent: here the words themselves deny the finding
            internal, strong_neg, negation_words = not denied, False, set()
        targets.append(
            Target(
                info=info,
                finding=findings[info.finding],
                tok_start=span.start,
                tok_end=span.end,
                start=span.start_char,
                end=span.end_char,
                sentence=layout.sentence_of[span.start],
                clause=layout.clause_of[span.start],
                mods=frozenset(mods),
                strong_negation=strong_neg,
                internal_negation=internal,
                family_words=frozenset(family_words),
                negation_words=frozenset(negation_words),
                person_modifiers=tuple(person_modifiers),
            )
        )
    targets.sort(key=lambda t: (t.start, -t.end))
    return _without_manner(doc, _without_comparisons(doc, targets, grammar), grammar)


def with_reporter(targets: Sequence[Target], reporter_words: frozenset[str]) -> list[Target]:
    """The targets as :func:`collect_targets` reads them with ``reporter_words``, from its reading
    without them: only the FAMILY and OTHER_PERSON modifiers naming the reporter differ, and which
    targets are kept does not depend on them, so the text is not read a second time."""
    if not reporter_words:
        return list(targets)
    out = []
    for t in targets:
        if not any(words & reporter_words for _, words in t.person_modifiers):
            out.append(t)
            continue
        kept = {category for category, words in t.person_modifiers if not words & reporter_words}
        out.append(replace(t, mods=(t.mods - {FAMILY, OTHER_PERSON}) | kept))
    return out


def _without_manner(doc: Doc, targets: list[Target], grammar: Grammar) -> list[Target]:
    """Drop a one-word finding that describes how a movement happens ("suddenly kick out") or a leap
    ("jumped into the river"), and a finding's synonym that names a thing or another finding ("the cold
    floor", "is seizing up", told by the word right after it; "hay fever", told by the word right before; a
    feeling of heat beside others as a yardstick, grammar ``yardsticks``)."""
    yardsticks = grammar.yardsticks
    if not grammar.manner and not grammar.objects and not grammar.compounds and yardsticks is None:
        return targets

    lower = token_strings(doc).lower

    def followed_by(t: Target, words: list[str] | None) -> bool:
        if words is None or t.tok_end >= len(lower):
            return False
        return lower[t.tok_end] in words or any(
            " " in w and lower[t.tok_end : t.tok_end + w.count(" ") + 1] == w.split() for w in words
        )

    def preceded_by(t: Target, words: list[str] | None) -> bool:
        """The word before, over a few small words ("fingers keep going blue", "hair has gone grey")."""
        if words is None:
            return False
        i = t.tok_start - 1
        while i >= 0 and t.tok_start - i <= 3 and lower[i] in _SMALL_WORDS:
            i -= 1
        return i >= 0 and lower[i] in words

    def beside_others(t: Target) -> bool:
        return (
            yardsticks is not None
            and t.info.finding in yardsticks.findings
            and lower[t.tok_end - 1] in yardsticks.feelings
            and followed_by(t, yardsticks.phrases)
        )

    def describes(t: Target) -> bool:
        one_word = t.tok_end - t.tok_start == 1
        return (one_word and followed_by(t, grammar.manner.get(t.info.finding))) or (
            t.info.kind == "synonym"
            and (
                followed_by(t, grammar.objects.get(t.info.finding))
                or preceded_by(t, grammar.compounds.get(t.info.finding))
                or beside_others(t)
            )
        )

    return [t for t in targets if not describes(t)]


def _without_comparisons(doc: Doc, targets: list[Target], grammar: Grammar) -> list[Target]:
    """Drop things named only to describe another ("wee like cola", "felt like he tripped"; grammar
    ``comparisons``)."""
    for rule in grammar.comparisons:
        targets = _without_comparison(doc, targets, rule)
    return targets


def _without_comparison(doc: Doc, targets: list[Target], rule: Comparisons) -> list[Target]:
    if not any(t.info.finding in rule.findings for t in targets):
        return targets
    clauses = {t.clause for t in targets if t.info.finding in rule.about}
    if rule.about and not clauses:
        return targets
    markers = [tuple(m.split()) for m in rule.markers]
    lower = token_strings(doc).lower

    def after_marker(start: int) -> bool:
        for gap in range(rule.gap + 1):
            for marker in markers:
                end = start - gap
                begin = end - len(marker)
                if begin >= 0 and tuple(lower[begin:end]) == marker:
                    return True
        return False

    return [
        t
        for t in targets
        if not (
            t.info.finding in rule.findings
            and (not rule.about or t.clause in clauses)
            and not doc[t.tok_start].like_num  # "like 5 coffees": about five, no comparison
            and after_marker(t.tok_start)
        )
    ]


# A denial carries along a comma list of the same kind ("no weakness, numbness or pain") but not into
# a trigger named after it: "no weakness, sleeping badly with the stress" denies only the weakness.
_OWN_LIST_KINDS = frozenset({"trigger"})
# Nor from a habit, medicine or test into the complaint told after it: "vegan, no b12 supplements, eyelid
# twitching, pins and needles" and "no caffeine, twitching in my calf" deny only the supplements and coffee.
_COMPLAINT_KINDS = frozenset({"symptom", "character", "location"})
_CONTEXT_KINDS = frozenset({"trigger", "medication", "test", "history"})
# ... said by a plain "no", "not on" or "without" (a clinician's "denies" or "negative for" heads a list of
# denials), and only when the next item is a complaint in a place ("eyelid twitching", "weakness in left
# arm"): words that put a complaint in a place.
# The plain denials a word named only when denied needs ("no pain", "not sore", "doesn't hurt"); a clinical
# cue that ConText also counts as a denial ("flexor" plantars) does not make "painful flexor spasms" a denial.
_DENIAL_WORDS = frozenset(
    {"no", "not", "n't", "nt", "without", "never", "nor", "dont", "doesnt", "isnt", "none"}
)
_PLACE_WORDS = frozenset({"in", "on", "left", "right", "l", "r", "both", "my", "his", "her"})
_PLAIN_DENIALS = frozenset(
    {"no", "not", "n't", "nt", "on", "any", "taking", "using", "none", "without"}
    | {"history", "of", "hx", "known", "previous", "prior", "past"}  # "no history of ...", "no previous ..."
)


# Words that may sit between a negation and what it denies right there ("not really with it", "doesn't
# seem to know me"); anything else ("no other troubles, legs work fine") leaves a "normal" word alone
_NEAR = frozenset(
    {"really", "very", "fully", "quite", "that", "so", "too", "as", "is", "are", "was", "were", "'s", "be"}
    | {"being", "been", "feel", "feels", "seem", "seems", "to", "totally", "completely", "all", "there"}
    | {"even", "think", "sure", "i", "he", "she", "they", "always", "still"}
)


def _right_before(lower: Sequence[str], cue_end: int, start: int) -> bool:
    """Only ``_NEAR`` words lie between a negation ending at ``cue_end`` and words starting at ``start``."""
    return all(lower[i] in _NEAR for i in range(cue_end, start))


# A "normal" word said with a limit is no longer normal: "A&O x1", "orientated to person only", "only responds
# to me when I shout", "legs strong until this morning", "lucid till yesterday"
_LIMITED_AFTER = frozenset({"x1", "x2", "only", "until", "till", "til", "yesterday", "earlier", "before"})
_LIMITED_BEFORE = frozenset({"only", "until", "till", "barely", "hardly", "partly", "partially", "sometimes"})
# Words between a break and a trailing "fine" that name nothing ("..., and is fine"); "all", "everything"
# and "otherwise" name the rest ("eyelid twitching, all fine otherwise")
_NOT_AN_ITEM = frozenset(
    {"is", "are", "was", "were", "seems", "seem", "feels", "feel", "felt", "looks", "look", "the", "my"}
    | {"his", "her", "its", "it", "both", "still", "completely", "totally", "pretty", "quite", "very"}
    | {"really", "so", "and"}
)


def _stated_before_list(
    strings: TokenStrings,
    span: Any,
    cue: tuple[int, int],
    info: TargetInfo,
    kept: Sequence[tuple[Any, TargetInfo]],
    findings: Mapping[str, Finding],
) -> bool:
    """A complaint told in its own words, then a comma and something else found fine: "face drooping,
    speech fine", "eyelid twitching, breathing ok". The "fine" is about what comes just before it."""
    cue_start, cue_end = cue
    # a head names a function ("speech, swallowing and breathing fine"), as a test's name does ("Na, K, Ca
    # normal", checked by ``names_test`` below): a trailing "fine" governs them through a list
    if cue_start < span.end or info.kind in ("head", "learned"):
        return False
    one_word = info.kind == "synonym" and len(info.norms) == 1
    category = findings[info.finding].category
    if (one_word or info.names_test) and category not in ("character", "location", "symptom", "course"):
        return False
    text, lower = strings.text, strings.lower
    breaks = [i for i in range(span.end, cue_start) if text[i] in (",", ";") or lower[i] in ("and", "&")]
    if not breaks:
        return False
    if category == "location":
        # a body part is stated only with what it does ("calf twitching, vision fine"); alone it is
        # a list item ("left hand and legs are fine")
        start = span.start
        while start > 0 and text[start - 1] not in (",", ";", ".", "!", "?", ":"):
            start -= 1
        if not any(
            start <= other.start < breaks[0] and findings[i.finding].category != "location"
            for other, i in kept
        ):
            return False
    # ... and something else is named after the break ("back pain and can't pee, legs fine")
    return any(lower[i] == "otherwise" for i in range(cue_end, min(cue_end + 2, len(lower)))) or any(
        text[i].isalpha() and lower[i] not in _NOT_AN_ITEM for i in range(breaks[0] + 1, cue_start)
    )


# Words that may sit between what is judged and the verdict ("strength is normal", "reflexes all normal").
_COPULAS = frozenset(
    {"is", "are", "was", "were", "all", "both", "seems", "seem", "looks", "look", "feels", "feel"}
)


# Words a compound's subject may stand across ("toes are turning blue", "fingers keep going blue").
_SMALL_WORDS = frozenset(
    {"are", "is", "was", "were", "have", "has", "had", "keep", "keeps", "kept", "always", "sometimes"}
    | {"often", "just", "still", "all", "both", "then", "now", "been", "'ve", "'s"}
)


# What a bracket keeps to itself: a denial, a verdict, a doubt or a worry said inside it.
_BRACKETED = frozenset({NEGATED, NORMAL, POSSIBLE, HYPOTHETICAL, FEAR})


def _brackets(lower: Sequence[str]) -> dict[int, int]:
    """Token index -> index of the "(" it sits inside, for every token inside a closed bracket (the
    innermost; the brackets themselves are outside)."""
    inside: dict[int, int] = {}
    opened: list[int] = []
    for i, word in enumerate(lower):
        if word == "(":
            opened.append(i)
        elif word == ")" and opened:
            start = opened.pop()
            for j in range(start + 1, i):
                inside.setdefault(j, start)
        elif word in (".", "!", "?") or "\n" in word:
            opened.clear()
    return inside


def _verdict_on_what_precedes(
    strings: TokenStrings, span: Any, cue: tuple[int, int], kept: Sequence[tuple[Any, TargetInfo]]
) -> bool:
    """A verdict with its subject just before it ("reflexes normal", "power is normal") judges that subject,
    not a complaint told after a comma: "power normal, twitching L calf" states the twitching (an exam or
    test name after it is still a list the verdict covers: "reflexes normal, tone, power intact")."""
    cue_start, cue_end = cue
    if cue_end > span.start:
        return False
    text, lower = strings.text, strings.lower
    if not any(text[i] in (",", ";") for i in range(cue_end, span.start)):
        return False
    for other, _ in kept:
        if other.start >= cue_start or other.end > span.start:
            continue
        gap = range(other.end, cue_start)
        if len(gap) <= 2 and all(lower[i] in _COPULAS for i in gap):
            return True
    return False


def _other_kind_listed_first(
    strings: TokenStrings,
    cue_end: int,
    start: int,
    finding: str,
    kept: Sequence[tuple[Any, TargetInfo]],
    findings: Mapping[str, Finding],
    cue: set[str],
) -> bool:
    """The denial before ``start`` first denies something of another kind, then a comma follows: a
    complaint (a symptom first) before a trigger, or a habit, medicine, test or no finding at all before
    the twitch."""
    category = findings[finding].category
    if category not in _OWN_LIST_KINDS | _COMPLAINT_KINDS or start <= cue_end:
        return False
    text, lower = strings.text, strings.lower
    commas = [i for i in range(cue_end, start) if text[i] in (",", ";")]
    if not commas:
        return False
    for i in range(cue_end, min(len(text), start + 6)):
        if text[i] in (".", "!", "?"):
            break
        if lower[i] in ("or", "nor"):
            return False  # "no fever, stress or caffeine" is one list
    # (a word that names a finding only when denied, "no chest pain", names no complaint of its own)
    first = {
        findings[i.finding].category
        for other, i in kept
        if cue_end <= other.start < commas[0] and not i.denied_only
    }
    if category in _OWN_LIST_KINDS:
        return bool(first - {*_OWN_LIST_KINDS, "location"})
    if first & _COMPLAINT_KINDS or (first and not first & _CONTEXT_KINDS) or not cue <= _PLAIN_DENIALS:
        return False  # the first item denied is itself a complaint (or family), or a clinician's list
    # ... and only when a complaint in a place comes next ("no recent illness, fever, weakness": all denied)
    end = commas[0] + 1
    while end < len(text) and text[end] not in (",", ";", ".", "!", "?"):
        end += 1
    named = {findings[info.finding].category for other, info in kept if commas[0] < other.start < end}
    placed = "location" in named or any(lower[i] in _PLACE_WORDS for i in range(commas[0] + 1, end))
    return bool(named & {"character", "symptom"}) and placed


def _not_normal_here(words: set[str], finding: str, only_for: Mapping[str, list[str]]) -> bool:
    """A "fine" word that cannot deny ``finding`` ("strong" denies weakness, not pain)."""
    limited = [w for w in words if w in only_for]
    return bool(limited) and len(limited) == len(words) and all(finding not in only_for[w] for w in limited)


def _short_ok(doc: Doc, i: int) -> bool:
    """Two- and three-letter lab names ("K", "Ca", "Mg") only as written in notes: capitalised,
    not a unit after a number ("40 mg") and not part of a word split by the tokenizer ("can't")."""
    token = doc[i]
    text = token.text
    if len(text) <= 2 and not any(c.isupper() for c in text):
        return False
    if i > 0 and (doc[i - 1].like_num or doc[i - 1].text[-1:].isdigit()):
        return False
    if i + 1 < len(doc) and (doc[i + 1].text in ("/", "'s", "'") or doc[i + 1].lower_ in ("n't", "nt")):
        return False
    return not (i + 1 < len(doc) and not token.whitespace_ and doc[i + 1].is_alpha)
