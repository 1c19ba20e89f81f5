"""A diary entry's fields are listed in one place, the model (``EntryBase``): everything else reads them.

The series behind the patterns, the database's day summary, the stored row, the CSV export and import,
the partial update and the entry form take their fields from ``EntryBase.model_fields``; the per-day
mapping (``series.PER_DAY``) names only the fields a day adds up. A field added to the model reaches all
of them (a subprocess adds one), and no module keeps a list of its own (the source scan).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from twitchcheck.diary.exports import CSV_FIELDS
from twitchcheck.diary.models import Entry
from twitchcheck.diary.schemas import EntryBase, EntryPublic, EntryUpdate
from twitchcheck.diary.series import PER_DAY, EntrySeries
from twitchcheck.web.diary_forms import NUMBER_FIELDS, TEXT_FIELDS

SRC = Path(__file__).resolve().parents[2] / "src"
FIELDS = frozenset(EntryBase.model_fields)
# A literal naming this many of an entry's fields is a list of them.
LISTING = 5
# Literals that name many fields on purpose, each for a reason of its own (path, the name it is bound to).
ALLOWED = {
    ("twitchcheck/diary/series.py", "PER_DAY"),  # how a day adds up: only the fields it names
    ("twitchcheck/cli/diary.py", "data"),  # `diary add`: one command-line option per field
    ("twitchcheck/web/diary_schemas.py", "ENTRY_EXAMPLE"),  # an example entry for the API document
}


def test_every_reader_takes_the_models_fields() -> None:
    exported = ("id", *EntryBase.model_fields, "note_findings", "created_at", "updated_at")
    assert exported == CSV_FIELDS
    assert set(EntrySeries.COLUMNS) == (FIELDS - {"note"}) | {"id", "utc_offset_minutes", "note_findings"}
    assert set(EntryUpdate.model_fields) == FIELDS
    assert set(NUMBER_FIELDS) | set(TEXT_FIELDS) == set(EntryBase.fields_of("number", "choice", "text"))
    assert set(PER_DAY) <= set(EntryBase.fields_of("number", "flag"))
    # The table keeps every field of the model (and the owner and the writer's UTC offset besides).
    assert set(Entry.__table__.columns.keys()) == set(EntryPublic.model_fields) | {
        "user_id",
        "utc_offset_minutes",
    }


ADD_A_FIELD = textwrap.dedent(
    """
    import json
    from datetime import UTC, datetime

    from pydantic.fields import FieldInfo

    from twitchcheck.diary import schemas

    for model in (schemas.EntryBase, schemas.EntryCreate, schemas.EntryPublic):
        model.__pydantic_fields__["magnesium_mg"] = FieldInfo.from_annotated_attribute(float | None, None)
        model.model_rebuild(force=True)
    schemas.EntryUpdate = schemas._entry_change_model()

    from twitchcheck.diary import exports, series

    now = datetime(2026, 1, 1, tzinfo=UTC)
    entry = schemas.EntryPublic(id=1, occurred_at=now, created_at=now, updated_at=now, magnesium_mg=300)
    csv = exports.entries_to_csv([entry])
    print(json.dumps({
        "csv_header": csv.splitlines()[0].split(","),
        "csv_back": exports.csv_records(csv)[0].get("magnesium_mg"),
        "series": series.EntrySeries.from_entries([entry]).numbers["magnesium_mg"].tolist(),
        "update": schemas.EntryUpdate(magnesium_mg=3).changes(),
        "numbers": schemas.EntryBase.fields_of("number"),
    }))
    """
)


def test_a_field_added_to_the_model_reaches_export_import_series_and_update() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-c", ADD_A_FIELD], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert "magnesium_mg" in seen["csv_header"]
    assert seen["csv_back"] == "300.0"
    assert seen["series"] == [300.0]
    assert seen["update"] == {"magnesium_mg": 3.0}
    assert "magnesium_mg" in seen["numbers"]


def _bound_to(tree: ast.AST) -> dict[ast.AST, str]:
    """Each literal's nearest assignment target name (for the allow list)."""
    names: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            name = next((t.id for t in targets if isinstance(t, ast.Name)), "")
            for inner in ast.walk(node.value) if node.value is not None else ():
                names.setdefault(inner, name)
    return names


def _named_fields(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items: list[ast.expr | None] = list(node.elts)
    elif isinstance(node, ast.Dict):
        items = list(node.keys)
    else:
        return set()
    return {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)} & FIELDS


def test_no_module_keeps_its_own_list_of_an_entrys_fields() -> None:
    listings = []
    for path in sorted((SRC / "twitchcheck").rglob("*.py")):
        if "migrations" in path.parts:  # each migration is the table as it was then
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bound = _bound_to(tree)
        relative = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            named = _named_fields(node)
            if len(named) >= LISTING and (relative, bound.get(node, "")) not in ALLOWED:
                listings.append(f"{relative}:{node.lineno} names {sorted(named)}")
    assert listings == [], "read the fields from EntryBase (fields_of / model_fields) instead:\n" + "\n".join(
        listings
    )
