"""Interview latency: time to choose the next question, against a plain posterior in the same run.

Run: .venv/bin/python benchmarks/bench_interview.py [--n 300]
"""

from __future__ import annotations

import argparse
import random
import time

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
    states = []
    for _ in range(args.n):
        picked = rng.sample(lay, rng.randint(2, 10))
        seeded = {f.id: rng.choice(f.state_ids) for f in picked}
        seeded["age_band"] = rng.choice(kb.findings["age_band"].state_ids)
        seeded["sex"] = rng.choice(["male", "female"])
        states.append(InterviewState(seeded=seeded))
    for state in states[:20]:
        next_step(model, state)

    def run(fn: object) -> list[float]:
        times = []
        for state in states:
            t0 = time.perf_counter()
            fn(state)  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        return sorted(times)

    choose = run(lambda s: next_step(model, s))
    reference = run(lambda s: posterior(model, observations(s)))
    for name, xs in (("next question", choose), ("posterior only (reference)", reference)):
        print(f"{name:28} p50 {xs[len(xs) // 2] * 1e3:7.3f} ms   p99 {xs[int(len(xs) * 0.99)] * 1e3:7.3f} ms")
    ratio = choose[len(choose) // 2] / reference[len(reference) // 2]
    print(f"ratio next-question p50 / posterior p50: {ratio:.0f}x")


if __name__ == "__main__":
    main()
