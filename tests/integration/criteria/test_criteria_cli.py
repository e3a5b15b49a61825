"""The criteria commands of the `rapidreview` CLI against a running service."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from rapidreview.cli import criteria as criteria_cli
from rapidreview.cli.main import app
from rapidreview.kernel.auth import Role
from tests.integration.criteria.conftest import evaluations_of, notify
from tests.support.harness import Caller
from tests.unit.criteria import child_k

pytestmark = pytest.mark.integration

EARLIER_REVIEWS = Path(__file__).resolve().parents[3] / "docs" / "examples" / "earlier-reviews.json"


@pytest.fixture
def cli_env(criteria, creds, tmp_path, monkeypatch) -> dict[str, str]:
    env = {"RR_CRITERIA_ADDR": criteria.address, "RR_TOKEN": Caller(creds, Role.BUSINESS_UNIT).token, "RR_DATA_DIR": str(tmp_path),
           "COLUMNS": "220"}  # wide enough that table cells are not wrapped
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


async def run(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    # The commands run their own event loop: invoke them from a worker thread.
    return await asyncio.to_thread(CliRunner().invoke, app, args, env=env)


async def test_import_checklist_explain_and_summary_commands(cli_env, stub, bu, events, case_id, tmp_path):
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)

    imported = await run(["import-reviews", str(EARLIER_REVIEWS)], cli_env)
    assert imported.exit_code == 0, imported.output
    assert "Imported 3 earlier review(s); re-evaluated 1 open case(s)." in imported.output

    shown = await run(["checklist", case_id], cli_env)
    assert shown.exit_code == 0, shown.output
    assert "LOCAL.RECURRENT_THEMES" in shown.output and "LSCP-2021-03" in shown.output
    assert "does not mean a review must be held" in shown.output

    explained = await run(["explain", case_id, "LOCAL.MULTI_AGENCY"], cli_env)
    assert explained.exit_code == 0, explained.output
    assert "involved_agency_count: 6" in explained.output

    pdf, md = tmp_path / "k.pdf", tmp_path / "k.md"
    written = await run(["summary", case_id, "--pdf", str(pdf), "--markdown", str(md)], cli_env)
    assert written.exit_code == 0, written.output
    assert pdf.read_bytes().startswith(b"%PDF") and "Child K" in md.read_text()


async def test_unknown_case_exits_with_the_status(cli_env):
    result = await run(["checklist", "6f1d3c2a-0000-4000-8000-000000000000"], cli_env)
    assert result.exit_code == 1 and "NOT_FOUND" in result.output


async def test_reevaluate_needs_a_reason_and_prints_the_new_checklist(cli_env, stub, bu, events, case_id):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    result = await run(["reevaluate", case_id, "--reason", "chair asked"], cli_env)
    assert result.exit_code == 0, result.output
    assert "manual" in result.output
    await evaluations_of(stub, bu, case_id, 2)


async def test_example_steps_print_the_checklist_and_write_the_pdf(cli_env, events, case_id, tmp_path):
    await notify(events, case_id)
    out = Console(record=True, width=160)
    path = await criteria_cli.example_steps(out, case_id)
    assert path == tmp_path / "summaries" / f"summary-{case_id}.pdf" and path.read_bytes().startswith(b"%PDF")
    assert "DEF.SERIOUS_CASE" in out.export_text()
