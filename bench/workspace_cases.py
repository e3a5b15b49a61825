"""The cases of the workspace benchmark: a partnership's open cases fed to the read model through
its own projection, and the dashboard's rows as the workspace builds them (for the bare page).

The events come from the integration tests' builders (tests/integration/workspace/readmodel/events.py),
the same payloads the services publish.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import Any

from harness import REPO

sys.path.insert(0, str(REPO))  # tests.integration.workspace.readmodel.events

PARTNERSHIP = "leeds"
#: The stages a case is taken to, in turn (all open: the dashboard shows every one).
STAGES = ("notified", "gathering", "gathering", "evaluating", "advisory_group", "executive", "panel_submission",
          "panel_response", "commissioning", "review")
AGENCIES = ("police", "gp-practice", "health-visiting")


def case_events(case: Any, stage: str, n: int) -> list[tuple[str, Any]]:
    """The events that take `case` to `stage`, as the services publish them."""
    from tests.integration.workspace.readmodel.events import CAL

    events = [case.notified()]
    if stage == "notified":
        return events
    sent = min(case.aware + dt.timedelta(days=2), dt.date(2024, 6, 10))
    events.append(case.panel_notified(sent=sent, reference=f"PANEL-{n:04d}"))
    events += [case.request_opened(agency) for agency in AGENCIES]
    if stage == "gathering":
        return events + [case.return_submitted(agency, on=sent) for agency in AGENCIES[: n % 3]]
    events += [case.return_submitted(agency, on=sent) for agency in AGENCIES]
    events.append(case.collated(1))
    if stage == "evaluating":
        return events
    events.append(case.evaluated(1))
    if stage == "advisory_group":
        return events
    events.append(case.recommended())
    if stage == "executive":
        return events
    decision = str(uuid.uuid4())
    events.append(case.decided(decision))
    if stage == "panel_submission":
        return events
    submission = str(uuid.uuid4())
    events.append(case.submitted(submission, decision))
    if stage == "panel_response":
        return events
    events.append(case.responded(submission))
    if stage == "commissioning":
        return events
    return events + [case.commissioned(CAL.add_working_days(sent, 130))]


async def load_cases(database_url: str, keys_file: Path, cases: int, others: int) -> int:
    """Migrates the read model's schema and applies every case's events through its projection."""
    from rapidreview.kernel.crypto import FieldCipher, KeyRing
    from rapidreview.kernel.db import Database
    from rapidreview.kernel.events import EventRef
    from rapidreview.kernel.migrations import upgrade_async
    from rapidreview.workspace.readmodel import DashboardFilter, ReadModel
    from rapidreview.workspace.readmodel.bootstrap import MIGRATIONS
    from rapidreview.workspace.readmodel.projection import Projection
    from tests.integration.workspace.readmodel.events import CAL, TODAY, Case

    await upgrade_async(MIGRATIONS, database_url)
    db = Database(database_url)
    cipher = FieldCipher(KeyRing.from_file(keys_file))
    routes = Projection(cipher, CAL).routes()
    planned = [(Case(partnership=PARTNERSHIP, child_ref=f"Child {n:03d}", aware=TODAY - dt.timedelta(days=n % 50)), STAGES[n % len(STAGES)], n)
               for n in range(cases)]
    planned += [(Case(partnership="bradford", child_ref=f"Child B{n}"), "gathering", n) for n in range(others)]
    stamp = dt.datetime(2024, 6, 10, 8, 0, tzinfo=dt.UTC)
    try:
        for start in range(0, len(planned), 50):
            async with db.transaction() as session:
                for case, stage, n in planned[start:start + 50]:
                    for event_type, payload in case_events(case, stage, n):
                        stamp += dt.timedelta(seconds=1)
                        ref = EventRef(str(uuid.uuid4()), event_type, case.case_id, "", case.partnership, stamp)
                        await routes[event_type].handler(session, ref, payload)
        shown = await ReadModel(db, cipher, CAL).cases(PARTNERSHIP, DashboardFilter(), TODAY)
    finally:
        await db.dispose()
    return len(shown)


async def dashboard_rows(database_url: str, keys_file: Path) -> list[dict[str, Any]]:
    """The dashboard's rows as the workspace builds them, flattened for the bare page."""
    from rapidreview.kernel.crypto import FieldCipher, KeyRing
    from rapidreview.kernel.db import Database
    from rapidreview.workspace.readmodel import DashboardFilter, ReadModel
    from rapidreview.workspace.routes.dashboard import _row
    from tests.integration.workspace.readmodel.events import CAL, TODAY

    db = Database(database_url)
    try:
        cases = await ReadModel(db, FieldCipher(KeyRing.from_file(keys_file)), CAL).cases(PARTNERSHIP, DashboardFilter(), TODAY)
    finally:
        await db.dispose()
    rows = []
    for case in cases:
        row = _row(case)
        row = dataclasses.asdict(row) if dataclasses.is_dataclass(row) else dict(row)
        row["clocks"] = [{**{k: v for k, v in c.items() if k != "tag"}, "tag_text": c["tag"]["text"], "tag_classes": c["tag"].get("classes", "")}
                         for c in row["clocks"]]
        rows.append(row)
    return rows
