"""Regenerates the documented summary of the worked example from a real run of
intake, gathering and criteria (their own nats-server and PostgreSQL in a
temporary folder):

    .venv/bin/python -m tests.integration.criteria.example_summary

writes docs/examples/summary-child-k.md, .pdf and .png (page 1; needs
`pdftoppm` from poppler-utils)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

from rapidreview.stack import NatsServer, PostgresServer
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import criteria_pb2 as S
from tests.integration.criteria.flow import EXAMPLES, child_k_flow


async def _render(folder: Path) -> None:
    nats_server = NatsServer(folder / "nats")
    postgres = PostgresServer(folder / "pg")
    nats_server.start()
    postgres.start()
    try:
        postgres.create_database("rapidreview")
        creds = DevCredentials.ensure(folder / "creds")
        async with child_k_flow(postgres.url(), nats_server.url, creds) as flow:
            for fmt, suffix in ((S.SUMMARY_FORMAT_MARKDOWN, "md"), (S.SUMMARY_FORMAT_PDF, "pdf")):
                response = await flow.stub.RenderSummary(S.RenderSummaryRequest(case_id=flow.case_id, format=fmt),
                                                         metadata=flow.bu.metadata())
                (EXAMPLES / f"summary-child-k.{suffix}").write_bytes(response.content)
    finally:
        postgres.stop()
        nats_server.stop()
    page = EXAMPLES / "summary-child-k"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", f"{page}.pdf", str(page)], check=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="rr-example-summary-"))
    try:
        asyncio.run(_render(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for suffix in ("md", "pdf", "png"):
        print(EXAMPLES / f"summary-child-k.{suffix}")


if __name__ == "__main__":
    main()
