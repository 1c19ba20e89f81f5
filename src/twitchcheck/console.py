"""Rich rendering of assessments and knowledge-base entries for the terminal (presentation only)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from twitchcheck.engine.assessment import Assessment, DifferentialItem
from twitchcheck.knowledge import KnowledgeBase, load_kb
from twitchcheck.knowledge.schema import Condition, Finding
from twitchcheck.pipeline import QuestionOut
from twitchcheck.wording import (
    LEVEL_TITLES,
    ViewMode,
    clinical_state,
    finding_label,
    lay_text,
    likelihood_words,
    natural_frequency,
    percent,
    reason_words,
    state_words,
)

LEVEL_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "routine": "bold black on yellow",
    "self_care": "bold black on green",
}
SHOWN_CONDITIONS = 6


def _cause(kb: KnowledgeBase, item: DifferentialItem, mode: ViewMode) -> Text:
    """The cause's name, then the findings for (+) and against (-) it, quoting the person's words. For
    clinicians: the clinical name with its ICD-10 code and clinical labels; otherwise plain words only."""
    condition = kb.conditions.get(item.condition)
    if mode == "clinician":
        code = f" (ICD-10 {condition.codes.icd10})" if condition is not None else ""
        text = Text(f"{item.name}{code}", style="bold")
    else:
        text = Text(item.lay_name, style="bold")
    for sign, style, factors in (("+", "green", item.supporting[:3]), ("-", "red", item.opposing[:2])):
        for factor in factors:
            quote = f' "{factor.span}"' if factor.span else ""
            text.append(f"\n  {sign} {_finding(kb, factor.finding, factor.state, mode)}{quote}", style=style)
    return text


def _finding(kb: KnowledgeBase, finding_id: str, state: str, mode: ViewMode) -> str:
    if mode == "clinician":
        return f"{finding_label(kb, finding_id, mode)} ({clinical_state(kb, finding_id, state)})"
    return f"{finding_label(kb, finding_id, mode)}: {state_words(kb, finding_id, state)}"


def render_assessment(
    console: Console, result: Assessment, kb: KnowledgeBase | None = None, *, mode: ViewMode = "lay"
) -> None:
    """The result in plain words (``mode="lay"``, the default) or with clinical labels, ICD-10 codes and
    guideline numbers (``mode="clinician"``), as the web page's switch shows them."""
    kb = kb or load_kb()
    words = (lambda text: text) if mode == "clinician" else lay_text
    style, title = LEVEL_STYLE[result.triage.level], LEVEL_TITLES[result.triage.level].upper()
    banner = Text(title, style=style, justify="center")
    reasons = (Text(f"• {reason_words(r, mode)}") for r in result.triage.reasons)
    body = Group(banner, Text(words(result.triage.advice)), *reasons)
    console.print(Panel(body, title="Triage", border_style=style.split()[-1]))
    for flag in result.red_flags:
        if flag.level in ("urgent", "emergency"):
            console.print(
                Panel(f"[bold]{escape(words(flag.action))}[/]", title="What to do now", border_style="red")
            )

    table = Table(title="How likely each cause is", show_lines=True, expand=True)
    table.add_column("Chance", justify="right", no_wrap=True)
    table.add_column("Cause, and why")
    for item in result.differential[:SHOWN_CONDITIONS]:
        chance = f"{percent(item.probability)}\n{likelihood_words(item.probability)}"
        if mode == "lay":
            chance += f"\n{natural_frequency(item.probability)}\nin this story"
        table.add_row(chance, _cause(kb, item, mode))
    table.add_row(percent(result.other_cause_probability), "Another cause not listed")
    console.print(table)

    if result.observations:
        found = "; ".join(_finding(kb, o.finding, o.state, mode) for o in result.observations)
        console.print(Panel(escape(found), title="What we understood"))
    if result.next_steps.tests:
        console.print(
            Panel(
                "\n".join(
                    f"• {escape(words(t.name))}: {escape(words(t.why))}" for t in result.next_steps.tests[:6]
                ),
                title="What a doctor may check",
            )
        )
    if mode == "clinician" and result.next_steps.clinician_questions:
        console.print(
            Panel(
                "\n".join(f"• {escape(q)}" for q in result.next_steps.clinician_questions),
                title="History to take",
            )
        )
    if result.next_steps.self_care:
        console.print(
            Panel(
                "\n".join(f"• {escape(words(s))}" for s in result.next_steps.self_care[:6]),
                title="Things you can do",
            )
        )
    console.print(
        Panel(
            "\n".join(f"• {escape(words(s))}" for s in result.triage.safety_net),
            title="Get help sooner if",
            border_style="red",
        )
    )
    console.print(Text(words(result.disclaimer), style="italic"))


