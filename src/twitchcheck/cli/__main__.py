"""``python -m twitchcheck.cli``: the ``twitchcheck`` command (tests and benchmarks start servers so)."""

from twitchcheck.cli import app

app()
