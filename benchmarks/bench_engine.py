"""Engine throughput: full assessments from structured evidence, against pgmpy on the same network.

Run: .venv/bin/python benchmarks/bench_engine.py [--n 2000]
Both sides answer the same random evidence sets in the same run; the ratio is what matters.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from twitchcheck.engine.assessment import assess_observations
from twitchcheck.engine.evidence import Observation
from twitchcheck.engine.inference import posterior
from twitchcheck.engine.model import compile_model
from twitchcheck.knowledge import load_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="evidence sets for twitchcheck")
    parser.add_argument("--n-pgmpy", type=int, default=200, help="evidence sets for pgmpy (slower)")
    args = parser.parse_args()

    kb = load_kb()
    model = compile_model(kb)
    rng = random.Random(1)
    findings = list(kb.findings.values())
    cases = [
        [Observation(f.id, rng.choice(f.state_ids)) for f in rng.sample(findings, rng.randint(3, 15))]
        for _ in range(args.n)
    ]
    for case in cases[:50]:
        assess_observations(model, case)

    def timed(fn: object, items: list[list[Observation]]) -> list[float]:
        out = []
        for case in items:
            t0 = time.perf_counter()
            fn(case)  # type: ignore[operator]
            out.append(time.perf_counter() - t0)
        return out

    full = timed(lambda c: assess_observations(model, c), cases)
    post_only = timed(lambda c: posterior(model, c), cases)

    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination
    from pgmpy.models import DiscreteBayesianNetwork

    network = DiscreteBayesianNetwork([("Dx", f.id) for f in findings])
    cpds = [
        TabularCPD("Dx", len(model.rows), model.prior.reshape(-1, 1), state_names={"Dx": list(model.rows)})
    ]
    for f in findings:
        cols = [model.column(f.id, s) for s in f.state_ids]
        cpds.append(
            TabularCPD(
                f.id,
                len(cols),
                model.lik[:, cols].T,
                evidence=["Dx"],
                evidence_card=[len(model.rows)],
                state_names={f.id: f.state_ids, "Dx": list(model.rows)},
            )
        )
    network.add_cpds(*cpds)
    engine = VariableElimination(network)
    pg = timed(
        lambda c: engine.query(["Dx"], evidence={o.finding: o.state for o in c}, show_progress=False),
        cases[: args.n_pgmpy],
    )

    def us(xs: list[float], q: float) -> float:
        return sorted(xs)[int(q * (len(xs) - 1))] * 1e6

    rows = [
        ("twitchcheck full assessment", full),
        ("twitchcheck posterior only", post_only),
        ("pgmpy VariableElimination posterior", pg),
    ]
    print(f"{len(kb.conditions)} conditions, {len(kb.findings)} findings, 3-15 observed per case")
    print(f"{'what':40} {'n':>6} {'p50 us':>9} {'p99 us':>9} {'per sec':>9}")
    for name, xs in rows:
        print(f"{name:40} {len(xs):6d} {us(xs, 0.5):9.1f} {us(xs, 0.99):9.1f} {1 / statistics.mean(xs):9.0f}")
    print(f"ratio pgmpy p50 / twitchcheck full p50: {us(pg, 0.5) / us(full, 0.5):.1f}x")
    print(f"ratio pgmpy p50 / twitchcheck posterior p50: {us(pg, 0.5) / us(post_only, 0.5):.1f}x")


if __name__ == "__main__":
    main()
