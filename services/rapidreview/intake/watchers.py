"""The clock watcher: emits deadline.due_soon and deadline.overdue once per clock.

The "emitted" flag is set in the same transaction as the outbox row, and rows
are claimed with SKIP LOCKED, so replicas never emit twice. A clock whose duty
the case's duties do not show as arising (a NOTIFY.DEADLINE clock started for
every notification before clocks were per duty) is stopped instead of reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rapidreview.intake.domain import duty_clocks as DC
from rapidreview.intake.domain.clocks import ClockState
from rapidreview.intake.storage import IncidentRepository
from rapidreview.kernel.outbox import Deferred
from rapidreview.kernel.events import new_event
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import events_pb2

log = get_logger(__name__)


class ClockWatcher:
    def __init__(self, infra: Infrastructure, producer: str = "intake") -> None:
        self.infra = infra
        self.producer = producer

    async def check_once(self) -> int:
        """Emits what is due now; returns how many events were written."""
        calendar = self.infra.calendar
        today = calendar.today()
        soon = self.infra.settings.due_soon_working_days
        emitted = 0
        async with self.infra.db.transaction() as session:
            repo = IncidentRepository(session, self.infra.cipher)
            duties_met: dict[str, set[str]] = {}
            for row in await repo.open_clocks_for_watch(DC.SURVIVE_WITHDRAWAL):
                state = ClockState(row.clock_id, row.starts_from, row.due, row.completed_on)
                due = row.effective_due
                left = calendar.working_days_left(due, today)
                due_now = (not row.overdue_emitted and today > due) or (not row.due_soon_emitted and 0 <= left <= soon)
                spec = DC.BY_ID.get(row.clock_id)
                if due_now and spec is not None:
                    if row.case_id not in duties_met:
                        incident = await repo.get_row(row.case_id)
                        duties_met[row.case_id] = DC.met(repo.duties_of(incident))
                    if not DC.arises(spec, duties_met[row.case_id]):
                        await repo.delete_clock(row.case_id, row.clock_id)
                        log.info("clock stopped: its duty does not arise", clock_id=row.clock_id, case_id=row.case_id)
                        continue
                if not row.overdue_emitted and today > due:
                    payload = events_pb2.DeadlineOverdue(clock_id=state.clock_id, subject_ref="case", due=due.isoformat(),
                                                         working_days_overdue=max(-left, 1))
                    await self._emit(repo, "deadline.overdue", payload, row, overdue=True)
                    emitted += 1
                elif not row.due_soon_emitted and 0 <= left <= soon:
                    payload = events_pb2.DeadlineDueSoon(clock_id=state.clock_id, subject_ref="case", due=due.isoformat(),
                                                         working_days_left=left)
                    await self._emit(repo, "deadline.due_soon", payload, row, overdue=False)
                    emitted += 1
        if emitted:
            self.infra.outbox.wake()
        return emitted

    async def _emit(self, repo: IncidentRepository, event_type: str, payload, row, *, overdue: bool) -> None:  # type: ignore[no-untyped-def]
        """Writes the deadline event and marks it written on the clock, with one statement (the
        outbox row as part of the clock's UPDATE)."""
        deferred = Deferred()
        await self.infra.outbox.add(
            deferred,  # type: ignore[arg-type]
            new_event(event_type, payload, producer=self.producer, case_id=row.case_id, partnership=row.partnership),
        )
        await repo.mark_reported(row.case_id, row.clock_id, overdue=overdue, deferred=deferred)

    async def run(self) -> None:
        while True:
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database away: try again next round
                log.warning("clock watch failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.infra.settings.clock_watch_interval)


def watcher(infra: Infrastructure) -> Callable[[], object]:
    return ClockWatcher(infra).run
