"""Delivery configuration: who receives a partnership's summaries and how to
reach the mail server. Read from the YAML file named by RR_DELIVERY_CONFIG_FILE:

    smtp:
      host: smtp.partnership.example
      port: 587
      user: rapid-review
      password_file: /run/secrets/smtp-password   # never the password itself
      starttls: true                              # required whenever credentials are sent
      ca_file: /etc/rapidreview/smtp-ca.pem       # optional: CA bundle for the mail server
      from: "Rapid Review <rapid-review@partnership.example>"
      timeout_seconds: 15
    retry:
      attempts: 3                 # SMTP attempts per delivery, within one event delivery
      backoff_seconds: [1, 4]     # waits between them
    formats: [pdf]                # which rendered formats are e-mailed (pdf, html, markdown)
    partnerships:
      leeds:
        recipients: [rag-chair@leeds.example, rag@leeds.example]
        delivery: attach          # attach the document, or `link` to it
        link_template: "https://rapidreview.leeds.example/cases/{case_id}/summaries/{evaluation_id}"

A wrong value raises DeliveryConfigError naming the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import yaml

ENV_VAR = "RR_DELIVERY_CONFIG_FILE"
FORMATS = {"markdown": 1, "html": 2, "pdf": 3}  # rapidreview.v1.SummaryFormat values
LINK_FIELDS = {"case_id", "short_id", "evaluation_id", "partnership"}
_EMAIL = re.compile(r"^[^@\s<>,;\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


class DeliveryConfigError(ValueError):
    """The delivery configuration is missing or malformed; the message names the key."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    ca_file: Path | None = None
    sender: str = ""
    timeout: float = 15.0

    @property
    def sender_domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2] or "rapidreview.invalid"


@dataclass(frozen=True)
class RetrySettings:
    attempts: int = 3
    backoff: tuple[float, ...] = (1.0, 4.0)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based)."""
        if not self.backoff:
            return 0.0
        return self.backoff[min(attempt - 1, len(self.backoff) - 1)]


@dataclass(frozen=True)
class PartnershipDelivery:
    recipients: tuple[str, ...]
    mode: str = "attach"  # "attach" | "link"
    link_template: str = ""

    def link(self, *, case_id: str, evaluation_id: str, partnership: str) -> str:
        return self.link_template.format(case_id=case_id, short_id=short_id(case_id), evaluation_id=evaluation_id, partnership=partnership)


@dataclass(frozen=True)
class DeliveryConfig:
    smtp: SmtpSettings
    partnerships: dict[str, PartnershipDelivery]
    retry: RetrySettings = RetrySettings()
    formats: frozenset[int] = frozenset({FORMATS["pdf"]})

    @classmethod
    def from_file(cls, path: Path) -> DeliveryConfig:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DeliveryConfigError(f"{ENV_VAR}: cannot read {path} ({exc.strerror})") from None
        except yaml.YAMLError:
            raise DeliveryConfigError(f"{ENV_VAR}: {path} is not valid YAML") from None
        return cls.from_dict(data, base=path.parent)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliveryConfig | None:
        """The configuration named by RR_DELIVERY_CONFIG_FILE, or None when it is not set (delivery off)."""
        env = os.environ if environ is None else environ
        value = env.get(ENV_VAR, "").strip()
        return cls.from_file(Path(value)) if value else None

    @classmethod
    def from_dict(cls, data: Any, base: Path | None = None) -> DeliveryConfig:
        if not isinstance(data, dict):
            raise DeliveryConfigError("delivery config: expected a mapping with smtp and partnerships")
        smtp = _smtp(_mapping(data, "smtp"), base)
        retry_data = data.get("retry") or {}
        if not isinstance(retry_data, dict):
            raise DeliveryConfigError("retry: expected a mapping")
        attempts = _int(retry_data.get("attempts", 3), "retry.attempts", minimum=1)
        backoff_raw = retry_data.get("backoff_seconds", [1, 4])
        if not isinstance(backoff_raw, list):
            raise DeliveryConfigError("retry.backoff_seconds: expected a list of seconds")
        backoff = tuple(_float(v, "retry.backoff_seconds", minimum=0) for v in backoff_raw)
        formats_raw = data.get("formats", ["pdf"])
        if not isinstance(formats_raw, list) or not formats_raw or any(f not in FORMATS for f in formats_raw):
            raise DeliveryConfigError(f"formats: expected a list of {', '.join(sorted(FORMATS))}")
        partnerships = {}
        for name, value in _mapping(data, "partnerships").items():
            partnerships[str(name)] = _partnership(value, f"partnerships.{name}")
        return cls(smtp=smtp, partnerships=partnerships, retry=RetrySettings(attempts, backoff),
                   formats=frozenset(FORMATS[f] for f in formats_raw))

    def worst_case_seconds(self) -> float:
        """The longest one delivery can take (every attempt timing out): the
        consumer's ack wait must be longer than this."""
        waits = sum(self.retry.delay(i) for i in range(1, self.retry.attempts))
        # connect, EHLO, STARTTLS, AUTH, DATA: each bounded by the socket timeout; allow for three.
        return self.retry.attempts * self.smtp.timeout * 3 + waits


