"""The workspace app in-process with fakes: a clock, a read model, services and a session cipher.

`workspace` gives a `Workspace` whose `client` is a Starlette TestClient over the real app
(real middleware, routes and templates); `sign_in(principal)` puts a valid session cookie in
the client, as the sign-in callback would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from rapidreview.kernel.auth import Principal, Role, new_signing_key, private_key_pem
from rapidreview.workspace.bootstrap import Collaborators, build_app
from rapidreview.workspace.config import load_workspace_settings
from rapidreview.workspace.readmodel import CaseSummary, ClockView
from rapidreview.workspace.session import SessionCipher, SessionPolicy, start_session

BU = Principal("person-bu-1", Role.BUSINESS_UNIT, "leeds")
POLICE = Principal("person-police-1", Role.AGENCY, "leeds", "west-yorkshire-police")
AUDITOR = Principal("person-auditor-1", Role.AUDITOR, "leeds")


class FakeClock:
    def __init__(self, start: float = 1_718_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeReadModel:
    """Cases by partnership; applies the filter the way the read model's API says it does."""

    cases_by_partnership: dict[str, list[CaseSummary]] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)

    async def cases(self, partnership: str, flt: Any, today: dt.date) -> list[CaseSummary]:
        self.calls.append((partnership, flt))
        out = []
        for case in self.cases_by_partnership.get(partnership, []):
            if flt.overdue_only and not any(c.state == "overdue" for c in case.clocks):
                continue
            if flt.due_within_working_days is not None and not any(
                    c.working_days_left is not None and 0 <= c.working_days_left <= flt.due_within_working_days for c in case.clocks):
                continue
            if flt.stage and case.stage != flt.stage:
                continue
            if flt.reference and flt.reference.lower() not in case.case_reference.lower():
                continue
            out.append(case)
        return out

    async def case(self, partnership: str, case_id: str, today: dt.date) -> CaseSummary | None:
        return next((c for c in self.cases_by_partnership.get(partnership, []) if c.case_id == case_id), None)


def case_summary(case_id: str, reference: str, stage: str, clocks: list[tuple[str, str, int]], partnership: str = "leeds") -> CaseSummary:
    """clocks: (clock id, read-model clock state, working days left)."""
    due = dt.date(2024, 6, 27)
    return CaseSummary(case_id, partnership, reference, stage, f"Next step of {reference}",
                       tuple(ClockView(cid, due, due, state, left) for cid, state, left in clocks), 7, 3, False,
                       dt.datetime(2024, 6, 10, tzinfo=dt.UTC))


class FakeStub:
    """Answers each RPC from `answers[name]` (a response, or an exception to raise); records requests."""

    def __init__(self, answers: dict[str, Any], calls: list[tuple[str, Principal, Any]], principal: Principal) -> None:
        self._answers, self._calls, self._principal = answers, calls, principal

    def __getattr__(self, rpc: str) -> Any:
        async def call(request: Any, **_: Any) -> Any:
            self._calls.append((rpc, self._principal, request))
            answer = self._answers[rpc]
            if isinstance(answer, BaseException):
                raise answer
            return answer(request) if callable(answer) else answer
        return call


class FakeServices:
    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.calls: list[tuple[str, Principal, Any]] = []
        self.status = {s: "SERVING" for s in ("intake", "gathering", "criteria", "decisions")}

    def for_person(self, principal: Principal) -> Any:
        stub = FakeStub(self.answers, self.calls, principal)

        class Person:
            intake = gathering = criteria = decisions = stub

            def access_log(self, service: str) -> Any:
                return stub
        return Person()

    async def health(self, timeout: float = 1.0) -> dict[str, str]:
        return dict(self.status)

    async def close(self) -> None:
        pass


PRINCIPALS_YAML = """
groups_claim: groups
groups:
  leeds-business-unit: {role: business_unit, partnership: leeds}
  leeds-police: {role: agency, partnership: leeds, agency: west-yorkshire-police}
"""


def write_settings_files(folder: Path) -> dict[str, str]:
    key = folder / "workspace-key.pem"
    key.write_bytes(private_key_pem(new_signing_key()))
    principals = folder / "principals.yaml"
    principals.write_text(PRINCIPALS_YAML)
    return {
        "RR_WORKSPACE_OIDC_ISSUER": "http://127.0.0.1:9",
        "RR_WORKSPACE_OIDC_CLIENT_ID": "rapidreview-workspace",
        "RR_WORKSPACE_PRINCIPALS_FILE": str(principals),
        "RR_WORKSPACE_SIGNING_KEY_FILE": str(key),
    }


@dataclass
class Workspace:
    client: TestClient
    app: Any
    clock: FakeClock
    read_model: FakeReadModel
    services: FakeServices
    cipher: SessionCipher

    def sign_in(self, principal: Principal) -> None:
        session: dict[str, Any] = {}
        start_session(session, principal, self.app.state.session_policy)
        self.client.cookies.set("rr_session", self.cipher.seal(session), domain="testserver.local", path="/")

    def csrf(self) -> str:
        return self.cipher.open(self.client.cookies["rr_session"])["csrf"]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    env = write_settings_files(tmp_path)
    settings = load_workspace_settings({**env, "RR_TODAY": "2024-06-20"})
    clock, read_model, services, cipher = FakeClock(), FakeReadModel(), FakeServices(), SessionCipher.random()
    app = build_app(settings, Collaborators(clock=clock, services=services, read_model=read_model, session_cipher=cipher))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield Workspace(client, app, clock, read_model, services, cipher)


__all__ = ["AUDITOR", "BU", "POLICE", "SessionPolicy", "Workspace", "case_summary"]
