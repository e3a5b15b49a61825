"""The national themes list in the running criteria service: its entries are
compared with every case and cited with their sources, the list in force is
readable, a new version re-evaluates open cases, and a list changed under a
version already recorded is refused."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
import yaml

from rapidreview.criteria import storage
from rapidreview.criteria.domain import national_themes as N
from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2 as S
from tests.integration.criteria.conftest import evaluations_of, notify, stop_quickly
from tests.support.harness import Caller, RunningService, eventually
from tests.unit.criteria import child_k

pytestmark = pytest.mark.integration


def _write(path: Path, version: str, *, drop_bruising: bool = False) -> Path:
    data = yaml.safe_load(N.DEFAULT_FILE.read_text(encoding="utf-8"))
    data["version"] = version
    if drop_bruising:
        data["sources"] = [s for s in data["sources"] if s["id"] != "CSPRP-2022-BRUISING"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


async def _collated_case(events, stub, bu, case_id: str, evaluations: int = 2) -> S.Checklist:
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, evaluations)
    return (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id), metadata=bu.metadata())).checklist


async def test_the_shipped_list_is_in_force_and_its_entries_are_cited_with_their_titles(stub, bu, events, case_id, db):
    listed = await stub.GetNationalThemes(S.GetNationalThemesRequest(), metadata=bu.metadata())
    assert listed.version == "2026.1" and listed.as_of == "2026-12-04" and len(listed.sources) >= 12
    assert all(s.checked for s in listed.sources)
    checklist = await _collated_case(events, stub, bu, case_id)
    recurrent = next(c for c in checklist.criteria if c.rule_id == "LOCAL.RECURRENT_THEMES")
    assert "CSPRP-2022-BRUISING" in recurrent.evidence
    source = next(s for s in checklist.theme_sources if s.review_id == "CSPRP-2022-BRUISING")
    assert source.national and source.title == "Bruising in non-mobile infants" and source.list_version == "2026.1"
    # The evaluation stored the entries it compared with: it replays to the same result.
    replay = await stub.ReplayEvaluation(S.ReplayEvaluationRequest(case_id=case_id), metadata=bu.metadata())
    assert replay.identical, list(replay.differences)
    # The version in force is recorded with its digest.
    assert await db.count(storage.national_theme_lists, storage.national_theme_lists.c.version == "2026.1") == 1


async def test_case_themes_are_listed_by_vocabulary_name_and_other_partnerships_are_refused(stub, bu, events, case_id, creds):
    await _collated_case(events, stub, bu, case_id)
    unknown = "00000000-0000-4000-8000-000000000001"
    response = await stub.ListCaseThemes(S.ListCaseThemesRequest(case_ids=[case_id, unknown]), metadata=bu.metadata())
    assert list(response.not_found) == [unknown]
    (case,) = response.cases
    assert "bruising in non-mobile babies" in case.themes and "information sharing" in case.themes
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListCaseThemes(S.ListCaseThemesRequest(case_ids=[case_id]),
                                  metadata=Caller(creds, Role.BUSINESS_UNIT, partnership="bradford").metadata())
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ListCaseThemes(S.ListCaseThemesRequest(case_ids=["not-a-case"]), metadata=bu.metadata())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_new_version_re_evaluates_open_cases_and_a_changed_list_under_the_same_version_is_refused(
        criteria_env, events, bu, tmp_path, case_id):
    import grpc as _grpc

    from rapidreview.v1 import criteria_pb2_grpc

    first = _write(tmp_path / "national.yaml", "2026.1", drop_bruising=True)
    service = await RunningService("criteria", dict(criteria_env, RR_NATIONAL_THEMES_FILE=str(first))).start()
    try:
        async with _grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            checklist = await _collated_case(events, stub, bu, case_id)
            assert "CSPRP-2022-BRUISING" not in next(c for c in checklist.criteria if c.rule_id == "LOCAL.RECURRENT_THEMES").evidence
        await stop_quickly(service)

        # The same version with other content: the recorded list stays in force.
        changed = _write(tmp_path / "changed.yaml", "2026.1")
        service.env["RR_NATIONAL_THEMES_FILE"] = str(changed)
        await service.start()
        async with _grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)

            async def recorded_list_in_force():  # type: ignore[no-untyped-def]
                listed = await stub.GetNationalThemes(S.GetNationalThemesRequest(), metadata=bu.metadata())
                return "CSPRP-2022-BRUISING" not in {s.source_id for s in listed.sources}

            await eventually(recorded_list_in_force, what="the recorded list to stay in force")
            await evaluations_of(stub, bu, case_id, 2)  # nothing re-evaluated
        await stop_quickly(service)

        # A new version: every open case is re-evaluated against it.
        newer = _write(tmp_path / "newer.yaml", "2026.2")
        service.env["RR_NATIONAL_THEMES_FILE"] = str(newer)
        await service.start()
        async with _grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            latest = (await evaluations_of(stub, bu, case_id, 3))[0]
            assert latest.trigger == S.EVALUATION_TRIGGER_NEW_THEMES
            checklist = (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id), metadata=bu.metadata())).checklist
            source = next(s for s in checklist.theme_sources if s.review_id == "CSPRP-2022-BRUISING")
            assert source.list_version == "2026.2"
    finally:
        await stop_quickly(service)


async def test_the_list_can_be_turned_off(criteria_env, events, bu, case_id):
    import grpc as _grpc

    from rapidreview.v1 import criteria_pb2_grpc

    service = await RunningService("criteria", dict(criteria_env, RR_NATIONAL_THEMES_FILE="none")).start()
    try:
        async with _grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            assert (await stub.GetNationalThemes(S.GetNationalThemesRequest(), metadata=bu.metadata())).version == ""
            checklist = await _collated_case(events, stub, bu, case_id)
            assert not any(s.national for s in checklist.theme_sources)
    finally:
        await stop_quickly(service)
