"""Train the learned second reader: text/data/learned/corpus/*.jsonl -> text/data/learned/model.npz.

Usage: ``make train`` (or ``python scripts/train_reader.py [OUT.npz]``). See text/learned_train.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

from twitchcheck.knowledge import load_kb
from twitchcheck.text.learned import DATA, MODEL_PATH, corpus_files, read_corpus, save_model
from twitchcheck.text.learned_train import train
from twitchcheck.text.pipeline import get_pipeline


def main(out: Path = MODEL_PATH) -> None:
    started = time.perf_counter()
    config = yaml.safe_load((DATA / "config.yaml").read_text("utf-8"))
    kb = load_kb()
    files = corpus_files()
    rows = read_corpus(files)
    model = train(rows, kb.findings, get_pipeline(kb).norms, config)
    save_model(model, out)
    print(
        f"{len(rows)} clauses from {len(files)} files, {len(model.findings)} findings, "
        f"{len(model.vocabulary)} features; {out} ({out.stat().st_size // 1024} KiB) "
        f"in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL_PATH)
