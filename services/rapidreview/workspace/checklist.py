"""The criteria checklist as the pages show it (pure functions, no I/O): criteria by RULES.md section
with outcome tags, rationale and evidence links, the explain view of one criterion, the reviews
LOCAL.RECURRENT_THEMES cites, and the words for editions, triggers and wording statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rapidreview.v1 import common_pb2, criteria_pb2 as C
from rapidreview.workspace import evidence, presenters

EDITIONS = {
    common_pb2.EDITION_WT2018: "Working Together to Safeguard Children 2018, chapter 4",
    common_pb2.EDITION_WT2023: "Working Together to Safeguard Children 2023, chapter 5",
}
STATUSES = {
    common_pb2.RULE_STATUS_STATUTORY: "statutory",
    common_pb2.RULE_STATUS_GUIDANCE: "guidance",
    common_pb2.RULE_STATUS_VERIFY: "to verify",
    common_pb2.RULE_STATUS_LOCAL: "local practice",
}
TRIGGERS = {
    C.EVALUATION_TRIGGER_INCIDENT_NOTIFIED: "the notification (initial checklist)",
    C.EVALUATION_TRIGGER_INFORMATION_COLLATED: "the agencies' information collated (full checklist)",
    C.EVALUATION_TRIGGER_PANEL_RESPONSE: "a Panel response",
    C.EVALUATION_TRIGGER_NEW_THEMES: "new learning themes from completed reviews",
    C.EVALUATION_TRIGGER_MANUAL: "a re-evaluation asked for by the business unit",
    C.EVALUATION_TRIGGER_PANEL_NOTIFIED: "the Panel notification (rapid review clock started)",
    C.EVALUATION_TRIGGER_DECISION_RECORDED: "the Executive's decision",
    C.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN: "the notification's withdrawal",
}
#: The catalogue's sections (RULES.md), by rule id prefix.
SECTIONS = (
    ("serious-case", "1. Is this a serious child safeguarding case?", ("DEF.", "NOTIFY.")),
    ("rapid-review", "2. The rapid review", ("RR.",)),
    ("local-review", "3. Should there be a local child safeguarding practice review?", ("LOCAL.",)),
    ("circumstances", "4. Circumstances to have regard to", ("REGARD.",)),
)
#: The judgement criteria the Review Advisory Group concludes on (RULES.md section 3).
JUDGEMENT_PREFIXES = ("LOCAL.", "REGARD.")
NOT_AUTOMATIC = "NOT.AUTOMATIC"


def edition_text(edition: int, version: str) -> str:
    name = EDITIONS.get(edition, "Unknown edition")
    return f"{name}, rules version {version}" if version else name


def evaluated_text(at: Any) -> str:
    """A protobuf Timestamp as "4 June 2024 at 15:44 UTC"."""
    if not at.seconds:
        return ""
    moment = dt.datetime.fromtimestamp(at.seconds, dt.UTC)
    return f"{presenters.long_date(moment.date())} at {moment:%H:%M} UTC"


LinkFor = Callable[[str], evidence.EvidenceLink]


def criterion_anchor(rule_id: str) -> str:
    """The HTML id of a criterion's line on the checklist page."""
    return "criterion-" + rule_id.lower().replace(".", "-").replace("_", "-")


def outcome_view(o: common_pb2.RuleOutcome, link_for: LinkFor, explain_href: str) -> dict[str, Any]:
    links = [link_for(ref) for ref in o.evidence]
    return {
        "rule_id": o.rule_id,
        "anchor": criterion_anchor(o.rule_id),
        "tag": presenters.outcome_tag(o.outcome),
        "rationale": o.rationale,
        "citation": o.citation,
        "status": STATUSES.get(o.status, ""),
        "returns": [x for x in links if x.kind == "return"],
        "reviews": [x for x in links if x.kind == "review"],
        "explain_href": explain_href,
        "judgement": o.rule_id.startswith(JUDGEMENT_PREFIXES),
    }


