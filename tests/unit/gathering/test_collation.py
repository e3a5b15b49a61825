"""Collation of the Child K returns and of a large synthetic case."""

from __future__ import annotations

import datetime as dt

from rapidreview.gathering.domain.collation import Contribution, collate, collated_event
from rapidreview.gathering.domain.requests import RequestState, render_request
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, gathering_pb2
from tests.unit.gathering.returns import NOTIFIED_ORDER, example_returns, synthetic_agency, synthetic_return

G = gathering_pb2
CAL = WorkingDayCalendar(lambda: dt.date(2024, 6, 26))
NOW = dt.datetime(2024, 6, 26, 12, 0, tzinfo=dt.UTC)


def _request(agency: common_pb2.Agency, *, returned_on: dt.date | None = None, version: int = 0, gathering_open: bool = True):
    state = RequestState(case_id="case-k", agency=agency, source=G.REQUEST_SOURCE_NOTIFICATION, opened_on=dt.date(2024, 6, 4),
                         starts_from=dt.date(2024, 6, 7), due=dt.date(2024, 6, 21), due_basis=G.DUE_BASIS_PANEL_NOTIFICATION,
                         first_returned_on=returned_on, latest_version=version)
    return render_request(state, gathering_open, CAL)


def _child_k(missing: tuple[str, ...] = ()) -> G.CollatedInformation:
    returns = example_returns()
    contributions = []
    for agency_id in NOTIFIED_ORDER:
        r = returns[agency_id]
        if agency_id in missing:
            contributions.append(Contribution(_request(r.agency)))
        else:
            returned_on = dt.date(2024, 6, 25) if agency_id == "gp-practice" else dt.date(2024, 6, 20)
            contributions.append(Contribution(_request(r.agency, returned_on=returned_on, version=1), r))
    return collate("case-k", "leeds", G.GATHERING_STATUS_CLOSED, 1, contributions, NOW)


def test_merged_chronology_is_in_date_order_with_each_day_once():
    dates = [day.date for day in _child_k().chronology]
    assert dates == sorted(dates)
    assert len(dates) == len(set(dates))


def test_entries_of_the_same_day_from_different_agencies_are_shown_together_in_request_order():
    day = next(d for d in _child_k().chronology if d.date == "2024-06-04")
    assert list(day.agency_ids) == ["west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust"]
    assert [e.agency_id for e in day.entries] == list(day.agency_ids)


def test_the_same_strategy_discussion_recorded_by_three_agencies_is_flagged_not_dropped():
    day = next(d for d in _child_k().chronology if d.date == "2024-06-04")
    police, social_care, hospital = day.entries
    assert len(day.entries) == 3
    assert list(police.possible_duplicate_of) == []
    assert list(social_care.possible_duplicate_of) == ["return:west-yorkshire-police:v1#chronology-3"]
    assert list(hospital.possible_duplicate_of) == ["return:west-yorkshire-police:v1#chronology-3",
                                                    "return:leeds-childrens-social-work:v1#chronology-4"]


def test_different_contacts_on_the_same_day_are_not_flagged():
    collated = _child_k()
    flagged = [e.evidence_ref for d in collated.chronology for e in d.entries if e.possible_duplicate_of]
    assert all(ref.split("#")[0] in {"return:leeds-childrens-social-work:v1", "return:acute-hospital-trust:v1"} for ref in flagged)
    assert len(flagged) == 2


def test_learning_is_grouped_by_theme_ignoring_case_and_punctuation():
    groups = {g.theme: g for g in _child_k().learning_by_theme}
    sharing = groups["information sharing"]
    assert list(sharing.agency_ids) == ["west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust"]
    assert "Information-Sharing" not in groups
    assert _child_k().learning_by_theme[0].theme == "information sharing"  # named by most agencies
    bruising = groups["bruising in non-mobile babies"].items[0]
    assert bruising.learning.already_identified and bruising.learning.acted_on == G.ACTED_ON_PARTLY
    assert bruising.evidence_ref == "return:gp-practice:v1#learning-1"
    assert "was not brought" in groups  # a tag outside the vocabulary stays visible


