"""The action plan (POST.ACTION_PLAN; RR.IMMEDIATE_LEARNING: allowed at any stage of a live case):
add an action with its owner agency and due date, then move it on (in progress, completed with
evidence, cancelled with the reason)."""

from __future__ import annotations

from typing import Any

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.command_forms import DATE, RADIOS, TEXTAREA, Choice, Field, FormState
from rapidreview.workspace.commands import CaseContext, Command, date_text

BU = frozenset({Role.BUSINESS_UNIT})


def _live(ctx: CaseContext) -> str:
    return "The notification was withdrawn: nothing more can be recorded." if ctx.state.withdrawn else ""


async def _add_action(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    await client.decisions.AddAction(D.AddActionRequest(
        case_id=ctx.case_id, idempotency_key=key, description=v["description"], owner_agency_id=v["owner"],
        due_date=date_text(v["due-date"]), theme=v["theme"], agreed_on=date_text(v["agreed-on"])))


def _latest_action(ctx: CaseContext) -> D.Action | None:
    actions = sorted(ctx.state.actions, key=lambda a: (a.updated_at.seconds, a.updated_at.nanos))
    return actions[-1] if actions else None


ADD_ACTION = Command(
    key="add-action",
    title="Add an action to the action plan",
    roles=BU,
    intro="An action agreed with the agencies turns learning into practice change (POST.ACTION_PLAN). Immediate learning "
          "is acted on whatever the decision (RR.IMMEDIATE_LEARNING), so actions can be added at any stage.",
    fields=(
        Field("description", "What is to be done", TEXTAREA, max_length=2000),
        Field("owner", "Owner agency", max_length=64, width="govuk-input--width-20",
              hint="The agency id, for example west-yorkshire-police"),
        Field("due-date", "Due date", DATE, not_future=False),
        Field("theme", "Learning theme it addresses", required=False, max_length=200),
        Field("agreed-on", "Date agreed", DATE, required=False, hint="Leave empty for today. For example, 24 6 2024"),
    ),
    submit=_add_action,
    check_answers=False,
    button="Add the action",
    done_title="Action added",
    done_lines=lambda ctx: [f"Owned by {a.owner_agency_id}, due {presenters.long_date(a.due_date)}."] if (a := _latest_action(ctx)) else [],
    available=_live,
    violations={"description": "description", "owner_agency_id": "owner", "due_date": "due-date", "theme": "theme",
                "agreed_on": "agreed-on"},
)

STATUS_CHOICES = (
    Choice("in-progress", "In progress"),
    Choice("completed", "Completed", "Give the evidence of completion"),
    Choice("cancelled", "Cancelled", "Give the reason"),
)
_STATUS = {"in-progress": D.ACTION_STATUS_IN_PROGRESS, "completed": D.ACTION_STATUS_COMPLETED, "cancelled": D.ACTION_STATUS_CANCELLED}


def _find_action(ctx: CaseContext, action_id: str) -> D.Action | None:
    return next((a for a in ctx.state.actions if a.action_id == action_id), None)


async def _update_action(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    completed, cancelled = v["status"] == "completed", v["status"] == "cancelled"
    evidence = v["evidence"] if completed else v["reason"] if cancelled else ""
    closed_on = v["completed-on"] if completed else v["cancelled-on"] if cancelled else None
    await client.decisions.UpdateAction(D.UpdateActionRequest(
        case_id=ctx.case_id, action_id=ctx.item.action_id, status=_STATUS[v["status"]], due_date=date_text(v["due-date"]),
        evidence=evidence or "", closed_on=date_text(closed_on)))


def _update_available(ctx: CaseContext) -> str:
    if ctx.item is not None and ctx.item.status in (D.ACTION_STATUS_COMPLETED, D.ACTION_STATUS_CANCELLED):
        return "This action is closed: it cannot change."
    return ""


def _update_done(ctx: CaseContext) -> list[str]:
    a = ctx.item
    if a is None:
        return []
    return [f"{words.action_tag(a)['text']}: {a.description[:120]}{'…' if len(a.description) > 120 else ''}",
            f"Owned by {a.owner_agency_id}, due {presenters.long_date(a.due_date)}."
            + (f" Closed on {presenters.long_date(a.closed_on)}." if a.closed_on else "")]


UPDATE_ACTION = Command(
    key="update-action",
    title="Update an action",
    roles=BU,
    intro="Move the action on. A completed action needs its evidence; a closed action cannot be reopened.",
    fields=(
        Field("status", "Status", RADIOS, choices=STATUS_CHOICES),
        Field("evidence", "Evidence of completion", TEXTAREA, max_length=4000, only_when=("status", "completed")),
        Field("reason", "Why it was cancelled", TEXTAREA, max_length=4000, only_when=("status", "cancelled")),
        Field("completed-on", "Date completed", DATE, only_when=("status", "completed")),
        Field("cancelled-on", "Date cancelled", DATE, only_when=("status", "cancelled")),
        Field("due-date", "New due date", DATE, required=False, not_future=False,
              hint="Leave empty to keep the due date. For example, 30 9 2025"),
    ),
    submit=_update_action,
    check_answers=False,
    button="Update the action",
    done_title="Action updated",
    done_lines=_update_done,
    available=_update_available,
    find_item=_find_action,
    defaults=lambda ctx: {"status": {D.ACTION_STATUS_IN_PROGRESS: "in-progress"}.get(ctx.item.status, "")} if ctx.item else {},
    violations={"status": "status", "evidence": "evidence", "closed_on": "completed-on", "due_date": "due-date"},
    refusals={"closed": "status"},
)

COMMANDS = (ADD_ACTION, UPDATE_ACTION)
