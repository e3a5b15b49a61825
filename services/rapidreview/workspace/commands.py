"""Commands on a case as GOV.UK form journeys: question page → check your answers → recorded.

A `Command` names its fields (command_forms.py), who may use it (from the access table of the RPC
it calls), and how its answers become one service call made as the signed-in person. Its routes
(`command_routes`) are:

    GET  /cases/{case_id}/decisions/<key>[/{item_id}]        the form
    POST the same                                              step=continue: check → check-your-answers
                                                               step=change:   the form again, answers kept
                                                               step=confirm:  the call; then 303 to …/done
                                                               step=add-<group> / remove-<group>-<n>
    GET  /cases/{case_id}/decisions/<key>[/{item_id}]/done   the confirmation panel

The answers travel in the posted forms only (hidden inputs on the check page): never in a URL, a
log or a draft store. A refused call stores nothing (the service's rule): field violations come
back as the error summary linked to the fields, a refusal of the step (FAILED_PRECONDITION, e.g.
POST.REVIEWER_INDEPENDENT) as an error summary naming the rule, the answers kept. Every command
sends an idempotency key made when the form was first shown, so a second press of the button
records nothing twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import decisions_pb2, intake_pb2
from rapidreview.workspace import errors
from rapidreview.workspace.command_forms import (
    GROUP,
    Field,
    FormState,
    add_item,
    group_count,
    raw_from_form,
    read_fields,
    remove_item,
    summary_rows,
)
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import case_navigation, render, require_person
from rapidreview.workspace.routes.cases import case_id_of

_KEY = re.compile(r"^[\x21-\x7e]{8,128}$")
_INDEXED = re.compile(r"\[(\d+)\]")


@dataclass
class CaseContext:
    """What a command page knows about its case: intake's incident and decisions' state, as the person."""

    case_id: str
    incident: intake_pb2.Incident
    state: decisions_pb2.CaseState
    today: dt.date
    item: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return self.incident.notification.child.child_ref


Submit = Callable[[Any, CaseContext, FormState, str], Awaitable[Any]]


@dataclass(frozen=True)
class Command:
    key: str
    title: str
    roles: frozenset[Role]
    fields: tuple[Field, ...]
    submit: Submit
    intro: str = ""
    check_answers: bool = True
    button: str = "Record"
    done_title: str = ""
    #: Lines of the confirmation page, from the case as it is after the call.
    done_lines: Callable[[CaseContext], list[str]] | None = None
    #: "" when the step can be taken now, else why not (the service decides in the end).
    available: Callable[[CaseContext], str] = lambda ctx: ""
    #: Request field path (or its prefix) → form field id, for the service's field violations.
    violations: Mapping[str, str] = field(default_factory=dict)
    #: Words of a refusal (FAILED_PRECONDITION) → the field it is about.
    refusals: Mapping[str, str] = field(default_factory=dict)
    #: For commands on one item of the case (an action): finds it, or None (a missing page).
    find_item: Callable[[CaseContext, str], Any] | None = None
    #: Anything else the form needs (e.g. rule editions), loaded as the person into ctx.extra.
    load: Callable[[Any, CaseContext], Awaitable[None]] | None = None
    #: The form's first answers (raw form values).
    defaults: Callable[[CaseContext], dict[str, str]] | None = None
    warning: str = ""
    #: Form names carried unseen from the page the person saw (e.g. the decision being sent), so the
    #: service refuses the step if the case moved on meanwhile; set by `defaults`.
    hidden: tuple[str, ...] = ()
    #: True when the case already shows this step recorded for these answers (a second press of the
    #: button after the first went through): the confirmation is shown, nothing is sent again.
    already_done: Callable[[CaseContext, FormState], bool] | None = None
    #: A service check of the answers before the check page (e.g. the anonymisation of a text): errors to show.
    precheck: Callable[[Any, CaseContext, FormState], Awaitable[FormErrors]] | None = None
    #: Shown on the check page under the answers (e.g. what the call will also do).
    check_note: Callable[[CaseContext, FormState], str] | None = None

    @property
    def route_name(self) -> str:
        return "decisions_" + self.key.replace("-", "_")

    def path(self, case_id: str, item_id: str = "") -> str:
        return f"/cases/{case_id}/decisions/{self.key}" + (f"/{item_id}" if item_id else "")


def new_idempotency_key() -> str:
    return f"ws-{uuid.uuid4().hex}"


async def load_context(request: Request, person: Principal, case_id: str, command: Command | None = None) -> CaseContext:
    """intake's GetIncident and decisions' GetCase (both as the person, concurrently)."""
    client = request.app.state.services.for_person(person)
    incident, case = await asyncio.gather(
        client.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id)),
        client.decisions.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id)))
    ctx = CaseContext(case_id, incident.incident, case.case, request.app.state.today())
    if command is not None and command.load is not None:
        await command.load(client, ctx)
    return ctx


def _case_id(request: Request) -> str:
    return case_id_of(request)


def _item_id(request: Request) -> str:
    raw = request.path_params.get("item_id", "")
    try:
        return str(uuid.UUID(raw)) if raw else ""
    except ValueError:
        raise errors.NotFoundError("no such item") from None


def _context(request: Request, person: Principal, command: Command, ctx: CaseContext, state: FormState, *,
             key: str, stage: str, refusal: str = "", item_id: str = "") -> dict[str, Any]:
    return {
        "title": command.title,
        "case_id": ctx.case_id,
        "reference": ctx.reference,
        "case_nav": case_navigation(request, person, ctx.case_id, "decisions"),
        "command": command,
        "ctx": ctx,
        "fields": command.fields,
        "form": state,
        "raw": state.raw,
        "errors": state.errors or None,
        "error_title": "This cannot be recorded" if refusal else "There is a problem",
        "refusal": refusal,
        "idempotency_key": key,
        "action": command.path(ctx.case_id, item_id),
        "back": str(request.url_for("case_decisions", case_id=ctx.case_id).path),
        "stage": stage,
        "group_counts": {f.id: group_count(state.raw, f) for f in command.fields if f.kind == GROUP},
        "rows": summary_rows(command.fields, state, ctx) if stage == "check" else [],
        "check_note": command.check_note(ctx, state) if stage == "check" and command.check_note else "",
        "unavailable": command.available(ctx) if stage == "form" else "",
    }


def _map_violations(command: Command, violations: list[tuple[str, str]]) -> FormErrors:
    """The service's field violations, each on the form field it concerns (else the first field)."""
    by_id = {f.id: f for f in command.fields}
    out = FormErrors()
    for path, description in violations:
        target = _violation_field(command, path) or command.fields[0].id
        if target in by_id:
            anchor, label = by_id[target].anchor, by_id[target].label
        else:  # an item of an "add another" group: "involvements-2-agency_id"
            group = next((f for f in command.fields if f.kind == GROUP and target.startswith(f"{f.id}-")), None)
            anchor, label = target, group.label if group else ""
        out.add(anchor, f"{label}: {description}" if label else description[:1].upper() + description[1:])
    return out


