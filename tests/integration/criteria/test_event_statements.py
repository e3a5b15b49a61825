"""What criteria's event handlers cost in SQL, and that folding their statements together
changed nothing they store: each path's statements are counted on the handlers themselves
(in this process, against a migrated database), and what they stored is read back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from rapidreview.criteria import storage
from rapidreview.criteria.evaluator import CaseEvaluator
from rapidreview.criteria.event_handlers import CaseEventHandlers
from rapidreview.criteria.storage import CriteriaRepository
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.kernel.outbox import EventTooLarge, Outbox
from rapidreview.rules import Rulebook
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import decisions_pb2, events_pb2, facts_pb2, intake_pb2
from tests.unit.criteria import child_k
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration

TODAY = dt.date(2024, 6, 26)


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return Rulebook.load_default()


@pytest.fixture
async def stack(fresh_database, rulebook) -> AsyncIterator[SimpleNamespace]:
    await upgrade_async("criteria", fresh_database)
    db = Database(fresh_database)
    cipher = FieldCipher(KeyRing.generate())
    outbox = Outbox(storage.metadata.tables["criteria.outbox"], "criteria")
    infra = SimpleNamespace(outbox=outbox, cipher=cipher, calendar=WorkingDayCalendar(lambda: TODAY))
    handlers = CaseEventHandlers(CaseEvaluator(infra, rulebook))  # type: ignore[arg-type]
    yield SimpleNamespace(db=db, cipher=cipher, handlers=handlers)
    await db.dispose()


def ref(event_type: str, case_id: str) -> EventRef:
    return EventRef(str(uuid.uuid4()), event_type, case_id, str(uuid.uuid4()), "leeds")


async def handle(stack, handler, event_type: str, case_id: str, payload) -> list[str]:  # type: ignore[no-untyped-def]
    """Runs one handler in its own transaction; the statements it executed."""
    with StatementCounter(stack.db) as counter:
        async with stack.db.transaction() as session:
            await handler(session, ref(event_type, case_id), payload)
    return counter.statements


def notified(case_id: str) -> intake_pb2.IncidentNotified:
    return intake_pb2.IncidentNotified(incident=child_k.incident(case_id))


def panel_notified(case_id: str, sent: str = "2024-06-07") -> intake_pb2.IncidentPanelNotified:
    return intake_pb2.IncidentPanelNotified(case_id=case_id, panel_notification=intake_pb2.PanelNotification(
        reference="PANEL-2024-0607-K", sent_date=sent))


async def stored(stack, case_id: str) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """What criteria holds about the case: the case, its evaluations (oldest first), the
    collation versions and the criteria.evaluated events in its outbox."""
    async with stack.db.transaction() as session:
        repo = CriteriaRepository(session, stack.cipher)
        case = await repo.get_case(case_id)
        rows = (await session.execute(select(storage.evaluations.c.evaluation_id, storage.evaluations.c.sequence)
                                      .where(storage.evaluations.c.case_id == case_id)
                                      .order_by(storage.evaluations.c.sequence))).all()
        evaluations = [await repo.get_evaluation(case_id, r.evaluation_id) for r in rows]
        collations = (await session.execute(select(storage.collations.c.collation_version)
                                            .where(storage.collations.c.case_id == case_id))).scalars().all()
        outbox = storage.metadata.tables["criteria.outbox"]
        data = (await session.execute(select(outbox.c.data).order_by(outbox.c.id))).scalars().all()
    published = []
    for raw in data:
        envelope = events_pb2.EventEnvelope.FromString(raw)
        if envelope.case_id == case_id:
            evaluated = S.CriteriaEvaluated()
            envelope.payload.Unpack(evaluated)
            published.append((envelope, evaluated.checklist))
    return SimpleNamespace(case=case, sequences=[r.sequence for r in rows], evaluations=evaluations,
                           collations=list(collations), published=published)


async def test_a_notification_is_the_inbox_row_and_three_statements_and_its_evaluation_reads_earlier_reviews(stack):
    """incident.notified: the partnership's earlier reviews held (no import in between), the case
    with those reviews, then the evaluation with its outbox row (was: look up, insert, reviews,
    evaluation, outbox)."""
    async with stack.db.transaction() as session:
        review = facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["neglect"], title="")
        await CriteriaRepository(session, stack.cipher).upsert_earlier_review("leeds", review, "import")
    case_id = str(uuid.uuid4())
    statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    assert len(statements) == 3, statements
    assert "pg_advisory_xact_lock_shared" in statements[0]
    held = await stored(stack, case_id)
    assert held.case is not None and held.case.status == "open" and held.case.partnership == "leeds"
    assert held.sequences == [1]
    evaluation = held.evaluations[0]
    assert [r.review_id for r in evaluation.facts.earlier_reviews] == ["LSCP-2021-03"]
    assert evaluation.checklist.trigger == S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED
    [(envelope, checklist)] = held.published
    assert envelope.event_type == "criteria.evaluated" and checklist.evaluation_id == evaluation.evaluation_id


async def test_the_same_notification_again_is_two_statements_and_changes_nothing(stack):
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    before = await stored(stack, case_id)
    statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    assert len(statements) == 2, statements
    after = await stored(stack, case_id)
    assert after.sequences == [1] and len(after.published) == 1
    assert after.case == before.case


async def test_a_notification_without_an_edition_is_refused_unless_the_case_is_known(stack):
    case_id = str(uuid.uuid4())
    unknown = notified(case_id)
    unknown.incident.edition_version = ""  # not intake's edition: the one in force on the awareness date,
    unknown.incident.notification.la_aware_date = "1999-01-01"  # and none was
    with pytest.raises(PermanentEventError):
        await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, unknown)
    assert (await stored(stack, case_id)).case is None
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, unknown)  # known: nothing to do
    assert (await stored(stack, case_id)).sequences == [1]


async def test_panel_notification_and_collation_each_store_case_collation_evaluation_and_event_in_one_statement(stack):
    """incident.panel_notified: lock, reviews, then case + evaluation + outbox row in one
    statement; information.collated the same with its collation (was 5 and 6 statements)."""
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    statements = await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id,
                              panel_notified(case_id))
    assert len(statements) == 3, statements
    held = await stored(stack, case_id)
    assert held.case.facts.panel_notification_sent_date == "2024-06-07"
    assert held.evaluations[-1].facts.panel_notification_sent_date == "2024-06-07"
    statements = await handle(stack, stack.handlers.on_information_collated, "information.collated", case_id,
                              child_k.collated(case_id))
    assert len(statements) == 3, statements
    held = await stored(stack, case_id)
    assert held.sequences == [1, 2, 3] and held.collations == [1]
    assert held.case.collation_version == 1 and not held.case.partial
    full = held.evaluations[-1]
    assert full.collation_version == 1 and full.checklist.trigger == S.EVALUATION_TRIGGER_INFORMATION_COLLATED
    assert "return:gp-practice:v1#concern-1" in next(c for c in full.checklist.criteria
                                                     if c.rule_id == "REGARD.SINGLE_AGENCY").evidence
    # The collation is stored as received, sealed under its own associated data.
    async with stack.db.transaction() as session:
        assert await CriteriaRepository(session, stack.cipher).get_collation(case_id, 1) == child_k.collated(case_id)
    # One criteria.evaluated per evaluation, in order, each the evaluation's checklist.
    assert [c.evaluation_id for _, c in held.published] == [e.evaluation_id for e in held.evaluations]
    assert [e.causation_id != "" for e, _ in held.published] == [True, True, True]


async def test_a_collation_not_newer_than_the_last_changes_nothing(stack):
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    await handle(stack, stack.handlers.on_information_collated, "information.collated", case_id, child_k.collated(case_id))
    before = await stored(stack, case_id)
    await handle(stack, stack.handlers.on_information_collated, "information.collated", case_id, child_k.collated(case_id))
    after = await stored(stack, case_id)
    assert after.sequences == before.sequences == [1, 2] and after.collations == [1] and len(after.published) == 2


async def test_a_failed_evaluation_leaves_the_case_unwritten(stack):
    """The case is written in the evaluation's statement: an evaluation that cannot be
    stored (here an event over the size limit) leaves the case as it was."""
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    before = await stored(stack, case_id)
    outbox = stack.handlers.evaluator.infra.outbox
    original = outbox.add

    async def refuse(session, envelope):  # type: ignore[no-untyped-def]
        raise EventTooLarge("too large")

    outbox.add = refuse
    try:
        with pytest.raises(EventTooLarge):
            await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id, panel_notified(case_id))
    finally:
        outbox.add = original
    after = await stored(stack, case_id)
    assert after.case == before.case and after.sequences == [1]
    async with stack.db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(storage.collations))).scalar_one() == 0


async def test_a_decision_is_one_statement_and_decides_only_an_open_known_case(stack):
    case_id = str(uuid.uuid4())
    decided = decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20")
    with pytest.raises(RetryableEventError):  # not known yet: events from different producers are not ordered
        await handle(stack, stack.handlers.on_decision_recorded, "decision.recorded", case_id, decided)
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    bad = decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="20 June")
    with pytest.raises(PermanentEventError):
        await handle(stack, stack.handlers.on_decision_recorded, "decision.recorded", case_id, bad)
    assert (await stored(stack, case_id)).case.status == "open"
    statements = await handle(stack, stack.handlers.on_decision_recorded, "decision.recorded", case_id, decided)
    assert len(statements) == 1, statements
    held = await stored(stack, case_id)
    assert held.case.status == "decided" and held.sequences == [1]  # no evaluation: RR.DEADLINE closes on submission
    await handle(stack, stack.handlers.on_decision_recorded, "decision.recorded", case_id, decided)
    assert (await stored(stack, case_id)).case == held.case


async def test_a_decision_leaves_a_withdrawn_case_withdrawn(stack):
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    await handle(stack, stack.handlers.on_withdrawn, "incident.withdrawn", case_id, intake_pb2.IncidentWithdrawn(case_id=case_id))
    await handle(stack, stack.handlers.on_decision_recorded, "decision.recorded", case_id,
                 decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20"))
    held = await stored(stack, case_id)
    assert held.case.status == "withdrawn" and held.evaluations[-1].checklist.trigger == S.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN


async def test_new_themes_read_the_partnerships_reviews_once_and_reevaluate_each_open_case_in_one_statement(stack):
    """review.themes_published with three open cases: the review, the open cases, the
    reviews once, then one statement per case (was: the reviews and two more per case)."""
    case_ids = [str(uuid.uuid4()) for _ in range(3)]
    for case_id in case_ids:
        await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    review = facts_pb2.EarlierReview(review_id="LSCP-2024-09", year=2024, themes=["neglect"])
    statements = await handle(stack, lambda session, ref, payload: stack.handlers.on_new_themes(session, ref, "leeds", payload),
                              "review.themes_published", "", review)
    assert len(statements) == 4 + len(case_ids), statements
    assert "pg_advisory_xact_lock(" in statements[0]  # new cases of the partnership committed first, none meanwhile
    for case_id in case_ids:
        held = await stored(stack, case_id)
        assert held.sequences == [1, 2] and len(held.published) == 2
        latest = held.evaluations[-1]
        assert latest.checklist.trigger == S.EVALUATION_TRIGGER_NEW_THEMES
        assert [r.review_id for r in latest.facts.earlier_reviews] == ["LSCP-2024-09"]


async def test_events_of_one_group_about_the_same_case_lock_and_read_it_once(stack):
    """A group of events shares a transaction: after the notification inserted the case, the
    Panel notification, the collation and a decision in the same transaction use the case as
    that transaction holds it (locked, as written) instead of locking and reading it again."""
    case_id = str(uuid.uuid4())
    group = [
        (stack.handlers.on_incident_notified, "incident.notified", notified(case_id)),
        (stack.handlers.on_panel_notified, "incident.panel_notified", panel_notified(case_id)),
        (stack.handlers.on_information_collated, "information.collated", child_k.collated(case_id)),
        (stack.handlers.on_decision_recorded, "decision.recorded",
         decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20")),
        (stack.handlers.on_withdrawn, "incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=case_id)),
    ]
    counts = []
    async with stack.db.transaction() as session:
        for handler, event_type, payload in group:
            with StatementCounter(stack.db) as counter:
                await handler(session, ref(event_type, case_id), payload)
            counts.append(len(counter.statements))
    assert counts == [3, 2, 2, 1, 2]
    held = await stored(stack, case_id)
    # The same as one event per transaction: every change stored, each evaluation on the facts before it.
    assert held.sequences == [1, 2, 3, 4] and held.collations == [1]
    assert held.case.status == "withdrawn" and held.case.collation_version == 1
    assert held.case.facts.panel_notification_sent_date == "2024-06-07" and held.case.facts.withdrawn
    triggers = [e.checklist.trigger for e in held.evaluations]
    assert triggers == [S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED, S.EVALUATION_TRIGGER_PANEL_NOTIFIED,
                        S.EVALUATION_TRIGGER_INFORMATION_COLLATED, S.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN]
    assert held.evaluations[2].facts.panel_notification_sent_date == "2024-06-07"
    assert held.evaluations[3].collation_version == 1
    # The next transaction locks and reads the case again (nothing is held across transactions).
    statements = await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id,
                              panel_notified(case_id, "2024-06-10"))
    assert len(statements) == 3


async def test_a_rolled_back_group_leaves_nothing_held(stack):
    case_id = str(uuid.uuid4())
    with pytest.raises(PermanentEventError):
        async with stack.db.transaction() as session:
            await stack.handlers.on_incident_notified(session, ref("incident.notified", case_id), notified(case_id))
            raise PermanentEventError("a later event of the group failed")
    assert (await stored(stack, case_id)).case is None
    with pytest.raises(RetryableEventError):  # the case was rolled back with its group: not known
        await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id, panel_notified(case_id))


async def test_an_outbox_write_that_cannot_join_the_evaluations_statement_still_runs_after_it(stack):
    """The outbox's single-row INSERT runs inside the evaluation's statement; anything else
    the outbox executes (here its multi-row INSERT … RETURNING) runs after it, as before."""
    outbox = stack.handlers.evaluator.infra.outbox
    original = outbox.add

    async def add_as_many(session, envelope):  # type: ignore[no-untyped-def]
        await session.execute(outbox._insert_many, [outbox._row(envelope)])

    outbox.add = add_as_many
    try:
        case_id = str(uuid.uuid4())
        statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, notified(case_id))
    finally:
        outbox.add = original
    assert len(statements) == 4, statements  # the reviews held, the case, the evaluation, then the outbox row
    held = await stored(stack, case_id)
    [(envelope, checklist)] = held.published
    assert checklist.evaluation_id == held.evaluations[0].evaluation_id
