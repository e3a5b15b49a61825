"""Reads of a case that take several statements see one moment: a change another call commits
while they read is wholly in the answer or wholly not, never half (the case's stage from before
it and its clocks from after it)."""

from __future__ import annotations

import pytest

from rapidreview.decisions import storage
from rapidreview.kernel.auth import Role
from tests.integration.decisions.flow import Flow

pytestmark = pytest.mark.integration


@pytest.fixture
async def flow(new_case, stub, roles) -> Flow:
    case_id, evaluation_id = await new_case()
    return Flow(stub, roles, case_id, evaluation_id)


async def test_a_decision_recorded_while_the_case_is_read_is_not_half_in_the_case_state(flow, monkeypatch):
    recommendation = (await flow.recommend()).recommendation
    before = await flow.get()
    read_clocks = storage.DecisionRepository.clocks_of
    decided: list[str] = []
    started: list[bool] = []

    async def clocks_after_a_decision(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not started:  # the decisions are read; the Executive's decision is recorded and committed
            started.append(True)  # (RecordDecision reads the clocks too: once is enough)
            decided.append((await flow.decide(recommendation.recommendation_id)).decision.decision_id)
        return await read_clocks(self, *args, **kwargs)

    monkeypatch.setattr(storage.DecisionRepository, "clocks_of", clocks_after_a_decision)
    during = await flow.get()
    monkeypatch.undo()
    assert decided
    # The case as it stood when the read began: no decision, and no clock the decision starts.
    assert during == before, (during.stage, [c.id for c in during.clocks], [c.id for c in before.clocks])
    after = await flow.get()
    assert [d.decision_id for d in after.decisions] == decided
    assert after.stage != before.stage and after.audit_sequence > before.audit_sequence
    assert {c.id for c in after.clocks} - {c.id for c in before.clocks}, "the decision starts a clock"

