"""The relay is woken after a consumer's commit only when that transaction added outbox rows."""

from __future__ import annotations

import asyncio

from sqlalchemy import MetaData

from rapidreview.kernel.events import new_event
from rapidreview.kernel.outbox import Outbox, outbox_table
from rapidreview.v1 import decisions_pb2


class _Statements:
    """Stands in for a transaction: records what it is asked to execute."""

    def __init__(self) -> None:
        self.executed = 0

    async def execute(self, statement, parameters=None):  # type: ignore[no-untyped-def]
        self.executed += 1


def _event() -> object:
    return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id="c1"), producer="decisions")


async def test_wake_if_added_wakes_the_relay_only_after_a_task_added_rows_and_once_per_addition() -> None:
    outbox = Outbox(outbox_table(MetaData(schema="t")), "decisions")
    session = _Statements()

    async def consumer_task() -> list[bool]:
        woken = []
        outbox.wake_if_added()  # a transaction that added nothing
        woken.append(outbox._wake.is_set())
        await outbox.add(session, _event())
        outbox.wake_if_added()
        woken.append(outbox._wake.is_set())
        outbox._wake.clear()
        outbox.wake_if_added()  # nothing added since the last wake
        woken.append(outbox._wake.is_set())
        await outbox.add_many(session, [_event(), _event()])
        outbox.wake_if_added()
        woken.append(outbox._wake.is_set())
        return woken

    assert await asyncio.create_task(consumer_task()) == [False, True, False, True]
    assert session.executed == 2


async def test_rows_added_by_one_task_do_not_make_another_task_wake_the_relay() -> None:
    outbox = Outbox(outbox_table(MetaData(schema="t")), "decisions")
    added = asyncio.Event()
    checked = asyncio.Event()

    async def adding() -> None:
        await outbox.add(_Statements(), _event())
        added.set()
        await checked.wait()

    async def other() -> bool:
        await added.wait()
        outbox.wake_if_added()
        checked.set()
        return outbox._wake.is_set()

    first = asyncio.create_task(adding())
    assert await asyncio.create_task(other()) is False
    await first
