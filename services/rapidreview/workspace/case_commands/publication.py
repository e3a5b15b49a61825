"""Publication of the local review (POST.PUBLISH): the identifying details a published text must
not contain (POST.ANONYMISED), the text checked before the check-your-answers page, and the
publication itself (refused before POST.PRESEND's earliest date or while details remain)."""

from __future__ import annotations

from typing import Any

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import decision_presenters as words
from rapidreview.workspace import presenters
from rapidreview.workspace.command_forms import DATE, LINES, RADIOS, TEXTAREA, Choice, Field, FormState
from rapidreview.workspace.commands import CaseContext, Command, date_text
from rapidreview.workspace.forms import FormErrors

BU = frozenset({Role.BUSINESS_UNIT})

DETAIL_KINDS = (
    Choice("name", "A person's name", "Each part of three letters or more is also looked for on its own"),
    Choice("place", "A place", "An address, street, school, estate or village"),
    Choice("date-of-birth", "A date of birth"),
    Choice("other", "Something else that identifies the child or family"),
)
_DETAIL_KIND = {"name": D.IDENTIFYING_DETAIL_KIND_NAME, "place": D.IDENTIFYING_DETAIL_KIND_PLACE,
                "date-of-birth": D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH, "other": D.IDENTIFYING_DETAIL_KIND_OTHER}
_KIND_WORDS = {D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE: "the child's reference", D.IDENTIFYING_DETAIL_KIND_NAME: "a name",
               D.IDENTIFYING_DETAIL_KIND_PLACE: "a place", D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH: "a date of birth",
               D.IDENTIFYING_DETAIL_KIND_OTHER: "an identifying detail"}


async def _identifying_detail(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    value = date_text(v["date-of-birth"]) if v["kind"] == "date-of-birth" else v[v["kind"]]
    await client.decisions.RecordIdentifyingDetails(D.RecordIdentifyingDetailsRequest(
        case_id=ctx.case_id, idempotency_key=key,
        details=[D.IdentifyingDetail(kind=_DETAIL_KIND[v["kind"]], value=value, label=v["label"])]))





IDENTIFYING_DETAIL = Command(
    key="identifying-detail",
    title="Add an identifying detail",
    roles=BU,
    intro="Names, places and dates of birth that a published report must not contain (POST.ANONYMISED). The child's "
          "reference is always checked. Publication is refused while any of them remains in the text.",
    fields=(
        Field("kind", "What kind of detail", RADIOS, choices=DETAIL_KINDS),
        Field("name", "The name", max_length=200, only_when=("kind", "name")),
        Field("place", "The place", max_length=200, only_when=("kind", "place")),
        Field("date-of-birth", "Date of birth", DATE, only_when=("kind", "date-of-birth")),
        Field("other", "The detail", max_length=200, only_when=("kind", "other")),
        Field("label", "What it is", max_length=100, hint="For example, mother's first name. Must not itself identify anyone."),
    ),
    submit=_identifying_detail,
    check_answers=False,
    button="Add the detail",
    done_title="Identifying detail added",
    done_lines=lambda ctx: [f"The case now has {ctx.state.identifying_details} identifying detail"
                            f"{'s' if ctx.state.identifying_details != 1 else ''}, the child's reference included."],
    available=lambda ctx: "The review is published." if ctx.state.publication.review_id else "",
    violations={"details.kind": "kind", "details.value": "name", "details.label": "label", "details": "kind"},
)


def _publish_available(ctx: CaseContext) -> str:
    if ctx.state.publication.review_id:
        return "The review is already published."
    if not ctx.state.review.review_id:
        return "Publication follows the commissioned review, its agreed report and its sending to the Panel and the Secretary of State."
    return ""


def publication_readiness(ctx: CaseContext) -> list[dict[str, Any]]:
    """What publication needs, each with whether it is recorded (shown on the index and the check page)."""
    review = ctx.state.review
    agreed = words.milestone_done(review, D.MILESTONE_KIND_FINAL_REPORT_AGREED)
    sent = words.milestone_done(review, D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS)
    family = words.milestone_done(review, D.MILESTONE_KIND_FAMILY_SAW_REPORT)
    return [
        {"rule": "POST.PUBLISH", "text": "The partners agreed the final report", "done": agreed is not None,
         "when": presenters.long_date(agreed.occurred_on) if agreed else ""},
        {"rule": "POST.PRESEND", "text": "The report was sent to the Panel and the Secretary of State", "done": sent is not None,
         "when": (f"{presenters.long_date(sent.occurred_on)}; publish from {presenters.long_date(review.earliest_publication_date)}"
                  if sent else "")},
        {"rule": "POST.FAMILY", "text": "The family saw the report before publication", "done": family is not None,
         "when": presenters.long_date(family.occurred_on) if family else ""},
        {"rule": "POST.ANONYMISED", "text": f"Identifying details recorded to check the text against: {ctx.state.identifying_details}",
         "done": ctx.state.identifying_details > 0, "when": ""},
    ]


async def _check_text(client: Any, ctx: CaseContext, state: FormState) -> FormErrors:
    """CheckAnonymisation on the text before the person confirms (the text is neither stored nor logged)."""
    found = await client.decisions.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=ctx.case_id, text=state.values["text"]))
    errors = FormErrors()
    if not found.anonymised:
        where = "; ".join(f"{f.label or _KIND_WORDS.get(f.kind, 'a detail')} at line {f.line}, column {f.column}"
                          for f in found.findings[:10])
        more = f" and {len(found.findings) - 10} more" if len(found.findings) > 10 else ""
        errors.add("text", f"The text still contains {len(found.findings)} identifying detail"
                           f"{'s' if len(found.findings) != 1 else ''} (POST.ANONYMISED): {where}{more}")
    return errors


