"""The Python client (clients/python) against intake running in-process:
retries keep the idempotency key, deadlines, errors as exceptions with field
violations, authentication by token and by mutual TLS."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from rapidreview.stack.ports import free_port
from tests.integration.client.faults import FaultyProxy

from rapidreview_client import (  # noqa: E402 - importable once the conftest put the client on the path
    NO_RETRY,
    AlreadyExistsError,
    AsyncRapidReviewClient,
    FieldViolation,
    InvalidArgumentError,
    PermissionDeniedError,
    RapidReviewClient,
    RetryPolicy,
    Tls,
    UnauthenticatedError,
    UnavailableError,
)
from rapidreview_client.v1 import common_pb2, intake_pb2

pytestmark = pytest.mark.integration

FAST_RETRY = RetryPolicy(max_attempts=4, initial_backoff=0.05, max_backoff=0.2)


def child_k() -> intake_pb2.Notification:
    """The fictional worked example, built with the client's own typed messages."""
    return intake_pb2.Notification(
        notifying_la="Leeds", incident_la="Leeds", incident_country=common_pb2.COUNTRY_ENGLAND, home_la="Leeds",
        child=intake_pb2.ChildDetails(child_ref="Child K", age_years=0),
        nature=common_pb2.NATURE_SERIOUS_HARM, harm_description="Skull fracture found at hospital.",
        harm_domains=[common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH], abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_SUSPECTED,
        setting=common_pb2.SETTING_FAMILY_HOME, incident_date="2024-06-03", la_aware_date="2024-06-04",
        agencies=[common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police", kind=common_pb2.AGENCY_KIND_POLICE,
                                    area="West Yorkshire", area_type=common_pb2.AREA_TYPE_POLICE_AREA)],
    )


async def _incident_ids(intake, token: str) -> list[str]:
    async with AsyncRapidReviewClient({"intake": intake.address}, token=token) as client:
        listed = await client.intake.list_incidents(intake_pb2.ListIncidentsRequest(page_size=200))
    return [i.case_id for i in listed.incidents]


async def test_lost_response_is_retried_on_unavailable_with_the_same_idempotency_key(intake, la_token):
    proxy = await FaultyProxy(intake.address, cut_first_response=True).start()
    try:
        request = intake_pb2.NotifyIncidentRequest(notification=child_k())  # no key: the client makes one
        async with AsyncRapidReviewClient({"intake": proxy.address}, token=la_token, retry=FAST_RETRY) as client:
            response = await client.intake.notify_incident(request)
    finally:
        await proxy.stop()
    assert proxy.broken_responses == 1 and proxy.calls == 2  # the first answer was lost, the call was sent twice
    assert request.idempotency_key.startswith("rrc-")  # filled in once, before the first attempt
    assert response.replayed  # the retry found the first attempt's incident under the same key
    assert await _incident_ids(intake, la_token) == [response.incident.case_id]  # stored once


async def test_deadline_exceeded_is_retried_with_the_same_key_by_the_blocking_client(intake, la_token):
    proxy = await FaultyProxy(intake.address, delay_first_response=3.0).start()
    request = intake_pb2.NotifyIncidentRequest(idempotency_key="partner-ref-000123", notification=child_k())

    def notify() -> intake_pb2.NotifyIncidentResponse:
        with RapidReviewClient({"intake": proxy.address}, token=la_token, retry=FAST_RETRY, timeout=2.0) as client:
            return client.intake.notify_incident(request)

    try:
        response = await asyncio.to_thread(notify)
    finally:
        await proxy.stop()
    assert proxy.broken_responses == 1 and proxy.calls == 2
    assert request.idempotency_key == "partner-ref-000123"
    assert response.replayed
    assert await _incident_ids(intake, la_token) == [response.incident.case_id]


async def test_unreachable_service_raises_unavailable_after_the_configured_attempts():
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.02)
    async with AsyncRapidReviewClient({"intake": f"127.0.0.1:{free_port()}"}, token="unused", retry=policy, timeout=2.0) as client:
        with pytest.raises(UnavailableError) as caught:
            await client.intake.get_incident(intake_pb2.GetIncidentRequest(case_id="00000000-0000-4000-8000-000000000000"))
    assert caught.value.attempts == 3
    assert caught.value.retryable


