"""Which statutory clocks a case runs: one per duty that arises.

Each duty's deadline comes from its rule file (`working_days`, `counts_from`:
the CaseFacts date it counts from), never from code. A clock starts only when
its duty is MET on the case's current duties and the date it counts from is
recorded; a clock whose duty no longer arises (after an amendment) is stopped
while it is open, and a completed clock is never touched. A clock closes when
every recipient it needs has been told (`recipients`), or, for RR.DEADLINE,
when the rapid review reaches the Panel (decisions' submission date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rapidreview.intake.domain.clocks import ClockState, start_clock
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, facts_pb2, intake_pb2

R = intake_pb2
PANEL_DUTIES = ("NOTIFY.PANEL_IN_AREA", "NOTIFY.PANEL_OUTSIDE_ENGLAND")
#: Whether two local authority names are one authority (the rule files' register of codes).
SameAuthority = Callable[[str, str], bool]


def same_name(a: str, b: str) -> bool:
    """Names compared as written (ignoring case and spaces), for rule books without a register."""
    return bool(a.strip()) and " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def home_area_elsewhere(facts: facts_pb2.CaseFacts, same: SameAuthority) -> bool:
    """RR.LEAD_AREA: the incident happened in England in another authority than the child's
    home one, so the home area's partners must be told (outside England the home area leads)."""
    return (facts.incident_country == common_pb2.COUNTRY_ENGLAND and bool(facts.home_la.strip())
            and bool(facts.incident_la.strip()) and not same(facts.incident_la, facts.home_la))


@dataclass(frozen=True)
class DutyClock:
    """A statutory clock and the duty that runs it."""

    #: The RULES.md ID of the deadline; also the rule whose parameters it reads.
    clock_id: str
    #: The clock runs when any of these duties is MET.
    duties: tuple[str, ...]
    #: Who must be told for the clock to close (empty: closed by another step).
    recipients: tuple[int, ...]
    #: A withdrawn notification stops the clock (the Panel duty and what hangs on
    #: it); the Secretary of State and Ofsted are told of a looked-after child's
    #: or care leaver's death whatever happens to the Panel notification.
    ends_with_withdrawal: bool = True
    #: The rule whose parameters give the deadline, when not the clock's own.
    parameters_from: str = ""
    #: Recorded with RecordNotificationSent (the Panel and RR.DEADLINE have their own steps).
    recorded_by_notification: bool = True
    #: A further condition on the facts, beyond the duty being MET.
    applies: Callable[[facts_pb2.CaseFacts, SameAuthority], bool] | None = None

    @property
    def parameter_rule(self) -> str:
        return self.parameters_from or self.clock_id


DUTY_CLOCKS: tuple[DutyClock, ...] = (
    DutyClock("NOTIFY.DEADLINE", PANEL_DUTIES, (R.NOTIFICATION_RECIPIENT_PANEL,), recorded_by_notification=False),
    DutyClock("NOTIFY.LAC_DEATH", ("NOTIFY.LAC_DEATH",),
              (R.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, R.NOTIFICATION_RECIPIENT_OFSTED), ends_with_withdrawal=False),
    DutyClock("NOTIFY.CARE_LEAVER_DEATH", ("NOTIFY.CARE_LEAVER_DEATH",),
              (R.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, R.NOTIFICATION_RECIPIENT_OFSTED), ends_with_withdrawal=False),
    DutyClock("NOTIFY.PARTNERS", ("NOTIFY.PARTNERS",), (R.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,)),
    # The leading area works with the home area's partners, who are told as the notifying
    # authority's partners are (NOTIFY.PARTNERS: "and of other areas where appropriate"),
    # within the same deadline.
    DutyClock("RR.LEAD_AREA", ("RR.LEAD_AREA",), (R.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,),
              parameters_from="NOTIFY.PARTNERS", applies=home_area_elsewhere),
    DutyClock("RR.DEADLINE", ("RR.REQUIRED",), (), recorded_by_notification=False),
)
BY_ID: dict[str, DutyClock] = {c.clock_id: c for c in DUTY_CLOCKS}
#: Clocks the watcher keeps watching after a withdrawal.
SURVIVE_WITHDRAWAL: tuple[str, ...] = tuple(c.clock_id for c in DUTY_CLOCKS if not c.ends_with_withdrawal)


def recordable_duties() -> list[str]:
    """Duties whose notifications RecordNotificationSent records."""
    return [c.clock_id for c in DUTY_CLOCKS if c.recorded_by_notification]


