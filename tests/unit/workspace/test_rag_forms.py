"""Evidence links and the form models of the advisory group's recommendation and the Executive's decision
(pure: no app, no services)."""

from __future__ import annotations

import datetime as dt

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_form, evidence, recommendation_form

TODAY = dt.date(2024, 6, 28)
NAMES = {"gp-practice": "GP practice"}


def _link(ref: str, latest: dict[str, int] | None) -> evidence.EvidenceLink:
    return evidence.link(ref, collated_href="/cases/c/collated", version_href="/cases/c/collated/returns/{agency}/v{version}",
                         latest_versions=latest, agency_names=NAMES)


def test_an_item_of_the_latest_return_version_links_into_the_collated_page() -> None:
    found = _link("return:gp-practice:v2#learning-1", {"gp-practice": 2})
    assert found.href == "/cases/c/collated#ev-return-gp-practice-v2-learning-1"
    assert found.text == "GP practice, return version 2: learning 1"
    assert evidence.anchor("return:gp-practice:v2#learning-1") == "ev-return-gp-practice-v2-learning-1"


def test_an_item_of_an_earlier_version_links_to_that_versions_page() -> None:
    found = _link("return:gp-practice:v1#chronology-3", {"gp-practice": 2})
    assert found.href == "/cases/c/collated/returns/gp-practice/v1#ev-return-gp-practice-v1-chronology-3"
    assert found.text == "GP practice, return version 1: chronology entry 3"


def test_a_person_who_may_not_read_returns_gets_the_reference_in_words_without_a_link() -> None:
    found = _link("return:gp-practice:v1#concern-1", None)
    assert (found.href, found.text, found.kind) == ("", "GP practice, return version 1: concern about working together 1", "return")


def test_a_review_id_links_to_the_list_of_reviews_on_the_page() -> None:
    assert _link("LSCP-2021-03", {}).href == "#review-lscp-2021-03"
    assert evidence.link("LSCP-2021-03", collated_href="", version_href="", latest_versions=None, agency_names={},
                         reviews_href="/cases/c/checklist").href == "/cases/c/checklist#review-lscp-2021-03"
    assert evidence.link("LSCP-2021-03", collated_href="", version_href="", latest_versions=None, agency_names={},
                         reviews_href=None).href == ""


def test_malformed_return_references_are_not_parsed_as_returns() -> None:
    assert evidence.parse_return_ref("return:GP:v1") is None
    assert evidence.parse_return_ref("return:gp-practice:v0#learning-1") is None
    assert evidence.parse_return_ref("return:gp-practice:v3") == evidence.ReturnRef("gp-practice", 3, "")


# -- the recommendation ----------------------------------------------------------------------------------------------

def _criteria_form(**overrides: str) -> dict[str, str]:
    form = {}
    for cid in recommendation_form.CRITERIA:
        s = recommendation_form.slug(cid)
        form[f"conclusion-{s}"] = "yes"
        form[f"rationale-{s}"] = f"Because of {cid}."
    form.update(overrides)
    return form


def test_every_criterion_needs_a_conclusion_and_a_reason() -> None:
    values, problems = recommendation_form.read_criteria(_criteria_form(**{"conclusion-local-panel-view": "", "rationale-regard-no-agency": " "}))
    assert problems == [("conclusion-local-panel-view", "Select the group's conclusion on LOCAL.PANEL_VIEW"),
                        ("rationale-regard-no-agency", "Enter why the group concluded this on REGARD.NO_AGENCY")]
    assert values["LOCAL.IMPROVEMENTS"] == {"conclusion": "yes", "rationale": "Because of LOCAL.IMPROVEMENTS."}


def test_an_oversized_reason_is_refused_and_kept_to_show_back() -> None:
    values, problems = recommendation_form.read_criteria(_criteria_form(**{"rationale-local-improvements": "x" * 4001}))
    assert problems == [("rationale-local-improvements", "The reason for LOCAL.IMPROVEMENTS must be 4,000 characters or fewer")]
    assert len(values["LOCAL.IMPROVEMENTS"]["rationale"]) == 4001


