"""Notify an incident: a start page, one question page at a time, check your answers, then
intake's NotifyIncident as the signed-in person and a confirmation page with the duties (by
RULES.md ID, outcome and rationale) and every clock.

The answers are kept server-side between pages (`drafts.py`, key "notify"), never in the URL.
The draft carries the idempotency key of the notification: a double click, a retry after an
error or a second tab sends the same key, so intake records one incident.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.workspace import agency_form, errors, notification, presenters
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client


def roles_of(rpc: str) -> frozenset[Role]:
    """The people's roles the access table allows on `rpc` (never the service identity)."""
    return frozenset(role for role in ACCESS_TABLE.get(rpc, {}) if role is not Role.SERVICE)


NOTIFIERS = roles_of("/rapidreview.v1.IntakeService/NotifyIncident")
#: The confirmation reads the incident back: notifiers who may read it.
CONFIRMATION_READERS = NOTIFIERS & roles_of("/rapidreview.v1.IntakeService/GetIncident")
CAPTION = "Notify a serious incident"


@dataclass(frozen=True)
class Flow:
    """The question pages serve two forms: a new notification (`NOTIFY`) and the amendment of a
    case's notification (routes/amend.py), which starts from the answers recorded and returns to
    its check-your-answers page after every page."""

    name: str
    roles: frozenset[Role]
    caption: str
    per_case: bool

    def key(self, request: Request) -> str:
        return f"amend:{case_id_of(request)}" if self.per_case else notification.DRAFT_KEY

    def params(self, request: Request) -> dict[str, str]:
        return {"case_id": case_id_of(request)} if self.per_case else {}

    def url(self, request: Request, route: str, **params: str) -> str:
        return str(request.url_for(f"{self.name}_{route}", **self.params(request), **params).path)


NOTIFY = Flow("notify", NOTIFIERS, CAPTION, per_case=False)


def _redirect(request: Request, name: str, **params: str) -> RedirectResponse:
    return RedirectResponse(str(request.url_for(name, **params).path), status_code=303)


def _question(request: Request, slug: str, flow: Flow = NOTIFY) -> RedirectResponse:
    return RedirectResponse(flow.url(request, "question", slug=slug), status_code=303)


async def _draft(request: Request, person: Principal, flow: Flow = NOTIFY) -> dict[str, Any] | None:
    return await request.app.state.form_drafts.load(person, flow.key(request))


async def _save(request: Request, person: Principal, draft: dict[str, Any], flow: Flow = NOTIFY) -> None:
    await request.app.state.form_drafts.save(person, flow.key(request), draft)


# -- start ------------------------------------------------------------------------------------

async def start(request: Request) -> Response:
    person = require_person(request, NOTIFIERS)
    draft = await _draft(request, person)
    in_progress = bool(draft and not draft.get("case_id") and draft.get("done"))
    return render(request, "notify/start.html", {"title": "Notify a serious incident", "in_progress": in_progress})


async def start_post(request: Request) -> Response:
    person = require_person(request, NOTIFIERS)
    form = await request.form()
    draft = await _draft(request, person)
    if form.get("continue") == "yes" and draft and not draft.get("case_id"):
        missing = notification.first_unanswered(draft)
        return _question(request, missing) if missing else _redirect(request, "notify_check")
    await _save(request, person, notification.new_draft())
    return _question(request, notification.PAGES[0].slug)


# -- question pages ---------------------------------------------------------------------------

@functools.cache
def _rule_parameters():  # type: ignore[no-untyped-def]
    from rapidreview.rules.parameters import RuleParameters

    return RuleParameters.load_default()  # RR_RULES_DIR, as the services read it


def notify_deadline_hint(aware: dt.date) -> str:
    """The awareness date's hint, with NOTIFY.DEADLINE's working days from the rule file of the
    edition in force on the awareness date (else today; never written here: a new edition may change it)."""
    try:
        rules = _rule_parameters()
        days = rules.deadline_params("NOTIFY.DEADLINE", rules.edition_for(aware)).get("working_days")
    except (OSError, LookupError, ValueError):
        days = None
    if isinstance(days, int):
        return f"The notification to the Panel is due {days} working days after this date (NOTIFY.DEADLINE)."
    return "The notification to the Panel is due within the working days NOTIFY.DEADLINE sets, counted from this date."


