# Two entry points: `make run` and `make test`. Both build .venv on first use.
# `make check` is the fast daily loop: lint, the kb check, tests not marked browser, slow or reliability.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint bench browser postgres reliability train calibration clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/twitchcheck serve --host 127.0.0.1 --port 8000

# lint-imports: the layers and no import cycles ([tool.importlinter] in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Browser tests drive Debian's chromium (never `playwright install`, which downloads a browser).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Diary storage tests also run against PostgreSQL when one is up (they skip, saying why, when not).
postgres:
	-@if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true; fi

test: lint browser postgres
	$(BIN)/twitchcheck kb check
	$(BIN)/pytest

# The fast part of `make test`, in under 2 minutes: no real browser, no slow or reliability tests.
FAST := not browser and not slow and not reliability
check: lint postgres
	$(BIN)/twitchcheck kb check
	$(BIN)/pytest -q -m "$(FAST)"

# Abuse and limits on SQLite and PostgreSQL (also part of `make test`; leave out with -m "not reliability").
reliability: $(STAMP) postgres
	$(BIN)/pytest -m reliability tests/reliability

# The learned second reader: text/data/learned/corpus -> text/data/learned/model.npz (deterministic).
train: $(STAMP)
	$(BIN)/python scripts/train_reader.py

# Is the posterior calibrated? One global tempering fitted on the blind development texts (docs/calibration.md).
calibration: $(STAMP)
	$(BIN)/python scripts/fit_calibration.py --read

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_text.py
	$(BIN)/python benchmarks/bench_interview.py
	$(BIN)/python benchmarks/bench_http.py

clean:
	rm -rf $(VENV)
