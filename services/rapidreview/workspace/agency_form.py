"""The agencies of a form ("add another" rows): the notification's agencies, the business unit's
new information requests. Each row is name, kind, area, kind of area and the agency id (the
partnership's stable id, e.g. "west-yorkshire-police", which agency leads sign in with; made from
the name when left empty). Fields are named `agencies-<n>-<part>`; ids are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidreview.v1 import common_pb2

MAX_AGENCIES = 50
MAX_NAME, MAX_AREA = 200, 100
AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
PARTS = ("name", "kind", "area", "area-type", "id")

#: (form value, proto value, label), in the order a caseworker looks for them.
KINDS = (
    ("police", common_pb2.AGENCY_KIND_POLICE, "Police"),
    ("childrens-social-care", common_pb2.AGENCY_KIND_CHILDRENS_SOCIAL_CARE, "Children's social care"),
    ("gp", common_pb2.AGENCY_KIND_HEALTH_GP, "GP practice"),
    ("health-visiting", common_pb2.AGENCY_KIND_HEALTH_VISITING, "Health visiting"),
    ("midwifery", common_pb2.AGENCY_KIND_HEALTH_MIDWIFERY, "Midwifery"),
    ("acute-trust", common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST, "Acute hospital trust"),
    ("mental-health", common_pb2.AGENCY_KIND_HEALTH_MENTAL_HEALTH, "Mental health services"),
    ("health-other", common_pb2.AGENCY_KIND_HEALTH_OTHER, "Other health provider or commissioner"),
    ("education", common_pb2.AGENCY_KIND_EDUCATION, "School or education service"),
    ("early-years", common_pb2.AGENCY_KIND_EARLY_YEARS, "Nursery or early years provider"),
    ("probation", common_pb2.AGENCY_KIND_PROBATION, "Probation service"),
    ("housing", common_pb2.AGENCY_KIND_HOUSING, "Housing provider"),
    ("youth-justice", common_pb2.AGENCY_KIND_YOUTH_JUSTICE, "Youth justice service"),
    ("voluntary", common_pb2.AGENCY_KIND_VOLUNTARY_SECTOR, "Voluntary or community organisation"),
    ("other", common_pb2.AGENCY_KIND_OTHER, "Other agency"),
)
AREA_TYPES = (
    ("", common_pb2.AREA_TYPE_UNSPECIFIED, "Not known"),
    ("local-authority", common_pb2.AREA_TYPE_LOCAL_AUTHORITY, "Local authority area"),
    ("police-area", common_pb2.AREA_TYPE_POLICE_AREA, "Police force area"),
    ("health-board", common_pb2.AREA_TYPE_HEALTH_BOARD, "Health commissioning area (ICB)"),
)
KIND_VALUE = {form: proto for form, proto, _ in KINDS}
KIND_LABEL = {form: label for form, _, label in KINDS}
KIND_OF_PROTO = {proto: form for form, proto, _ in KINDS}
AREA_VALUE = {form: proto for form, proto, _ in AREA_TYPES}
AREA_LABEL = {form: label for form, _, label in AREA_TYPES}
AREA_OF_PROTO = {proto: form for form, proto, _ in AREA_TYPES}


def agency_id_from_name(name: str) -> str:
    """"West Yorkshire Police" → "west-yorkshire-police" (at most 64 characters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:64].strip("-")


@dataclass
class AgencyRow:
    name: str = ""
    kind: str = ""
    area: str = ""
    area_type: str = ""
    agency_id: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name or self.kind or self.area or self.area_type or self.agency_id)

    @property
    def effective_id(self) -> str:
        return self.agency_id or agency_id_from_name(self.name)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "kind": self.kind, "area": self.area, "area_type": self.area_type, "agency_id": self.agency_id}

    @classmethod
    def from_dict(cls, data: Any) -> AgencyRow:
        data = data if isinstance(data, dict) else {}
        return cls(*(str(data.get(k, "")) for k in ("name", "kind", "area", "area_type", "agency_id")))

    def to_proto(self) -> common_pb2.Agency:
        return common_pb2.Agency(agency_id=self.effective_id, name=self.name, kind=KIND_VALUE.get(self.kind, 0),
                                 area=self.area, area_type=AREA_VALUE.get(self.area_type, 0))

    def summary(self) -> str:
        """"Police, West Yorkshire (police force area)" — for check-your-answers."""
        parts = [KIND_LABEL.get(self.kind, "")]
        if self.area:
            words = AREA_LABEL[self.area_type]
            parts.append(self.area + (f" ({words[:1].lower()}{words[1:]})" if self.area_type else ""))
        return ", ".join(p for p in parts if p)


