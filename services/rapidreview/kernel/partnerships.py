"""The registry of known partnerships and their agencies, read by every service
from RR_PARTNERSHIP_CONFIG_FILE (YAML; the same file holds per-service settings,
e.g. gathering's `gathering` section):

    partnerships:
      leeds:
        name: Leeds Safeguarding Children Partnership
        agencies: [west-yorkshire-police, leeds-city-council, leeds-gp-practice]
      bradford: {}

A bearer token (or a client certificate's identity) must name a partnership
listed here and, for the `agency` claim, one of that partnership's agencies when
the partnership lists them (a partnership without `agencies` accepts any
well-formed agency id). Without a file the registry is open: any well-formed id
is accepted and each service says so at start-up — unless
RR_PARTNERSHIP_REGISTRY_REQUIRED is true (as every shipped deployment sets it),
when the service and the workspace refuse to start (`load_registry`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rapidreview.kernel.config import ConfigError

#: Partnership and agency ids: 2-64 lower-case letters, digits and hyphens (as agency ids in requests).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}\Z")
ID_RULE = "2-64 lower-case letters, digits and hyphens"


def is_id(value: object) -> bool:
    """True for a well-formed partnership or agency id."""
    return isinstance(value, str) and ID_PATTERN.match(value) is not None


REQUIRED_MESSAGE = ("RR_PARTNERSHIP_CONFIG_FILE: required because RR_PARTNERSHIP_REGISTRY_REQUIRED is true: "
                    "mount the partnership registry (the partnerships and agencies tokens may name) and set "
                    "RR_PARTNERSHIP_CONFIG_FILE to its path")


@dataclass(frozen=True)
class PartnershipRegistry:
    """Known partnerships and, per partnership, its known agencies (None: any
    well-formed agency id). `open` registries know every well-formed id."""

    partnerships: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    open: bool = True

    def knows_partnership(self, partnership: str) -> bool:
        return is_id(partnership) and (self.open or partnership in self.partnerships)

    def knows_agency(self, partnership: str, agency: str) -> bool:
        """Whether `agency` is a known agency of `partnership` (which must be known)."""
        if not is_id(agency) or not self.knows_partnership(partnership):
            return False
        agencies = None if self.open else self.partnerships.get(partnership)
        return agencies is None or agency in agencies

    @classmethod
    def load(cls, path: Path | None) -> PartnershipRegistry:
        """Reads `path`; no path means an open registry. Raises ConfigError naming the bad entry."""
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: cannot read ({type(exc).__name__})") from None
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Any) -> PartnershipRegistry:
        if not isinstance(data, Mapping):
            raise ConfigError("RR_PARTNERSHIP_CONFIG_FILE: expected a mapping")
        section = data.get("partnerships") or {}
        if not isinstance(section, Mapping):
            raise ConfigError("RR_PARTNERSHIP_CONFIG_FILE: partnerships must be a mapping of partnership ids")
        known: dict[str, frozenset[str] | None] = {}
        for name, entry in section.items():
            if not is_id(name):
                raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: partnership ids must be {ID_RULE} (entry {len(known) + 1})")
            entry = entry or {}
            if not isinstance(entry, Mapping):
                raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: partnerships.{name} must be a mapping")
            agencies = entry.get("agencies")
            if agencies is None:
                known[name] = None
                continue
            if not isinstance(agencies, list) or not all(is_id(a) for a in agencies):
                raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: partnerships.{name}.agencies must be a list of {ID_RULE} ids")
            known[name] = frozenset(agencies)
        return cls(known, open=False)


def load_registry(path: Path | None, *, required: bool) -> PartnershipRegistry:
    """The registry in `path`; no path gives an open registry, or ConfigError when `required`
    (RR_PARTNERSHIP_REGISTRY_REQUIRED). A file that cannot be read or is malformed raises
    ConfigError naming the problem, whether required or not."""
    if path is None and required:
        raise ConfigError(REQUIRED_MESSAGE)
    return PartnershipRegistry.load(path)