def _page_context(request: Request, slug: str, draft: dict[str, Any], shown: dict[str, Any], form_errors: FormErrors,
                  *, change: bool, date_errors: dict[str, list[str]] | None = None, flow: Flow = NOTIFY) -> dict[str, Any]:
    page = notification.PAGE[slug]
    previous = notification.previous_page(slug)
    change = change or flow.per_case
    back = (flow.url(request, "check") if change else
            flow.url(request, "question", slug=previous) if previous else flow.url(request, "start"))
    person: Principal = request.scope["rr_person"]
    context: dict[str, Any] = {
        "title": page.title, "caption": flow.caption, "slug": slug, "values": shown, "errors": form_errors, "back": back,
        "change": change, "action": flow.url(request, "question", slug=slug),
        "natures": notification.NATURES, "domains": notification.HARM_DOMAINS, "abuse": notification.ABUSE,
        "countries": notification.COUNTRIES, "settings": notification.SETTINGS, "circumstances": notification.CIRCUMSTANCES,
        "serious": notification.answers(draft).get("nature") == "serious_harm",
    }
    if slug == "dates":
        marks = date_errors or {}
        for field in ("incident_date", "la_aware_date"):
            value = DateValue.from_dict(shown.get(field))
            value.error_parts = marks.get(field, [])
            context[field] = value.items(field.replace("_", "-"))
        # The figure of the edition the case will be pinned to: the awareness date's, else today's.
        aware = DateValue.from_dict(shown.get("la_aware_date")).to_date() or request.app.state.today()
        context["aware_hint"] = notify_deadline_hint(aware)
    if slug == "place" and not shown.get("notifying_la"):
        # The partnership's name as the likely notifying authority (the person can change it).
        shown["notifying_la"] = person.partnership.replace("-", " ").title()
    if slug in ("agencies",):
        rows = [agency_form.AgencyRow.from_dict(a) for a in shown.get("agencies", [])] or [agency_form.AgencyRow()]
        context["agency_rows"] = [{"n": n, "row": row, "kinds": agency_form.kind_items(row.kind),
                                   "area_types": agency_form.area_type_items(row.area_type)} for n, row in enumerate(rows)]
        context["max_agencies"] = agency_form.MAX_AGENCIES
    if slug == "referral":
        context["agencies"] = notification.agencies_of(draft)
    return context


def _service_errors(draft: dict[str, Any], slug: str) -> FormErrors:
    found = FormErrors()
    for field_id, text in draft.get("service_errors", {}).get(slug, []):
        found.add(field_id, text)
    return found


async def question(request: Request, flow: Flow = NOTIFY) -> Response:
    person = require_person(request, flow.roles)
    slug = request.path_params["slug"]
    if slug not in notification.PAGE:
        raise errors.NotFoundError("no such question")
    draft = await _draft(request, person, flow)
    if draft is None or draft.get("case_id"):
        return RedirectResponse(flow.url(request, "start"), status_code=303)
    found = _service_errors(draft, slug)
    date_marks = {"incident_date": ["day", "month", "year"] if any(f.startswith("incident-date") for f, _ in found.items) else [],
                  "la_aware_date": ["day", "month", "year"] if any(f.startswith("la-aware-date") for f, _ in found.items) else []}
    context = _page_context(request, slug, draft, dict(notification.answers(draft)), found,
                            change=request.query_params.get("change") == "yes", date_errors=date_marks, flow=flow)
    return render(request, f"notify/{slug.replace('-', '_')}.html", context, status=400 if found else 200)


async def question_post(request: Request, flow: Flow = NOTIFY) -> Response:
    person = require_person(request, flow.roles)
    slug = request.path_params["slug"]
    if slug not in notification.PAGE:
        raise errors.NotFoundError("no such question")
    draft = await _draft(request, person, flow)
    if draft is None or draft.get("case_id"):
        return RedirectResponse(flow.url(request, "start"), status_code=303)
    form = await request.form()
    change = form.get("change") == "yes" or flow.per_case
    if slug == "agencies" and (form.get("action") == "add" or form.get("remove")):
        return await _agencies_add_or_remove(request, person, draft, form, change, flow)
    got, problems = notification.read_page(slug, form, request.app.state.today(), draft)
    if problems:
        found = FormErrors()
        for field_id, text in problems:
            found.add(field_id, text)
        context = _page_context(request, slug, draft, got, found, change=change, date_errors=got.get("_date_errors"), flow=flow)
        return render(request, f"notify/{slug.replace('-', '_')}.html", context, status=400)
    notification.store_page(draft, slug, got)
    await _save(request, person, draft, flow)
    if slug == "what-happened" and got["nature"] == "serious_harm" and change:
        return _question(request, "harm", flow)  # now asked for the areas of harm: ask before checking again
    if slug == "agencies" and change and notification.first_unanswered(draft) == "referral":
        return _question(request, "referral", flow)
    following = "check" if change else notification.next_page(slug)
    return RedirectResponse(flow.url(request, "check"), status_code=303) if following == "check" else _question(request, following, flow)


async def _agencies_add_or_remove(request: Request, person: Principal, draft: dict[str, Any], form: Any, change: bool,
                                  flow: Flow = NOTIFY) -> Response:
    """The "add another" pattern without JavaScript: keep the rows as typed, add or remove one, show the page again."""
    rows = agency_form.rows_from_form(form)
    removed = str(form.get("remove", ""))
    if removed.isdigit() and int(removed) < len(rows):
        rows.pop(int(removed))
    elif len(rows) < agency_form.MAX_AGENCIES:
        rows.append(agency_form.AgencyRow())
    notification.answers(draft)["agencies"] = [r.as_dict() for r in rows]
    if "agencies" in draft.get("done", []):
        draft["done"].remove("agencies")  # answered again only with Continue, once every row is checked
    await _save(request, person, draft, flow)
    target = flow.url(request, "question", slug="agencies") + ("?change=yes" if change else "")
    anchor = f"#agencies-{len(rows) - 1}-name" if not removed and rows else "#agencies"
    return RedirectResponse(target + anchor, status_code=303)


