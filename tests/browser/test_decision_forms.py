"""The advisory group records its recommendation and the Executive its decision, through the browser on
the shared stack, each on a case of its own (the example case is already published): errors in the
error summary with nothing stored, the records visible through the decisions service's API, the
side-by-side layout, and a refused step explained."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf import json_format
from playwright.sync_api import Browser, Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.rag_cases import EXAMPLES, case_state, full_checklist, prepare_case
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in

SLUGS = ("local-improvements", "local-recurrent-themes", "local-multi-agency", "local-panel-view",
         "regard-single-agency", "regard-no-agency", "regard-cross-boundary", "regard-institutional")


@pytest.fixture(scope="module")
def cases(web: Web) -> Iterator[dict[str, str]]:
    """Two cases with their full checklist: one for the recommendation, one recommended (through the API) for the Executive."""
    to_recommend = run_async(prepare_case(web.stack, "Child R"))
    to_decide = run_async(prepare_case(web.stack, "Child E"))
    run_async(_recommend_through_the_api(web, to_decide))
    without_js = run_async(prepare_case(web.stack, "Child J"))
    yield {"recommend": to_recommend, "decide": to_decide, "without_js": without_js}


async def _recommend_through_the_api(web: Web, case_id: str) -> None:
    request = json_format.ParseDict(json.loads((EXAMPLES / "decisions" / "recommendation.json").read_text()), D.RecordRecommendationRequest())
    request.case_id = case_id
    request.evaluation_id = await full_checklist(web.stack, case_id)
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    token = web.token(Role.RAG_MEMBER)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("decisions")[0].address) as channel:
        await decisions_pb2_grpc.DecisionServiceStub(channel).RecordRecommendation(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=30)


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _errors(page: Page) -> list[str]:
    return page.locator(".govuk-error-summary__list a").all_inner_texts()


def _date(page: Page, prefix: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{prefix}-day").fill(day)
    page.locator(f"#{prefix}-month").fill(month)
    page.locator(f"#{prefix}-year").fill(year)


def test_the_advisory_group_records_its_recommendation(web: Web, page: Page, cases: dict[str, str]) -> None:
    case_id = cases["recommend"]
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{case_id}/checklist")
    page.get_by_role("button", name="Record the advisory group's recommendation").click()
    expect(page).to_have_title("Record the recommendation – Rapid Review")
    expect(page.locator('[data-rule="LOCAL.MULTI_AGENCY"] .govuk-tag')).to_have_text("Indicated")  # the checklist beside each question

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Record the recommendation – Rapid Review")
    found = _errors(page)
    assert "Select the group's conclusion on LOCAL.IMPROVEMENTS" in found and "Enter why the group concluded this on REGARD.INSTITUTIONAL" in found
    assert len(found) == 16
    assert_accessible(page)
    page.get_by_role("link", name="Select the group's conclusion on LOCAL.PANEL_VIEW").click()
    expect(page.locator("#conclusion-local-panel-view")).to_be_focused()
    for slug in SLUGS:
        page.locator(f"input[name=conclusion-{slug}][value={'yes' if slug.startswith('local-') and slug != 'local-panel-view' else 'no'}]").check()
        page.locator(f"#rationale-{slug}").fill(f"The group's reason on {slug}.")
    page.locator("#rationale-local-improvements").fill("x" * 4001)
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["The reason for LOCAL.IMPROVEMENTS must be 4,000 characters or fewer"]
    expect(page.locator("input[name=conclusion-regard-institutional][value=no]")).to_be_checked()  # answers kept
    page.locator("#rationale-local-improvements").fill("Learning for police, social care and the GP practice.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What the group recommends")
    page.get_by_label("Hold a local child safeguarding practice review").check()
    page.locator("#rationale").fill("A local review on bruising protocols and information sharing is likely to find improvements.")
    page.locator("input[name=national-importance][value=no]").check()
    _date(page, "meeting-date", "30", "2", "2024")
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["Date of the meeting must be a real date"]
    expect(page.locator("#meeting-date-day")).to_have_value("30")
    _date(page, "meeting-date", "1", "1", "2099")
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["Date of the meeting must be today or in the past"]
    assert_accessible(page)
    screenshot(page, "recommendation-error")
    _date(page, "meeting-date", "24", "6", "2024")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Learning to act on now")
    page.get_by_role("button", name="Add a learning item").click()
    page.locator("#learning-0-description").fill("Re-issue the bruising protocol to every GP practice.")
    page.locator("#learning-0-owner").select_option("gp-practice")
    page.get_by_role("button", name="Add another learning item").click()
    page.locator("#learning-1-description").fill("Not agreed after all.")
    page.get_by_role("button", name="Remove learning item 2").click()
    expect(page.locator("#learning-1-description")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Check the recommendation before recording it – Rapid Review")
    expect(page.locator("#check-recommendation")).to_contain_text("24 June 2024")
    expect(page.locator("#check-learning")).to_contain_text("Re-issue the bruising protocol to every GP practice. (GP practice)")
    assert not run_async(case_state(web.stack, case_id)).recommendations  # nothing stored before it is confirmed
    assert_accessible(page)
    screenshot(page, "recommendation-check")
    page.get_by_role("link", name="Change the date of the meeting").click()
    _date(page, "meeting-date", "25", "6", "2024")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Check the recommendation before recording it – Rapid Review")  # back to the check after a change
    expect(page.locator("#check-recommendation")).to_contain_text("25 June 2024")
    page.get_by_role("button", name="Record the recommendation").click()

    expect(page.locator("#confirmation")).to_contain_text("Recommendation recorded")
    expect(page.locator("#confirmation")).to_contain_text("Hold a local child safeguarding practice review")
    assert_accessible(page)
    screenshot(page, "recommendation-recorded")
    state = run_async(case_state(web.stack, case_id))
    assert state.stage == D.CASE_STAGE_AWAITING_DECISION and len(state.recommendations) == 1
    rec = state.recommendations[0]
    assert (rec.recommendation, rec.meeting_date, rec.national_importance) == (D.REVIEW_DECISION_CSPR, "2024-06-25", False)
    assert rec.rationale.startswith("A local review on bruising protocols")
    assert {(c.criterion_id, c.conclusion) for c in rec.criteria} >= {("LOCAL.IMPROVEMENTS", D.CRITERION_CONCLUSION_YES),
                                                                      ("REGARD.INSTITUTIONAL", D.CRITERION_CONCLUSION_NO)}
    assert [(i.description, i.owner_agency_id) for i in rec.immediate_learning] == [
        ("Re-issue the bruising protocol to every GP practice.", "gp-practice")]
    assert rec.recorded_by == "demo-rag-member"


def test_the_executive_decides_beside_the_checklist_and_a_disagreement_needs_a_rationale(web: Web, page: Page, cases: dict[str, str]) -> None:
    """Nothing typed reaches the workspace's log."""
    case_id = cases["decide"]
    log_path = web.stack.web.log_path  # type: ignore[union-attr]
    before = log_path.stat().st_size
    sign_in(page, web.url, "demo-executive")
    page.goto(f"{web.url}/cases/{case_id}/checklist")
    page.get_by_role("button", name="Record the Executive's decision").click()
    expect(page).to_have_title("Record the Executive's decision – Rapid Review")
    expect(page.locator("#recommended")).to_have_text("Hold a local child safeguarding practice review")
    expect(page.locator('#checklist-column [data-rule="LOCAL.MULTI_AGENCY"]')).to_contain_text("Advisory group: Yes")
    checklist_box = page.locator("#checklist-column").bounding_box()
    recommendation_box = page.locator("#recommendation-column").bounding_box()
    assert checklist_box and recommendation_box
    assert recommendation_box["x"] > checklist_box["x"] + checklist_box["width"] - 1  # side by side on a wide screen
    assert_accessible(page)
    screenshot(page, "decision")
    page.set_viewport_size({"width": 400, "height": 900})
    checklist_box = page.locator("#checklist-column").bounding_box()
    recommendation_box = page.locator("#recommendation-column").bounding_box()
    assert checklist_box and recommendation_box and recommendation_box["y"] >= checklist_box["y"] + checklist_box["height"]  # stacked
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Disagree").check()
    page.get_by_label("No local child safeguarding practice review").check()
    page.locator("input[name=national-importance][value=no]").check()
    _date(page, "decided-on", "26", "6", "2024")
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["Enter why the Executive disagrees with the recommendation"]
    expect(page).to_have_title("Error: Record the Executive's decision – Rapid Review")
    expect(page.get_by_label("Disagree")).to_be_checked()
    assert not run_async(case_state(web.stack, case_id)).decisions  # nothing stored
    assert_accessible(page)
    screenshot(page, "decision-error")
    page.locator("#rationale").fill("The learning is already known and the partnership's bruising audit is under way.")
    page.get_by_label("The learning is already known and being acted on").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who decided")
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["Enter the name of the local authority representative", "Enter the name of the police representative",
                             "Enter the name of the health representative"]
    for key, name in (("local-authority", "Director of Children's Services (example)"), ("police", "Chief Superintendent (example)"),
                      ("health", "Chief Nurse (example)")):
        page.locator(f"#{key}-name").fill(name)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Telling people about the decision")
    page.locator("input[name=family-status][value=not-appropriate]").check()
    page.get_by_role("button", name="Continue").click()
    assert _errors(page) == ["Enter why telling the family is not appropriate"]
    page.locator("#family-note").fill("Criminal proceedings are under way; the police asked us to wait.")
    page.locator("input[name=panel-status][value=done]").check()
    _date(page, "panel-on", "27", "6", "2024")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Check the decision before recording it – Rapid Review")
    expect(page.locator("#check-decision")).to_contain_text("Disagrees")
    expect(page.locator("#check-communications")).to_contain_text("Told on 27 June 2024")
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()

    expect(page.locator("#confirmation")).to_contain_text("Decision recorded")
    expect(page.locator("#confirmation")).to_contain_text("No local child safeguarding practice review")
    assert_accessible(page)
    screenshot(page, "decision-recorded")
    state = run_async(case_state(web.stack, case_id))
    assert state.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION and len(state.decisions) == 1
    decision = state.decisions[0]
    assert (decision.view, decision.decision, decision.reason, decision.decided_on) == (
        D.EXECUTIVE_VIEW_DISAGREES, D.REVIEW_DECISION_NO_CSPR, D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED, "2024-06-26")
    assert decision.rationale.startswith("The learning is already known")
    assert [(c.recipient, c.status) for c in decision.communications] == [
        (D.DECISION_RECIPIENT_FAMILY, D.COMMUNICATION_STATUS_NOT_APPROPRIATE), (D.DECISION_RECIPIENT_PANEL, D.COMMUNICATION_STATUS_DONE)]
    assert decision.recorded_by == "demo-executive"
    with log_path.open("rb") as log:
        log.seek(before)
        written = log.read()
    assert b'"page served"' in written
    assert b"bruising audit" not in written and b"Chief Nurse (example)" not in written and b"police asked us to wait" not in written


