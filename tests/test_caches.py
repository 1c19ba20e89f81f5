"""Caches are bounded: a cache with arguments (a knowledge base, a compiled model, a database dialect)
keeps a fixed number of entries, so a long-running process that meets new ones does not grow."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "twitchcheck"


def _unbounded(decorator: ast.expr) -> bool:
    name = decorator.func if isinstance(decorator, ast.Call) else decorator
    called = name.attr if isinstance(name, ast.Attribute) else name.id if isinstance(name, ast.Name) else ""
    if called == "cache":
        return True
    if called == "lru_cache" and isinstance(decorator, ast.Call):
        size = next((k.value for k in decorator.keywords if k.arg == "maxsize"), None)
        size = size if size is not None else (decorator.args[0] if decorator.args else None)
        return size is None or (isinstance(size, ast.Constant) and size.value is None)
    return called == "lru_cache"  # bare @lru_cache: 128, but say how many on purpose


def test_every_cache_with_arguments_is_bounded() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef) or not (node.args.args or node.args.kwonlyargs):
                continue
            if any(_unbounded(d) for d in node.decorator_list):
                found.append(f"{path.relative_to(SRC)}: {node.name}")
    assert found == [], "use lru_cache(maxsize=CACHED_BASES) (or another stated bound):\n" + "\n".join(found)
