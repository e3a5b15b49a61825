"""Gathering's service layer: each command runs in one transaction with its events
(outbox), after validation that stores nothing on failure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from google.protobuf import message as pb_message
from google.protobuf import timestamp_pb2

from rapidreview.gathering.domain.collation import Contribution, chronology_page, collate, collated_event
from rapidreview.gathering.domain.refs import return_ref
from rapidreview.gathering.domain.requests import (
    FROM_AWARENESS, FROM_PANEL_NOTIFICATION, RequestState, ReturnsDeadline, completeness, due_date, render_request,
    returns_deadline,
)
from rapidreview.gathering.domain.validation import (
    validate_agencies, validate_agency, validate_agency_id, validate_case_id, validate_reason, validate_return,
)
from rapidreview.gathering.partnerships import PartnershipPolicies
from rapidreview.gathering.storage import CollationRecord, GatheringRepository, StoredVersion
from rapidreview.kernel.outbox import Deferred
from rapidreview.kernel.auth import Grant, Scope
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.errors import FailedPrecondition, NotFound, Violations
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.kernel.pagination import decode_page_token, encode_page_token
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.rules import EditionNotFound, RuleNotFound
from rapidreview.rules.parameters import RuleParameters
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2

PRODUCER = "gathering"
DEFAULT_CHRONOLOGY_PAGE, MAX_CHRONOLOGY_PAGE = 2000, 5000
#: Agencies one case may ask (the notification names at most 50; more may be added later).
MAX_REQUESTS_PER_CASE = 100
G = gathering_pb2
_NOT_OPEN = {
    G.GATHERING_STATUS_CLOSED: "the gathering is closed; the business unit must reopen it first",
    G.GATHERING_STATUS_WITHDRAWN: "the notification was withdrawn; the gathering is closed for good",
    G.GATHERING_STATUS_NOT_REQUIRED: "no rapid review is required for this case (RR.REQUIRED not met)",
}


def _ts(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def _is_open(row) -> bool:  # type: ignore[no-untyped-def]
    return row.status == G.GATHERING_STATUS_OPEN


def _require_open(row) -> None:  # type: ignore[no-untyped-def]
    if not _is_open(row):
        raise FailedPrecondition(_NOT_OPEN.get(row.status, "the gathering is not open"))


def _rapid_review_required(incident: intake_pb2.Incident) -> bool:
    return (incident.status != intake_pb2.INCIDENT_STATUS_WITHDRAWN
            and any(d.rule_id == "RR.REQUIRED" and d.outcome == common_pb2.OUTCOME_MET for d in incident.duties))


def check_returns_deadlines(rules: RuleParameters) -> None:
    """ValueError naming the first edition whose RR.AGENCIES gathering cannot use
    (checked at start-up, so a bad rule file stops the service, not an event)."""
    for edition in rules.editions:
        try:
            returns_deadline(rules.deadline_params("RR.AGENCIES", edition), f"{edition.name} {edition.version}")
        except RuleNotFound:
            raise ValueError(f"{edition.name} {edition.version}: no RR.AGENCIES rule file") from None


@dataclass
class GatheringHandlers:
    infra: Infrastructure
    policies: PartnershipPolicies
    rules: RuleParameters

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    # -- helpers -----------------------------------------------------------
    def _repo(self, session) -> GatheringRepository:  # type: ignore[no-untyped-def]
        return GatheringRepository(session, self.infra.cipher)

    async def _load(self, repo: GatheringRepository, case_id: str, grant: Grant | None, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        row = await repo.get_case(case_id, for_update=for_update)
        if row is None:
            raise NotFound("no gathering for this case")
        if grant is not None:
            grant.require_partnership(row.partnership)
        return row

    async def _own_request(self, repo: GatheringRepository, row, agency_id: str) -> RequestState:  # type: ignore[no-untyped-def]
        state = await repo.get_request(row.case_id, agency_id)
        if state is None:
            raise NotFound("no information request for this agency on this case")
        return state

    def _render(self, state: RequestState, row) -> G.InformationRequest:  # type: ignore[no-untyped-def]
        return render_request(state, _is_open(row), self.calendar)

    @staticmethod
    def _envelope(event_type: str, payload: pb_message.Message, row, *,  # type: ignore[no-untyped-def]
                  correlation_id: str = "", causation_id: str = ""):
        return new_event(event_type, payload, producer=PRODUCER, case_id=row.case_id, partnership=row.partnership,
                         correlation_id=correlation_id, causation_id=causation_id)

    async def _emit(self, repo: GatheringRepository, event_type: str, payload: pb_message.Message, row, *,  # type: ignore[no-untyped-def]
                    correlation_id: str = "", causation_id: str = "") -> None:
        envelope = self._envelope(event_type, payload, row, correlation_id=correlation_id, causation_id=causation_id)
        await self.infra.outbox.add(repo.session, envelope)

    def _returns_deadline(self, incident: intake_pb2.Incident, aware: dt.date) -> ReturnsDeadline:
        """RR.AGENCIES in the edition the case is pinned to, with the partnership's override of the days."""
        name = common_pb2.Edition.Name(incident.edition).removeprefix("EDITION_").lower() if incident.edition else ""
        try:
            edition = self.rules.edition(name, incident.edition_version or None)
        except EditionNotFound:
            edition = self.rules.edition_for(aware)
        deadline = returns_deadline(self.rules.deadline_params("RR.AGENCIES", edition), f"{edition.name} {edition.version}")
        override = self.policies.for_partnership(incident.partnership).return_working_days
        return ReturnsDeadline(override or deadline.working_days, deadline.counts_from)

    def _new_request(self, row, agency: common_pb2.Agency, source: int) -> RequestState:  # type: ignore[no-untyped-def]
        due = due_date(row.la_aware_date, row.panel_sent_date, row.return_working_days, self.calendar, row.return_counts_from)
        return RequestState(case_id=row.case_id, agency=agency, source=source, opened_on=self.calendar.today(),
                            starts_from=due.starts_from, due=due.due, due_basis=due.basis)

    async def _open_requests(self, repo: GatheringRepository, row, states: list[RequestState], *, first_position: int,  # type: ignore[no-untyped-def]
                             correlation_id: str = "", causation_id: str = "") -> None:
        """Stores new requests and their `agency.request_opened` events: two statements
        for any number of agencies."""
        await repo.insert_requests(states, first_position)
        await self.infra.outbox.add_many(repo.session, [
            self._envelope("agency.request_opened", G.AgencyRequestOpened(request=self._render(state, row)), row,
                           correlation_id=correlation_id, causation_id=causation_id)
            for state in states])

    async def _collate(self, repo: GatheringRepository, row,  # type: ignore[no-untyped-def]
                       states: list[RequestState] | None = None) -> G.CollatedInformation:
        """The collation as of now; `states`: the case's requests when the caller holds them already."""
        if states is None:
            states = await repo.get_requests(row.case_id)
        bodies = await repo.latest_bodies(row.case_id)
        contributions = [Contribution(self._render(s, row), bodies.get(s.agency_id)) for s in states]
        return collate(row.case_id, row.partnership, row.status, row.collation_version, contributions, dt.datetime.now(dt.UTC))

    async def _publish_collation(self, repo: GatheringRepository, row, trigger: int, by: str, correlation_id: str, *,  # type: ignore[no-untyped-def]
                                 close: bool, states: list[RequestState] | None = None) -> G.CollatedInformation:
        """Publishes the next collation version (closing the gathering when
        `close`), in the caller's transaction; `states` as for `_collate`."""
        version = row.collation_version + 1
        values: dict[str, object] = {"collation_version": version}
        if close:
            values["status"] = G.GATHERING_STATUS_CLOSED
        row = await repo.update_case_returning(row.case_id, **values)
        collated = await self._collate(repo, row, states)
        await repo.record_collation(case_id=row.case_id, version=version, trigger=trigger, partial=collated.partial,
                                    missing=collated.completeness.missing, closed_by=by)
        await self._emit(repo, "information.collated", collated_event(collated, trigger), row, correlation_id=correlation_id)
        return collated

    def _version(self, agency_id: str, stored: StoredVersion, body: G.AgencyReturn | None = None) -> G.AgencyReturnVersion:
        version = G.AgencyReturnVersion(
            version=stored.version, submitted_at=_ts(stored.submitted_at), submitted_by=stored.submitted_by,
            submitted_on=stored.submitted_on.isoformat(), late=stored.late, return_ref=return_ref(agency_id, stored.version))
        if body is not None:
            version.agency_return.CopyFrom(body)
        return version

    async def _status(self, repo: GatheringRepository, row, grant: Grant) -> G.GetRequestStatusResponse:  # type: ignore[no-untyped-def]
        if grant.scope is Scope.OWN_AGENCY:
            states = [await self._own_request(repo, row, grant.principal.agency)]
        else:
            states = await repo.get_requests(row.case_id)
        rendered = [self._render(s, row) for s in states]
        return G.GetRequestStatusResponse(case_id=row.case_id, status=row.status, requests=rendered, completeness=completeness(rendered))

    # -- commands ----------------------------------------------------------
    async def open_requests(self, request: G.OpenRequestsRequest, grant: Grant, correlation_id: str) -> G.OpenRequestsResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        validate_agencies(request.agencies, "agencies.", v)
        v.raise_if_any()
        opened = await self._add_agencies(request.case_id, list(request.agencies), grant, correlation_id)
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, request.case_id, grant)
            states = await repo.get_requests(row.case_id)
            return G.OpenRequestsResponse(requests=[self._render(s, row) for s in states], opened_agency_ids=opened)

    async def add_agency(self, request: G.AddAgencyRequest, grant: Grant, correlation_id: str) -> G.AddAgencyResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        if not request.HasField("agency"):
            v.add("agency", "required")
        else:
            validate_agency(request.agency, "agency.", v)
        v.raise_if_any()
        opened = await self._add_agencies(request.case_id, [request.agency], grant, correlation_id)
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, request.case_id, grant)
            state = await self._own_request(repo, row, request.agency.agency_id)
            return G.AddAgencyResponse(request=self._render(state, row), opened=bool(opened))

    async def _add_agencies(self, case_id: str, agencies: list[common_pb2.Agency], grant: Grant, correlation_id: str) -> list[str]:
        opened: list[str] = []
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, case_id, grant, for_update=True)
            _require_open(row)
            existing = await repo.get_requests(case_id)
            known = {s.agency_id for s in existing}
            states: list[RequestState] = []
            for agency in agencies:
                if agency.agency_id not in known:
                    known.add(agency.agency_id)
                    states.append(self._new_request(row, agency, G.REQUEST_SOURCE_ADDED))
                    opened.append(agency.agency_id)
            if len(known) > MAX_REQUESTS_PER_CASE:
                # Every request travels in the collation and its event: their size must not grow without end.
                raise FailedPrecondition(f"a case may ask at most {MAX_REQUESTS_PER_CASE} agencies")
            await self._open_requests(repo, row, states, first_position=len(existing), correlation_id=correlation_id)
        if opened:
            self.infra.outbox.wake()
        return opened

    async def submit(self, request: G.SubmitAgencyReturnRequest, grant: Grant, correlation_id: str) -> G.SubmitAgencyReturnResponse:
        today = self.calendar.today()
        validate_return(request, today).raise_if_any()
        body = request.agency_return
        agency_id = body.agency.agency_id
        grant.require_agency(agency_id)
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            # The case locked first: returns of one case are stored one after the other, so the
            # read below sees every return committed before and exactly one completes the set.
            row = await self._load(repo, request.case_id, grant, for_update=True)
            # One read: the requests (this agency's, the outstanding count and the collation all
            # use them), this agency's latest version, the other returns when this one completes the set.
            read = await repo.read_for_return(row.case_id, agency_id)
            states = read.states
            state = next((s for s in states if s.agency_id == agency_id), None)
            if state is None:
                raise NotFound("no information request for this agency on this case")
            _require_open(row)
            if state.latest_version and read.latest_digest == repo.body_digest(body):
                return G.SubmitAgencyReturnResponse(version=self._version(agency_id, read.latest), request=self._render(state, row),
                                                    replayed=True)
            state.latest_version += 1
            state.first_returned_on = state.first_returned_on or today
            late = today > state.due
            outstanding = sum(1 for s in states if not s.returned)
            # The outbox's INSERT (its checks included) runs as part of the return's statement.
            deferred = Deferred()
            submitted = self._envelope("agency.return_submitted", G.AgencyReturnSubmitted(
                case_id=row.case_id, agency=body.agency, version=state.latest_version, return_ref=return_ref(agency_id, state.latest_version),
                late=late, involvement=body.involvement, submitted_on=today.isoformat(), outstanding=outstanding), row,
                correlation_id=correlation_id)
            await self.infra.outbox.add(deferred, submitted)  # type: ignore[arg-type]
            # Every return in: the picture is complete, so publish it; later amendments publish it again.
            collated = outstanding == 0
            collation = None
            if collated:
                trigger = G.COLLATION_TRIGGER_ALL_RETURNED if state.latest_version == 1 else G.COLLATION_TRIGGER_RETURN_AMENDED
                version = row.collation_version + 1
                bodies = dict(read.bodies)
                bodies[agency_id] = body
                contributions = [Contribution(self._render(s, row), bodies.get(s.agency_id)) for s in states]
                information = collate(row.case_id, row.partnership, row.status, version, contributions, dt.datetime.now(dt.UTC))
                collation = CollationRecord(version=version, trigger=trigger, partial=information.partial,
                                            missing=information.completeness.missing, closed_by=grant.principal.subject)
                # Its event after the return's, as the relay publishes them.
                await self.infra.outbox.add(deferred, self._envelope(  # type: ignore[arg-type]
                    "information.collated", collated_event(information, trigger), row, correlation_id=correlation_id))
            # The return, its request, its event and (completing the set) the collation and its event: one statement.
            stored = await repo.add_return(case_id=row.case_id, agency_id=agency_id, version=state.latest_version, agency_return=body,
                                           submitted_by=grant.principal.subject, submitted_on=today, late=late,
                                           first_returned_on=state.first_returned_on, collation=collation, deferred=deferred)
            response = G.SubmitAgencyReturnResponse(version=self._version(agency_id, stored), request=self._render(state, row),
                                                    collated=collated)
        self.infra.outbox.wake()
        return response

    async def close(self, request: G.CloseGatheringRequest, grant: Grant, correlation_id: str) -> G.CollatedInformation:
        v = Violations()
        validate_case_id(request.case_id, v)
        v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            _require_open(row)
            collated = await self._publish_collation(repo, row, G.COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT, grant.principal.subject,
                                                     correlation_id, close=True)
        self.infra.outbox.wake()
        return collated

    async def reopen(self, request: G.ReopenGatheringRequest, grant: Grant, correlation_id: str = "") -> G.GetRequestStatusResponse:
        v = validate_reason(request.reason)
        validate_case_id(request.case_id, v)
        v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, request.case_id, grant, for_update=True)
            if row.status != G.GATHERING_STATUS_CLOSED:
                raise FailedPrecondition("only a closed gathering can be reopened"
                                         if row.status == G.GATHERING_STATUS_OPEN else _NOT_OPEN[row.status])
            await repo.record_reopening(case_id=row.case_id, reopened_by=grant.principal.subject, reason=request.reason)
            row = await repo.update_case_returning(row.case_id, status=G.GATHERING_STATUS_OPEN)
            await self._emit(repo, "information.reopened", G.GatheringReopened(case_id=row.case_id,
                                                                               reopened_on=self.calendar.today().isoformat()),
                             row, correlation_id=correlation_id)
            status = await self._status(repo, row, grant)
        self.infra.outbox.wake()
        return status

    # -- queries -----------------------------------------------------------
    async def status(self, request: G.GetRequestStatusRequest, grant: Grant) -> G.GetRequestStatusResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        v.raise_if_any()
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            return await self._status(repo, await self._load(repo, request.case_id, grant), grant)

    async def get_return(self, request: G.GetAgencyReturnRequest, grant: Grant) -> G.GetAgencyReturnResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        validate_agency_id(request.agency_id, v, "agency_id")
        if request.version < 0:
            v.add("version", "must be 0 (latest) or a version number")
        v.raise_if_any()
        grant.require_agency(request.agency_id)
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            row = await self._load(repo, request.case_id, grant)
            state = await self._own_request(repo, row, request.agency_id)
            stored = await repo.versions(row.case_id, request.agency_id)
            if not stored:
                raise NotFound("this agency has not submitted a return yet")
            wanted = request.version or stored[-1].version
            chosen = next((s for s in stored if s.version == wanted), None)
            if chosen is None:
                raise NotFound("no such version of this return")
            body = await repo.return_body(row.case_id, request.agency_id, chosen.version)
            return G.GetAgencyReturnResponse(version=self._version(request.agency_id, chosen, body),
                                             versions=[self._version(request.agency_id, s) for s in stored],
                                             request=self._render(state, row))

    async def list_overdue(self, request: G.ListOverdueRequestsRequest, grant: Grant) -> G.ListOverdueRequestsResponse:
        v = Violations()
        if not 0 <= request.page_size <= 200:
            v.add("page_size", "must be between 1 and 200 (0 means 50)")
        after = None
        if request.page_token:
            try:
                due, case_id, agency_id = decode_page_token(request.page_token, 3)
                after = (dt.date.fromisoformat(due), case_id, agency_id)
            except ValueError:
                v.add("page_token", "not a token from a previous response")
        v.raise_if_any()
        limit = request.page_size or 50
        partnership = None if grant.scope is Scope.ANY else grant.principal.partnership
        agency_id = grant.principal.agency if grant.scope is Scope.OWN_AGENCY else None
        async with self.infra.db.transaction() as session:
            repo = self._repo(session)
            rows = await repo.overdue_requests(partnership=partnership, agency_id=agency_id, today=self.calendar.today(),
                                               after=after, limit=limit + 1)
        page = rows[:limit]
        response = G.ListOverdueRequestsResponse(
            requests=[render_request(repo.request_state(r), True, self.calendar) for r in page])
        if len(rows) > limit:
            last = page[-1]
            response.next_page_token = encode_page_token(last.due.isoformat(), last.case_id, last.agency_id)
        return response

    async def collated(self, request: G.GetCollatedInformationRequest, grant: Grant) -> G.GetCollatedInformationResponse:
        v = Violations()
        validate_case_id(request.case_id, v)
        if not 0 <= request.chronology_page_size <= MAX_CHRONOLOGY_PAGE:
            v.add("chronology_page_size", f"must be between 1 and {MAX_CHRONOLOGY_PAGE} (0 means {DEFAULT_CHRONOLOGY_PAGE})")
        after = ""
        if request.chronology_page_token:
            try:
                after = decode_page_token(request.chronology_page_token)[0]
                dt.date.fromisoformat(after)
            except ValueError:
                v.add("chronology_page_token", "not a token from a previous response")
        v.raise_if_any()
        # One moment for the case, its requests and the returns (a return committed between
        # those reads would be collated while its request still counted as awaited).
        async with self.infra.db.snapshot() as session:
            repo = self._repo(session)
            collated = await self._collate(repo, await self._load(repo, request.case_id, grant))
        last = chronology_page(collated, after, request.chronology_page_size or DEFAULT_CHRONOLOGY_PAGE)
        token = encode_page_token(last) if last else ""
        return G.GetCollatedInformationResponse(collated=collated, next_chronology_page_token=token)

    # -- events ------------------------------------------------------------
    async def on_incident_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.notified opens the gathering: one request per agency named,
        when RR.REQUIRED is met; otherwise the case is recorded as not required."""
        incident = payload.incident
        case_id = incident.case_id or ref.case_id
        repo = self._repo(session)
        if not case_id or not incident.partnership:
            raise PermanentEventError("incident without case id or partnership")
        try:
            aware = dt.date.fromisoformat(incident.notification.la_aware_date)
            sent = dt.date.fromisoformat(incident.panel_notification.sent_date) if incident.panel_notification.sent_date else None
        except ValueError:
            raise PermanentEventError("awareness or Panel notification date is not a date") from None
        if incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN:
            status = G.GATHERING_STATUS_WITHDRAWN
        else:
            status = G.GATHERING_STATUS_OPEN if _rapid_review_required(incident) else G.GATHERING_STATUS_NOT_REQUIRED
        try:
            deadline = self._returns_deadline(incident, aware)
        except (EditionNotFound, RuleNotFound, ValueError) as exc:
            raise PermanentEventError(f"no usable RR.AGENCIES deadline: {exc}") from None
        row = await repo.open_case(case_id=case_id, partnership=incident.partnership, status=status, la_aware_date=aware,
                                   panel_sent_date=sent, return_working_days=deadline.working_days,
                                   return_counts_from=deadline.counts_from,
                                   notification_version=max(incident.notification_version, 1))
        if row is None:
            return  # already opened from an earlier copy of this notification
        if status != G.GATHERING_STATUS_OPEN:
            return
        await self._open_notified_agencies(repo, row, incident, ref, G.REQUEST_SOURCE_NOTIFICATION)

    async def _open_notified_agencies(self, repo: GatheringRepository, row, incident: intake_pb2.Incident,  # type: ignore[no-untyped-def]
                                      ref: EventRef, source: int) -> None:
        """Opens a request for each agency the notification names that has none yet."""
        existing = await repo.get_requests(row.case_id)
        seen = {s.agency_id for s in existing}
        states: list[RequestState] = []
        for agency in incident.notification.agencies:
            v = Violations()
            validate_agency(agency, "", v)
            if v or agency.agency_id in seen:
                continue  # intake validated the list; never let one bad entry block the rest
            seen.add(agency.agency_id)
            states.append(self._new_request(row, agency, source))
        await self._open_requests(repo, row, states, first_position=len(existing), correlation_id=ref.correlation_id,
                                  causation_id=ref.event_id)

    async def _open_later(self, repo: GatheringRepository, row, incident: intake_pb2.Incident, ref: EventRef):  # type: ignore[no-untyped-def]
        """A case recorded as not needing a rapid review whose RR.REQUIRED is now met
        (a Panel notification recorded after all, or an amended notification) opens."""
        if row.status != G.GATHERING_STATUS_NOT_REQUIRED or not _rapid_review_required(incident):
            return row
        row = await repo.update_case_returning(row.case_id, status=G.GATHERING_STATUS_OPEN)
        await self._open_notified_agencies(repo, row, incident, ref, G.REQUEST_SOURCE_NOTIFICATION)
        return row

    async def on_panel_notified(self, session, ref: EventRef, payload: intake_pb2.IncidentPanelNotified) -> None:  # type: ignore[no-untyped-def]
        """incident.panel_notified moves provisional due dates (counted from
        awareness) to count from the Panel notification's sent date, and opens the
        gathering of a case that did not need a rapid review until now."""
        repo = self._repo(session)
        row = await repo.get_case(payload.case_id or ref.case_id, for_update=True)
        if row is None:
            raise RetryableEventError("unknown case")
        try:
            sent = dt.date.fromisoformat(payload.panel_notification.sent_date)
        except ValueError:
            raise PermanentEventError("sent_date is not a date") from None
        if row.panel_sent_date == sent and row.status != G.GATHERING_STATUS_NOT_REQUIRED:
            return
        # The date and the provisional due dates it moves: one statement.
        move_due = (self.calendar.add_working_days(sent, row.return_working_days)
                    if row.return_counts_from == FROM_PANEL_NOTIFICATION else None)
        row = await repo.record_panel_notification(row.case_id, sent, move_due=move_due)
        if payload.HasField("incident"):
            await self._open_later(repo, row, payload.incident, ref)

    async def on_incident_amended(self, session, ref: EventRef, payload: intake_pb2.IncidentAmended) -> None:  # type: ignore[no-untyped-def]
        """incident.amended: a case that now needs a rapid review opens; agencies the
        amended notification names are asked too; an amended awareness date moves
        the due dates that count from it. An amendment older than the one the case
        follows (delivered out of order) changes nothing."""
        incident = payload.incident
        repo = self._repo(session)
        row = await repo.get_case(incident.case_id or ref.case_id, for_update=True)
        if row is None:
            raise RetryableEventError("unknown case")
        if 0 < payload.version <= row.notification_version:
            return
        try:
            aware = dt.date.fromisoformat(incident.notification.la_aware_date)
        except ValueError:
            raise PermanentEventError("la_aware_date is not a date") from None
        version = payload.version or row.notification_version
        moved = aware != row.la_aware_date
        if moved or version != row.notification_version:
            row = await repo.update_case_returning(row.case_id, la_aware_date=aware, notification_version=version)
            if moved and (row.return_counts_from == FROM_AWARENESS or row.panel_sent_date is None):
                await repo.move_awareness_due_dates(row.case_id, starts_from=aware,
                                                    due=self.calendar.add_working_days(aware, row.return_working_days))
        opened_now = row.status == G.GATHERING_STATUS_NOT_REQUIRED
        row = await self._open_later(repo, row, incident, ref)
        if _is_open(row) and not opened_now:
            await self._open_notified_agencies(repo, row, incident, ref, G.REQUEST_SOURCE_NOTIFICATION)

    async def on_incident_withdrawn(self, session, ref: EventRef, payload: intake_pb2.IncidentWithdrawn) -> None:  # type: ignore[no-untyped-def]
        """incident.withdrawn closes the gathering for good."""
        repo = self._repo(session)
        row = await repo.get_case(payload.case_id or ref.case_id, for_update=True)
        if row is None:
            raise RetryableEventError("unknown case")
        if row.status != G.GATHERING_STATUS_WITHDRAWN:
            await repo.update_case(row.case_id, status=G.GATHERING_STATUS_WITHDRAWN)
