"""The checklist for the Review Advisory Group, assembled from one evaluation,
and the comparison a replay is judged by."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from rapidreview.rules import Evaluation
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.v1 import common_pb2, criteria_pb2, facts_pb2

NOT_AUTOMATIC = "NOT.AUTOMATIC"
RECURRENT_THEMES = "LOCAL.RECURRENT_THEMES"
# RULES.md sections 1-3 and the statement that is always shown.
CHECKLIST_PREFIXES = ("DEF.", "NOTIFY.", "RR.", "LOCAL.", "REGARD.")
CLOCK_IDS = ("NOTIFY.DEADLINE", "RR.DEADLINE")
#: Unmatched theme tags a checklist lists (the first; a case's tags are otherwise unbounded).
MAX_UNMATCHED_THEMES = 50
#: Shared themes a theme source lists (the checklist travels in criteria.evaluated, whose size is bounded).
MAX_SHARED_THEMES = 10

EDITION_ENUM = {"wt2018": common_pb2.EDITION_WT2018, "wt2023": common_pb2.EDITION_WT2023}

NOT_AUTOMATIC_FALLBACK = (
    "Meeting the criteria does not mean a review must be held: the partners decide, bearing in mind that "
    "the purpose is to identify improvements, and similar cases may hold different learning. The decision "
    "and its rationale are recorded and communicated, including to the family where appropriate."
)
NATIONAL_IMPORTANCE_PROMPT = (
    "Record the partners' view, sent to the Panel with the rapid review, on whether the case may raise "
    "issues of national importance: improvements needed nationally, a possible change to legislation or "
    "guidance, or themes that recur nationally (Regs 2018 reg 3; CA2004 s16B). The Panel decides whether "
    "to hold a national review."
)
PANEL_VIEW_PROMPT = (
    "When the Panel responds, record its response. If it concludes that a local review may be more "
    "appropriate, the partners must take that into account (LOCAL.PANEL_VIEW); the Panel may challenge "
    "but cannot direct the local decision."
)


def on_checklist(rule_id: str) -> bool:
    """True for the criteria the checklist shows: RULES.md sections 1-3 and NOT.AUTOMATIC."""
    return rule_id == NOT_AUTOMATIC or rule_id.startswith(CHECKLIST_PREFIXES)


def edition_enum(name: str) -> int:
    """The Edition enum value of an edition name ("wt2023")."""
    return EDITION_ENUM.get(name, common_pb2.EDITION_UNSPECIFIED)


def _timestamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def build_checklist(
    evaluation: Evaluation,
    facts: facts_pb2.CaseFacts,
    *,
    trigger: int = criteria_pb2.EVALUATION_TRIGGER_UNSPECIFIED,
    evaluation_id: str = "",
    evaluated_at: dt.datetime | None = None,
    partial: bool = False,
    collation_version: int = 0,
    reason: str = "",
    vocabulary: ThemeVocabulary | None = None,
) -> criteria_pb2.Checklist:
    """The checklist of `evaluation` (of `facts`): every criterion of RULES.md
    sections 1-3 in catalogue order with NOT.AUTOMATIC last, the clocks, the
    prompts, and what the evaluation was about. NOT.AUTOMATIC's statement is
    always present, even if an edition forgot the rule. With the edition's
    `vocabulary`, the reviews LOCAL.RECURRENT_THEMES cites come with their
    sources (titles, national list version, shared themes)."""
    criteria = [o for o in evaluation.outcomes if on_checklist(o.rule_id)]
    statement = next((o.rationale for o in criteria if o.rule_id == NOT_AUTOMATIC), "") or NOT_AUTOMATIC_FALLBACK
    checklist = criteria_pb2.Checklist(
        evaluation_id=evaluation_id,
        case_id=facts.case_id,
        edition=edition_enum(evaluation.edition),
        edition_version=evaluation.version,
        criteria=criteria,
        clocks=[c for c in evaluation.clocks if c.id in CLOCK_IDS],
        not_automatic_statement=statement,
        national_importance_prompt=NATIONAL_IMPORTANCE_PROMPT,
        fired_rules=sorted(evaluation.fired),
        trigger=trigger,
        partial=partial,
        child_ref=facts.child.child_ref,
        partnership=facts.partnership,
        evaluated_on=evaluation.today.isoformat(),
        collation_version=collation_version,
        unmatched_themes=list(evaluation.unmatched_themes)[:MAX_UNMATCHED_THEMES],
        panel_view_prompt=PANEL_VIEW_PROMPT,
        reason=reason,
    )
    if evaluated_at is not None:
        checklist.evaluated_at.CopyFrom(_timestamp(evaluated_at))
    if vocabulary is not None:
        checklist.theme_sources.extend(theme_sources(criteria, facts, vocabulary))
    return checklist


def theme_sources(criteria: list[common_pb2.RuleOutcome], facts: facts_pb2.CaseFacts,
                  vocabulary: ThemeVocabulary) -> list[criteria_pb2.ThemeSource]:
    """The reviews LOCAL.RECURRENT_THEMES cites as evidence, in the order cited,
    each with its title and the themes this case shares with it."""
    recurrent = next((c for c in criteria if c.rule_id == RECURRENT_THEMES), None)
    if recurrent is None:
        return []
    reviews = {r.review_id: r for r in facts.earlier_reviews}
    case_keys = {vocabulary.key(t) for a in facts.agencies for item in a.learning for t in item.themes if t.strip()}
    out = []
    for review_id in dict.fromkeys(recurrent.evidence):
        review = reviews.get(review_id)
        if review is None:
            continue
        shared = [vocabulary.canonical(t) or t for t in review.themes if vocabulary.key(t) in case_keys]
        out.append(criteria_pb2.ThemeSource(
            review_id=review.review_id, title=review.title, publisher=review.publisher, year=review.year,
            national=review.national, list_version=review.list_version,
            shared_themes=list(dict.fromkeys(shared))[:MAX_SHARED_THEMES]))
    return out


def for_event(checklist: criteria_pb2.Checklist) -> criteria_pb2.Checklist:
    """The checklist as carried by criteria.evaluated: without free text (the reason)."""
    out = criteria_pb2.Checklist()
    out.CopyFrom(checklist)
    out.reason = ""
    return out


def differences(stored: criteria_pb2.Checklist, replayed: criteria_pb2.Checklist) -> list[str]:
    """What a replay changed: edition, fired rules, each criterion's outcome,
    rationale, evidence, citation and status, each clock, unmatched themes.
    Empty when the replay gave the stored result."""
    out: list[str] = []
    if (stored.edition, stored.edition_version) != (replayed.edition, replayed.edition_version):
        out.append("edition version")
    if list(stored.fired_rules) != list(replayed.fired_rules):
        out.append("fired rules")
    before = {c.rule_id: c for c in stored.criteria}
    after = {c.rule_id: c for c in replayed.criteria}
    for rule_id in dict.fromkeys([*before, *after]):
        a, b = before.get(rule_id), after.get(rule_id)
        if a is None or b is None:
            out.append(f"{rule_id} {'missing from the replay' if b is None else 'not in the stored evaluation'}")
            continue
        for name in ("outcome", "rationale", "citation", "status"):
            if getattr(a, name) != getattr(b, name):
                out.append(f"{rule_id} {name}")
        if list(a.evidence) != list(b.evidence):
            out.append(f"{rule_id} evidence")
    clocks_before = {c.id: c.SerializeToString(deterministic=True) for c in stored.clocks}
    clocks_after = {c.id: c.SerializeToString(deterministic=True) for c in replayed.clocks}
    for clock_id in dict.fromkeys([*clocks_before, *clocks_after]):
        if clocks_before.get(clock_id) != clocks_after.get(clock_id):
            out.append(f"{clock_id} clock")
    if list(stored.unmatched_themes) != list(replayed.unmatched_themes):
        out.append("unmatched themes")
    return out
