"""Per-partnership gathering settings, read from RR_PARTNERSHIP_CONFIG_FILE (YAML).

Only the `gathering` section of each partnership is read here; other services
read their own sections of the same file:

    partnerships:
      leeds:
        gathering:
          return_working_days: 12

Without an entry the number of working days is RR.AGENCIES' `working_days` in
the rule files of the case's edition (10 in the editions shipped); an entry
under `defaults` overrides it for every partnership. A case keeps the value in
force when its gathering opened, so changing either never moves a due date
already given to an agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rapidreview.gathering.domain.requests import MAX_RETURN_WORKING_DAYS
from rapidreview.kernel.config import ConfigError


@dataclass(frozen=True)
class GatheringPolicy:
    """What a partnership decided locally about information requests."""

    #: Working days that returns are due after the date RR.AGENCIES counts from; None: the
    #: rule file's `working_days`.
    return_working_days: int | None = None


@dataclass(frozen=True)
class PartnershipPolicies:
    """The default policy and per-partnership overrides."""

    default: GatheringPolicy = GatheringPolicy()
    overrides: Mapping[str, GatheringPolicy] = field(default_factory=dict)

    def for_partnership(self, partnership: str) -> GatheringPolicy:
        return self.overrides.get(partnership, self.default)

    @classmethod
    def load(cls, path: Path | None) -> PartnershipPolicies:
        """Reads `path`; no file means the defaults. Raises ConfigError naming the bad entry."""
        if path is None:
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: cannot read ({type(exc).__name__})") from None
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PartnershipPolicies:
        if not isinstance(data, Mapping):
            raise ConfigError("RR_PARTNERSHIP_CONFIG_FILE: expected a mapping")
        default = _policy((data.get("defaults") or {}).get("gathering"), GatheringPolicy(), "defaults")
        overrides = {}
        for name, section in (data.get("partnerships") or {}).items():
            overrides[str(name)] = _policy((section or {}).get("gathering"), default, f"partnerships.{name}")
        return cls(default, overrides)


def _policy(section: Any, base: GatheringPolicy, where: str) -> GatheringPolicy:
    if section is None:
        return base
    if not isinstance(section, Mapping):
        raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: {where}.gathering must be a mapping")
    days = section.get("return_working_days", base.return_working_days)
    if days is None:
        return base
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_RETURN_WORKING_DAYS:
        raise ConfigError(f"RR_PARTNERSHIP_CONFIG_FILE: {where}.gathering.return_working_days must be a whole number 1-{MAX_RETURN_WORKING_DAYS}")
    return GatheringPolicy(return_working_days=days)
