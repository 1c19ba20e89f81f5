"""Property-based testing of the account and diary API from its OpenAPI document (schemathesis).

Requests carry a valid API token of a fresh user who already has a few entries, so the generated
cases reach the handlers instead of stopping at 401. Every response must be documented, match its
schema and never be a 5xx; the request count is asserted so the run stays meaningful.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from tests.web.conftest import PASSWORD
from tests.web.diary_client import make_app
from twitchcheck.diary import accounts, repository
from twitchcheck.diary.db import Database
from twitchcheck.diary.schemas import EntryCreate, UserCreate

# Thousands of generated requests: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow
MIN_REQUESTS = 300
EXAMPLES_PER_OPERATION = 40
# The rest of the API has its own run (test_schemathesis.py).
NOT_DIARY = r"^/(?!api/v1/(diary|account))"
# Valid by the schema yet refused, for reasons JSON Schema cannot state: an entry in the future, a
# patched entry that contradicts its stored fields (exercised false with exercise minutes), an
# import whose entries break the rules of a new entry. Elsewhere 422 for schema-valid input fails.
CROSS_FIELD_RULES = r"^/api/v1/(diary/entries|account/import)"
ACCEPTED = ["2xx", 401, 403, 404, 409, 413, 429]
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}},
        "checks": {
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 406, 413, 415, 422]},
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        # (schema.include() is ignored once the config lists operations, so the filter is here too.)
        "operations": [
            {"include-path-regex": NOT_DIARY, "enabled": False},
            {
                "include-path-regex": CROSS_FIELD_RULES,
                "include-method": ["POST", "PATCH"],
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 422]}},
            },
        ],
    }
)
APP = make_app(Path(tempfile.mkdtemp(prefix="st-diary-", dir=os.environ.get("TWITCHCHECK_DATA_DIR"))))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
requests_made: list[str] = []
statuses: dict[str, set[int]] = {}
timings: dict[str, list[float]] = {}
names = itertools.count()


class Fuzzer:
    """The user the generated requests act as; replaced when a request deletes it or its token."""

    def __init__(self) -> None:
        self.token: str | None = None

    def database(self) -> Database:
        database: Database = APP.state.accounts.database()
        return database

    def renew(self) -> str:
        with self.database().session() as session:
            user = accounts.register(session, UserCreate(username=f"fuzzer{next(names)}", password=PASSWORD))
            start = datetime.now(UTC) - timedelta(days=30)
            entries = [EntryCreate(occurred_at=start + timedelta(days=d)) for d in range(5)]
            repository.add_entries(session, user.id, entries, kb=APP.state.kb, extractor=lambda _text: [])
            self.token = accounts.create_api_token(session, user.id, "schemathesis").token
        return self.token

    def entry_ids(self) -> list[int]:
        with self.database().session() as session:
            user = accounts.verify_api_token(session, self.current())
            assert user is not None
            ids = [e.id for e in repository.list_entries(session, user.id)]
            if not ids:  # the generated requests deleted them all
                entry = EntryCreate(occurred_at=datetime.now(UTC))
                ids = [repository.add_entry(session, user.id, entry, kb=APP.state.kb).id]
        return ids

    def current(self) -> str:
        if self.token is not None:
            with self.database().session() as session:
                if accounts.verify_api_token(session, self.token) is not None:
                    return self.token
        return self.renew()  # a generated request deleted the account or revoked the token


FUZZER = Fuzzer()


@schema.auth(refresh_interval=None)
class BearerToken:
    """Tells schemathesis how requests authenticate, so it knows which ones it sent without a token."""

    def get(self, case: Any, context: Any) -> str:
        return FUZZER.current()

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def aim_at_an_existing_entry(case: Any) -> None:
    """Random ids almost never exist, so every other schema-valid entry id is swapped for one of the
    user's own: then PATCH with generated bodies, GET and DELETE run their success paths too."""
    value = case.path_parameters.get("entry_id")
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta is not None else None
    if isinstance(value, int) and path is not None and path.mode.is_positive and value % 2 == 0:
        ids = FUZZER.entry_ids()
        case.path_parameters["entry_id"] = ids[value // 2 % len(ids)]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_diary_api_conforms_to_its_schema(case: Any) -> None:
    aim_at_an_existing_entry(case)
    requests_made.append(case.operation.label)
    t0 = time.perf_counter()
    response = case.call_and_validate()
    statuses.setdefault(case.operation.label, set()).add(response.status_code)
    timings.setdefault(case.operation.label, []).append(time.perf_counter() - t0)


def test_enough_requests_were_generated(request: pytest.FixtureRequest) -> None:
    ran = {item.name for item in request.session.items}
    if not any(name.startswith("test_diary_api_conforms_to_its_schema") for name in ran):
        pytest.skip("the schemathesis tests were not selected in this run")
    assert len(requests_made) >= MIN_REQUESTS, f"only {len(requests_made)} generated requests"
    failing = sorted(label for label, seen in statuses.items() if not any(200 <= s < 300 for s in seen))
    assert not failing, f"operations that never succeeded: {failing}"
    for label, times in sorted(timings.items()):
        print(f"{label}: {len(times)} requests, statuses {sorted(statuses[label])}, {sum(times):.1f} s")
