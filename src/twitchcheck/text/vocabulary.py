"""Target patterns, built only from the knowledge base's finding synonyms and labels.

Each synonym becomes a token pattern over normalised words (see ``normalize``), so one synonym
covers its inflections; a few small filler words may sit between its words ("face is drooping"
~ "face drooping"), and a two-word synonym also matches reversed ("pain in my neck" ~ "neck pain").

Besides whole synonyms we derive *heads*: the body function a finding's synonyms share once the
problem words are removed ("trouble swallowing", "difficulty swallowing" -> "swallowing"). A head
alone never makes a finding present; it only lets "swallowing is fine" make it absent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from twitchcheck.knowledge.schema import Finding
from twitchcheck.text.grammar import Grammar
from twitchcheck.text.normalize import Normalizer

TargetKind = Literal["synonym", "head", "frame", "learned"]
Tokenize = Callable[[str], list[str]]

_PAREN = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class TargetInfo:
    """What a matched span stands for (found through the span's label)."""

    finding: str
    phrase: str
    kind: TargetKind
    norms: tuple[str, ...]
    short: bool
    family_cue: bool
    names_test: bool = False
    # The finding itself means "found normal" (e.g. assessed_normal): a "normal" cue cannot deny it.
    means_normal: bool = False
    # A frame's match counts only in a text that also names one of these findings (``Frame.only_with``).
    only_with: frozenset[str] = frozenset()
    # A match counts only when denied (``Finding.denied_synonyms``): "no pain" is muscle pain denied.
    denied_only: bool = False
    # The words say the finding is absent (``Finding.normal_synonyms``): "lucid" denies confusion, and
    # "not lucid" affirms it.
    says_normal: bool = False


@dataclass(frozen=True)
class FrameSpec:
    """One change phrase of one knowledge-base frame, in normal forms (see ``frames.py``); its entry
    ``targets[target]`` has an empty pattern."""

    target: int
    parts: frozenset[str]
    change: tuple[str, ...]
    window: int
    before: int  # words allowed when the change comes first (-1: never)
    stops: frozenset[str]
    across_commas: bool = False
    passes: frozenset[str] = frozenset()  # body words that do not stop it
    exact: frozenset[str] = frozenset()  # when set, a part must also be written as one of these


@dataclass(frozen=True)
class Vocabulary:
    """All target patterns plus the word lists the fuzzy matcher and value readers need."""

    targets: tuple[tuple[TargetInfo, tuple[dict[str, Any], ...]], ...]
    surface_norms: dict[str, str]
    body_norms: frozenset[str]
    heads: dict[str, frozenset[str]]
    frames: tuple[FrameSpec, ...] = ()


def phrases_of(finding: Finding) -> list[str]:
    """Synonyms plus the label (without parenthesised asides), lower case, de-duplicated."""
    out: list[str] = []
    for raw in [*finding.synonyms, _PAREN.sub("", finding.label)]:
        phrase = " ".join(raw.lower().split())
        if phrase and phrase not in out:
            out.append(phrase)
    return out


def build_vocabulary(
    findings: Mapping[str, Finding],
    grammar: Grammar,
    tokenize: Tokenize,
    normalize: Normalizer,
) -> Vocabulary:
    """Compile the target patterns for every non-demographic finding."""
    # Numbers may sit where fillers may ("lost 8 kg" ~ "lost kg"; see grammar ``numbers``).
    number_words = {normalize(w) for w in grammar.numbers.words if " " not in w}
    fillers = sorted({normalize(w) for w in grammar.fillers} | number_words | {grammar.numbers.placeholder})
    no_reverse = {normalize(w) for w in grammar.no_reverse_words}
    family_words = {
        normalize(w)
        for group in (
            grammar.people.relatives.female,
            grammar.people.relatives.male,
            grammar.people.relatives.any,
        )
        for w in group
    } | {normalize("family"), normalize("families")}
    tokenized: dict[str, list[tuple[str, list[str], list[str]]]] = {}
    surface: dict[str, str] = {}
    for fid, finding in findings.items():
        if finding.category == "demographic":
            continue
        entries = []
        for phrase in phrases_of(finding):
            words = [w for w in tokenize(phrase) if w.strip()]
            norms = [normalize(w) for w in words]
            if not norms:
                continue
            entries.append((phrase, words, norms))
            _remember_surface(surface, words, norms)
        tokenized[fid] = entries

    body = {
        norms[0]
        for fid, entries in tokenized.items()
        if findings[fid].category == "location"
        for _, _, norms in entries
        if len(norms) == 1
    } | {normalize(w) for w in grammar.spread.regions}
    heads = _derive_heads(findings, tokenized, grammar, normalize, body)
    reverse_heads = (
        set(body)
        | {normalize(w) for w in grammar.problem_words}
        | {normalize(w) for w in grammar.reverse_when}
    )

    normal_words = {normalize(w) for w in grammar.qualifiers.normal if " " not in w} | {normalize("benign")}
    targets: list[tuple[TargetInfo, tuple[dict[str, Any], ...]]] = []
    for fid, entries in tokenized.items():
        means_normal = (
            bool(entries) and sum(bool(set(n) & normal_words) for _, _, n in entries) >= len(entries) / 4
        )
        done: set[tuple[str, ...]] = set()
        for phrase, words, norms in entries:
            if tuple(norms) in done:
                continue
            done.add(tuple(norms))
            short = len(norms) == 1 and len(words[0]) <= 3 and words[0].isalpha()
            label_head = normalize(findings[fid].label.split()[0]) if findings[fid].label.split() else ""
            info = TargetInfo(
                finding=fid,
                phrase=phrase,
                kind="synonym",
                norms=tuple(norms),
                short=short,
                family_cue=any(n in family_words for n in norms),
                names_test=len(norms) == 1 and norms[0] == label_head,
                means_normal=means_normal,
            )
            reversible = (
                len(norms) == 2 and not (set(norms) & no_reverse) and bool(set(norms) & reverse_heads)
            )
            for pattern in _patterns(norms, fillers, grammar.max_fillers, reversible):
                targets.append((info, pattern))
            spelled = _spelled_out(norms)
            if spelled is not None:  # "can't move" also as "cannot move", "can not move"
                targets.append((info, _with_fillers(spelled, fillers, grammar.max_fillers)))
        for head in sorted(heads.get(fid, ())):
            info = TargetInfo(fid, head, "head", (head,), False, False)
            targets.append((info, ({"NORM": head},)))
    for fid, finding in findings.items():
        for phrase in finding.denied_synonyms:
            norms = [normalize(w) for w in tokenize(phrase) if w.strip()]
            info = TargetInfo(fid, phrase, "synonym", tuple(norms), False, False, denied_only=True)
            targets.append((info, tuple({"NORM": n} for n in norms)))
        for phrase in finding.normal_synonyms:
            words = [w for w in tokenize(phrase) if w.strip()]
            norms = [normalize(w) for w in words]
            _remember_surface(surface, words, norms)
            # A "fine" cue beside it agrees with it ("alert and fine"), so it is read like assessed_normal.
            info = TargetInfo(
                fid, phrase, "synonym", tuple(norms), False, False, means_normal=True, says_normal=True
            )
            for pattern in _patterns(norms, fillers, grammar.max_fillers, False):
                targets.append((info, pattern))
    frames: list[FrameSpec] = []
    for fid, finding in findings.items():
        for frame in finding.frames:
            part_words = [*frame.parts, *_one_word_synonyms(findings, frame.parts_from)]
            parts = frozenset(n for word in part_words for n in _norms(word, tokenize, normalize)[-1:])
            stops = frozenset(n for word in frame.stops for n in _norms(word, tokenize, normalize))
            passes = frozenset(n for word in frame.passes for n in _norms(word, tokenize, normalize))
            exact = frozenset(w.lower() for w in part_words) if frame.exact_parts else frozenset()
            before = frame.window if frame.before is None else frame.before
            changes = [(change, _norms(change, tokenize, normalize)) for change in frame.changes]
            changes += [(c, tuple(s)) for c, n in changes if (s := _spelled_out(n)) is not None]
            for change, change_norms in changes:
                for word in tokenize(change):
                    if word.isalpha():
                        surface.setdefault(word.lower(), normalize(word))
                info = TargetInfo(
                    fid,
                    f"{frame.parts[0]} ... {change}",
                    "frame",
                    change_norms,
                    False,
                    False,
                    only_with=frozenset(frame.only_with),
                )
                frames.append(
                    FrameSpec(
                        len(targets),
                        parts,
                        change_norms,
                        frame.window,
                        before,
                        stops,
                        frame.across_commas,
                        passes,
                        exact,
                    )
                )
                targets.append((info, ()))
            for word in part_words:
                if word.isalpha():
                    surface.setdefault(word.lower(), normalize(word))
    return Vocabulary(
        targets=tuple(targets),
        surface_norms=surface,
        body_norms=frozenset(body),
        heads={k: frozenset(v) for k, v in heads.items()},
        frames=tuple(frames),
    )


def _norms(phrase: str, tokenize: Tokenize, normalize: Normalizer) -> tuple[str, ...]:
    return tuple(normalize(w) for w in tokenize(phrase.lower()) if w.strip())


# "can't" is read as "ca" + "n't", "cannot" as "can" + "not": a phrase with the short form matches the
# spelled-out one too (the long forms' first words, where they differ).
_SPELLED_OUT = {"ca": "can", "wo": "will", "sha": "shall"}


def _spelled_out(norms: list[str] | tuple[str, ...]) -> list[str] | None:
    """``norms`` with every "n't" written out ("ca n't move" -> "can not move"), or, when it has none, a
    phrase that opens with "not" contracted ("not herself" -> "n't herself", as in "isn't herself");
    None if neither applies."""
    if "n't" not in norms:
        return ["n't", *norms[1:]] if len(norms) > 1 and norms[0] == "not" else None
    out = list(norms)
    for i, norm in enumerate(norms):
        if norm == "n't":
            out[i] = "not"
            if i:
                out[i - 1] = _SPELLED_OUT.get(norms[i - 1], norms[i - 1])
    return out


def _remember_surface(surface: dict[str, str], words: list[str], norms: list[str]) -> None:
    """Keep each written word's normal form: the fuzzy matcher maps misspellings onto these words."""
    for word, norm in zip(words, norms, strict=True):
        if word.isalpha():
            surface.setdefault(word.lower(), norm)


def _patterns(
    norms: list[str], fillers: list[str], max_fillers: int, reversible: bool
) -> Iterable[tuple[dict[str, Any], ...]]:
    """The synonym in order with optional fillers between words; two content words also reversed."""
    yield _with_fillers(norms, fillers, max_fillers)
    if reversible and norms[0] != norms[1]:
        yield _with_fillers([norms[1], norms[0]], fillers, max_fillers)


def _with_fillers(norms: list[str], fillers: list[str], max_fillers: int) -> tuple[dict[str, Any], ...]:
    pattern: list[dict[str, Any]] = []
    for i, norm in enumerate(norms):
        if i and max_fillers:
            pattern.append({"NORM": {"IN": fillers}, "OP": f"{{,{max_fillers}}}"})
        pattern.append({"NORM": norm})
    return tuple(pattern)


def _derive_heads(
    findings: Mapping[str, Finding],
    tokenized: Mapping[str, list[tuple[str, list[str], list[str]]]],
    grammar: Grammar,
    normalize: Normalizer,
    body: set[str],
) -> dict[str, set[str]]:
    """Content words that stand for a finding's body function (see module docstring)."""
    noise = (
        {normalize(w) for w in grammar.problem_words}
        | {normalize(w) for w in grammar.fillers}
        | {normalize(w) for w in grammar.head_stopwords}
    )
    candidates: dict[str, set[str]] = defaultdict(set)
    content_count: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    single_words: set[str] = set()
    for fid, entries in tokenized.items():
        finding = findings[fid]
        for _, words, norms in entries:
            if len(norms) == 1:
                single_words.add(norms[0])
            content = [n for n, w in zip(norms, words, strict=True) if n not in noise and w.isalpha()]
            for n in set(content):
                content_count[fid][n] += 1
            if finding.category not in grammar.head_categories or finding.type != "binary":
                continue
            if len(norms) > 1 and len(content) == 1 and content[0] not in body and len(content[0]) >= 3:
                candidates[fid].add(content[0])
    # A head belongs to the finding whose synonyms use it most, if clearly so (twice the runner-up).
    usage: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for fid, counts in content_count.items():
        for n, count in counts.items():
            usage[n].append((count, fid))
    heads: dict[str, set[str]] = defaultdict(set)
    for fid, found in candidates.items():
        for word in found:
            ranked = sorted(usage[word], reverse=True)
            best_count, best = ranked[0]
            runner_up = ranked[1][0] if len(ranked) > 1 else 0
            if best != fid or best_count < 2 or word in single_words:
                continue
            if runner_up * grammar.head_dominance <= best_count:
                heads[fid].add(word)
    for word, shared_by in grammar.shared_heads.items():
        for fid in shared_by:
            if fid in findings:
                heads[fid].add(normalize(word))
    return heads


def _one_word_synonyms(findings: Mapping[str, Finding], ids: Iterable[str]) -> list[str]:
    """The single-word synonyms of ``ids`` ("ritalin", "sertraline"), for a frame's parts."""
    return [word for fid in ids if fid in findings for word in findings[fid].synonyms if word.isalpha()]
