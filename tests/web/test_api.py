"""JSON API: the contract with Assessment.to_json(), every endpoint, and 4xx errors that name the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from twitchcheck.pipeline import assess
from twitchcheck.web.limits import DEFAULT_MAX_BODY
from twitchcheck.web.schemas import AssessmentOut, InterviewStepOut

API = "/api/v1"


def _error(response: Any, status: int, field: str | None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "field"}
    assert body["field"] == field
    if field:
        assert field in body["detail"]
    assert "Traceback" not in body["detail"]
    return str(body["detail"])


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["conditions"] >= 30 and body["findings"] > 100


def test_assess_equals_the_engine_json(client: TestClient) -> None:
    request = {
        "text": "My eyelid has been twitching for a few days. No weakness.",
        "age": 30,
        "sex": "female",
    }
    response = client.post(f"{API}/assess", json={**request, "id": "abc"})
    assert response.status_code == 200
    data = response.json()
    assert data == assess(request["text"], age=30, sex="female", id="abc").to_json()
    assert data["id"] == "abc"


def test_response_models_mirror_to_json_exactly(client: TestClient) -> None:
    """The documented models lose and coerce nothing: validating and dumping gives the same JSON back."""
    data = client.post(f"{API}/assess", json={"text": "calf twitching for months, weak grip"}).json()
    assert AssessmentOut.model_validate(data).model_dump(mode="json") == data
    step = client.post(f"{API}/interview", json={"text": "eyelid twitch"}).json()
    assert InterviewStepOut.model_validate(step).model_dump(mode="json") == step


def test_assess_structured_evidence(client: TestClient) -> None:
    evidence = {"face_droop": "present", "slurred_speech": "present", "sudden_onset": "present"}
    data = client.post(f"{API}/assess", json={"evidence": evidence, "age": 70}).json()
    assert data["triage"]["level"] == "emergency"
    assert {f["id"] for f in data["red_flags"]} >= {"stroke_fast_signs"}
    assert {e["finding"] for e in data["evidence"]} >= set(evidence)


def test_unknown_evidence_withdraws_what_the_text_implied(client: TestClient) -> None:
    text = "my eyelid keeps twitching"
    found = {e["finding"] for e in client.post(f"{API}/assess", json={"text": text}).json()["evidence"]}
    assert "loc_eyelid" in found
    body = {"text": text, "evidence": {"loc_eyelid": "unknown"}}
    again = {e["finding"] for e in client.post(f"{API}/assess", json=body).json()["evidence"]}
    assert "loc_eyelid" not in again


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"age": "30"}, "age"),
        ({"age": 131}, "age"),
        ({"age": True}, "age"),
        ({"sex": "x"}, "sex"),
        ({"text": 5}, "text"),
        ({"text": "a" * 20_001}, "text"),
        ({"evidence": {"weakness": "maybe"}}, "evidence"),
        ({"evidence": {"no_such_finding": "present"}}, "evidence"),
        ({"evidence": {"weakness": 1}}, "evidence.weakness"),
        ({"evidence": ["weakness"]}, "evidence"),
        ({"colour": "blue"}, "colour"),
        ({"id": 12}, "id"),
    ],
)
def test_bad_assess_input_names_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    _error(client.post(f"{API}/assess", json=body), 422, field)


def test_lone_surrogates_are_rejected_not_crashed_on(client: TestClient) -> None:
    raw = b'{"text": "twitch \\ud800"}'
    response = client.post(f"{API}/assess", content=raw, headers={"content-type": "application/json"})
    assert "Unicode" in _error(response, 422, "text")


def test_malformed_and_missing_bodies(client: TestClient) -> None:
    bad = client.post(f"{API}/assess", content=b"{nope", headers={"content-type": "application/json"})
    assert "not valid JSON" in _error(bad, 422, None)
    _error(client.post(f"{API}/assess"), 422, None)
    _error(client.post(f"{API}/assess", json=[1, 2]), 422, None)


def test_oversized_bodies_get_413_before_parsing(client: TestClient) -> None:
    big = b'{"text": "' + b"a" * DEFAULT_MAX_BODY + b'"}'
    response = client.post(f"{API}/assess", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]

    def chunks() -> Any:
        yield b'{"text": "'
        for _ in range(DEFAULT_MAX_BODY // 1000 + 10):
            yield b"a" * 1000
        yield b'"}'

    streamed = client.post(f"{API}/assess", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    page = client.post("/assess", content=b"text=" + b"a" * DEFAULT_MAX_BODY)
    assert page.status_code == 413 and "text/html" in page.headers["content-type"]


def test_bad_content_length_is_a_400(client: TestClient) -> None:
    response = client.post(f"{API}/assess", content=b"{}", headers={"content-length": "abc"})
    assert response.status_code == 400


def _run_interview(client: TestClient, step: dict[str, Any], pick: int) -> tuple[dict[str, Any], int]:
    turns = 0
    while step["question"] is not None:
        question = step["question"]
        value = question["options"][pick % len(question["options"])]["value"]
        if question["type"] == "checklist":
            value = [value]
        response = client.post(
            f"{API}/interview/answer",
            json={"state": step["state"], "finding": question["finding"], "value": value},
        )
        assert response.status_code == 200, response.text
        step = response.json()
        turns += 1
        assert turns <= 25
    return step, turns


def test_interview_runs_to_an_assessment(client: TestClient) -> None:
    step = client.post(f"{API}/interview", json={"text": "my calf twitches", "age": 30, "sex": "male"}).json()
    assert step["question"] is not None and step["assessment"] is None
    assert step["state"]["seeded"]["age_band"] == "young_adult"
    final, turns = _run_interview(client, step, pick=1)
    assert final["assessment"]["triage"]["level"] in {"self_care", "routine", "urgent", "emergency"}
    assert final["stop_reason"] and final["progress"] == 1.0
    assert final["asked"] == turns


def test_interview_dont_know_and_back(client: TestClient) -> None:
    opening = {"text": "my thumb twitches", "age": 40, "sex": "female", "mode": "clinician"}
    step = client.post(f"{API}/interview", json=opening).json()
    question = step["question"]["finding"]
    answered = client.post(
        f"{API}/interview/answer", json={"state": step["state"], "finding": question, "value": "unknown"}
    ).json()
    assert answered["state"]["answers"][question] == "unknown"
    assert answered["asked"] == 1
    back = client.post(f"{API}/interview/back", json={"state": answered["state"]}).json()
    assert back["asked"] == 0
    assert back["question"]["finding"] == question


def test_interview_opening_checklist(client: TestClient) -> None:
    """No symptom named: one checklist question; the ticks become evidence, back undoes them."""
    step = client.post(f"{API}/interview", json={"text": "I'm 30.", "sex": "male"}).json()
    question = step["question"]
    assert question["type"] == "checklist" and question["reason"] == "opening_checklist"
    values = [o["value"] for o in question["options"]]
    assert "fasciculations" in values and "fever" in values and "unknown" not in values
    assert {o["group"] for o in question["options"]} == {None, "Also tick any of these you have now"}
    answer = {"state": step["state"], "finding": question["finding"], "value": ["weakness", "muscle_wasting"]}
    ticked = client.post(f"{API}/interview/answer", json=answer).json()
    assert ticked["state"]["ticked"] == ["weakness", "muscle_wasting"] and ticked["asked"] == 1
    assert ticked["question"]["type"] != "checklist"
    finished = client.post(f"{API}/interview/answer", json={**answer, "state": ticked["state"], "value": []})
    assert finished.status_code == 200  # answering it again replaces the ticks
    assert finished.json()["state"]["ticked"] == []
    back = client.post(f"{API}/interview/back", json={"state": ticked["state"]}).json()
    assert back["state"]["ticked"] is None and back["question"]["type"] == "checklist"
    none = client.post(f"{API}/interview/answer", json={**answer, "value": "unknown"}).json()
    assert none["state"]["ticked"] == [] and none["question"]["type"] != "checklist"


def test_interview_checklist_speaks_to_clinicians_in_clinical_terms(client: TestClient) -> None:
    opening = {"text": "43M.", "mode": "clinician"}
    question = client.post(f"{API}/interview", json=opening).json()["question"]
    assert question["type"] == "checklist" and "the patient" in question["text"]
    labels = {o["value"]: o["label"] for o in question["options"]}
    assert labels["rippling"] == "Myokymia (continuous rippling)"
    assert labels["dysphagia"] == "Difficulty swallowing (dysphagia)"


@pytest.mark.parametrize(
    ("finding", "value"),
    [
        ("main_symptoms", ["reflexes"]),  # not on the checklist
        ("main_symptoms", "weakness"),  # a checklist takes a list
        ("main_symptoms", ["weakness", "weakness"]),
        ("weakness", ["present"]),  # a finding takes one value
    ],
)
def test_bad_checklist_answers_are_a_422(client: TestClient, finding: str, value: Any) -> None:
    response = client.post(f"{API}/interview/answer", json={"state": {}, "finding": finding, "value": value})
    _error(response, 422, "value")


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"ticked": ["reflexes"]}, "state.ticked"),
        ({"ticked": "weakness"}, "state.ticked"),
        ({"answers": {"no_such": "present"}}, "state.answers"),
        ({"seeded": {"weakness": "sometimes"}}, "state.seeded"),
        ({"asked": ["no_such"]}, "state.asked"),
        ({"max_questions": 0}, "state.max_questions"),
        ({"mode": "doctor"}, "state.mode"),
        ({"answers": [], "extra": 1}, "state.answers"),
    ],
)
def test_tampered_interview_state_is_a_4xx(client: TestClient, state: dict[str, Any], field: str) -> None:
    response = client.post(f"{API}/interview/back", json={"state": state})
    _error(response, 422, field)


def test_bad_answers_name_the_field(client: TestClient) -> None:
    state: dict[str, Any] = {}
    bad_value = {"state": state, "finding": "weakness", "value": "often"}
    _error(client.post(f"{API}/interview/answer", json=bad_value), 422, "value")
    bad_finding = {"state": state, "finding": "no_such", "value": "present"}
    _error(client.post(f"{API}/interview/answer", json=bad_finding), 422, "finding")
    _error(client.post(f"{API}/interview/answer", json={"state": state}), 422, "finding")


def test_conditions_and_findings(client: TestClient) -> None:
    conditions = client.get(f"{API}/conditions").json()
    ids = {c["id"] for c in conditions}
    assert {"als", "benign_fasciculation_syndrome", "stroke"} <= ids
    one = client.get(f"{API}/conditions/als").json()
    assert one["care"] == "urgent" and one["sources"] and one["tests"]
    assert all({"id", "citation", "url", "kind"} <= set(s) for s in one["sources"])
    _error(client.get(f"{API}/conditions/nope"), 404, "condition_id")
    findings = {f["id"]: f for f in client.get(f"{API}/findings").json()}
    assert [s["id"] for s in findings["weakness"]["states"]] == ["present", "absent"]
    assert "months" in [s["id"] for s in findings["twitch_duration"]["states"]]


def test_unknown_api_routes_are_json_404(client: TestClient) -> None:
    response = client.get(f"{API}/nothing")
    assert response.status_code == 404 and response.json()["field"] is None


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "twitchcheck"
    paths = set(doc["paths"])
    assert {
        "/api/v1/assess",
        "/api/v1/interview",
        "/api/v1/interview/answer",
        "/api/v1/interview/back",
        "/api/v1/conditions",
        "/api/v1/conditions/{condition_id}",
        "/api/v1/findings",
        "/healthz",
    } <= paths
    evidence = doc["components"]["schemas"]["Evidence"]
    assert evidence["additionalProperties"] is False
    assert evidence["properties"]["weakness"]["enum"] == ["present", "absent", "unknown"]
    assert "x-kb" not in str(doc)
    assert doc["components"]["schemas"]["AssessRequest"]["examples"]
    assert doc["components"]["schemas"]["AssessmentOut"]["examples"]
    assess_op = doc["paths"]["/api/v1/assess"]["post"]
    assert {"200", "413", "422"} <= set(assess_op["responses"])


def test_docs_are_served_locally(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "cdn" not in html.lower()
    assert "/static-docs/swagger-ui-bundle.js" in html
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