def _recommend_form(day: str, month: str, year: str, **overrides: str) -> dict[str, str]:
    form = {"recommendation": "cspr", "rationale": "Learning for several agencies.", "national-importance": "no",
            "meeting-date-day": day, "meeting-date-month": month, "meeting-date-year": year}
    form.update(overrides)
    return form


def test_the_meeting_date_must_be_a_real_date_and_not_in_the_future() -> None:
    _, problems, meeting = recommendation_form.read_recommendation(_recommend_form("30", "2", "2024"), TODAY)
    assert problems == [("meeting-date-day", "Date of the meeting must be a real date")]
    assert meeting.error_parts == ["day", "month", "year"]
    _, problems, _ = recommendation_form.read_recommendation(_recommend_form("1", "7", "2024"), TODAY)
    assert problems == [("meeting-date-day", "Date of the meeting must be today or in the past")]
    values, problems, _ = recommendation_form.read_recommendation(_recommend_form("24", "6", "2024"), TODAY)
    assert problems == [] and values["meeting_iso"] == "2024-06-24"


def test_the_recommendation_needs_a_choice_a_rationale_and_the_national_view() -> None:
    _, problems, _ = recommendation_form.read_recommendation(
        _recommend_form("24", "6", "2024", recommendation="maybe", rationale="", **{"national-importance": ""}), TODAY)
    assert [f for f, _ in problems] == ["recommendation", "rationale", "national-importance"]


def test_learning_rows_keep_what_was_typed_and_empty_rows_are_dropped() -> None:
    owners = {"partnership": "The partnership", "gp-practice": "GP practice"}
    rows, problems = recommendation_form.read_learning({
        "learning-0-description": "Re-issue the protocol.", "learning-0-owner": "gp-practice",
        "learning-1-description": "", "learning-1-owner": "partnership",
        "learning-2-description": "", "learning-2-owner": "gp-practice"}, owners)
    assert rows == [{"description": "Re-issue the protocol.", "owner": "gp-practice"}, {"description": "", "owner": "gp-practice"}]
    assert problems == [("learning-1-description", "Enter what is to be done for learning item 2, or remove it")]


def test_a_complete_draft_becomes_one_request_with_every_criterion_once() -> None:
    criteria, _ = recommendation_form.read_criteria(_criteria_form(**{"conclusion-regard-institutional": "no"}))
    values, _, _ = recommendation_form.read_recommendation(_recommend_form("24", "6", "2024"), TODAY)
    draft = {"evaluation_id": "e-1", "idempotency_key": "workspace-key-1", "criteria": criteria, **values,
             "learning": [{"description": "Act now.", "owner": "partnership"}]}
    assert recommendation_form.complete(draft) == ""
    request = recommendation_form.request_of("case-1", draft)
    assert [c.criterion_id for c in request.criteria] == list(recommendation_form.CRITERIA)
    assert request.criteria[-1].conclusion == D.CRITERION_CONCLUSION_NO
    assert (request.recommendation, request.meeting_date, request.national_importance) == (D.REVIEW_DECISION_CSPR, "2024-06-24", False)
    assert request.immediate_learning[0].owner_agency_id == "" and request.idempotency_key == "workspace-key-1"


def test_service_violations_are_sent_back_to_the_page_and_field_that_asked() -> None:
    assert recommendation_form.page_of_violation("criteria[2].rationale") == ("criteria", "rationale-local-multi-agency")
    assert recommendation_form.page_of_violation("meeting_date") == ("recommend", "meeting-date-day")
    assert recommendation_form.page_of_violation("immediate_learning[1].owner_agency_id") == ("learning", "learning-1-owner")
    assert recommendation_form.page_of_violation("evaluation_id") == ("check", "check")


# -- the Executive's decision ------------------------------------------------------------------------------------------------

def _decide_form(**overrides: str) -> dict[str, str]:
    form = {"view": "agrees", "rationale": "We agree.", "national-importance": "no",
            "decided-on-day": "26", "decided-on-month": "6", "decided-on-year": "2024"}
    form.update(overrides)
    return form


