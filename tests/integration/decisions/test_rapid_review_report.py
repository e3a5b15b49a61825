"""The rapid review report to the Panel for Child K (fictional), rendered by the
decisions service from what intake, gathering, criteria and decisions hold:
every section's content in both the PDF and the DOCX, the report stored and
read back byte for byte, and its digests recorded in the audit trail when it
is recorded as sent."""

from __future__ import annotations

import hashlib
import io
import json
import re

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions import childk
from tests.integration.decisions.report_flow import SENT, child_k_decided

pytestmark = pytest.mark.integration


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return _words(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def docx_text(content: bytes) -> str:
    from docx import Document

    from docx.table import Table

    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.sections[0].header.paragraphs]
    for item in doc.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(item, Table):
            parts += [cell.text for row in item.rows for cell in row.cells]
        else:
            parts.append(item.text)
    return _words(" ".join(parts))


#: What each section must say for Child K, in both formats.
EXPECTED = {
    "1. The case in brief": [
        "Child K", "under 1 year", "The child was seriously harmed", "physical health", "suspected", "family home", "3 June 2024",
        "Skull fracture and rib fractures of different ages found at hospital",
        "Serious child safeguarding case (DEF.SERIOUS_CASE): met",
    ],
    "2. How the partnership became aware and notified the Panel": [
        "4 June 2024", "7 June 2024 (reference PANEL-2024-0607-K)", "11 June 2024", "on time (2 working days to spare)",
        "Notifications recorded as sent", "NOTIFY.PARTNERS the safeguarding partners 5 June 2024",
    ],
    "3. Agencies involved and what each found": [
        "7 agencies were asked for information; 7 returned it (1 late)", "6 had involvement with the child or family",
        "GP practice", "(late)", "Housing association", "no involvement",
        "Two domestic abuse call-outs to the family home",
        "Key practice episode: April call-out not shared with health visiting",
        "Concern (information sharing, about Health visiting (community trust)): The April call-out was not shared with health visiting.",
        "Concern (single agency practice, about GP practice): A bruise in a non-mobile baby was not referred.",
    ],
    "4. Immediate safeguarding actions": [
        "Sibling (aged 4) placed with grandparents under a safety plan.", "a sibling",
        "Re-issue the bruising in non-mobile babies protocol to every GP practice and confirm receipt. (owner: GP practice)",
        "Share domestic abuse call-outs to households with a baby with health visiting within one working day. "
        "(owner: West Yorkshire Police)",
    ],
    "5. Learning identified so far": [
        "bruising in non-mobile babies", "yes (LSCP-2021-03, LSCP-2022-01)", "partly",
        "The father was not seen or assessed during the child in need",
        "CSPRP-2022-BRUISING: Bruising in non-mobile infants (Child Safeguarding Practice Review Panel, 2022; national themes list 2026.1)",
        "Good practice", "Swift strategy discussion the day after the admission",
    ],
    "6. Criteria considered and the evidence": [
        "LOCAL.RECURRENT_THEMES: Recurrent themes", "Bruising in non-mobile babies recurs from the 2021 and 2022 reviews.",
        "REGARD.SINGLE_AGENCY: Concern about the actions of a single agency", "indicated", "LSCP-2021-03",
        "Meeting the criteria does not mean a review must be held",
    ],
    "7. The decision on a local child safeguarding practice review": [
        "Hold a local child safeguarding practice review (meeting of 24 June 2024)",
        "Hold a local child safeguarding practice review (26 June 2024)", "agrees",
        "The rapid review found learning for several agencies",
        "The Executive agrees with the Review Advisory Group",
        "Director of Children and Families", "The family: to be told",
    ],
    "8. Timeliness of the statutory clocks": [
        # Every clock of the case, each with the time its rule file (WT2023) allows.
        "NOTIFY.DEADLINE: Notify the Panel within 5 working days of becoming aware",
        "NOTIFY.PARTNERS: The local authority also reports the incident to the safeguarding partners (5 working days)",
        "awareness, 4 June 2024", "5 June 2024", "on time (4 working days to spare)",
        "RR.DEADLINE: The rapid review is completed and its decision sent to the Panel within 15 working days",
        "Panel notification, 7 June 2024", "28 June 2024", "27 June 2024",
        "on time (1 working day to spare)",
        # Decisions' own clock: the CSPR decision of 26 June is to reach the Panel, Ofsted and DfE by 3 July.
        "POST.INFORM: A decision to hold a local CSPR is sent to the Panel, Ofsted and DfE (5 working days)",
        "decision, 26 June 2024", "3 July 2024",
        "The decision was made on 26 June 2024, 13 working days after the rapid review clock started",
    ],
}


def _sections(text: str) -> dict[str, str]:
    """The text of each numbered section, by its heading."""
    headings = list(EXPECTED)
    out = {}
    for i, heading in enumerate(headings):
        start = text.index(heading)
        end = text.index(headings[i + 1]) if i + 1 < len(headings) else len(text)
        out[heading] = text[start:end]
    return out


