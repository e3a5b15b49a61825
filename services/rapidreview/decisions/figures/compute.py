"""The partnership's yearly report figures for a period, computed from each
service's own records: intake's incidents and clocks (ListIncidents), the
cases' learning themes (criteria's ListCaseThemes) and decisions' own records.

`compute` is pure (the calendar is injected); `load_records` reads decisions'
tables, one statement per kind of record. What counts in a period:

- notifications: Panel notification sent in the period (withdrawn incidents left out);
- NOTIFY.DEADLINE / RR.DEADLINE: duties done in the period (on time against the due
  date in force, median working days from the clock's start); open and overdue at
  the period's end. NOTIFY.DEADLINE is done on the Panel notification's date, RR.DEADLINE
  on the date the rapid review was first sent to the Panel (decisions' own submission
  record; intake's clock, which the same submission closes, when decisions has none);
- rapid reviews completed: RR.DEADLINE done in the period;
- decisions: each case's latest decision by the period's end, when made in the period;
- CSPRs commissioned, reviews published: by their dates;
- learning themes: of the rapid reviews completed in the period, one count per case;
- actions: by owner agency, open and overdue at the period's end, completed in it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidreview.decisions import storage as T
from rapidreview.decisions.domain import clocks as C
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D

NATURES = (("death", "Death", common_pb2.NATURE_DEATH), ("serious_harm", "Serious harm", common_pb2.NATURE_SERIOUS_HARM),
           ("other", "Other", common_pb2.NATURE_OTHER))
AGE_BANDS = (("unborn", "Unborn"), ("under_1", "Under 1"), ("1_4", "1 to 4"), ("5_9", "5 to 9"), ("10_15", "10 to 15"),
             ("16_17", "16 to 17"), ("18_over", "18 and over"), ("unknown", "Not recorded"))
SETTINGS = tuple((v.name.removeprefix("SETTING_").lower(), v.name.removeprefix("SETTING_").replace("_", " ").capitalize()
                  .replace("childrens", "children's"), v.number)
                 for v in common_pb2.Setting.DESCRIPTOR.values if v.number)
DECISIONS = (("cspr", "Local CSPR", D.REVIEW_DECISION_CSPR), ("no_cspr", "No local CSPR", D.REVIEW_DECISION_NO_CSPR),
             ("alternative_learning_review", "Alternative learning review", D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW),
             ("refer_national", "Referred for a national review", D.REVIEW_DECISION_REFER_NATIONAL))
REASONS = (("criteria_not_met", "Criteria not met", D.DECISION_REASON_CRITERIA_NOT_MET),
           ("learning_already_identified", "Learning already identified and acted on", D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED),
           ("other_review", "Learning from another review or process", D.DECISION_REASON_OTHER_REVIEW),
           ("national_review", "National review", D.DECISION_REASON_NATIONAL_REVIEW),
           ("other", "Other reason", D.DECISION_REASON_OTHER),
           ("not_recorded", "Reason not recorded", D.DECISION_REASON_UNSPECIFIED))
#: A decision recorded without a reason category still says which kind of "not a CSPR" it is.
DEFAULT_REASON = {D.REVIEW_DECISION_REFER_NATIONAL: D.DECISION_REASON_NATIONAL_REVIEW,
                  D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: D.DECISION_REASON_OTHER_REVIEW}
CLOSED = (D.ACTION_STATUS_COMPLETED, D.ACTION_STATUS_CANCELLED)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date | str | None) -> bool:
        if not day:
            return False
        value = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        return self.start <= value <= self.end


@dataclass
class CaseRecords:
    """Decisions' own records of one case."""

    decisions: list[D.Decision] = field(default_factory=list)
    reviews: list[D.Review] = field(default_factory=list)
    publications: list[D.Publication] = field(default_factory=list)
    actions: list[tuple[D.Action, dt.date]] = field(default_factory=list)  # with the day each was added
    six_months: C.ClockState | None = None
    submissions: list[D.PanelSubmission] = field(default_factory=list)

    def first_submitted(self) -> dt.date | None:
        """The day the rapid review first reached the Panel: it closes RR.DEADLINE (a later
        round's submission does not reopen or move it)."""
        days = [dt.date.fromisoformat(s.sent_date) for s in self.submissions if s.sent_date]
        return min(days) if days else None


