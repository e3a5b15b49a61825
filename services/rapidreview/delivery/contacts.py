"""Who is e-mailed about a case's deadlines: each partnership's business unit and
the contacts of its agencies, from the `contacts` section of the partnership
configuration (RR_PARTNERSHIP_CONFIG_FILE, the YAML file gathering reads its
`gathering` section from):

    defaults:
      contacts:
        business_unit: [rapid-review@partnership.example]
    partnerships:
      leeds:
        contacts:
          business_unit: [rapid-review@leeds.example]
          agencies:
            west-yorkshire-police: [safeguarding-reviews@police.example]
            gp-practice: [safeguarding-lead@gp.example]

Addresses are the organisations' mailboxes for safeguarding reviews. A
partnership takes the defaults and overrides them with its own entries (an
agency of its own replaces a default agency's addresses). A reminder or chase
for an agency without contacts is recorded as `no contact`. Addresses are never logged.

A wrong value raises ConfigError naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from pathlib import Path
from typing import Any

import yaml

from rapidreview.kernel.config import ConfigError

ENV_VAR = "RR_PARTNERSHIP_CONFIG_FILE"
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


@dataclass(frozen=True)
class PartnershipContacts:
    """One partnership's mailboxes."""

    business_unit: tuple[str, ...] = ()
    agencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def agency(self, agency_id: str) -> tuple[str, ...]:
        return self.agencies.get(agency_id, ())


@dataclass(frozen=True)
class Contacts:
    """Every partnership's contacts, with the defaults."""

    default: PartnershipContacts = PartnershipContacts()
    partnerships: Mapping[str, PartnershipContacts] = field(default_factory=dict)

    def for_partnership(self, partnership: str) -> PartnershipContacts:
        return self.partnerships.get(partnership, self.default)

    def business_unit(self, partnership: str) -> tuple[str, ...]:
        return self.for_partnership(partnership).business_unit

    def agency(self, partnership: str, agency_id: str) -> tuple[str, ...]:
        return self.for_partnership(partnership).agency(agency_id)

    @classmethod
    def load(cls, path: Path | None) -> Contacts:
        """Reads `path`; no file means no contacts at all."""
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{ENV_VAR}: cannot read ({type(exc).__name__})") from None
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Any) -> Contacts:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{ENV_VAR}: expected a mapping")
        default = _contacts((data.get("defaults") or {}).get("contacts"), PartnershipContacts(), "defaults")
        partnerships = {}
        for name, section in (data.get("partnerships") or {}).items():
            if section is not None and not isinstance(section, Mapping):
                raise ConfigError(f"{ENV_VAR}: partnerships.{name} must be a mapping")
            partnerships[str(name)] = _contacts((section or {}).get("contacts"), default, f"partnerships.{name}")
        return cls(default, partnerships)


def _addresses(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{ENV_VAR}: {where} must be a list of e-mail addresses")
    for i, address in enumerate(value):
        if not isinstance(address, str) or not _EMAIL.match(address):
            raise ConfigError(f"{ENV_VAR}: {where}[{i}] is not an e-mail address")
        try:
            Address(addr_spec=address)
        except (ValueError, IndexError):
            raise ConfigError(f"{ENV_VAR}: {where}[{i}] is not an e-mail address") from None
    return tuple(value)


def _contacts(section: Any, base: PartnershipContacts, where: str) -> PartnershipContacts:
    if section is None:
        return base
    if not isinstance(section, Mapping):
        raise ConfigError(f"{ENV_VAR}: {where}.contacts must be a mapping")
    unknown = set(section) - {"business_unit", "agencies"}
    if unknown:
        raise ConfigError(f"{ENV_VAR}: {where}.contacts.{sorted(unknown)[0]} is not a known key (business_unit, agencies)")
    business_unit = base.business_unit
    if "business_unit" in section:
        business_unit = _addresses(section["business_unit"], f"{where}.contacts.business_unit")
    agencies = dict(base.agencies)
    raw_agencies = section.get("agencies") or {}
    if not isinstance(raw_agencies, Mapping):
        raise ConfigError(f"{ENV_VAR}: {where}.contacts.agencies must map agency ids to address lists")
    for agency_id, addresses in raw_agencies.items():
        if not isinstance(agency_id, str) or not _AGENCY_ID.match(agency_id):
            raise ConfigError(f"{ENV_VAR}: {where}.contacts.agencies has an entry that is not an agency id")
        agencies[agency_id] = _addresses(addresses, f"{where}.contacts.agencies.{agency_id}")
    return PartnershipContacts(business_unit=business_unit, agencies=agencies)
