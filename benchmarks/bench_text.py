"""Free-text assessment speed on people's own words, against the engine alone in the same run.

Run: .venv/bin/python benchmarks/bench_text.py [--rounds 3]
Texts: the blind development split (people's messages, forum posts, notes), each cut or joined to
about 600 characters, so every call reads a text it has not seen (no cache hits). The reference is
the engine alone (posterior, triage, explanations, next steps) on the evidence those texts gave.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import load_kb
from twitchcheck.pipeline import assess, gather
from twitchcheck.text.learned import load_model

RULES_ONLY = frozenset({"rules"})

DEV = Path(__file__).resolve().parents[1] / "tests" / "data" / "blind" / "dev-2026-12-06.jsonl"
LENGTH = 600


def texts() -> list[str]:
    rows = [json.loads(line)["text"] for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    out = []
    for i, text in enumerate(rows):
        while len(text) < LENGTH:
            text = f"{text} {rows[(i + len(text)) % len(rows)]}"
        out.append(text[:LENGTH])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    kb = load_kb()
    model = compile_model(kb)
    items = texts()
    assess(items[0], kb=kb)  # the one-off pipeline load
    evidence = [gather(kb, t) for t in items]

    load_model.cache_clear()
    t0 = time.perf_counter()
    load_model()
    load_seconds = time.perf_counter() - t0

    full: list[float] = []
    rules: list[float] = []
    engine: list[float] = []
    for r in range(args.rounds):
        for i, text in enumerate(items):
            unique = f"{text[:-3]} {r:02d}"  # never the same text twice
            t0 = time.perf_counter()
            assess(unique, kb=kb).to_json()
            full.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assess(f"{unique}.", kb=kb, readers=RULES_ONLY).to_json()
            rules.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assess_observations(model, evidence[i]).to_json()
            engine.append(time.perf_counter() - t0)

    def ms(xs: list[float], q: float) -> float:
        return sorted(xs)[int(q * (len(xs) - 1))] * 1e3

    print(f"{len(full)} texts of {LENGTH} characters")
    for name, xs in (
        ("free text: assess + to_json", full),
        ("the same, rules only", rules),
        ("engine only, same evidence", engine),
    ):
        mean = statistics.mean(xs) * 1e3
        print(f"{name:<32} p50 {ms(xs, 0.5):6.2f} ms  p99 {ms(xs, 0.99):6.2f} ms  mean {mean:6.2f} ms")
    print(f"ratio free text / engine (p50): {ms(full, 0.5) / ms(engine, 0.5):.1f}x")
    share = ms(full, 0.5) - ms(rules, 0.5)
    print(f"the learned reader's share (p50): {share:.2f} ms; model load {load_seconds:.2f} s")


if __name__ == "__main__":
    main()
