"""The return form's pages: each section (one page of questions, or a list with "add another"),
an item's add / change / remove pages, "check your answers", submit and the confirmation.

Every page answers only for the person's own request (routes/agency.py `own_request`), reads
and saves the person's draft server-side (returns/drafts.py) and keeps what was typed when
something is wrong (the page again, 400, with the error summary). Nothing is sent to gathering
before "Submit"; gathering's own field violations then come back on check-your-answers,
each linked to the answer it is about. Chronology import: routes/return_import.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import gathering_pb2
from rapidreview.workspace import errors
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render
from rapidreview.workspace.returns.answers import read_section
from rapidreview.workspace.returns.draft import ReturnDraft, locate, to_request
from rapidreview.workspace.returns.fields import form_values
from rapidreview.workspace.returns.present import columns, item_title, sections_view
from rapidreview.workspace.returns.sections import SECTIONS, Section, section, with_themes
from rapidreview.workspace.routes.agency import drafts_of, learning_themes, own_request, request_facts, require_agency_lead
from rapidreview.workspace.routes.cases import person_client

G = gathering_pb2


def _url(request: Request, name: str, **params: Any) -> str:
    return str(request.url_for(name, **params).path)


async def _section_of(request: Request, person: Principal) -> Section:
    sec = section(request.path_params["section"])
    if sec is None:
        raise errors.NotFoundError("no such section")
    if sec.key == "learning":
        sec = with_themes(sec, await learning_themes(request, person))
    return sec


class Page:
    """One request's form context: the case, the request, the person's draft (new when none)."""

    def __init__(self, case_id: str, status: G.GetRequestStatusResponse, mine: G.InformationRequest, draft: ReturnDraft | None) -> None:
        self.case_id, self.status, self.mine = case_id, status, mine
        self.stored = draft is not None
        self.draft = draft or ReturnDraft()


async def _page(request: Request, person: Principal) -> Page:
    case_id, status, mine = await own_request(request, person)
    draft = await drafts_of(request).load(person, case_id)
    if draft is None and mine.latest_version:
        # A submitted return is changed through "Amend" (a draft prefilled from the latest version),
        # never by starting an empty one that would replace it.
        raise _Redirect(_url(request, "agency_request", case_id=case_id))
    return Page(case_id, status, mine, draft)


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _context(request: Request, page: Page, sec: Section | None = None, **more: Any) -> dict[str, Any]:
    return {"case_id": page.case_id, **request_facts(page.case_id, page.mine), "section": sec,
            "back": _url(request, "agency_request", case_id=page.case_id), **more}


# -- a section: one page of questions, or the list of its items ----------------------------------

async def section_page(request: Request) -> Response:
    person = require_agency_lead(request)
    try:
        page = await _page(request, person)
    except _Redirect as go:
        return RedirectResponse(go.url, status_code=303)
    sec = await _section_of(request, person)
    if sec.single:
        return await _single(request, person, page, sec)
    return await _list(request, person, page, sec)


async def _single(request: Request, person: Principal, page: Page, sec: Section) -> Response:
    today = request.app.state.today()
    if request.method == "POST":
        form = await request.form()
        checked = read_section(sec, form, today, form.getlist)
        if checked.errors:
            return render(request, "agency/section_single.html", _context(
                request, page, sec, title=sec.title, values=checked.raw, errors=FormErrors(checked.errors)), status=400)
        page.draft.set_single(sec.key, checked.values)
        await drafts_of(request).save(person, page.case_id, page.draft)
        return RedirectResponse(_url(request, "agency_request", case_id=page.case_id), status_code=303)
    return render(request, "agency/section_single.html", _context(
        request, page, sec, title=sec.title, values=form_values(sec.fields, page.draft.single(sec.key)), errors=FormErrors()))


async def _list(request: Request, person: Principal, page: Page, sec: Section) -> Response:
    items = page.draft.items(sec.key)
    errors_ = FormErrors()
    if request.method == "POST":
        answer = str((await request.form()).get("add_another", ""))
        if answer == "yes":
            return RedirectResponse(_url(request, "return_item_add", case_id=page.case_id, section=sec.key), status_code=303)
        if answer == "no":
            page.draft.mark_done(sec.key)
            await drafts_of(request).save(person, page.case_id, page.draft)
            return RedirectResponse(_url(request, "agency_request", case_id=page.case_id), status_code=303)
        errors_.add("add_another", f"Select yes if you need to add {'another' if items else sec.item_article} {sec.item_name}")
    rows = [{"id": item["id"], "title": item_title(sec, item, n), "cells": columns(sec, item)} for n, item in enumerate(items, start=1)]
    imported = request.query_params.get("imported", "")
    return render(request, "agency/section_list.html", _context(
        request, page, sec, title=sec.title, rows=rows, errors=errors_, full=len(items) >= sec.max_items,
        imported=int(imported) if imported.isdigit() else 0,
        headers=[sec.field(name).label for name in sec.columns]), status=400 if errors_ else 200)


# -- one item of a list: add, change, remove -----------------------------------------------------

async def item_page(request: Request) -> Response:
    person = require_agency_lead(request)
    try:
        page = await _page(request, person)
    except _Redirect as go:
        return RedirectResponse(go.url, status_code=303)
    sec = await _section_of(request, person)
    if sec.single:
        raise errors.NotFoundError("not a list")
    item_id = request.path_params.get("item", "")
    item = page.draft.item(sec.key, item_id) if item_id else None
    if item_id and item is None:
        raise errors.NotFoundError("no such item")
    if not item_id and len(page.draft.items(sec.key)) >= sec.max_items:
        raise errors.StepRefused(f"The {sec.title.lower()} already has {sec.max_items:,} items, the most a return can hold.")
    list_url = _url(request, "return_section", case_id=page.case_id, section=sec.key)
    number = page.draft.items(sec.key).index(item) + 1 if item else len(page.draft.items(sec.key)) + 1
    heading = (f"Change {sec.item_name} {number}" if item else f"Add {sec.item_article} {sec.item_name}")
    if request.method == "POST":
        form = await request.form()
        checked = read_section(sec, form, request.app.state.today(), form.getlist)
        if checked.errors:
            return render(request, "agency/item.html", _context(
                request, page, sec, title=heading, heading=heading, values=checked.raw, errors=FormErrors(checked.errors),
                back=list_url), status=400)
        if item:
            page.draft.replace_item(sec.key, item_id, checked.values)
        else:
            page.draft.add_items(sec.key, [checked.values])
        await drafts_of(request).save(person, page.case_id, page.draft)
        return RedirectResponse(list_url, status_code=303)
    return render(request, "agency/item.html", _context(
        request, page, sec, title=heading, heading=heading, values=form_values(sec.fields, item or {}), errors=FormErrors(),
        back=list_url))


async def remove_page(request: Request) -> Response:
    person = require_agency_lead(request)
    try:
        page = await _page(request, person)
    except _Redirect as go:
        return RedirectResponse(go.url, status_code=303)
    sec = await _section_of(request, person)
    item = page.draft.item(sec.key, request.path_params["item"]) if not sec.single else None
    if item is None:
        raise errors.NotFoundError("no such item")
    number = page.draft.items(sec.key).index(item) + 1
    list_url = _url(request, "return_section", case_id=page.case_id, section=sec.key)
    errors_ = FormErrors()
    if request.method == "POST":
        answer = str((await request.form()).get("confirm", ""))
        if answer in ("yes", "no"):
            if answer == "yes":
                page.draft.remove_item(sec.key, item["id"])
                await drafts_of(request).save(person, page.case_id, page.draft)
            return RedirectResponse(list_url, status_code=303)
        errors_.add("confirm", f"Select yes if you want to remove {sec.item_name} {number}")
    return render(request, "agency/remove.html", _context(
        request, page, sec, title=f"Remove {sec.item_name}", heading=f"Are you sure you want to remove {sec.item_name} {number}?",
        item_title=item_title(sec, item, number), errors=errors_, back=list_url), status=400 if errors_ else 200)


# -- check your answers, submit, confirmation ---------------------------------------------------

_PROTO_WORDS = {"date": "date", "contact_type": "type of contact", "practitioner_role": "practitioner's role", "summary": "what happened",
                "decisions": "decisions", "entry_ref": "your reference", "description": "description", "themes": "themes",
                "acted_on": "whether it was acted on", "earlier_reviews": "earlier reviews", "about_agencies": "agencies it is about",
                "subject": "whom it protects", "title": "title", "start": "start date", "end": "end date", "type": "type",
                "involvement": "involvement", "involvement_summary": "summary of involvement", "completed_by_role": "your role",
                "family_context": "family context"}


def service_errors(draft: ReturnDraft, violations: list[tuple[str, str]]) -> FormErrors:
    """Gathering's field violations as the error summary of check-your-answers, each linked to the answer."""
    out = FormErrors()
    for path, description in violations:
        sec, item, number = locate(draft, path)
        last = path.split(".")[-1].split("[")[0]
        words = _PROTO_WORDS.get(last, last.replace("_", " "))
        if sec is None:
            out.add("answers", f"{words[:1].upper()}{words[1:]}: {description}")
        elif item is not None:
            out.add(f"{sec.key}-{item['id']}", f"{sec.title}, {sec.item_name} {number}, {words}: {description}")
        else:
            out.add(f"section-{sec.key}", f"{sec.title}, {words}: {description}")
    return out


