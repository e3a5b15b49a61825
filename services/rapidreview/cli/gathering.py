"""Gathering commands: a case's information requests, submitting a return, the collated picture."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import typer
from google.protobuf import json_format
from rich.console import Console
from rich.table import Table

from rapidreview.cli.client import channel, fail_on_rpc_error, metadata, read_json_message
from rapidreview.kernel.auth import Role
from rapidreview.v1 import gathering_pb2, gathering_pb2_grpc

G = gathering_pb2
console = Console()
SUMMARY_WIDTH = 90


def register(app: typer.Typer) -> None:
    app.command("requests")(requests_)
    app.command("submit-return")(submit_return)
    app.command()(collated)


def _name(enum, value: int, prefix: str) -> str:  # type: ignore[no-untyped-def]
    return enum.Name(value).removeprefix(prefix).replace("_", " ").lower() if value else "-"


def print_requests(status: G.GetRequestStatusResponse, out: Console = console) -> None:
    """The requests of a case as a table, with working days left."""
    out.print(f"Case [bold]{status.case_id}[/bold]  gathering {_name(G.GatheringStatus, status.status, 'GATHERING_STATUS_')}  "
              f"{status.completeness.returned}/{status.completeness.requested} returned")
    table = Table(title="Information requests (RR.AGENCIES)")
    for col in ("agency", "status", "due", "working days left", "returned", "version", "late / overdue"):
        table.add_column(col)
    for r in status.requests:
        awaiting = r.status == G.REQUEST_STATUS_AWAITING
        flag = "late" if r.clock.late else ("overdue" if r.clock.overdue else "")
        table.add_row(f"{r.agency.name} ({r.agency.agency_id})", _name(G.RequestStatus, r.status, "REQUEST_STATUS_"), r.clock.due,
                      str(r.clock.working_days_left) if awaiting else "-", r.clock.completed_on or "-",
                      str(r.latest_version or "-"), flag)
    out.print(table)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


def print_collated(c: G.CollatedInformation, out: Console = console) -> None:
    """The collated picture: completeness, involvement, merged chronology, learning, concerns, actions."""
    done = c.completeness
    out.print(f"Case [bold]{c.case_id}[/bold]  gathering {_name(G.GatheringStatus, c.status, 'GATHERING_STATUS_')}  "
              f"collation version {c.collation_version or '-'}  {done.returned}/{done.requested} returned"
              + ("  [yellow]PARTIAL[/yellow]" if c.partial else ""))
    if c.missing_agencies:
        out.print("[yellow]Missing returns:[/yellow] " + ", ".join(a.name for a in c.missing_agencies))
    agencies = Table(title="Involvement by agency")
    for col in ("agency", "involved", "period", "entries", "concerns", "learning", "good practice", "actions", "return"):
        agencies.add_column(col)
    for a in c.agencies:
        period = f"{a.involvement_period.start or '?'} – {a.involvement_period.end or 'ongoing'}" if a.involvement_period.start else "-"
        agencies.add_row(a.agency.name, _name(G.Involvement, a.involvement, "INVOLVEMENT_"), period, str(a.chronology_entry_count),
                         str(len(a.concerns)), str(len(a.learning)), str(a.good_practice_count), str(len(a.immediate_actions)),
                         (a.return_ref + (" (late)" if a.late else "")) or "awaiting")
    out.print(agencies)
    names = {a.agency.agency_id: a.agency.name for a in c.agencies}
    chronology = Table(title="Merged chronology")
    for col in ("date", "agency", "contact", "practitioner", "summary", "note"):
        chronology.add_column(col)
    for day in c.chronology:
        for i, e in enumerate(day.entries):
            note = "possible duplicate" if e.possible_duplicate_of else ""
            chronology.add_row(day.date if i == 0 else "", names.get(e.agency_id, e.agency_id),
                               _name(G.ContactType, e.entry.contact_type, "CONTACT_TYPE_"), e.entry.practitioner_role,
                               _short(e.entry.summary), note)
    out.print(chronology)
    if c.learning_by_theme:
        out.rule("Learning by theme")
        for group in c.learning_by_theme:
            out.print(f"[bold]{group.theme}[/bold] ({', '.join(names.get(a, a) for a in group.agency_ids)})")
            for item in group.items:
                known = ""
                if item.learning.already_identified:
                    known = f" [dim](already identified; acted on: {_name(G.ActedOn, item.learning.acted_on, 'ACTED_ON_')})[/dim]"
                out.print(f"  - {_short(item.learning.description)}{known}")
    if c.concerns:
        out.rule("Concerns about working together")
        for concern in c.concerns:
            about = ", ".join(names.get(a, a) for a in concern.concern.about_agencies)
            out.print(f"- {names.get(concern.agency_id, concern.agency_id)}: {_name(G.ConcernType, concern.concern.type, 'CONCERN_TYPE_')} "
                      f"about {about}: {_short(concern.concern.description)}")
    if c.good_practice:
        out.rule("Good practice")
        for good in c.good_practice:
            out.print(f"- {names.get(good.agency_id, good.agency_id)}: {_short(good.good_practice.description)}")
    if c.immediate_actions:
        out.rule("Immediate safeguarding actions")
        for action in c.immediate_actions:
            out.print(f"- {action.action.date} {names.get(action.agency_id, action.agency_id)} "
                      f"({_name(G.ActionSubject, action.action.subject, 'ACTION_SUBJECT_')}): {_short(action.action.description)}")
    if c.agencies_named_without_request:
        out.print("[yellow]Named in concerns but not asked for a return:[/yellow] " + ", ".join(c.agencies_named_without_request))


async def _status(case_id: str) -> G.GetRequestStatusResponse:
    async with channel("gathering") as ch:
        return await gathering_pb2_grpc.GatheringServiceStub(ch).GetRequestStatus(
            G.GetRequestStatusRequest(case_id=case_id), metadata=metadata(Role.BUSINESS_UNIT), timeout=15)


def requests_(case_id: str = typer.Argument(..., help="The case id")) -> None:
    """Show a case's information requests: who has returned, who is overdue, working days left."""
    try:
        print_requests(asyncio.run(_status(case_id)))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)


