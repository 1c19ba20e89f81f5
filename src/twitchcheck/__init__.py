"""twitchcheck: evidence-based assessment and triage of muscle twitching.

>>> from twitchcheck import assess
>>> result = assess("my calf twitches after coffee", age=30, sex="female")
>>> result.triage.level in {"self_care", "routine", "urgent", "emergency"}
True

The names below load on first use: ``import twitchcheck.knowledge`` (or ``.engine``) must not pull in the
pipeline, the text reader (spaCy) or the web app (tests/test_imports.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twitchcheck.engine.assessment import Assessment
    from twitchcheck.engine.evidence import EvidenceError
    from twitchcheck.knowledge import KnowledgeBase, KnowledgeError, load_kb
    from twitchcheck.pipeline import assess

__version__ = "0.1.0"
__all__ = [
    "Assessment",
    "EvidenceError",
    "KnowledgeBase",
    "KnowledgeError",
    "__version__",
    "assess",
    "load_kb",
]


def __getattr__(name: str) -> Any:
    # Plain import statements (not import_module) so import-linter sees what the root depends on.
    if name == "assess":
        from twitchcheck.pipeline import assess

        return assess
    if name == "Assessment":
        from twitchcheck.engine.assessment import Assessment

        return Assessment
    if name == "EvidenceError":
        from twitchcheck.engine.evidence import EvidenceError

        return EvidenceError
    if name in ("KnowledgeBase", "KnowledgeError", "load_kb"):
        from twitchcheck import knowledge

        return getattr(knowledge, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