async def test_invalid_input_raises_with_every_field_violation_and_is_not_retried(intake, la_token):
    bad = child_k()
    bad.child.child_ref = ""
    bad.la_aware_date = "2999-01-01"
    async with AsyncRapidReviewClient({"intake": intake.address}, token=la_token, retry=FAST_RETRY) as client:
        with pytest.raises(InvalidArgumentError) as caught:
            await client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(idempotency_key="bad-input-0001", notification=bad),
                                                request_id="partner-req-42")
    error = caught.value
    assert FieldViolation("notification.child.child_ref", "required") in error.field_violations
    assert "notification.la_aware_date" in error.violations_by_field()
    assert error.attempts == 1 and not error.retryable
    assert error.request_id == "partner-req-42" and error.idempotency_key == "bad-input-0001"
    assert "notification.child.child_ref: required" in str(error)
    assert await _incident_ids(intake, la_token) == []  # a rejected request stores nothing


async def test_same_key_with_a_different_body_raises_already_exists(intake, la_token):
    async with AsyncRapidReviewClient({"intake": intake.address}, token=la_token) as client:
        await client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(idempotency_key="reused-key-0001", notification=child_k()))
        changed = child_k()
        changed.incident_date = "2024-06-02"
        with pytest.raises(AlreadyExistsError):
            await client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(idempotency_key="reused-key-0001", notification=changed))


async def test_missing_token_and_wrong_role_raise_unauthenticated_and_permission_denied(intake, police_token):
    request = intake_pb2.NotifyIncidentRequest(idempotency_key="no-token-0001", notification=child_k())
    async with AsyncRapidReviewClient({"intake": intake.address}, retry=NO_RETRY) as anonymous:
        with pytest.raises(UnauthenticatedError):
            await anonymous.intake.notify_incident(request)
    async with AsyncRapidReviewClient({"intake": intake.address}, token=police_token, retry=NO_RETRY) as police:
        with pytest.raises(PermissionDeniedError):
            await police.intake.notify_incident(request)


async def test_token_source_is_called_for_every_call_so_a_renewed_token_is_picked_up(intake, la_token):
    tokens = iter(["expired-or-garbage", la_token])
    async with AsyncRapidReviewClient({"intake": intake.address}, token=lambda: next(tokens), retry=NO_RETRY) as client:
        with pytest.raises(UnauthenticatedError):
            await client.intake.list_incidents(intake_pb2.ListIncidentsRequest())
        listed = await client.intake.list_incidents(intake_pb2.ListIncidentsRequest())
    assert list(listed.incidents) == []


def test_client_settings_come_from_the_environment(tmp_path: Path):
    token_file = tmp_path / "token"
    token_file.write_text("token-from-file\n")
    client = RapidReviewClient.from_env({"RR_INTAKE_ADDR": "rr.example.org:443", "RR_TOKEN_FILE": str(token_file)})
    assert client.addresses == {"intake": "rr.example.org:443"}
    assert client.connection_settings["token"]() == "token-from-file"
    assert "tls" not in client.connection_settings


# --------------------------------------------------------------------------- mutual TLS (fixtures in conftest)


async def test_mutual_tls_with_a_client_certificate_and_token_reaches_the_service(intake_mtls, pki, la_token):
    env = {"RR_INTAKE_ADDR": intake_mtls.address, "RR_TOKEN": la_token, "RR_TLS_CA_FILE": str(pki["ca"]),
           "RR_TLS_CLIENT_CERT_FILE": str(pki["client.crt"]), "RR_TLS_CLIENT_KEY_FILE": str(pki["client.key"])}
    async with AsyncRapidReviewClient.from_env(env) as client:
        response = await client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(notification=child_k()))
    assert response.incident.case_id


async def test_mutual_tls_refuses_a_client_without_a_certificate_from_the_partnership_ca(intake_mtls, pki, la_token):
    for tls in (Tls.from_files(ca=pki["ca"]), Tls.from_files(ca=pki["ca"], cert=pki["stranger.crt"], key=pki["stranger.key"])):
        async with AsyncRapidReviewClient({"intake": intake_mtls.address}, token=la_token, tls=tls, retry=NO_RETRY, timeout=5) as client:
            with pytest.raises(UnavailableError):
                await client.intake.list_incidents(intake_pb2.ListIncidentsRequest())