async def test_child_k_report_says_what_each_section_must_in_pdf_and_docx_and_is_recorded_as_sent(fresh_database, nats_server, creds):
    async with child_k_decided(fresh_database, nats_server.url, creds) as flow:
        bu = flow.md(Role.BUSINESS_UNIT)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await flow.stub.GetRapidReviewReport(D.GetRapidReviewReportRequest(case_id=flow.case_id), metadata=bu)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        # A report stating another sent date is not the one sent on 27 June: refused, nothing recorded.
        earlier = (await flow.stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(
            case_id=flow.case_id, sent_date="2024-06-26", formats=[D.REPORT_FORMAT_DOCX]), metadata=bu)).report
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await flow.stub.RecordPanelSubmission(childk.example(
                "panel-submission", D.RecordPanelSubmissionRequest, case_id=flow.case_id, decision_id=flow.decision.decision_id,
                report_id=earlier.report_id), metadata=bu)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert [(f, "2024-06-26" in d) for f, d in field_violations(caught.value)] == [("report_id", True)]
        state = (await flow.stub.GetCase(D.GetCaseRequest(case_id=flow.case_id), metadata=bu)).case
        assert not state.panel_submissions
        response = await flow.stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(case_id=flow.case_id, sent_date=SENT),
                                                           metadata=bu)
        report = response.report
        assert report.decision_id == flow.decision.decision_id and report.sent_date == SENT
        assert report.evaluation_id == flow.evaluation_id and report.collation_version >= 1 and not report.caveats
        documents = {d.format: d for d in response.documents}
        assert set(documents) == {D.REPORT_FORMAT_PDF, D.REPORT_FORMAT_DOCX}
        assert documents[D.REPORT_FORMAT_PDF].content.startswith(b"%PDF")
        assert {g.format: g.sha256 for g in report.digests} == {
            f: hashlib.sha256(d.content).hexdigest() for f, d in documents.items()}

        for fmt, text in ((D.REPORT_FORMAT_PDF, pdf_text(documents[D.REPORT_FORMAT_PDF].content)),
                          (D.REPORT_FORMAT_DOCX, docx_text(documents[D.REPORT_FORMAT_DOCX].content))):
            assert "OFFICIAL-SENSITIVE" in text and "Rapid review to the Child Safeguarding Practice Review Panel" in text
            sections = _sections(text)
            for heading, phrases in EXPECTED.items():
                for phrase in phrases:
                    assert _words(phrase) in sections[heading], f"{D.ReportFormat.Name(fmt)} section {heading!r} lacks {phrase!r}"
            # Pseudonymous: no name from the returns' narrative beyond roles; the child only as "Child K".
            assert "Executive disagreed" not in text

        # Recorded as sent: the submission carries the report's digests into the audit trail.
        submission = childk.example("panel-submission", D.RecordPanelSubmissionRequest, case_id=flow.case_id,
                                    decision_id=flow.decision.decision_id, report_id=report.report_id)
        sub = (await flow.stub.RecordPanelSubmission(submission, metadata=bu)).submission
        assert sub.report.report_id == report.report_id and list(sub.report.digests) == list(report.digests)
        trail = (await flow.stub.GetAuditTrail(D.GetAuditTrailRequest(case_id=flow.case_id, page_size=500),
                                               metadata=flow.md(Role.AUDITOR))).entries
        entry = next(e for e in trail if e.action == "panel_submission.recorded")
        recorded = json.loads(entry.after_json)["report"]
        assert {d["sha256"] for d in recorded["digests"]} == {g.sha256 for g in report.digests}
        verified = await flow.stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=flow.case_id), metadata=flow.md(Role.AUDITOR))
        assert verified.intact

        # The report sent is the one read back, byte for byte.
        stored = await flow.stub.GetRapidReviewReport(D.GetRapidReviewReportRequest(case_id=flow.case_id), metadata=bu)
        assert stored.report.report_id == report.report_id
        assert {d.format: d.content for d in stored.documents} == {f: d.content for f, d in documents.items()}

        # Another partnership, a role that may not read the returns, and a report of another date are refused.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await flow.stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(case_id=flow.case_id),
                                                    metadata=flow.md(Role.BUSINESS_UNIT, partnership="bradford"))
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await flow.stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(case_id=flow.case_id),
                                                    metadata=flow.md(Role.EXECUTIVE))
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_report_reads_the_case_as_one_moment(fresh_database, postgres_server, nats_server, creds, monkeypatch):
    """The report reads the decision, its history and decisions' clocks in several statements:
    a change committed after the first of them (here decisions' POST.INFORM clock completed) is
    not in the report, which presents the case as it stood when it began to read it."""
    from rapidreview.decisions import storage

    database = fresh_database.rsplit("/", 1)[-1]
    async with child_k_decided(fresh_database, nats_server.url, creds) as flow:
        bu = flow.md(Role.BUSINESS_UNIT)
        render = D.RenderRapidReviewReportRequest(case_id=flow.case_id, sent_date=SENT, formats=[D.REPORT_FORMAT_DOCX])
        before = (await flow.stub.RenderRapidReviewReport(render, metadata=bu)).report
        read_clocks = storage.DecisionRepository.clocks_of
        changed: list[bool] = []

        async def clocks_after_a_change(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not changed:  # the decision and its history are read; another transaction commits
                changed.append(True)
                postgres_server.psql(f"UPDATE decisions.clocks SET completed_on = '{SENT}' "
                                     f"WHERE case_id = '{flow.case_id}' AND clock_id = 'POST.INFORM'", database=database)
            return await read_clocks(self, *args, **kwargs)

        monkeypatch.setattr(storage.DecisionRepository, "clocks_of", clocks_after_a_change)
        during = (await flow.stub.RenderRapidReviewReport(render, metadata=bu)).report
        monkeypatch.undo()
        assert changed
        assert during.model_sha256 == before.model_sha256
        after = (await flow.stub.RenderRapidReviewReport(render, metadata=bu)).report
        assert after.model_sha256 != before.model_sha256  # the change is in the next report