def test_the_recommendation_can_be_recorded_without_javascript(web: Web, page_without_js: Page, cases: dict[str, str]) -> None:
    """Every form works without JavaScript (add another included). axe needs JavaScript: the same pages
    are checked with it in the test above."""
    page, case_id = page_without_js, cases["without_js"]
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{case_id}/checklist")
    page.get_by_role("button", name="Record the advisory group's recommendation").click()
    for slug in SLUGS:
        page.locator(f"input[name=conclusion-{slug}][value=may]").check()
        page.locator(f"#rationale-{slug}").fill(f"Undecided on {slug}.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No local child safeguarding practice review").check()
    page.locator("#rationale").fill("The learning is being acted on already.")
    page.locator("input[name=national-importance][value=yes]").check()
    _date(page, "meeting-date", "24", "6", "2024")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Add a learning item").click()
    page.locator("#learning-0-description").fill("Share call-outs with health visiting.")
    page.locator("#learning-0-owner").select_option("west-yorkshire-police")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#check-learning")).to_contain_text("Share call-outs with health visiting. (West Yorkshire Police)")
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.locator("#confirmation")).to_contain_text("No local child safeguarding practice review")
    rec = run_async(case_state(web.stack, case_id)).recommendations[0]
    assert (rec.recommendation, rec.national_importance, len(rec.criteria)) == (D.REVIEW_DECISION_NO_CSPR, True, 8)
    assert all(c.conclusion == D.CRITERION_CONCLUSION_MAY for c in rec.criteria)
    assert rec.immediate_learning[0].owner_agency_id == "west-yorkshire-police"


def test_a_step_the_case_does_not_allow_is_explained_before_any_form(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    response = page.goto(f"{web.url}/cases/{web.example_case}/decisions/recommendation")
    assert response is not None and response.status == 409
    expect(page.locator("#refusal")).to_have_text("A local review has been commissioned: the decision can no longer be reconsidered.")
    expect(page.locator("form[method=post] textarea")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "recommendation-refused")


def test_the_business_unit_may_open_neither_form(web: Web, page: Page, cases: dict[str, str]) -> None:
    sign_in(page, web.url, "demo-business-unit")
    for path in ("decisions/recommendation", "decisions/decision", "decisions/decision/decide"):
        response = page.goto(f"{web.url}/cases/{cases['decide']}/{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
