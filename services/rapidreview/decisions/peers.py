"""The other services' APIs, as the decisions service reads them for the rapid
review report and the yearly figures.

Decisions never reads another service's tables. What the report needs beyond
its own records (the notification, the agencies' returns with their narratives,
the checklist with its evidence) exists only in intake, gathering and criteria,
and the events that reach decisions deliberately carry no free text; so it asks
those services, on behalf of the caller: every call carries the caller's own
bearer token, so each service applies its own access table and access log to
the person, and decisions holds no authority of its own.

Addresses: RR_INTAKE_ADDR, RR_GATHERING_ADDR, RR_CRITERIA_ADDR (the default ports
on 127.0.0.1 otherwise); TLS with RR_PEER_TLS_CA_FILE (the service's own
certificate is presented as client certificate when it has one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

from rapidreview.kernel.config import DEFAULT_GRPC_PORTS, Settings
from rapidreview.kernel.errors import FailedPrecondition, PermissionDenied, Unavailable
from rapidreview.v1 import (
    criteria_pb2, criteria_pb2_grpc, gathering_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc,
)

CALL_TIMEOUT = 15.0
Metadata = tuple[tuple[str, str], ...]


def forwarded_metadata(invocation_metadata: Sequence[Any] | None, correlation_id: str = "") -> Metadata:
    """The caller's credentials (and request id) to call the other services with."""
    md = {k: v for k, v in (invocation_metadata or ()) if isinstance(v, str)}
    out: list[tuple[str, str]] = []
    if md.get("authorization", "").lower().startswith("bearer "):
        out.append(("authorization", md["authorization"]))
    if correlation_id:
        out.append(("x-request-id", correlation_id[:64]))
    return tuple(out)


@dataclass
class Peers:
    """Lazily opened channels to intake, gathering and criteria."""

    settings: Settings
    _channels: dict[str, grpc.aio.Channel] = field(default_factory=dict)

    def address(self, service: str) -> str:
        configured = getattr(self.settings, f"{service}_addr", "")
        return configured or f"127.0.0.1:{DEFAULT_GRPC_PORTS[service]}"

    def channel(self, service: str) -> grpc.aio.Channel:
        if service not in self._channels:
            target = self.address(service)
            options = [("grpc.max_receive_message_length", 8 * 1024 * 1024)]
            if self.settings.peer_tls_ca_file is not None:
                key = cert = None
                if self.settings.tls_cert_file is not None and self.settings.tls_key_file is not None:
                    key, cert = self.settings.tls_key_file.read_bytes(), self.settings.tls_cert_file.read_bytes()
                credentials = grpc.ssl_channel_credentials(self.settings.peer_tls_ca_file.read_bytes(), key, cert)
                self._channels[service] = grpc.aio.secure_channel(target, credentials, options=options)
            else:
                self._channels[service] = grpc.aio.insecure_channel(target, options=options)
        return self._channels[service]

    async def close(self) -> None:
        channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            await channel.close()

    async def run(self) -> None:
        """Keeps the channels until the service stops (run as one of its watchers)."""
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    # -- calls -------------------------------------------------------------------
    async def _call(self, service: str, what: str, coro):  # type: ignore[no-untyped-def]
        try:
            return await coro
        except grpc.aio.AioRpcError as exc:
            raise _mapped(service, what, exc) from None

    async def incident(self, case_id: str, md: Metadata) -> intake_pb2.Incident:
        stub = intake_pb2_grpc.IntakeServiceStub(self.channel("intake"))
        response = await self._call("intake", "the incident", stub.GetIncident(
            intake_pb2.GetIncidentRequest(case_id=case_id), metadata=md, timeout=CALL_TIMEOUT))
        return response.incident

    async def incidents(self, md: Metadata) -> list[intake_pb2.Incident]:
        """Every incident of the caller's partnership (all pages)."""
        stub = intake_pb2_grpc.IntakeServiceStub(self.channel("intake"))
        out: list[intake_pb2.Incident] = []
        token = ""
        while True:
            page = await self._call("intake", "the incidents", stub.ListIncidents(
                intake_pb2.ListIncidentsRequest(page_size=200, page_token=token), metadata=md, timeout=CALL_TIMEOUT))
            out.extend(page.incidents)
            token = page.next_page_token
            if not token:
                return out

    async def collated(self, case_id: str, md: Metadata) -> gathering_pb2.CollatedInformation | None:
        """The collated picture (its first chronology page, the smallest: the report
        quotes no chronology), or None when gathering holds nothing for the case."""
        stub = gathering_pb2_grpc.GatheringServiceStub(self.channel("gathering"))
        try:
            response = await stub.GetCollatedInformation(
                gathering_pb2.GetCollatedInformationRequest(case_id=case_id, chronology_page_size=1), metadata=md,
                timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION):
                return None
            raise _mapped("gathering", "the collated information", exc) from None
        return response.collated

    async def checklist(self, case_id: str, evaluation_id: str, md: Metadata) -> criteria_pb2.Checklist:
        stub = criteria_pb2_grpc.CriteriaServiceStub(self.channel("criteria"))
        response = await self._call("criteria", "the criteria checklist", stub.GetChecklist(
            criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation_id), metadata=md, timeout=CALL_TIMEOUT))
        return response.checklist

    async def case_themes(self, case_ids: list[str], md: Metadata) -> dict[str, list[str]]:
        """Vocabulary themes (then unmatched tags) of each case known to criteria."""
        stub = criteria_pb2_grpc.CriteriaServiceStub(self.channel("criteria"))
        out: dict[str, list[str]] = {}
        for start in range(0, len(case_ids), 500):
            response = await self._call("criteria", "the cases' learning themes", stub.ListCaseThemes(
                criteria_pb2.ListCaseThemesRequest(case_ids=case_ids[start:start + 500]), metadata=md, timeout=CALL_TIMEOUT))
            for case in response.cases:
                if case.evaluation_id:
                    out[case.case_id] = [*case.themes, *case.unmatched_tags]
        return out


def _mapped(service: str, what: str, exc: grpc.aio.AioRpcError) -> Exception:
    """Another service's refusal in this service's error model (never INTERNAL)."""
    code = exc.code()
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return PermissionDenied(f"the {service} service refused to give you {what}: {exc.details()}")
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return FailedPrecondition(
            f"reading {what} from the {service} service needs your bearer token (a client certificate alone cannot be "
            "passed on)")
    if code == grpc.StatusCode.NOT_FOUND:
        return FailedPrecondition(f"the {service} service has no record of {what} for this case")
    return Unavailable(f"the {service} service could not give {what} ({code.name}); try again shortly")
