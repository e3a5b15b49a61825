"""The notifications intake's duties need (RULES.md section 1), as the dashboard
words them: who must still be told for each duty whose clock runs, and when a
duty's clock is done (every recipient recorded, on the latest date).

The recipients per duty are part of intake's contract (docs/intake.md,
"Recording notifications"); the read model keeps its own copy rather than
importing intake's code, as it keeps its own tables. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidreview.v1 import intake_pb2 as I

from rapidreview.workspace.readmodel.domain.clocks import CARE_LEAVER_DEATH, LAC_DEATH, LEAD_AREA, PARTNERS

SECRETARY_OF_STATE, OFSTED = I.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, I.NOTIFICATION_RECIPIENT_OFSTED
SAFEGUARDING_PARTNERS, HOME_AREA_PARTNERS = I.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS, I.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS

#: The duties recorded with RecordNotificationSent, in statutory order, and whom each tells.
#: NOTIFY.DEADLINE (the Panel) and RR.DEADLINE have steps of their own (the stage says them).
RECIPIENTS: dict[str, tuple[int, ...]] = {
    LAC_DEATH: (SECRETARY_OF_STATE, OFSTED),
    CARE_LEAVER_DEATH: (SECRETARY_OF_STATE, OFSTED),
    PARTNERS: (SAFEGUARDING_PARTNERS,),
    LEAD_AREA: (HOME_AREA_PARTNERS,),
}
NOTIFICATION_DUTIES = tuple(RECIPIENTS)

_WHO = {
    SECRETARY_OF_STATE: "the Secretary of State",
    OFSTED: "Ofsted",
    SAFEGUARDING_PARTNERS: "the safeguarding partners",
    HOME_AREA_PARTNERS: "the home area's safeguarding partners",
}
_VERB = {LAC_DEATH: "Notify", CARE_LEAVER_DEATH: "Notify", PARTNERS: "Inform", LEAD_AREA: "Inform"}


@dataclass(frozen=True)
class NotificationDue:
    """A duty whose clock is open, and who must still be told."""

    duty: str
    outstanding: tuple[int, ...]

    @property
    def step(self) -> str:
        """"Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)"."""
        return f"{_VERB[self.duty]} {' and '.join(_WHO[r] for r in self.outstanding)} ({self.duty})"


def outstanding(duty: str, told: Iterable[int]) -> tuple[int, ...]:
    """Who the duty must still tell, in the duty's order (empty once all are told)."""
    done = set(told)
    return tuple(r for r in RECIPIENTS.get(duty, ()) if r not in done)


def completion(duty: str, sent: Mapping[int, dt.date]) -> dt.date | None:
    """The date the duty's clock is done: the latest date once every recipient is told, as intake closes it."""
    needed = RECIPIENTS.get(duty, ())
    if not needed or any(r not in sent for r in needed):
        return None
    return max(sent[r] for r in needed)
