"""The rapid review report to the Panel as one model, built once from what the
services hold; the PDF and the DOCX are two renderings of it, so they say the
same thing word for word.

The model is a list of numbered sections made of a few kinds of block
(paragraph, sub-heading, label/value fields, table, list, note). Building it is
pure: every input is passed in (decisions' own records, intake's incident,
gathering's collated information, criteria's checklist, the working-day
calendar), which is what the unit tests exercise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from rapidreview.decisions.report import wording as W
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D

MARKING = "OFFICIAL-SENSITIVE"
TITLE = "Rapid review to the Child Safeguarding Practice Review Panel"


@dataclass(frozen=True)
class Block:
    """One piece of a section. kind: "para", "heading", "fields" (rows of label,
    value), "table" (columns and rows), "items" (a list), "note" (a highlighted paragraph)."""

    kind: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    title: str
    blocks: tuple[Block, ...]

    def text(self) -> str:
        """Every word of the section, for checks."""
        parts = [self.title]
        for b in self.blocks:
            parts += [b.text, *b.columns, *(cell for row in b.rows for cell in row)]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Report:
    title: str
    marking: str
    partnership: str
    case_reference: str
    case_id: str
    rendered_on: str
    meta: tuple[tuple[str, str], ...]
    caveats: tuple[str, ...]
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_json(self) -> str:
        """Canonical JSON of the model (what `model_sha256` digests)."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ClockTerms:
    """What a statutory clock allows, as its rule file (of the case's edition) says."""

    title: str
    working_days: int | None
    counts_from: str


@dataclass
class ReportInputs:
    """Everything the report says, from where it is held."""

    case_id: str
    partnership: str
    recommendation: D.Recommendation
    decision: D.Decision
    incident: intake_pb2.Incident
    checklist: criteria_pb2.Checklist
    collated: gathering_pb2.CollatedInformation | None
    sent_date: dt.date
    rendered_on: dt.date
    #: Every round so far (oldest first), for the history of a reconsidered decision.
    recommendations: list[D.Recommendation] = field(default_factory=list)
    decisions: list[D.Decision] = field(default_factory=list)
    submissions: list[D.PanelSubmission] = field(default_factory=list)
    responses: list[D.PanelResponse] = field(default_factory=list)
    #: Each clock's terms from the rule files of the case's edition, by clock id (RULES.md ID).
    clock_terms: dict[str, ClockTerms] = field(default_factory=dict)
    #: Decisions' own clocks of the case (POST.INFORM after a CSPR decision...), as of the report.
    decision_clocks: list[C.Clock] = field(default_factory=list)


def _date(value: str | dt.date | None) -> str:
    """"2024-06-07" -> "7 June 2024"; "" -> "not recorded"."""
    if not value:
        return "not recorded"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{day.day} {day:%B %Y}"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _age(child: intake_pb2.ChildDetails) -> str:
    if child.unborn:
        return "unborn"
    if not child.HasField("age_years"):
        return "not recorded"
    return "under 1 year" if child.age_years == 0 else f"{child.age_years} year{'s' if child.age_years != 1 else ''}"


class _Names:
    def __init__(self, inputs: ReportInputs) -> None:
        self.names = {a.agency_id: a.name or a.agency_id for a in inputs.incident.notification.agencies}
        if inputs.collated is not None:
            self.names.update({c.agency.agency_id: c.agency.name or c.agency.agency_id for c in inputs.collated.agencies})

    def __call__(self, agency_id: str) -> str:
        return self.names.get(agency_id, agency_id) if agency_id else "the partnership"


