"""Regenerates the documented rapid review report of the worked example, and
the yearly figures of the generated history, from real runs of the four
services (their own nats-server and PostgreSQL in a temporary folder):

    .venv/bin/python -m tests.integration.decisions.example_report

writes docs/examples/report-child-k.pdf, .docx and .png (page 1), and
docs/examples/figures-2023-24.html and .png (page 1, rendered through
WeasyPrint). The PNGs need `pdftoppm` from poppler-utils."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

import grpc

from rapidreview.kernel.auth import Role
from rapidreview.stack import NatsServer, PostgresServer
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import criteria_pb2_grpc, gathering_pb2_grpc, intake_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc
from tests.integration.criteria.conftest import stop_quickly
from tests.integration.criteria.flow import EXAMPLES
from tests.integration.decisions import history
from tests.integration.decisions.report_flow import SENT, child_k_decided
from tests.support.harness import RunningService, service_env


async def _report(database_url: str, nats_url: str, creds: DevCredentials) -> None:
    async with child_k_decided(database_url, nats_url, creds) as flow:
        response = await flow.stub.RenderRapidReviewReport(D.RenderRapidReviewReportRequest(case_id=flow.case_id, sent_date=SENT),
                                                           metadata=flow.md(Role.BUSINESS_UNIT))
    for document in response.documents:
        suffix = "pdf" if document.format == D.REPORT_FORMAT_PDF else "docx"
        (EXAMPLES / f"report-child-k.{suffix}").write_bytes(document.content)


async def _figures(database_url: str, nats_url: str, creds: DevCredentials) -> None:
    env = service_env(database_url, nats_url, creds, RR_TODAY="2025-03-31")
    started: dict[str, RunningService] = {}
    try:
        for name in ("intake", "gathering", "criteria"):
            started[name] = await RunningService(name, env).start()
        started["decisions"] = await RunningService("decisions", dict(env, **{
            f"RR_{n.upper()}_ADDR": started[n].address for n in ("intake", "gathering", "criteria")})).start()
        channels = {name: grpc.aio.insecure_channel(s.address) for name, s in started.items()}
        stubs = history.Stubs(intake_pb2_grpc.IntakeServiceStub(channels["intake"]),
                              gathering_pb2_grpc.GatheringServiceStub(channels["gathering"]),
                              criteria_pb2_grpc.CriteriaServiceStub(channels["criteria"]),
                              decisions_pb2_grpc.DecisionServiceStub(channels["decisions"]), creds)
        for case in history.HISTORY:
            await history.record(stubs, case)
        await asyncio.sleep(2)  # a one-off generator, not a test: let intake close the last RR.DEADLINE
        response = await stubs.decisions.GetYearlyFigures(D.GetYearlyFiguresRequest(
            from_date="2023-04-01", to_date="2024-03-31", format=D.FIGURES_FORMAT_HTML), metadata=stubs.md(Role.BUSINESS_UNIT))
        (EXAMPLES / "figures-2023-24.html").write_bytes(response.content)
        for channel in channels.values():
            await channel.close()
    finally:
        for service in reversed(list(started.values())):
            await stop_quickly(service)


async def _run(folder: Path) -> None:
    nats_server = NatsServer(folder / "nats")
    postgres = PostgresServer(folder / "pg")
    nats_server.start()
    postgres.start()
    try:
        creds = DevCredentials.ensure(folder / "creds")
        postgres.create_database("report")
        await _report(postgres.url("report"), nats_server.url, creds)
        postgres.create_database("figures")
        await _figures(postgres.url("figures"), nats_server.url, creds)
    finally:
        postgres.stop()
        nats_server.stop()


def _first_page_png(pdf: Path, png_stem: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png_stem)], check=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="rr-example-report-"))
    try:
        asyncio.run(_run(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _first_page_png(EXAMPLES / "report-child-k.pdf", EXAMPLES / "report-child-k")
    from weasyprint import HTML

    figures_pdf = Path(tempfile.mkdtemp(prefix="rr-figures-")) / "figures.pdf"
    HTML(filename=str(EXAMPLES / "figures-2023-24.html")).write_pdf(figures_pdf)
    _first_page_png(figures_pdf, EXAMPLES / "figures-2023-24")
    shutil.rmtree(figures_pdf.parent, ignore_errors=True)
    for name in ("report-child-k.pdf", "report-child-k.docx", "report-child-k.png", "figures-2023-24.html", "figures-2023-24.png"):
        print(EXAMPLES / name)


if __name__ == "__main__":
    main()
