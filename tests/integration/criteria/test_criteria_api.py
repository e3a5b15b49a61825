"""The criteria API: what-if evaluations, checklists, summaries, explanations,
re-evaluation, earlier reviews, replay, and who may call what."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format
from sqlalchemy import text

from rapidreview.criteria import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import facts_pb2
from tests.integration.criteria.conftest import evaluations_of, notify
from tests.support.harness import Caller, eventually
from tests.unit.criteria import child_k

pytestmark = pytest.mark.integration

EXAMPLE_FACTS = Path(__file__).resolve().parents[3] / "docs" / "examples" / "case-facts.json"


def example_facts() -> facts_pb2.CaseFacts:
    return json_format.Parse(EXAMPLE_FACTS.read_text(encoding="utf-8"), facts_pb2.CaseFacts())


def outcome(checklist: S.Checklist, rule_id: str) -> C.RuleOutcome:
    return next(c for c in checklist.criteria if c.rule_id == rule_id)


async def full_case(stub, bu, events, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """Child K notified (Panel notified 2024-06-07), earlier reviews imported, information collated."""
    await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=child_k.EARLIER_REVIEWS), metadata=bu.metadata())
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)


async def test_what_if_evaluation_of_the_documented_example_stores_nothing(stub, bu, db):
    response = await stub.EvaluateCase(S.EvaluateCaseRequest(facts=example_facts()), metadata=bu.metadata())
    checklist = response.checklist
    assert checklist.evaluation_id == "" and checklist.edition == C.EDITION_WT2023
    assert outcome(checklist, "LOCAL.RECURRENT_THEMES").outcome == C.OUTCOME_INDICATED
    assert checklist.not_automatic_statement
    assert await db.count(storage.evaluations) == 0
    assert await db.count(storage.cases) == 0


async def test_invalid_facts_are_invalid_argument_with_field_violations(stub, bu):
    facts = example_facts()
    facts.la_aware_date = "04/06/2024"
    facts.agencies[0].concerns[0].type = "gossip"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.EvaluateCase(S.EvaluateCaseRequest(facts=facts), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [field for field, _ in field_violations(caught.value)]
    assert "facts.la_aware_date" in fields and "facts.agencies[0].concerns[0].type" in fields


async def test_awareness_date_no_edition_covers_is_failed_precondition_naming_the_editions(stub, bu):
    facts = example_facts()
    facts.la_aware_date, facts.incident_date, facts.panel_notification_sent_date = "2017-05-02", "2017-05-01", ""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.EvaluateCase(S.EvaluateCaseRequest(facts=facts), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "wt2018" in caught.value.details() and "wt2023" in caught.value.details()


async def test_forcing_an_edition_that_does_not_cover_the_date_is_failed_precondition(stub, bu):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.EvaluateCase(S.EvaluateCaseRequest(facts=example_facts(), edition="wt2018"), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "wt2023" in caught.value.details()


async def test_pdf_summary_is_returned_and_announced_by_summary_ready(stub, bu, creds, events, case_id):
    await full_case(stub, bu, events, case_id)
    executive = Caller(creds, Role.EXECUTIVE)
    response = await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id, format=S.SUMMARY_FORMAT_PDF),
                                        metadata=executive.metadata())
    assert response.content.startswith(b"%PDF") and response.media_type == "application/pdf"

    async def announced():  # type: ignore[no-untyped-def]
        for envelope in await events.published("summary.ready"):
            ready = S.SummaryReady()
            envelope.payload.Unpack(ready)
            if ready.case_id == case_id:
                return ready
        return None

    ready = await eventually(announced, what="summary.ready")
    assert ready.evaluation_id == response.evaluation_id and ready.format == S.SUMMARY_FORMAT_PDF
    assert ready.sha256 == hashlib.sha256(response.content).hexdigest()


async def test_markdown_summary_shows_the_case_reference_clocks_evidence_and_the_statement(stub, bu, events, case_id):
    await full_case(stub, bu, events, case_id)
    text = (await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id, format=S.SUMMARY_FORMAT_MARKDOWN),
                                     metadata=bu.metadata())).content.decode()
    assert "Child K" in text and "2024-06-28" in text
    assert "meeting the criteria does not mean a review is automatic" in text and "NOT.AUTOMATIC" in text
    assert "LSCP-2021-03" in text and "return:gp-practice:v1#concern-1" in text


async def test_summary_without_a_format_is_invalid_argument(stub, bu, events, case_id):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in field_violations(caught.value)] == ["format"]


async def test_every_stored_evaluation_replays_to_the_same_result(stub, bu, creds, events, case_id):
    await full_case(stub, bu, events, case_id)
    await stub.ReevaluateCase(S.ReevaluateCaseRequest(case_id=case_id, reason="family moved", family_moved_between_areas=True),
                              metadata=bu.metadata())
    stored = await evaluations_of(stub, bu, case_id, 3)
    auditor = Caller(creds, Role.AUDITOR)
    for evaluation in stored:
        replay = await stub.ReplayEvaluation(S.ReplayEvaluationRequest(case_id=case_id, evaluation_id=evaluation.evaluation_id),
                                             metadata=auditor.metadata())
        assert replay.identical, replay.differences
        original = (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation.evaluation_id),
                                            metadata=bu.metadata())).checklist
        assert replay.replayed == original


async def test_explain_names_the_rule_its_condition_and_the_facts_it_read(stub, bu, events, case_id):
    await full_case(stub, bu, events, case_id)
    response = await stub.ExplainCriterion(S.ExplainCriterionRequest(case_id=case_id, rule_id="LOCAL.RECURRENT_THEMES"),
                                           metadata=bu.metadata())
    assert response.outcome.outcome == C.OUTCOME_INDICATED and response.edition_version == "wt2023@2023.1"
    assert "recurrent_theme_count" in response.condition
    # Bruising in non-mobile babies (earlier reviews and the national list), and information sharing, domestic
    # abuse and professional curiosity from the national themes list.
    assert "recurrent_theme_count: 4" in response.facts_read
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ExplainCriterion(S.ExplainCriterionRequest(case_id=case_id, rule_id="LOCAL.NOTHING"), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_reevaluation_keeps_the_pinned_version_records_judgements_and_the_reason(stub, bu, events, case_id):
    await notify(events, case_id, panel_sent="2024-06-07")
    await evaluations_of(stub, bu, case_id, 1)
    checklist = (await stub.ReevaluateCase(S.ReevaluateCaseRequest(
        case_id=case_id, reason="The family lived in Bradford until May.", family_moved_between_areas=True),
        metadata=bu.metadata())).checklist
    assert checklist.trigger == S.EVALUATION_TRIGGER_MANUAL and checklist.edition_version == "2023.1"
    assert checklist.reason == "The family lived in Bradford until May."
    assert outcome(checklist, "REGARD.CROSS_BOUNDARY").outcome == C.OUTCOME_INDICATED
    published = await eventually(lambda: _evaluated_with(events, case_id, checklist.evaluation_id), what="criteria.evaluated")
    assert published.reason == ""  # free text stays out of events


async def _evaluated_with(events, case_id: str, evaluation_id: str):  # type: ignore[no-untyped-def]
    return next((c for c in await events.evaluated(case_id) if c.evaluation_id == evaluation_id), None)


@pytest.mark.parametrize(("request_fields", "status", "field"), [
    ({"reason": ""}, grpc.StatusCode.INVALID_ARGUMENT, "reason"),
    ({"reason": "why", "edition_version": "WT 2023"}, grpc.StatusCode.INVALID_ARGUMENT, "edition_version"),
    ({"reason": "why", "edition_version": "wt2018"}, grpc.StatusCode.FAILED_PRECONDITION, None),
    ({"reason": "why", "edition_version": "wt2023@1999.9"}, grpc.StatusCode.FAILED_PRECONDITION, None),
])
async def test_bad_reevaluation_is_refused_and_stores_nothing(stub, bu, events, case_id, request_fields, status, field):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ReevaluateCase(S.ReevaluateCaseRequest(case_id=case_id, **request_fields), metadata=bu.metadata())
    assert caught.value.code() == status
    if field:
        assert field in [f for f, _ in field_violations(caught.value)]
    await evaluations_of(stub, bu, case_id, 1)


async def test_imported_earlier_reviews_reevaluate_open_cases_and_are_named_by_recurrent_themes(stub, bu, events, case_id):
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    response = await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=child_k.EARLIER_REVIEWS), metadata=bu.metadata())
    assert response.imported == 3 and list(response.reevaluated_case_ids) == [case_id]
    stored = await evaluations_of(stub, bu, case_id, 3)
    assert stored[0].trigger == S.EVALUATION_TRIGGER_NEW_THEMES
    checklist = (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id), metadata=bu.metadata())).checklist
    recurrent = outcome(checklist, "LOCAL.RECURRENT_THEMES")
    assert recurrent.outcome == C.OUTCOME_INDICATED
    assert [e for e in recurrent.evidence if e.startswith("LSCP-")] == ["LSCP-2021-03", "LSCP-2022-01"]


async def test_a_case_notified_while_earlier_reviews_are_imported_is_reevaluated_with_them(stub, bu, events, case_id, criteria,
                                                                                           monkeypatch):
    """The new case has read its partnership's reviews (none yet) and is not committed when the
    import reads the open cases: the import waits for it and re-evaluates it. Before, the import
    did not see it and the case kept a checklist without the imported reviews."""
    inserted, release = asyncio.Event(), asyncio.Event()
    insert_case = storage.CriteriaRepository.insert_case_reading_reviews

    async def insert_then_wait(self, case):  # type: ignore[no-untyped-def]
        reviews = await insert_case(self, case)
        if case.case_id == case_id:
            inserted.set()
            await release.wait()
        return reviews

    monkeypatch.setattr(storage.CriteriaRepository, "insert_case_reading_reviews", insert_then_wait)
    await notify(events, case_id)
    await asyncio.wait_for(inserted.wait(), 30)
    async def import_reviews() -> S.ImportEarlierReviewsResponse:
        return await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=child_k.EARLIER_REVIEWS), metadata=bu.metadata())

    importing = asyncio.create_task(import_reviews())

    async def import_done_or_waiting_for_the_case() -> bool:
        if importing.done():
            return True
        async with criteria.infra.db.transaction() as s:
            return bool((await s.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"))).scalar_one())

    await eventually(import_done_or_waiting_for_the_case, what="the import to finish or to wait for the case")
    release.set()
    response = await importing
    assert response.imported == 3 and list(response.reevaluated_case_ids) == [case_id]
    stored = await evaluations_of(stub, bu, case_id, 2)
    assert stored[0].trigger == S.EVALUATION_TRIGGER_NEW_THEMES


async def test_bad_earlier_reviews_are_invalid_argument_naming_the_field(stub, bu):
    reviews = [facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=1850, themes=["neglect"]),
               facts_pb2.EarlierReview(review_id="LSCP-2022-01", year=2022, themes=[])]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=reviews), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in field_violations(caught.value)} == {"reviews[0].year", "reviews[1].themes"}


async def test_rule_editions_are_listed_with_their_rules(stub, bu):
    editions = (await stub.ListRuleEditions(S.ListRuleEditionsRequest(), metadata=bu.metadata())).editions
    by_name = {e.name: e for e in editions}
    assert by_name["wt2018"].effective_to == "2023-12-14" and by_name["wt2023"].effective_from == "2023-12-15"
    assert "NOTIFY.CARE_LEAVER_DEATH" in by_name["wt2023"].rule_ids
    assert "NOTIFY.CARE_LEAVER_DEATH" not in by_name["wt2018"].rule_ids


async def test_checklists_are_for_the_partnership_and_roles_in_the_access_table(stub, bu, events, creds, case_id):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    for role in (Role.RAG_MEMBER, Role.EXECUTIVE):
        checklist = (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id),
                                             metadata=Caller(creds, role).metadata())).checklist
        assert checklist.case_id == case_id
    for caller in (Caller(creds, Role.BUSINESS_UNIT, partnership="bradford"), Caller(creds, Role.AGENCY, agency="gp-practice"),
                   Caller(creds, Role.NOTIFYING_LA)):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id), metadata=caller.metadata())
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=child_k.EARLIER_REVIEWS),
                                        metadata=Caller(creds, Role.RAG_MEMBER).metadata())
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_unknown_case_is_not_found_and_a_malformed_id_invalid_argument(stub, bu):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetChecklist(S.GetChecklistRequest(case_id="6f1d3c2a-0000-4000-8000-000000000000"), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetChecklist(S.GetChecklistRequest(case_id="child-k"), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_pdf_without_the_renderer_installed_is_failed_precondition(stub, bu, events, case_id, monkeypatch):
    from rapidreview.criteria import handlers

    def missing(*_args):  # type: ignore[no-untyped-def]
        raise ImportError("no module named weasyprint")

    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    monkeypatch.setattr(handlers, "render", missing)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id, format=S.SUMMARY_FORMAT_PDF), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "Markdown" in caught.value.details()