def _violation_field(command: Command, path: str) -> str:
    candidate = path
    while candidate:
        plain = _INDEXED.sub("", candidate)
        if candidate in command.violations:
            return command.violations[candidate]
        if plain in command.violations:
            mapped = command.violations[plain]
            indexes = _INDEXED.findall(candidate)
            # "reviewer.involvements[2].agency_id" → "involvements-2-agency_id" when mapped to a group
            return mapped.replace("{i}", indexes[0]) if indexes and "{i}" in mapped else mapped
        candidate = candidate.rpartition(".")[0]
    return ""


def _refusal_errors(command: Command, message: str) -> FormErrors:
    by_id = {f.id: f for f in command.fields}
    target = next((fid for words, fid in command.refusals.items() if words in message), "")
    anchor = by_id[target].anchor if target in by_id else (target or command.fields[0].anchor)
    out = FormErrors()
    out.add(anchor, message[:1].upper() + message[1:] if message else "This step cannot be recorded now")
    return out


def _unchecked(state: FormState) -> FormState:
    """The form shown as typed, without error marks (first view, "Change", add or remove an item)."""
    state.errors = FormErrors()
    for value in state.dates.values():
        value.error_parts = []
    return state


def make_handlers(command: Command) -> tuple[Callable[[Request], Awaitable[Response]], Callable[[Request], Awaitable[Response]]]:
    async def form_page(request: Request) -> Response:
        person = require_person(request, command.roles)
        case_id, item_id = _case_id(request), _item_id(request)
        ctx = await load_context(request, person, case_id, command)
        if command.find_item is not None:
            ctx.item = command.find_item(ctx, item_id)
            if ctx.item is None:
                raise errors.NotFoundError("no such item")
        template = "decisions/command.html"
        if request.method == "GET":
            raw = command.defaults(ctx) if command.defaults else {}
            state = _unchecked(read_fields(command.fields, dict(raw), today=ctx.today, context=ctx))
            return render(request, template, _context(request, person, command, ctx, state, key=new_idempotency_key(),
                                                      stage="form", item_id=item_id))
        form = await request.form()
        raw = raw_from_form(form)
        step = str(form.get("step", "continue"))
        key = str(form.get("idempotency_key", ""))
        key = key if _KEY.match(key) else new_idempotency_key()
        page = lambda state, stage="form", status=200, refusal="": render(  # noqa: E731
            request, template, _context(request, person, command, ctx, state, key=key, stage=stage, refusal=refusal,
                                        item_id=item_id), status=status)
        groups = {f.id: f for f in command.fields if f.kind == GROUP}
        if step.startswith(("add-", "remove-")):
            if step.startswith("add-") and step[4:] in groups:
                add_item(raw, groups[step[4:]])
            group_id, _, index = step[7:].rpartition("-")
            if step.startswith("remove-") and group_id in groups and index.isdigit():
                remove_item(raw, groups[group_id], int(index))
            return page(_unchecked(read_fields(command.fields, raw, today=ctx.today, context=ctx)))
        state = read_fields(command.fields, raw, today=ctx.today, context=ctx)
        if step == "change":
            return page(_unchecked(state))
        if state.errors:
            return page(state, status=400)
        client = request.app.state.services.for_person(person)
        if step != "confirm" and command.check_answers:
            if command.precheck is not None:
                try:
                    state.errors = await command.precheck(client, ctx, state)
                except errors.InvalidInput as exc:
                    state.errors = _map_violations(command, exc.violations)
                if state.errors:
                    return page(state, status=400)
            return page(state, stage="check")
        done = command.path(case_id, item_id) + "/done"
        if command.already_done is not None and command.already_done(ctx, state):
            return RedirectResponse(done, status_code=303)
        try:
            await command.submit(client, ctx, state, key)
        except errors.InvalidInput as exc:
            state.errors = _map_violations(command, exc.violations)
            return page(state, status=400)
        except errors.StepRefused as exc:
            state.errors = _refusal_errors(command, exc.message)
            return page(state, status=409, refusal=exc.message)
        return RedirectResponse(done, status_code=303)

    async def done_page(request: Request) -> Response:
        person = require_person(request, command.roles)
        case_id, item_id = _case_id(request), _item_id(request)
        ctx = await load_context(request, person, case_id)
        if command.find_item is not None:
            ctx.item = command.find_item(ctx, item_id)
        return render(request, "decisions/done.html", {
            "title": command.done_title or command.title,
            "case_id": case_id,
            "reference": ctx.reference,
            "case_nav": case_navigation(request, person, case_id, "decisions"),
            "lines": command.done_lines(ctx) if command.done_lines else [],
            "back": str(request.url_for("case_decisions", case_id=case_id).path),
        })

    return form_page, done_page


def command_routes(commands: tuple[Command, ...]) -> list[Route]:
    routes = []
    for command in commands:
        form_page, done_page = make_handlers(command)
        suffix = "/{item_id}" if command.find_item is not None else ""
        base = f"/cases/{{case_id}}/decisions/{command.key}{suffix}"
        routes.append(Route(base, form_page, methods=["GET", "POST"], name=command.route_name))
        routes.append(Route(f"{base}/done", done_page, name=f"{command.route_name}_done"))
    return routes


def date_text(value: dt.date | None) -> str:
    """A date as a service expects it ("" for none)."""
    return value.isoformat() if value else ""


__all__ = ["CaseContext", "Command", "command_routes", "date_text", "load_context"]
