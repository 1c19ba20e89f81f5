"""Frame parts are single words: a part is matched by its last token, so "went down" matched every "down"
and "hard-on" every "on" ("his mouth's gone down on one side" read as sexual dysfunction)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from twitchcheck.knowledge.schema import Frame


@pytest.mark.parametrize("part", ["went down", "hard-on", "both feet"])
def test_a_frame_part_of_several_words_is_refused(part: str) -> None:
    with pytest.raises(ValidationError, match="single words"):
        Frame(parts=["floor", part], changes=["all night"])


def test_single_word_parts_are_accepted() -> None:
    assert Frame(parts=["floor", "ground"], changes=["all night"]).parts == ["floor", "ground"]