def sections(checklist: C.Checklist, link_for: LinkFor, explain_href: Callable[[str], str]) -> list[dict[str, Any]]:
    """The criteria by RULES.md section, in catalogue order; NOT.AUTOMATIC is shown on its own."""
    out = [{"key": key, "heading": heading, "rows": []} for key, heading, _ in SECTIONS]
    other: list[dict[str, Any]] = []
    for o in checklist.criteria:
        if o.rule_id == NOT_AUTOMATIC:
            continue
        row = outcome_view(o, link_for, explain_href(o.rule_id))
        for section, (_, _, prefixes) in zip(out, SECTIONS, strict=True):
            if o.rule_id.startswith(prefixes):
                section["rows"].append(row)
                break
        else:
            other.append(row)
    if other:
        out.append({"key": "other", "heading": "Other rules", "rows": other})
    return [s for s in out if s["rows"]]


def judgement_criteria(checklist: C.Checklist) -> list[common_pb2.RuleOutcome]:
    """The LOCAL.* and REGARD.* outcomes, in catalogue order."""
    return [o for o in checklist.criteria if o.rule_id.startswith(JUDGEMENT_PREFIXES)]


def not_automatic(checklist: C.Checklist) -> str:
    """The NOT.AUTOMATIC statement: always shown, from the checklist, else the catalogue's words."""
    return checklist.not_automatic_statement or (
        "Meeting the criteria does not mean a review must be held: the partners decide, bearing in mind that the purpose "
        "is to identify improvements, and similar cases may hold different learning (NOT.AUTOMATIC).")


def theme_sources(checklist: C.Checklist) -> list[dict[str, Any]]:
    return [{"anchor": evidence.source_anchor(s.review_id), "id": s.review_id, "title": s.title, "publisher": s.publisher,
             "year": s.year or "", "national": s.national, "list_version": s.list_version, "shared": list(s.shared_themes)}
            for s in checklist.theme_sources]


def clocks(checklist: C.Checklist) -> list[dict[str, Any]]:
    return [presenters.incident_clock(c) for c in checklist.clocks]


def facts(checklist: C.Checklist) -> list[tuple[str, str]]:
    """What the page says about the evaluation itself."""
    rows = [
        ("Edition used", edition_text(checklist.edition, checklist.edition_version)),
        ("Evaluated", evaluated_text(checklist.evaluated_at)),
        ("Because of", TRIGGERS.get(checklist.trigger, "")),
        ("Agency information", f"Collation version {checklist.collation_version}" + (" (returns still missing)" if checklist.partial else "")
         if checklist.collation_version else "Not collated yet: the checklist was evaluated on the notification alone"),
    ]
    return [(k, v) for k, v in rows if v]


def history(evaluations: list[C.EvaluationSummary], current: str, href: Callable[[str], str]) -> list[dict[str, Any]]:
    return [{"id": e.evaluation_id, "when": evaluated_text(e.evaluated_at), "trigger": TRIGGERS.get(e.trigger, ""),
             "edition": e.edition_version, "collation": e.collation_version, "current": e.evaluation_id == current,
             "href": href(e.evaluation_id)} for e in evaluations]


def explanation(found: C.ExplainCriterionResponse, link_for: LinkFor, fired_rules: list[str]) -> dict[str, Any]:
    o = found.outcome
    links = [link_for(ref) for ref in o.evidence]
    return {
        "rule_id": o.rule_id,
        "title": found.title,
        "tag": presenters.outcome_tag(o.outcome),
        "rationale": o.rationale,
        "citation": o.citation,
        "status": STATUSES.get(o.status, ""),
        "condition": found.condition,
        "facts_read": list(found.facts_read),
        "edition_version": found.edition_version,
        "returns": [x for x in links if x.kind == "return"],
        "reviews": [x for x in links if x.kind == "review"],
        "fired": o.rule_id in fired_rules,
    }
