"""RR_EVENT_LOOP chooses the loop a service (and the workspace) runs on: uvloop by default."""

import asyncio

import pytest
import uvloop

from rapidreview.kernel.config import load_settings
from rapidreview.kernel.runtime import run_on_event_loop
from rapidreview.workspace.config import WorkspaceSettings

BASE = {"RR_DATABASE_URL": "postgresql+asyncpg://u@h:5432/db", "RR_NATS_URL": "nats://127.0.0.1:4222"}


def test_services_and_workspace_default_to_uvloop_and_accept_the_standard_loop():
    assert load_settings("intake", BASE).event_loop == "uvloop"
    assert load_settings("intake", {**BASE, "RR_EVENT_LOOP": " AsyncIO "}).event_loop == "asyncio"
    assert WorkspaceSettings.__dataclass_fields__["event_loop"].default == "uvloop"


@pytest.mark.parametrize(("kind", "loop_type"), [("uvloop", uvloop.Loop), ("asyncio", asyncio.BaseEventLoop)])
def test_the_service_coroutine_runs_to_completion_on_the_chosen_loop(kind, loop_type):
    seen: list[asyncio.AbstractEventLoop] = []

    async def service() -> None:
        await asyncio.sleep(0)
        seen.append(asyncio.get_running_loop())

    run_on_event_loop(service(), kind)
    assert len(seen) == 1 and isinstance(seen[0], loop_type)
    assert (kind == "uvloop") == isinstance(seen[0], uvloop.Loop)
