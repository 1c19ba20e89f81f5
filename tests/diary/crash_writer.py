"""Zygote for the crash test: imports everything once, then forks one writer per request.

Protocol on stdin/stdout (one line each):
  run <seed> <ack-file>  -> forks a writer; replies "pid <pid>"
  reap <pid>             -> waits for it; replies "status <signal number, or -exit code>"
  quit
A writer opens its own engine and writes single entries and 10-entry batches to the database in
argv[1] for user argv[2], appending "A <id>" / "B <tag> <ids>" to its ack file only after each
commit returned ("R" first, once it is running). It never stops by itself: it is killed.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from datetime import UTC, datetime, timedelta

from twitchcheck.diary import repository as repo
from twitchcheck.diary.db import Database
from twitchcheck.diary.schemas import EntryCreate
from twitchcheck.knowledge import load_kb

BATCH = 10
KB = load_kb()
BASE = datetime(2025, 6, 1, tzinfo=UTC)


def writer(url: str, user_id: int, seed: int, ack_path: str) -> None:
    fd = os.open(ack_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        db = Database.open(url, upgrade=False)
        rng = random.Random(seed)
        with db.session() as session:
            os.write(fd, b"R\n")
            i = 0
            while True:
                when = BASE + timedelta(minutes=seed * 10_000 + i)
                if rng.random() < 0.25:
                    tag = f"batch-{seed}-{i}"
                    batch = [EntryCreate(occurred_at=when + timedelta(seconds=k), count=k, note=tag)
                             for k in range(BATCH)]  # fmt: skip
                    ids = repo.add_entries(session, user_id, batch, note_findings=[[]] * BATCH, kb=KB)
                    os.write(fd, f"B {tag} {','.join(map(str, ids))}\n".encode())
                else:
                    entry = EntryCreate(occurred_at=when, count=i, stress=i % 11, note=f"single-{seed}-{i}")
                    saved = repo.add_entry(session, user_id, entry, note_findings=[], kb=KB)
                    os.write(fd, f"A {saved.id}\n".encode())
                i += 1
    except BaseException:
        os.write(fd, ("E " + traceback.format_exc().replace("\n", " | ") + "\n").encode())
    finally:
        os._exit(3)


def main() -> None:
    url, user_id = sys.argv[1], int(sys.argv[2])
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                writer(url, user_id, int(args[0]), args[1])
            print(f"pid {pid}", flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            code = os.WTERMSIG(status) if os.WIFSIGNALED(status) else -os.WEXITSTATUS(status)
            print(f"status {code}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
