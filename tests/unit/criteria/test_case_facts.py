"""CaseFacts built from the events criteria receives."""

from __future__ import annotations

import pytest

from rapidreview.criteria.domain import facts as F
from rapidreview.rules import validate_facts
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import intake_pb2
from tests.unit.criteria import child_k


def test_notified_incident_counts_every_named_agency_as_involved_with_its_return_missing():
    facts = F.facts_from_incident(child_k.incident())
    assert facts.case_id == child_k.CASE_ID and facts.partnership == "leeds"
    assert [a.agency.agency_id for a in facts.agencies] == [a.agency_id for a in child_k.AGENCIES]
    assert all(a.involved and not a.returned for a in facts.agencies)
    assert facts.returns_missing == len(child_k.AGENCIES)
    assert facts.seriously_harmed and not facts.died and facts.child.age_years == 0 and facts.child.HasField("age_years")
    assert facts.panel_notification_sent_date == ""


def test_facts_of_a_notified_incident_validate():
    assert validate_facts(F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))) == []


def test_unborn_child_has_no_age_and_a_withdrawn_incident_is_withdrawn():
    incident = child_k.incident()
    incident.notification.child.ClearField("age_years")
    incident.notification.child.unborn = True
    incident.status = intake_pb2.INCIDENT_STATUS_WITHDRAWN
    facts = F.facts_from_incident(incident)
    assert facts.child.unborn and not facts.child.HasField("age_years") and facts.withdrawn


def test_collation_replaces_agencies_with_what_their_returns_say():
    facts = F.with_collation(F.facts_from_incident(child_k.incident()), child_k.collated())
    by_id = {a.agency.agency_id: a for a in facts.agencies}
    police, gp, housing = by_id["west-yorkshire-police"], by_id["gp-practice"], by_id["housing-association"]
    assert [(c.type, list(c.about_agencies), c.evidence_ref) for c in police.concerns] == [
        ("information_sharing", ["health-visiting"], "return:west-yorkshire-police:v1#concern-1")]
    assert gp.concerns[0].type == "single_agency_practice"
    assert (gp.learning[0].already_identified, gp.learning[0].acted_on) == (True, "partly")
    assert not housing.involved and housing.returned
    assert by_id["leeds-childrens-social-work"].immediate_action_count == 1
    assert by_id["acute-hospital-trust"].good_practice_count == 1
    assert police.return_ref == "return:west-yorkshire-police:v1"
    assert facts.returns_missing == 0
    assert validate_facts(facts) == []


def test_missing_return_leaves_the_agency_involved_and_counts_it_missing():
    facts = F.with_collation(F.facts_from_incident(child_k.incident()), child_k.collated(gp_missing=True))
    gp = next(a for a in facts.agencies if a.agency.agency_id == "gp-practice")
    assert gp.involved and not gp.returned and not gp.concerns
    assert facts.returns_missing == 1


def test_acted_on_is_kept_only_for_learning_identified_before():
    collated = child_k.collated()
    item = collated.agencies[0].learning[0]
    item.acted_on = G.ACTED_ON_NO  # set although not identified before: not carried over
    facts = F.with_collation(F.facts_from_incident(child_k.incident()), collated)
    assert facts.agencies[0].learning[0].acted_on == ""


@pytest.mark.parametrize(("value", "expected"), [
    (G.CONCERN_TYPE_JOINT_ASSESSMENT, "joint_assessment"),
    (G.CONCERN_TYPE_ESCALATION, "escalation"),
    (G.CONCERN_TYPE_UNSPECIFIED, "other"),
    (99, "other"),
])
def test_concern_types_are_spelt_as_case_facts_spells_them(value, expected):
    assert F.concern_type(value) == expected


def test_concern_about_an_agency_without_a_request_keeps_its_id():
    collated = child_k.collated()
    collated.agencies[0].concerns[0].about_agencies[:] = ["childrens-centre"]
    facts = F.with_collation(F.facts_from_incident(child_k.incident()), collated)
    assert list(facts.agencies[0].concerns[0].about_agencies) == ["childrens-centre"]


