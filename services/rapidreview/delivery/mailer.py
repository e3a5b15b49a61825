"""Sending the advisory-group summary by e-mail: SMTP with STARTTLS and
authentication, the document attached or linked, retries with backoff.

Nothing personal goes in the subject or body: the case is named by its short
id, never by the child's reference. The attached document itself is the
summary the Review Advisory Group needs (special category data): partnerships
that do not want it in mailboxes configure `delivery: link`.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from rapidreview.delivery.config import DeliveryConfig, PartnershipDelivery, short_id
from rapidreview.kernel.logging import get_logger

log = get_logger(__name__)

MEDIA_TYPES = {1: ("text", "markdown", "md"), 2: ("text", "html", "html"), 3: ("application", "pdf", "pdf")}


@dataclass(frozen=True)
class Summary:
    """What is being delivered."""

    partnership: str
    case_id: str
    evaluation_id: str
    format: int
    document: bytes | None = None  # None in link mode

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.document).hexdigest() if self.document is not None else ""


@dataclass
class SendResult:
    message_id: str
    attempts: int
    refused: list[str] = field(default_factory=list)


class DeliveryFailed(Exception):
    """Every attempt failed. `permanent` failures (authentication refused,
    recipients refused, no STARTTLS, certificate not trusted) will not get better
    by retrying; the others (connection trouble, 4xx replies) might."""

    def __init__(self, reason: str, *, permanent: bool, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.attempts = attempts


def _classify(exc: BaseException) -> tuple[str, bool]:
    """(reason without any message text, permanent?) for an SMTP failure."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"{name} {','.join(map(str, codes))}", all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{name} (the server offers no STARTTLS or AUTH)", True
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name} {exc.smtp_code}", exc.smtp_code >= 500
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{name} (server certificate not trusted)", True
    if isinstance(exc, (smtplib.SMTPException, OSError, TimeoutError)):
        return name, False
    return name, False


class Mailer:
    """Sends e-mails through the configured SMTP server, retrying transient failures."""

    def __init__(self, config: DeliveryConfig, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.config = config
        self._sleep = sleep

    # -- sending --------------------------------------------------------------------
    def _tls_context(self) -> ssl.SSLContext:
        ca = self.config.smtp.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _send_once(self, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
        """One blocking SMTP session (run in a thread): EHLO, STARTTLS, EHLO, AUTH, send."""
        smtp = self.config.smtp
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            client.ehlo()
            if smtp.starttls:
                client.starttls(context=self._tls_context())  # raises SMTPNotSupportedError when not offered
                client.ehlo()
            if smtp.user:
                client.login(smtp.user, smtp.password)
            return client.send_message(message)

    async def send(self, message: EmailMessage) -> SendResult:
        """Sends `message`, retrying transient failures with the configured backoff;
        raises DeliveryFailed when it gives up."""
        retry = self.config.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                refused = await asyncio.to_thread(self._send_once, message)
                return SendResult(message_id=str(message["Message-ID"]), attempts=attempt, refused=sorted(refused))
            except Exception as exc:  # noqa: BLE001 - classified below; messages may quote addresses, never logged
                reason, permanent = _classify(exc)
            if permanent or attempt >= retry.attempts:
                raise DeliveryFailed(reason, permanent=permanent, attempts=attempt)
            log.warning("e-mail attempt failed; retrying", cause=reason, attempt=attempt)
            await self._sleep(retry.delay(attempt))


class SummaryMailer(Mailer):
    """Composes and sends summary e-mails for the configured partnerships."""

    # -- composing ----------------------------------------------------------------
    def message_id(self, summary: Summary) -> str:
        """Deterministic, so a re-sent message can be recognised as the same one."""
        digest = hashlib.sha256(f"{summary.partnership}:{summary.evaluation_id}:{summary.format}".encode()).hexdigest()[:16]
        return f"<rr-summary.{short_id(summary.case_id)}.{digest}@{self.config.smtp.sender_domain}>"

    def compose(self, summary: Summary, target: PartnershipDelivery) -> EmailMessage:
        short = short_id(summary.case_id)
        maintype, subtype, extension = MEDIA_TYPES.get(summary.format, ("application", "octet-stream", "bin"))
        msg = EmailMessage()
        msg["Subject"] = f"Rapid Review: criteria checklist summary ready for case {short}"
        msg["From"] = self.config.smtp.sender
        msg["To"] = ", ".join(target.recipients)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = self.message_id(summary)
        msg["Auto-Submitted"] = "auto-generated"
        lines = [
            "A criteria checklist summary is ready for the Review Advisory Group.",
            "",
            f"Case: {short} (case id {summary.case_id})",
            f"Evaluation: {summary.evaluation_id}",
        ]
        if target.mode == "link":
            link = target.link(case_id=summary.case_id, evaluation_id=summary.evaluation_id, partnership=summary.partnership)
            lines += ["", f"Open the summary in Rapid Review (sign-in required): {link}"]
        else:
            lines += ["", f"The summary is attached (rapid-review-summary-{short}.{extension}, SHA-256 {summary.sha256})."]
        lines += [
            "",
            "Meeting the criteria does not make a review automatic: the safeguarding partners decide,",
            "and record their decision with its rationale in Rapid Review.",
            "",
            "The summary is special category personal data: keep it within the partnership's secure",
            "systems and do not forward it. This message was sent automatically; do not reply to it.",
        ]
        msg.set_content("\n".join(lines) + "\n")
        if target.mode == "attach" and summary.document is not None:
            msg.add_attachment(summary.document, maintype=maintype, subtype=subtype, filename=f"rapid-review-summary-{short}.{extension}")
        return msg
