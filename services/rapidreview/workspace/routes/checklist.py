"""The criteria checklist of a case (criteria GetChecklist as the signed-in person): each criterion by
RULES.md ID with its outcome, rationale and evidence links, NOT.AUTOMATIC always shown, the edition
and version used, the clocks, the reviews cited, the evaluations; the explain view of one criterion
(ExplainCriterion); and the summary PDF (RenderSummary).

Evidence links: an agency return item links to the collated page (its latest version) or to the
page of the version cited, for the roles that may read agency returns (gathering's access table);
for others (the Executive) the reference is shown in words without a link. A review id links to
the list of reviews cited on the checklist page.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import criteria_pb2, decisions_pb2, gathering_pb2, intake_pb2
from rapidreview.workspace import checklist as view
from rapidreview.workspace import collated, decision_state, errors, evidence
from rapidreview.workspace.pages import case_navigation, render, require_person, route_exists
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.collated import COLLATED_READERS, roles_of, version_href

CHECKLIST_READERS = roles_of("/rapidreview.v1.CriteriaService/GetChecklist")
EXPLAIN_READERS = roles_of("/rapidreview.v1.CriteriaService/ExplainCriterion") & CHECKLIST_READERS
SUMMARY_READERS = roles_of("/rapidreview.v1.CriteriaService/RenderSummary") & CHECKLIST_READERS
RECOMMENDERS = roles_of("/rapidreview.v1.DecisionService/RecordRecommendation")
DECIDERS = roles_of("/rapidreview.v1.DecisionService/RecordDecision")
_RULE_ID = re.compile(r"^[A-Z]+(\.[A-Z_]+){1,3}$")


def evaluation_of(request: Request) -> str:
    """The evaluation asked for (`?evaluation=<id>`), or "" for the latest; anything else is no page."""
    raw = request.query_params.get("evaluation", "")
    if not raw:
        return ""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise errors.NotFoundError("no such evaluation") from None


async def _optional(call: Any) -> Any:
    """A read whose NOT_FOUND means "nothing yet" (None), not a missing page."""
    try:
        return await call
    except errors.NotFoundError:
        return None


class EvidenceLinks:
    """Builds the evidence links of one page for one person."""

    def __init__(self, request: Request, case_id: str, incident: intake_pb2.Incident,
                 picture: gathering_pb2.CollatedInformation | None) -> None:
        self.collated_href = str(request.url_for("case_collated", case_id=case_id).path) if route_exists(request, "case_collated") else ""
        self.version_href = version_href(request, case_id) if route_exists(request, "case_collated_return") else ""
        self.checklist_href = str(request.url_for("case_checklist", case_id=case_id).path)
        self.names = {a.agency_id: a.name for a in incident.notification.agencies}
        self.latest: dict[str, int] | None = None
        if picture is not None and self.collated_href and self.version_href:
            self.names.update(collated.agency_names(picture))
            self.latest = collated.latest_versions(picture)

    def __call__(self, ref: str, *, reviews_on_page: bool = True) -> evidence.EvidenceLink:
        return evidence.link(ref, collated_href=self.collated_href, version_href=self.version_href, latest_versions=self.latest,
                             agency_names=self.names, reviews_href="" if reviews_on_page else self.checklist_href)


async def _evidence_picture(request: Request, person: Principal, case_id: str) -> gathering_pb2.CollatedInformation | None:
    """The collated picture (one chronology entry: only the agencies' latest versions are wanted), for
    the roles that may read it; None for the others or before anything was gathered."""
    if person.role not in COLLATED_READERS:
        return None
    found = await _optional(person_client(request, person).gathering.GetCollatedInformation(
        gathering_pb2.GetCollatedInformationRequest(case_id=case_id, chronology_page_size=1)))
    return found.collated if found is not None else None


def _href(request: Request, name: str, case_id: str, **query: str) -> str:
    path = str(request.url_for(name, case_id=case_id).path)
    extra = "&".join(f"{k}={v}" for k, v in query.items() if v)
    return f"{path}?{extra}" if extra else path


async def case_checklist(request: Request) -> Response:
    person = require_person(request, CHECKLIST_READERS)
    case_id = case_id_of(request)
    evaluation_id = evaluation_of(request)
    services = person_client(request, person)
    incident, found, evaluations, state, picture = await asyncio.gather(
        services.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id)),
        _optional(services.criteria.GetChecklist(criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation_id))),
        _optional(services.criteria.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=case_id))),
        _optional(services.decisions.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id))),
        _evidence_picture(request, person, case_id),
    )
    if found is None and evaluation_id:
        raise errors.NotFoundError("no such evaluation")
    incident = incident.incident
    links = EvidenceLinks(request, case_id, incident, picture)
    context: dict[str, Any] = {
        "title": "Criteria checklist",
        "case_id": case_id,
        "reference": incident.notification.child.child_ref,
        "case_nav": case_navigation(request, person, case_id, "checklist"),
        "checklist": None,
        "actions": _decision_actions(request, person, case_id, state.case if state is not None else None),
    }
    if found is not None:
        checklist = found.checklist
        context.update({
            "checklist": checklist,
            "facts": view.facts(checklist),
            "not_automatic": view.not_automatic(checklist),
            "sections": view.sections(checklist, links, lambda rule_id: _explain_href(request, case_id, rule_id, evaluation_id)),
            "clocks": view.clocks(checklist),
            "sources": view.theme_sources(checklist),
            "history": view.history(list(evaluations.evaluations) if evaluations else [], checklist.evaluation_id,
                                    lambda e: _href(request, "case_checklist", case_id, evaluation=e)),
            "is_latest": not evaluation_id,
            "pdf_href": _href(request, "case_checklist_pdf", case_id, evaluation=evaluation_id) if person.role in SUMMARY_READERS else "",
            "returns_linked": links.latest is not None,
        })
    return render(request, "checklist/checklist.html", context)


def _explain_href(request: Request, case_id: str, rule_id: str, evaluation_id: str) -> str:
    path = str(request.url_for("case_checklist_explain", case_id=case_id, rule_id=rule_id).path)
    return f"{path}?evaluation={evaluation_id}" if evaluation_id else path


def _decision_actions(request: Request, person: Principal, case_id: str, state: decisions_pb2.CaseState | None) -> dict[str, Any]:
    """Where the case's decision stands and the form the person may use (until the decisions section links them)."""
    out: dict[str, Any] = {"stage": decision_state.stage_tag(state.stage) if state is not None else None, "links": []}
    if state is None:
        return out
    if person.role in RECOMMENDERS and route_exists(request, "recommendation_start") and not decision_state.recommendation_refusal(state):
        out["links"].append({"text": "Record the advisory group's recommendation",
                             "href": str(request.url_for("recommendation_start", case_id=case_id).path)})
    if person.role in DECIDERS and route_exists(request, "decision_start") and not decision_state.decision_refusal(state):
        out["links"].append({"text": "Record the Executive's decision",
                             "href": str(request.url_for("decision_start", case_id=case_id).path)})
    rec = decision_state.current_recommendation(state)
    decided = decision_state.current_decision(state)
    out["recommendation"] = decision_state.DECISIONS.get(rec.recommendation, "") if rec else ""
    out["decision"] = decision_state.DECISIONS.get(decided.decision, "") if decided else ""
    return out


async def case_checklist_explain(request: Request) -> Response:
    person = require_person(request, EXPLAIN_READERS)
    case_id = case_id_of(request)
    rule_id = request.path_params["rule_id"]
    if len(rule_id) > 64 or not _RULE_ID.match(rule_id):
        raise errors.NotFoundError("no such criterion")
    evaluation_id = evaluation_of(request)
    services = person_client(request, person)
    incident, found, picture = await asyncio.gather(
        services.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id)),
        services.criteria.GetChecklist(criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation_id)),
        _evidence_picture(request, person, case_id),
    )
    checklist = found.checklist
    explained = await services.criteria.ExplainCriterion(criteria_pb2.ExplainCriterionRequest(
        case_id=case_id, rule_id=rule_id, evaluation_id=checklist.evaluation_id))
    links = EvidenceLinks(request, case_id, incident.incident, picture)
    back = _href(request, "case_checklist", case_id, evaluation=evaluation_id)
    context = {
        "title": f"Criterion {rule_id}",
        "case_id": case_id,
        "reference": incident.incident.notification.child.child_ref,
        "case_nav": case_navigation(request, person, case_id, "checklist"),
        "c": view.explanation(explained, lambda ref: links(ref, reviews_on_page=False), list(checklist.fired_rules)),
        "edition": view.edition_text(checklist.edition, checklist.edition_version),
        "evaluated": view.evaluated_text(checklist.evaluated_at),
        "back": f"{back}#{view.criterion_anchor(rule_id)}",
        "not_automatic": view.not_automatic(checklist),
        "returns_linked": links.latest is not None,
    }
    return render(request, "checklist/explain.html", context)


async def case_checklist_pdf(request: Request) -> Response:
    person = require_person(request, SUMMARY_READERS)
    case_id = case_id_of(request)
    evaluation_id = evaluation_of(request)
    rendered = await person_client(request, person).criteria.RenderSummary(criteria_pb2.RenderSummaryRequest(
        case_id=case_id, evaluation_id=evaluation_id, format=criteria_pb2.SUMMARY_FORMAT_PDF))
    # The file name names the case by its id's first part, never the child: it ends up in downloads folders.
    filename = f"checklist-summary-{case_id[:8]}-{rendered.evaluation_id[:8]}.pdf"
    return Response(rendered.content, media_type=rendered.media_type or "application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


ROUTES = [
    Route("/cases/{case_id}/checklist", case_checklist, name="case_checklist"),
    Route("/cases/{case_id}/checklist/summary.pdf", case_checklist_pdf, name="case_checklist_pdf"),
    Route("/cases/{case_id}/checklist/criteria/{rule_id}", case_checklist_explain, name="case_checklist_explain"),
]
