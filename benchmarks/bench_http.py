"""HTTP throughput and latency of POST /api/v1/assess beside GET /healthz, over loopback.

Run: .venv/bin/python benchmarks/bench_http.py [--requests 3000] [--concurrency 16] [--abuse 400]

Starts `twitchcheck serve` on a free 127.0.0.1 port, warms it up, then sends a fixed number of
requests per endpoint from an asyncio/httpx load generator (bounded: it stops by itself) and
prints requests per second and p50/p99 latency. All endpoints run against the same server in the
same run, so the ratio to the trivial endpoint is what matters. The load generator shares the
machine's cores with the server; with a Python client the trivial endpoint is partly
client-bound, which the table reports as measured.

``--abuse N`` then sends N hostile texts of the maximum length (runs of punctuation, emoji, never-seen
words; each one different, so no cache helps) from ``--concurrency`` clients while one more client
times GET /healthz, and reports both: the service must stay responsive (issue 13's target: /healthz
p99 < 50 ms) and answer every hostile text with 200 or a 4xx/503, never a 500. The server's resident
memory (RSS) is printed after warm-up and at the end.

``--new-words N`` instead sends only N requests (after a warm-up of ordinary ones), each a short text
of ``--words-per-text`` never-seen random words, and reports the server's RSS after the warm-up,
its peak (sampled every second) and after 10 s of quiet at the end (issue 13's target: less than
20 MB of growth over 50,000 such requests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
STRUCTURED = {
    "evidence": {
        "fasciculations": "present",
        "loc_calf": "present",
        "twitch_duration": "weeks",
        "trigger_caffeine": "present",
        "weakness": "absent",
        "muscle_wasting": "absent",
    },
    "age": 34,
    "sex": "male",
}
SHORT_TEXT = {
    "text": "My left calf has been twitching for two weeks. I drink a lot of coffee. No weakness.",
    "age": 34,
}
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
MAX_TEXT = 20_000
HOSTILE_UNITS = ["(", "$", "[", "{", "'", '"', "<", "#", "*", "\U0001f600", "K 4.1 ", "no "]


@dataclass
class Run:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "twitchcheck.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with code {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start within 120 s")


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB (Linux /proc), or None where that cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def hostile_texts(count: int, seed: int = 13) -> list[str]:
    """Texts of up to the maximum length: runs of one unit, or never-seen words; all different."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        length = MAX_TEXT - rng.randrange(0, 500)
        if i % 3 == 2:
            words = []
            while sum(len(w) + 1 for w in words) < length - 20:
                words.append("".join(rng.choices(string.ascii_lowercase, k=rng.randrange(4, 12))))
            body = " ".join(words)
        else:
            unit = HOSTILE_UNITS[i % len(HOSTILE_UNITS)]
            body = unit * (length // len(unit))
        texts.append((body[: length - 5] + " calf")[:MAX_TEXT])
    return texts


async def abuse(base: str, texts: list[str], concurrency: int) -> tuple[Run, Run, dict[int, int]]:
    """The hostile texts from ``concurrency`` clients while one more client times /healthz."""
    statuses: dict[int, int] = {}
    hostile: list[float] = []
    health: list[float] = []
    queue = list(texts)
    done = False
    limits = httpx.Limits(max_connections=concurrency + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def sender() -> None:
            while queue:
                text = queue.pop()
                started = time.perf_counter()
                response = await client.post("/api/v1/assess", json={"text": text})
                hostile.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def prober() -> None:
            while not done:
                started = time.perf_counter()
                await client.get("/healthz")
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.02)

        began = time.perf_counter()
        probe = asyncio.create_task(prober())
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        done = True
        await probe
        seconds = time.perf_counter() - began
    return (
        Run("POST /api/v1/assess (hostile 20,000-char texts)", hostile, seconds, 0),
        Run("GET /healthz during the hostile texts", health, seconds, 0),
        statuses,
    )


def new_word_text(rng: random.Random, words: int) -> str:
    """A short message with ``words`` random lowercase words no vocabulary has."""
    made = ("".join(rng.choices(string.ascii_lowercase, k=rng.randrange(4, 11))) for _ in range(words))
    return "my left calf keeps twitching " + " ".join(made)


async def new_words(
    base: str, total: int, words: int, concurrency: int, pid: int
) -> tuple[Run, dict[int, int], list[float]]:
    """``total`` requests of never-seen words from ``concurrency`` clients, sampling the server's RSS."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    samples: list[float] = []
    rng = random.Random(2026)
    remaining = total
    done = False
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def sender() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.post("/api/v1/assess", json={"text": new_word_text(rng, words)})
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        async def sampler() -> None:
            while not done:
                rss = rss_mib(pid)
                if rss is not None:
                    samples.append(rss)
                await asyncio.sleep(1)

        began = time.perf_counter()
        sampling = asyncio.create_task(sampler())
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        done = True
        await sampling
        seconds = time.perf_counter() - began
    return Run(f"POST /api/v1/assess ({words} new words each)", latencies, seconds, 0), statuses, samples


async def load(
    client: httpx.AsyncClient, name: str, method: str, path: str, body: Any, total: int, concurrency: int
) -> Run:
    latencies: list[float] = []
    errors = 0
    remaining = total

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.request(method, path, json=body)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(name, latencies, time.perf_counter() - began, errors)


async def measure(base: str, total: int, concurrency: int) -> list[Run]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        plan = [
            ("GET /healthz (trivial)", "GET", "/healthz", None),
            ("POST /api/v1/assess (structured evidence)", "POST", "/api/v1/assess", STRUCTURED),
            ("POST /api/v1/assess (short text)", "POST", "/api/v1/assess", SHORT_TEXT),
        ]
        for _, method, path, body in plan:  # warm-up: connections, caches, the text pipeline
            await load(client, "warm-up", method, path, body, min(300, total), concurrency)
        return [await load(client, name, m, p, b, total, concurrency) for name, m, p, b in plan]


def measure_new_words(
    server: subprocess.Popen[bytes], base: str, total: int, words: int, concurrency: int
) -> None:
    try:

        async def warm_up() -> None:
            limits = httpx.Limits(max_connections=concurrency)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
                await load(client, "warm-up", "POST", "/api/v1/assess", SHORT_TEXT, 300, concurrency)

        asyncio.run(warm_up())
        before = rss_mib(server.pid)
        run, statuses, samples = asyncio.run(new_words(base, total, words, concurrency, server.pid))
        time.sleep(10)  # a renewal under way finishes; the old pipeline is freed
        after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\n{total:,} requests of {words} never-seen words each ({total * words:,} words)")
    print(f"{concurrency} clients; server RSS sampled every second")
    print(
        f"{run.rate:.0f} req/s in {run.seconds:.0f} s; p50 {run.percentile(0.5):.1f} ms, "
        f"p99 {run.percentile(0.99):.1f} ms; statuses {dict(sorted(statuses.items()))}"
    )
    if before is not None and after is not None:
        peak = max(samples, default=after)
        print(
            f"server RSS: {before:.1f} MiB after warm-up, peak {peak:.1f} MiB, {after:.1f} MiB after 10 s "
            f"of quiet: growth {after - before:+.1f} MiB (target < 20 MB), peak {peak - before:+.1f} MiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000, help="requests per endpoint (after warm-up)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--abuse", type=int, default=0, help="hostile maximum-length texts to send after")
    parser.add_argument("--new-words", type=int, default=0, help="only: this many requests of new words")
    parser.add_argument("--words-per-text", type=int, default=20, help="never-seen words per request")
    args = parser.parse_args()

    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    if args.new_words:
        measure_new_words(server, base, args.new_words, args.words_per_text, args.concurrency)
        return
    rss_before = rss_after = None
    hostile: tuple[Run, Run, dict[int, int]] | None = None
    try:
        runs = asyncio.run(measure(base, args.requests, args.concurrency))
        rss_before = rss_mib(server.pid)
        if args.abuse:
            hostile = asyncio.run(abuse(base, hostile_texts(args.abuse), args.concurrency))
        rss_after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    trivial = runs[0].rate
    cpus = os.cpu_count()
    print(f"\n{args.requests} requests per endpoint, {args.concurrency} in flight, 127.0.0.1, {cpus} CPUs")
    header = f"{'endpoint':44} {'req/s':>8} {'vs trivial':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for run in runs:
        print(
            f"{run.name:44} {run.rate:8.0f} {run.rate / trivial:9.0%} {run.percentile(0.5):8.2f} "
            f"{run.percentile(0.99):8.2f} {run.errors:6d}"
        )
    print(f"mean latency, structured: {statistics.fmean(runs[1].latencies) * 1000:.2f} ms")
    ok = all(r.rate >= TARGET_RATIO * trivial and r.percentile(0.99) < TARGET_P99_MS for r in runs[1:])
    verdict = "met" if ok else "NOT met"
    print(f"target (>= {TARGET_RATIO:.0%} of trivial throughput, p99 < {TARGET_P99_MS:.0f} ms): {verdict}")
    if hostile is not None:
        texts, health, statuses = hostile
        print(f"\n{args.abuse} hostile texts, {args.concurrency} clients, /healthz timed alongside")
        for run in (texts, health):
            print(
                f"{run.name:52} {len(run.latencies):6d} requests  p50 {run.percentile(0.5):8.1f} ms  "
                f"p99 {run.percentile(0.99):8.1f} ms"
            )
        print(f"hostile texts per second: {texts.rate:.1f}; statuses: {dict(sorted(statuses.items()))}")
        healthy = health.percentile(0.99) < TARGET_P99_MS and 500 not in statuses
        verdict = "met" if healthy else "NOT met"
        print(f"target (/healthz p99 < {TARGET_P99_MS:.0f} ms under hostile texts, no 500): {verdict}")
    if rss_before is not None and rss_after is not None:
        print(
            f"server RSS: {rss_before:.0f} MiB after warm-up, {rss_after:.0f} MiB at the end "
            f"({rss_after - rss_before:+.0f} MiB)"
        )


if __name__ == "__main__":
    main()
