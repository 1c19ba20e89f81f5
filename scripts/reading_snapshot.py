"""What the text reader reads from every corpus text, dumped to compare before and after a change.

Run: .venv/bin/python scripts/reading_snapshot.py dump before.json
     .venv/bin/python scripts/reading_snapshot.py compare before.json [after.json]

A speed change must not change what is read. For every text of the blind sets, the vignettes and the
hand-annotated set (and the 600-character texts of ``benchmarks/bench_text.py``) this records, with both
readers and with the rules alone: the mentions and possible mentions (finding, state, span, offsets,
source), age, sex and language, and the triage level of the full assessment. ``compare`` reads them
again (or takes a second dump) and prints every text whose reading differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from twitchcheck.knowledge import load_kb
from twitchcheck.pipeline import assess
from twitchcheck.text import Extraction, Mention, extract

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Texts with no time of writing are read against one fixed moment, so relative times read the same.
FIXED_REFERENCE = datetime(2026, 12, 7, 12, 0)
RULES_ONLY = frozenset({"rules"})
BENCH_LENGTH = 600


def corpus() -> list[tuple[str, str, datetime]]:
    """(key, text, reference) for every text the snapshot reads."""
    out: list[tuple[str, str, datetime]] = []
    files = [
        *sorted((DATA / "blind").glob("*.jsonl")),
        *sorted(DATA.glob("vignettes*.jsonl")),
        DATA / "text_annotations.jsonl",
    ]
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            written = row.get("written_at")
            reference = datetime.fromisoformat(written) if written else FIXED_REFERENCE
            out.append((f"{path.name}:{row['id']}", row["text"], reference))
    # The benchmark's texts: cut or joined to 600 characters (cuts mid-word and mid-sentence).
    lines = (DATA / "blind" / "dev-2026-12-06.jsonl").read_text("utf-8").splitlines()
    dev = [json.loads(x)["text"] for x in lines if x.strip()]
    for i, text in enumerate(dev):
        while len(text) < BENCH_LENGTH:
            text = f"{text} {dev[(i + len(text)) % len(dev)]}"
        out.append((f"bench:{i}", text[:BENCH_LENGTH], FIXED_REFERENCE))
    return out


def _mentions(ms: tuple[Mention, ...]) -> list[list[Any]]:
    return sorted([m.finding, m.state, m.span, m.start, m.end, m.source] for m in ms)


def _reading(x: Extraction) -> dict[str, Any]:
    return {
        "mentions": _mentions(x.mentions),
        "possible": _mentions(x.possible),
        "age": x.age,
        "sex": x.sex,
        "language": x.language,
    }


def dump() -> dict[str, Any]:
    kb = load_kb()
    out: dict[str, Any] = {}
    for key, text, reference in corpus():
        both = extract(text, kb, reference=reference)
        rules = extract(text, kb, reference=reference, readers=RULES_ONLY)
        triage = assess(text, kb=kb, reference=reference).to_json()["triage"]["level"]
        out[key] = {"both": _reading(both), "rules": _reading(rules), "triage": triage}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("action", choices=["dump", "compare"])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    if args.action == "dump":
        args.files[0].write_text(json.dumps(dump(), indent=0, sort_keys=True), "utf-8")
        return
    before = json.loads(args.files[0].read_text("utf-8"))
    after = json.loads(args.files[1].read_text("utf-8")) if len(args.files) > 1 else dump()
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for key in differ:
        print(f"{key}:\n  before {before.get(key)}\n  after  {after.get(key)}")
    print(f"{len(before)} texts, {len(differ)} read differently")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