async def check_page(request: Request) -> Response:
    person = require_agency_lead(request)
    try:
        page = await _page(request, person)
    except _Redirect as go:
        return RedirectResponse(go.url, status_code=303)
    errors_ = FormErrors()
    status = 200
    if request.method == "POST":
        if page.draft.involved is None:
            errors_.add("section-involvement", "Say whether your agency had any involvement with the child or family")
        else:
            call = to_request(page.draft, page.case_id, page.mine.agency)
            try:
                answer = await person_client(request, person).gathering.SubmitAgencyReturn(call)
            except errors.InvalidInput as exc:
                errors_ = service_errors(page.draft, exc.violations)
            else:
                await drafts_of(request).delete(person, page.case_id)
                done = _url(request, "return_submitted", case_id=page.case_id)
                return RedirectResponse(done + ("?same=yes" if answer.replayed else ""), status_code=303)
        status = 400
    elif page.draft.involved is None:
        errors_.add("section-involvement", "Say whether your agency had any involvement with the child or family")
        status = 200  # shown, not refused: nothing was sent
    return render(request, "agency/check.html", _context(
        request, page, None, title="Check your answers before submitting your return", sections=sections_view(page.draft),
        errors=errors_, open=page.status.status == G.GATHERING_STATUS_OPEN, amending=page.draft.based_on), status=status)


async def submitted_page(request: Request) -> Response:
    person = require_agency_lead(request)
    case_id, _, mine = await own_request(request, person)
    if not mine.latest_version:
        raise errors.NotFoundError("nothing submitted")
    return render(request, "agency/submitted.html", {
        "title": "Return submitted", "case_id": case_id, **request_facts(case_id, mine), "version": mine.latest_version,
        "ref": mine.return_ref, "same": request.query_params.get("same") == "yes",
        "late": mine.clock.late})


ROUTES = [
    Route("/my-requests/{case_id}/check", check_page, methods=["GET", "POST"], name="return_check"),
    Route("/my-requests/{case_id}/submitted", submitted_page, name="return_submitted"),
    Route("/my-requests/{case_id}/{section}/add", item_page, methods=["GET", "POST"], name="return_item_add"),
    Route("/my-requests/{case_id}/{section}/{item}/remove", remove_page, methods=["GET", "POST"], name="return_item_remove"),
    Route("/my-requests/{case_id}/{section}/{item}", item_page, methods=["GET", "POST"], name="return_item"),
    Route("/my-requests/{case_id}/{section}", section_page, methods=["GET", "POST"], name="return_section"),
]

__all__ = ["ROUTES", "SECTIONS"]
