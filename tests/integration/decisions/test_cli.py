"""The example case driven from checklist to publication with the CLI and the
example request files, then `audit verify` and `timeline`, and a tampered row
caught by `audit verify`."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from rapidreview.cli.main import app
from tests.integration.decisions.childk import EXAMPLES

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(decisions, creds):
    env = {"RR_DECISIONS_ADDR": decisions.address, "RR_DATA_DIR": str(creds.folder.parent), "COLUMNS": "220"}
    env.pop("RR_TOKEN", None)
    runner = CliRunner()

    async def run(*args: str, code: int = 0) -> str:
        result = await asyncio.to_thread(runner.invoke, app, list(args), env={**env, "RR_TOKEN": ""})
        assert result.exit_code == code, result.output
        return result.output

    return run


def _ex(name: str) -> str:
    return str(EXAMPLES / f"{name}.json")


async def test_cli_drives_the_example_case_to_publication_and_verifies_the_trail(cli, new_case, postgres_server, fresh_database):
    case_id, evaluation_id = await new_case()
    out = await cli("decisions", "recommend", _ex("recommendation"), "--case", case_id)
    assert f"recorded on evaluation {evaluation_id}" in out and "awaiting decision" in out
    assert "awaiting panel submission" in await cli("decisions", "decide", _ex("decision"), "--case", case_id)
    # Only decisions runs here: the report, which reads intake, gathering and criteria, is tested with all four.
    assert "on time" in await cli("decisions", "submit", _ex("panel-submission"), "--case", case_id, "--no-report")
    assert "agrees" in await cli("decisions", "respond", _ex("panel-response"), "--case", case_id)
    assert "review in progress" in await cli("decisions", "commission", _ex("commission"), "--case", case_id)
    milestones = [_ex(f"milestone-{m}") for m in ("informed-panel", "informed-ofsted", "informed-dfe", "family-informed",
                                                   "family-invited", "practitioner-event", "final-report-agreed",
                                                   "family-saw-report", "sent-to-panel-and-sos")]
    out = await cli("decisions", "milestone", *milestones, "--case", case_id)
    assert len([line for line in out.splitlines() if line.startswith("Milestone ")]) == 9
    assert "6 checked" in await cli("decisions", "identifying-details", _ex("identifying-details"), "--case", case_id)
    report = str(EXAMPLES / "report-child-p.md")
    assert "Anonymised" in await cli("decisions", "check-anonymisation", report, "--case", case_id)
    out = await cli("decisions", "publish", _ex("publish"), "--case", case_id, "--text-file", report)
    assert "Published on 2024-12-20" in out and "published" in out
    show = await cli("decisions", "show", case_id)
    assert "stage published" in show and "POST.SIX_MONTHS" in show
    assert "Audit trail intact" in await cli("audit", "verify", "--case", case_id)
    timeline = await cli("timeline", case_id)
    assert "review.published" in timeline and "decision.recorded" in timeline

    database = fresh_database.rsplit("/", 1)[-1]
    postgres_server.psql("ALTER TABLE decisions.audit_entries DISABLE TRIGGER USER; "
                         f"UPDATE decisions.audit_entries SET actor = 'someone-else' WHERE case_id = '{case_id}' AND sequence = 7; "
                         "ALTER TABLE decisions.audit_entries ENABLE TRIGGER USER", database=database)
    out = await cli("audit", "verify", code=1)
    assert "NOT intact" in out and case_id in out and "entry 7 was changed" in out


async def test_cli_refuses_a_text_that_is_not_anonymised_listing_what_remains(cli, new_case, tmp_path):
    case_id, _ = await new_case()
    await cli("decisions", "identifying-details", _ex("identifying-details"), "--case", case_id)
    text = tmp_path / "draft.md"
    text.write_text("Child K lived at Larkspur Close.\n", encoding="utf-8")
    out = await cli("decisions", "check-anonymisation", str(text), "--case", case_id, code=1)
    assert "Child K" in out and "Larkspur Close" in out and "family's street" in out


async def test_cli_reports_a_refused_step_with_its_status(cli, new_case):
    case_id, _ = await new_case()
    out = await cli("decisions", "submit", _ex("panel-submission"), "--case", case_id, "--no-report", "--decision",
                    "00000000-0000-0000-0000-000000000000", code=1)
    assert "FAILED_PRECONDITION" in out and "RecordRecommendation" in out
