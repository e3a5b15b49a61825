// A partner system in Node.js drives a case through the decisions service from the
// Review Advisory Group's recommendation to publication, sending the example files of
// docs/examples/decisions/ as they are (proto3 JSON, lowerCamelCase, so proto-loader with
// keepCase: false keeps every field) plus what each file leaves to the caller: the case id,
// an idempotency key, and the id of the record the step follows (the evaluation, the
// recommendation, the decision, the Panel submission); Publish also takes the report text.
//
//   RR_DECISIONS_ADDR=127.0.0.1:50054 RR_CASE_ID=<case> RR_EVALUATION_ID=<checklist evaluation> \
//   RR_RAG_TOKEN=<rag_member> RR_EXECUTIVE_TOKEN=<executive> RR_BU_TOKEN=<business_unit> \
//   RR_AUDITOR_TOKEN=<auditor> node decisions-lifecycle.mjs
//
// Optional: RR_EXAMPLES_DIR (default ../../docs/examples/decisions), RR_PROTO_DIR.
// Prints one JSON object per step; exits 1 with the status and field violations on stderr
// when a call fails.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

import { fieldViolations } from './rr-errors.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;

function required(name) {
  if (!env[name]) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return env[name];
}

const protoDir = env.RR_PROTO_DIR || resolve(here, '..', '..', 'protos');
const examples = env.RR_EXAMPLES_DIR || resolve(here, '..', '..', 'docs', 'examples', 'decisions');
const definition = protoLoader.loadSync(['rapidreview/v1/decisions.proto'], {
  includeDirs: [protoDir], keepCase: false, enums: String, longs: String, defaults: false, oneofs: true,
});
const { DecisionService } = grpc.loadPackageDefinition(definition).rapidreview.v1;
const decisions = new DecisionService(required('RR_DECISIONS_ADDR'), grpc.credentials.createInsecure());
const caseId = required('RR_CASE_ID');
const tokens = {
  rag: required('RR_RAG_TOKEN'), executive: required('RR_EXECUTIVE_TOKEN'), bu: required('RR_BU_TOKEN'),
  auditor: required('RR_AUDITOR_TOKEN'),
};

function call(method, request, role) {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${tokens[role]}`);
  return new Promise((ok, fail) => decisions[method](request, md, { deadline: Date.now() + 15000 }, (err, response) => {
    if (err) {
      err.method = method;
      fail(err);
    } else {
      ok(response);
    }
  }));
}

// The example file as it is, with what the caller adds.
function example(name, added = {}) {
  const body = JSON.parse(readFileSync(resolve(examples, `${name}.json`), 'utf8'));
  return { ...body, caseId, idempotencyKey: `node-${name}-${caseId}`, ...added };
}

function emit(step, data) {
  console.log(JSON.stringify({ step, ...data }));
}

const MILESTONES_BEFORE = ['informed-panel', 'informed-ofsted', 'informed-dfe', 'family-informed', 'family-invited'];
const MILESTONES_AFTER = ['practitioner-event', 'final-report-agreed', 'family-saw-report', 'sent-to-panel-and-sos'];

async function main() {
  const rec = (await call('RecordRecommendation', example('recommendation', { evaluationId: required('RR_EVALUATION_ID') }), 'rag')).recommendation;
  emit('recommendation', { id: rec.recommendationId, meetingDate: rec.meetingDate, learning: (rec.immediateLearning || []).length });
  const decisionRequest = example('decision', { recommendationId: rec.recommendationId });
  const decided = await call('RecordDecision', decisionRequest, 'executive');
  emit('decision', { id: decided.decision.decisionId, communications: (decided.decision.communications || []).length });
  const again = await call('RecordDecision', decisionRequest, 'executive'); // a retry: same key, same body
  emit('decision_retried', { id: again.decision.decisionId, replayed: Boolean(again.replayed) });
  const sub = (await call('RecordPanelSubmission', example('panel-submission', { decisionId: decided.decision.decisionId }), 'bu')).submission;
  emit('panel_submission', { id: sub.submissionId });
  await call('RecordPanelResponse', example('panel-response', { submissionId: sub.submissionId }), 'bu');
  emit('panel_response', {});
  const commissioned = await call('CommissionReview', example('commission'), 'bu');
  emit('commission', { reviewId: commissioned.review.reviewId });
  for (const name of MILESTONES_BEFORE) await call('RecordMilestone', example(`milestone-${name}`), 'bu');
  await call('RecordProgressCheck', example('progress-check'), 'bu');
  const extended = await call('RecordExtension', example('extension'), 'bu');
  const six = (extended.case.clocks || []).find((c) => c.id === 'POST.SIX_MONTHS');
  emit('extension', { effectiveDue: six && six.effectiveDue });
  for (const name of MILESTONES_AFTER) await call('RecordMilestone', example(`milestone-${name}`), 'bu');
  emit('milestones', { recorded: MILESTONES_BEFORE.length + MILESTONES_AFTER.length });
  await call('RecordIdentifyingDetails', example('identifying-details'), 'bu');
  const text = readFileSync(resolve(examples, 'report-child-p.md'), 'utf8');
  const published = await call('Publish', example('publish', { text }), 'bu');
  emit('published', { publishedOn: published.publication.publishedOn, themes: (published.publication.learningThemes || []).length });
  await call('AddAction', example('action'), 'bu');
  await call('RecordDissemination', example('dissemination'), 'bu');
  const verified = await call('VerifyAuditTrail', { caseId }, 'auditor');
  emit('done', { caseId, auditIntact: Boolean(verified.intact), entries: Number(verified.entriesChecked) });
  decisions.close();
}

main().catch((err) => {
  const code = err.code !== undefined ? Object.keys(grpc.status).find((k) => grpc.status[k] === err.code) : 'ERROR';
  console.error(JSON.stringify({ method: err.method, code, message: err.details || err.message,
    fieldViolations: err.metadata ? fieldViolations(err) : [] }));
  process.exit(1);
});
