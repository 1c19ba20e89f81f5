"""A 500-hunt on SQLite and PostgreSQL: random and extreme values in every place the diary takes input.

Hypothesis draws requests for the account and diary routes, API and pages, with values chosen to hurt:
NUL and lone surrogates (sent as JSON escapes), integers far beyond 64 bits, dates at the ends of the
calendar with extreme offsets, deep nesting, over-long strings, wrong types. Whatever comes back
must not be a 500 and must carry the security headers. (The schemathesis runs in tests/web check
the documented shapes on SQLite; this one is about robustness, on both databases.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import API, Diary, api_signup, page_signup
from tests.web.conftest import csrf

pytestmark = pytest.mark.reliability

EXAMPLES = 300
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")
EXTREMES: list[Any] = [
    "\x00",
    "calf\x00",
    "\ud800",
    "\udfff calf",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-03-01T08:30:00+23:59",
    "2026-02-30T08:30:00Z",
    "1e309",
    "NaN",
    2**31,
    2**63,
    -(2**63) - 1,
    10**40,
    1e308,
    -0.0,
    "[" * 3000,
    "x" * 6000,
    "loc_calf",
    "weakness",
    True,
    None,
    [],
    {},
]
ENTRY_FIELDS = [
    "occurred_at", "kind", "side", "regions", "intensity", "duration_minutes", "count", "caffeine_mg",
    "caffeine_cups", "alcohol_units", "sleep_hours", "stress", "exercise_minutes", "exercised",
    "medications", "symptoms", "note", "note_findings",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(EXTREMES),
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(ENTRY_FIELDS), inner, max_size=3)
    ),
    max_leaves=8,
)
entry_bodies = st.fixed_dictionaries(
    {"occurred_at": st.sampled_from(["2026-03-01T08:30:00+01:00", *EXTREMES[:10]])},
    optional={name: values for name in ENTRY_FIELDS if name != "occurred_at"},
)
path_ids = st.one_of(st.sampled_from(["1", "0", "-1", str(2**31), str(2**63), "9" * 40, "1e3", "%00", "abc"]),
                     st.integers(min_value=0, max_value=2**70).map(str))  # fmt: skip
texts = st.one_of(st.sampled_from([e for e in EXTREMES if isinstance(e, str)]), st.text(max_size=60))


def _json(value: Any) -> dict[str, Any]:
    # ensure_ascii escapes lone surrogates as \\udXXX, which is valid JSON text (httpx's json= cannot)
    return {"content": json.dumps(value, allow_nan=True), "headers": {"Content-Type": "application/json"}}


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    missing = [name for name in SECURITY_HEADERS if name not in response.headers]
    assert not missing, (what, missing)


@given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
def test_no_input_makes_a_500(diary: Diary, data: st.DataObject) -> None:
    if not diary.kept:
        api = diary.client()
        api.headers.update(api_signup(api, "fuzzer"))
        diary.kept["api"] = api
        diary.kept["page"] = page_signup(diary.client("203.0.113.11"), "pager")
    operation = data.draw(st.integers(min_value=0, max_value=11), label="operation")
    if operation <= 8:
        _api(diary.kept["api"], data, operation)
    else:
        _pages(diary.kept["page"], data, operation)


def _api(client: Any, data: st.DataObject, operation: int) -> None:
    if operation == 0:
        body = data.draw(entry_bodies, label="entry")
        _check(client.post(f"{API}/diary/entries", **_json(body)), "add entry")
    elif operation == 1:
        entry_id = data.draw(path_ids, label="id")
        body = data.draw(entry_bodies, label="patch")
        if data.draw(st.booleans(), label="without occurred_at"):
            body.pop("occurred_at")
        _check(client.patch(f"{API}/diary/entries/{entry_id}", **_json(body)), "patch entry")
    elif operation == 2:
        names = st.sampled_from(["since", "until", "limit", "offset", "order"])
        params = _clean(data.draw(st.dictionaries(names, texts, max_size=4), label="query"))
        _check(client.get(f"{API}/diary/entries", params=params), "list entries")
    elif operation == 3:
        entry_id = data.draw(path_ids, label="id")
        method = data.draw(st.sampled_from(["GET", "DELETE"]), label="method")
        _check(client.request(method, f"{API}/diary/entries/{entry_id}"), "entry by id")
        _check(client.delete(f"{API}/account/tokens/{entry_id}"), "revoke token")
    elif operation == 4:
        names = st.sampled_from(["username", "password", "name", "expires_in_days"])
        body = data.draw(st.dictionaries(names, values, max_size=4), label="login")
        _check(client.post(f"{API}/account/tokens", **_json(body)), "log in")
        _check(client.post(f"{API}/account/register", **_json(body)), "register")
    elif operation == 5:
        names = st.sampled_from(["year_of_birth", "sex"])
        body = data.draw(st.dictionaries(names, values, max_size=2), label="profile")
        _check(client.patch(f"{API}/account", **_json(body)), "profile")
    elif operation == 6:
        records = data.draw(st.lists(entry_bodies, max_size=3) | values, label="import")
        _check(client.post(f"{API}/account/import", **_json(records)), "import json")
    elif operation == 7:
        cells = data.draw(st.lists(texts, min_size=3, max_size=3), label="csv")
        csv = "occurred_at,note,note_findings\n" + ",".join('"' + c.replace('"', '""') + '"' for c in cells)
        sent = client.post(
            f"{API}/account/import",
            content=csv.encode("utf-8", "surrogatepass"),
            headers={"Content-Type": "text/csv"},
        )
        _check(sent, "import csv")
    else:
        fmt = _clean({"format": data.draw(texts, label="format")})
        _check(client.get(f"{API}/account/export", params=fmt), "export")


def _pages(client: Any, data: st.DataObject, operation: int) -> None:
    """The same kind of values through the page forms and addresses."""
    form_values = st.one_of(texts, st.integers(min_value=-(2**70), max_value=2**70).map(str))
    if operation == 9:
        names = st.sampled_from([*ENTRY_FIELDS, "loc", "symptom", "tz_offset", "year_of_birth"])
        form = _clean(data.draw(st.dictionaries(names, form_values, max_size=6), label="form"))
        target = data.draw(st.sampled_from(["/diary/entries", "/diary/entries/1", "/account/profile"]))
        _check(client.post(target, data=form | csrf(client, "/diary")), f"form {target}")
    elif operation == 10:
        entry_id = data.draw(path_ids, label="id")
        _check(client.get(f"/diary/entries/{entry_id}"), "entry page")
        _check(client.post(f"/account/tokens/{entry_id}/revoke", data=csrf(client, "/diary")), "revoke page")
    else:
        name = data.draw(texts, label="name")
        _check(
            client.post("/account/tokens", data=_clean({"name": name}) | csrf(client, "/account")), "token"
        )
        login = _clean({"username": name, "password": name})
        _check(client.post("/login", data=login | csrf(client, "/login"), follow_redirects=False), "login")


def _clean(form: dict[str, str]) -> dict[str, str]:
    """Values a browser could send (a lone surrogate cannot be percent-encoded as UTF-8)."""
    return {k: v.encode("utf-8", "replace").decode("utf-8") for k, v in form.items()}
