"""The read model's settings, from the same `RR_*` variables as the services
(each also readable from a file via `<NAME>_FILE`); a wrong value raises
ConfigError naming the variable."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from rapidreview.kernel.config import (
    ConfigError, _bool, _float_list, _positive_float, _positive_int, _read,
)

SERVICE = "workspace"


@dataclasses.dataclass(frozen=True)
class ReadModelConfig:
    """Settings of the workspace's read model and reminders."""

    #: RR_ENCRYPTION_KEYS_FILE — key ring: the child reference is sealed at rest, with a blind index for search.
    encryption_keys_file: Path | None = None
    #: RR_DUE_SOON_WORKING_DAYS — a clock due within this many working days shows as due_soon (as deadline.due_soon fires).
    due_soon_working_days: int = 2
    #: RR_MIGRATE_ON_START — apply the `workspace` schema's migrations when the read model starts.
    migrate_on_start: bool = True
    #: RR_CONSUMER_ACK_WAIT / RR_CONSUMER_MAX_DELIVER / RR_CONSUMER_BACKOFF — redelivery policy of the durable consumers.
    consumer_ack_wait: float = 30.0
    consumer_max_deliver: int = 5
    consumer_backoff: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0)
    #: RR_REMINDERS — e-mail reminders on deadline.due_soon / deadline.overdue (the workspace's reminders consumer).
    reminders: bool = True
    #: RR_DELIVERY_CONFIG_FILE — SMTP server and retries (the advisory-group delivery's file); unset: reminders are recorded, not sent.
    delivery_config_file: Path | None = None
    #: RR_PARTNERSHIP_CONFIG_FILE — the `contacts` section: business unit and agency mailboxes per partnership.
    partnership_config_file: Path | None = None
    #: RR_REMINDER_LINK_TEMPLATE — optional https:// link to the case in reminders, e.g. "https://rr.example/cases/{case_id}".
    reminder_link_template: str = ""
    #: Appended to the durable consumer names (tests sharing one NATS server); empty in production.
    durable_suffix: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReadModelConfig:
        env = os.environ if env is None else env
        parsers = {
            "encryption_keys_file": ("RR_ENCRYPTION_KEYS_FILE", Path),
            "due_soon_working_days": ("RR_DUE_SOON_WORKING_DAYS", _positive_int),
            "migrate_on_start": ("RR_MIGRATE_ON_START", _bool),
            "consumer_ack_wait": ("RR_CONSUMER_ACK_WAIT", _positive_float),
            "consumer_max_deliver": ("RR_CONSUMER_MAX_DELIVER", _positive_int),
            "consumer_backoff": ("RR_CONSUMER_BACKOFF", _float_list),
            "reminders": ("RR_REMINDERS", _bool),
            "delivery_config_file": ("RR_DELIVERY_CONFIG_FILE", Path),
            "partnership_config_file": ("RR_PARTNERSHIP_CONFIG_FILE", Path),
            "reminder_link_template": ("RR_REMINDER_LINK_TEMPLATE", _link_template),
        }
        values: dict[str, object] = {}
        for field, (var, parse) in parsers.items():
            raw = _read(env, var)
            if raw is None or raw == "":
                continue
            try:
                values[field] = parse(raw)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{var}: invalid value ({exc})") from None
        return cls(**values)  # type: ignore[arg-type]


def _link_template(raw: str) -> str:
    if not raw.startswith("https://"):
        raise ValueError("expected an https:// URL")
    try:
        raw.format(case_id="c", short_id="s", partnership="p")
    except (KeyError, IndexError, ValueError):
        raise ValueError("only {case_id}, {short_id} and {partnership} may be used") from None
    return raw
