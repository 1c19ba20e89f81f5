"""Bounded reading under abuse (issue 13, items 1-2): time per text shape, memory, /healthz under load.

Run: .venv/bin/python benchmarks/bench_text_bounds.py [--shapes] [--memory] [--healthz] [--words 50000]
(no flag: all three).

* shapes: processor time of ``extract`` on each pathological shape at the 20,000-character limit,
  against ordinary text of the same length (people's messages from the blind development set),
  in the same process;
* memory: RSS growth of a fresh process reading ``--words`` never-seen random words in texts of
  2,000 words, with the pipeline renewed as it grows and with renewal switched off;
* healthz: ``twitchcheck serve`` on a free port; each shape sent alone to POST /api/v1/assess (the
  whole answer's time: issue 13's target is under 1 s for any text up to the limit), /healthz
  latency idle, then while 8 clients send 20,000-character hostile texts (all different).

The process reading the shapes freezes its long-lived objects after warming up, as the server does
(``gc.freeze``), so that a full garbage collection of the test's own heap is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import socket
import string
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "tests" / "data" / "blind" / "dev-2026-12-06.jsonl"
LIMIT = 20_000
UNITS = {
    "run of $": "$",
    "run of (": "(",
    "run of [": "[",
    "run of {": "{",
    "run of <": "<",
    "run of #": "#",
    "run of *": "*",
    "run of '": "'",
    'run of "': '"',
    "run of ?": "?",
    "run of !": "!",
    "run of emoji": "😀",
    "letter, question mark": "a?",
    "letter, dollar": "a$",
    "digits": "0",
    "letters": "a",
    "dots": ".",
    "dashes": "-",
    "line breaks": "\n",
    "slashed numbers": "1/",
    "lab values": "K 4.1 ",
    "negated twitches": "no twitching in my calf ",
}
RANDOM = {"random signs": "$(%[{<#*'\"", "random emoji": "😀🙂😡🤔👍", "random letters": "abcdefghij"}


def ordinary(length: int = LIMIT) -> str:
    texts = [json.loads(line)["text"] for line in BLIND.read_text("utf-8").splitlines() if line.strip()]
    out, i = "", 0
    while len(out) < length:
        out += texts[i % len(texts)] + "\n"
        i += 1
    return out[:length]


def new_words(rng: random.Random, length: int = LIMIT) -> str:
    """Random lowercase words of 4 to 11 letters (about 2,400 in 20,000 characters) no vocabulary has."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append("".join(rng.choices(string.ascii_lowercase, k=rng.randrange(4, 12))))
    return " ".join(words)[: length - 5] + " calf"


