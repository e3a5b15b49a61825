"""Every event fits NATS's max_payload at its worst, whatever callers send (issue 14 §1:
an incident.notified of ~1.8 MB, from a notification holding 100,000 harm domains, was
retried forever and held up every later event).

The worst case of each event type is computed from the descriptors (tests/support/sizes.py)
with the bounds the product keeps: the request caps of rapidreview/limits.py, the caps
the services keep on the lists they make (below, each naming the code that keeps it),
the byte budgets collated_event keeps, and the longest text each string can hold (text
fields count 4 bytes a character, the most UTF-8 takes). A new event type, or a new
field without a bound, fails here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from rapidreview.criteria.domain import checklist as criteria_checklist
from rapidreview.decisions.review_handlers import MAX_EXTENSIONS as SIX_MONTHS_EXTENSIONS
from rapidreview.gathering.domain import collation
from rapidreview.gathering.domain.collation import collated_event
from rapidreview.gathering.handlers import MAX_REQUESTS_PER_CASE
from rapidreview.intake.domain.duty_clocks import DUTY_CLOCKS
from rapidreview.intake.handlers import MAX_EXTENSIONS
from rapidreview.intake.storage import MAX_DUPLICATES_LISTED
from rapidreview.kernel.bus import MAX_EVENT_BYTES
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.outbox import headers_size
from rapidreview.limits import LIST_CAPS
from rapidreview.rules.evaluation import MAX_EVIDENCE, MAX_RATIONALE
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2, events_pb2, gathering_pb2, intake_pb2
from tests.support.sizes import SizeModel

SERVICES = Path(__file__).parents[3] / "services" / "rapidreview"

EVENT_PAYLOADS = {
    "incident.notified": intake_pb2.IncidentNotified,
    "incident.panel_notified": intake_pb2.IncidentPanelNotified,
    "incident.withdrawn": intake_pb2.IncidentWithdrawn,
    "incident.partners_informed": intake_pb2.IncidentPartnersInformed,
    "incident.clock_extended": intake_pb2.IncidentClockExtended,
    "incident.notification_sent": intake_pb2.IncidentNotificationSent,
    "incident.amended": intake_pb2.IncidentAmended,
    "agency.request_opened": gathering_pb2.AgencyRequestOpened,
    "agency.return_submitted": gathering_pb2.AgencyReturnSubmitted,
    "information.collated": gathering_pb2.InformationCollated,
    "information.reopened": gathering_pb2.GatheringReopened,
    "agency.chased": gathering_pb2.AgencyChased,
    "criteria.evaluated": criteria_pb2.CriteriaEvaluated,
    "summary.ready": criteria_pb2.SummaryReady,
    "decision.recommendation_recorded": decisions_pb2.RecommendationRecorded,
    "decision.recorded": decisions_pb2.DecisionRecorded,
    "decision.panel_submitted": decisions_pb2.PanelSubmissionRecorded,
    "decision.panel_responded": decisions_pb2.PanelResponseRecorded,
    "review.commissioned": decisions_pb2.ReviewCommissioned,
    "review.published": decisions_pb2.ReviewPublished,
    "review.themes_published": decisions_pb2.ReviewThemesPublished,
    "deadline.due_soon": events_pb2.DeadlineDueSoon,
    "deadline.overdue": events_pb2.DeadlineOverdue,
}


def _editions():  # type: ignore[no-untyped-def]
    from rapidreview.rules.loader import find_edition_dirs, load_edition
    from rapidreview.rules.rulebook import default_rules_dir

    return [load_edition(path) for path in find_edition_dirs(default_rules_dir())]


def _rules_per_edition() -> int:
    return max(len(edition.rules) for edition in _editions())


def _longest_citation() -> int:
    return max(len(rule.citation.encode()) for edition in _editions() for rule in edition.rules)


V1 = "rapidreview.v1."
TEXT = 4  # bytes a character may take in UTF-8
ID, DATE, AGENCY_ID, PARTNERSHIP, RULE_ID, REF = 36, 10, 64, 64, 64, 128
# Evidence references are made by gathering ("return:<agency id>:v<n>#concern-<k>", ASCII)
# or are earlier review ids (1-64 ASCII characters): 128 bytes covers both.
RULES = _rules_per_edition()

#: Lists the services make, with the code that caps them.
MADE_LISTS = {
    "Incident.duties": RULES,  # one outcome per rule of the edition at most
    "Checklist.criteria": RULES,
    "Checklist.fired_rules": RULES,
    "RuleOutcome.evidence": MAX_EVIDENCE,  # rules/evaluation.py
    "Incident.clocks": len(DUTY_CLOCKS),  # one per duty that arises (intake/domain/duty_clocks.py)
    # one per duty and recipient (the Panel's included)
    "Incident.notifications_sent": sum(len(c.recipients) for c in DUTY_CLOCKS),
    "Incident.amendments": 0,  # events leave the history out (intake/handlers.py event_incident)
    "NotificationAmendment.changed_fields": 0, "NotificationAmendment.duties_changed": 0,
    "NotificationAmendment.clocks_started": 0, "NotificationAmendment.clocks_stopped": 0,
    # a path per field of the notification at most (intake/domain/amendments.py)
    "IncidentAmended.changed_fields": len(intake_pb2.Notification.DESCRIPTOR.fields) + len(intake_pb2.ChildDetails.DESCRIPTOR.fields),
    "Checklist.clocks": len(criteria_checklist.CLOCK_IDS),
    "Clock.extensions": max(MAX_EXTENSIONS, SIX_MONTHS_EXTENSIONS),  # intake ExtendClock, decisions RecordExtension
    "Incident.possible_duplicate_of": MAX_DUPLICATES_LISTED,  # intake/storage.py
    "Checklist.unmatched_themes": criteria_checklist.MAX_UNMATCHED_THEMES,
    "Checklist.theme_sources": MAX_EVIDENCE,  # the reviews LOCAL.RECURRENT_THEMES cites, from its evidence
    "ThemeSource.shared_themes": criteria_checklist.MAX_SHARED_THEMES,
    "InformationCollated.agencies": MAX_REQUESTS_PER_CASE,  # gathering/handlers.py
    "InformationCollated.missing_agencies": MAX_REQUESTS_PER_CASE,
    "InformationCollated.agencies_named_without_request": collation.EVENT_NAMED_WITHOUT_REQUEST,
    "ReviewThemesPublished.themes": LIST_CAPS[V1 + "PublishRequest.learning_themes"],
}
#: Lists whose items share a byte budget that collated_event keeps.
BUDGETED = {
    "AgencyContribution.concerns": "items", "AgencyContribution.learning": "items",
    "AgencyContribution.immediate_actions": "items",
    "InformationCollated.learning_themes": "themes",
    "InformationCollated.chronology_highlights": "highlights",
}
BUDGETS = {"items": collation.EVENT_ITEMS_BUDGET, "themes": collation.EVENT_THEMES_BUDGET,
           "highlights": collation.EVENT_BYTES_BUDGET}

#: The most bytes each string of an event can hold, from the validation of what it is copied
#: from (characters x 4 for text) or from how the service makes it.
STRINGS = {
    # the envelope
    "EventEnvelope.event_id": ID, "EventEnvelope.event_type": 64, "EventEnvelope.case_id": ID,
    "EventEnvelope.producer": 16, "EventEnvelope.correlation_id": 64,  # x-request-id, cut to 64 ASCII characters
    "EventEnvelope.causation_id": ID, "EventEnvelope.partnership": PARTNERSHIP,
    "google.protobuf.Any.type_url": 100,
    "google.protobuf.Any.value": 0,  # the payload: added by worst_event
    # intake
    "Incident.case_id": ID, "Incident.partnership": PARTNERSHIP, "Incident.edition_version": 64,
    "Notification.notifying_la": 100 * TEXT, "Notification.incident_la": 100 * TEXT, "Notification.home_la": 100 * TEXT,
    "ChildDetails.child_ref": 64 * TEXT, "Notification.harm_description": 4000 * TEXT,
    "Notification.incident_date": DATE, "Notification.la_aware_date": DATE, "Notification.referred_by_agency": AGENCY_ID,
    "Agency.agency_id": AGENCY_ID, "Agency.name": 200 * TEXT, "Agency.area": 100 * TEXT,
    "RuleOutcome.rule_id": RULE_ID, "RuleOutcome.rationale": MAX_RATIONALE * TEXT, "RuleOutcome.citation": _longest_citation(),
    "RuleOutcome.evidence": REF,
    "Clock.id": 64, "Clock.starts_from": DATE, "Clock.due": DATE, "Clock.completed_on": DATE, "Clock.effective_due": DATE,
    "ClockExtension.extended_to": DATE, "ClockExtension.reason": 2000 * TEXT, "ClockExtension.recorded_by": 200 * TEXT,
    "Incident.possible_duplicate_of": ID, "PanelNotification.reference": 64 * TEXT, "PanelNotification.sent_date": DATE,
    "Incident.partners_informed_date": DATE, "Incident.withdrawal_reason": 2000 * TEXT,
    "IncidentPanelNotified.case_id": ID, "IncidentWithdrawn.case_id": ID,
    # gathering
    "InformationRequest.case_id": ID, "InformationRequest.opened_on": DATE, "InformationRequest.return_ref": REF,
    "InformationRequest.last_chased_on": DATE,
    "GatheringReopened.case_id": ID, "GatheringReopened.reopened_on": DATE,
    "AgencyChased.case_id": ID, "AgencyChased.chase_id": ID, "AgencyChased.chased_on": DATE, "AgencyChased.due": DATE,
    "IncidentPartnersInformed.case_id": ID, "IncidentPartnersInformed.informed_date": DATE,
    "IncidentClockExtended.case_id": ID,
    "IncidentNotificationSent.case_id": ID, "NotificationSent.duty": 64, "NotificationSent.sent_date": DATE,
    "NotificationSent.reference": 64 * TEXT, "NotificationSent.recorded_by": 200 * TEXT,
    "IncidentAmended.changed_fields": 64,  # a field path of Notification, e.g. "child.child_protection_plan"
    "ReferralDecision.rationale": 0,  # free text: events leave it out (event_incident)
    # never in an event (no amendment history there): bounded for completeness
    "NotificationAmendment.reason": 0, "NotificationAmendment.amended_by": 200 * TEXT,
    "NotificationAmendment.changed_fields": 64, "NotificationAmendment.duties_changed": RULE_ID + 40,
    "NotificationAmendment.clocks_started": 64, "NotificationAmendment.clocks_stopped": 64,
    "ReferralDecision.decided_on": DATE, "ReferralDecision.recorded_by": 200 * TEXT,
    "AgencyReturnSubmitted.case_id": ID, "AgencyReturnSubmitted.return_ref": REF, "AgencyReturnSubmitted.submitted_on": DATE,
    "InformationCollated.case_id": ID, "InformationCollated.partnership": PARTNERSHIP,
    "InformationCollated.agencies_named_without_request": AGENCY_ID,
    "Period.start": DATE, "Period.end": DATE,
    "AgencyContribution.involvement_summary": 0,  # free text: collated_event clears it (test below)
    "AgencyContribution.return_ref": REF, "AgencyContribution.returned_on": DATE, "AgencyContribution.due": DATE,
    "AgencyContribution.first_contact": DATE, "AgencyContribution.last_contact": DATE,
    # criteria
    "Checklist.evaluation_id": ID, "Checklist.case_id": ID, "Checklist.edition_version": 64,
    "Checklist.not_automatic_statement": MAX_RATIONALE * TEXT,  # NOT.AUTOMATIC's rationale, or the fallback
    "Checklist.national_importance_prompt": len(criteria_checklist.NATIONAL_IMPORTANCE_PROMPT.encode()),
    "Checklist.panel_view_prompt": len(criteria_checklist.PANEL_VIEW_PROMPT.encode()),
    "Checklist.fired_rules": RULE_ID, "Checklist.child_ref": 64 * TEXT, "Checklist.partnership": PARTNERSHIP,
    "Checklist.evaluated_on": DATE, "Checklist.unmatched_themes": 100 * TEXT, "Checklist.reason": 2000 * TEXT,
    "ThemeSource.review_id": 64, "ThemeSource.title": 300 * TEXT, "ThemeSource.publisher": 200 * TEXT,
    "ThemeSource.list_version": 64, "ThemeSource.shared_themes": 100 * TEXT,
    "SummaryReady.case_id": ID, "SummaryReady.evaluation_id": ID, "SummaryReady.sha256": 64,
    # decisions
    "RecommendationRecorded.case_id": ID, "RecommendationRecorded.recommendation_id": ID,
    "RecommendationRecorded.evaluation_id": ID, "RecommendationRecorded.meeting_date": DATE,
    "DecisionRecorded.case_id": ID, "DecisionRecorded.decision_id": ID, "DecisionRecorded.decided_on": DATE,
    "DecisionRecorded.recommendation_id": ID,
    "PanelSubmissionRecorded.case_id": ID, "PanelSubmissionRecorded.submission_id": ID,
    "PanelSubmissionRecorded.decision_id": ID, "PanelSubmissionRecorded.sent_date": DATE,
    "PanelSubmissionRecorded.rapid_review_due": DATE, "PanelSubmissionRecorded.report_id": ID,
    "PanelResponseRecorded.case_id": ID, "PanelResponseRecorded.response_id": ID,
    "PanelResponseRecorded.submission_id": ID, "PanelResponseRecorded.responded_on": DATE,
    "ReviewCommissioned.case_id": ID, "ReviewCommissioned.review_id": ID, "ReviewCommissioned.decision_id": ID,
    "ReviewCommissioned.commissioned_on": DATE, "ReviewCommissioned.six_month_target": DATE,
    "ReviewPublished.case_id": ID, "ReviewPublished.review_id": ID, "ReviewPublished.partnership": PARTNERSHIP,
    "ReviewPublished.published_on": DATE, "ReviewPublished.available_until": DATE, "ReviewPublished.location": 500 * TEXT,
    "ReviewThemesPublished.partnership": PARTNERSHIP, "ReviewThemesPublished.review_id": ID,
    "ReviewThemesPublished.themes": 200 * TEXT, "ReviewThemesPublished.case_id": ID,
    "DeadlineDueSoon.clock_id": 64, "DeadlineDueSoon.subject_ref": 64, "DeadlineDueSoon.due": DATE,
    "DeadlineOverdue.clock_id": 64, "DeadlineOverdue.subject_ref": 64, "DeadlineOverdue.due": DATE,
}


def _full(name: str) -> str:
    return name if name.startswith("google.") else V1 + name


def model() -> SizeModel:
    return SizeModel(lists={**LIST_CAPS, **{_full(k): v for k, v in MADE_LISTS.items()}},
                     strings={_full(k): v for k, v in STRINGS.items()},
                     budgeted={_full(k): v for k, v in BUDGETED.items()}, budgets=BUDGETS)


def worst_event(event_type: str, sizes: SizeModel) -> int:
    """Bytes on the wire of the largest event of `event_type`: the envelope with the largest
    payload in its Any, and the headers the relay sends (all counted in max_payload)."""
    payload = sizes.worst(EVENT_PAYLOADS[event_type].DESCRIPTOR)
    any_value = 1 + 3 + payload  # the Any's `value` field: tag, length, bytes
    envelope_without_value = sizes.worst(events_pb2.EventEnvelope.DESCRIPTOR)
    return envelope_without_value + any_value + headers_size("0" * ID)


def test_every_event_type_the_services_emit_has_its_payload_here():
    emitted = set()
    for path in SERVICES.rglob("*.py"):
        if "/v1/" in str(path):
            continue
        emitted |= set(re.findall(r'"((?:incident|agency|information|criteria|summary|decision|review|deadline)\.[a-z_]+)"',
                                  path.read_text(encoding="utf-8")))
    emitted = {e for e in emitted if e.rsplit(".", 1)[1] not in {"css", "html", "md", "j2", "json", "yaml", "py"}}
    assert emitted - set(EVENT_PAYLOADS) == set(), "event types without a payload in this test"


def test_every_list_and_string_of_every_event_has_a_bound():
    sizes = model()
    for event_type in EVENT_PAYLOADS:
        worst_event(event_type, sizes)
    assert sorted(sizes.missing) == []


@pytest.mark.parametrize("event_type", sorted(EVENT_PAYLOADS))
def test_the_largest_event_the_bounds_allow_fits_in_the_events_size_limit(event_type: str):
    worst = worst_event(event_type, model())
    print(f"{event_type}: at most {worst:,} bytes")
    assert worst <= MAX_EVENT_BYTES, f"{event_type} can reach {worst:,} bytes, over {MAX_EVENT_BYTES:,}"


def test_the_collation_event_keeps_its_budgets_and_complete_counts_for_the_largest_case():
    """100 agencies whose returns hold everything the caps allow, in 4-byte characters:
    the event stays within its budgets (and the events' limit), leaves no free text in,
    says it left items out, and keeps every count."""
    G = gathering_pb2
    wide = "\U0001F600"
    collated = G.CollatedInformation(case_id="c" * ID, partnership="p" * PARTNERSHIP, collation_version=1)
    others = [f"agency-{j:03d}" + "x" * 53 for j in range(20)]
    for i in range(MAX_REQUESTS_PER_CASE):
        agency_id = f"agency-{i:03d}" + "x" * 53
        c = collated.agencies.add(agency=common_pb2.Agency(agency_id=agency_id, name=wide * 200, area=wide * 100),
                                  involvement_summary=wide * 4000, return_ref="r" * REF,
                                  concern_count=200, learning_count=200, immediate_action_count=200)
        for k in range(200):
            c.concerns.add(type=G.CONCERN_TYPE_OTHER, about_agencies=others, evidence_ref="e" * REF)
            c.learning.add(themes=[wide * 100] * 10, earlier_reviews=["r" * 64] * 20, evidence_ref="e" * REF)
            c.immediate_actions.add(date="2024-06-01", evidence_ref="e" * REF)
        collated.missing_agencies.add(agency_id=agency_id, name=wide * 200, area=wide * 100)
    for t in range(300):
        group = collated.learning_by_theme.add(theme=wide * 99 + str(t), agency_ids=others * 5)
        group.items.extend(G.CollatedLearning(evidence_ref="e" * REF) for _ in range(40))
    collated.agencies_named_without_request.extend(f"named-{n}" for n in range(500))
    event = collated_event(collated, G.COLLATION_TRIGGER_ALL_RETURNED)
    items = sum(x.ByteSize() + 4 for a in event.agencies for x in (*a.concerns, *a.learning, *a.immediate_actions))
    themes = sum(t.ByteSize() + 4 for t in event.learning_themes)
    assert items <= collation.EVENT_ITEMS_BUDGET and themes <= collation.EVENT_THEMES_BUDGET
    assert event.items_truncated and len(event.agencies_named_without_request) == collation.EVENT_NAMED_WITHOUT_REQUEST
    assert all(a.involvement_summary == "" for a in event.agencies)
    assert all((a.concern_count, a.learning_count, a.immediate_action_count) == (200, 200, 200) for a in event.agencies)
    assert all(len(a.concerns) >= 1 for a in event.agencies)  # every agency represented before anyone's second item
    assert event.ByteSize() + 200 <= MAX_EVENT_BYTES


def test_outcomes_keep_their_evidence_and_rationale_caps():
    from rapidreview.rules import Rulebook
    from rapidreview.v1 import facts_pb2
    from tests.support.harness import shared_rulebook

    rulebook: Rulebook = shared_rulebook()
    facts = facts_pb2.CaseFacts(partnership="leeds", la_aware_date="2024-06-03", incident_date="2024-06-01",
                                notifying_la="Leeds", home_la="Leeds", died=True)
    facts.child.child_ref = "Child K"
    for i in range(60):
        agency = facts.agencies.add(involved=True, returned=True, return_ref=f"return:a{i}:v1")
        agency.agency.agency_id, agency.agency.name = f"agency-{i}", "A" * 200
        for k in range(3):
            agency.concerns.add(type="information_sharing", about_agencies=[f"agency-{j}" for j in range(30)],
                                evidence_ref=f"return:a{i}:v1#concern-{k}")
    evaluation = rulebook.evaluate(facts, calendar=WorkingDayCalendar(lambda: dt.date(2024, 6, 20)))
    outcomes = list(evaluation.outcomes)
    assert all(len(o.evidence) <= MAX_EVIDENCE and len(o.rationale) <= MAX_RATIONALE for o in outcomes)
    cut = [o for o in outcomes if o.evidence_not_listed]
    assert cut and all(len(o.evidence) == MAX_EVIDENCE for o in cut)
    assert any("more" in o.rationale for o in outcomes)  # lists in rationales name 10 items and count the rest