def test_concerns_name_the_agencies_they_are_about():
    concerns = {(c.agency_id, tuple(c.concern.about_agencies)) for c in _child_k().concerns}
    assert concerns == {("west-yorkshire-police", ("health-visiting",)), ("leeds-childrens-social-work", ("west-yorkshire-police",)),
                        ("gp-practice", ("gp-practice",))}


def test_good_practice_and_immediate_actions_are_all_collected():
    collated = _child_k()
    assert {g.agency_id for g in collated.good_practice} == {"leeds-childrens-social-work", "acute-hospital-trust"}
    actions = collated.immediate_actions
    assert [a.action.date for a in actions] == sorted(a.action.date for a in actions)
    assert any(a.action.subject == G.ACTION_SUBJECT_SIBLING for a in actions)


def test_involvement_summary_per_agency_with_counts_and_late_flag():
    agencies = {a.agency.agency_id: a for a in _child_k().agencies}
    gp = agencies["gp-practice"]
    assert gp.late and gp.returned_on == "2024-06-25" and gp.return_ref == "return:gp-practice:v1"
    assert (gp.chronology_entry_count, gp.first_contact, gp.last_contact) == (2, "2023-11-30", "2024-03-07")
    assert agencies["housing-association"].involvement == G.INVOLVEMENT_NOT_INVOLVED
    assert agencies["leeds-childrens-social-work"].good_practice_count == 1


def test_completeness_lists_the_missing_agencies_and_marks_the_picture_partial():
    collated = _child_k(missing=("gp-practice", "sibling-nursery"))
    assert collated.partial
    assert [a.agency_id for a in collated.missing_agencies] == ["gp-practice", "sibling-nursery"]
    assert (collated.completeness.requested, collated.completeness.returned, collated.completeness.missing) == (7, 5, 2)
    assert not any(e.agency_id == "gp-practice" for d in collated.chronology for e in d.entries)
    assert collated.agencies[1].request_status == G.REQUEST_STATUS_AWAITING


def test_complete_picture_is_not_partial():
    collated = _child_k()
    assert not collated.partial and not collated.missing_agencies


def test_agencies_named_in_concerns_without_a_request_are_listed():
    collated = _child_k(missing=())
    assert list(collated.agencies_named_without_request) == []
    returns = example_returns()
    police = returns["west-yorkshire-police"]
    police.concerns[0].about_agencies.append("leeds-school")
    contributions = [Contribution(_request(police.agency, returned_on=dt.date(2024, 6, 20), version=1), police)]
    collated = collate("case-k", "leeds", G.GATHERING_STATUS_OPEN, 0, contributions, NOW)
    assert list(collated.agencies_named_without_request) == ["health-visiting", "leeds-school"]


def test_the_event_carries_no_free_text_from_any_return():
    collated = _child_k(missing=("sibling-nursery",))
    event = collated_event(collated, G.COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT)
    raw = event.SerializeToString()
    texts = []
    for r in example_returns().values():
        texts += [r.involvement_summary, r.family_context, r.completed_by_role]
        texts += [t for e in r.chronology for t in (e.summary, e.decisions, e.practitioner_role)]
        texts += [k.title for k in r.key_practice_episodes] + [k.description for k in r.key_practice_episodes]
        texts += [g.description for g in r.good_practice] + [x.description for x in r.learning]
        texts += [a.description for a in r.immediate_actions] + [c.description for c in r.concerns]
    leaked = [t for t in texts if len(t) > 12 and t.encode() in raw]  # short roles like "GP" occur in agency names
    assert leaked == []
    assert event.partial and [a.agency_id for a in event.missing_agencies] == ["sibling-nursery"]


