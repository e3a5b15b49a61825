"""The advisory-group summary as a model: everything the Markdown, HTML and PDF
renderings show, computed once from a stored evaluation.

It holds no free text from agency returns (the events that reach this service
carry none): learning, good practice and actions appear by theme, count, date
and evidence reference, and the narrative stays in gathering, where the
evidence references can be looked up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rapidreview.criteria.domain.wording import (
    CLOCK_TITLES, HIGHLIGHT_TEXT, KIND_TEXT, OUTCOME_TEXT, SECTIONS, STATUS_TEXT, SUBJECT_TEXT, TRIGGER_TEXT,
)
from rapidreview.rules.themes import ThemeVocabulary, recurrent_themes
from rapidreview.v1 import common_pb2, criteria_pb2, facts_pb2, gathering_pb2

MAX_HIGHLIGHTS = 60


@dataclass(frozen=True)
class CriterionLine:
    rule_id: str
    title: str
    outcome: str
    outcome_class: str
    rationale: str
    evidence: tuple[str, ...]
    citation: str
    status: str


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    criteria: tuple[CriterionLine, ...]


@dataclass(frozen=True)
class ClockLine:
    clock_id: str
    title: str
    starts_from: str
    due: str
    state: str
    state_class: str


@dataclass(frozen=True)
class AgencyLine:
    name: str
    kind: str
    area: str
    involvement: str
    return_state: str
    concerns: int
    learning: int
    good_practice: int
    immediate_actions: int
    return_ref: str


@dataclass(frozen=True)
class HighlightLine:
    date: str
    kind: str
    agencies: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ThemeLine:
    theme: str
    agencies: str
    evidence: tuple[str, ...]
    earlier_reviews: tuple[str, ...]
    in_vocabulary: bool


@dataclass(frozen=True)
class ActionLine:
    date: str
    agency: str
    subject: str
    completed: bool
    evidence_ref: str


@dataclass(frozen=True)
class Summary:
    """What the advisory group reads about one evaluation."""

    case_reference: str
    case_id: str
    partnership: str
    edition_title: str
    edition_version: str
    evaluation_id: str
    evaluated_at: str
    evaluated_on: str
    trigger: str
    reason: str
    key_facts: tuple[tuple[str, str], ...]
    completeness: str
    partial: bool
    clocks: tuple[ClockLine, ...]
    sections: tuple[Section, ...]
    not_automatic: str
    panel_view_prompt: str
    national_importance_prompt: str
    agencies: tuple[AgencyLine, ...]
    highlights: tuple[HighlightLine, ...]
    highlights_omitted: int
    themes: tuple[ThemeLine, ...]
    unmatched_themes: tuple[str, ...]
    good_practice: tuple[tuple[str, int, str], ...]
    immediate_actions: tuple[ActionLine, ...]
    agencies_without_request: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    #: The earlier and national reviews LOCAL.RECURRENT_THEMES cites: (id, source in words, shared themes).
    theme_sources: tuple[tuple[str, str, str], ...] = ()

    @property
    def glance(self) -> tuple[CriterionLine, ...]:
        """The local review criteria and the circumstances to have regard to, for a first look."""
        return tuple(c for section in self.sections for c in section.criteria if c.rule_id.startswith(("LOCAL.", "REGARD.")))


def _label(enum: type, value: int, prefix: str) -> str:
    try:
        return enum.Name(value).removeprefix(prefix).replace("_", " ").lower()  # type: ignore[attr-defined]
    except ValueError:
        return "not recorded"


def _age(child: facts_pb2.ChildFacts) -> str:
    if child.unborn:
        return "unborn"
    if not child.HasField("age_years"):
        return "not recorded"
    if child.age_years == 0:
        return "under 1 year"
    return f"{child.age_years} year{'s' if child.age_years != 1 else ''}"


def _key_facts(facts: facts_pb2.CaseFacts) -> tuple[tuple[str, str], ...]:
    child = facts.child
    status = [name for name, on in (
        ("looked after", child.looked_after), ("care leaver", child.care_leaver),
        ("child protection plan", child.child_protection_plan), ("known disability", child.disability),
    ) if on]
    if facts.died and facts.seriously_harmed:
        what = "seriously harmed and died"
    elif facts.died:
        what = "died"
    elif facts.seriously_harmed:
        what = "serious harm" + (" (the child is recovering or has recovered)" if facts.recovered else "")
    else:
        what = _label(common_pb2.Nature, facts.nature, "NATURE_")
    return (
        ("Child", f"{child.child_ref or 'not recorded'}, {_age(child)}; {', '.join(status) or 'not looked after, no child protection plan'}"),
        ("What happened", what),
        ("Abuse or neglect", _label(common_pb2.AbuseOrNeglect, facts.abuse_or_neglect, "ABUSE_OR_NEGLECT_")),
        ("Setting", _label(common_pb2.Setting, facts.setting, "SETTING_")),
        ("Incident", f"{facts.incident_date or 'date not recorded'}, in {facts.incident_la or _label(common_pb2.Country, facts.incident_country, 'COUNTRY_')}"),
        ("Local authorities", f"notifying {facts.notifying_la or '-'}; home {facts.home_la or '-'}"),
        ("Local authority aware", facts.la_aware_date or "not recorded"),
        ("Panel notified", facts.panel_notification_sent_date or "not yet recorded"),
    )


def _clock_line(clock: common_pb2.Clock) -> ClockLine:
    due = clock.effective_due or clock.due
    if clock.completed_on:
        state = f"done {clock.completed_on}, " + ("late" if clock.late else "on time")
        css = "late" if clock.late else "done"
    elif clock.overdue:
        state = f"overdue by {-clock.working_days_left} working day{'s' if clock.working_days_left != -1 else ''}"
        css = "late"
    else:
        state = f"{clock.working_days_left} working day{'s' if clock.working_days_left != 1 else ''} left"
        css = "running"
    return ClockLine(clock.id, CLOCK_TITLES.get(clock.id, clock.id), clock.starts_from, due, state, css)


def _clock_lines(checklist: criteria_pb2.Checklist) -> tuple[ClockLine, ...]:
    lines = {c.id: _clock_line(c) for c in checklist.clocks}
    for clock_id, title in CLOCK_TITLES.items():
        if clock_id not in lines:
            starts = "the Panel notification" if clock_id == "RR.DEADLINE" else "awareness"
            lines[clock_id] = ClockLine(clock_id, title, "-", "-", f"not started: counts from {starts}", "waiting")
    return tuple(lines[c] for c in CLOCK_TITLES) + tuple(v for k, v in lines.items() if k not in CLOCK_TITLES)


def _sections(checklist: criteria_pb2.Checklist, titles: dict[str, str]) -> tuple[Section, ...]:
    out = []
    for title, intro, prefixes in SECTIONS:
        lines = []
        for c in checklist.criteria:
            if c.rule_id.startswith(prefixes):
                text, css = OUTCOME_TEXT.get(c.outcome, ("Not evaluated", "not-applicable"))
                lines.append(CriterionLine(c.rule_id, titles.get(c.rule_id, c.rule_id), text, css, c.rationale,
                                           tuple(c.evidence), c.citation, STATUS_TEXT.get(c.status, "")))
        if lines:
            out.append(Section(title, intro, tuple(lines)))
    return tuple(out)


def _return_state(c: gathering_pb2.AgencyContribution) -> str:
    if c.request_status == gathering_pb2.REQUEST_STATUS_RETURNED:
        late = ", late" if c.late else ""
        return f"returned {c.returned_on}{late} (v{c.version})"
    if c.request_status == gathering_pb2.REQUEST_STATUS_NOT_RETURNED:
        return f"missing (due {c.due})" if c.due else "missing"
    return f"awaited (due {c.due})" if c.due else "awaited"


def _agencies(facts: facts_pb2.CaseFacts, collated: gathering_pb2.InformationCollated | None) -> tuple[AgencyLine, ...]:
    if collated is not None:
        return tuple(
            AgencyLine(
                name=c.agency.name or c.agency.agency_id,
                kind=KIND_TEXT.get(c.agency.kind, "Other"),
                area=c.agency.area,
                involvement={gathering_pb2.INVOLVEMENT_INVOLVED: "involved",
                             gathering_pb2.INVOLVEMENT_NOT_INVOLVED: "no involvement"}.get(c.involvement, "not known"),
                return_state=_return_state(c),
                # Counts, not list lengths: the event may list fewer items than there are.
                concerns=max(c.concern_count, len(c.concerns)),
                learning=max(c.learning_count, len(c.learning)),
                good_practice=c.good_practice_count,
                immediate_actions=max(c.immediate_action_count, len(c.immediate_actions)),
                return_ref=c.return_ref,
            )
            for c in collated.agencies
        )
    return tuple(
        AgencyLine(a.agency.name or a.agency.agency_id, KIND_TEXT.get(a.agency.kind, "Other"), a.agency.area,
                   "named in the notification", "requested; not collated yet", 0, 0, 0, 0, a.return_ref)
        for a in facts.agencies
    )


def _themes(facts: facts_pb2.CaseFacts, collated: gathering_pb2.InformationCollated | None,
            vocabulary: ThemeVocabulary, names: dict[str, str]) -> tuple[ThemeLine, ...]:
    earlier = [(r.review_id, list(r.themes)) for r in facts.earlier_reviews]
    if collated is not None:
        groups = [(g.theme, list(g.agency_ids), list(g.evidence_refs)) for g in collated.learning_themes]
    else:
        groups = []
        for agency in facts.agencies:
            for item in agency.learning:
                for tag in item.themes:
                    groups.append((tag, [agency.agency.agency_id], [item.evidence_ref]))
    lines: dict[str, ThemeLine] = {}
    for theme, agency_ids, refs in groups:
        key = vocabulary.key(theme)
        matches = recurrent_themes(vocabulary, [theme], earlier)
        reviews = matches[0].review_ids if matches else ()
        name = vocabulary.canonical(theme) or theme
        previous = lines.get(key)
        if previous is not None:
            agency_ids = [*previous.agencies.split(", "), *(names.get(a, a) for a in agency_ids)]
            refs = [*previous.evidence, *refs]
            lines[key] = ThemeLine(name, ", ".join(dict.fromkeys(agency_ids)), tuple(dict.fromkeys(refs)), reviews,
                                   previous.in_vocabulary)
            continue
        lines[key] = ThemeLine(name, ", ".join(dict.fromkeys(names.get(a, a) for a in agency_ids)),
                               tuple(dict.fromkeys(r for r in refs if r)), reviews, vocabulary.canonical(theme) is not None)
    return tuple(lines.values())


def _completeness(facts: facts_pb2.CaseFacts, collated: gathering_pb2.InformationCollated | None) -> str:
    if collated is None:
        return (f"Initial checklist: {len(facts.agencies)} agenc{'y' if len(facts.agencies) == 1 else 'ies'} asked for "
                "information; their returns have not been collated yet.")
    c = collated.completeness
    text = f"Collation {collated.collation_version}: {c.returned} of {c.requested} returns received"
    if c.late:
        text += f" ({c.late} late)"
    if collated.partial:
        missing = ", ".join(a.name or a.agency_id for a in collated.missing_agencies) or f"{c.missing}"
        text += f"; still missing: {missing}. Judgement criteria may change when they arrive."
    else:
        text += "; none missing."
    return text


def build_summary(
    checklist: criteria_pb2.Checklist,
    facts: facts_pb2.CaseFacts,
    collated: gathering_pb2.InformationCollated | None,
    *,
    titles: dict[str, str],
    edition_title: str,
    vocabulary: ThemeVocabulary,
) -> Summary:
    """The summary of a stored checklist, the facts it was evaluated on and the
    collation (if any) those facts came from."""
    names = {a.agency.agency_id: a.agency.name or a.agency.agency_id for a in facts.agencies}
    if collated is not None:
        names.update({c.agency.agency_id: c.agency.name or c.agency.agency_id for c in collated.agencies})
    highlights = list(collated.chronology_highlights) if collated is not None else []
    shown = highlights[:MAX_HIGHLIGHTS]
    omitted = len(highlights) - len(shown) + (1 if collated is not None and collated.chronology_highlights_truncated else 0)
    evaluated_at = ""
    if checklist.HasField("evaluated_at"):
        evaluated_at = checklist.evaluated_at.ToDatetime(dt.UTC).strftime("%d %B %Y %H:%M UTC").lstrip("0")
    actions: list[ActionLine] = []
    good: list[tuple[str, int, str]] = []
    if collated is not None:
        for c in collated.agencies:
            name = names.get(c.agency.agency_id, c.agency.agency_id)
            if c.good_practice_count:
                good.append((name, c.good_practice_count, c.return_ref))
            actions.extend(ActionLine(a.date, name, SUBJECT_TEXT.get(a.subject, "immediate action"), a.completed, a.evidence_ref)
                           for a in c.immediate_actions)
    actions.sort(key=lambda a: a.date)
    outcome_counts: dict[str, int] = {}
    for value, (label, _) in OUTCOME_TEXT.items():
        count = sum(1 for c in checklist.criteria if c.outcome == value and c.rule_id != "NOT.AUTOMATIC")
        if count:
            outcome_counts[label] = count
    return Summary(
        case_reference=checklist.child_ref or facts.child.child_ref or "not recorded",
        case_id=checklist.case_id,
        partnership=(checklist.partnership or facts.partnership).replace("-", " ").title(),
        edition_title=edition_title,
        edition_version=checklist.edition_version,
        evaluation_id=checklist.evaluation_id,
        evaluated_at=evaluated_at,
        evaluated_on=checklist.evaluated_on,
        trigger=TRIGGER_TEXT.get(checklist.trigger, "evaluation"),
        reason=checklist.reason,
        key_facts=_key_facts(facts),
        completeness=_completeness(facts, collated),
        partial=checklist.partial,
        clocks=_clock_lines(checklist),
        sections=_sections(checklist, titles),
        not_automatic=checklist.not_automatic_statement,
        panel_view_prompt=checklist.panel_view_prompt,
        national_importance_prompt=checklist.national_importance_prompt,
        agencies=_agencies(facts, collated),
        highlights=tuple(
            HighlightLine(h.date, HIGHLIGHT_TEXT.get(h.kind, "Highlight"), ", ".join(names.get(a, a) for a in h.agency_ids),
                          tuple(h.evidence_refs))
            for h in shown
        ),
        highlights_omitted=omitted,
        themes=_themes(facts, collated, vocabulary, names),
        unmatched_themes=tuple(checklist.unmatched_themes),
        good_practice=tuple(good),
        immediate_actions=tuple(actions),
        agencies_without_request=tuple(collated.agencies_named_without_request) if collated is not None else (),
        counts=outcome_counts,
        theme_sources=tuple((t.review_id, source_text(t), ", ".join(t.shared_themes)) for t in checklist.theme_sources),
    )


def source_text(source: criteria_pb2.ThemeSource) -> str:
    """A cited review in words: "The Myth of Invisible Men ... (Child Safeguarding
    Practice Review Panel, 2021; national themes list 2026.1)"."""
    where = ", ".join(p for p in (source.publisher, str(source.year) if source.year else "") if p)
    if source.national:
        where += f"; national themes list {source.list_version}" if source.list_version else "; national themes list"
    else:
        where = f"this partnership's earlier review, {source.year}" if source.year else "this partnership's earlier review"
    title = source.title or source.review_id
    return f"{title} ({where})"
