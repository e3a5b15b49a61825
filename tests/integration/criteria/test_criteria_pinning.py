"""Cases stay on the edition version they were first evaluated with; a new
version loaded into the running service is used only when asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import grpc
import pytest

from rapidreview.criteria.bootstrap import build
from rapidreview.criteria.watchers import RulebookWatcher
from rapidreview.rules import Rulebook, default_rules_dir
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import criteria_pb2_grpc
from tests.integration.criteria.conftest import evaluations_of, notify, panel_notified, stop_quickly
from tests.support import harness
from tests.unit.criteria import child_k
from tests.unit.criteria.test_rulebook_watcher import add_version

pytestmark = pytest.mark.integration


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), root)
    return root


async def test_case_stays_pinned_until_reevaluated_under_a_new_version(criteria_env, rules_copy, bu, events, case_id, monkeypatch):
    book = Rulebook.load(rules_copy)
    monkeypatch.setattr(harness, "builder", lambda service: lambda settings: build(settings, rulebook=book))
    service = await harness.RunningService("criteria", criteria_env).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            await notify(events, case_id)
            await evaluations_of(stub, bu, case_id, 1)

            watcher = RulebookWatcher(book)
            await watcher.check_once()
            add_version(rules_copy, "2023.2")
            assert await watcher.check_once()
            versions = [(e.name, e.version) for e in (await stub.ListRuleEditions(S.ListRuleEditionsRequest(),
                                                                                   metadata=bu.metadata())).editions]
            assert ("wt2023", "2023.2") in versions

            await panel_notified(events, case_id)
            stored = await evaluations_of(stub, bu, case_id, 2)
            assert stored[0].edition_version == "2023.1"  # pinned

            checklist = (await stub.ReevaluateCase(S.ReevaluateCaseRequest(
                case_id=case_id, edition_version="wt2023@2023.2", reason="new rules version"), metadata=bu.metadata())).checklist
            assert checklist.edition_version == "2023.2"
            await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
            stored = await evaluations_of(stub, bu, case_id, 4)
            assert [e.edition_version for e in reversed(stored)] == ["2023.1", "2023.1", "2023.2", "2023.2"]

            # Every evaluation still replays under the version it used.
            for evaluation in stored:
                replay = await stub.ReplayEvaluation(S.ReplayEvaluationRequest(
                    case_id=case_id, evaluation_id=evaluation.evaluation_id), metadata=bu.metadata())
                assert replay.identical, replay.differences
    finally:
        await stop_quickly(service)
