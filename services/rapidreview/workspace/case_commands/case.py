"""Commands on the case's other records that the business unit takes from the decisions page:
re-evaluating the criteria (criteria's ReevaluateCase, with its reason, optionally under another
rule edition) and extending a statutory clock of intake (ExtendClock: NOTIFY.DEADLINE or
RR.DEADLINE, with the reason; the original due date stays visible)."""

from __future__ import annotations

from typing import Any

from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2, intake_pb2
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.command_forms import DATE, RADIOS, TEXTAREA, Choice, Field, FormState
from rapidreview.workspace.commands import CaseContext, Command, date_text

BU = frozenset({Role.BUSINESS_UNIT})
KEEP = "keep"


async def _load_editions(client: Any, ctx: CaseContext) -> None:
    found = await client.criteria.ListRuleEditions(criteria_pb2.ListRuleEditionsRequest())
    aware = ctx.incident.notification.la_aware_date
    # Only versions whose period covers the awareness date can be used (else FAILED_PRECONDITION).
    ctx.extra["editions"] = [f"{e.name}@{e.version}" for e in found.editions
                             if e.effective_from <= aware and (not e.effective_to or aware <= e.effective_to)]


def _edition_choices(ctx: Any) -> tuple[Choice, ...]:
    pinned = ctx.state.evaluations[-1].edition_version if ctx is not None and ctx.state.evaluations else ""
    keep = Choice(KEEP, "Keep the edition the case is pinned to" + (f" ({pinned})" if pinned else ""))
    others = tuple(Choice(e, f"Re-pin the case to {e}") for e in (ctx.extra.get("editions", []) if ctx is not None else [])
                   if e != pinned)
    return (keep, *others)


_JUDGEMENT = (Choice(KEEP, "Keep what was recorded before"), Choice("yes", "Yes"), Choice("no", "No"))


async def _reevaluate(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    request = criteria_pb2.ReevaluateCaseRequest(case_id=ctx.case_id, reason=v["reason"],
                                                 edition_version="" if v["edition"] == KEEP else v["edition"])
    if v["no-agency-concern"] != KEEP:
        request.no_agency_involvement_concern = v["no-agency-concern"] == "yes"
    if v["family-moved"] != KEEP:
        request.family_moved_between_areas = v["family-moved"] == "yes"
    await client.criteria.ReevaluateCase(request, timeout=30)


REEVALUATE = Command(
    key="reevaluate",
    title="Re-evaluate the criteria",
    roles=BU,
    intro="Evaluate the statutory criteria again on the case's current facts, for example after new information or when a "
          "rule edition was corrected. The new evaluation is stored beside the earlier ones, with your reason; the advisory "
          "group's recommendation still cites the evaluation it worked from.",
    fields=(
        Field("reason", "Why the criteria are evaluated again", TEXTAREA, max_length=2000),
        Field("edition", "Rule edition", RADIOS, choices=_edition_choices),
        Field("no-agency-concern", "Does the absence of agency involvement itself give cause for concern? (REGARD.NO_AGENCY)",
              RADIOS, choices=_JUDGEMENT, summary_label="No agency involvement a cause for concern (REGARD.NO_AGENCY)"),
        Field("family-moved", "Did the family move between areas? (REGARD.CROSS_BOUNDARY)", RADIOS, choices=_JUDGEMENT,
              summary_label="The family moved between areas (REGARD.CROSS_BOUNDARY)"),
    ),
    submit=_reevaluate,
    button="Re-evaluate",
    done_title="Criteria re-evaluated",
    done_lines=lambda ctx: ["A new evaluation is stored with your reason and published to the advisory group's checklist.",
                            "The checklist summary in Documents shows the latest evaluation."],
    available=lambda ctx: "The notification was withdrawn." if ctx.state.withdrawn else "",
    load=_load_editions,
    defaults=lambda ctx: {"edition": KEEP, "no-agency-concern": KEEP, "family-moved": KEEP},
    violations={"reason": "reason", "edition_version": "edition", "no_agency_involvement_concern": "no-agency-concern",
                "family_moved_between_areas": "family-moved"},
    refusals={"edition": "edition"},
)


def _open_clock_choices(ctx: Any) -> tuple[Choice, ...]:
    if ctx is None:
        return ()
    return tuple(Choice(c.id, f"{words.CLOCK_NAMES.get(c.id) or presenters.CLOCK_NAMES.get(c.id, c.id)} ({c.id})",
                        f"Due {presenters.long_date(c.effective_due or c.due)}") for c in ctx.incident.clocks if not c.completed_on)


async def _extend_clock(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    await client.intake.ExtendClock(intake_pb2.ExtendClockRequest(
        case_id=ctx.case_id, clock_id=v["clock"], extended_to=date_text(v["extended-to"]), reason=v["reason"]))


def _extend_done(ctx: CaseContext) -> list[str]:
    lines = []
    for clock in ctx.incident.clocks:
        if clock.extensions:
            lines.append(f"{clock.id}: now due {presenters.long_date(clock.effective_due)} (statutory due date "
                         f"{presenters.long_date(clock.due)}).")
    return lines


EXTEND_CLOCK = Command(
    key="extend-clock",
    title="Extend a statutory clock",
    roles=BU,
    intro="Record an extension of the notification or rapid review clock with its reason. An extension never silently "
          "changes a deadline: the statutory due date stays visible beside the new one.",
    fields=(
        Field("clock", "Which clock", RADIOS, choices=_open_clock_choices),
        Field("extended-to", "New due date", DATE, not_future=False, hint="After the due date in force. For example, 5 7 2024"),
        Field("reason", "Why the clock is extended", TEXTAREA, max_length=2000),
    ),
    submit=_extend_clock,
    button="Extend the clock",
    done_title="Clock extended",
    done_lines=_extend_done,
    available=lambda ctx: "" if any(not c.completed_on for c in ctx.incident.clocks) else "No clock of intake is running.",
    violations={"clock_id": "clock", "extended_to": "extended-to", "reason": "reason"},
    refusals={"due date": "extended-to", "clock": "clock"},
)

COMMANDS = (REEVALUATE, EXTEND_CLOCK)
