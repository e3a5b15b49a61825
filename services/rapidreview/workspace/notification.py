"""Notifying an incident in question pages: what each page asks, how its answers are read and
checked, and how the draft becomes intake's NotifyIncidentRequest (pure: no I/O).

The draft (kept server-side by `drafts.py`, key "notify") is a dict:

    {"key": idempotency key of this notification, kept across retries and double clicks,
     "answers": {page answers, as typed},
     "done": [slugs of the pages answered],
     "service_errors": {slug: [[field id, message], ...]}   # intake's field violations at submit,
     "case_id": set once intake recorded it}

Pages check what the person can get wrong on them (required answers, real dates, lengths the API
documents); intake checks the whole notification when it is sent and its field violations are
shown on the page of each field.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.workspace.agency_form import AREA_OF_PROTO, KIND_OF_PROTO, AgencyRow, rows_from_form, validate_rows
from rapidreview.workspace.date_input import DateValue

DRAFT_KEY = "notify"
MAX_REF, MAX_LA, MAX_DESCRIPTION = 64, 100, 4000


@dataclass(frozen=True)
class Page:
    slug: str
    title: str


PAGES = (
    Page("child", "About the child"),
    Page("circumstances", "Which of these apply to the child?"),
    Page("what-happened", "What happened to the child?"),
    Page("harm", "About the harm"),
    Page("abuse-or-neglect", "Is abuse or neglect known or suspected?"),
    Page("dates", "When did it happen?"),
    Page("place", "Where did it happen?"),
    Page("setting", "Where was the child when it happened?"),
    Page("agencies", "Which agencies were involved with the child or family?"),
    Page("referral", "Did an agency refer the incident to the local authority?"),
)
PAGE = {p.slug: p for p in PAGES}

CIRCUMSTANCES = (
    ("looked_after", "Looked after by a local authority"),
    ("care_leaver", "A care leaver"),
    ("disability", "Has a known disability"),
    ("child_protection_plan", "Subject of a child protection plan"),
)
NATURES = (
    ("death", common_pb2.NATURE_DEATH, "The child died"),
    ("serious_harm", common_pb2.NATURE_SERIOUS_HARM, "The child was seriously harmed"),
    ("other", common_pb2.NATURE_OTHER, "Neither: it is referred for consideration"),
)
HARM_DOMAINS = (
    ("physical_health", common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH, "Physical health"),
    ("mental_health", common_pb2.HARM_DOMAIN_MENTAL_HEALTH, "Mental health (serious or long-term)"),
    ("intellectual", common_pb2.HARM_DOMAIN_INTELLECTUAL_DEVELOPMENT, "Intellectual development"),
    ("emotional", common_pb2.HARM_DOMAIN_EMOTIONAL_DEVELOPMENT, "Emotional development"),
    ("social", common_pb2.HARM_DOMAIN_SOCIAL_DEVELOPMENT, "Social development"),
    ("behavioural", common_pb2.HARM_DOMAIN_BEHAVIOURAL_DEVELOPMENT, "Behavioural development"),
)
ABUSE = (
    ("known", common_pb2.ABUSE_OR_NEGLECT_KNOWN, "Known"),
    ("suspected", common_pb2.ABUSE_OR_NEGLECT_SUSPECTED, "Suspected"),
    ("not_suspected", common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED, "Neither known nor suspected"),
)
COUNTRIES = (
    ("england", common_pb2.COUNTRY_ENGLAND, "England"),
    ("wales", common_pb2.COUNTRY_WALES, "Wales"),
    ("scotland", common_pb2.COUNTRY_SCOTLAND, "Scotland"),
    ("northern_ireland", common_pb2.COUNTRY_NORTHERN_IRELAND, "Northern Ireland"),
    ("outside_uk", common_pb2.COUNTRY_OUTSIDE_UK, "Outside the United Kingdom"),
)
SETTINGS = (
    ("family_home", common_pb2.SETTING_FAMILY_HOME, "The family home", ""),
    ("foster_home", common_pb2.SETTING_FOSTER_HOME, "A foster home", ""),
    ("residential", common_pb2.SETTING_RESIDENTIAL_CHILDRENS_HOME, "A residential children's home", "An institutional setting"),
    ("school", common_pb2.SETTING_SCHOOL, "A school", "An institutional setting"),
    ("hospital", common_pb2.SETTING_HOSPITAL, "A hospital", "An institutional setting"),
    ("nursery", common_pb2.SETTING_NURSERY, "A nursery or other early years setting", "An institutional setting"),
    ("custody", common_pb2.SETTING_CUSTODY, "Police or youth custody", "An institutional setting"),
    ("secure_estate", common_pb2.SETTING_SECURE_ESTATE, "The secure estate",
     "Secure children's home, secure training centre or young offender institution"),
    ("other_institution", common_pb2.SETTING_OTHER_INSTITUTION, "Another institutional setting", ""),
    ("other", common_pb2.SETTING_OTHER, "A public place or anywhere else", ""),
)


def _labels(options: tuple[tuple[Any, ...], ...]) -> dict[str, str]:
    return {o[0]: o[2] for o in options}


def _values(options: tuple[tuple[Any, ...], ...]) -> dict[str, int]:
    return {o[0]: o[1] for o in options}


NATURE_LABEL, ABUSE_LABEL, COUNTRY_LABEL = _labels(NATURES), _labels(ABUSE), _labels(COUNTRIES)
SETTING_LABEL, DOMAIN_LABEL, CIRCUMSTANCE_LABEL = _labels(SETTINGS), _labels(HARM_DOMAINS), dict(CIRCUMSTANCES)


# -- the draft ------------------------------------------------------------------------------

def new_draft() -> dict[str, Any]:
    """A fresh notification: its own idempotency key, so a double click never creates two incidents."""
    return {"key": f"workspace-notify-{uuid.uuid4()}", "answers": {}, "done": [], "service_errors": {}, "case_id": ""}


def answers(draft: dict[str, Any]) -> dict[str, Any]:
    return draft.setdefault("answers", {})


def agencies_of(draft: dict[str, Any]) -> list[AgencyRow]:
    return [AgencyRow.from_dict(a) for a in answers(draft).get("agencies", [])]


def next_page(slug: str) -> str:
    """The page after `slug` ("check" after the last)."""
    slugs = [p.slug for p in PAGES]
    index = slugs.index(slug)
    return slugs[index + 1] if index + 1 < len(slugs) else "check"


def previous_page(slug: str) -> str:
    """The page before `slug` ("" before the first: the start page)."""
    slugs = [p.slug for p in PAGES]
    index = slugs.index(slug) if slug in slugs else len(slugs)
    return slugs[index - 1] if index > 0 else ""


def first_unanswered(draft: dict[str, Any]) -> str:
    """The first page still to answer ("" when every page is answered and consistent)."""
    done = set(draft.get("done", []))
    referral = answers(draft).get("referred_by", "")
    for page in PAGES:
        if page.slug not in done:
            return page.slug
        if page.slug == "referral" and referral and referral not in {a.effective_id for a in agencies_of(draft)}:
            return page.slug  # the referring agency was removed from the list since
    return ""


# -- reading and checking one page ------------------------------------------------------------

Errors = list[tuple[str, str]]


def read_page(slug: str, form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The page's answers from the form (as typed, to show back) and what is wrong with them."""
    return _READERS[slug](form, today, draft)


