"""Building the text pipeline registers nothing global that grows: one spaCy factory, registered on import,
is configured per build (renewals build pipelines for as long as a server runs)."""

from __future__ import annotations

from typing import Any

import spacy.tokens.underscore as underscore
from spacy import registry
from spacy.language import Language

from twitchcheck.text import pipeline as text_pipeline

from .kb_double import MiniKB


def registered() -> dict[str, Any]:
    """What spaCy (and the hand-over of components) keeps for the life of the process."""
    return {
        "factories": sorted(registry.factories.get_all()),
        "factory_meta": sorted(Language._factory_meta),
        "extensions": [
            sorted(getattr(underscore.Underscore, kind))
            for kind in ("doc_extensions", "span_extensions", "token_extensions")
        ],
        "handed_over": dict(text_pipeline._HANDED_OVER),
    }


def test_building_the_pipeline_again_and_again_registers_nothing_new(tiny_kb: MiniKB) -> None:
    recipe = text_pipeline.get_pipeline(tiny_kb).recipe
    before = registered()
    assert before["handed_over"] == {}
    for _ in range(3):
        built = text_pipeline.assemble(recipe)
        assert built("my calf twitches").spans  # a working pipeline each time
    assert registered() == before
    assert [name for name, _ in built.nlp.pipeline] == [
        "twitchcheck_normalize", "twitchcheck_sentences", "twitchcheck_targets", "twitchcheck_context",
    ]  # fmt: skip


def test_a_build_that_fails_leaves_nothing_handed_over(tiny_kb: MiniKB) -> None:
    nlp = text_pipeline._blank(text_pipeline.get_pipeline(tiny_kb).grammar)
    text_pipeline._add(nlp, "twitchcheck_sentences", text_pipeline._split_sentences)
    try:
        text_pipeline._add(nlp, "twitchcheck_sentences", text_pipeline._split_sentences)  # a name taken
    except ValueError:
        pass
    else:
        raise AssertionError("spaCy took a second component of the same name")
    assert text_pipeline._HANDED_OVER == {}


def test_a_renewed_pipeline_takes_over_the_words_in_use(tiny_kb: MiniKB) -> None:
    """Words read more than once are carried into the next pipeline (vocabulary, tokenizer and what they
    normalise to), so they are not new strings there; words read once are not; nothing more than
    ``CARRY_WORDS`` is carried."""
    old = text_pipeline.assemble(text_pipeline.get_pipeline(tiny_kb).recipe)
    old("my calf twitches, zqxwv once")
    old("my calf twitches again")
    carried = old.words_in_use()
    assert {"my", "calf", "twitches"} <= set(carried) and "zqxwv" not in carried
    assert carried["twitches"] == old.normalizer.memory["twitches"]
    paused: list[int] = []
    fresh = text_pipeline.assemble(old.recipe, carried, lambda: paused.append(1))
    assert paused  # the build gave way between its steps
    assert "twitches" in fresh.nlp.vocab.strings
    assert fresh.normalizer.memory["twitches"] == carried["twitches"]
    doc = fresh("my calf twitches")
    labels = {span.label_ for group in doc.spans.values() for span in group}
    assert fresh.new_strings() == len(labels)  # only the span labels are new
    assert [t.norm_ for t in fresh("my calf twitches")] == [t.norm_ for t in old("my calf twitches")]
    assert len(old.normalizer.again) <= text_pipeline.CARRY_WORDS
