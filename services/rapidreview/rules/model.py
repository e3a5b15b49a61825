"""What a loaded edition is made of: editions, rules, outcome branches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rapidreview.rules.authorities import AuthorityRegister
from rapidreview.rules.notation import Node
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.v1 import common_pb2

STAGES = ("intake", "gathering", "criteria", "decision")
# Stages whose rules are evaluated; gathering and decision rules only carry parameters.
EVALUATED_STAGES = ("intake", "criteria")
KIND_OUTCOMES = {
    "deterministic": ("MET", "NOT_MET", "NOT_APPLICABLE"),
    "judgement": ("INDICATED", "NOT_INDICATED", "NEEDS_JUDGEMENT", "NOT_APPLICABLE"),
    "statement": ("MET",),
}
POSITIVE_OUTCOMES = ("MET", "INDICATED")
STATUSES = ("statutory", "guidance", "verify", "local")
# What a rule's positive outcome makes happen in the services: a statutory duty
# on an authority, a statutory clock, or information requests to agencies.
CREATES = ("duty", "clock", "request")
# Kinds of person a rule's preconditions can name (ages inclusive, completed years).
PERSONS = ("child", "looked_after", "care_leaver")
# Where the incident happened, seen from the notifying authority.
PLACES = ("england_in_area", "england_elsewhere", "wales", "scotland", "northern_ireland", "outside_uk")
# Whether the child is normally resident in the notifying authority's area.
RESIDENCES = ("in_area", "elsewhere", "any")
# CaseFacts dates a clock may count from or be closed by.
CASE_DATES = ("la_aware_date", "panel_notification_sent_date", "incident_date", "rapid_review_sent_date")


def outcome_value(name: str) -> int:
    """OUTCOME_* number of an outcome name such as "MET"."""
    return common_pb2.Outcome.Value(f"OUTCOME_{name}")


def outcome_label(value: int) -> str:
    """Outcome name ("MET") of an OUTCOME_* number."""
    return common_pb2.Outcome.Name(value).removeprefix("OUTCOME_")


def status_value(name: str) -> int:
    """RULE_STATUS_* number of a status name such as "guidance"."""
    return common_pb2.RuleStatus.Value(f"RULE_STATUS_{name.upper()}")


def status_label(value: int) -> str:
    """Status name ("guidance") of a RULE_STATUS_* number."""
    return common_pb2.RuleStatus.Name(value).removeprefix("RULE_STATUS_").lower()


@dataclass(frozen=True, order=True)
class EditionInfo:
    """An edition version and the awareness dates it covers (inclusive;
    `effective_to` None means still in force)."""

    name: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        """True when a case the LA became aware of on `day` is pinned to this edition."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def describe(self) -> str:
        """E.g. "wt2018 2018.1 (2018-06-29 to 2023-12-14)"."""
        until = f"to {self.effective_to.isoformat()}" if self.effective_to else "onwards"
        return f"{self.name} {self.version} ({self.effective_from.isoformat()} {until})"


@dataclass(frozen=True)
class Branch:
    """One outcome of a rule: the condition that selects it (None for
    `otherwise`), the outcome, the rationale template and the evidence lists."""

    key: str
    condition: str | None
    node: Node | None
    outcome: str
    rationale: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClockSpec:
    """A statutory clock computed from the rule's parameters."""

    working_days: int
    counts_from: str
    completed_by: str | None


@dataclass(frozen=True)
class Preconditions:
    """Who, where and under what a rule can apply, as written in its file
    (`preconditions:`), checked against its conditions by the rule lint.

    `person` maps a kind of person (child, looked_after, care_leaver) to the
    inclusive age bounds covered; None means anyone. `unborn` says whether an
    unborn child is covered. `places` are PLACES (None: anywhere), `resident`
    one of RESIDENCES, `depends_on` the earlier rules it refers to."""

    person: dict[str, tuple[int, int]] | None
    unborn: bool
    places: tuple[str, ...] | None
    resident: str
    edition: str
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One rule file."""

    id: str
    title: str
    citation: str
    status: str
    stage: str
    kind: str
    branches: tuple[Branch, ...]
    otherwise: Branch | None
    parameters: dict[str, Any]
    clock: ClockSpec | None
    always_shown: bool
    path: Path
    preconditions: Preconditions | None = None
    # What a positive outcome makes happen: "duty", "clock", "request" (CREATES).
    creates: tuple[str, ...] = ()

    @property
    def evaluated(self) -> bool:
        """False for rules that only carry parameters (no outcomes)."""
        return self.otherwise is not None

    @property
    def condition_text(self) -> str:
        """The rule's conditions as written, one outcome a line."""
        lines = [f"when {b.condition}: {b.outcome}" for b in self.branches]
        if self.otherwise is not None:
            lines.append(f"otherwise: {self.otherwise.outcome}")
        return "\n".join(lines)

    @property
    def fact_key(self) -> str:
        """The rule's name inside the asserted fact, e.g. RR_DEADLINE."""
        return self.id.replace(".", "_")


@dataclass
class Edition:
    """A loaded, compiled edition version."""

    info: EditionInfo
    title: str
    path: Path
    rules: tuple[Rule, ...]
    themes: ThemeVocabulary
    conditions: dict[str, dict[str, Any]]
    ruleset: str
    digest: str
    # Fact paths each evaluated rule reads (e.g. "died", "clock.RR_DEADLINE.late").
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Local authorities by code (rules/local-authorities.yaml), shared by every edition.
    authorities: AuthorityRegister = field(default_factory=AuthorityRegister.empty)
    by_id: dict[str, Rule] = field(init=False)
    branches: dict[str, tuple[Rule, Branch]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {rule.id: rule for rule in self.rules}
        self.branches = {b.key: (r, b) for r in self.rules for b in r.branches}

    @cached_property
    def fact_fields(self) -> frozenset[str]:
        """Top-level fact names any condition of this edition reads."""
        return frozenset(path.split(".", 1)[0] for paths in self.reads.values() for path in paths)

    @property
    def scenarios_dir(self) -> Path:
        """Where this edition's scenario tests live."""
        return self.path / "scenarios"
