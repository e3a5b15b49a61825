"""The advisory group's and the Executive's pages in-process, over fake services: the checklist, its
evidence links by role, the explain view, the summary PDF, the collated page, and the recommendation
and decision forms through to the one request each sends."""

from __future__ import annotations

import re

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2 as D, gathering_pb2 as G, intake_pb2
from rapidreview.workspace import errors
from tests.unit.workspace.conftest import POLICE, Workspace

CASE = "0b7f6a1e-1111-4222-8333-44445555000a"
EVALUATION = "9d1c0b6e-aaaa-4bbb-8ccc-000000000001"
RECOMMENDATION = "9d1c0b6e-aaaa-4bbb-8ccc-000000000002"
RAG = Principal("person-rag-1", Role.RAG_MEMBER, "leeds")
EXEC = Principal("person-exec-1", Role.EXECUTIVE, "leeds")
JUDGEMENT = ("LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES", "LOCAL.MULTI_AGENCY", "LOCAL.PANEL_VIEW",
             "REGARD.SINGLE_AGENCY", "REGARD.NO_AGENCY", "REGARD.CROSS_BOUNDARY", "REGARD.INSTITUTIONAL")


def _incident() -> intake_pb2.GetIncidentResponse:
    incident = intake_pb2.Incident(case_id=CASE)
    incident.notification.child.child_ref = "Child K"
    incident.notification.agencies.add(agency_id="gp-practice", name="GP practice")
    incident.notification.agencies.add(agency_id="west-yorkshire-police", name="West Yorkshire Police")
    return intake_pb2.GetIncidentResponse(incident=incident)


def _checklist() -> criteria_pb2.GetChecklistResponse:
    c = criteria_pb2.Checklist(evaluation_id=EVALUATION, case_id=CASE, edition=common_pb2.EDITION_WT2023, edition_version="2023.1",
                               not_automatic_statement="Meeting the criteria does not mean a review must be held.",
                               trigger=criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED, collation_version=1,
                               fired_rules=["DEF.SERIOUS_CASE", "LOCAL.MULTI_AGENCY"])
    c.criteria.add(rule_id="DEF.SERIOUS_CASE", outcome=common_pb2.OUTCOME_MET, rationale="A serious case.", citation="CA2004 s16C(1)")
    for rule_id in JUDGEMENT:
        c.criteria.add(rule_id=rule_id, outcome=common_pb2.OUTCOME_NOT_INDICATED, rationale=f"Nothing for {rule_id}.")
    multi = next(o for o in c.criteria if o.rule_id == "LOCAL.MULTI_AGENCY")
    multi.outcome = common_pb2.OUTCOME_INDICATED
    multi.evidence.extend(["return:west-yorkshire-police:v2#concern-1", "return:gp-practice:v1#concern-1", "LSCP-2021-03"])
    c.criteria.add(rule_id="NOT.AUTOMATIC", outcome=common_pb2.OUTCOME_MET)
    c.theme_sources.add(review_id="LSCP-2021-03", title="Child A", publisher="Leeds", year=2021)
    return criteria_pb2.GetChecklistResponse(checklist=c)


def _collated() -> G.GetCollatedInformationResponse:
    picture = G.CollatedInformation(case_id=CASE, status=G.GATHERING_STATUS_OPEN, collation_version=2)
    picture.agencies.add(agency=common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police"), version=2,
                         return_ref="return:west-yorkshire-police:v2", involvement=G.INVOLVEMENT_INVOLVED,
                         request_status=G.REQUEST_STATUS_RETURNED)
    picture.agencies.add(agency=common_pb2.Agency(agency_id="gp-practice", name="GP practice"), version=2, return_ref="return:gp-practice:v2",
                         involvement=G.INVOLVEMENT_INVOLVED, request_status=G.REQUEST_STATUS_RETURNED)
    day = picture.chronology.add(date="2024-04-20", agency_ids=["west-yorkshire-police"])
    day.entries.add(agency_id="west-yorkshire-police", agency_name="West Yorkshire Police", evidence_ref="return:west-yorkshire-police:v2#chronology-1",
                    entry=G.ChronologyEntry(date="2024-04-20", contact_type=G.CONTACT_TYPE_CALL_OUT, practitioner_role="response officer",
                                            summary="Mother called police.", decisions="Referral to the domestic abuse service."))
    picture.concerns.add(agency_id="west-yorkshire-police", evidence_ref="return:west-yorkshire-police:v2#concern-1",
                         concern=G.WorkingTogetherConcern(type=G.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=["gp-practice"],
                                                          description="Not shared with the GP."))
    return G.GetCollatedInformationResponse(collated=picture)


