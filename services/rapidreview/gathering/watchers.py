"""Background work of gathering.

The request clock watcher emits deadline.due_soon and deadline.overdue once
per information request (clock RR.AGENCIES, subject_ref = the agency id). The
"emitted" flags are set in the same transaction as the outbox row, and rows
are claimed with SKIP LOCKED, so replicas never emit twice. A request whose
due date moves (Panel notification recorded) gets its flags reset.

The re-encryption watcher moves sealed returns to the current key after a
key rotation, a batch at a time (old keys keep them readable meanwhile).
"""

from __future__ import annotations

import asyncio

from rapidreview.gathering.domain.requests import CLOCK_ID
from rapidreview.gathering.storage import GatheringRepository
from rapidreview.kernel.events import new_event
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import events_pb2

log = get_logger(__name__)


class RequestClockWatcher:
    def __init__(self, infra: Infrastructure, producer: str = "gathering") -> None:
        self.infra = infra
        self.producer = producer

    async def check_once(self) -> int:
        """Emits what is due now; returns how many events were written."""
        calendar = self.infra.calendar
        today = calendar.today()
        soon = self.infra.settings.due_soon_working_days
        emitted = 0
        async with self.infra.db.transaction() as session:
            repo = GatheringRepository(session, self.infra.cipher)
            for row in await repo.requests_for_watch():
                left = calendar.working_days_left(row.due, today)
                if not row.overdue_emitted and today > row.due:
                    payload = events_pb2.DeadlineOverdue(clock_id=CLOCK_ID, subject_ref=row.agency_id, due=row.due.isoformat(),
                                                         working_days_overdue=max(-left, 1))
                    await self._emit(repo, "deadline.overdue", payload, row)
                    await repo.update_request(row.case_id, row.agency_id, overdue_emitted=True, due_soon_emitted=True)
                    emitted += 1
                elif not row.due_soon_emitted and 0 <= left <= soon:
                    payload = events_pb2.DeadlineDueSoon(clock_id=CLOCK_ID, subject_ref=row.agency_id, due=row.due.isoformat(),
                                                         working_days_left=left)
                    await self._emit(repo, "deadline.due_soon", payload, row)
                    await repo.update_request(row.case_id, row.agency_id, due_soon_emitted=True)
                    emitted += 1
        if emitted:
            self.infra.outbox.wake()
        return emitted

    async def _emit(self, repo: GatheringRepository, event_type: str, payload, row) -> None:  # type: ignore[no-untyped-def]
        await self.infra.outbox.add(
            repo.session, new_event(event_type, payload, producer=self.producer, case_id=row.case_id, partnership=row.partnership)
        )

    async def run(self) -> None:
        while True:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError  # a database call swallowed our cancellation: stop anyway
            try:
                await self.check_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database away: try again next round
                log.warning("request clock watch failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.infra.settings.clock_watch_interval)


class ReencryptionWatcher:
    """Moves sealed values to the current encryption key, in batches."""

    def __init__(self, infra: Infrastructure, batch: int = 100) -> None:
        self.infra = infra
        self.batch = batch

    async def check_once(self) -> int:
        """Re-encrypts one batch; returns how many values moved."""
        async with self.infra.db.transaction() as session:
            return await GatheringRepository(session, self.infra.cipher).reencrypt_batch(self.batch)

    async def run(self) -> None:
        while True:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError
            try:
                moved = await self.check_once()
                if moved:
                    log.info("returns moved to the current key", count=moved)
                    continue  # more may be waiting
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database away: try again next round
                log.warning("re-encryption failed", exc_type=type(exc).__name__)
            await asyncio.sleep(self.infra.settings.clock_watch_interval)