async def _submit(request: G.SubmitAgencyReturnRequest) -> G.SubmitAgencyReturnResponse:
    async with channel("gathering") as ch:
        return await gathering_pb2_grpc.GatheringServiceStub(ch).SubmitAgencyReturn(
            request, metadata=metadata(Role.AGENCY, agency=request.agency_return.agency.agency_id), timeout=30)


def submit_return(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="SubmitAgencyReturnRequest as proto3 JSON"),
    case_id: str = typer.Option("", "--case", help="Submit for this case id instead of the file's caseId"),
) -> None:
    """Submit an agency return (a new version when the agency has already returned)."""
    request = read_json_message(file, G.SubmitAgencyReturnRequest)
    if case_id:
        request.case_id = case_id
    try:
        response = asyncio.run(_submit(request))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    v = response.version
    console.print(f"Return [bold]{v.return_ref}[/bold] version {v.version} received {v.submitted_on}"
                  + (" [yellow](late)[/yellow]" if v.late else "") + (" [dim](identical to the latest version: nothing stored)[/dim]" if response.replayed else ""))
    if response.collated:
        console.print("Every requested return is in: the information was collated (information.collated published).")


async def fetch_collated(stub: gathering_pb2_grpc.GatheringServiceStub, case_id: str, md) -> G.CollatedInformation:  # type: ignore[no-untyped-def]
    """The whole collated picture, every page of the merged chronology joined."""
    response = await stub.GetCollatedInformation(G.GetCollatedInformationRequest(case_id=case_id), metadata=md, timeout=30)
    picture = response.collated
    while response.next_chronology_page_token:
        response = await stub.GetCollatedInformation(
            G.GetCollatedInformationRequest(case_id=case_id, chronology_page_token=response.next_chronology_page_token),
            metadata=md, timeout=30)
        picture.chronology.extend(response.collated.chronology)
    return picture


async def _collated(case_id: str) -> G.CollatedInformation:
    async with channel("gathering") as ch:
        return await fetch_collated(gathering_pb2_grpc.GatheringServiceStub(ch), case_id, metadata(Role.BUSINESS_UNIT))


def collated(
    case_id: str = typer.Argument(..., help="The case id"),
    as_json: bool = typer.Option(False, "--json", help="Print the CollatedInformation as proto3 JSON"),
) -> None:
    """Show the collated picture of a case: merged chronology, involvement, learning, concerns, actions."""
    try:
        picture = asyncio.run(_collated(case_id))
    except grpc.aio.AioRpcError as exc:
        fail_on_rpc_error(exc)
    if as_json:
        typer.echo(json_format.MessageToJson(picture))
    else:
        print_collated(picture)


async def submit_example_returns(case_id: str, examples: Path, out: Console = console) -> G.CollatedInformation:
    """Submits the documented Child K returns (docs/examples/agency-return-*.json)
    for `case_id` once its requests are open, and returns the collated picture.
    For `rapidreview up --example`."""
    async with channel("gathering") as ch:
        stub = gathering_pb2_grpc.GatheringServiceStub(ch)
        bu = metadata(Role.BUSINESS_UNIT)
        status = None
        for _ in range(100):  # requests open from intake's event shortly after the notification
            try:
                status = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu, timeout=15)
                if all(r.due_basis == G.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests):
                    break
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            status = None
            await asyncio.sleep(0.2)
        if status is None:
            raise RuntimeError("the gathering did not open the case's requests within 20 seconds")
        out.rule("3. Information requests opened")
        print_requests(status, out)
        for path in sorted(examples.glob("agency-return-*.json")):
            request = json_format.Parse(path.read_text(encoding="utf-8"), G.SubmitAgencyReturnRequest())
            request.case_id = case_id
            agency = metadata(Role.AGENCY, agency=request.agency_return.agency.agency_id)
            await stub.SubmitAgencyReturn(request, metadata=agency, timeout=30)
        picture = await fetch_collated(stub, case_id, bu)
        out.rule("4. Agency returns submitted and collated")
        print_collated(picture, out)
        return picture
