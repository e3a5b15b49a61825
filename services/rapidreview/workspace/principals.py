"""Who a signed-in person is in Rapid Review: the mapping file.

The identity provider says who the person is (`sub`) and which groups they belong
to; a YAML file kept by the partnership says what that means here — one role, one
partnership and, for agency leads, one agency:

    groups_claim: groups            # the ID-token claim that lists the person's groups
    groups:
      leeds-business-unit: {role: business_unit, partnership: leeds}
      leeds-police-safeguarding: {role: agency, partnership: leeds, agency: west-yorkshire-police}
    subjects:                       # single people, by subject; these win over groups
      "5f0c...": {role: auditor, partnership: leeds}

A person with no mapping, or whose groups map to more than one different principal,
gets no access (the workspace never guesses a role). Nothing else of the claims is
kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rapidreview.kernel.auth import Principal, Role
from rapidreview.kernel.partnerships import PartnershipRegistry

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
MAX_SUBJECT = 200
#: Roles a person can hold; `service` is for the services' own calls only.
PERSON_ROLES = tuple(role for role in Role if role is not Role.SERVICE)


class MappingError(ValueError):
    """The mapping file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Mapped:
    """What a mapping entry grants (the person's subject is added at sign-in)."""

    role: Role
    partnership: str
    agency: str = ""

    def principal(self, subject: str) -> Principal:
        return Principal(subject=subject, role=self.role, partnership=self.partnership, agency=self.agency)


@dataclass(frozen=True)
class NoAccess:
    """Why a person may not use the workspace (shown to them; names no claim values)."""

    reason: str


def _entry(where: str, raw: Any) -> Mapped:
    if not isinstance(raw, Mapping):
        raise MappingError(f"{where}: expected a mapping with role and partnership")
    unknown = set(raw) - {"role", "partnership", "agency"}
    if unknown:
        raise MappingError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    try:
        role = Role(str(raw.get("role", "")))
    except ValueError:
        raise MappingError(f"{where}: role must be one of {', '.join(r.value for r in PERSON_ROLES)}") from None
    if role is Role.SERVICE:
        raise MappingError(f"{where}: the service role is not for people")
    partnership = str(raw.get("partnership", ""))
    if not _SLUG.match(partnership):
        raise MappingError(f"{where}: partnership must be an id (lower-case letters, digits, hyphens)")
    agency = str(raw.get("agency", "") or "")
    if role is Role.AGENCY and not _SLUG.match(agency):
        raise MappingError(f"{where}: the agency role needs an agency id")
    if role is not Role.AGENCY and agency:
        raise MappingError(f"{where}: only the agency role takes an agency")
    return Mapped(role, partnership, agency)


@dataclass(frozen=True)
class PrincipalMap:
    """The loaded mapping file."""

    groups_claim: str
    groups: dict[str, Mapped]
    subjects: dict[str, Mapped]

    @classmethod
    def load(cls, path: Path) -> PrincipalMap:
        """Reads and checks the file; MappingError names the first bad entry."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise MappingError(f"{path}: cannot read ({type(exc).__name__})") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrincipalMap:
        unknown = set(data) - {"groups_claim", "groups", "subjects"}
        if unknown:
            raise MappingError(f"unknown top-level keys {', '.join(sorted(map(str, unknown)))}")
        groups = {str(name): _entry(f"groups.{name}", raw) for name, raw in (data.get("groups") or {}).items()}
        subjects = {str(sub): _entry(f"subjects.{sub}", raw) for sub, raw in (data.get("subjects") or {}).items()}
        return cls(str(data.get("groups_claim") or "groups"), groups, subjects)

    def check_registry(self, registry: PartnershipRegistry) -> None:
        """Raises MappingError naming the first entry whose partnership (or agency) the registry
        does not know: the services would refuse that person's every call."""
        for where, entries in (("groups", self.groups), ("subjects", self.subjects)):
            for name, mapped in entries.items():
                if not registry.knows_partnership(mapped.partnership):
                    raise MappingError(f"{where}.{name}: partnership {mapped.partnership!r} is not in the partnership "
                                       "registry (RR_PARTNERSHIP_CONFIG_FILE)")
                if mapped.agency and not registry.knows_agency(mapped.partnership, mapped.agency):
                    raise MappingError(f"{where}.{name}: agency {mapped.agency!r} is not one of partnership "
                                       f"{mapped.partnership!r}'s agencies in the partnership registry (RR_PARTNERSHIP_CONFIG_FILE)")

    def resolve(self, claims: Mapping[str, Any]) -> Principal | NoAccess:
        """The principal for a person's verified ID-token claims, or why they have no access."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT or not subject.isprintable():
            return NoAccess("Your sign-in did not give a usable identifier.")
        if subject in self.subjects:
            return self.subjects[subject].principal(subject)
        raw_groups = claims.get(self.groups_claim) or []
        if isinstance(raw_groups, str):
            raw_groups = [raw_groups]
        found = {self.groups[g] for g in raw_groups if isinstance(g, str) and g in self.groups}
        if not found:
            return NoAccess("Your account is not set up for Rapid Review.")
        if len(found) > 1:
            return NoAccess("Your account is set up for more than one role in Rapid Review, so the workspace cannot tell which to use.")
        return found.pop().principal(subject)