def test_agreeing_decides_the_recommended_decision() -> None:
    values, problems, _ = decision_form.read_decision(_decide_form(decision="no_cspr"), TODAY, "cspr")
    assert problems == [] and values["decision"] == "cspr"


def test_a_disagreement_without_a_rationale_is_refused_in_those_words() -> None:
    _, problems, _ = decision_form.read_decision(_decide_form(view="disagrees", decision="no_cspr", rationale=""), TODAY, "cspr")
    assert problems == [("rationale", "Enter why the Executive disagrees with the recommendation")]


def test_a_disagreement_names_another_decision() -> None:
    _, problems, _ = decision_form.read_decision(_decide_form(view="disagrees"), TODAY, "cspr")
    assert problems == [("decision", "Select the Executive's own decision")]
    _, problems, _ = decision_form.read_decision(_decide_form(view="disagrees", decision="cspr"), TODAY, "cspr")
    assert problems[0][0] == "decision"
    values, problems, _ = decision_form.read_decision(_decide_form(view="disagrees", decision="no_cspr", reason="other_review"), TODAY, "cspr")
    assert problems == [] and (values["decision"], values["reason"]) == ("no_cspr", "other_review")


def test_a_reason_category_is_refused_with_a_decision_to_hold_a_review() -> None:
    _, problems, _ = decision_form.read_decision(_decide_form(reason="criteria_not_met"), TODAY, "cspr")
    assert [f for f, _ in problems] == ["reason"]


def test_the_family_must_be_answered_and_each_answer_completed() -> None:
    _, problems, _ = decision_form.read_communications({}, TODAY)
    assert problems == [("family-status", "Select how the decision is communicated to the family")]
    values, problems, _ = decision_form.read_communications(
        {"family-status": "not-appropriate", "panel-status": "done", "panel-on-day": "30", "panel-on-month": "2", "panel-on-year": "2024"}, TODAY)
    assert problems == [("family-note", "Enter why telling the family is not appropriate"), ("panel-on-day", "Date the Panel was told must be a real date")]
    assert values["agencies"]["status"] == decision_form.NOT_RECORDED


def test_a_complete_decision_draft_becomes_one_request() -> None:
    decided, _, _ = decision_form.read_decision(_decide_form(view="disagrees", decision="no_cspr", rationale="Known learning."), TODAY, "cspr")
    partners, problems = decision_form.read_partners({"local-authority-name": "A", "police-name": "B", "health-name": "C", "health-role": "Chief Nurse"})
    assert problems == []
    communications, _, _ = decision_form.read_communications({"family-status": "planned", "panel-status": "done", "panel-on-day": "27",
                                                               "panel-on-month": "6", "panel-on-year": "2024"}, TODAY)
    draft = {"recommendation_id": "r-1", "recommended": "cspr", "idempotency_key": "workspace-key-2", **decided,
             "partners": partners, "communications": communications}
    assert decision_form.complete(draft) == ""
    request = decision_form.request_of("case-1", draft)
    assert (request.view, request.decision, request.decided_on) == (D.EXECUTIVE_VIEW_DISAGREES, D.REVIEW_DECISION_NO_CSPR, "2024-06-26")
    assert [p.partner for p in request.decided_by] == [D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY, D.SAFEGUARDING_PARTNER_POLICE,
                                                       D.SAFEGUARDING_PARTNER_HEALTH]
    assert [(c.recipient, c.status, c.communicated_on) for c in request.communications] == [
        (D.DECISION_RECIPIENT_FAMILY, D.COMMUNICATION_STATUS_PLANNED, ""), (D.DECISION_RECIPIENT_PANEL, D.COMMUNICATION_STATUS_DONE, "2024-06-27")]
    assert decision_form.page_of_violation("communications[1].communicated_on", draft) == ("communication", "panel-on-day")
    assert decision_form.page_of_violation("decided_by[2].name", draft) == ("partners", "health-name")