def _state(stage: int = D.CASE_STAGE_AWAITING_RECOMMENDATION, *, evaluated: bool = True, recommended: bool = False) -> D.GetCaseResponse:
    state = D.CaseState(case_id=CASE, partnership="leeds", stage=stage, round=1 if recommended else 0)
    if evaluated:
        state.evaluations.add(evaluation_id=EVALUATION, edition_version="wt2023@2023.1")
    if recommended:
        state.recommendations.add(recommendation_id=RECOMMENDATION, case_id=CASE, round=1, recommendation=D.REVIEW_DECISION_CSPR,
                                  rationale="The group recommends a local review.", evaluation_id=EVALUATION, meeting_date="2024-06-18",
                                  criteria=[D.CriterionView(criterion_id=c, conclusion=D.CRITERION_CONCLUSION_YES, rationale="Yes.") for c in JUDGEMENT])
    return D.GetCaseResponse(case=state)


def _answers(workspace: Workspace, **extra: object) -> None:
    workspace.services.answers.update({"GetIncident": _incident(), "GetChecklist": _checklist(), "GetCollatedInformation": _collated(),
                                       "ListEvaluations": criteria_pb2.ListEvaluationsResponse(), "GetCase": _state(), **extra})


def _rpcs(workspace: Workspace) -> list[str]:
    return [name for name, _, _ in workspace.services.calls]


def test_the_checklist_shows_each_criterion_with_its_outcome_and_not_automatic(workspace: Workspace) -> None:
    _answers(workspace)
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/checklist")
    assert page.status_code == 200
    assert "<title>Criteria checklist – Rapid Review</title>" in page.text
    assert "Not automatic: the partners decide (NOT.AUTOMATIC)." in page.text
    assert "Working Together to Safeguard Children 2023, chapter 5, rules version 2023.1" in page.text
    block = page.text[page.text.index('id="criterion-local-multi-agency"'):]
    assert "Indicated" in block[:600]
    assert 'data-rule="NOT.AUTOMATIC"' not in page.text  # the statement, not a line of the table
    assert "Record the advisory group&#39;s recommendation" in page.text


def test_evidence_links_lead_to_the_latest_version_on_the_collated_page_or_to_the_version_cited(workspace: Workspace) -> None:
    _answers(workspace)
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/checklist").text
    assert f'href="/cases/{CASE}/collated#ev-return-west-yorkshire-police-v2-concern-1"' in page
    assert f'href="/cases/{CASE}/collated/returns/gp-practice/v1#ev-return-gp-practice-v1-concern-1"' in page
    assert 'href="#review-lscp-2021-03"' in page and 'id="review-lscp-2021-03"' in page


def test_the_executive_sees_the_evidence_in_words_and_never_reads_gathering(workspace: Workspace) -> None:
    _answers(workspace, GetCase=_state(D.CASE_STAGE_AWAITING_DECISION, recommended=True))
    workspace.sign_in(EXEC)
    page = workspace.client.get(f"/cases/{CASE}/checklist").text
    assert "West Yorkshire Police, return version 2: concern about working together 1" in page
    assert "/collated#" not in page and "GetCollatedInformation" not in _rpcs(workspace)
    assert "Record the Executive&#39;s decision" in page
    assert workspace.client.get(f"/cases/{CASE}/collated").status_code == 403


def test_a_case_not_evaluated_yet_says_so_on_the_checklist(workspace: Workspace) -> None:
    _answers(workspace, GetChecklist=errors.NotFoundError("no evaluation"), GetCase=_state(evaluated=False))
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/checklist")
    assert page.status_code == 200 and "have not been evaluated for this case yet" in page.text
    assert "NOT.AUTOMATIC" in page.text and "Record the advisory group" not in page.text


