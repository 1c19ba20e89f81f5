"""twitchcheck: evidence-based assessment and triage of muscle twitching.

>>> from twitchcheck import assess
>>> result = assess("my calf twitches after coffee", age=30, sex="female")
>>> result.triage.level in {"self_care", "routine", "urgent", "emergency"}
True
"""

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
