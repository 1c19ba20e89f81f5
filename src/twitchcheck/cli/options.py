"""The ``--kb DIR`` option that the command groups share: the top of the stack picks the knowledge
base, everything below takes it as a value."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from twitchcheck.knowledge import KnowledgeBase, KnowledgeError, load_kb

KbOption = Annotated[
    Path | None,
    typer.Option(
        "--kb",
        metavar="DIR",
        file_okay=False,
        help="Use the knowledge base in this folder instead of the packaged one.",
    ),
]


def open_kb(path: Path | None) -> KnowledgeBase:
    """The base at ``path`` (default: the packaged one); a broken base exits 1, naming the file and field."""
    try:
        return load_kb(path)
    except KnowledgeError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
