"""Documents: a case's criteria checklist summary (criteria RenderSummary, PDF, for every stored
evaluation) and its rapid review report to the Panel (decisions GetRapidReviewReport /
RenderRapidReviewReport, PDF and Word: business unit only, since it quotes the agencies' returns),
(the partnership's yearly figures are in figures.py).

Downloads are attachments named without personal data (the case's short id, never the child's
reference) with the service's media type; like every page, they are not cached (no-store).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2 as D, intake_pb2
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.navigation import CASE_SECTIONS
from rapidreview.workspace.pages import case_navigation, render, require_person
from rapidreview.workspace.routes.cases import case_id_of

DOCUMENT_READERS = next(s.roles for s in CASE_SECTIONS if s.key == "documents")  # criteria RenderSummary
REPORT_READERS = frozenset({Role.BUSINESS_UNIT})  # decisions RenderRapidReviewReport, GetRapidReviewReport
REPORT_TIMEOUT = 60.0
_FORMATS = {"pdf": D.REPORT_FORMAT_PDF, "docx": D.REPORT_FORMAT_DOCX}
_MEDIA = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_TRIGGERS = {
    criteria_pb2.EVALUATION_TRIGGER_INCIDENT_NOTIFIED: "Initial checklist (notification)",
    criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED: "Full checklist (information collated)",
    criteria_pb2.EVALUATION_TRIGGER_PANEL_RESPONSE: "The Panel's response",
    criteria_pb2.EVALUATION_TRIGGER_NEW_THEMES: "New learning themes from completed reviews",
    criteria_pb2.EVALUATION_TRIGGER_MANUAL: "Re-evaluated by the business unit",
    criteria_pb2.EVALUATION_TRIGGER_PANEL_NOTIFIED: "The Panel notification (the rapid review clock started)",
    criteria_pb2.EVALUATION_TRIGGER_DECISION_RECORDED: "The decision was recorded",
    criteria_pb2.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN: "The notification was withdrawn",
}


def short_id(case_id: str) -> str:
    return case_id.split("-")[0]


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """A download: the file name carries no personal data (callers build it from ids and dates)."""
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"})


def _uuid_param(request: Request, name: str) -> str:
    raw = request.query_params.get(name, "")
    if not raw:
        return ""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise errors.NotFoundError(f"no such {name}") from None


def _evaluation(e: Any) -> dict[str, Any]:
    edition = common_pb2.Edition.Name(e.edition).removeprefix("EDITION_").lower() if e.edition else ""
    return {"id": e.evaluation_id, "trigger": _TRIGGERS.get(e.trigger, "Evaluation"),
            "edition": f"{edition}@{e.edition_version}" if edition else e.edition_version,
            "when": words.when(e.evaluated_at), "collation": e.collation_version}


def _report(r: D.RapidReviewReport) -> dict[str, Any]:
    return {"id": r.report_id, "sent": presenters.long_date(r.sent_date), "round": r.round,
            "digests": [(D.ReportFormat.Name(d.format).removeprefix("REPORT_FORMAT_"), d.sha256, d.size_bytes) for d in r.digests],
            "caveats": list(r.caveats), "rendered_by": r.rendered_by, "rendered_at": words.when(r.rendered_at)}


async def case_documents(request: Request) -> Response:
    person = require_person(request, DOCUMENT_READERS)
    case_id = case_id_of(request)
    client = request.app.state.services.for_person(person)
    # intake answers first: another partnership's case or an unknown id ends here (403/404).
    incident = await client.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))
    may_report = person.role in REPORT_READERS

    async def evaluations() -> list[Any]:
        try:
            return list((await client.criteria.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=case_id))).evaluations)
        except errors.NotFoundError:
            return []  # not evaluated yet

    async def decision_state() -> Any:
        return (await client.decisions.GetCase(D.GetCaseRequest(case_id=case_id))).case if may_report else None

    listed, state = await asyncio.gather(evaluations(), decision_state())
    sent = words.current(state.panel_submissions) if state is not None else None
    context = {
        "title": "Documents",
        "case_id": case_id,
        "reference": incident.incident.notification.child.child_ref,
        "case_nav": case_navigation(request, person, case_id, "documents"),
        "evaluations": [_evaluation(e) for e in listed],
        "may_report": may_report,
        "sent_report": _report(sent.report) if sent is not None and sent.report.report_id else None,
        "decided": bool(state is not None and state.decisions),
        "summary_href": f"/cases/{case_id}/documents/summary.pdf",
        "report_href": f"/cases/{case_id}/documents/report",
    }
    return render(request, "documents/index.html", context)


async def summary_pdf(request: Request) -> Response:
    person = require_person(request, DOCUMENT_READERS)
    case_id = case_id_of(request)
    evaluation_id = _uuid_param(request, "evaluation")
    client = request.app.state.services.for_person(person)
    rendered = await client.criteria.RenderSummary(criteria_pb2.RenderSummaryRequest(
        case_id=case_id, evaluation_id=evaluation_id, format=criteria_pb2.SUMMARY_FORMAT_PDF), timeout=REPORT_TIMEOUT)
    name = f"criteria-summary-{short_id(case_id)}-{short_id(rendered.evaluation_id)}.pdf"
    return attachment(rendered.content, rendered.media_type or "application/pdf", name)


async def report_download(request: Request) -> Response:
    """GET: a stored report (by id, else the one sent with the latest submission, else the latest).
    POST: a new rendering of the report for the current decision, stored, and downloaded."""
    person = require_person(request, REPORT_READERS)
    case_id = case_id_of(request)
    fmt = request.path_params["format"]
    if fmt not in _FORMATS:
        raise errors.NotFoundError("no such format")
    client = request.app.state.services.for_person(person)
    if request.method == "POST":
        found = await client.decisions.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(
            case_id=case_id, formats=[_FORMATS[fmt]]), timeout=REPORT_TIMEOUT)
    else:
        found = await client.decisions.GetRapidReviewReport(D.GetRapidReviewReportRequest(
            case_id=case_id, report_id=_uuid_param(request, "report"), formats=[_FORMATS[fmt]]), timeout=REPORT_TIMEOUT)
    document = next((d for d in found.documents if d.format == _FORMATS[fmt]), None)
    if document is None:
        raise errors.NotFoundError("that format was not stored")
    sent = found.report.sent_date or request.app.state.today().isoformat()
    name = f"rapid-review-report-{short_id(case_id)}-{sent}.{fmt}"
    return attachment(document.content, document.media_type or _MEDIA[fmt], name)


ROUTES = [
    Route("/cases/{case_id}/documents", case_documents, name="case_documents"),
    Route("/cases/{case_id}/documents/summary.pdf", summary_pdf, name="documents_summary_pdf"),
    Route("/cases/{case_id}/documents/report.{format}", report_download, methods=["GET", "POST"], name="documents_report"),
]
