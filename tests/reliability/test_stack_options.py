"""The embedded stack's scale-out options, without starting anything: replicas get their own
process names but their service's NATS user, a cluster gives every service all node URLs and
3-replica streams, and an external NATS is used as given."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from rapidreview.stack.supervisor import EmbeddedStack


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="rr-rel-options-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_replicas_are_separate_processes_of_the_same_service(folder):
    stack = EmbeddedStack(folder, services=["intake", "gathering"], replicas={"gathering": 2})
    assert [(p.name, p.service) for p in stack.processes] == [("intake", "intake"), ("gathering", "gathering"),
                                                             ("gathering-2", "gathering")]
    assert len({p.port for p in stack.processes}) == 3
    env = stack.service_env(stack.process("gathering-2"))
    assert env["RR_GRPC_LISTEN"] == stack.process("gathering-2").address
    if stack.nats_users is not None:
        assert env["RR_NATS_USER"] == "gathering"
    assert "RR_NATS_STREAM_REPLICAS" not in env
    assert [p.name for p in stack.replicas_of("gathering")] == ["gathering", "gathering-2"]


def test_a_cluster_gives_every_service_all_nodes_and_three_stream_replicas(folder):
    stack = EmbeddedStack(folder, services=["intake"], nats_cluster_size=3)
    assert stack.nats_cluster is not None
    env = stack.service_env(stack.process("intake"))
    assert env["RR_NATS_URL"] == stack.nats_cluster.urls and env["RR_NATS_URL"].count("nats://") == 3
    assert env["RR_NATS_STREAM_REPLICAS"] == "3"
    assert stack.nats_connect_options()["servers"] == stack.nats_cluster.url_list


def test_an_external_nats_is_used_as_given(folder):
    stack = EmbeddedStack(folder, services=["intake"], nats_urls="nats://127.0.0.1:4999,nats://127.0.0.1:5000")
    assert stack.nats_cluster is None and stack.nats_users is None
    assert stack.service_env(stack.process("intake"))["RR_NATS_URL"] == "nats://127.0.0.1:4999,nats://127.0.0.1:5000"
    assert stack.nats_connect_options() == {"servers": ["nats://127.0.0.1:4999", "nats://127.0.0.1:5000"]}