def shapes() -> dict[str, str]:
    out = {name: ((unit * (LIMIT // len(unit) + 1))[: LIMIT - 5] + " calf") for name, unit in UNITS.items()}
    rng = random.Random(13)
    out.update({name: "".join(rng.choice(a) for _ in range(LIMIT)) for name, a in RANDOM.items()})
    pairs = "".join(rng.choice(string.ascii_lowercase) + "?" for _ in range(LIMIT // 2))
    # 10,000 sentences, no two tokenizer pieces alike
    out["random letter, question mark"] = pairs[: LIMIT - 5] + " calf"
    out["never-seen words"] = new_words(rng)
    return out


def bench_shapes() -> None:
    from twitchcheck.knowledge import load_kb
    from twitchcheck.text import extract

    kb = load_kb()
    extract("warm up: my calf twitches", kb)
    gc.collect()
    gc.freeze()

    def cpu(text: str) -> float:
        started = time.thread_time()
        extract(text, kb)
        return time.thread_time() - started

    base = min(cpu(ordinary(LIMIT - k)) for k in range(3))
    print(f"\n{'shape (20,000 characters)':<28} {'seconds':>8} {'x ordinary':>11}")
    print(f"{'ordinary (people, blind dev)':<28} {base:8.3f} {1:11.1f}")
    worst = 0.0
    for name, text in shapes().items():
        seconds = cpu(text)
        worst = max(worst, seconds)
        print(f"{name:<28} {seconds:8.3f} {seconds / base:11.1f}")
    print(f"slowest shape: {worst:.3f} s ({worst / base:.1f} x ordinary)")


MEMORY = textwrap.dedent(
    """
    import gc, json, os, random, string, sys, time
    from twitchcheck.knowledge import load_kb
    from twitchcheck.text import extract
    from twitchcheck.text import pipeline as p

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    words, renew = int(sys.argv[1]), sys.argv[2] == "renew"
    if not renew:
        p.RENEW_AFTER_STRINGS = p.WAIT_AFTER_STRINGS = 10**12
    kb = load_kb()
    for _ in range(3):
        extract("My left calf has been twitching for three weeks, no weakness.", kb)
    rng = random.Random(2026)
    gc.collect()
    before, peak, started = rss(), 0.0, time.process_time()
    for _ in range(words // 2000):
        extract(" ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))
                         for _ in range(2000)), kb)
        peak = max(peak, rss() - before)
    p.wait_for_renewal(kb, 60)
    gc.collect()
    print(json.dumps({"growth": rss() - before, "peak": peak, "renewals": p.pipeline_renewals(kb),
                      "cpu": time.process_time() - started}))
    """
)


def bench_memory(words: int) -> None:
    print(f"\nRSS growth over {words:,} never-seen words (texts of 2,000 words), fresh process each")
    for mode in ("renew", "no-renewal"):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY, str(words), mode],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{mode:<11} growth {r['growth']:6.1f} MiB  peak {r['peak']:6.1f} MiB  "
            f"renewals {r['renewals']:3d}  cpu {r['cpu']:5.1f} s"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def probe(
    base: str, texts: list[str] | None, clients: int
) -> tuple[list[float], list[float], dict[int, int]]:
    health: list[float] = []
    posts: list[float] = []
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(
        base_url=base, limits=httpx.Limits(max_connections=clients + 1), timeout=120
    ) as c:
        await c.get("/healthz")
        if texts is None:
            for _ in range(100):
                t = time.perf_counter()
                await c.get("/healthz")
                health.append(time.perf_counter() - t)
                await asyncio.sleep(0.02)
            return health, posts, statuses
        queue, done = list(texts), False

        async def sender() -> None:
            while queue:
                t = time.perf_counter()
                r = await c.post("/api/v1/assess", json={"text": queue.pop()})
                posts.append(time.perf_counter() - t)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        async def prober() -> None:
            while not done:
                t = time.perf_counter()
                await c.get("/healthz")
                health.append(time.perf_counter() - t)
                await asyncio.sleep(0.02)

        task = asyncio.create_task(prober())
        await asyncio.gather(*(sender() for _ in range(clients)))
        done = True
        await task
    return health, posts, statuses


async def one_at_a_time(base: str, texts: dict[str, str]) -> dict[str, float]:
    """Seconds for the whole answer to each text, sent one after another."""
    seconds: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for name, text in texts.items():
            started = time.perf_counter()
            response = await client.post("/api/v1/assess", json={"text": text})
            seconds[name] = time.perf_counter() - started
            assert response.status_code == 200, (name, response.status_code)
    return seconds


def pct(xs: list[float], q: float) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3


def bench_healthz(clients: int = 8, per_client: int = 6) -> None:
    port = free_port()
    env = {**os.environ, "TWITCHCHECK_DATA_DIR": tempfile.mkdtemp(prefix="twitchcheck-bench-")}
    env.pop("TWITCHCHECK_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "twitchcheck.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start") from None
                time.sleep(0.2)
        named = shapes()
        alone = asyncio.run(one_at_a_time(base, {n: f"alone {t[: LIMIT - 6]}" for n, t in named.items()}))
        slowest = max(alone, key=alone.__getitem__)
        median = pct(list(alone.values()), 0.5)
        print(
            f"\neach of the {len(alone)} shapes sent alone: the whole answer in p50 {median:.0f} ms, ", end=""
        )
        print(f"slowest {alone[slowest] * 1e3:.0f} ms ({slowest})")
        hostile = list(named.values())
        texts = [f"{i} " + hostile[i % len(hostile)][: LIMIT - 8] for i in range(clients * per_client)]
        idle, _, _ = asyncio.run(probe(base, None, clients))
        busy, posts, statuses = asyncio.run(probe(base, texts, clients))
        print(f"\n/healthz with {clients} clients sending {len(texts)} different 20,000-character texts")
        print(f"idle  /healthz p50 {pct(idle, 0.5):6.1f} ms  p99 {pct(idle, 0.99):6.1f} ms")
        worst = max(busy) * 1e3
        print(
            f"busy  /healthz p50 {pct(busy, 0.5):6.1f} ms  p99 {pct(busy, 0.99):6.1f} ms  max {worst:6.1f} ms"
        )
        print(f"POST /assess   p50 {pct(posts, 0.5):6.1f} ms  p99 {pct(posts, 0.99):6.1f} ms  {statuses}")
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shapes", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--healthz", action="store_true")
    parser.add_argument("--words", type=int, default=50_000)
    args = parser.parse_args()
    everything = not (args.shapes or args.memory or args.healthz)
    if args.shapes or everything:
        bench_shapes()
    if args.memory or everything:
        bench_memory(args.words)
    if args.healthz or everything:
        bench_healthz()


if __name__ == "__main__":
    main()
