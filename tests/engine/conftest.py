from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from twitchcheck.knowledge import KnowledgeBase, load_kb

MINI_KB = Path(__file__).resolve().parents[1] / "data" / "mini_kb"
GATE = """requires_any: [trigger_caffeine]
unexposed_factor: {value: 0.2, basis: estimate, source: [test_source], note: synthetic}
"""


@pytest.fixture(scope="session")
def gated_mini_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The mini base with an exposure gate on 'benign': caffeine must be named, or its likelihood is x0.2."""
    root = tmp_path_factory.mktemp("gated_mini_kb") / "kb"
    shutil.copytree(MINI_KB, root)
    path = root / "conditions" / "benign.yaml"
    path.write_text(path.read_text() + GATE)
    return load_kb(root)
