"""Gathering's repository on a real PostgreSQL: the set-based statements a case's
path uses (open a case, open many requests at once, move provisional due dates,
store a return and read back what was stored) do what the row-by-row ones did."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from rapidreview.gathering.domain.requests import RequestState
from rapidreview.gathering.storage import GatheringRepository, requests
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.v1 import common_pb2, gathering_pb2

pytestmark = pytest.mark.integration
G = gathering_pb2
CASE = "6f1c2d0e-0000-4000-8000-000000000001"
AWARE, SENT = dt.date(2024, 6, 4), dt.date(2024, 6, 7)


@pytest.fixture
async def db(fresh_database) -> AsyncIterator[Database]:
    await upgrade_async("gathering", fresh_database)
    database = Database(fresh_database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(KeyRing.generate())


def state(agency_id: str, due: dt.date, basis: int = G.DUE_BASIS_AWARENESS) -> RequestState:
    return RequestState(case_id=CASE, agency=common_pb2.Agency(agency_id=agency_id, name=agency_id.title()),
                        source=G.REQUEST_SOURCE_NOTIFICATION, opened_on=AWARE, starts_from=AWARE, due=due, due_basis=basis)


async def open_case(db: Database, cipher: FieldCipher):  # type: ignore[no-untyped-def]
    async with db.transaction() as session:
        return await GatheringRepository(session, cipher).open_case(
            case_id=CASE, partnership="leeds", status=G.GATHERING_STATUS_OPEN, la_aware_date=AWARE, panel_sent_date=None,
            return_working_days=10)


async def test_opening_a_case_returns_its_row_once_and_nothing_for_a_second_copy(db, cipher):
    first = await open_case(db, cipher)
    assert (first.case_id, first.partnership, first.la_aware_date, first.collation_version) == (CASE, "leeds", AWARE, 0)
    assert await open_case(db, cipher) is None


async def test_requests_opened_together_keep_their_order_and_later_ones_follow(db, cipher):
    await open_case(db, cipher)
    async with db.transaction() as session:
        repo = GatheringRepository(session, cipher)
        await repo.insert_requests([state("police", dt.date(2024, 6, 18)), state("health", dt.date(2024, 6, 18))])
        await repo.insert_requests([state("school", dt.date(2024, 6, 18))], first_position=2)
        await repo.insert_requests([], first_position=3)
    async with db.transaction() as session:
        repo = GatheringRepository(session, cipher)
        stored = await repo.get_requests(CASE)
        assert [s.agency_id for s in stored] == ["police", "health", "school"]
        assert stored[1].agency.name == "Health"
        assert (await repo.get_request(CASE, "school")).due == dt.date(2024, 6, 18)  # type: ignore[union-attr]
        assert await repo.get_request(CASE, "nobody") is None


async def test_moving_provisional_due_dates_resets_deadline_events_only_where_the_date_changes(db, cipher):
    await open_case(db, cipher)
    new_due = dt.date(2024, 6, 21)
    async with db.transaction() as session:
        repo = GatheringRepository(session, cipher)
        await repo.insert_requests([
            state("police", dt.date(2024, 6, 18)),                               # provisional, date moves
            state("health", new_due),                                            # provisional, same date
            state("school", dt.date(2024, 6, 25), G.DUE_BASIS_PANEL_NOTIFICATION),  # already from the Panel notification
        ])
        await session.execute(requests.update().values(due_soon_emitted=True, overdue_emitted=True))
    async with db.transaction() as session:
        moved = await GatheringRepository(session, cipher).move_provisional_due_dates(CASE, starts_from=SENT, due=new_due)
    assert moved == 2
    async with db.transaction() as session:
        rows = {r.agency_id: r for r in (await session.execute(requests.select())).all()}
    assert (rows["police"].starts_from, rows["police"].due, rows["police"].due_basis) == (SENT, new_due, G.DUE_BASIS_PANEL_NOTIFICATION)
    assert (rows["police"].due_soon_emitted, rows["police"].overdue_emitted) == (False, False)
    assert (rows["health"].starts_from, rows["health"].due_basis) == (SENT, G.DUE_BASIS_PANEL_NOTIFICATION)
    assert (rows["health"].due_soon_emitted, rows["health"].overdue_emitted) == (True, True)
    assert (rows["school"].starts_from, rows["school"].due, rows["school"].due_basis) == (
        AWARE, dt.date(2024, 6, 25), G.DUE_BASIS_PANEL_NOTIFICATION)
    assert (rows["school"].due_soon_emitted, rows["school"].overdue_emitted) == (True, True)


async def test_a_stored_return_is_given_back_as_the_versions_read_show_it(db, cipher):
    await open_case(db, cipher)
    body = G.AgencyReturn(agency=common_pb2.Agency(agency_id="police", name="Police"), involvement=G.INVOLVEMENT_INVOLVED)
    async with db.transaction() as session:
        repo = GatheringRepository(session, cipher)
        await repo.insert_requests([state("police", dt.date(2024, 6, 18))])
        stored = await repo.insert_return(case_id=CASE, agency_id="police", version=1, agency_return=body, submitted_by="someone",
                                          submitted_on=dt.date(2024, 6, 10), late=False)
        await repo.record_submission(CASE, "police", latest_version=1, first_returned_on=dt.date(2024, 6, 10))
    async with db.transaction() as session:
        repo = GatheringRepository(session, cipher)
        assert await repo.versions(CASE, "police") == [stored]
        request = await repo.get_request(CASE, "police")
        assert (request.latest_version, request.first_returned_on) == (1, dt.date(2024, 6, 10))  # type: ignore[union-attr]
        assert await repo.latest_bodies(CASE) == {"police": body}
        row = await repo.update_case_returning(CASE, collation_version=1)
        assert row.collation_version == 1
