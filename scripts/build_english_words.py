"""Build the list of common English words the typo corrector must leave alone, at build time.

Run: .venv/bin/python scripts/build_english_words.py
pip downloads the wordfreq and msgpack wheels (no install) into a temporary folder; the script reads
wordfreq's English frequency table straight from its wheel and writes

    src/twitchcheck/text/data/english_words.txt

Why: the reader corrects typos towards its own vocabulary ("twiching" -> twitching), but a real word
that happens to be close to a vocabulary word is no typo ("gutters" is not "guttering", "station" is
not "statin", "meditation" is not "medication"). Words used at least once per ~4.5 million words of
English (wordfreq's Zipf >= 2.5, its "cB" bucket <= -650) are common enough to trust as meant; rarer
entries in the table are mostly misspellings, names and fragments, and stay correctable.

The word list is derived from wordfreq's data (Robyn Speer, https://github.com/rspeer/wordfreq),
licensed CC BY-SA 4.0; the list file carries that notice.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WORDFREQ_VERSION = "3.1.1"
MSGPACK_VERSION = "1.1.2"
# wordfreq's cB buckets: bucket i holds words of frequency 10 ** (-i / 100).
MAX_BUCKET = 650
# The typo corrector only looks at words this long (text/fuzzy.DEFAULT_MIN_LENGTH).
MIN_LENGTH = 5
OUT = Path(__file__).resolve().parents[1] / "src/twitchcheck/text/data/english_words.txt"
HEADER = f"""\
# Common English words the typo corrector leaves alone (scripts/build_english_words.py).
# Derived from wordfreq {WORDFREQ_VERSION} (Robyn Speer; https://github.com/rspeer/wordfreq), English
# table, words with frequency >= 10^-{MAX_BUCKET / 100} (Zipf >= {9 - MAX_BUCKET / 100:.1f}),
# ASCII letters, at least {MIN_LENGTH} long.
# Licence of this list: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/).
"""


def download(dest: Path) -> list[Path]:
    """The wordfreq and msgpack wheels, downloaded (not installed) into ``dest``."""
    for spec in (f"wordfreq=={WORDFREQ_VERSION}", f"msgpack=={MSGPACK_VERSION}"):
        command = [sys.executable, "-m", "pip", "download", spec, "--no-deps", "-q", "-d", str(dest)]
        subprocess.run(command, check=True)
    return sorted(dest.glob("*.whl"))


def words(wheel_dir: Path) -> list[str]:
    wheels = {w.name.split("-")[0]: w for w in wheel_dir.glob("*.whl")}
    lib = wheel_dir / "lib"
    with zipfile.ZipFile(wheels["msgpack"]) as z:
        z.extractall(lib)
    sys.path.insert(0, str(lib))
    import msgpack  # type: ignore[import-untyped]  # from the downloaded wheel

    with zipfile.ZipFile(wheels["wordfreq"]) as z:
        table = msgpack.unpackb(gzip.decompress(z.read("wordfreq/data/large_en.msgpack.gz")), raw=False)
    buckets = table[1:]  # table[0] is the format header
    out = {
        word
        for i, bucket in enumerate(buckets, start=1)
        if i <= MAX_BUCKET
        for word in bucket
        if word.isascii() and word.isalpha() and len(word) >= MIN_LENGTH
    }
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", type=Path, help="folder holding the two wheels (default: pip download)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.wheels if args.wheels is not None else Path(tmp)
        if args.wheels is None:
            download(folder)
        found = words(folder)
    OUT.write_text(HEADER + "\n".join(found) + "\n", "utf-8")
    print(f"{OUT}: {len(found)} words")


if __name__ == "__main__":
    main()