def rows_from_form(form: Any, *, limit: int = MAX_AGENCIES) -> list[AgencyRow]:
    """Every `agencies-<n>-*` row of the form in index order (at most `limit` + 1 kept, so too many shows)."""
    indexes = sorted({int(m.group(1)) for key in form.keys() if (m := re.fullmatch(r"agencies-(\d{1,3})-(name|kind|area|area-type|id)", key))})
    rows = []
    for n in indexes[: limit + 1]:
        def value(part: str, cap: int) -> str:
            return str(form.get(f"agencies-{n}-{part}", "")).strip()[:cap]
        rows.append(AgencyRow(value("name", MAX_NAME + 1), value("kind", 40), value("area", MAX_AREA + 1),
                              value("area-type", 40), value("id", 65).lower()))
    return rows


def validate_rows(rows: list[AgencyRow], *, existing_ids: set[str] | None = None, at_least_one: bool = False) -> list[tuple[str, str]]:
    """(field id, message) for every problem of the non-blank rows; blank rows are dropped by the caller."""
    errors: list[tuple[str, str]] = []
    seen: set[str] = set(existing_ids or ())
    filled = [(n, row) for n, row in enumerate(rows) if not row.blank]
    if at_least_one and not filled:
        errors.append(("agencies-0-name", "Enter the name of at least one agency"))
    if len(filled) > MAX_AGENCIES:
        errors.append((f"agencies-{filled[MAX_AGENCIES][0]}-name", f"Enter at most {MAX_AGENCIES} agencies"))
    for n, row in filled[:MAX_AGENCIES]:
        which = f"agency {n + 1}"
        if not row.name:
            errors.append((f"agencies-{n}-name", f"Enter the name of {which}"))
        elif len(row.name) > MAX_NAME:
            errors.append((f"agencies-{n}-name", f"The name of {which} must be {MAX_NAME} characters or fewer"))
        if row.kind not in KIND_VALUE:
            errors.append((f"agencies-{n}-kind", f"Select the kind of {which}"))
        if len(row.area) > MAX_AREA:
            errors.append((f"agencies-{n}-area", f"The area of {which} must be {MAX_AREA} characters or fewer"))
        if row.area_type not in AREA_VALUE:
            errors.append((f"agencies-{n}-area-type", f"Select the kind of area of {which}"))
        if row.agency_id and not AGENCY_ID.match(row.agency_id):
            errors.append((f"agencies-{n}-id", f"The agency id of {which} must be 2 to 64 lower-case letters, digits and hyphens"))
        elif row.name and not AGENCY_ID.match(row.effective_id):
            errors.append((f"agencies-{n}-id", f"Enter an agency id for {which}: its name gives none"))
        elif row.name and row.effective_id in seen:
            errors.append((f"agencies-{n}-id", f"The agency id of {which} is already used: give it another id"))
        if row.name:
            seen.add(row.effective_id)
    return errors


def kind_items(selected: str) -> list[dict[str, Any]]:
    """The `items` of a govukSelect of agency kinds."""
    return [{"value": "", "text": "Select the kind of agency", "selected": not selected}] + [
        {"value": form, "text": label, "selected": form == selected} for form, _, label in KINDS]


def area_type_items(selected: str) -> list[dict[str, Any]]:
    return [{"value": form, "text": label, "selected": form == selected} for form, _, label in AREA_TYPES]
