"""The sections of an agency return as the form asks them, in task-list order.

A section is either one page of questions (`single`: involvement, about the return)
or a list of items with the "add another" pattern (chronology, concerns, learning,
good practice, immediate actions, key practice episodes). Each list's cap is
gathering's (5,000 chronology entries, 200 of anything else). Words follow the
Panel's rapid review template and gathering.proto.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidreview.gathering.domain import validation as limits
from rapidreview.workspace.returns.fields import (
    CHECKBOXES, DATE, LIST, RADIOS, REVIEW_ID, SELECT, TEXT, TEXTAREA, YESNO, Field,
)

INVOLVEMENT_OPTIONS = (("involved", "Yes, we had contact with the child or family"),
                       ("not_involved", "No, we checked our records and had no involvement"))
#: ContactType names (without CONTACT_TYPE_) and the words shown for them.
CONTACT_TYPES = (
    ("HOME_VISIT", "Home visit"), ("APPOINTMENT", "Appointment (clinic, surgery or office)"),
    ("CALL", "Telephone or video call"), ("CALL_OUT", "Police call-out or attendance"),
    ("EMERGENCY_ATTENDANCE", "Emergency department attendance"), ("ADMISSION", "Hospital admission"),
    ("REFERRAL", "Referral made or received"), ("STRATEGY_DISCUSSION", "Strategy discussion or meeting"),
    ("MEETING", "Multi-agency or case meeting"), ("ASSESSMENT", "Assessment"),
    ("MISSED_CONTACT", "Missed contact (not brought, no access)"), ("CORRESPONDENCE", "Letter, e-mail or other written contact"),
    ("SETTING_ATTENDANCE", "Attendance at school, nursery or another setting"), ("OTHER", "Something else (say what)"),
)
CONCERN_TYPES = (
    ("INFORMATION_SHARING", "Information was not shared, or shared late"),
    ("REFERRAL", "A referral was not made, or not acted on"),
    ("ESCALATION", "Disagreement was not escalated, or escalation did not work"),
    ("JOINT_ASSESSMENT", "Assessment was not joint where it should have been"),
    ("SINGLE_AGENCY_PRACTICE", "Our own agency's practice"),
    ("OTHER", "Something else (say what)"),
)
ACTION_SUBJECTS = (
    ("CHILD", "The child"), ("SIBLING", "A sibling of the child"),
    ("OTHER_CHILDREN", "Other children (household, setting or community)"), ("AGENCY_PRACTICE", "Our own agency's practice"),
)
ACTED_ON = (("YES", "Yes"), ("PARTLY", "Partly"), ("NO", "No"), ("UNKNOWN", "Not known"))


@dataclass(frozen=True)
class Section:
    key: str            # URL part and draft key
    title: str          # task list and page heading
    fields: tuple[Field, ...]
    single: bool = False
    item_name: str = ""  # "entry": "Add an entry", "Remove this entry"
    max_items: int = 0
    #: Fields shown as the columns of the list page (first is the row's name).
    columns: tuple[str, ...] = ()
    hint: str = ""
    #: The AgencyReturn field the section fills (for the service's field violations).
    proto_field: str = ""
    optional: bool = True

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def item_plural(self) -> str:
        """"entry" → "entries", "example of good practice" → "examples of good practice"."""
        head, sep, tail = self.item_name.partition(" of ")
        head = head[:-1] + "ies" if head.endswith("y") else head + "s"
        return head + sep + tail

    @property
    def item_article(self) -> str:
        return "an" if self.item_name[:1] in "aeiou" else "a"


SECTIONS: tuple[Section, ...] = (
    Section("involvement", "Involvement with the child or family", single=True, optional=False, fields=(
        Field("involvement", "Did your agency have any involvement with the child or family?", RADIOS, required=True,
              options=INVOLVEMENT_OPTIONS, noun="whether your agency had involvement"),
        Field("start", "When did your involvement start?", DATE, noun="the date your involvement started",
              hint="Only if you had involvement. For example, 27 3 2023"),
        Field("end", "When did it end?", DATE, noun="the date your involvement ended",
              hint="Leave empty if it is still going on"),
        Field("summary", "Summary of your involvement", TEXTAREA, max_len=limits.MAX_TEXT,
              hint="What your agency's contact with the child or family was, in a few sentences. "
                   "Name practitioners by role, never by name."),
    ), proto_field="involvement"),
    Section("chronology", "Chronology of contacts", item_name="entry", max_items=limits.MAX_CHRONOLOGY,
            columns=("date", "contact_type", "role", "summary"), proto_field="chronology",
            hint="Each contact your agency had with the child or family, oldest first. You can add them one by one "
                 "or import them from a spreadsheet.", fields=(
        Field("date", "Date of the contact", DATE, required=True, noun="the date of the contact", hint="For example, 7 3 2024"),
        Field("contact_type", "Type of contact", SELECT, required=True, options=CONTACT_TYPES, noun="the type of contact"),
        Field("role", "Practitioner's role", TEXT, required=True, max_len=limits.MAX_ROLE, role=True,
              noun="the practitioner's role", hint="For example, health visitor. A role, never a name.",
              classes="govuk-!-width-two-thirds"),
        Field("summary", "What happened", TEXTAREA, required=True, max_len=limits.MAX_TEXT, noun="what happened"),
        Field("decisions", "Decisions made at or after the contact (optional)", TEXTAREA, max_len=limits.MAX_SHORT_TEXT,
              noun="the decisions"),
        Field("ref", "Your reference for the record (optional)", TEXT, max_len=64, noun="your reference",
              classes="govuk-input--width-20"),
    )),
    Section("concerns", "Concerns about working together", item_name="concern", max_items=limits.MAX_ITEMS,
            columns=("type", "about", "description"), proto_field="concerns",
            hint="Concerns about how agencies worked together, including joint working and your own agency's practice.",
            fields=(
        Field("type", "What is the concern about?", RADIOS, required=True, options=CONCERN_TYPES, noun="what the concern is about"),
        Field("own_agency", "Is the concern about your own agency?", YESNO, required=True, noun="the concern is about your own agency"),
        Field("about", "Which other agencies is it about?", LIST, max_items=limits.MAX_ABOUT, max_len=64,
              noun="the agencies it is about",
              hint="The agencies' names, separated by commas, for example: Health visiting, West Yorkshire Police"),
        Field("description", "Describe the concern", TEXTAREA, required=True, max_len=limits.MAX_TEXT, noun="the concern"),
    )),
    Section("learning", "Learning", item_name="learning point", max_items=limits.MAX_ITEMS,
            columns=("description", "themes"), proto_field="learning",
            hint="What your agency thinks could be learned, with the themes it is about.", fields=(
        Field("description", "What is the learning?", TEXTAREA, required=True, max_len=limits.MAX_TEXT, noun="the learning"),
        Field("themes", "Which themes is it about?", CHECKBOXES, max_items=limits.MAX_THEMES, noun="a theme",
              hint="Select all that apply (up to 10 with any other themes)."),
        Field("other_themes", "Other themes (optional)", LIST, max_len=limits.MAX_THEME, noun="other themes",
              hint="Only if none of the themes above fits; separate them with commas"),
        Field("already_identified", "Had this learning already been identified before this case?", YESNO, required=True,
              noun="the learning had already been identified", hint="For example, by an earlier review"),
        Field("acted_on", "Was the earlier learning acted on?", RADIOS, options=ACTED_ON, when=("already_identified", "yes"),
              noun="whether the earlier learning was acted on", hint="Only if it had been identified before"),
        Field("earlier_reviews", "Which earlier reviews identified it? (optional)", LIST, max_items=20,
              item_pattern=REVIEW_ID, when=("already_identified", "yes"), noun="the earlier reviews",
              hint="Only if it had been identified before: their references, separated by commas, for example LSCP-2021-03"),
    )),
    Section("good_practice", "Good practice", item_name="example of good practice", max_items=limits.MAX_ITEMS,
            columns=("description", "date"), proto_field="good_practice", fields=(
        Field("description", "What was done well?", TEXTAREA, required=True, max_len=limits.MAX_TEXT, noun="what was done well"),
        Field("date", "When? (optional)", DATE, noun="the date", hint="For example, 4 6 2024"),
    )),
    Section("actions", "Immediate safeguarding actions", item_name="action", max_items=limits.MAX_ITEMS,
            columns=("date", "subject", "description", "completed"), proto_field="immediate_actions",
            hint="Actions your agency has already taken to keep the child, siblings or other children safe, "
                 "or to change its own practice straight away.", fields=(
        Field("date", "Date the action was taken", DATE, required=True, noun="the date the action was taken"),
        Field("subject", "Whom does the action protect?", RADIOS, required=True, options=ACTION_SUBJECTS, noun="whom the action protects"),
        Field("description", "What was done?", TEXTAREA, required=True, max_len=limits.MAX_SHORT_TEXT, noun="what was done"),
        Field("completed", "Is the action complete?", YESNO, required=True, noun="the action is complete"),
    )),
    Section("episodes", "Key practice episodes", item_name="episode", max_items=limits.MAX_ITEMS,
            columns=("title", "start", "description"), proto_field="key_practice_episodes",
            hint="Moments your agency thinks mattered most for what happened (optional).", fields=(
        Field("title", "Short title", TEXT, required=True, max_len=limits.MAX_TITLE, noun="a short title"),
        Field("start", "When did it start?", DATE, required=True, noun="the date it started"),
        Field("end", "When did it end? (optional)", DATE, noun="the date it ended"),
        Field("description", "What happened and why it matters", TEXTAREA, required=True, max_len=limits.MAX_TEXT,
              noun="what happened and why it matters"),
    )),
    Section("about", "Family context and who completed the return", single=True, proto_field="family_context", fields=(
        Field("family_context", "The family's context as your agency knows it (optional)", TEXTAREA, max_len=limits.MAX_TEXT,
              noun="the family's context", hint="For example, inequalities, racism, disability, housing."),
        Field("completed_by_role", "Your role", TEXT, max_len=limits.MAX_ROLE, role=True, noun="your role",
              hint="For example, named nurse for safeguarding. A role, never a name.", classes="govuk-!-width-two-thirds"),
    )),
)
BY_KEY = {s.key: s for s in SECTIONS}
LISTS = tuple(s for s in SECTIONS if not s.single)


def section(key: str) -> Section | None:
    return BY_KEY.get(key)


def with_themes(sec: Section, themes: Sequence[str]) -> Section:
    """The learning section with the vocabulary's themes as its checkboxes."""
    if sec.key != "learning":
        return sec
    fields = tuple(Field(f.name, f.label, f.kind, f.required, f.max_len, f.hint, tuple((t, t) for t in themes), f.role,
                         f.noun, f.max_items, f.item_pattern, f.when, f.classes) if f.name == "themes" else f for f in sec.fields)
    return Section(sec.key, sec.title, fields, sec.single, sec.item_name, sec.max_items, sec.columns, sec.hint,
                   sec.proto_field, sec.optional)


def label_of(options: tuple[tuple[str, str], ...], value: str) -> str:
    return dict(options).get(value, value)