def build_report(inputs: ReportInputs, calendar: WorkingDayCalendar) -> Report:
    """The report model of a case's current decision."""
    names = _Names(inputs)
    n = inputs.incident.notification
    meta = (
        ("Partnership", inputs.partnership.replace("-", " ").title()),
        ("Case reference", n.child.child_ref or "not recorded"),
        ("Case id", inputs.case_id),
        ("Panel reference", inputs.incident.panel_notification.reference or "not recorded"),
        ("Decision", W.DECISION.get(inputs.decision.decision, "not recorded")),
        ("Sent to the Panel", _date(inputs.sent_date)),
        ("Statutory guidance", f"{W.enum_name(C.Edition, inputs.incident.edition, 'EDITION_').upper()} "
                               f"(rules version {inputs.checklist.edition_version or inputs.incident.edition_version})"),
    )
    builders = (
        ("case", "The case in brief", _case),
        ("notification", "How the partnership became aware and notified the Panel", _notification),
        ("agencies", "Agencies involved and what each found", _agencies),
        ("actions", "Immediate safeguarding actions", _actions),
        ("learning", "Learning identified so far", _learning),
        ("criteria", "Criteria considered and the evidence", _criteria),
        ("decision", "The decision on a local child safeguarding practice review", _decision),
        ("timeliness", "Timeliness of the statutory clocks", _timeliness),
    )
    sections = tuple(Section(key, i, title, tuple(build(inputs, names, calendar)))
                     for i, (key, title, build) in enumerate(builders, start=1))
    return Report(TITLE, MARKING, inputs.partnership, n.child.child_ref, inputs.case_id, _date(inputs.rendered_on), meta,
                  tuple(_caveats(inputs, names)), sections)


def _caveats(inputs: ReportInputs, names: _Names) -> list[str]:
    out = []
    c = inputs.collated
    if c is None:
        out.append("No collated agency information was available: the agencies' findings are not included.")
    elif c.completeness.missing:
        missing = ", ".join(a.name or a.agency_id for a in c.missing_agencies)
        out.append(f"{c.completeness.missing} agency return(s) still missing when this report was prepared: {missing}.")
    if inputs.checklist.partial:
        out.append("The criteria were evaluated while agency returns were still missing.")
    return out


# -- sections ------------------------------------------------------------------------------

