"""The dashboard of a partnership with 500 cases costs the same few SQL statements
as one with a single case: nothing is read case by case."""

from __future__ import annotations

import uuid

import pytest

from rapidreview.kernel.db import Database
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.workspace.readmodel import DashboardFilter, ReadModel
from rapidreview.workspace.readmodel.bootstrap import MIGRATIONS
from rapidreview.workspace.readmodel.projection import Projection
from tests.integration.workspace.readmodel.events import CAL, TODAY, Case, times
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration

CASES = 500


@pytest.fixture(scope="module")
async def loaded(postgres_server):
    """500 cases of one partnership (and a few of another), each notified, Panel
    notified and with two information requests, applied by the projection itself
    (once for the module: loading them is the slow part)."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    postgres_server.create_database(name)
    url = postgres_server.url(name)
    await upgrade_async(MIGRATIONS, url)
    db = Database(url)
    cipher = FieldCipher(KeyRing.generate())
    projection = Projection(cipher, CAL)
    routes = projection.routes()
    cases = [Case(partnership="leeds", child_ref=f"Child {i}") for i in range(CASES)] + [Case(partnership="bradford") for _ in range(5)]
    stamps = times(4)
    for batch in range(0, len(cases), 50):
        async with db.transaction() as session:
            for case in cases[batch:batch + 50]:
                for stamp, (event_type, payload) in zip(stamps, [case.notified(), case.panel_notified(), case.request_opened("police"),
                                                                 case.request_opened("gp-practice")], strict=True):
                    ref = EventRef(str(uuid.uuid4()), event_type, case.case_id, "", case.partnership, stamp)
                    await routes[event_type].handler(session, ref, payload)
    yield db, ReadModel(db, cipher, CAL), cases
    await db.dispose()
    postgres_server.drop_database(name)


async def test_the_dashboard_of_500_cases_is_two_sql_statements(loaded):
    db, rm, cases = loaded
    with StatementCounter(db) as counter:
        summaries = await rm.cases("leeds", DashboardFilter(), TODAY)
    assert len(summaries) == CASES
    assert all(len(s.clocks) == 3 and s.requests_total == 2 for s in summaries)
    assert {s.case_reference for s in summaries} == {f"Child {i}" for i in range(CASES)}
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, counter.statements


async def test_every_filter_and_the_search_keep_it_to_two_statements(loaded):
    db, rm, cases = loaded
    for flt in (DashboardFilter(overdue_only=True), DashboardFilter(due_within_working_days=10), DashboardFilter(stage="gathering"),
                DashboardFilter(reference="Child 7"), DashboardFilter(include_closed=True)):
        with StatementCounter(db) as counter:
            await rm.cases("leeds", flt, TODAY)
        assert len([s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]) <= 2, (flt, counter.statements)


async def test_my_requests_across_500_cases_is_one_statement(loaded):
    db, rm, cases = loaded
    with StatementCounter(db) as counter:
        requests = await rm.agency_requests("leeds", "police", TODAY)
    assert len(requests) == CASES
    assert len([s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]) == 1


async def test_the_child_references_move_to_a_new_key_with_keys_rotate_and_stay_searchable(loaded):
    from rapidreview.cli.keys import census, keys_in_use, reencrypt
    from rapidreview.workspace.readmodel import storage

    db, rm, cases = loaded
    url = db.engine.url.render_as_string(hide_password=False)
    encrypted = {f"{t.schema}.{t.name}.{c.name}" for t in storage.metadata.sorted_tables for c in t.columns if c.name.endswith("_enc")}
    assert encrypted <= {c.name for c in storage.SEALED_COLUMNS}
    old = rm.cipher.ring
    new = old.rotated("k-new")
    assert keys_in_use(await census(url, ["workspace"])) == {old.current}
    assert (await reencrypt(url, new, ["workspace"]))["workspace"] == len(cases)
    assert keys_in_use(await census(url, ["workspace"])) == {"k-new"}
    rotated = ReadModel(db, FieldCipher(new), CAL)
    [found] = await rotated.cases("leeds", DashboardFilter(reference="Child 7"), TODAY)
    assert found.case_reference == "Child 7"
