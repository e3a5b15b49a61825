"""Deadline e-mails: a statutory clock due soon or overdue (reminders, sent by the
workspace's read model) and a business unit's chase of an agency (sent by
gathering). Sent with `Mailer` like the advisory-group summary.

Nothing personal goes in them: the case is named by its short id, never by the
child's reference, and no free text of the case is quoted. The Message-ID is
deterministic, so a notice sent again after a crash is recognisably the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from rapidreview.delivery.config import short_id

DUE_SOON, OVERDUE, CHASE = "due_soon", "overdue", "chase"

#: What each statutory clock is about, in words for the people who receive the notice.
CLOCK_PURPOSES = {
    "NOTIFY.DEADLINE": "notifying the Child Safeguarding Practice Review Panel (NOTIFY.DEADLINE)",
    "NOTIFY.LAC_DEATH": "notifying the Secretary of State and Ofsted of a looked-after child's death (NOTIFY.LAC_DEATH)",
    "NOTIFY.CARE_LEAVER_DEATH": "notifying the Secretary of State and Ofsted of a care leaver's death (NOTIFY.CARE_LEAVER_DEATH)",
    "NOTIFY.PARTNERS": "informing the safeguarding partners of the incident (NOTIFY.PARTNERS)",
    "RR.LEAD_AREA": "informing the safeguarding partners of the child's home area (RR.LEAD_AREA)",
    "RR.DEADLINE": "completing the rapid review and sending the decision to the Panel (RR.DEADLINE)",
    "RR.AGENCIES": "the agency's return to the rapid review information request (RR.AGENCIES)",
    "POST.INFORM": "telling the Panel, Ofsted and DfE of the decision to hold a local review (POST.INFORM)",
    "POST.SIX_MONTHS": "completing and publishing the local child safeguarding practice review (POST.SIX_MONTHS)",
    "POST.PROGRESS_CHECKS": "the next progress check of the local review (POST.PROGRESS_CHECKS)",
    "POST.PRESEND": "sending the final report to the Panel and the Secretary of State (POST.PRESEND)",
    "POST.ACTION_PLAN": "an action of the review's action plan (POST.ACTION_PLAN)",
}


@dataclass(frozen=True)
class DeadlineNotice:
    """One e-mail about one clock of one case."""

    partnership: str
    case_id: str
    clock_id: str
    subject_ref: str  #: "case", an agency id, or what the clock is about within the case
    kind: str  #: DUE_SOON, OVERDUE or CHASE
    due: dt.date
    working_days: int  #: left (due soon, chase) or overdue (overdue), as the event said
    agency_name: str = ""
    link: str = ""
    chase_id: str = ""

    @property
    def purpose(self) -> str:
        return CLOCK_PURPOSES.get(self.clock_id, f"the statutory clock {self.clock_id}")


def message_id(notice: DeadlineNotice, sender_domain: str) -> str:
    """The same notice always gets the same Message-ID (a chase: per chase)."""
    key = notice.chase_id or f"{notice.partnership}:{notice.case_id}:{notice.clock_id}:{notice.subject_ref}:{notice.kind}:{notice.due}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"<rr-{notice.kind.replace('_', '-')}.{short_id(notice.case_id)}.{digest}@{sender_domain}>"


def subject_line(notice: DeadlineNotice) -> str:
    short = short_id(notice.case_id)
    if notice.kind == CHASE:
        return f"Rapid Review: your return for case {short} is awaited (due {notice.due.isoformat()})"
    if notice.kind == OVERDUE:
        return f"Rapid Review: {notice.clock_id} overdue for case {short} (was due {notice.due.isoformat()})"
    return f"Rapid Review: {notice.clock_id} due {notice.due.isoformat()} for case {short}"


def _timing(notice: DeadlineNotice) -> str:
    days = abs(notice.working_days)
    plural = "" if days == 1 else "s"
    if notice.kind == OVERDUE or (notice.kind == CHASE and notice.working_days < 0):
        return f"It was due on {notice.due.isoformat()} and is {days} working day{plural} overdue."
    if notice.working_days == 0:
        return f"It is due today, {notice.due.isoformat()}."
    return f"It is due on {notice.due.isoformat()}, in {days} working day{plural}."


def compose(notice: DeadlineNotice, recipients: tuple[str, ...], *, sender: str, sender_domain: str) -> EmailMessage:
    """The e-mail for `notice` to `recipients` (never logged)."""
    short = short_id(notice.case_id)
    msg = EmailMessage()
    msg["Subject"] = subject_line(notice)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(notice, sender_domain)
    msg["Auto-Submitted"] = "auto-generated"
    if notice.kind == CHASE:
        who = notice.agency_name or notice.subject_ref
        lines = [
            f"The partnership's business unit is chasing the return of {who} to the rapid review information request.",
            "",
            f"Case: {short} (case id {notice.case_id})",
            _timing(notice),
            "",
            "Please submit the return in Rapid Review as soon as possible: the partnership must complete the",
            "rapid review within its statutory timescale (RR.DEADLINE).",
        ]
    else:
        lead = "A statutory deadline is overdue" if notice.kind == OVERDUE else "A statutory deadline is coming up"
        lines = [
            f"{lead}: {notice.purpose}.",
            "",
            f"Case: {short} (case id {notice.case_id})",
        ]
        if notice.clock_id == "RR.AGENCIES":
            lines.append(f"Agency: {notice.agency_name or notice.subject_ref}")
        lines.append(_timing(notice))
    if notice.link:
        lines += ["", f"Open the case in Rapid Review (sign-in required): {notice.link}"]
    lines += ["", "This message was sent automatically; do not reply to it." if notice.kind == CHASE
              else "This message was sent automatically, once for this deadline; do not reply to it."]
    msg.set_content("\n".join(lines) + "\n")
    return msg