_PUBLICATION_KIND = {"report": D.PUBLICATION_KIND_REPORT, "improvements": D.PUBLICATION_KIND_IMPROVEMENTS_ONLY}


async def _publish(client: Any, ctx: CaseContext, state: FormState, key: str) -> None:
    v = state.values
    await client.decisions.Publish(D.PublishRequest(
        case_id=ctx.case_id, idempotency_key=key, kind=_PUBLICATION_KIND[v["kind"]], published_on=date_text(v["published-on"]),
        text=v["text"], location=v["location"], available_until=date_text(v["available-until"]),
        not_publishing_rationale=v["rationale"] or "", learning_themes=v["themes"]), timeout=60)


def _publish_note(ctx: CaseContext, state: FormState) -> str:
    missing = [item["text"].lower() for item in publication_readiness(ctx)[:3] if not item["done"]]
    note = "No identifying detail of the case was found in the text."
    if missing:
        note += " Not recorded yet: " + "; ".join(missing) + "."
    return note


def _publish_done(ctx: CaseContext) -> list[str]:
    p = ctx.state.publication
    if not p.review_id:
        return []
    return [f"{words.PUBLICATION_KINDS.get(p.kind, 'Publication')}, published {presenters.long_date(p.published_on)}"
            f"{', after the six-month target (POST.SIX_MONTHS)' if p.late else ''}.",
            f"Publicly available at least until {presenters.long_date(p.available_until)}.",
            f"{len(p.learning_themes)} learning theme{'s' if len(p.learning_themes) != 1 else ''} shared for recurrent themes "
            "of later cases (LOCAL.RECURRENT_THEMES)."]


PUBLISH = Command(
    key="publish",
    title="Record the publication",
    roles=BU,
    intro="Record the publication of the review's report, or, where publishing it is inappropriate, of information about "
          "the improvements (POST.PUBLISH). The text is checked for the case's identifying details (POST.ANONYMISED) and "
          "may be published no earlier than POST.PRESEND allows: the earliest publication date the case shows, the working "
          "days its rule file sets after the report was sent to the Panel and the Secretary of State.",
    fields=(
        Field("kind", "What is published", RADIOS, choices=(
            Choice("report", "The report"),
            Choice("improvements", "Information about the improvements", "Publishing the report itself is inappropriate"))),
        Field("rationale", "Why the report itself is not published", TEXTAREA, max_length=4000,
              only_when=("kind", "improvements")),
        Field("published-on", "Date published", DATE, not_future=False, hint="The date it was or will be published, for example 20 12 2024"),
        Field("location", "Where it is published", max_length=500, hint="For example, the partnership's web page address"),
        Field("available-until", "Publicly available until", DATE, required=False, not_future=False,
              hint="Leave empty for one year after publication, the minimum"),
        Field("themes", "Learning themes", LINES, max_items=30, max_length=200,
              hint="One a line, in the words of the themes list where possible (1 to 30)"),
        Field("text", "The text as published", TEXTAREA, max_length=1_000_000,
              hint="Paste the whole published text. It is checked for the case's identifying details."),
    ),
    submit=_publish,
    button="Record the publication",
    done_title="Publication recorded",
    done_lines=_publish_done,
    available=_publish_available,
    already_done=lambda ctx, state: (bool(ctx.state.publication.review_id)
                                     and ctx.state.publication.published_on == date_text(state.values["published-on"])),
    violations={"kind": "kind", "published_on": "published-on", "text": "text", "location": "location",
                "available_until": "available-until", "not_publishing_rationale": "rationale", "learning_themes": "themes"},
    refusals={"POST.ANONYMISED": "text", "POST.PRESEND": "published-on", "FINAL_REPORT_AGREED": "published-on",
              "SENT_TO_PANEL_AND_SOS": "published-on", "POST.FAMILY": "published-on"},
    check_note=_publish_note,
    precheck=_check_text,
)

COMMANDS = (IDENTIFYING_DETAIL, PUBLISH)
