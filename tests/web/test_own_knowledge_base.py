"""One app, one knowledge base: an app built on the small test base (tests/data/mini_kb with what a
diary needs) assesses, checks diary entries, reads their notes, re-triages and documents its API with
that base alone. The diary used to fall back to the packaged base while the same page drew the app's."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import csrf, register
from tests.web.diary_client import API, add, entry, make_app, signup
from twitchcheck.knowledge import KnowledgeBase, load_kb


def test_the_app_and_its_diary_use_the_knowledge_base_they_are_given(
    diary_mini_kb: KnowledgeBase, tmp_path: Path
) -> None:
    mini, packaged = set(diary_mini_kb.conditions), set(load_kb().conditions)
    assert mini.isdisjoint(packaged)  # so a condition shows which base answered
    with TestClient(make_app(tmp_path, kb=diary_mini_kb)) as client:
        # A one-shot check, by the API and by the page.
        story = {"text": "My calf has been twitching after coffee", "age": 30, "sex": "female"}
        assessed = client.post(f"{API}/assess", json=story).json()
        assert {d["condition"] for d in assessed["differential"]} == mini
        page = client.post("/assess", data={**story, "age": "30", **csrf(client, "/")})
        assert page.status_code == 200 and diary_mini_kb.conditions["benign"].lay_name in page.text

        # The diary by the API: the base's regions only, notes read with its findings, re-triage on it.
        alice = signup(client, "alice")
        refused = client.post(f"{API}/diary/entries", json=entry(2, regions=["loc_eyelid"]), headers=alice)
        assert refused.status_code == 422 and refused.json()["field"] == "regions.0"
        stored = add(client, alice, entry(2, regions=["hand"], note="calf twitching after coffee"))
        assert stored["regions"] == ["loc_hand"]
        read = {f["finding"] for f in stored["note_findings"]}
        assert read and read <= set(diary_mini_kb.findings)
        assert {"loc_calf", "trigger_caffeine"} <= read
        checked = client.post(f"{API}/diary/retriage?assessment=true", headers=alice).json()
        assert {t["condition"] for t in checked["top_conditions"]} == mini
        assert set(checked["evidence"]) <= set(diary_mini_kb.findings)
        patterns = client.get(f"{API}/diary/patterns", headers=alice).json()
        assert {r["finding"] for r in patterns["regions"]} == {"loc_calf", "loc_hand"}
        assert 'data-finding="loc_hand"' in client.get(f"{API}/diary/plots/bodymap.svg", headers=alice).text

        # The diary pages: quick add, then the overview re-triaged on the same base.
        register(client, "bob")
        form = {"kind": "fasciculation", "loc": ["loc_calf"], "symptom": ["weakness"]}
        added = client.post("/diary/entries", data={**form, **csrf(client, "/diary")}, follow_redirects=False)
        assert added.status_code == 303, added.text[:500]
        wrong = client.post("/diary/entries", data={"loc": ["loc_eyelid"], **csrf(client, "/diary")})
        assert wrong.status_code == 422
        diary = client.get("/diary").text
        assert any(advice in diary for advice in diary_mini_kb.policy.advice.values())
        labels = (diary_mini_kb.findings["loc_calf"].label, load_kb().findings["loc_calf"].label)
        assert labels[0] in diary and labels[1] not in diary  # the base's own words for what was written
        report = client.get("/diary/report").text
        assert _condition_names(report, diary_mini_kb) and not _condition_names(report, load_kb())

        # The document lists this base's ids.
        entry_in = client.get("/openapi.json").json()["components"]["schemas"]["EntryIn"]
        assert entry_in["properties"]["regions"]["items"]["enum"] == ["loc_calf", "loc_hand"]
        assert set(entry_in["properties"]["symptoms"]["items"]["enum"]) <= set(diary_mini_kb.findings)


def _condition_names(html: str, kb: KnowledgeBase) -> list[str]:
    """The base's conditions named on a page (as a whole phrase)."""
    text = re.sub(r"<[^>]+>", " ", html)
    return [c.lay_name for c in kb.conditions.values() if re.search(rf"\b{re.escape(c.lay_name)}\b", text)]
