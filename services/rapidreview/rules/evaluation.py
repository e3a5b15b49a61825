"""One evaluation of a case against an edition: facts in, outcomes, fired
rule IDs and clocks out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules.clocks import compute_clock
from rapidreview.rules.engine import RulesEngine
from rapidreview.rules.facts import CaseView, case_view
from rapidreview.rules.model import Branch, Edition, Rule, outcome_label, outcome_value, status_label, status_value
from rapidreview.v1 import common_pb2, facts_pb2

#: Evidence references an outcome lists (the first, in case order; `evidence_not_listed`
#: counts the rest) and the characters of a rationale: outcomes travel in events and
#: responses, whose size must not grow with the case.
MAX_EVIDENCE = 20
MAX_RATIONALE = 2000


class _Template(dict[str, str]):
    def __missing__(self, key: str) -> str:  # validated at load; never reached for known names
        return "{" + key + "}"


@dataclass(frozen=True)
class Evaluation:
    """The result of one evaluation; everything needed to store and replay it
    alongside its inputs."""

    edition: str
    version: str
    ruleset: str
    stage: str | None
    today: dt.date
    fired: list[str]
    outcomes: list[common_pb2.RuleOutcome]
    clocks: list[common_pb2.Clock]
    unmatched_themes: list[str]
    # Which outcome of each rule was taken: "RR.DEADLINE#3" or "RR.DEADLINE#otherwise".
    taken: dict[str, str]

    def outcome(self, rule_id: str) -> common_pb2.RuleOutcome | None:
        """The outcome of one rule, or None when it was not evaluated."""
        return next((o for o in self.outcomes if o.rule_id == rule_id), None)

    def clock(self, clock_id: str) -> common_pb2.Clock | None:
        """One clock, or None when it has not started."""
        return next((c for c in self.clocks if c.id == clock_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form (`rapidreview evaluate --format json`)."""
        return {
            "edition": self.edition,
            "version": self.version,
            "stage": self.stage,
            "today": self.today.isoformat(),
            "fired": list(self.fired),
            "criteria": [
                {
                    "id": o.rule_id,
                    "outcome": outcome_label(o.outcome),
                    "rationale": o.rationale,
                    "evidence": list(o.evidence),
                    "citation": o.citation,
                    "status": status_label(o.status),
                }
                for o in self.outcomes
            ],
            "clocks": [
                {
                    "id": c.id,
                    "starts_from": c.starts_from,
                    "due": c.due,
                    "working_days_left": c.working_days_left,
                    "completed_on": c.completed_on or None,
                    "late": c.late,
                    "overdue": c.overdue,
                }
                for c in self.clocks
            ],
            "unmatched_themes": list(self.unmatched_themes),
        }


def _chosen(rule: Rule, fired_keys: AbstractSet[str]) -> Branch:
    """The outcome of `rule`: its first outcome whose condition fired, else `otherwise`."""
    branch = next((b for b in rule.branches if b.key in fired_keys), None) or rule.otherwise
    assert branch is not None
    return branch


def shown(rule: Rule, stage: str | None) -> bool:
    """True when the rule's outcome belongs in an evaluation of `stage`."""
    return rule.evaluated and (stage is None or rule.stage == stage or rule.always_shown)


def prepare(
    edition: Edition, facts: facts_pb2.CaseFacts, calendar: WorkingDayCalendar, today: dt.date
) -> tuple[CaseView, list[common_pb2.Clock], dict[str, dict[str, str]]]:
    """The fact to assert (derived facts and clock facts included), the
    clocks, and each clock rule's rationale text."""
    view = case_view(facts, edition.info.name, edition.themes, edition.authorities)
    clocks: list[common_pb2.Clock] = []
    clock_text: dict[str, dict[str, str]] = {}
    view.fact["clock"] = {}
    for rule in edition.rules:
        if rule.clock is None:
            continue
        clock, fact, text = compute_clock(rule, facts, calendar, today)
        view.fact["clock"][rule.fact_key] = fact
        clock_text[rule.id] = text
        if clock is not None:
            clocks.append(clock)
    return view, clocks, clock_text


def facts_read(edition: Edition, rule: Rule, view: CaseView) -> list[str]:
    """The facts a rule's conditions read, as "name: value" lines."""
    lines = []
    for path in edition.reads.get(rule.id, ()):
        value: Any = view.fact
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        name = path
        if path.startswith("clock."):
            _, key, field = path.split(".")
            owner = next((r.id for r in edition.rules if r.fact_key == key), key)
            name = f"clock_{field} ({owner})"
        shown_value = "not recorded" if value is None else (str(value).lower() if isinstance(value, bool) else value)
        lines.append(f"{name}: {shown_value}")
    return lines


def evaluate_edition(
    engine: RulesEngine,
    edition: Edition,
    facts: facts_pb2.CaseFacts,
    stage: str | None,
    calendar: WorkingDayCalendar,
    timeout: float | None = None,
) -> Evaluation:
    """Evaluates `facts` against `edition` (whose ruleset must be registered)."""
    today = calendar.today()
    view, clocks, clock_text = prepare(edition, facts, calendar, today)
    # Only the facts some condition reads are asserted: durable-rules
    # serialises the whole fact again for every action it runs.
    asserted = {key: view.fact[key] for key in edition.fact_fields if key in view.fact}
    fired_keys = engine.evaluate(edition.ruleset, asserted, timeout=timeout)

    outcomes: list[common_pb2.RuleOutcome] = []
    fired: set[str] = set()
    taken_keys: dict[str, str] = {}
    # A clock runs only while its rule applies: a duty that does not arise
    # (NOT_APPLICABLE) has no clock, whatever the stage shown.
    clock_ids = {r.id for r in edition.rules if r.clock is not None and _chosen(r, fired_keys).outcome != "NOT_APPLICABLE"}
    clocks = [c for c in clocks if c.id in clock_ids]
    for rule in edition.rules:
        if not shown(rule, stage):
            continue
        branch = _chosen(rule, fired_keys)
        if branch is not rule.otherwise:
            fired.add(rule.id)
        taken_keys[rule.id] = branch.key
        context = _Template(view.text)
        context.update({k: str(v) for k, v in rule.parameters.items()})
        context.update(clock_text.get(rule.id, {}))
        evidence = list(dict.fromkeys(ref for name in branch.evidence for ref in view.evidence[name]))
        rationale = branch.rationale.format_map(context)
        if len(rationale) > MAX_RATIONALE:
            rationale = rationale[: MAX_RATIONALE - 1] + "\u2026"
        outcomes.append(
            common_pb2.RuleOutcome(
                rule_id=rule.id,
                outcome=outcome_value(branch.outcome),
                rationale=rationale,
                citation=rule.citation,
                status=status_value(rule.status),
                evidence=evidence[:MAX_EVIDENCE],
                evidence_not_listed=max(len(evidence) - MAX_EVIDENCE, 0),
            )
        )
    return Evaluation(
        edition=edition.info.name,
        version=edition.info.version,
        ruleset=edition.ruleset,
        stage=stage,
        today=today,
        fired=sorted(fired),
        outcomes=outcomes,
        clocks=clocks,
        unmatched_themes=list(view.unmatched_tags),
        taken=taken_keys,
    )
