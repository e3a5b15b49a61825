"""The decisions example files work from Node.js as docs/integration.md says: the partner
script tests/interop/decisions-lifecycle.mjs (@grpc/grpc-js + @grpc/proto-loader with
keepCase: false) sends every file of docs/examples/decisions/ as it is, plus the case id, an
idempotency key and the id of the record each step follows, and the service stores every
field of every file (none is dropped for its spelling)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions.childk import EXAMPLES, example

pytestmark = pytest.mark.integration

INTEROP = Path(__file__).resolve().parents[2] / "interop"


@pytest.fixture(scope="module")
def node() -> str:
    """node, with tests/interop's pinned packages installed once (`npm ci`)."""
    node_bin, npm = shutil.which("node"), shutil.which("npm")
    assert node_bin and npm, "Node.js 18+ and npm are needed for the interop test"
    marker = INTEROP / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < (INTEROP / "package-lock.json").stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=INTEROP, check=True, timeout=600, stdout=subprocess.DEVNULL)
    return node_bin


def test_every_decisions_example_is_proto3_json_with_lower_camel_case_names():
    """snake_case names parse in Python but are dropped without a word by proto-loader (keepCase: false)."""
    files = sorted(EXAMPLES.glob("*.json"))
    assert len(files) >= 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.findall(r'"[a-z]+_[a-z_]*"\s*:', text), f"{path.name} has snake_case field names"


async def test_the_node_partner_sends_every_decisions_example_and_nothing_is_lost(node, decisions, new_case, stub, roles):
    case_id, evaluation_id = await new_case()
    env = {"RR_DECISIONS_ADDR": decisions.address, "RR_CASE_ID": case_id, "RR_EVALUATION_ID": evaluation_id,
           "RR_RAG_TOKEN": roles[Role.RAG_MEMBER].token, "RR_EXECUTIVE_TOKEN": roles[Role.EXECUTIVE].token,
           "RR_BU_TOKEN": roles[Role.BUSINESS_UNIT].token, "RR_AUDITOR_TOKEN": roles[Role.AUDITOR].token}
    process = await asyncio.create_subprocess_exec(node, str(INTEROP / "decisions-lifecycle.mjs"), cwd=str(INTEROP),
                                                   env={"PATH": os.environ.get("PATH", ""), **env},
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    steps = {s["step"]: s for s in (json.loads(line) for line in out.decode().splitlines() if line.startswith("{"))}
    assert steps["decision_retried"] == {"step": "decision_retried", "id": steps["decision"]["id"], "replayed": True}
    assert steps["extension"]["effectiveDue"] == "2025-03-31" and steps["milestones"]["recorded"] == 9
    assert steps["done"]["auditIntact"] is True

    # What the service stored is every field of the files (compared in Python, which reads either spelling).
    case = (await stub.GetCase(D.GetCaseRequest(case_id=case_id), metadata=roles[Role.BUSINESS_UNIT].metadata())).case
    sent = example("recommendation", D.RecordRecommendationRequest)
    stored = case.recommendations[0]
    assert stored.meeting_date == sent.meeting_date == "2024-06-24"
    assert [(i.description, i.owner_agency_id) for i in stored.immediate_learning] == \
        [(i.description, i.owner_agency_id) for i in sent.immediate_learning]
    assert {c.criterion_id for c in stored.criteria} >= {c.criterion_id for c in sent.criteria}
    decision_sent = example("decision", D.RecordDecisionRequest)
    assert json_format.MessageToDict(case.decisions[0])["communications"] == \
        json_format.MessageToDict(decision_sent)["communications"]
    assert [p.role_title for p in case.decisions[0].decided_by] == [p.role_title for p in decision_sent.decided_by]
    assert list(case.publication.learning_themes) == list(example("publish", D.PublishRequest).learning_themes)
    assert case.publication.location == example("publish", D.PublishRequest).location
    commission_sent = example("commission", D.CommissionReviewRequest)
    assert case.review.terms_of_reference == commission_sent.terms_of_reference
    assert [m.name for m in case.review.panel] == [m.name for m in commission_sent.panel]
    assert len(case.review.milestones) == 9 and case.review.milestones[0].note == example("milestone-informed-panel", D.RecordMilestoneRequest).note