def test_the_first_panel_submission_closes_the_rapid_review_and_a_later_round_does_not_move_it():
    after = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    sent = F.with_panel_submission(after, "2024-07-01")
    assert sent.rapid_review_sent_date == "2024-07-01"
    assert F.with_panel_submission(sent, "2024-08-15").rapid_review_sent_date == "2024-07-01"
    # Delivered out of order: the first round's submission after a later round's still closes it.
    later_first = F.with_panel_submission(after, "2024-08-15")
    assert F.with_panel_submission(later_first, "2024-07-01").rapid_review_sent_date == "2024-07-01"
    assert F.with_panel_submission(after, "2024-06-05").rapid_review_sent_date == ""


def test_an_amended_notification_replaces_its_facts_and_keeps_what_happened_since():
    from rapidreview.v1 import common_pb2

    facts = F.with_collation(F.facts_from_incident(child_k.incident(panel_sent="2024-06-07")), child_k.collated())
    incident = child_k.incident(panel_sent="2024-06-07")
    incident.notification.abuse_or_neglect = common_pb2.ABUSE_OR_NEGLECT_KNOWN
    incident.notification.child.looked_after = True
    amended = F.with_amended_notification(facts, incident)
    assert amended.abuse_or_neglect == common_pb2.ABUSE_OR_NEGLECT_KNOWN and amended.child.looked_after
    assert amended.panel_notification_sent_date == "2024-06-07" and list(amended.agencies) == list(facts.agencies)


def test_clock_extensions_are_carried_into_the_facts_for_the_checklist():
    from rapidreview.v1 import common_pb2

    facts = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    clock = common_pb2.Clock(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-07-12",
                             extensions=[common_pb2.ClockExtension(extended_to="2024-07-05"),
                                         common_pb2.ClockExtension(extended_to="2024-07-12")])
    extended = F.with_clock_extension(facts, clock)
    assert [(e.clock_id, e.extended_to) for e in extended.clock_extensions] == [
        ("RR.DEADLINE", "2024-07-05"), ("RR.DEADLINE", "2024-07-12")]
    assert list(F.with_clock_extension(extended, clock).clock_extensions) == list(extended.clock_extensions)



def test_a_clock_with_fewer_extensions_than_the_facts_hold_is_of_an_earlier_moment_and_changes_nothing():
    """incident.clock_extended events can arrive out of order: the first extension's event after
    the second's must not take the second back."""
    from rapidreview.v1 import common_pb2

    facts = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    first = common_pb2.Clock(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-07-05",
                             extensions=[common_pb2.ClockExtension(extended_to="2024-07-05")])
    second = common_pb2.Clock(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-07-12",
                              extensions=[*first.extensions, common_pb2.ClockExtension(extended_to="2024-07-12")])
    extended = F.with_clock_extension(facts, second)
    assert F.with_clock_extension(extended, first) == extended
    # In order, each extension is taken.
    assert [e.extended_to for e in F.with_clock_extension(F.with_clock_extension(facts, first), second).clock_extensions] == [
        "2024-07-05", "2024-07-12"]

def test_unknown_panel_response_is_refused():
    facts = F.facts_from_incident(child_k.incident())
    assert F.with_panel_response(facts, "local_review_more_appropriate").panel_response == "local_review_more_appropriate"
    with pytest.raises(ValueError):
        F.with_panel_response(facts, "maybe")


def test_judgements_unset_keep_what_was_recorded():
    facts = F.with_judgements(F.facts_from_incident(child_k.incident()), no_agency_involvement_concern=True,
                              family_moved_between_areas=None)
    again = F.with_judgements(facts, no_agency_involvement_concern=None, family_moved_between_areas=True)
    assert again.no_agency_involvement_concern and again.family_moved_between_areas


def test_building_facts_never_changes_the_facts_given():
    facts = F.facts_from_incident(child_k.incident())
    original = facts.SerializeToString(deterministic=True)
    F.with_panel_notification(facts, "2024-06-07")
    F.as_withdrawn(facts)
    F.with_collation(facts, child_k.collated())
    F.with_earlier_reviews(facts, child_k.EARLIER_REVIEWS)
    F.with_panel_submission(facts, "2024-06-25")
    assert facts.SerializeToString(deterministic=True) == original


def test_earlier_reviews_replace_the_ones_attached_before():
    facts = F.with_earlier_reviews(F.facts_from_incident(child_k.incident()), child_k.EARLIER_REVIEWS)
    facts = F.with_earlier_reviews(facts, child_k.EARLIER_REVIEWS[:1])
    assert [r.review_id for r in facts.earlier_reviews] == ["LSCP-2021-03"]
    assert facts.incident_country == C.COUNTRY_ENGLAND