def _text(form: Any, name: str, cap: int) -> str:
    # Keep a little more than the limit, so an over-long answer is shown back and refused, not cut.
    return str(form.get(name, "")).strip()[: cap + 1000]


def _read_child(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    got = {"child_ref": _text(form, "child-ref", MAX_REF), "age_years": _text(form, "age-years", 3)[:8],
           "unborn": form.get("unborn") == "yes"}
    errors: Errors = []
    if not got["child_ref"]:
        errors.append(("child-ref", "Enter the child's reference"))
    elif len(got["child_ref"]) > MAX_REF:
        errors.append(("child-ref", f"The child's reference must be {MAX_REF} characters or fewer"))
    elif not got["child_ref"].isprintable():
        errors.append(("child-ref", "The child's reference must be letters, digits, spaces and punctuation only"))
    if got["unborn"] and got["age_years"]:
        errors.append(("age-years", "Leave the age empty for an unborn child"))
    elif not got["unborn"] and not got["age_years"]:
        errors.append(("age-years", "Enter the child's age in completed years, or select that the child was unborn"))
    elif got["age_years"] and (not got["age_years"].isdigit() or not 0 <= int(got["age_years"]) <= 25):
        errors.append(("age-years", "The child's age must be a whole number of years from 0 to 25"))
    return got, errors


def _read_circumstances(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    chosen = [str(v) for v in form.getlist("circumstances")]
    known = {key for key, _ in CIRCUMSTANCES}
    got = {"circumstances": [c for c in chosen if c in known], "no_circumstances": "none" in chosen}
    errors: Errors = []
    if not got["circumstances"] and not got["no_circumstances"]:
        errors.append(("circumstances", "Select which of these apply to the child, or select none of these"))
    elif got["circumstances"] and got["no_circumstances"]:
        errors.append(("circumstances", "Select the circumstances that apply, or none of these, not both"))
    return got, errors


def _read_what_happened(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    got = {"nature": str(form.get("nature", ""))}
    if got["nature"] not in NATURE_LABEL:
        return {"nature": ""}, [("nature", "Select what happened to the child")]
    return got, []


def _read_harm(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    serious = answers(draft).get("nature") == "serious_harm"
    got: dict[str, Any] = {"harm_description": str(form.get("harm-description", "")).strip()[: MAX_DESCRIPTION + 1000]}
    errors: Errors = []
    if serious:
        got["harm_domains"] = [d for d in form.getlist("harm-domains") if d in DOMAIN_LABEL]
        got["recovered"] = str(form.get("recovered", ""))
        if not got["harm_domains"]:
            errors.append(("harm-domains", "Select the areas in which the child was seriously harmed"))
        if got["recovered"] not in ("yes", "no"):
            got["recovered"] = ""
            errors.append(("recovered", "Select whether the child has recovered"))
    if len(got["harm_description"]) > MAX_DESCRIPTION:
        errors.append(("harm-description", f"The description of the harm must be {MAX_DESCRIPTION:,} characters or fewer"))
    return got, errors


def _read_abuse(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    got = {"abuse_or_neglect": str(form.get("abuse-or-neglect", ""))}
    if got["abuse_or_neglect"] not in ABUSE_LABEL:
        return {"abuse_or_neglect": ""}, [("abuse-or-neglect", "Select whether abuse or neglect is known or suspected")]
    return got, []


def _read_dates(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    incident_value, aware_value = DateValue.from_form(form, "incident-date"), DateValue.from_form(form, "la-aware-date")
    errors: Errors = []
    incident, error = incident_value.parse("Date of the incident", field_id="incident-date", today=today)
    if error:
        errors.append(error)
    aware, error = aware_value.parse("Date the local authority became aware", field_id="la-aware-date", today=today)
    if error:
        errors.append(error)
    if incident and aware and aware < incident:
        aware_value.error_parts = ["day", "month", "year"]
        errors.append(("la-aware-date-day", "Date the local authority became aware must be the same as or after the date of the incident"))
    return {"incident_date": incident_value.as_dict(), "la_aware_date": aware_value.as_dict(),
            "_date_errors": {"incident_date": incident_value.error_parts, "la_aware_date": aware_value.error_parts}}, errors


def _read_place(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    got = {"notifying_la": _text(form, "notifying-la", MAX_LA), "incident_country": str(form.get("incident-country", "")),
           "incident_la": _text(form, "incident-la", MAX_LA), "home_la": _text(form, "home-la", MAX_LA)}
    errors: Errors = []
    if not got["notifying_la"]:
        errors.append(("notifying-la", "Enter the local authority that is notifying"))
    if got["incident_country"] not in COUNTRY_LABEL:
        got["incident_country"] = ""
        errors.append(("incident-country", "Select the country in which the incident happened"))
    if got["incident_country"] == "england" and not got["incident_la"]:
        errors.append(("incident-la", "Enter the local authority in whose area the incident happened"))
    if not got["home_la"]:
        errors.append(("home-la", "Enter the child's home local authority"))
    for field, name, label in (("notifying_la", "notifying-la", "The notifying local authority"),
                               ("incident_la", "incident-la", "The local authority where it happened"),
                               ("home_la", "home-la", "The child's home local authority")):
        if len(got[field]) > MAX_LA:
            errors.append((name, f"{label} must be {MAX_LA} characters or fewer"))
    return got, errors


def _read_setting(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    got = {"setting": str(form.get("setting", ""))}
    if got["setting"] not in SETTING_LABEL:
        return {"setting": ""}, [("setting", "Select where the child was when it happened")]
    return got, []


def _read_agencies(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    rows = rows_from_form(form)
    return {"agencies": [r.as_dict() for r in rows]}, validate_rows(rows)


def _read_referral(form: Any, today: dt.date, draft: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    choice = str(form.get("referred-by", ""))
    ids = {a.effective_id for a in agencies_of(draft)}
    if choice == "none":
        return {"referred_by": "", "referral_answered": True}, []
    if choice in ids:
        return {"referred_by": choice, "referral_answered": True}, []
    return {"referred_by": "", "referral_answered": False}, [("referred-by", "Select the agency that referred the incident, or no")]


_READERS = {
    "child": _read_child, "circumstances": _read_circumstances, "what-happened": _read_what_happened, "harm": _read_harm,
    "abuse-or-neglect": _read_abuse, "dates": _read_dates, "place": _read_place, "setting": _read_setting,
    "agencies": _read_agencies, "referral": _read_referral,
}


def store_page(draft: dict[str, Any], slug: str, got: dict[str, Any]) -> None:
    """Keeps a page's checked answers in the draft; the page is answered and its intake errors are gone."""
    kept = {k: v for k, v in got.items() if not k.startswith("_")}
    if slug == "agencies":
        kept["agencies"] = [a for a in kept["agencies"] if not AgencyRow.from_dict(a).blank]
    answers(draft).update(kept)
    done = draft.setdefault("done", [])
    if slug not in done:
        done.append(slug)
    draft.setdefault("service_errors", {}).pop(slug, None)


# -- the request --------------------------------------------------------------------------------

def _iso(value: Any) -> str:
    day = DateValue.from_dict(value).to_date()
    return day.isoformat() if day else ""


def to_request(draft: dict[str, Any]) -> intake_pb2.NotifyIncidentRequest:
    """The NotifyIncident request of a draft (intake checks it as a whole)."""
    a = answers(draft)
    child = intake_pb2.ChildDetails(child_ref=a.get("child_ref", ""), unborn=bool(a.get("unborn")))
    if not a.get("unborn") and str(a.get("age_years", "")).isdigit():
        child.age_years = int(a["age_years"])
    for key, _ in CIRCUMSTANCES:
        setattr(child, key, key in a.get("circumstances", []))
    serious = a.get("nature") == "serious_harm"
    n = intake_pb2.Notification(
        notifying_la=a.get("notifying_la", ""),
        incident_la=a.get("incident_la", ""),
        incident_country=_values(COUNTRIES).get(a.get("incident_country", ""), 0),
        home_la=a.get("home_la", ""),
        child=child,
        nature=_values(NATURES).get(a.get("nature", ""), 0),
        harm_description=a.get("harm_description", ""),
        harm_domains=[_values(HARM_DOMAINS)[d] for d in a.get("harm_domains", []) if serious and d in DOMAIN_LABEL],
        recovered=serious and a.get("recovered") == "yes",
        abuse_or_neglect=_values(ABUSE).get(a.get("abuse_or_neglect", ""), 0),
        setting=_values(SETTINGS).get(a.get("setting", ""), 0),
        incident_date=_iso(a.get("incident_date")),
        la_aware_date=_iso(a.get("la_aware_date")),
        agencies=[row.to_proto() for row in agencies_of(draft)],
        referred_by_agency=a.get("referred_by", ""),
    )
    return intake_pb2.NotifyIncidentRequest(idempotency_key=draft["key"], notification=n)


def answers_from(n: intake_pb2.Notification) -> dict[str, Any]:
    """The answers of every page for a notification as recorded (to change it): `to_request` of a
    draft holding them gives the same notification back."""
    def form_of(options: tuple[tuple[Any, ...], ...], value: int) -> str:
        return next((o[0] for o in options if o[1] == value), "")

    child = n.child
    circumstances = [key for key, _ in CIRCUMSTANCES if getattr(child, key)]
    agencies = [AgencyRow(name=a.name, kind=KIND_OF_PROTO.get(a.kind, ""), area=a.area, area_type=AREA_OF_PROTO.get(a.area_type, ""),
                          agency_id=a.agency_id).as_dict() for a in n.agencies]
    return {
        "child_ref": child.child_ref, "age_years": str(child.age_years) if child.HasField("age_years") else "",
        "unborn": child.unborn, "circumstances": circumstances, "no_circumstances": not circumstances,
        "nature": form_of(NATURES, n.nature), "harm_domains": [form_of(HARM_DOMAINS, d) for d in n.harm_domains],
        "recovered": ("yes" if n.recovered else "no") if n.nature == common_pb2.NATURE_SERIOUS_HARM else "",
        "harm_description": n.harm_description, "abuse_or_neglect": form_of(ABUSE, n.abuse_or_neglect),
        "incident_date": DateValue.from_iso(n.incident_date).as_dict(), "la_aware_date": DateValue.from_iso(n.la_aware_date).as_dict(),
        "notifying_la": n.notifying_la, "incident_country": form_of(COUNTRIES, n.incident_country), "incident_la": n.incident_la,
        "home_la": n.home_la, "setting": form_of(SETTINGS, n.setting), "agencies": agencies,
        "referred_by": n.referred_by_agency, "referral_answered": True,
    }


# -- intake's field violations, on the pages of their fields -------------------------------------

_SERVICE_FIELDS = {
    "notification.child.child_ref": ("child", "child-ref", "Child's reference"),
    "notification.child.age_years": ("child", "age-years", "Age"),
    "notification.child": ("child", "child-ref", "The child"),
    "notification.nature": ("what-happened", "nature", "What happened"),
    "notification.harm_description": ("harm", "harm-description", "Description of the harm"),
    "notification.harm_domains": ("harm", "harm-domains", "Areas of serious harm"),
    "notification.abuse_or_neglect": ("abuse-or-neglect", "abuse-or-neglect", "Abuse or neglect"),
    "notification.setting": ("setting", "setting", "Where the child was"),
    "notification.incident_date": ("dates", "incident-date-day", "Date of the incident"),
    "notification.la_aware_date": ("dates", "la-aware-date-day", "Date the local authority became aware"),
    "notification.notifying_la": ("place", "notifying-la", "Notifying local authority"),
    "notification.incident_country": ("place", "incident-country", "Country"),
    "notification.incident_la": ("place", "incident-la", "Local authority where it happened"),
    "notification.home_la": ("place", "home-la", "Child's home local authority"),
    "notification.agencies": ("agencies", "agencies-0-name", "Agencies"),
    "notification.referred_by_agency": ("referral", "referred-by", "Referring agency"),
    "reason": ("check", "reason", "Reason"),
}

#: The notification's fields in words (intake names the fields an amendment changed).
FIELD_LABELS = {
    "notifying_la": "Notifying local authority", "incident_la": "Local authority where it happened",
    "incident_country": "Country", "home_la": "Child's home local authority", "child": "The child",
    "child.child_ref": "Child's reference", "child.age_years": "Age", "child.unborn": "Unborn",
    "child.looked_after": "Looked after", "child.care_leaver": "Care leaver", "child.disability": "Disability",
    "child.child_protection_plan": "Child protection plan", "nature": "What happened",
    "harm_description": "Description of the harm", "harm_domains": "Areas of serious harm", "recovered": "Recovered",
    "abuse_or_neglect": "Abuse or neglect", "setting": "Where the child was", "incident_date": "Date of the incident",
    "la_aware_date": "Date the local authority became aware", "agencies": "Agencies involved",
    "referred_by_agency": "Referring agency",
}


def field_label(path: str) -> str:
    return FIELD_LABELS.get(path, path.replace("_", " ").replace(".", ": ").capitalize())
_AGENCY_PARTS = {"agency_id": "id", "name": "name", "kind": "kind", "area": "area", "area_type": "area-type"}
_AGENCY_FIELD = re.compile(r"^notification\.agencies\[(\d+)\]\.(\w+)$")


def place_violations(violations: list[tuple[str, str]]) -> dict[str, list[list[str]]]:
    """intake's field violations by page: {slug: [[field id, message], ...]} ("check" for the rest)."""
    out: dict[str, list[list[str]]] = {}
    for path, description in violations:
        match = _AGENCY_FIELD.match(path)
        if match:
            n, part = int(match.group(1)), match.group(2)
            slug, field_id, label = "agencies", f"agencies-{n}-{_AGENCY_PARTS.get(part, 'name')}", f"Agency {n + 1}"
        else:
            key = path.split("[")[0]
            slug, field_id, label = _SERVICE_FIELDS.get(key, ("check", "submit", "The notification"))
        out.setdefault(slug, []).append([field_id, f"{label}: {description}"])
    return out


# -- check your answers ---------------------------------------------------------------------------

def _long(value: Any) -> str:
    day = DateValue.from_dict(value).to_date()
    return f"{day.day} {day.strftime('%B %Y')}" if day else ""


def check_sections(draft: dict[str, Any], change: str) -> list[dict[str, Any]]:
    """The summary lists of check-your-answers: [{"title", "rows": [{"key", "value", "page"}]}].
    `change` formats a page's change link (e.g. "/notify/{slug}?change=yes")."""
    a = answers(draft)
    serious = a.get("nature") == "serious_harm"
    circumstances = [CIRCUMSTANCE_LABEL[c] for c in a.get("circumstances", []) if c in CIRCUMSTANCE_LABEL]

    def row(key: str, value: Any, slug: str, hidden: str = "") -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        return {"key": key, "lines": [v for v in values if v] or ["Not given"], "href": change.format(slug=slug),
                "hidden": hidden or key.lower()}

    child = [row("Child's reference", a.get("child_ref", ""), "child", "child's reference"),
             row("Age", "Unborn" if a.get("unborn") else (f"{a.get('age_years')} years" if a.get("age_years") else ""), "child", "age"),
             row("Circumstances", circumstances or ["None of these"], "circumstances", "circumstances")]
    happened = [row("What happened", NATURE_LABEL.get(a.get("nature", ""), ""), "what-happened")]
    if serious:
        happened.append(row("Areas of serious harm", [DOMAIN_LABEL[d] for d in a.get("harm_domains", []) if d in DOMAIN_LABEL], "harm"))
        happened.append(row("Has the child recovered?", {"yes": "Yes", "no": "No"}.get(a.get("recovered", ""), ""), "harm",
                            "whether the child has recovered"))
    happened.append(row("Description of the harm", a.get("harm_description", ""), "harm"))
    happened.append(row("Abuse or neglect", ABUSE_LABEL.get(a.get("abuse_or_neglect", ""), ""), "abuse-or-neglect"))
    dates = [row("Date of the incident", _long(a.get("incident_date")), "dates"),
             row("Date the local authority became aware", _long(a.get("la_aware_date")), "dates")]
    places = [row("Notifying local authority", a.get("notifying_la", ""), "place"),
              row("Country", COUNTRY_LABEL.get(a.get("incident_country", ""), ""), "place"),
              row("Local authority where it happened", a.get("incident_la", ""), "place"),
              row("Child's home local authority", a.get("home_la", ""), "place"),
              row("Where the child was", SETTING_LABEL.get(a.get("setting", ""), ""), "setting")]
    agency_rows = agencies_of(draft)
    names = {r.effective_id: r.name for r in agency_rows}
    agencies = [row(r.name, r.summary(), "agencies", f"agency {r.name}") for r in agency_rows] or [row("Agencies", "None named", "agencies")]
    agencies.append(row("Referred by", names.get(a.get("referred_by", ""), "No agency referred it"), "referral", "referring agency"))
    return [{"title": "The child", "rows": child}, {"title": "What happened", "rows": happened},
            {"title": "Dates", "rows": dates}, {"title": "Places", "rows": places},
            {"title": "Agencies involved", "rows": agencies}]
