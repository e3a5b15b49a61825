"""The embedded stack: NATS and PostgreSQL from the wheels, then each service as
its own process, all on free loopback ports, in one data folder.

`EmbeddedStack.start()` brings everything up and waits for every service's
gRPC health; `stop()` stops services first (graceful SIGTERM), then the servers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from rapidreview.stack.credentials import DevCredentials
from rapidreview.stack.nats import NatsServer
from rapidreview.stack.nats_accounts import NatsUsers, accounts_file, include_directive
from rapidreview.stack.ports import free_port
from rapidreview.stack.postgres import PostgresServer

SERVICES = ("intake", "gathering", "criteria", "decisions")


def available_services() -> list[str]:
    """The services built into this installation, in pipeline order."""
    found = []
    for name in SERVICES:
        try:
            if importlib.util.find_spec(f"rapidreview.{name}.bootstrap") is not None:
                found.append(name)
        except ModuleNotFoundError:
            continue
    return found


def health_status(address: str, timeout: float = 1.0) -> str:
    """"SERVING", "NOT_SERVING" or "UNREACHABLE" for a gRPC health endpoint."""
    try:
        with grpc.insecure_channel(address) as channel:
            response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
            return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    except grpc.RpcError:
        return "UNREACHABLE"


@dataclass
class ServiceProcess:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class EmbeddedStack:
    """NATS + PostgreSQL + the services, in `data_dir`."""

    data_dir: Path
    services: list[str] = field(default_factory=available_services)
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.postgres = PostgresServer(self.data_dir / "postgres")
        self.credentials = DevCredentials.ensure(self.data_dir / "credentials")
        accounts = accounts_file()
        # Per-service NATS users with subject permissions, as in production.
        self.nats_users = NatsUsers.ensure(self.credentials.folder) if accounts else None
        self.nats = NatsServer(self.data_dir / "nats", config_extra=include_directive(accounts, self.data_dir / "nats") if accounts else "")
        (self.data_dir / "logs").mkdir(exist_ok=True)
        self.processes = [ServiceProcess(name, free_port(), self.data_dir / "logs" / f"{name}.log") for name in self.services]

    @property
    def database_url(self) -> str:
        return self.postgres.url("rapidreview")

    def service_env(self, proc: ServiceProcess) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "RR_DATABASE_URL": self.database_url,
                "RR_NATS_URL": self.nats.url,
                "RR_GRPC_LISTEN": proc.address,
                "RR_DATA_DIR": str(self.data_dir),
                **self.credentials.service_env(),
            }
        )
        if self.nats_users is not None:
            env.update(self.nats_users.service_env(proc.name))
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> None:
        self.postgres.start()
        self.postgres.create_database("rapidreview")
        if self.nats_users is not None:
            os.environ.update(self.nats_users.server_env())  # nats-server inherits them
        self.nats.start()
        for proc in self.processes:
            log = open(proc.log_path, "ab")  # noqa: SIM115 - handed to the child
            proc.process = subprocess.Popen(
                [sys.executable, "-m", f"rapidreview.{proc.name}"],
                env=self.service_env(proc),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_healthy(timeout)
        self.write_state()

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = {p.name for p in self.processes}
        while pending and time.monotonic() < deadline:
            for proc in self.processes:
                if proc.name not in pending:
                    continue
                if proc.process is not None and proc.process.poll() is not None:
                    raise RuntimeError(f"{proc.name} exited with {proc.process.returncode}; see {proc.log_path}")
                if health_status(proc.address) == "SERVING":
                    pending.discard(proc.name)
            time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not healthy after {timeout:.0f}s: {', '.join(sorted(pending))}")

    def write_state(self) -> None:
        state = {
            "nats_url": self.nats.url,
            "database_url": self.database_url,
            "services": {p.name: {"address": p.address, "pid": p.process.pid if p.process else None, "log": str(p.log_path)}
                         for p in self.processes},
        }
        (self.data_dir / "stack.json").write_text(json.dumps(state, indent=2))

    def stop(self) -> None:
        for proc in self.processes:
            if proc.process is not None and proc.process.poll() is None:
                proc.process.send_signal(signal.SIGTERM)
        for proc in self.processes:
            if proc.process is not None:
                try:
                    proc.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.process.kill()
                    proc.process.wait(timeout=5)
        self.nats.stop()
        self.postgres.stop()
        state = self.data_dir / "stack.json"
        if state.exists():
            state.unlink()
