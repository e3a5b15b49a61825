"""Launchers for the embedded stack: nats-server (JetStream) and PostgreSQL as local processes.

For development, tests and demonstrations only; production runs the services against external
NATS and PostgreSQL. Every server listens on 127.0.0.1, on ports chosen free at runtime.
"""

from rapidreview.stack.nats import ClusterSpec, NatsCluster, NatsServer
from rapidreview.stack.ports import (
    ServerStartError,
    free_port,
    free_ports,
    wait_for_port,
    wait_until,
)
from rapidreview.stack.postgres import PostgresServer

__all__ = [
    "ClusterSpec",
    "NatsCluster",
    "NatsServer",
    "PostgresServer",
    "ServerStartError",
    "free_port",
    "free_ports",
    "wait_for_port",
    "wait_until",
]
