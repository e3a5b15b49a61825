"""Decisions and review: a case's decision process as the decisions service records it (GetCase),
with intake's clocks and reference (GetIncident), both as the signed-in person, and the business
unit's commands on it (case_commands: Panel submission and response, commissioning, milestones,
progress checks, extensions, identifying details, publication, actions, re-evaluation).

Every case reader may see the page (GetCase's roles); the commands offered are those the
person's role may call and the case's stage allows.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Principal
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.case_commands import ALL, BY_KEY
from rapidreview.workspace.case_commands.publication import publication_readiness
from rapidreview.workspace.commands import CaseContext, command_routes, load_context
from rapidreview.workspace.navigation import CASE_READERS
from rapidreview.workspace.pages import case_navigation, render, require_person, route_exists
from rapidreview.workspace.routes.cases import case_id_of


def next_step(ctx: CaseContext) -> str:
    """What has to happen next in the decision process, in words, with the rule it serves."""
    s = ctx.state
    clocks = {c.id: c for c in s.clocks}
    due = lambda clock_id: presenters.long_date(c.effective_due or c.due) if (c := clocks.get(clock_id)) else ""  # noqa: E731
    decision = words.current(s.decisions)
    cspr = decision is not None and decision.decision == D.REVIEW_DECISION_CSPR
    if s.withdrawn or s.stage == D.CASE_STAGE_WITHDRAWN:
        return "None: the notification was withdrawn."
    if s.stage == D.CASE_STAGE_AWAITING_RECOMMENDATION:
        return "The Review Advisory Group recommends on the criteria checklist (DECIDE.RAG_RECOMMENDS)."
    if s.stage == D.CASE_STAGE_AWAITING_DECISION:
        return "The Executive agrees or disagrees with the advisory group's recommendation (DECIDE.RAG_RECOMMENDS)."
    if s.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION:
        when = f" by {due('RR.DEADLINE')}" if due("RR.DEADLINE") else ""
        return f"Send the rapid review and the decision to the Panel{when}, then record the submission (RR.TO_PANEL)."
    if s.stage == D.CASE_STAGE_AWAITING_PANEL_RESPONSE:
        return "Record the Panel's response when it arrives."
    if s.stage == D.CASE_STAGE_PANEL_RECONSIDERATION:
        more = " Or, if the decision to hold a local review stands, commission it." if cspr else ""
        return f"The Panel asked the partners to reconsider: the advisory group may recommend again.{more}"
    if s.stage == D.CASE_STAGE_DECISION_SETTLED:
        if cspr and not s.review.review_id:
            return "Commission the local child safeguarding practice review."
        return "No local review to hold: keep the action plan up to date."
    if s.stage == D.CASE_STAGE_REVIEW_IN_PROGRESS:
        check = f" The next progress check is due {due('POST.PROGRESS_CHECKS')}." if due("POST.PROGRESS_CHECKS") else ""
        return f"Complete and publish the local review by {due('POST.SIX_MONTHS')} (POST.SIX_MONTHS).{check}"
    if s.stage == D.CASE_STAGE_PUBLISHED:
        return "Published: keep the action plan up to date and share the learning (POST.DISSEMINATE)."
    return "Waiting for the case to reach the decisions service."


def _recommendation(r: D.Recommendation) -> dict[str, Any]:
    return {
        "round": r.round, "decision": words.decision_text(r.recommendation), "meeting": presenters.long_date(r.meeting_date),
        "rationale": r.rationale, "national": r.national_importance, "superseded": r.superseded,
        "criteria": [{"id": c.criterion_id, "conclusion": {1: "Yes", 2: "No", 3: "May be"}.get(c.conclusion, "Not given"),
                      "rationale": c.rationale} for c in r.criteria],
        "learning": [{"text": i.description, "owner": i.owner_agency_id or "The partnership"} for i in r.immediate_learning],
        "recorded_by": r.recorded_by, "recorded_at": words.when(r.recorded_at),
    }


def _decision(d: D.Decision) -> dict[str, Any]:
    return {
        "round": d.round, "decision": words.decision_text(d.decision), "view": words.VIEWS.get(d.view, ""),
        "disagrees": d.view == D.EXECUTIVE_VIEW_DISAGREES, "decided_on": presenters.long_date(d.decided_on),
        "rationale": d.rationale, "national": d.national_importance, "reason": words.REASONS.get(d.reason, ""),
        "decided_by": [f"{words.PARTNERS.get(p.partner, 'Partner')}: {p.name}" + (f", {p.role_title}" if p.role_title else "")
                       for p in d.decided_by],
        "communications": [f"{words.RECIPIENTS.get(c.recipient, 'Recipient')}: {words.COMMUNICATION.get(c.status, '')}"
                           + (f" {presenters.long_date(c.communicated_on)}" if c.communicated_on else "")
                           + (f" ({c.note})" if c.note else "") for c in d.communications],
        "recorded_by": d.recorded_by,
    }


def _review(ctx: CaseContext) -> dict[str, Any] | None:
    r = ctx.state.review
    if not r.review_id:
        return None
    family_kinds = (D.MILESTONE_KIND_FAMILY_INFORMED, D.MILESTONE_KIND_FAMILY_INVITED, D.MILESTONE_KIND_FAMILY_SAW_REPORT)
    milestones = [{"kind": m.kind, "text": words.milestone_text(m.kind), "rule": words.MILESTONES.get(m.kind, ("", ""))[1],
                   "on": presenters.long_date(m.occurred_on), "note": m.note,
                   "line": f"{words.milestone_text(m.kind)}: {presenters.long_date(m.occurred_on)}"} for m in r.milestones]
    return {
        "reviewer": r.reviewer.name, "organisation": r.reviewer.organisation,
        "involvements": [f"{i.agency_name or i.agency_id} ({i.agency_id}): {i.description}" for i in r.reviewer.involvements],
        "commissioned_on": presenters.long_date(r.commissioned_on), "terms": r.terms_of_reference,
        "panel": [f"{m.name}, {m.agency_id}" + (f" ({m.role_title})" if m.role_title else "") for m in r.panel],
        "check_weeks": r.progress_check_weeks,
        "milestones": milestones,
        "family": [m for m in milestones if m["kind"] in family_kinds],
        "practitioners": [m for m in milestones if m["kind"] == D.MILESTONE_KIND_PRACTITIONER_EVENT],
        "checks": [{"on": presenters.long_date(c.checked_on), "findings": c.findings,
                    "request": c.written_request if c.written_request_made else ""} for c in r.progress_checks],
        "extensions": [{"reason": words.EXTENSION_REASONS.get(e.reason, ""), "explanation": e.explanation,
                        "to": presenters.long_date(e.extended_to)} for e in r.extensions],
        "earliest_publication": presenters.long_date(r.earliest_publication_date),
    }


def _publication(p: D.Publication) -> dict[str, Any] | None:
    if not p.review_id:
        return None
    return {"kind": words.PUBLICATION_KINDS.get(p.kind, ""), "on": presenters.long_date(p.published_on),
            "location": p.location, "until": presenters.long_date(p.available_until), "late": p.late,
            "themes": list(p.learning_themes), "rationale": p.not_publishing_rationale,
            "sha256": p.text_sha256, "length": p.text_length}


#: The advisory group's and the Executive's forms (routes/recommendation.py and routes/decision.py), linked
#: from here at the step where they are used, when those pages exist; roles from the access table.
PEOPLES_STEPS = (
    ("recommendation_start", "Record the advisory group's recommendation", "/rapidreview.v1.DecisionService/RecordRecommendation",
     (D.CASE_STAGE_AWAITING_RECOMMENDATION, D.CASE_STAGE_AWAITING_DECISION, D.CASE_STAGE_PANEL_RECONSIDERATION)),
    ("decision_start", "Record the Executive's decision", "/rapidreview.v1.DecisionService/RecordDecision",
     (D.CASE_STAGE_AWAITING_DECISION,)),
)


def _commands_for(request: Request, person: Principal, ctx: CaseContext) -> list[dict[str, str]]:
    out = []
    for route, text, rpc, stages in PEOPLES_STEPS:
        if route_exists(request, route) and person.role in ACCESS_TABLE[rpc] and ctx.state.stage in stages and not ctx.state.withdrawn:
            out.append({"key": route.removesuffix("_start"), "text": text,
                        "href": str(request.url_for(route, case_id=ctx.case_id).path)})
    for command in ALL:
        if person.role not in command.roles or command.find_item is not None:
            continue
        if command.available(ctx):
            continue
        out.append({"key": command.key, "text": command.title, "href": command.path(ctx.case_id)})
    return out


def _actions(person: Principal, ctx: CaseContext) -> list[dict[str, Any]]:
    update = BY_KEY["update-action"]
    may_update = person.role in update.roles and not ctx.state.withdrawn
    return [{
        "id": a.action_id, "description": a.description, "owner": a.owner_agency_id, "theme": a.theme,
        "due": presenters.long_date(a.due_date), "tag": words.action_tag(a), "evidence": a.evidence,
        "closed_on": presenters.long_date(a.closed_on), "agreed_on": presenters.long_date(a.created_on),
        "update_href": update.path(ctx.case_id, a.action_id)
        if may_update and a.status not in (D.ACTION_STATUS_COMPLETED, D.ACTION_STATUS_CANCELLED) else "",
    } for a in ctx.state.actions]


async def case_decisions(request: Request) -> Response:
    person = require_person(request, CASE_READERS)
    case_id = case_id_of(request)
    ctx = await load_context(request, person, case_id)
    s = ctx.state
    submissions = [{
        "sent": presenters.long_date(x.sent_date), "late": x.late, "due": presenters.long_date(x.rapid_review_due),
        "reference": x.panel_reference, "report": x.report.report_id,
        "digests": [(D.ReportFormat.Name(d.format).removeprefix("REPORT_FORMAT_"), d.sha256) for d in x.report.digests],
        "round": next((d.round for d in s.decisions if d.decision_id == x.decision_id), 0),
    } for x in s.panel_submissions]
    responses = [{"tag": words.panel_response_tag(x.kind), "on": presenters.long_date(x.responded_on), "summary": x.summary}
                 for x in s.panel_responses]
    context = {
        "title": "Decisions and review",
        "case_id": case_id,
        "reference": ctx.reference,
        "case_nav": case_navigation(request, person, case_id, "decisions"),
        "stage": words.stage_tag(s.stage),
        "round": s.round,
        "next_step": next_step(ctx),
        "commands": _commands_for(request, person, ctx),
        "clocks": [words.clock_row(c) for c in s.clocks],
        "recommendations": [_recommendation(r) for r in s.recommendations],
        "decisions": [_decision(d) for d in s.decisions],
        "submissions": submissions,
        "responses": responses,
        "review": _review(ctx),
        "publication": _publication(s.publication),
        "readiness": publication_readiness(ctx) if s.review.review_id and not s.publication.review_id else [],
        "actions": _actions(person, ctx),
        "disseminations": [{"kind": words.DISSEMINATIONS.get(x.kind, ""), "on": presenters.long_date(x.occurred_on),
                            "audience": x.audience, "reach": x.reach} for x in s.disseminations],
        "withdrawn": s.withdrawn,
        "documents_link": str(request.url_for("case_documents", case_id=case_id).path)
        if route_exists(request, "case_documents") else "",
    }
    return render(request, "decisions/index.html", context)


ROUTES = [
    Route("/cases/{case_id}/decisions", case_decisions, name="case_decisions"),
    *command_routes(ALL),
]
