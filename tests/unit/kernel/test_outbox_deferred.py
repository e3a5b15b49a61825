"""`Deferred`: the outbox row a command adds, kept to run as a CTE of the command's own
statement (intake, gathering and criteria write their events that way)."""

from __future__ import annotations

from sqlalchemy import MetaData, text
from sqlalchemy.dialects import postgresql

from rapidreview.kernel.events import new_event
from rapidreview.kernel.outbox import Deferred, Outbox, first_row_as_cte, outbox_table, row_cte
from rapidreview.v1 import decisions_pb2


def _outbox() -> Outbox:
    return Outbox(outbox_table(MetaData(schema="t")), "decisions")


def _event(case_id: str = "c1") -> object:
    return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id), producer="decisions")


async def test_the_first_outbox_row_becomes_a_cte_with_its_parameters_and_the_rest_is_left_in_order() -> None:
    outbox, deferred = _outbox(), Deferred()
    await outbox.add(deferred, _event("c1"))  # type: ignore[arg-type]
    await outbox.add(deferred, _event("c2"))  # type: ignore[arg-type]

    cte, parameters, later = first_row_as_cte(deferred)

    assert cte is not None
    sql = str(cte.compile(dialect=postgresql.dialect()))
    assert "INSERT INTO t.outbox" in sql
    assert parameters["ob_event_type"] == "decision.recorded"
    assert later == [deferred.calls[1]]  # the second row, for the caller to run after its statement
    assert len(deferred.calls) == 2  # what was kept is not consumed


async def test_the_cte_of_one_insert_is_built_once_so_the_statement_it_joins_stays_cached() -> None:
    outbox, first, second = _outbox(), Deferred(), Deferred()
    await outbox.add(first, _event("c1"))  # type: ignore[arg-type]
    await outbox.add(second, _event("c2"))  # type: ignore[arg-type]
    assert first_row_as_cte(first)[0] is first_row_as_cte(second)[0] is row_cte(outbox._insert)


async def test_anything_but_a_single_row_insert_first_is_left_to_run_on_its_own() -> None:
    outbox, deferred = _outbox(), Deferred()
    await deferred.execute(text("SELECT 1"))
    await outbox.add(deferred, _event())  # type: ignore[arg-type]
    assert first_row_as_cte(deferred) == (None, {}, deferred.calls)
    many = Deferred()
    await outbox.add_many(many, [_event("c1"), _event("c2")])  # type: ignore[arg-type]  # INSERT ... RETURNING
    assert first_row_as_cte(many)[0] is None
    assert first_row_as_cte(None) == (None, {}, [])