def test_the_explain_view_shows_the_rule_its_facts_and_whether_it_fired(workspace: Workspace) -> None:
    explained = criteria_pb2.ExplainCriterionResponse(
        outcome=_checklist().checklist.criteria[3], title="Concerns about agencies working together",
        condition="when involved_agency_count >= 2 and joint_working_concern_count >= 1: INDICATED",
        facts_read=["involved_agency_count: 6", "joint_working_concern_count: 2"], edition_version="wt2023@2023.1")
    _answers(workspace, ExplainCriterion=explained)
    workspace.sign_in(EXEC)
    page = workspace.client.get(f"/cases/{CASE}/checklist/criteria/LOCAL.MULTI_AGENCY")
    assert page.status_code == 200 and "<title>Criterion LOCAL.MULTI_AGENCY – Rapid Review</title>" in page.text
    assert "joint_working_concern_count: 2" in page.text and "The rule fired" in page.text
    request = next(r for name, _, r in workspace.services.calls if name == "ExplainCriterion")
    assert (request.rule_id, request.evaluation_id) == ("LOCAL.MULTI_AGENCY", EVALUATION)
    assert workspace.client.get(f"/cases/{CASE}/checklist/criteria/not-a-rule").status_code == 404


def test_the_summary_pdf_is_a_download_named_without_personal_data(workspace: Workspace) -> None:
    _answers(workspace, RenderSummary=criteria_pb2.RenderSummaryResponse(content=b"%PDF-1.7 ...", media_type="application/pdf",
                                                                         evaluation_id=EVALUATION))
    workspace.sign_in(RAG)
    response = workspace.client.get(f"/cases/{CASE}/checklist/summary.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="checklist-summary-0b7f6a1e-9d1c0b6e.pdf"'
    request = next(r for name, _, r in workspace.services.calls if name == "RenderSummary")
    assert request.format == criteria_pb2.SUMMARY_FORMAT_PDF


def test_agencies_get_403_on_the_checklist_and_the_collated_information(workspace: Workspace) -> None:
    _answers(workspace)
    workspace.sign_in(POLICE)
    for path in ("checklist", "collated", "checklist/summary.pdf", "checklist/criteria/LOCAL.IMPROVEMENTS", "decisions/recommendation"):
        assert workspace.client.get(f"/cases/{CASE}/{path}").status_code == 403, path
    assert workspace.services.calls == []


def test_another_partnerships_case_gives_the_403_page_and_shows_nothing(workspace: Workspace) -> None:
    _answers(workspace, GetIncident=errors.NotAllowed("another partnership"), GetChecklist=errors.NotAllowed("another partnership"))
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/checklist")
    assert page.status_code == 403 and "LOCAL.MULTI_AGENCY" not in page.text


def test_the_collated_page_shows_the_timeline_and_anchors_each_cited_item(workspace: Workspace) -> None:
    _answers(workspace)
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/collated").text
    assert 'class="moj-timeline__item" id="ev-return-west-yorkshire-police-v2-chronology-1"' in page
    assert "Call-out" in page and "by West Yorkshire Police, response officer" in page and "20 April 2024" in page
    assert 'id="ev-return-west-yorkshire-police-v2-concern-1"' in page and "Not shared with the GP." in page
    assert f'href="/cases/{CASE}/collated/returns/gp-practice/v1"' in page  # earlier versions listed


def test_the_recommendation_is_refused_with_the_reason_when_the_case_does_not_allow_it(workspace: Workspace) -> None:
    _answers(workspace, GetCase=_state(D.CASE_STAGE_REVIEW_IN_PROGRESS))
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/decisions/recommendation")
    assert page.status_code == 409 and "A local review has been commissioned" in page.text
    _answers(workspace, GetCase=_state(evaluated=False))
    page = workspace.client.get(f"/cases/{CASE}/decisions/recommendation")
    assert page.status_code == 409 and "The criteria have not been evaluated for this case yet" in page.text
    assert "RecordRecommendation" not in _rpcs(workspace)


def _post(workspace: Workspace, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return workspace.client.post(f"/cases/{CASE}/decisions/{path}", data={**data, "csrf_token": workspace.csrf()})


def _criteria_answers() -> dict[str, str]:
    out = {}
    for cid in JUDGEMENT:
        slug = cid.lower().replace(".", "-").replace("_", "-")
        out |= {f"conclusion-{slug}": "yes", f"rationale-{slug}": f"Why {cid}."}
    return out


def test_the_recommendation_goes_page_by_page_to_one_request(workspace: Workspace) -> None:
    _answers(workspace, RecordRecommendation=D.RecordRecommendationResponse())
    workspace.sign_in(RAG)
    assert workspace.client.get(f"/cases/{CASE}/decisions/recommendation").headers["location"].endswith("/recommendation/criteria")
    empty = _post(workspace, "recommendation/criteria", {})
    assert empty.status_code == 400 and 'href="#conclusion-local-improvements"' in empty.text
    assert _post(workspace, "recommendation/criteria", _criteria_answers()).headers["location"].endswith("/recommendation/recommend")
    bad = _post(workspace, "recommendation/recommend", {"recommendation": "cspr", "rationale": "A review.", "national-importance": "no",
                                                         "meeting-date-day": "30", "meeting-date-month": "2", "meeting-date-year": "2024"})
    assert bad.status_code == 400 and "Date of the meeting must be a real date" in bad.text
    assert "A review.</textarea>" in bad.text and 'value="30"' in bad.text  # what was typed is shown back
    assert _post(workspace, "recommendation/recommend", {"recommendation": "cspr", "rationale": "A review.", "national-importance": "no",
                                                         "meeting-date-day": "19", "meeting-date-month": "6", "meeting-date-year": "2024"}
                 ).headers["location"].endswith("/recommendation/learning")
    added = _post(workspace, "recommendation/learning", {"add": "1"})
    assert added.headers["location"].endswith("/recommendation/learning#learning-0-description")
    assert _post(workspace, "recommendation/learning", {"learning-0-description": "Re-issue the protocol.", "learning-0-owner": "gp-practice",
                                                        "continue": "1"}).headers["location"].endswith("/recommendation/check")
    check = workspace.client.get(f"/cases/{CASE}/decisions/recommendation/check")
    assert "Re-issue the protocol." in check.text and "19 June 2024" in check.text
    assert "RecordRecommendation" not in _rpcs(workspace)  # nothing sent before the check page is confirmed
    done = _post(workspace, "recommendation/check", {})
    assert done.headers["location"].endswith("/recommendation/done")
    sent = [r for name, _, r in workspace.services.calls if name == "RecordRecommendation"]
    assert len(sent) == 1 and sent[0].evaluation_id == EVALUATION and sent[0].meeting_date == "2024-06-19"
    assert [c.criterion_id for c in sent[0].criteria] == list(JUDGEMENT)
    assert sent[0].immediate_learning[0].owner_agency_id == "gp-practice" and sent[0].idempotency_key.startswith("workspace-")
    assert workspace.client.get(f"/cases/{CASE}/decisions/recommendation/check").headers["location"].endswith("/recommendation")


def test_a_field_the_service_refuses_is_shown_on_its_page_with_the_answers_kept(workspace: Workspace) -> None:
    _answers(workspace, RecordRecommendation=errors.InvalidInput([("meeting_date", "must not be before 2018-06-29")]))
    workspace.sign_in(RAG)
    workspace.client.get(f"/cases/{CASE}/decisions/recommendation")
    _post(workspace, "recommendation/criteria", _criteria_answers())
    _post(workspace, "recommendation/recommend", {"recommendation": "no_cspr", "rationale": "No review.", "national-importance": "yes",
                                                  "meeting-date-day": "19", "meeting-date-month": "6", "meeting-date-year": "2024"})
    _post(workspace, "recommendation/learning", {"continue": "1"})
    page = _post(workspace, "recommendation/check", {})
    assert page.status_code == 400 and 'href="#meeting-date-day"' in page.text
    assert "Date of the meeting: must not be before 2018-06-29" in page.text and 'value="19"' in page.text


def test_the_executive_decides_beside_the_checklist_and_a_disagreement_needs_its_reason(workspace: Workspace) -> None:
    _answers(workspace, GetCase=_state(D.CASE_STAGE_AWAITING_DECISION, recommended=True), RecordDecision=D.RecordDecisionResponse())
    workspace.sign_in(EXEC)
    assert workspace.client.get(f"/cases/{CASE}/decisions/decision").headers["location"].endswith("/decision/decide")
    page = workspace.client.get(f"/cases/{CASE}/decisions/decision/decide")
    assert 'id="checklist-column"' in page.text and 'id="recommendation-column"' in page.text
    assert "The group recommends a local review." in page.text
    refused = _post(workspace, "decision/decide", {"view": "disagrees", "decision": "no_cspr", "national-importance": "no",
                                                   "decided-on-day": "19", "decided-on-month": "6", "decided-on-year": "2024"})
    assert refused.status_code == 400 and "Enter why the Executive disagrees with the recommendation" in refused.text
    assert re.search(r'href="#rationale"', refused.text)
    _post(workspace, "decision/decide", {"view": "disagrees", "decision": "no_cspr", "rationale": "Known learning.", "national-importance": "no",
                                         "decided-on-day": "19", "decided-on-month": "6", "decided-on-year": "2024"})
    _post(workspace, "decision/partners", {"local-authority-name": "A", "police-name": "B", "health-name": "C"})
    assert _post(workspace, "decision/communication", {"family-status": "planned"}).headers["location"].endswith("/decision/check")
    assert "RecordDecision" not in _rpcs(workspace)
    assert _post(workspace, "decision/check", {}).headers["location"].endswith("/decision/done")
    sent = [r for name, _, r in workspace.services.calls if name == "RecordDecision"]
    assert len(sent) == 1 and (sent[0].recommendation_id, sent[0].view, sent[0].decision) == (
        RECOMMENDATION, D.EXECUTIVE_VIEW_DISAGREES, D.REVIEW_DECISION_NO_CSPR)


def test_the_executive_cannot_decide_before_the_recommendation(workspace: Workspace) -> None:
    _answers(workspace)
    workspace.sign_in(EXEC)
    page = workspace.client.get(f"/cases/{CASE}/decisions/decision")
    assert page.status_code == 409 and "has not made its recommendation yet" in page.text


def test_a_step_the_service_refuses_on_recording_says_why_and_keeps_the_draft(workspace: Workspace) -> None:
    _answers(workspace, GetCase=_state(D.CASE_STAGE_AWAITING_DECISION, recommended=True),
             RecordDecision=errors.StepRefused("the current recommendation is already decided"))
    workspace.sign_in(EXEC)
    workspace.client.get(f"/cases/{CASE}/decisions/decision")
    _post(workspace, "decision/decide", {"view": "agrees", "rationale": "Agreed.", "national-importance": "no",
                                         "decided-on-day": "19", "decided-on-month": "6", "decided-on-year": "2024"})
    _post(workspace, "decision/partners", {"local-authority-name": "A", "police-name": "B", "health-name": "C"})
    _post(workspace, "decision/communication", {"family-status": "planned"})
    page = _post(workspace, "decision/check", {})
    assert page.status_code == 409 and "Nothing was recorded: the current recommendation is already decided" in page.text
    assert workspace.client.get(f"/cases/{CASE}/decisions/decision/check").status_code == 200


def test_an_unreachable_service_on_recording_says_nothing_was_saved(workspace: Workspace) -> None:
    _answers(workspace, GetCase=_state(D.CASE_STAGE_AWAITING_DECISION, recommended=True),
             RecordDecision=errors.ServiceUnavailable("down", service="decisions"))
    workspace.sign_in(EXEC)
    workspace.client.get(f"/cases/{CASE}/decisions/decision")
    _post(workspace, "decision/decide", {"view": "agrees", "rationale": "Agreed.", "national-importance": "no",
                                         "decided-on-day": "19", "decided-on-month": "6", "decided-on-year": "2024"})
    _post(workspace, "decision/partners", {"local-authority-name": "A", "police-name": "B", "health-name": "C"})
    _post(workspace, "decision/communication", {"family-status": "planned"})
    page = _post(workspace, "decision/check", {})
    assert page.status_code == 503 and "Nothing was saved" in page.text


def test_the_recommendation_and_decision_confirmations_have_one_h1_the_panels_title(workspace: Workspace) -> None:
    """The case layout's heading gives way to the confirmation panel's: one main heading per page."""
    state = _state(D.CASE_STAGE_AWAITING_PANEL_SUBMISSION, recommended=True)
    state.case.decisions.add(decision_id="9d1c0b6e-aaaa-4bbb-8ccc-000000000003", case_id=CASE, recommendation_id=RECOMMENDATION,
                             round=1, view=D.EXECUTIVE_VIEW_AGREES, decision=D.REVIEW_DECISION_CSPR, rationale="Agreed.",
                             decided_on="2024-06-19")
    _answers(workspace, GetCase=state)
    for person, path, title in ((RAG, "recommendation/done", "Recommendation recorded"), (EXEC, "decision/done", "Decision recorded")):
        workspace.sign_in(person)
        page = workspace.client.get(f"/cases/{CASE}/decisions/{path}")
        assert page.status_code == 200, path
        headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page.text, flags=re.S)
        assert [h.strip() for h in headings] == [title], headings
        assert 'class="govuk-panel__title"' in page.text and "Case Child" in page.text  # the panel's h1, the case caption kept