def test_the_event_carries_what_case_facts_need_per_agency():
    event = collated_event(_child_k(), G.COLLATION_TRIGGER_ALL_RETURNED)
    agencies = {a.agency.agency_id: a for a in event.agencies}
    police = agencies["west-yorkshire-police"]
    assert police.involvement == G.INVOLVEMENT_INVOLVED and police.request_status == G.REQUEST_STATUS_RETURNED
    assert [(c.type, list(c.about_agencies), c.evidence_ref) for c in police.concerns] == [
        (G.CONCERN_TYPE_INFORMATION_SHARING, ["health-visiting"], "return:west-yorkshire-police:v1#concern-1")]
    assert list(police.learning[0].themes) == ["domestic abuse", "information sharing"]
    gp = agencies["gp-practice"]
    assert gp.learning[0].already_identified and list(gp.learning[0].earlier_reviews) == ["LSCP-2021-03", "LSCP-2022-01"]
    assert agencies["leeds-childrens-social-work"].immediate_actions[0].subject == G.ACTION_SUBJECT_SIBLING
    assert agencies["acute-hospital-trust"].good_practice_count == 1
    kinds = {h.kind for h in event.chronology_highlights}
    assert kinds == {G.HIGHLIGHT_KIND_MULTI_AGENCY_DAY, G.HIGHLIGHT_KIND_POSSIBLE_DUPLICATE, G.HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE}
    assert event.trigger == G.COLLATION_TRIGGER_ALL_RETURNED and not event.partial


def test_twenty_agencies_with_a_thousand_entries_each_collate_completely_and_in_order():
    agencies, entries = 20, 1000
    contributions = []
    for i in range(agencies):
        r = synthetic_return(i, entries, seed=7)
        contributions.append(Contribution(_request(r.agency, returned_on=dt.date(2024, 6, 20), version=1), r))
    # Plant one duplicate: agency 5 also records agency 3's 10th contact.
    planted = contributions[5].agency_return.chronology.add()
    planted.CopyFrom(contributions[3].agency_return.chronology[9])
    collated = collate("case-big", "leeds", G.GATHERING_STATUS_CLOSED, 1, contributions, NOW)

    flat = [(d.date, e) for d in collated.chronology for e in d.entries]
    assert len(flat) == agencies * entries + 1
    refs = [e.evidence_ref for _, e in flat]
    assert len(set(refs)) == len(refs)
    assert [d for d, _ in flat] == sorted(d for d, _ in flat)
    assert all(e.entry.date == d for d, e in flat)
    for day in collated.chronology:
        positions = [(int(e.agency_id[-2:]), int(e.evidence_ref.rsplit("-", 1)[1])) for e in day.entries]
        assert positions == sorted(positions)  # agencies in request order, each agency's entries in submitted order
    flagged = [e for _, e in flat if e.possible_duplicate_of]
    assert [(e.evidence_ref, list(e.possible_duplicate_of)) for e in flagged] == [
        ("return:agency-05:v1#chronology-1001", ["return:agency-03:v1#chronology-10"])]
    assert collated.completeness.returned == agencies and not collated.partial
    assert len(collated.concerns) == agencies
    assert list(collated.learning_by_theme[0].agency_ids) == [synthetic_agency(i).agency_id for i in range(agencies)]
    event = collated_event(collated, G.COLLATION_TRIGGER_ALL_RETURNED)
    assert len(event.chronology_highlights) <= 500
    assert event.chronology_highlights_truncated
    assert event.ByteSize() < 1_000_000  # fits a default NATS message


def test_the_chronology_comes_in_pages_of_whole_days_that_join_up_to_the_whole():
    from rapidreview.gathering.domain.collation import chronology_page

    full = _child_k()
    pages, after = [], ""
    while True:
        page = G.CollatedInformation()
        page.CopyFrom(full)
        after = chronology_page(page, after, 3)
        pages.append([d.date for d in page.chronology])
        assert sum(len(d.entries) for d in page.chronology) <= 3 or len(page.chronology) == 1
        if not after:
            break
    assert [d for p in pages for d in p] == [d.date for d in full.chronology]
    assert len(pages) > 1


def test_a_day_larger_than_the_page_is_never_split():
    from rapidreview.gathering.domain.collation import chronology_page

    page = _child_k()
    after = chronology_page(page, "2024-04-20", 1)
    assert [d.date for d in page.chronology] == ["2024-06-03"]
    page = _child_k()
    after = chronology_page(page, after or "2024-06-03", 1)
    assert [d.date for d in page.chronology] == ["2024-06-04"] and len(page.chronology[0].entries) == 3
    assert after == ""  # the last day