# -- check your answers and send -----------------------------------------------------------------

def change_links(request: Request, flow: Flow) -> str:
    """The format of the Change links of check your answers ({slug} left to fill)."""
    return flow.url(request, "question", slug="SLUG").replace("SLUG", "{slug}") + "?change=yes"


def _check_context(request: Request, draft: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Check your answers before sending the notification", "caption": CAPTION,
            "sections": notification.check_sections(draft, change_links(request, NOTIFY)),
            "back": str(request.url_for("notify_question", slug=notification.PAGES[-1].slug).path)}


async def check(request: Request) -> Response:
    person = require_person(request, NOTIFIERS)
    draft = await _draft(request, person)
    if draft is None:
        return _redirect(request, "notify_start")
    if draft.get("case_id"):
        return _redirect(request, "notify_confirmation", case_id=draft["case_id"])
    missing = notification.first_unanswered(draft)
    if missing:
        return _question(request, missing)
    context = _check_context(request, draft)
    linked = linked_errors(request, draft)
    context["errors"] = linked or None
    return render(request, "notify/check.html", context, status=400 if linked else 200)


class _LinkedErrors(FormErrors):
    """Errors whose ids are links to the field on its own page."""

    @property
    def summary(self) -> list[dict[str, str]]:
        return [{"text": text, "href": href} for href, text in self.items]

    def message(self, field_id: str) -> dict[str, str] | None:
        """A field of this page (a link "#<field id>")."""
        texts = [text for href, text in self.items if href == f"#{field_id}"]
        return {"text": " ".join(texts)} if texts else None


def linked_errors(request: Request, draft: dict[str, Any], flow: Flow = NOTIFY) -> FormErrors:
    """intake's field violations as an error summary whose links open the page of each field."""
    linked = _LinkedErrors()
    for slug, items in draft.get("service_errors", {}).items():
        for field_id, text in items:
            href = f"#{field_id}" if slug == "check" else flow.url(request, "question", slug=slug) + f"?change=yes#{field_id}"
            linked.add(href, text)
    return linked


async def send(request: Request) -> Response:
    person = require_person(request, NOTIFIERS)
    draft = await _draft(request, person)
    if draft is None:
        return _redirect(request, "notify_start")
    if draft.get("case_id"):  # sent already (a double click): the same confirmation
        return _redirect(request, "notify_confirmation", case_id=draft["case_id"])
    missing = notification.first_unanswered(draft)
    if missing:
        return _question(request, missing)
    try:
        response = await person_client(request, person).intake.NotifyIncident(notification.to_request(draft))
    except errors.InvalidInput as exc:
        draft["service_errors"] = notification.place_violations(exc.violations)
        await _save(request, person, draft)
        context = _check_context(request, draft)
        context["errors"] = linked_errors(request, draft)
        return render(request, "notify/check.html", context, status=400)
    case_id = response.incident.case_id
    # Only what a second click needs is kept: the key and the case, no answer.
    await _save(request, person, {"key": draft["key"], "case_id": case_id})
    return _redirect(request, "notify_confirmation", case_id=case_id)


# -- confirmation -----------------------------------------------------------------------------------

async def confirmation(request: Request) -> Response:
    person = require_person(request, CONFIRMATION_READERS)
    case_id = case_id_of(request)
    incident = (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident
    met = {d.rule_id for d in incident.duties if d.outcome == common_pb2.OUTCOME_MET}
    context = {
        "title": "Notification recorded",
        "case_id": case_id,
        "reference": incident.notification.child.child_ref,
        "duties": [{"rule_id": d.rule_id, "tag": presenters.outcome_tag(d.outcome), "rationale": d.rationale,
                    "citation": d.citation} for d in incident.duties],
        "clocks": [presenters.incident_clock(c) for c in incident.clocks],
        "next_step": presenters.incident_next_step(incident),
        "outstanding": presenters.outstanding_duties(incident),
        "panel_duty": bool(met & {"NOTIFY.PANEL_IN_AREA", "NOTIFY.PANEL_OUTSIDE_ENGLAND"}),
        "redirect": "NOTIFY.WRONG_LA" in met,
        "duplicates": list(incident.possible_duplicate_of),
        "withdrawn": incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN,
    }
    return render(request, "notify/confirmation.html", context)


ROUTES = [
    Route("/notify", start, name="notify_start", methods=["GET"]),
    Route("/notify", start_post, name="notify_begin", methods=["POST"]),
    Route("/notify/check", check, name="notify_check", methods=["GET"]),
    Route("/notify/check", send, name="notify_send", methods=["POST"]),
    Route("/notify/{slug}", question, name="notify_question", methods=["GET"]),
    Route("/notify/{slug}", question_post, name="notify_answer", methods=["POST"]),
    Route("/cases/{case_id}/notified", confirmation, name="notify_confirmation"),
]