def short_id(case_id: str) -> str:
    """The case's short id: the first 8 characters of its UUID (never personal)."""
    return case_id.replace("-", "")[:8]


def _mapping(data: dict, key: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise DeliveryConfigError(f"{key}: required mapping")
    return value


def _int(value: Any, key: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DeliveryConfigError(f"{key}: expected an integer >= {minimum}")
    return value


def _float(value: Any, key: str, *, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise DeliveryConfigError(f"{key}: expected a number >= {minimum}")
    return float(value)


def _smtp(data: dict, base: Path | None) -> SmtpSettings:
    host = data.get("host")
    if not isinstance(host, str) or not host.strip():
        raise DeliveryConfigError("smtp.host: required")
    port = _int(data.get("port", 587), "smtp.port", minimum=1)
    user = str(data.get("user") or "")
    password = ""
    if "password" in data:
        raise DeliveryConfigError("smtp.password: not allowed; put the password in a file and name it in smtp.password_file")
    if data.get("password_file"):
        path = Path(str(data["password_file"]))
        if base is not None and not path.is_absolute():
            path = base / path
        try:
            password = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DeliveryConfigError(f"smtp.password_file: cannot read {path} ({exc.strerror})") from None
    if bool(user) != bool(password):
        raise DeliveryConfigError("smtp.user / smtp.password_file: give both or neither")
    starttls = data.get("starttls", True)
    if not isinstance(starttls, bool):
        raise DeliveryConfigError("smtp.starttls: expected true or false")
    if user and not starttls:
        raise DeliveryConfigError("smtp.starttls: must be true when credentials are configured (never send them in clear)")
    ca_file = None
    if data.get("ca_file"):
        ca_file = Path(str(data["ca_file"]))
        if base is not None and not ca_file.is_absolute():
            ca_file = base / ca_file
        if not ca_file.is_file():
            raise DeliveryConfigError(f"smtp.ca_file: {ca_file} does not exist")
    sender = data.get("from")
    if not isinstance(sender, str) or not _EMAIL.match(parseaddr(sender)[1] or "-"):
        raise DeliveryConfigError("smtp.from: required, an e-mail address (optionally with a display name)")
    timeout = _float(data.get("timeout_seconds", 15), "smtp.timeout_seconds", minimum=0.1)
    return SmtpSettings(host=host.strip(), port=port, user=user, password=password, starttls=starttls, ca_file=ca_file,
                        sender=sender, timeout=timeout)


def _partnership(data: Any, key: str) -> PartnershipDelivery:
    if not isinstance(data, dict):
        raise DeliveryConfigError(f"{key}: expected a mapping with recipients")
    recipients = data.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise DeliveryConfigError(f"{key}.recipients: at least one e-mail address")
    for i, address in enumerate(recipients):
        if not isinstance(address, str) or not _EMAIL.match(address):
            raise DeliveryConfigError(f"{key}.recipients[{i}]: not an e-mail address")
        Address(addr_spec=address)  # rejects anything the e-mail package would not accept
    mode = data.get("delivery", "attach")
    if mode not in ("attach", "link"):
        raise DeliveryConfigError(f"{key}.delivery: expected attach or link")
    template = str(data.get("link_template") or "")
    if mode == "link":
        if not template.startswith("https://"):
            raise DeliveryConfigError(f"{key}.link_template: required for delivery: link, an https:// URL")
        names = set(re.findall(r"{(\w+)}", template))
        if not names <= LINK_FIELDS:
            raise DeliveryConfigError(f"{key}.link_template: only {', '.join(sorted(LINK_FIELDS))} may be used")
    return PartnershipDelivery(recipients=tuple(recipients), mode=mode, link_template=template)