def met(duties: Iterable[common_pb2.RuleOutcome]) -> set[str]:
    """IDs of the duties that are MET."""
    return {d.rule_id for d in duties if d.outcome == common_pb2.OUTCOME_MET}


def arises(spec: DutyClock, duties_met: set[str], facts: facts_pb2.CaseFacts | None = None,
           same: SameAuthority = same_name) -> bool:
    """The clock's duty is MET (and, given the facts, its further condition holds)."""
    if not any(d in duties_met for d in spec.duties):
        return False
    return spec.applies is None or facts is None or spec.applies(facts, same)


@dataclass(frozen=True)
class Deadline:
    """A clock's deadline as its rule file gives it."""

    working_days: int
    counts_from: str  # a CaseFacts date field, e.g. "la_aware_date"


class DeadlineError(ValueError):
    """A rule file gives no usable deadline for a clock (names the rule and the parameter)."""


def deadline(params: Mapping[str, object], rule_id: str) -> Deadline:
    """The deadline in a rule's parameters; DeadlineError when it is not usable."""
    days, counts_from = params.get("working_days"), params.get("counts_from")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise DeadlineError(f"{rule_id}: parameter working_days must be a whole number of at least 1")
    if not isinstance(counts_from, str) or counts_from not in facts_pb2.CaseFacts.DESCRIPTOR.fields_by_name:
        raise DeadlineError(f"{rule_id}: parameter counts_from must name a date of the case (e.g. la_aware_date)")
    return Deadline(days, counts_from)


def _date(facts: facts_pb2.CaseFacts, name: str) -> dt.date | None:
    value = getattr(facts, name, "")
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


@dataclass
class ClockPlan:
    """What to do to a case's clocks after its duties were (re-)evaluated."""

    start: list[ClockState] = field(default_factory=list)
    move: list[ClockState] = field(default_factory=list)  # open clocks whose start date changed
    stop: list[str] = field(default_factory=list)  # open clocks whose duty no longer arises

    @property
    def started(self) -> list[str]:
        return [c.clock_id for c in self.start]


def plan_clocks(duties: Iterable[common_pb2.RuleOutcome], facts: facts_pb2.CaseFacts,
                params: Callable[[str], Mapping[str, object] | None], calendar: WorkingDayCalendar,
                existing: Mapping[str, ClockState], *, allow_stop: bool = True, same: SameAuthority = same_name) -> ClockPlan:
    """The clocks to start, move and stop. `params(rule_id)` gives the rule's
    parameters in the case's edition (None when the edition has no such rule:
    its duty cannot arise either); `same` compares local authorities."""
    duties_met = met(duties)
    plan = ClockPlan()
    for spec in DUTY_CLOCKS:
        current = existing.get(spec.clock_id)
        if not arises(spec, duties_met, facts, same):
            if allow_stop and current is not None and current.is_open():
                plan.stop.append(spec.clock_id)
            continue
        if current is not None and not current.is_open():
            continue
        rule_params = params(spec.parameter_rule)
        if rule_params is None:
            continue
        rule = deadline(rule_params, spec.parameter_rule)
        start = _date(facts, rule.counts_from)
        if start is None:
            continue  # its start date is not recorded yet (RR.DEADLINE before the Panel notification)
        fresh = start_clock(spec.clock_id, start, rule.working_days, calendar)
        if current is None:
            plan.start.append(fresh)
        elif current.starts_from != fresh.starts_from or current.due != fresh.due:
            current.starts_from, current.due = fresh.starts_from, fresh.due
            plan.move.append(current)
    return plan


def completion(spec: DutyClock, sent: Mapping[int, dt.date]) -> dt.date | None:
    """The date a clock closes: the latest date once every recipient it needs is told."""
    if not spec.recipients or any(r not in sent for r in spec.recipients):
        return None
    return max(sent[r] for r in spec.recipients)


def check_deadlines(book) -> None:  # type: ignore[no-untyped-def]
    """Raises DeadlineError naming the first rule file whose deadline a clock
    cannot use, so a bad parameter stops the service at start-up rather than a
    notification later."""
    from rapidreview.rules import RuleNotFound

    for edition in book.editions:
        for spec in DUTY_CLOCKS:
            try:
                params = book.deadline_params(spec.parameter_rule, edition)
            except RuleNotFound:
                continue
            try:
                deadline(params, spec.parameter_rule)
            except DeadlineError as exc:
                raise DeadlineError(f"{edition.name} {edition.version}: {exc}") from None
