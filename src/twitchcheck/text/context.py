"""medspaCy's ConText algorithm, run one block of sentences at a time.

medspaCy's ConText component compares every pair of modifiers, and every target with every
modifier, across the whole document, although a modifier's scope never leaves its sentence:
fine for one clinical note, quadratic for a long text. Here the document is cut into blocks at
sentence starts that no target or modifier straddles, and medspaCy's own ``ConTextGraph`` runs on
each block that holds a target and a modifier. Pairs in different blocks can neither limit each
other's scope nor form an edge, so the edges are the ones medspaCy would find (a test compares
the two). Modifiers are matched with :class:`~twitchcheck.text.matching.RuleMatcher` and pruned
with medspaCy's own pruning, as medspaCy's matcher does.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from medspacy.common.util import prune_overlapping_matches
from medspacy.context import ConText, ConTextGraph, ConTextModifier
from medspacy.util import tuple_overlaps
from spacy.language import Language
from spacy.tokens import Doc

from twitchcheck.text.matching import RuleMatcher
from twitchcheck.text.tokens import token_strings


class BlockConText:
    """A pipeline component: ConText modifiers on the targets in ``doc.spans[span_group]``.

    Sets ``Span._.modifiers`` and ``Doc._.context_graph`` like medspaCy's ConText (default
    settings, no span attributes). Scopes are only settled in blocks that hold a target.
    """

    def __init__(self, nlp: Language, rules: Sequence[Any], span_group: str) -> None:
        ConText.register_graph_attributes()
        self._span_group = span_group
        self._rules: dict[int, Any] = {}
        self._matcher = RuleMatcher(nlp.vocab, "LOWER", nlp.tokenizer)
        for i, rule in enumerate(rules):
            key = f"{rule.category}_{i}"
            self._rules[nlp.vocab.strings.add(key)] = rule
            self._matcher.add(key, rule.pattern, rule.literal.lower())

    def __call__(self, doc: Doc) -> Doc:
        targets = list(doc.spans[self._span_group]) if self._span_group in doc.spans else []
        matches = prune_overlapping_matches(self._matcher(doc))
        sentence_of = _sentence_of(doc)
        modifiers = [
            ConTextModifier(
                self._rules[key], start, end, doc, *_scope(self._rules[key], start, end, sentence_of)
            )
            for key, start, end in matches
        ]
        block_of = _blocks(doc, [(t.start, t.end) for t in targets] + [m.modifier_span for m in modifiers])
        blocks: dict[int, tuple[list[Any], list[Any]]] = {}
        for target in targets:
            blocks.setdefault(block_of[target.start], ([], []))[0].append(target)
        for modifier in modifiers:
            block = blocks.get(block_of[modifier.modifier_span[0]])
            if block is not None:
                block[1].append(modifier)
        edges: list[tuple[Any, Any]] = []
        for block_targets, block_modifiers in blocks.values():
            if block_modifiers:
                graph = ConTextGraph(
                    targets=block_targets, modifiers=block_modifiers, prune_on_modifier_overlap=False
                )
                graph.update_scopes()
                # A modifier whose scope reaches no target of the block makes no edge: only the others
                # are paired with the targets (``apply_modifiers`` treats each modifier on its own).
                reaching = [m for m in block_modifiers if any(_reaches(m, t) for t in block_targets)]
                graph = ConTextGraph(
                    targets=block_targets, modifiers=reaching, prune_on_modifier_overlap=False
                )
                graph.apply_modifiers()
                edges.extend(graph.edges)
        for target, modifier in edges:
            target._.modifiers += (modifier,)
        doc._.context_graph = ConTextGraph(targets=targets, modifiers=modifiers, edges=edges)
        return doc


def _reaches(modifier: Any, target: Any) -> bool:
    """The modifier's scope overlaps the target (without which ``modifies`` is False)."""
    return bool(tuple_overlaps(modifier.scope_span, (target.start, target.end)))


def _sentence_of(doc: Doc) -> list[tuple[int, int]]:
    """The sentence (start, end) of every token."""
    out: list[tuple[int, int]] = [(0, 0)] * len(doc)
    for sentence in token_strings(doc).sentences:
        out[sentence[0] : sentence[1]] = [sentence] * (sentence[1] - sentence[0])
    return out


def _scope(
    rule: Any, start: int, end: int, sentence_of: Sequence[tuple[int, int]]
) -> tuple[int | None, int | None]:
    """The scope medspaCy's ``ConTextModifier`` gives a match of ``rule`` (its ``__set_scope``
    without a window): the sentence before, after or around it, cut to the rule's ``max_scope``.
    Given here from the sentences we know, since spaCy finds a token's sentence by walking the doc
    (a tenth of ConText's time); None, None (medspaCy works it out) for a doc without sentences."""
    if not sentence_of or sentence_of[start][1] == 0:
        return None, None
    sent_start, sent_end = sentence_of[start]
    direction, max_scope = rule.direction.lower(), rule.max_scope
    if direction == "forward":
        scope_start, scope_end = end, sent_end
        if max_scope is not None and scope_end - scope_start > max_scope:
            scope_end = end + max_scope
    elif direction == "backward":
        scope_start, scope_end = sent_start, start
        if max_scope is not None and scope_end - scope_start > max_scope:
            scope_start = start - max_scope
    else:
        scope_start, scope_end = sent_start, sent_end
        if max_scope is not None and start - scope_start > max_scope:
            scope_start = start - max_scope
        if max_scope is not None and scope_end - end > max_scope:
            scope_end = end + max_scope
    return scope_start, scope_end


def _blocks(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[int]:
    """Block index of every token: a new block at each sentence start no span straddles."""
    cut = [False] * len(doc)
    for start, _ in token_strings(doc).sentences:
        cut[start] = True
    if cut:
        cut[0] = True
    for start, end in spans:
        for i in range(start + 1, end):
            cut[i] = False
    return list(accumulate(int(c) for c in cut))
