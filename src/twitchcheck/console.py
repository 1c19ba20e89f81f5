"""Rich rendering of assessments and knowledge-base entries for the terminal (presentation only)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from twitchcheck.engine.assessment import Assessment, DifferentialItem
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.knowledge.schema import Condition, Finding
from twitchcheck.pipeline import QuestionOut
from twitchcheck.wording import LEVEL_TITLES, likelihood_words

LEVEL_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "routine": "bold black on yellow",
    "self_care": "bold black on green",
}
SHOWN_CONDITIONS = 6


def _cause(item: DifferentialItem) -> Text:
    """The cause's name, then the findings for (+) and against (-) it, quoting the person's words."""
    text = Text(item.lay_name, style="bold")
    for sign, style, factors in (("+", "green", item.supporting[:3]), ("-", "red", item.opposing[:2])):
        for factor in factors:
            quote = f' "{factor.span}"' if factor.span else ""
            text.append(f"\n  {sign} {factor.label} ({factor.state}){quote}", style=style)
    return text


def render_assessment(console: Console, result: Assessment) -> None:
    style, title = LEVEL_STYLE[result.triage.level], LEVEL_TITLES[result.triage.level].upper()
    banner = Text(title, style=style, justify="center")
    body = Group(banner, Text(result.triage.advice), *(Text(f"• {r}") for r in result.triage.reasons))
    console.print(Panel(body, title="Triage", border_style=style.split()[-1]))
    for flag in result.red_flags:
        if flag.level in ("urgent", "emergency"):
            console.print(
                Panel(f"[bold]{escape(flag.action)}[/]", title="What to do now", border_style="red")
            )

    table = Table(title="How likely each cause is", show_lines=True, expand=True)
    table.add_column("Chance", justify="right", no_wrap=True)
    table.add_column("Cause, and why")
    for item in result.differential[:SHOWN_CONDITIONS]:
        table.add_row(f"{item.probability:.0%}\n{likelihood_words(item.probability)}", _cause(item))
    table.add_row(f"{result.other_cause_probability:.0%}", "Another cause not listed")
    console.print(table)

    if result.observations:
        found = ", ".join(f"{result.label(o.finding)}: {o.state}" for o in result.observations)
        console.print(Panel(escape(found), title="What we understood"))
    if result.next_steps.tests:
        console.print(
            Panel(
                "\n".join(f"• {escape(t.name)}: {escape(t.why)}" for t in result.next_steps.tests[:6]),
                title="What a doctor may check",
            )
        )
    if result.next_steps.self_care:
        console.print(
            Panel(
                "\n".join(f"• {escape(s)}" for s in result.next_steps.self_care[:6]),
                title="Things you can do",
            )
        )
    console.print(
        Panel(
            "\n".join(f"• {escape(s)}" for s in result.triage.safety_net),
            title="Get help sooner if",
            border_style="red",
        )
    )
    console.print(Text(result.disclaimer, style="italic"))


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
