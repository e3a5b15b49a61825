"""`rapidreview report` (the rapid review report to the Panel, PDF and DOCX) and
`rapidreview figures` (the partnership's yearly figures as CSV, JSON or HTML),
both from the decisions service."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import grpc
import typer
from rich.console import Console

from rapidreview.cli.client import channel, data_dir, fail_on_rpc_error, metadata
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc

console = Console(stderr=True)
FORMATS = {"csv": D.FIGURES_FORMAT_CSV, "json": D.FIGURES_FORMAT_JSON, "html": D.FIGURES_FORMAT_HTML}


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(figures)


def report(
    case_id: str = typer.Argument(..., help="The case id"),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the PDF here (default report-<case>.pdf)", dir_okay=False),
    docx: Path | None = typer.Option(None, "--docx", help="Write the Word document here (default report-<case>.docx)", dir_okay=False),
    sent: str = typer.Option("", "--sent", help="The date it is sent to the Panel, YYYY-MM-DD (default: the recorded "
                                                "submission's date, else today)"),
    stored: bool = typer.Option(False, "--stored", help="Fetch the report recorded as sent (or the latest rendered) "
                                                         "instead of rendering a new one"),
    report_id: str = typer.Option("", "--report-id", help="With --stored: this report"),
) -> None:
    """Render (or fetch) the rapid review report to the Panel for the case's current decision (business unit)."""
    if pdf is None and docx is None:
        pdf, docx = Path(f"report-{case_id[:8]}.pdf"), Path(f"report-{case_id[:8]}.docx")
    formats = [f for f, path in ((D.REPORT_FORMAT_PDF, pdf), (D.REPORT_FORMAT_DOCX, docx)) if path is not None]

    async def call():  # type: ignore[no-untyped-def]
        async with channel("decisions") as ch:
            stub = decisions_pb2_grpc.DecisionServiceStub(ch)
            md = metadata(Role.BUSINESS_UNIT)
            if stored:
                return await stub.GetRapidReviewReport(D.GetRapidReviewReportRequest(
                    case_id=case_id, report_id=report_id, formats=formats), metadata=md, timeout=60)
            return await stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(
                case_id=case_id, formats=formats, sent_date=sent), metadata=md, timeout=120)

    try:
        response = asyncio.run(call())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    out = Console()
    for document in response.documents:
        path = pdf if document.format == D.REPORT_FORMAT_PDF else docx
        assert path is not None
        path.write_bytes(document.content)
        out.print(f"{path}  sha256 {document.sha256}")
    r = response.report
    out.print(f"Report {r.report_id} for decision {r.decision_id} (round {r.round}), states it is sent on {r.sent_date}.")
    for caveat in r.caveats:
        out.print(f"[yellow]{caveat}[/yellow]")
    if not stored:
        out.print("Record it as sent with: rapidreview decisions submit FILE --case CASE (renders and attaches it), "
                  f"or set \"report_id\": \"{r.report_id}\" in the submission.")


def figures(
    from_date: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD"),
    to_date: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD"),
    fmt: str = typer.Option("csv", "--format", help="csv, json or html"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of standard output", dir_okay=False),
    role: str = typer.Option("business_unit", "--role", help="Development token role: business_unit, executive or auditor"),
) -> None:
    """The partnership's yearly report figures for a period (notifications, timeliness, decisions, themes, actions)."""
    if fmt not in FORMATS:
        raise typer.BadParameter("csv, json or html", param_hint="--format")
    for name, value in (("--from", from_date), ("--to", to_date)):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter("a date YYYY-MM-DD", param_hint=name) from None

    async def call() -> D.GetYearlyFiguresResponse:
        async with channel("decisions") as ch:
            return await decisions_pb2_grpc.DecisionServiceStub(ch).GetYearlyFigures(
                D.GetYearlyFiguresRequest(from_date=from_date, to_date=to_date, format=FORMATS[fmt]),
                metadata=metadata(Role(role)), timeout=120)

    try:
        response = asyncio.run(call())
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    if output is None:
        sys.stdout.write(response.content.decode("utf-8"))
    else:
        output.write_bytes(response.content)
        console.print(f"{output} ({response.media_type.split(';')[0]})")


async def render_and_save_report(stub: decisions_pb2_grpc.DecisionServiceStub, md, case_id: str, sent_date: str,  # type: ignore[no-untyped-def]
                                out: Console) -> D.RapidReviewReport:
    """The example flow's report: rendered for the sent date, written to <data dir>/reports/."""
    response = await stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(case_id=case_id, sent_date=sent_date),
                                                  metadata=md, timeout=120)
    folder = data_dir() / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for document in response.documents:
        suffix = "pdf" if document.format == D.REPORT_FORMAT_PDF else "docx"
        path = folder / f"rapid-review-{case_id}.{suffix}"
        path.write_bytes(document.content)
        out.print(f"Rapid review report: {path}")
    return response.report