async def load_records(repo: DecisionRepository, partnership: str) -> dict[str, CaseRecords]:
    """Every case's decisions, reviews, publications, actions and POST.SIX_MONTHS clock."""
    out: dict[str, CaseRecords] = defaultdict(CaseRecords)
    for decision, _ in await repo.partnership_records(T.decisions, partnership, D.Decision):
        out[decision.case_id].decisions.append(decision)
    for submission, _ in await repo.partnership_records(T.panel_submissions, partnership, D.PanelSubmission):
        out[submission.case_id].submissions.append(submission)
    for review, _ in await repo.partnership_records(T.reviews, partnership, D.Review):
        out[review.case_id].reviews.append(review)
    for action, recorded_at in await repo.partnership_records(T.actions, partnership, D.Action):
        created = dt.date.fromisoformat(action.created_on) if action.created_on else recorded_at.date()
        out[action.case_id].actions.append((action, created))
    for table_row in await repo.session.execute(
            T.publications.select().join(T.cases, T.cases.c.case_id == T.publications.c.case_id)
            .where(T.cases.c.partnership == partnership)):
        out[table_row.case_id].publications.append(repo.open_record(T.publications, table_row, D.Publication))
    for case_id, clock in (await repo.partnership_clocks(partnership, C.SIX_MONTHS)).items():
        out[case_id].six_months = clock
    return dict(out)


def _clock(incident: intake_pb2.Incident, clock_id: str) -> common_pb2.Clock | None:
    return next((c for c in incident.clocks if c.id == clock_id), None)


def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def rapid_review_completed_in(incident: intake_pb2.Incident, period: Period, records: CaseRecords | None = None) -> bool:
    """True when the incident's RR.DEADLINE duty was done in the period (`rr_done_on`)."""
    return rr_done_on(incident, records) in period


def rr_done_on(incident: intake_pb2.Incident, records: CaseRecords | None) -> dt.date | None:
    """The day RR.DEADLINE was done: the rapid review's first Panel submission, as decisions
    recorded it; else intake's clock (closed by that same submission's event)."""
    rr = _clock(incident, "RR.DEADLINE")
    if rr is None:
        return None
    submitted = records.first_submitted() if records is not None else None
    return submitted or _day(rr.completed_on)


def _withdrawn(incident: intake_pb2.Incident) -> bool:
    return incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN


def _age_band(child: intake_pb2.ChildDetails) -> str:
    if child.unborn:
        return "unborn"
    if not child.HasField("age_years"):
        return "unknown"
    age = child.age_years
    for limit, band in ((0, "under_1"), (4, "1_4"), (9, "5_9"), (15, "10_15"), (17, "16_17")):
        if age <= limit:
            return band
    return "18_over"


def _counts(keys: Iterable[tuple[str, str]], counted: Counter) -> list[D.FigureCount]:  # type: ignore[type-arg]
    return [D.FigureCount(key=key, label=label, count=counted.get(key, 0)) for key, label in keys]


