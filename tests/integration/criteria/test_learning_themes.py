"""The learning-themes vocabulary read from the running criteria service: the edition in force
on a date, every theme with its synonyms, readable by an agency lead (who tags its return's
learning with it); a malformed or uncovered date is refused naming the field."""

from __future__ import annotations

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import criteria_pb2 as S
from tests.support.harness import Caller

pytestmark = pytest.mark.integration


async def test_an_agency_lead_reads_the_vocabulary_of_the_edition_in_force(stub, creds) -> None:
    agency = Caller(creds, Role.AGENCY, agency="gp-practice")
    themes = await stub.GetLearningThemes(S.GetLearningThemesRequest(on_date="2024-06-04"), metadata=agency.metadata())
    assert themes.edition == "wt2023"
    names = [t.name for t in themes.themes]
    assert names[0] == "information sharing" and "bruising in non-mobile babies" in names and len(names) >= 29
    sharing = themes.themes[0]
    assert "info sharing" in sharing.synonyms
    today = await stub.GetLearningThemes(S.GetLearningThemesRequest(), metadata=agency.metadata())
    assert [t.name for t in today.themes] == names


async def test_a_date_before_any_edition_or_malformed_is_refused(stub, creds) -> None:
    bu = Caller(creds, Role.BUSINESS_UNIT)
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await stub.GetLearningThemes(S.GetLearningThemesRequest(on_date="2024-02-30"), metadata=bu.metadata())
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [field for field, _ in field_violations(malformed.value)] == ["on_date"]
    with pytest.raises(grpc.aio.AioRpcError) as uncovered:
        await stub.GetLearningThemes(S.GetLearningThemesRequest(on_date="1990-01-01"), metadata=bu.metadata())
    assert uncovered.value.code() == grpc.StatusCode.FAILED_PRECONDITION
