"""Every package says what it offers: an explicit ``__all__`` in its ``__init__``, each name of it loads."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGES = sorted(
    ".".join(path.parent.relative_to(SRC).parts) for path in (SRC / "twitchcheck").rglob("__init__.py")
)


def declared(package: str) -> list[str] | None:
    source = (SRC / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                return list(ast.literal_eval(node.value))
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_declares_its_public_names(package: str) -> None:
    names = declared(package)
    assert names is not None, f"{package}/__init__.py has no __all__"
    module = importlib.import_module(package)
    missing = [name for name in names if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names what it does not have: {missing}"