def _median(values: list[int]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _clock_figures(clock_id: str, done: list[tuple[dt.date, dt.date, dt.date]], open_overdue: int,
                   calendar: WorkingDayCalendar) -> D.ClockFigures:
    """`done`: (starts from, due in force, done on) of each duty done in the period."""
    late = sum(1 for _, due, on in done if on > due)
    return D.ClockFigures(clock_id=clock_id, completed=len(done), on_time=len(done) - late, late=late,
                          median_working_days=_median([calendar.working_days_between(start, on) for start, _, on in done]),
                          open_overdue=open_overdue)


def compute(period: Period, partnership: str, incidents: list[intake_pb2.Incident], records: dict[str, CaseRecords],
            themes: dict[str, list[str]], calendar: WorkingDayCalendar) -> D.YearlyFigures:
    """The figures of `partnership` for `period` (see the module's docstring for what counts)."""
    figures = D.YearlyFigures(partnership=partnership, from_date=period.start.isoformat(), to_date=period.end.isoformat(),
                              computed_on=calendar.today().isoformat())
    notes: list[str] = []
    live = [i for i in incidents if not _withdrawn(i)]
    withdrawn = sum(1 for i in incidents if _withdrawn(i) and i.panel_notification.sent_date in period)
    if withdrawn:
        notes.append(f"{withdrawn} notification(s) sent in the period and later withdrawn as not meeting the criteria are not counted.")

    # Notifications to the Panel.
    notified = [i for i in live if i.panel_notification.sent_date in period]
    natures = Counter(next((k for k, _, v in NATURES if v == i.notification.nature), "other") for i in notified)
    ages = Counter(_age_band(i.notification.child) for i in notified)
    settings = Counter(next((k for k, _, v in SETTINGS if v == i.notification.setting), "other") for i in notified)
    figures.notifications.CopyFrom(D.NotificationFigures(
        total=len(notified), by_nature=_counts(((k, label) for k, label, _ in NATURES), natures),
        by_age_band=_counts(AGE_BANDS, ages), by_setting=_counts(((k, label) for k, label, _ in SETTINGS), settings)))

    # The statutory clocks.
    for clock_id, target in (("NOTIFY.DEADLINE", figures.notify_deadline), ("RR.DEADLINE", figures.rapid_review_deadline)):
        done, overdue = [], 0
        for i in live:
            clock = _clock(i, clock_id)
            if clock is None or not clock.starts_from:
                continue
            start, due = dt.date.fromisoformat(clock.starts_from), dt.date.fromisoformat(clock.effective_due or clock.due)
            completed = _day(clock.completed_on)
            if clock_id == "NOTIFY.DEADLINE" and completed is None:
                completed = _day(i.panel_notification.sent_date)
            if clock_id == "RR.DEADLINE":
                completed = rr_done_on(i, records.get(i.case_id))
            if completed is not None and completed in period:
                done.append((start, due, completed))
            elif start <= period.end and (completed is None or completed > period.end) and due < period.end:
                overdue += 1
        target.CopyFrom(_clock_figures(clock_id, done, overdue, calendar))
    figures.rapid_reviews_completed = figures.rapid_review_deadline.completed

    # Decisions on a local CSPR.
    by_decision: Counter = Counter()  # type: ignore[type-arg]
    reasons: Counter = Counter()  # type: ignore[type-arg]
    decided = 0
    for case in records.values():
        made = [d for d in case.decisions if dt.date.fromisoformat(d.decided_on) <= period.end]
        if not made:
            continue
        latest = max(made, key=lambda d: (d.round, d.decided_on))
        if latest.decided_on not in period:
            continue
        decided += 1
        by_decision[next(k for k, _, v in DECISIONS if v == latest.decision)] += 1
        if latest.decision != D.REVIEW_DECISION_CSPR:
            reason = latest.reason or DEFAULT_REASON.get(latest.decision, D.DECISION_REASON_UNSPECIFIED)
            reasons[next(k for k, _, v in REASONS if v == reason)] += 1
    figures.decisions.CopyFrom(D.DecisionFigures(
        decided=decided, by_decision=_counts(((k, label) for k, label, _ in DECISIONS), by_decision),
        cspr_decided=by_decision["cspr"], not_cspr=decided - by_decision["cspr"],
        cspr_commissioned=sum(1 for case in records.values() for r in case.reviews if r.commissioned_on in period),
        not_cspr_reasons=_counts(((k, label) for k, label, _ in REASONS), reasons)))

    # Publications of local CSPRs.
    published = D.PublicationFigures()
    for case in records.values():
        for p in case.publications:
            if p.published_on not in period:
                continue
            published.published += 1
            day = dt.date.fromisoformat(p.published_on)
            if case.six_months is not None and day <= case.six_months.due:
                published.within_six_months += 1
            if p.late:
                published.late += 1
            else:
                published.within_target += 1
            if p.kind == D.PUBLICATION_KIND_IMPROVEMENTS_ONLY:
                published.improvements_only += 1
    figures.publications.CopyFrom(published)

    # Learning themes of the rapid reviews completed in the period.
    completed = [i.case_id for i in live if rapid_review_completed_in(i, period)]
    counted: Counter = Counter()  # type: ignore[type-arg]
    for case_id in completed:
        counted.update(dict.fromkeys(themes.get(case_id, ()), 1))
    figures.learning_themes.extend(D.FigureCount(key=theme, label=theme, count=count)
                                   for theme, count in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))
    unknown = sum(1 for case_id in completed if not themes.get(case_id))
    if unknown:
        notes.append(f"{unknown} rapid review(s) completed in the period have no learning themes recorded.")

    # Actions by owner agency.
    agencies: dict[str, D.AgencyActionFigures] = {}
    for case in records.values():
        for action, created in case.actions:
            if created > period.end:
                continue
            closed = _day(action.closed_on) if action.status in CLOSED else None
            row = agencies.setdefault(action.owner_agency_id, D.AgencyActionFigures(agency_id=action.owner_agency_id))
            if closed is None or closed > period.end:
                row.open += 1
                if dt.date.fromisoformat(action.due_date) < period.end:
                    row.overdue += 1
            elif action.status == D.ACTION_STATUS_COMPLETED and closed in period:
                row.completed += 1
    figures.actions.extend(agencies[a] for a in sorted(agencies) if agencies[a].open or agencies[a].completed)
    figures.notes.extend(notes)
    return figures