def test_backoff_grows_exponentially_within_its_jitter_and_is_capped():
    policy = RetryPolicy(initial_backoff=0.25, multiplier=2.0, max_backoff=1.0, jitter=0.2)
    assert [policy.backoff(n, rng=lambda: 0.5) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 1.0]
    assert policy.backoff(1, rng=lambda: 0.0) == pytest.approx(0.2) and policy.backoff(1, rng=lambda: 1.0) == pytest.approx(0.3)


async def test_total_timeout_ends_the_retries_before_the_attempts_run_out():
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(seconds)

    from rapidreview_client import AsyncConnection

    policy = RetryPolicy(max_attempts=50, initial_backoff=0.2, max_backoff=0.2, jitter=0.0)
    async with AsyncConnection(f"127.0.0.1:{free_port()}", retry=policy, timeout=0.5, total_timeout=1.0, sleep=record) as conn:
        with pytest.raises(UnavailableError) as caught:
            await conn.unary("/rapidreview.v1.IntakeService/GetIncident", intake_pb2.GetIncidentRequest(case_id="x"), intake_pb2.GetIncidentResponse)
    assert 2 <= caught.value.attempts < 50 and sum(waits) < 1.0


def test_only_requests_with_an_idempotency_key_field_get_one():
    from rapidreview_client import ensure_idempotency_key

    get = intake_pb2.GetIncidentRequest(case_id="abc")
    assert ensure_idempotency_key(get) == "" and get == intake_pb2.GetIncidentRequest(case_id="abc")
    notify = intake_pb2.NotifyIncidentRequest()
    key = ensure_idempotency_key(notify)
    assert key == notify.idempotency_key and ensure_idempotency_key(notify) == key  # made once, then kept


@contextlib.asynccontextmanager
async def fake_intake(method: str, behaviour):  # type: ignore[no-untyped-def]
    """A gRPC server on a free loopback port answering IntakeService/`method` with
    `behaviour(request bytes, context)`; yields its address."""
    import grpc

    server = grpc.aio.server()
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "rapidreview.v1.IntakeService", {method: grpc.unary_unary_rpc_method_handler(behaviour)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


async def test_the_client_waits_as_long_as_an_overloaded_service_asks_before_retrying():
    """An overloaded service answers UNAVAILABLE with google.rpc.RetryInfo (kernel/admission.py):
    the client's next attempt comes no sooner than that, even when its own backoff is shorter."""
    import grpc

    from rapidreview.kernel.admission import Overloaded
    from rapidreview.kernel.grpc_errors import to_status

    waits: list[float] = []
    attempts = 0

    async def overloaded_once(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            await context.abort_with_status(to_status(Overloaded("the service is overloaded; retry in 0.7 s", 0.7)))
        return intake_pb2.GetIncidentResponse().SerializeToString()

    async def record(seconds: float) -> None:
        waits.append(seconds)

    from rapidreview_client import AsyncConnection

    async with fake_intake("GetIncident", overloaded_once) as address, \
            AsyncConnection(address, retry=FAST_RETRY, sleep=record) as conn:
        await conn.unary("/rapidreview.v1.IntakeService/GetIncident", intake_pb2.GetIncidentRequest(case_id="x"),
                         intake_pb2.GetIncidentResponse)
    assert attempts == 2 and waits == [pytest.approx(0.7)]


async def test_an_aborted_call_is_retried_with_the_same_request():
    """A service answers ABORTED when a change met a concurrent one and was not made (a deadlock
    PostgreSQL broke, after the service's own attempts): nothing was stored, so the client sends
    the same request again, as for UNAVAILABLE."""
    import grpc

    from rapidreview.kernel.grpc_errors import aborted_status

    seen: list[bytes] = []

    async def aborted_once(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        seen.append(request)
        if len(seen) == 1:
            await context.abort_with_status(aborted_status("req-1"))
        return intake_pb2.NotifyIncidentResponse().SerializeToString()

    async def no_wait(seconds: float) -> None:
        return None

    from rapidreview_client import AsyncConnection

    request = intake_pb2.NotifyIncidentRequest()
    async with fake_intake("NotifyIncident", aborted_once) as address, \
            AsyncConnection(address, retry=FAST_RETRY, sleep=no_wait) as conn:
        await conn.unary("/rapidreview.v1.IntakeService/NotifyIncident", request, intake_pb2.NotifyIncidentResponse)
    assert len(seen) == 2 and seen[0] == seen[1]
    assert intake_pb2.NotifyIncidentRequest.FromString(seen[0]).idempotency_key == request.idempotency_key != ""
