// A partner system in Node.js: a local authority notifies a serious incident
// and records the Panel notification; then (when a gathering address and an
// agency token are given) the agency submits its return to the information
// request that the notification opened. Uses only @grpc/grpc-js and
// @grpc/proto-loader with the .proto files of the repository.
//
//   RR_INTAKE_ADDR=127.0.0.1:50051 RR_TOKEN=<notifying_la token> \
//   [RR_GATHERING_ADDR=127.0.0.1:50052 RR_AGENCY_TOKEN=<agency token for west-yorkshire-police>] \
//   node notify-and-return.mjs
//
// Optional: RR_NOTIFICATION_FILE (proto3 JSON of a NotifyIncidentRequest;
// default: the fictional Child K), RR_IDEMPOTENCY_KEY, RR_PANEL_REFERENCE
// (default PANEL-NODE-1; "none" skips it), RR_PANEL_SENT (default 2024-06-07),
// RR_PROTO_DIR (default ../../protos), RR_TLS_CA_FILE (TLS instead of plaintext),
// RR_TLS_CLIENT_CERT_FILE / RR_TLS_CLIENT_KEY_FILE (mutual TLS), RR_DECODE_WITH_PROTOS (on
// failure, also decode the whole google.rpc.Status with protobufjs and protos/google/rpc/).
//
// Prints one JSON object per step on stdout; exits 1 with the status and the
// field violations on stderr when a call fails.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

import { decodeStatus, fieldViolations } from './rr-errors.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;

function required(name) {
  const value = env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

const protoDir = env.RR_PROTO_DIR || resolve(here, '..', '..', 'protos');
const definition = protoLoader.loadSync(['rapidreview/v1/intake.proto', 'rapidreview/v1/gathering.proto'], {
  includeDirs: [protoDir],
  keepCase: false, // lowerCamelCase field names, as in proto3 JSON
  enums: String,
  longs: String,
  defaults: false,
  oneofs: true,
});
const v1 = grpc.loadPackageDefinition(definition).rapidreview.v1;

function channelCredentials() {
  if (!env.RR_TLS_CA_FILE) return grpc.credentials.createInsecure();
  const read = (name) => (env[name] ? readFileSync(env[name]) : null);
  return grpc.credentials.createSsl(read('RR_TLS_CA_FILE'), read('RR_TLS_CLIENT_KEY_FILE'), read('RR_TLS_CLIENT_CERT_FILE'));
}

function metadataFor(token, requestId) {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  md.set('x-request-id', requestId);
  return md;
}

const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

// One unary call with a deadline per attempt, retried on UNAVAILABLE and
// DEADLINE_EXCEEDED with backoff. The request (and so its idempotency key)
// and the request id are the same on every attempt.
async function call(client, method, request, token, { attempts = 4, timeoutMs = 10000 } = {}) {
  const requestId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise((resolvePromise, reject) => {
        client[method](request, metadataFor(token, requestId), { deadline: Date.now() + timeoutMs }, (err, response) =>
          err ? reject(err) : resolvePromise(response));
      });
    } catch (err) {
      if (!RETRYABLE.has(err.code) || attempt >= attempts) {
        err.requestId = requestId;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
    }
  }
}

function childK() {
  return {
    notifyingLa: 'Leeds',
    incidentLa: 'Leeds',
    incidentCountry: 'COUNTRY_ENGLAND',
    homeLa: 'Leeds',
    child: { childRef: 'Child K', ageYears: 0 },
    nature: 'NATURE_SERIOUS_HARM',
    harmDescription: 'Skull fracture and rib fractures of different ages found at hospital.',
    harmDomains: ['HARM_DOMAIN_PHYSICAL_HEALTH'],
    abuseOrNeglect: 'ABUSE_OR_NEGLECT_SUSPECTED',
    setting: 'SETTING_FAMILY_HOME',
    incidentDate: '2024-06-03',
    laAwareDate: '2024-06-04',
    agencies: [
      { agencyId: 'west-yorkshire-police', name: 'West Yorkshire Police', kind: 'AGENCY_KIND_POLICE', area: 'West Yorkshire', areaType: 'AREA_TYPE_POLICE_AREA' },
      { agencyId: 'gp-practice', name: 'GP practice', kind: 'AGENCY_KIND_HEALTH_GP', area: 'West Yorkshire ICB', areaType: 'AREA_TYPE_HEALTH_BOARD' },
    ],
  };
}

