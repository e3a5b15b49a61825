"""Audit, for auditors: a case's audit trail as a timeline (decisions GetAuditTrail: who — the
person's subject —, what, when, the record before and after) with the result of verifying its
hash chain (VerifyAuditTrail) shown as a tag and in words; and the access log of the four
services (AccessLogService on each), merged, filtered by subject, case and period, paginated.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

from google.protobuf import timestamp_pb2
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.v1 import access_log_pb2, decisions_pb2 as D, intake_pb2
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.access_log_pages import BadCursor, Cursor, merged_page
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.navigation import CASE_SECTIONS
from rapidreview.workspace.pages import case_navigation, render, require_person
from rapidreview.workspace.routes.cases import case_id_of

AUDIT_READERS = next(s.roles for s in CASE_SECTIONS if s.key == "audit")  # decisions GetAuditTrail, VerifyAuditTrail
ACCESS_LOG_READERS = AUDIT_READERS  # AccessLogService/ListAccessLog: auditors
TRAIL_PAGE = 100
LOG_PAGE = 50
MAX_TOKEN = 200
MAX_SUBJECT = 200


def _page_token(request: Request) -> str:
    token = request.query_params.get("page", "")
    if len(token) > MAX_TOKEN or not token.isprintable():
        raise errors.NotFoundError("no such page")
    return token


def action_words(action: str) -> str:
    """"recommendation.recorded" → "Recommendation recorded"."""
    text = action.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "Change"


def actor_words(actor: str, role: str) -> str:
    if actor.startswith("event:"):
        return f"the {actor.removeprefix('event:')} service (an event)"
    return f"{actor} ({role.replace('_', ' ')})" if role else actor


def _pretty(raw: str) -> str:
    if not raw:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


async def case_audit(request: Request) -> Response:
    person = require_person(request, AUDIT_READERS)
    case_id = case_id_of(request)
    token = _page_token(request)
    client = request.app.state.services.for_person(person)
    incident = await client.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))
    try:
        verified, trail = await asyncio.gather(
            client.decisions.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), timeout=60),
            client.decisions.GetAuditTrail(D.GetAuditTrailRequest(case_id=case_id, page_size=TRAIL_PAGE, page_token=token)))
    except errors.InvalidInput:
        raise errors.NotFoundError("no such page") from None  # a page token from nowhere
    problems: dict[int, list[str]] = {}
    for finding in verified.findings:
        problems.setdefault(finding.sequence, []).append(words.AUDIT_PROBLEMS.get(finding.problem, "Problem"))
    entries = [{
        "sequence": e.sequence, "title": action_words(e.action), "by": actor_words(e.actor, e.actor_role),
        "when": words.when(e.recorded_at), "iso": words.iso_when(e.recorded_at), "entity": e.entity,
        "entity_id": e.entity_id, "before": _pretty(e.before_json), "after": _pretty(e.after_json),
        "hash": e.hash, "previous": e.previous_hash, "caused_by": e.causation_id, "problems": problems.get(e.sequence, []),
    } for e in trail.entries]
    context = {
        "title": "Audit",
        "case_id": case_id,
        "reference": incident.incident.notification.child.child_ref,
        "case_nav": case_navigation(request, person, case_id, "audit"),
        "intact": verified.intact,
        "entries_checked": verified.entries_checked,
        "findings": [{"sequence": f.sequence, "problem": words.AUDIT_PROBLEMS.get(f.problem, "Problem"),
                      "description": f.description} for f in verified.findings],
        "entries": entries,
        "next_page": f"/cases/{case_id}/audit?page={trail.next_page_token}" if trail.next_page_token else "",
        "first_page": f"/cases/{case_id}/audit" if token else "",
    }
    return render(request, "audit/case.html", context)


def _stamp(day: dt.date) -> timestamp_pb2.Timestamp:
    """Midnight at the start of `day` in UK time, as a Timestamp."""
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(dt.datetime.combine(day, dt.time(), tzinfo=words.UK).astimezone(dt.UTC))
    return out


def read_filters(params: Any, today: dt.date) -> tuple[dict[str, Any], dict[str, Any], FormErrors]:
    """The filters (subject, case, from, to) from the query, the values to show back, and the errors."""
    form_errors = FormErrors()
    subject = params.get("subject", "").strip()
    case = params.get("case", "").strip()
    dates = {"from": DateValue.from_form(params, "from"), "to": DateValue.from_form(params, "to")}
    filters: dict[str, Any] = {"subject": subject, "case": "", "from": None, "to": None}
    if len(subject) > MAX_SUBJECT or not subject.isprintable():
        form_errors.add("subject", f"Subject must be {MAX_SUBJECT} printable characters or fewer")
    if case:
        try:
            filters["case"] = str(uuid.UUID(case))
        except ValueError:
            form_errors.add("case", "Case must be a case id, like 72b65735-b8eb-4f67-8b0c-16cf0d09256b")
    filters["from"], error = dates["from"].parse("Start date", field_id="from", today=today, required=False)
    if error:
        form_errors.add(*error)
    filters["to"], error = dates["to"].parse("End date", field_id="to", today=today, required=False, not_future=False)
    if error:
        form_errors.add(*error)
    if filters["from"] and filters["to"] and filters["to"] < filters["from"]:
        form_errors.add("to-day", "End date must be the same as or after the start date")
        dates["to"].error_parts = ["day", "month", "year"]
    return filters, {"subject": subject, "case": case, "dates": dates}, form_errors


_CODE_TAGS = {"OK": "govuk-tag--green", "PERMISSION_DENIED": "govuk-tag--red", "UNAUTHENTICATED": "govuk-tag--red",
              "NOT_FOUND": "govuk-tag--grey", "INVALID_ARGUMENT": "govuk-tag--yellow", "FAILED_PRECONDITION": "govuk-tag--yellow"}


def _entry(service: str, e: access_log_pb2.AccessLogEntry) -> dict[str, Any]:
    method = e.method.rsplit(".", 1)[-1].replace("/", ": ")  # "/rapidreview.v1.IntakeService/GetIncident" → "IntakeService: GetIncident"
    return {"service": service, "when": words.when(e.at), "iso": words.iso_when(e.at), "subject": e.subject,
            "role": e.role.replace("_", " "), "agency": e.agency, "method": method, "case_id": e.case_id,
            "case_short": e.case_id.split("-")[0], "code": e.code,
            "tag": presenters.tag(e.code.replace("_", " ").capitalize() if e.code != "OK" else "OK", _CODE_TAGS.get(e.code, "govuk-tag--grey")),
            "request_id": e.request_id}


async def access_log(request: Request) -> Response:
    person = require_person(request, ACCESS_LOG_READERS)
    today = request.app.state.today()
    filters, shown, form_errors = read_filters(request.query_params, today)
    context: dict[str, Any] = {"title": "Access log", "shown": shown, "errors": form_errors or None, "rows": [],
                               "filtered": any(request.query_params.get(k) for k in ("subject", "case", "from-day", "to-day"))}
    if form_errors:
        return render(request, "audit/access_log.html", context, status=400)
    page = request.query_params.get("page", "")
    try:
        cursor = Cursor.decode(page) if page else Cursor(dt.datetime.now(dt.UTC))
    except BadCursor:
        raise errors.NotFoundError("no such page") from None
    until = cursor.as_of
    if filters["to"]:
        until = min(until, _stamp(filters["to"] + dt.timedelta(days=1)).ToDatetime(tzinfo=dt.UTC))
    client = request.app.state.services.for_person(person)

    async def fetch(service: str, token: str, size: int) -> tuple[list[Any], str]:
        request_ = access_log_pb2.ListAccessLogRequest(case_id=filters["case"], subject=filters["subject"], page_size=size,
                                                       page_token=token)
        request_.until.FromDatetime(until)
        if filters["from"]:
            request_.since.CopyFrom(_stamp(filters["from"]))
            if request_.since.ToDatetime(tzinfo=dt.UTC) >= until:
                return [], ""
        try:
            found = await client.access_log(service).ListAccessLog(request_)
        except errors.InvalidInput:
            raise errors.NotFoundError("no such page") from None  # a token from another listing
        return list(found.entries), found.next_page_token

    shown_entries, next_cursor = await merged_page(fetch, cursor, LOG_PAGE)
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page" and v])
    context.update({
        "rows": [_entry(service, e) for service, e in shown_entries],
        "next_page": f"/access-log?{urlencode([*parse_qsl(query), ('page', next_cursor.encode())])}" if next_cursor else "",
        "first_page": f"/access-log{'?' + query if query else ''}" if page else "",
    })
    return render(request, "audit/access_log.html", context)


ROUTES = [
    Route("/cases/{case_id}/audit", case_audit, name="case_audit"),
    Route("/access-log", access_log, name="access_log"),
]
