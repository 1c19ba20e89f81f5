"""Interview latency: time to choose the next question, against a plain posterior in the same run.

States are random lay stories (2-10 findings plus age and sex); half of them are also part-way through
an interview (1-15 questions already asked, a third of them answered "don't know"), which is where the
answer-chance estimate and the red-flag screens do the most work. Every state counts the opening
checklist as already answered, so that none is settled by the cheap "ask the checklist" branch and each
goes through the full expected-value choice.

Run: .venv/bin/python benchmarks/bench_interview.py [--n 300]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from twitchcheck.engine.evidence import UNKNOWN
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.interview import InterviewState, next_step, observations
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import load_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    kb = load_kb()
    model = compile_model(kb)
    rng = random.Random(7)
    lay = [f for f in kb.findings.values() if not f.clinician_only and f.category != "demographic"]
    fresh, midway = [], []
    for i in range(args.n):
        picked = rng.sample(lay, rng.randint(2, 10))
        seeded = {f.id: rng.choice(f.state_ids) for f in picked}
        seeded["age_band"] = rng.choice(kb.findings["age_band"].state_ids)
        seeded["sex"] = rng.choice(["male", "female"])
        if i % 2 == 0:
            fresh.append(InterviewState(seeded=seeded, ticked=[]))
            continue
        asked = rng.sample([f for f in lay if f.id not in seeded], rng.randint(1, 15))
        answers = {f.id: UNKNOWN if rng.random() < 1 / 3 else rng.choice(f.state_ids) for f in asked}
        midway.append(InterviewState(seeded=seeded, answers=answers, asked=list(answers), ticked=[]))
    for state in (fresh + midway)[:20]:
        next_step(model, state)

    def run(fn: Callable[[InterviewState], object], states: list[InterviewState]) -> list[float]:
        times = []
        for state in states:
            t0 = time.perf_counter()
            fn(state)
            times.append(time.perf_counter() - t0)
        return sorted(times)

    def choose(state: InterviewState) -> object:
        return next_step(model, state)

    def reference(state: InterviewState) -> object:
        return posterior(model, observations(state))

    rows = {
        "next question": run(choose, fresh + midway),
        "  fresh start": run(choose, fresh),
        "  part-way": run(choose, midway),
        "posterior only (reference)": run(reference, fresh + midway),
    }
    for name, xs in rows.items():
        print(f"{name:28} p50 {xs[len(xs) // 2] * 1e3:7.3f} ms   p99 {xs[int(len(xs) * 0.99)] * 1e3:7.3f} ms")
    ratio = rows["next question"][args.n // 2] / rows["posterior only (reference)"][args.n // 2]
    print(f"ratio next-question p50 / posterior p50: {ratio:.0f}x")


if __name__ == "__main__":
    main()
