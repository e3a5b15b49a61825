"""Which duties a notification triggers (RULES.md section 1 and RR.REQUIRED).

The rules themselves live in the rule files (`rules/<edition>/`), evaluated by
the same engine the criteria service uses: one source of truth per rule. This
module only turns a notification into CaseFacts and asks the rule book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, facts_pb2, intake_pb2

INTAKE_DUTIES = (
    "DEF.CHILD",
    "DEF.SERIOUS_CASE",
    "DEF.SERIOUS_HARM",
    "NOTIFY.PANEL_IN_AREA",
    "NOTIFY.PANEL_OUTSIDE_ENGLAND",
    "NOTIFY.WRONG_LA",
    "NOTIFY.WRONG_LA_OUTSIDE_ENGLAND",
    "NOTIFY.LAC_DEATH",
    "NOTIFY.CARE_LEAVER_DEATH",
    "NOTIFY.AGENCY_REFERRAL",
    "NOTIFY.PARTNERS",
    "RR.REQUIRED",
    "RR.LEAD_AREA",
)

EDITION_ENUM = {"wt2018": common_pb2.EDITION_WT2018, "wt2023": common_pb2.EDITION_WT2023}


class EditionRef(Protocol):
    name: str
    version: str


class RuleBook(Protocol):
    """What intake needs of the rule book (rapidreview.rules.Rulebook)."""

    def edition_for(self, day: dt.date) -> EditionRef: ...

    def edition(self, name: str, version: str | None = None) -> EditionRef: ...

    def deadline_params(self, rule_id: str, edition: EditionRef) -> dict: ...

    def loaded(self, edition: EditionRef): ...  # type: ignore[no-untyped-def]

    def evaluate(self, facts: facts_pb2.CaseFacts, *, edition: EditionRef, stage: str | None, calendar: WorkingDayCalendar): ...


@dataclass(frozen=True)
class DutyDecision:
    """The duties of a notification, the facts they were decided on and the
    edition they were decided under."""

    edition: str
    edition_version: str
    duties: list[common_pb2.RuleOutcome]
    facts: facts_pb2.CaseFacts

    def outcome(self, rule_id: str) -> int:
        for duty in self.duties:
            if duty.rule_id == rule_id:
                return duty.outcome
        return common_pb2.OUTCOME_UNSPECIFIED


def case_facts(notification: intake_pb2.Notification, *, case_id: str = "", partnership: str = "", withdrawn: bool = False,
               panel_sent: str = "", rapid_review_sent: str = "") -> facts_pb2.CaseFacts:
    """The CaseFacts the section-1 rules read, from a notification."""
    child = notification.child
    facts = facts_pb2.CaseFacts(
        case_id=case_id,
        partnership=partnership,
        la_aware_date=notification.la_aware_date,
        panel_notification_sent_date=panel_sent,
        incident_date=notification.incident_date,
        notifying_la=notification.notifying_la,
        incident_la=notification.incident_la,
        incident_country=notification.incident_country,
        home_la=notification.home_la,
        child=facts_pb2.ChildFacts(
            child_ref=child.child_ref,
            unborn=child.unborn,
            looked_after=child.looked_after,
            care_leaver=child.care_leaver,
            disability=child.disability,
            child_protection_plan=child.child_protection_plan,
        ),
        nature=notification.nature,
        died=notification.nature == common_pb2.NATURE_DEATH,
        seriously_harmed=notification.nature == common_pb2.NATURE_SERIOUS_HARM,
        recovered=notification.recovered,
        harm_domains=list(notification.harm_domains),
        abuse_or_neglect=notification.abuse_or_neglect,
        setting=notification.setting,
        agencies=[facts_pb2.AgencyFacts(agency=a, involved=True) for a in notification.agencies],
        withdrawn=withdrawn,
        rapid_review_sent_date=rapid_review_sent,
    )
    if child.HasField("age_years"):
        facts.child.age_years = child.age_years
    if notification.referred_by_agency:
        facts.referred_by = notification.referred_by_agency
    return facts


def decide_duties(book: RuleBook, notification: intake_pb2.Notification, calendar: WorkingDayCalendar, *,
                  edition: EditionRef | None = None, partnership: str = "", case_id: str = "", panel_sent: str = "",
                  withdrawn: bool = False, rapid_review_sent: str = "") -> DutyDecision:
    """Evaluates the intake-stage rules of `edition` (default: the edition in
    force on the awareness date) on the notification and what has happened to
    the case since (Panel notification sent, withdrawn)."""
    if edition is None:
        edition = book.edition_for(dt.date.fromisoformat(notification.la_aware_date))
    facts = case_facts(notification, case_id=case_id, partnership=partnership, withdrawn=withdrawn, panel_sent=panel_sent,
                       rapid_review_sent=rapid_review_sent)
    evaluation = book.evaluate(facts, edition=edition, stage="intake", calendar=calendar)
    duties = [o for o in evaluation.outcomes if o.rule_id in INTAKE_DUTIES]
    return DutyDecision(edition=edition.name, edition_version=edition.version, duties=duties, facts=facts)


def rule_parameters(book: RuleBook, edition: EditionRef):  # type: ignore[no-untyped-def]
    """`params(rule_id)` for the edition: the rule's parameters, None when the edition has no such rule."""
    from rapidreview.rules import RuleNotFound

    def params(rule_id: str) -> dict | None:
        try:
            return book.deadline_params(rule_id, edition)
        except RuleNotFound:
            return None

    return params
