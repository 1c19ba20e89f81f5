"""Importing the lower layers stays light, and the layers hold (import-linter runs the full contracts
in `make lint`; this checks what actually loads at run time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import twitchcheck

SRC = Path(twitchcheck.__file__).resolve().parents[1]
HEAVY = ("spacy", "medspacy", "fastapi", "starlette", "sqlalchemy", "matplotlib", "weasyprint", "sklearn")
UPPER = (
    "twitchcheck.text",
    "twitchcheck.pipeline",
    "twitchcheck.diary",
    "twitchcheck.web",
    "twitchcheck.cli",
)


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``code`` (this checkout's sources first)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    }
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    modules: list[str] = json.loads(done.stdout.splitlines()[-1])
    return modules


def outside(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_knowledge_and_engine_load_neither_spacy_nor_the_web_app() -> None:
    code = (
        "import pkgutil, importlib, twitchcheck.knowledge, twitchcheck.engine\n"
        "for pkg in (twitchcheck.knowledge, twitchcheck.engine):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
    )
    modules = loaded_after(code)
    assert "twitchcheck.engine.assessment" in modules and "twitchcheck.knowledge.check" in modules
    assert outside(modules, HEAVY) == []
    assert outside(modules, UPPER) == []


def test_the_root_package_loads_nothing_until_asked() -> None:
    modules = loaded_after("import twitchcheck")
    assert [m for m in modules if m.startswith("twitchcheck")] == ["twitchcheck"]


def test_the_root_package_still_offers_its_names() -> None:
    from twitchcheck import Assessment, EvidenceError, KnowledgeBase, KnowledgeError, assess, load_kb
    from twitchcheck.pipeline import assess as pipeline_assess

    assert assess is pipeline_assess and callable(load_kb)
    assert {Assessment.__name__, EvidenceError.__name__, KnowledgeBase.__name__, KnowledgeError.__name__}
    assert sorted(twitchcheck.__all__) == sorted(
        ["Assessment", "EvidenceError", "KnowledgeBase", "KnowledgeError", "__version__", "assess", "load_kb"]
    )
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = twitchcheck.nothing


def test_one_web_module_does_not_build_the_app() -> None:
    modules = loaded_after("import twitchcheck.web.errors")
    assert "twitchcheck.web.app" not in modules
    assert outside(modules, ("sqlalchemy", "spacy", "twitchcheck.diary", "twitchcheck.text")) == []
