"""The embedded stack as the reliability suites run it: every service its own
subprocess (so kill -9 is real), nats-server(s) and PostgreSQL on free loopback
ports, in a temporary folder removed afterwards."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rapidreview.stack.supervisor import EmbeddedStack

#: "Today" for every service: Child K's Panel notification (2024-06-07) was 15 working days ago,
#: so RR.DEADLINE falls due today, agency returns (due 2024-06-21) are late, and the example
#: decision (2024-06-26) is in the past.
TODAY = "2024-06-28"

SERVICE_ENV = {
    "RR_TODAY": TODAY,
    "RR_LOG_LEVEL": "WARNING",
    "RR_CLOCK_WATCH_INTERVAL": "1",
    "RR_CONSUMER_ACK_WAIT": "10",
    "RR_CONSUMER_BACKOFF": "0.5,1,2,4",
    "RR_CONSUMER_MAX_DELIVER": "5",
    # The suites call as a handful of identities much faster than one partner would.
    "RR_RATE_LIMIT_RPS": "5000",
    "RR_RATE_LIMIT_BURST": "10000",
}


@asynccontextmanager
async def embedded_stack(*, env: dict[str, str] | None = None, replicas: dict[str, int] | None = None,
                         nats_cluster_size: int = 1, start_timeout: float = 180.0) -> AsyncIterator[EmbeddedStack]:
    """Starts the stack in a fresh folder (outside pytest's 0700 base folder: PostgreSQL runs as
    another user when the tests run as root) and stops and removes it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="rr-rel-"))
    stack = EmbeddedStack(folder, extra_env={**SERVICE_ENV, **(env or {})}, replicas=replicas or {},
                          nats_cluster_size=nats_cluster_size)
    try:
        await asyncio.to_thread(stack.start, start_timeout)
        yield stack
    except BaseException:
        _print_log_tails(stack)
        raise
    finally:
        await asyncio.to_thread(stack.stop)
        shutil.rmtree(folder, ignore_errors=True)


def _print_log_tails(stack: EmbeddedStack, lines: int = 30) -> None:
    """On failure, the end of every service log (pytest shows it with the failure)."""
    for proc in stack.processes:
        try:
            text = proc.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        print(f"--- {proc.name} (last {lines} lines) ---")
        print("\n".join(text[-lines:]))
