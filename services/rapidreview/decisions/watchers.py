"""The clock watcher: emits deadline.due_soon and deadline.overdue once per
clock (POST.INFORM, POST.SIX_MONTHS, each POST.PROGRESS_CHECKS check and each
action's POST.ACTION_PLAN due date; `subject_ref` says which).

The "emitted" flag is set in the same transaction as the outbox row, and rows
are claimed with SKIP LOCKED, so replicas never emit twice. A clock whose due
date moves (extension, new action due date) is re-armed by the repository.
"""

from __future__ import annotations

import asyncio

from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.events import new_event
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import events_pb2

log = get_logger(__name__)


class ClockWatcher:
    def __init__(self, infra: Infrastructure, producer: str = "decisions") -> None:
        self.infra = infra
        self.producer = producer

    async def check_once(self) -> int:
        """Emits what is due now; returns how many events were written."""
        calendar = self.infra.calendar
        today = calendar.today()
        soon = self.infra.settings.due_soon_working_days
        emitted = 0
        async with self.infra.db.transaction() as session:
            repo = DecisionRepository(session, self.infra.cipher)
            for row in await repo.open_clocks_for_watch():
                due = row.effective_due
                left = calendar.working_days_left(due, today)
                if not row.overdue_emitted and today > due:
                    payload = events_pb2.DeadlineOverdue(clock_id=row.clock_id, subject_ref=row.subject_ref, due=due.isoformat(),
                                                         working_days_overdue=max(-left, 1))
                    await self._emit(repo, "deadline.overdue", payload, row)
                    await repo.mark_emitted(row.case_id, row.clock_id, row.subject_ref, overdue_emitted=True, due_soon_emitted=True)
                    emitted += 1
                elif not row.due_soon_emitted and 0 <= left <= soon:
                    payload = events_pb2.DeadlineDueSoon(clock_id=row.clock_id, subject_ref=row.subject_ref, due=due.isoformat(),
                                                         working_days_left=left)
                    await self._emit(repo, "deadline.due_soon", payload, row)
                    await repo.mark_emitted(row.case_id, row.clock_id, row.subject_ref, due_soon_emitted=True)
                    emitted += 1
        if emitted:
            self.infra.outbox.wake()
        return emitted

    async def _emit(self, repo: DecisionRepository, event_type: str, payload, row) -> None:  # type: ignore[no-untyped-def]
        await self.infra.outbox.add(
            repo.session, new_event(event_type, payload, producer=self.producer, case_id=row.case_id, partnership=row.partnership)
        )

    async def run(self) -> None:
        while True:
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database away: try again next round
                log.warning("clock watch failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.infra.settings.clock_watch_interval)