def _case(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    n = inputs.incident.notification
    child = n.child
    circumstances = [label for flag, label in ((child.looked_after, "looked after"), (child.care_leaver, "a care leaver"),
                                              (child.child_protection_plan, "subject of a child protection plan"),
                                              (child.disability, "has a known disability")) if flag]
    domains = [W.enum_name(C.HarmDomain, d, "HARM_DOMAIN_") for d in n.harm_domains]
    fields = [
        ("Child (pseudonymous reference)", child.child_ref or "not recorded"),
        ("Age", _age(child)),
        ("Circumstances", "; ".join(circumstances) or "none recorded"),
        ("What happened", W.enum_text(W.NATURE, n.nature)),
        ("Harm domains", ", ".join(domains) or "none recorded"),
        ("Recovered", _yes(n.recovered) if n.nature == C.NATURE_SERIOUS_HARM else "not applicable"),
        ("Abuse or neglect", W.enum_text(W.ABUSE, n.abuse_or_neglect)),
        ("Setting", W.enum_name(C.Setting, n.setting, "SETTING_")),
        ("Date of the incident", _date(n.incident_date)),
        ("Where", f"{n.incident_la or 'not recorded'} ({W.enum_text(W.COUNTRY, n.incident_country)})"),
        ("Home local authority", n.home_la or "not recorded"),
    ]
    blocks = [Block("fields", rows=tuple(fields))]
    if n.harm_description:
        blocks.append(Block("para", text=n.harm_description))
    serious = next((o for o in inputs.checklist.criteria if o.rule_id == "DEF.SERIOUS_CASE"), None)
    if serious is not None:
        blocks.append(Block("para", text=f"Serious child safeguarding case (DEF.SERIOUS_CASE): {W.enum_text(W.OUTCOME, serious.outcome)}. "
                                         f"{serious.rationale}".strip()))
    return blocks


def _clock(inputs: ReportInputs, clock_id: str) -> C.Clock | None:
    return next((c for c in inputs.incident.clocks if c.id == clock_id), None)


def _notification(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    n = inputs.incident.notification
    panel = inputs.incident.panel_notification
    notify = _clock(inputs, "NOTIFY.DEADLINE")
    fields = [
        ("The local authority became aware", _date(n.la_aware_date)),
        ("Notifying local authority", n.notifying_la or "not recorded"),
        ("Referred by", names(n.referred_by_agency) if n.referred_by_agency else "identified by the local authority"),
        ("Panel notified", f"{_date(panel.sent_date)} (reference {panel.reference})" if panel.sent_date else "not recorded"),
        ("Notification due (NOTIFY.DEADLINE)", _date(notify.effective_due or notify.due) if notify else "not recorded"),
        ("Notification", _timeliness_word(calendar, notify.effective_due or notify.due, panel.sent_date) if notify and panel.sent_date
         else "not recorded"),
        ("Safeguarding partners informed", _date(inputs.incident.partners_informed_date)),
    ]
    blocks = [Block("fields", rows=tuple(fields))]
    sent = sorted(inputs.incident.notifications_sent, key=lambda x: (x.sent_date, x.duty))
    blocks.append(Block("heading", text="Notifications recorded as sent"))
    if sent:
        blocks.append(Block("table", columns=("Duty", "Sent to", "Sent on", "Reference", "Timeliness"), rows=tuple(
            (x.duty, W.NOTIFIED.get(x.recipient, "not recorded"), _date(x.sent_date), x.reference or "—",
             "late" if x.late else "on time") for x in sent)))
    else:
        blocks.append(Block("para", text="None recorded besides the Panel notification."))
    return blocks


def _agencies(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    c = inputs.collated
    if c is None:
        agencies = [a.name or a.agency_id for a in inputs.incident.notification.agencies]
        return [Block("para", text="No collated agency information was available. Agencies named in the notification: "
                                   + (", ".join(agencies) or "none") + ".")]
    done = c.completeness
    blocks = [Block("para", text=(
        f"{done.requested} agencies were asked for information; {done.returned} returned it"
        f"{f' ({done.late} late)' if done.late else ''}"
        f"{f' and {done.missing} have not yet' if done.missing else ''}; "
        f"{sum(1 for a in c.agencies if a.involvement == gathering_pb2.INVOLVEMENT_INVOLVED)} had involvement with the child or family."))]
    rows = []
    for a in c.agencies:
        period = f"{_date(a.involvement_period.start)} to {_date(a.involvement_period.end)}" if a.involvement_period.start else "—"
        if a.request_status == gathering_pb2.REQUEST_STATUS_RETURNED:
            returned = f"{_date(a.returned_on)}{' (late)' if a.late else ''}"
        else:
            returned = "missing"
        rows.append((a.agency.name or a.agency.agency_id, W.enum_text(W.INVOLVEMENT, a.involvement, "not known"), period, returned))
    blocks.append(Block("table", columns=("Agency", "Involvement", "Period", "Return"), rows=tuple(rows)))
    concerns: dict[str, list[str]] = {}
    for item in c.concerns:
        about = ", ".join(names(x) for x in item.concern.about_agencies) or "no agency named"
        kind = W.enum_name(gathering_pb2.ConcernType, item.concern.type, "CONCERN_TYPE_")
        concerns.setdefault(item.agency_id, []).append(f"Concern ({kind}, about {about}): {item.concern.description}")
    episodes: dict[str, list[str]] = {}
    for item in c.key_practice_episodes:
        e = item.episode
        when = f"{_date(e.period.start)} to {_date(e.period.end)}" if e.period.start else ""
        episodes.setdefault(item.agency_id, []).append(f"Key practice episode: {e.title}{f' ({when})' if when else ''}: {e.description}")
    for a in c.agencies:
        if a.involvement != gathering_pb2.INVOLVEMENT_INVOLVED:
            continue
        blocks.append(Block("heading", text=a.agency.name or a.agency.agency_id))
        blocks.append(Block("para", text=a.involvement_summary or "No summary of involvement was given."))
        found = [*episodes.get(a.agency.agency_id, []), *concerns.get(a.agency.agency_id, [])]
        if found:
            blocks.append(Block("items", rows=tuple((line,) for line in found)))
    return blocks


def _actions(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    blocks: list[Block] = []
    c = inputs.collated
    actions = sorted(c.immediate_actions, key=lambda a: a.action.date) if c is not None else []
    if actions:
        blocks.append(Block("table", columns=("Date", "Agency", "To protect", "Action", "Done"), rows=tuple(
            (_date(a.action.date), names(a.agency_id), W.enum_text(W.SUBJECT, a.action.subject, "—"), a.action.description,
             _yes(a.action.completed)) for a in actions)))
    else:
        blocks.append(Block("para", text="No immediate safeguarding actions were recorded by the agencies."))
    learning = list(inputs.recommendation.immediate_learning)
    blocks.append(Block("heading", text="Immediate learning the advisory group asked to be acted on now"))
    if learning:
        blocks.append(Block("items", rows=tuple((f"{item.description} (owner: {names(item.owner_agency_id)})",) for item in learning)))
    else:
        blocks.append(Block("para", text="None recorded."))
    return blocks


def _learning(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    blocks: list[Block] = []
    c = inputs.collated
    items: dict[str, gathering_pb2.CollatedLearning] = {}
    if c is not None:
        for group in c.learning_by_theme:
            for item in group.items:
                items.setdefault(item.evidence_ref or f"{item.agency_id}:{item.learning.description}", item)
    if items:
        rows = []
        for item in items.values():
            learning = item.learning
            known = "yes" if learning.already_identified else "no"
            if learning.already_identified and learning.earlier_reviews:
                known += f" ({', '.join(learning.earlier_reviews)})"
            acted = W.enum_text(W.ACTED_ON, learning.acted_on, "—") if learning.already_identified else "—"
            rows.append((", ".join(learning.themes) or "—", names(item.agency_id), learning.description, known, acted))
        blocks.append(Block("table", columns=("Themes", "Agency", "Learning", "Already known", "Acted on"), rows=tuple(rows)))
    else:
        blocks.append(Block("para", text="No learning recorded by the agencies yet."))
    if inputs.checklist.theme_sources:
        blocks.append(Block("heading", text="Themes also found in earlier and national reviews"))
        rows = []
        for s in inputs.checklist.theme_sources:
            if s.national:
                source = f"{s.title} ({s.publisher}, {s.year}; national themes list {s.list_version})"
            else:
                source = f"{s.title or 'earlier review'} (this partnership, {s.year})"
            rows.append((f"{s.review_id}: {source}: {', '.join(s.shared_themes)}",))
        blocks.append(Block("items", rows=tuple(rows)))
    good = list(c.good_practice) if c is not None else []
    if good:
        blocks.append(Block("heading", text="Good practice"))
        blocks.append(Block("items", rows=tuple((f"{names(g.agency_id)}: {g.good_practice.description}",) for g in good)))
    return blocks


def _criteria(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    checklist = inputs.checklist
    outcomes = {o.rule_id: o for o in checklist.criteria}
    evaluated = checklist.evaluated_on or (checklist.evaluated_at.ToDatetime(dt.UTC).date().isoformat()
                                           if checklist.HasField("evaluated_at") else "")
    blocks = [Block("para", text=(
        f"The advisory group worked from the criteria checklist evaluated on {_date(evaluated)} "
        f"(evaluation {checklist.evaluation_id}, rules version {checklist.edition_version}). For each criterion the "
        "checklist's outcome on the recorded evidence and the advisory group's own conclusion are shown."))]
    rows = []
    for view in inputs.recommendation.criteria:
        outcome = outcomes.get(view.criterion_id)
        evidence = ", ".join(outcome.evidence) if outcome is not None and outcome.evidence else "—"
        rows.append((
            f"{view.criterion_id}: {W.CRITERION_TITLES.get(view.criterion_id, '')}".rstrip(": "),
            W.enum_text(W.OUTCOME, outcome.outcome) if outcome is not None else "not evaluated",
            W.enum_text(W.CONCLUSION, view.conclusion),
            view.rationale,
            outcome.rationale if outcome is not None else "",
            evidence,
        ))
    blocks.append(Block("table", columns=("Criterion", "Checklist", "Advisory group", "The group's reasons",
                                          "The checklist's reasons", "Evidence"), rows=tuple(rows)))
    if checklist.not_automatic_statement:
        blocks.append(Block("note", text=checklist.not_automatic_statement))
    return blocks


def _decision(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    rec, dec = inputs.recommendation, inputs.decision
    disagrees = dec.view == D.EXECUTIVE_VIEW_DISAGREES
    fields = [
        ("The advisory group recommended", f"{W.DECISION.get(rec.recommendation, 'not recorded')} "
                                           f"(meeting of {_date(rec.meeting_date)})"),
        ("The Executive decided", f"{W.DECISION.get(dec.decision, 'not recorded')} ({_date(dec.decided_on)})"),
        ("The Executive's view of the recommendation", "disagrees" if disagrees else "agrees"),
        ("May raise issues of national importance", f"{_yes(dec.national_importance)} (the advisory group: "
                                                    f"{_yes(rec.national_importance)})"),
    ]
    if dec.decision != D.REVIEW_DECISION_CSPR:
        fields.append(("Why not a local CSPR", W.enum_text(W.REASON, dec.reason)))
    if dec.decided_by:
        fields.append(("Decided by", "; ".join(
            f"{W.PARTNER.get(p.partner, 'partner')}: {p.name}{f', {p.role_title}' if p.role_title else ''}" for p in dec.decided_by)))
    fields.append(("Decision round", str(dec.round)))
    blocks = [Block("fields", rows=tuple(fields))]
    if disagrees:
        blocks.append(Block("note", text=(
            f"The Executive disagreed with the advisory group: the group recommended "
            f"{W.DECISION_SHORT.get(rec.recommendation, 'another decision')}; the Executive decided "
            f"{W.DECISION_SHORT.get(dec.decision, 'otherwise')}. The reasons of both are set out below.")))
    blocks += [Block("heading", text="The advisory group's rationale"), Block("para", text=rec.rationale),
               Block("heading", text="The Executive's rationale"), Block("para", text=dec.rationale)]
    if dec.communications:
        blocks.append(Block("heading", text="How the decision is communicated"))
        blocks.append(Block("items", rows=tuple(
            (f"{W.RECIPIENT.get(c.recipient, 'Recipient')}: {W.COMMUNICATION.get(c.status, 'not recorded')}"
             f"{f' on {_date(c.communicated_on)}' if c.communicated_on else ''}{f' ({c.note})' if c.note else ''}",)
            for c in dec.communications)))
    history = _history(inputs)
    if history:
        blocks.append(Block("heading", text="Earlier rounds (the Panel's response led the partners to reconsider)"))
        blocks.append(Block("items", rows=tuple((line,) for line in history)))
    return blocks


def _history(inputs: ReportInputs) -> list[str]:
    decisions = {d.recommendation_id: d for d in inputs.decisions}
    submissions = {s.decision_id: s for s in inputs.submissions}
    responses = {r.submission_id: r for r in inputs.responses}
    out = []
    for rec in inputs.recommendations:
        if rec.round >= inputs.decision.round:
            continue
        dec = decisions.get(rec.recommendation_id)
        if dec is None:
            continue
        line = (f"Round {rec.round}: the advisory group recommended {W.DECISION_SHORT.get(rec.recommendation, '—')}; "
                f"the Executive decided {W.DECISION_SHORT.get(dec.decision, '—')} on {_date(dec.decided_on)}")
        sub = submissions.get(dec.decision_id)
        if sub is not None:
            line += f"; sent to the Panel on {_date(sub.sent_date)}"
            resp = responses.get(sub.submission_id)
            if resp is not None:
                line += f"; the Panel {W.PANEL_RESPONSE.get(resp.kind, 'responded')} on {_date(resp.responded_on)}"
        out.append(line + ".")
    return out


def _timeliness_word(calendar: WorkingDayCalendar, due: str, done: str | dt.date) -> str:
    due_day = dt.date.fromisoformat(due)
    done_day = done if isinstance(done, dt.date) else dt.date.fromisoformat(done)
    late = calendar.working_days_between(due_day, done_day)
    if late <= 0:
        return "on time" if late == 0 else f"on time ({-late} working day{'s' if late != -1 else ''} to spare)"
    return f"late by {late} working day{'s' if late != 1 else ''}"


def _allowed(inputs: ReportInputs, clock_id: str) -> str:
    """"<clock id>: <its rule's title> (<N> working days)", N being the rule file's `working_days`."""
    terms = inputs.clock_terms.get(clock_id)
    if terms is None:
        return clock_id
    days = f"{terms.working_days} working day{'s' if terms.working_days != 1 else ''}" if terms.working_days else ""
    if days and days not in terms.title:  # a title that states the time already says it once
        return f"{clock_id}: {terms.title} ({days})"
    return f"{clock_id}: {terms.title}"


def _done_on(inputs: ReportInputs, clock: C.Clock) -> str | dt.date:
    """When the clock's duty was done: the Panel notification closes NOTIFY.DEADLINE, this report
    reaching the Panel closes RR.DEADLINE, every other duty closes when intake says so."""
    if clock.id == "NOTIFY.DEADLINE":
        return inputs.incident.panel_notification.sent_date or clock.completed_on
    if clock.id == "RR.DEADLINE":
        return inputs.sent_date
    return clock.completed_on


def _timeliness(inputs: ReportInputs, names: _Names, calendar: WorkingDayCalendar) -> list[Block]:
    rows = []
    clocks = sorted([*inputs.incident.clocks, *inputs.decision_clocks], key=lambda c: (c.starts_from or "9999", c.id))
    for clock in clocks:
        due = clock.effective_due or clock.due
        terms = inputs.clock_terms.get(clock.id)
        counts_from = W.COUNTS_FROM.get(terms.counts_from, terms.counts_from.replace("_", " ")) if terms else "start"
        if not clock.starts_from:
            rows.append((_allowed(inputs, clock.id), f"{counts_from}, not yet", "—", "—", "—", "not started"))
            continue
        done = _done_on(inputs, clock)
        if done:
            done_day = done if isinstance(done, dt.date) else dt.date.fromisoformat(done)
            taken = calendar.working_days_between(dt.date.fromisoformat(clock.starts_from), done_day)
            rows.append((_allowed(inputs, clock.id), f"{counts_from}, {_date(clock.starts_from)}", _date(due), _date(done_day),
                         str(taken), _timeliness_word(calendar, due, done_day)))
        else:
            rows.append((_allowed(inputs, clock.id), f"{counts_from}, {_date(clock.starts_from)}", _date(due), "not recorded",
                         "—", "overdue" if clock.overdue else "open"))
    blocks = [Block("table", columns=("Clock", "Counts from", "Due", "Done", "Working days", "Timeliness"), rows=tuple(rows))]
    if not rows:
        blocks = [Block("para", text="No statutory clock runs for this case.")]
    rr = _clock(inputs, "RR.DEADLINE")
    if rr is not None and rr.starts_from:
        decided = dt.date.fromisoformat(inputs.decision.decided_on)
        blocks.append(Block("para", text=(
            f"The decision was made on {_date(decided)}, "
            f"{calendar.working_days_between(dt.date.fromisoformat(rr.starts_from), decided)} working days after the rapid "
            f"review clock started; this report is sent to the Panel on {_date(inputs.sent_date)}, which closes RR.DEADLINE.")))
    else:
        blocks.append(Block("para", text="RR.DEADLINE is not known: the Panel notification has not been recorded."))
    for clock in clocks:
        for ext in clock.extensions:
            blocks.append(Block("note", text=f"{clock.id} was extended to {_date(ext.extended_to)}: {ext.reason}"))
    return blocks