function policeReturn() {
  return {
    agency: { agencyId: 'west-yorkshire-police', name: 'West Yorkshire Police', kind: 'AGENCY_KIND_POLICE', area: 'West Yorkshire', areaType: 'AREA_TYPE_POLICE_AREA' },
    involvement: 'INVOLVEMENT_INVOLVED',
    involvementPeriod: { start: '2024-01-14', end: '2024-06-04' },
    involvementSummary: 'Two domestic abuse call-outs to the family home and the joint response after the admission.',
    chronology: [
      { date: '2024-04-20', contactType: 'CONTACT_TYPE_CALL_OUT', practitionerRole: 'response officer', summary: 'Mother reported being pushed; father had left before arrival.' },
    ],
    completedByRole: 'detective inspector, safeguarding review team',
  };
}

function emit(step, data) {
  console.log(JSON.stringify({ step, ...data }));
}

async function waitForRequest(gathering, token, caseId, agencyId, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const status = await call(gathering, 'GetRequestStatus', { caseId }, token);
      const request = (status.requests || []).find((r) => r.agency.agencyId === agencyId);
      if (request) return request;
    } catch (err) {
      if (err.code !== grpc.status.NOT_FOUND || Date.now() > until) throw err;
    }
    if (Date.now() > until) throw new Error(`no information request for ${agencyId} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const intakeAddr = required('RR_INTAKE_ADDR');
  const token = required('RR_TOKEN');
  const credentials = channelCredentials();
  const intake = new v1.IntakeService(intakeAddr, credentials);

  const request = env.RR_NOTIFICATION_FILE
    ? JSON.parse(readFileSync(env.RR_NOTIFICATION_FILE, 'utf8'))
    : { notification: childK() };
  request.idempotencyKey = env.RR_IDEMPOTENCY_KEY || request.idempotencyKey || `node-${randomUUID()}`;

  const notified = await call(intake, 'NotifyIncident', request, token);
  const caseId = notified.incident.caseId;
  emit('notified', {
    caseId,
    replayed: Boolean(notified.replayed),
    idempotencyKey: request.idempotencyKey,
    duties: Object.fromEntries(notified.incident.duties.map((d) => [d.ruleId, d.outcome])),
  });

  const panelReference = env.RR_PANEL_REFERENCE || 'PANEL-NODE-1';
  if (panelReference !== 'none') {
    const recorded = await call(intake, 'RecordPanelNotification',
      { caseId, reference: panelReference, sentDate: env.RR_PANEL_SENT || '2024-06-07' }, token);
    emit('panel_notified', { caseId, status: recorded.incident.status, clocks: recorded.incident.clocks.map((c) => c.id) });
  }

  if (env.RR_GATHERING_ADDR && env.RR_AGENCY_TOKEN) {
    const gathering = new v1.GatheringService(env.RR_GATHERING_ADDR, credentials);
    const body = policeReturn();
    const infoRequest = await waitForRequest(gathering, env.RR_AGENCY_TOKEN, caseId, body.agency.agencyId);
    emit('request_found', { caseId, agencyId: infoRequest.agency.agencyId, due: infoRequest.clock?.due });
    const submitted = await call(gathering, 'SubmitAgencyReturn', { caseId, agencyReturn: body }, env.RR_AGENCY_TOKEN);
    emit('return_submitted', { caseId, returnRef: submitted.version.returnRef, version: submitted.version.version, replayed: Boolean(submitted.replayed) });
    gathering.close();
  }
  intake.close();
  emit('done', { caseId });
}

main().catch(async (err) => {
  const code = err.code !== undefined ? Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) : 'ERROR';
  const failure = {
    code,
    message: err.details || err.message,
    requestId: err.requestId,
    fieldViolations: err.metadata ? fieldViolations(err) : [],
  };
  if (env.RR_DECODE_WITH_PROTOS) failure.status = await decodeStatus(err, protoDir); // with protos/google/rpc/
  console.error(JSON.stringify(failure));
  process.exit(1);
});
