"""A case's CaseFacts, built from the events the criteria service receives.

Each function returns a new CaseFacts and leaves its argument unchanged, so a
stored case's facts only change when the caller stores the result. Earlier
reviews are not kept with the case: they belong to the partnership and are
attached at evaluation time (`with_earlier_reviews`), so every stored
evaluation carries exactly the reviews it was evaluated with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rapidreview.v1 import common_pb2, facts_pb2, gathering_pb2, intake_pb2

PANEL_RESPONSES = ("agrees", "challenges", "national_review", "local_review_more_appropriate")

_ACTED_ON = {
    gathering_pb2.ACTED_ON_YES: "yes",
    gathering_pb2.ACTED_ON_PARTLY: "partly",
    gathering_pb2.ACTED_ON_NO: "no",
}


def _copy(facts: facts_pb2.CaseFacts) -> facts_pb2.CaseFacts:
    out = facts_pb2.CaseFacts()
    out.CopyFrom(facts)
    return out


def concern_type(value: int) -> str:
    """The CaseFacts concern type ("information_sharing") of a gathering ConcernType."""
    if value not in gathering_pb2.ConcernType.values() or value == gathering_pb2.CONCERN_TYPE_UNSPECIFIED:
        return "other"
    return gathering_pb2.ConcernType.Name(value).removeprefix("CONCERN_TYPE_").lower()


def facts_from_incident(incident: intake_pb2.Incident) -> facts_pb2.CaseFacts:
    """The facts of a just-notified incident: the notification, with every agency
    it names counted as involved and without a return yet (the initial checklist)."""
    n = incident.notification
    child = n.child
    facts = facts_pb2.CaseFacts(
        case_id=incident.case_id,
        partnership=incident.partnership,
        la_aware_date=n.la_aware_date,
        panel_notification_sent_date=incident.panel_notification.sent_date,
        incident_date=n.incident_date,
        notifying_la=n.notifying_la,
        incident_la=n.incident_la,
        incident_country=n.incident_country,
        home_la=n.home_la,
        child=facts_pb2.ChildFacts(
            child_ref=child.child_ref,
            unborn=child.unborn,
            looked_after=child.looked_after,
            care_leaver=child.care_leaver,
            disability=child.disability,
            child_protection_plan=child.child_protection_plan,
        ),
        nature=n.nature,
        died=n.nature == common_pb2.NATURE_DEATH,
        seriously_harmed=n.nature == common_pb2.NATURE_SERIOUS_HARM,
        recovered=n.recovered,
        harm_domains=list(n.harm_domains),
        abuse_or_neglect=n.abuse_or_neglect,
        setting=n.setting,
        agencies=[facts_pb2.AgencyFacts(agency=a, involved=True) for a in n.agencies],
        withdrawn=incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN,
        returns_missing=len(n.agencies),
        referred_by=n.referred_by_agency,
    )
    if child.HasField("age_years"):
        facts.child.age_years = child.age_years
    for clock in incident.clocks:
        facts.clock_extensions.extend(facts_pb2.ClockExtensionFacts(clock_id=clock.id, extended_to=e.extended_to)
                                      for e in clock.extensions)
    return facts


def with_panel_notification(facts: facts_pb2.CaseFacts, sent_date: str) -> facts_pb2.CaseFacts:
    """The Panel notification was sent on `sent_date`: RR.DEADLINE starts."""
    out = _copy(facts)
    out.panel_notification_sent_date = sent_date
    return out


def as_withdrawn(facts: facts_pb2.CaseFacts) -> facts_pb2.CaseFacts:
    """The notification was withdrawn as not meeting the criteria."""
    out = _copy(facts)
    out.withdrawn = True
    return out


def with_panel_submission(facts: facts_pb2.CaseFacts, sent_on: str) -> facts_pb2.CaseFacts:
    """The rapid review reached the Panel on `sent_on` (decisions' first
    submission): that closes RR.DEADLINE, in intake and decisions alike. A later
    round's submission does not move it, even when its event is delivered first (the
    earliest date is the first submission's); a date before the Panel notification
    is ignored (facts unchanged)."""
    out = _copy(facts)
    if facts.rapid_review_sent_date and facts.rapid_review_sent_date <= sent_on:
        return out
    try:
        sent = dt.date.fromisoformat(sent_on)
        notified = dt.date.fromisoformat(facts.panel_notification_sent_date) if facts.panel_notification_sent_date else None
    except ValueError:
        return out
    if notified is None or sent >= notified:
        out.rapid_review_sent_date = sent_on
    return out


def with_amended_notification(facts: facts_pb2.CaseFacts, incident: intake_pb2.Incident) -> facts_pb2.CaseFacts:
    """The notification was amended: what the notification says is replaced;
    what happened since (Panel notification, collation, responses, judgements)
    stays. Agencies follow the notification until gathering has collated (then
    gathering's list, which asks the agencies the amendment added, is the one)."""
    amended = facts_from_incident(incident)
    out = _copy(facts)
    for name in ("la_aware_date", "incident_date", "notifying_la", "incident_la", "incident_country", "home_la", "nature",
                 "died", "seriously_harmed", "recovered", "abuse_or_neglect", "setting", "referred_by"):
        setattr(out, name, getattr(amended, name))
    out.child.CopyFrom(amended.child)
    del out.harm_domains[:]
    out.harm_domains.extend(amended.harm_domains)
    if not any(a.returned for a in facts.agencies):
        del out.agencies[:]
        out.agencies.extend(amended.agencies)
        out.returns_missing = amended.returns_missing
    return out


def with_clock_extension(facts: facts_pb2.CaseFacts, clock: common_pb2.Clock) -> facts_pb2.CaseFacts:
    """The extensions recorded against `clock` (intake's ExtendClock) replace the
    ones the facts held for it, so the checklist's due dates are intake's. Extensions
    only accumulate: a clock with fewer than the facts hold is of an earlier moment
    (an event delivered out of order), and the facts stay as they are."""
    held = sum(1 for e in facts.clock_extensions if e.clock_id == clock.id)
    if len(clock.extensions) < held:
        return facts
    out = _copy(facts)
    kept = [e for e in facts.clock_extensions if e.clock_id != clock.id]
    del out.clock_extensions[:]
    out.clock_extensions.extend(kept)
    out.clock_extensions.extend(facts_pb2.ClockExtensionFacts(clock_id=clock.id, extended_to=e.extended_to)
                                for e in clock.extensions)
    return out


def with_panel_response(facts: facts_pb2.CaseFacts, response: str) -> facts_pb2.CaseFacts:
    """The Panel's recorded response (LOCAL.PANEL_VIEW); unknown values are refused."""
    if response not in PANEL_RESPONSES:
        raise ValueError(f"unknown Panel response; one of {', '.join(PANEL_RESPONSES)}")
    out = _copy(facts)
    out.panel_response = response
    return out


def with_judgements(
    facts: facts_pb2.CaseFacts, *, no_agency_involvement_concern: bool | None, family_moved_between_areas: bool | None
) -> facts_pb2.CaseFacts:
    """The partners' recorded judgements (REGARD.NO_AGENCY, REGARD.CROSS_BOUNDARY); None keeps the current one."""
    out = _copy(facts)
    if no_agency_involvement_concern is not None:
        out.no_agency_involvement_concern = no_agency_involvement_concern
    if family_moved_between_areas is not None:
        out.family_moved_between_areas = family_moved_between_areas
    return out


def _agency_facts(contribution: gathering_pb2.AgencyContribution) -> facts_pb2.AgencyFacts:
    returned = contribution.request_status == gathering_pb2.REQUEST_STATUS_RETURNED
    return facts_pb2.AgencyFacts(
        agency=contribution.agency,
        # Without a return the agency stays "known to be involved": it was asked
        # because the notification or the business unit named it.
        involved=contribution.involvement != gathering_pb2.INVOLVEMENT_NOT_INVOLVED,
        returned=returned,
        concerns=[
            facts_pb2.ConcernFacts(type=concern_type(c.type), about_agencies=list(c.about_agencies), evidence_ref=c.evidence_ref)
            for c in contribution.concerns
        ],
        learning=[
            facts_pb2.LearningFacts(
                themes=list(item.themes),
                already_identified=item.already_identified,
                acted_on=_ACTED_ON.get(item.acted_on, "") if item.already_identified else "",
                evidence_ref=item.evidence_ref,
            )
            for item in contribution.learning
        ],
        good_practice_count=contribution.good_practice_count,
        # The event may list fewer than there are (size budget); its count is complete.
        immediate_action_count=max(contribution.immediate_action_count, len(contribution.immediate_actions)),
        return_ref=contribution.return_ref,
    )


def with_collation(facts: facts_pb2.CaseFacts, collated: gathering_pb2.InformationCollated) -> facts_pb2.CaseFacts:
    """The full facts once gathering has collated the returns: the collation's
    agencies replace the notification's (it lists every requested agency), and
    the missing returns are counted. Agencies that concerns name without a
    request keep their ids in `about_agencies` (gathering allows them)."""
    out = _copy(facts)
    del out.agencies[:]
    out.agencies.extend(_agency_facts(c) for c in collated.agencies)
    out.returns_missing = collated.completeness.missing if collated.HasField("completeness") else len(collated.missing_agencies)
    return out


def with_earlier_reviews(facts: facts_pb2.CaseFacts, reviews: Iterable[facts_pb2.EarlierReview]) -> facts_pb2.CaseFacts:
    """The facts with the partnership's earlier reviews attached (replacing any)."""
    out = _copy(facts)
    del out.earlier_reviews[:]
    out.earlier_reviews.extend(reviews)
    return out