def render_question(console: Console, question: QuestionOut, asked: int, progress: float) -> None:
    bar = "█" * int(progress * 20) + "░" * (20 - int(progress * 20))
    console.print(f"\n[dim]Question {asked + 1}  {bar}[/]")
    if question.reason == "red_flag_screen":
        console.print("[dim]A safety question first:[/]")
    console.print(f"[bold]{escape(question.text)}[/]")
    group = None
    for i, option in enumerate(question.options, start=1):
        if option.group != group and option.group:
            console.print(f"  [bold]{escape(option.group)}[/]")
        group = option.group
        console.print(f"  {i}. {escape(option.label)}")
    console.print("  [dim]b. back   q. quit[/]")


def render_condition(console: Console, kb: KnowledgeBase, condition: Condition) -> None:
    codes = ", ".join(f"{k}: {v}" for k, v in condition.codes.model_dump(exclude_none=True).items())
    console.print(
        Panel(
            f"{escape(condition.description)}\n\n[dim]{escape(codes)}[/]",
            title=f"{condition.name} ({condition.id})",
        )
    )
    console.print(f"Care needed: [bold]{condition.care.level}[/] — {escape(condition.care.why)}")
    known = condition.care.known
    if known is not None:
        console.print(f"When {known.finding} is present: [bold]{known.level}[/] — {escape(known.why)}")
    console.print(
        f"Prior {condition.prior.value:g} ({condition.prior.basis}): {escape(condition.prior.derivation)}"
    )
    gate = condition.unexposed_factor
    if gate is not None:
        console.print(
            f"Exposure gate: needs one of {', '.join(condition.requires_any)}; otherwise likelihood "
            f"x {gate.value:g} ({gate.basis}; {', '.join(gate.source)}): {escape(gate.note)}"
        )
    table = Table(title="P(finding | condition)")
    for column in ("Finding", "Value", "Base rate", "Basis", "Source", "Note"):
        table.add_column(column)
    entries = {"age_band": condition.age, "sex": condition.sex, **condition.likelihoods}
    for finding_id, entry in entries.items():
        finding = kb.findings[finding_id]
        value = f"{entry.p:g}" if entry.p is not None else _states(entry.states or {})
        table.add_row(finding.label, value, _base(finding), entry.basis, ", ".join(entry.source), entry.note)
    console.print(table)
    console.print("[bold]Tests[/]: " + "; ".join(f"{t.name} ({t.why})" for t in condition.tests))
    console.print("[bold]Management[/]: " + "; ".join(condition.management))
    if condition.self_care:
        console.print("[bold]Self-care[/]: " + "; ".join(condition.self_care))
    console.print(f"[bold]Seek care[/]: {escape(condition.seek_care)}")
    console.print("[bold]Sources[/]: " + "; ".join(kb.sources[s].citation for s in condition.sources))


def render_finding(console: Console, kb: KnowledgeBase, finding: Finding) -> None:
    console.print(
        Panel(
            f"{escape(finding.question)}\n\n[dim]{finding.category}, {finding.type}"
            f"{', clinician only' if finding.clinician_only else ''}; "
            f"codes: {finding.codes.model_dump(exclude_none=True)}[/]",
            title=f"{finding.label} ({finding.id})",
        )
    )
    if finding.states:
        console.print("States: " + ", ".join(f"{s.id} ({s.label})" for s in finding.states))
    console.print(
        f"Base rate: {_base(finding)} ({finding.base_rate_provenance.basis}: "
        f"{escape(finding.base_rate_provenance.note)})"
    )
    if finding.synonyms:
        console.print("Synonyms: " + escape(", ".join(finding.synonyms)))
    table = Table(title="Used by")
    table.add_column("Condition")
    table.add_column("P(finding | condition)")
    for condition in kb.conditions.values():
        entry = kb.likelihood(condition.id, finding.id)
        if entry is not None:
            table.add_row(
                condition.name, f"{entry.p:g}" if entry.p is not None else _states(entry.states or {})
            )
    console.print(table)


def _states(states: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in states.items())


def _base(finding: Finding) -> str:
    return f"{finding.base_rate:g}" if isinstance(finding.base_rate, float) else _states(finding.base_rate)
