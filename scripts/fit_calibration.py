"""Fit one global tempering of the posterior on the blind development texts and print the figures.

Usage: ``python scripts/fit_calibration.py [--boot N] [--read]`` (``make calibration``). Reads
tests/data/blind/dev-*.jsonl only, never a sealed batch. ``--read`` also fits on the findings read from the
text (about a minute); ``--boot`` sets the bootstrap draws for the 95% intervals (default 200, 0 for none).
The method and the decision are in docs/calibration.md; see twitchcheck/calibration.py.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from twitchcheck.calibration import Findings, development_texts, fit, reliability, terms
from twitchcheck.knowledge import load_kb

BLIND = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boot", type=int, default=200)
    parser.add_argument("--read", action="store_true", help="also fit on the findings read from the text")
    args = parser.parse_args()
    kb = load_kb()
    texts = development_texts(BLIND)
    sources: list[Findings] = ["gold", "read"] if args.read else ["gold"]
    print(f"{len(texts)} development texts from {BLIND}")
    print(
        "| findings | case mix | family | fitted (95% interval) "
        "| log-loss engine -> fitted | Brier engine -> fitted |"
    )
    print("|---|---|---|---|---|---|")
    for source in sources:
        started = time.perf_counter()
        t = terms(kb, texts, source)
        for case_mix in (False, True):
            for family in ("evidence exponent", "temperature"):
                f = fit(t, family, case_mix, boot=args.boot)
                interval = f" ({f.interval[0]:.2f}-{f.interval[1]:.2f})" if f.interval else ""
                print(
                    f"| {source} | {'reweighted to the priors' if case_mix else 'as written'} | {family} | "
                    f"{f.value:.2f}{interval} | {f.log_loss_engine:.4f} -> {f.log_loss:.4f} | "
                    f"{f.brier_engine:.4f} -> {f.brier:.4f} |"
                )
        print(f"reliability ({source} findings, as written): low, mean predicted, observed, n")
        for low, predicted, observed, n in reliability(t):
            print(f"  >= {low:.2f}: {predicted:.3f} {observed:.3f} {n}")
        print(f"({source}: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
