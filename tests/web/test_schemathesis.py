"""Property-based API testing from our own OpenAPI document (schemathesis, in-process ASGI).

Every operation gets generated valid and invalid requests; every response must be documented,
match its schema, and never be a 5xx. The request count is asserted so the run stays meaningful.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from twitchcheck.web import create_app

# Thousands of generated requests: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow
MIN_REQUESTS = 1000
EXAMPLES_PER_OPERATION = 250

# The coverage phase would enumerate every state of every finding in every evidence map (about
# 200,000 cases for this schema); the fuzzing phase samples the same space within the budget below.
# 413 (body over the documented byte limit) is a rejection whatever the schema says: the limit leaves
# room for 20,000 characters in any encoding, but a schema-valid body may hold more than the text.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}},
        "checks": {
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 406, 413, 422, 428, "5xx"]},
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 413, 429, "5xx"]
            },
        },
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(warm=False), config=CONFIG)
requests_made: list[str] = []
timings: dict[str, list[float]] = {}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case: Any) -> None:
    requests_made.append(case.operation.label)
    t0 = time.perf_counter()
    case.call_and_validate()
    timings.setdefault(case.operation.label, []).append(time.perf_counter() - t0)


def test_enough_requests_were_generated(request: pytest.FixtureRequest) -> None:
    ran = {item.name for item in request.session.items}
    if not any(name.startswith("test_api_conforms_to_its_schema") for name in ran):
        pytest.skip("the schemathesis tests were not selected in this run")
    assert len(requests_made) >= MIN_REQUESTS, f"only {len(requests_made)} generated requests"
    for label, times in sorted(timings.items()):
        print(f"{label}: {len(times)} requests, {sum(times):.1f} s")
