"""The embedded stack: NATS and PostgreSQL from the wheels, then each service as
its own process, all on free loopback ports, in one data folder.

`EmbeddedStack.start()` brings everything up and waits for every service's
gRPC health; `stop()` stops services first (graceful SIGTERM), then the servers.

For scale-out and fault tests the stack can also run several replicas of a
service (`replicas`), a clustered NATS (`nats_cluster_size`, streams then get
that many replicas, at most 3) or an external NATS (`nats_urls`), and kill,
stop and start single service processes (`kill_service`, `start_service`, ...).

With `workspace=True` (what `rapidreview up` uses) it also runs a local OpenID
Connect provider with the demo users (oidc-provider-mock) and the web workspace,
each as its own process, and waits for the workspace's /healthz.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from rapidreview.stack.credentials import DevCredentials
from rapidreview.stack.nats import NatsCluster, NatsServer
from rapidreview.stack.nats_accounts import NatsUsers, accounts_file, include_directive
from rapidreview.stack.ports import free_port
from rapidreview.stack.postgres import PostgresServer

SERVICES = ("intake", "gathering", "criteria", "decisions")

#: The embedded stack's partnership registry (RR_PARTNERSHIP_CONFIG_FILE): the example's
#: partnership and a neighbour, each accepting any well-formed agency id. A deployment
#: lists its own partnerships and, to restrict agency tokens, each one's agencies.
DEVELOPMENT_PARTNERSHIPS = """\
# Partnerships the embedded stack knows (tokens naming another are refused).
# List `agencies: [id, ...]` under a partnership to accept only those agency ids.
partnerships:
  leeds:
    name: Leeds Safeguarding Children Partnership
  bradford:
    name: Bradford Safeguarding Children Partnership
"""


def ensure_partnership_registry(data_dir: Path) -> Path:
    """The registry file in `data_dir`, written once (an edited file is kept)."""
    path = data_dir / "partnerships.yaml"
    if not path.exists():
        path.write_text(DEVELOPMENT_PARTNERSHIPS, encoding="utf-8")
    return path


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
    #: The service this process runs; `name` differs for a second replica ("gathering-2").
    service: str = ""

    def __post_init__(self) -> None:
        self.service = self.service or self.name

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class EmbeddedStack:
    """NATS + PostgreSQL + the services, in `data_dir`."""

    data_dir: Path
    services: list[str] = field(default_factory=available_services)
    extra_env: dict[str, str] = field(default_factory=dict)
    #: Processes per service (default 1); replicas share the service's durable consumers.
    replicas: dict[str, int] = field(default_factory=dict)
    #: 1: one nats-server; 3 (or more): a JetStream cluster on loopback (`nats_cluster`).
    nats_cluster_size: int = 1
    #: Comma-separated URLs of a NATS run by someone else; the stack then starts none.
    nats_urls: str | None = None
    #: Also run the web workspace and a local OpenID Connect provider with the demo users.
    workspace: bool = False

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.credentials = DevCredentials.ensure(self.data_dir / "credentials")
        # Never trust: another local user must not read the data (the password stays in credentials/).
        self.postgres = PostgresServer(self.data_dir / "postgres", password=self.credentials.postgres_password)
        self.partnerships = ensure_partnership_registry(self.data_dir)
        accounts = accounts_file() if self.nats_urls is None else None
        # Per-service NATS users with subject permissions, as in production.
        self.nats_users = NatsUsers.ensure(self.credentials.folder) if accounts else None
        self.nats = NatsServer(self.data_dir / "nats", config_extra=include_directive(accounts, self.data_dir / "nats") if accounts else "")
        self.nats_cluster: NatsCluster | None = None
        if self.nats_urls is None and self.nats_cluster_size > 1:
            cluster_dir = self.data_dir / "nats-cluster"
            extra = ""
            if accounts:
                for i in range(self.nats_cluster_size):
                    extra = include_directive(accounts, cluster_dir / f"node-{i}")
            self.nats_cluster = NatsCluster(cluster_dir, self.nats_cluster_size, config_extra=extra)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        self.processes = []
        for name in self.services:
            for i in range(max(self.replicas.get(name, 1), 1)):
                proc_name = name if i == 0 else f"{name}-{i + 1}"
                self.processes.append(ServiceProcess(proc_name, free_port(), self.data_dir / "logs" / f"{proc_name}.log", service=name))
        self.oidc_provider: ServiceProcess | None = None
        self.web: ServiceProcess | None = None
        if self.workspace:
            logs = self.data_dir / "logs"
            self.oidc_provider = ServiceProcess("oidc-provider", free_port(), logs / "oidc-provider.log")
            self.web = ServiceProcess("workspace", free_port(), logs / "workspace.log")

    @property
    def oidc_issuer(self) -> str:
        assert self.oidc_provider is not None, "the stack runs no workspace"
        return f"http://{self.oidc_provider.address}"

    @property
    def workspace_url(self) -> str:
        assert self.web is not None, "the stack runs no workspace"
        return f"http://{self.web.address}"

    @property
    def database_url(self) -> str:
        return self.postgres.url("rapidreview")

    @property
    def nats_url(self) -> str:
        """What the services get as RR_NATS_URL (comma-separated for a cluster)."""
        if self.nats_urls is not None:
            return self.nats_urls
        if self.nats_cluster is not None:
            return self.nats_cluster.urls
        return self.nats.url

    def nats_connect_options(self, user: str = "admin") -> dict[str, object]:
        """Keyword arguments for `nats.connect` as `user` (the operators' admin by default)."""
        options: dict[str, object] = {"servers": [u.strip() for u in self.nats_url.split(",") if u.strip()]}
        if self.nats_users is not None:
            options.update(user=user, password=self.nats_users.passwords[user])
        return options

    def process(self, name: str) -> ServiceProcess:
        """The process called `name` ("gathering", "gathering-2", ...)."""
        for proc in self.processes:
            if proc.name == name:
                return proc
        raise KeyError(name)

    def replicas_of(self, service: str) -> list[ServiceProcess]:
        return [proc for proc in self.processes if proc.service == service]

    def service_env(self, proc: ServiceProcess) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "RR_DATABASE_URL": self.database_url,
                "RR_NATS_URL": self.nats_url,
                "RR_GRPC_LISTEN": proc.address,
                "RR_DATA_DIR": str(self.data_dir),
                "RR_PARTNERSHIP_CONFIG_FILE": os.environ.get("RR_PARTNERSHIP_CONFIG_FILE", str(self.partnerships)),
                **self.credentials.service_env(),
            }
        )
        # Decisions reads intake, gathering and criteria through their APIs (reports, figures).
        for peer in ("intake", "gathering", "criteria"):
            replicas = self.replicas_of(peer)
            if replicas:
                env[f"RR_{peer.upper()}_ADDR"] = replicas[0].address
        if self.nats_cluster is not None:
            env["RR_NATS_STREAM_REPLICAS"] = str(min(self.nats_cluster_size, 3))
        if self.nats_users is not None:
            env.update(self.nats_users.service_env(proc.service))
        if proc.service == "decisions":
            env.update(self.credentials.checkpoint_env())
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 90.0) -> None:
        self.postgres.start()
        self.postgres.create_database("rapidreview")
        if self.nats_users is not None:
            os.environ.update(self.nats_users.server_env())  # nats-server inherits them
        if self.nats_cluster is not None:
            self.nats_cluster.start()
        elif self.nats_urls is None:
            self.nats.start()
        self.provision_jetstream()
        for proc in self.processes:
            self._spawn(proc)
        self.wait_healthy(timeout)
        if self.workspace:
            self.start_workspace(timeout)
        self.write_state()

    def provision_jetstream(self) -> None:
        """Creates or updates the streams and every service's durables as the operators' admin
        user, with the services' own settings: the service users may not (deploy/nats/accounts.conf).
        Without per-service users (an external NATS) the services create them themselves."""
        if self.nats_users is None or not self.processes:
            return
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        import nats

        from rapidreview.jetstream import provision

        env = self.service_env(self.processes[0])
        services = tuple(dict.fromkeys(proc.service for proc in self.processes)) + (("workspace",) if self.workspace else ())

        async def run() -> None:
            nc = await nats.connect(**self.nats_connect_options("admin"), connect_timeout=5)  # type: ignore[arg-type]
            try:
                await provision(nc.jetstream(timeout=30), env, services)
            finally:
                await nc.close()

        # Its own thread and event loop: the caller may be running a loop of its own.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result(timeout=120)

    # -- the workspace and its identity provider -------------------------------------------

    def workspace_env(self) -> dict[str, str]:
        """The environment of the workspace process (the services' addresses, the provider, keys)."""
        from rapidreview.workspace.demo import write_principals_file

        assert self.web is not None
        env = dict(os.environ)
        for service in SERVICES:
            replicas = self.replicas_of(service)
            if replicas:
                env[f"RR_{service.upper()}_ADDR"] = replicas[0].address
        env.update({
            "RR_WORKSPACE_LISTEN": self.web.address,
            "RR_WORKSPACE_PUBLIC_URL": self.workspace_url,
            "RR_WORKSPACE_OIDC_ISSUER": self.oidc_issuer,
            "RR_WORKSPACE_OIDC_CLIENT_ID": "rapidreview-workspace",
            "RR_WORKSPACE_OIDC_CLIENT_SECRET": "embedded-stack-only",
            "RR_WORKSPACE_PRINCIPALS_FILE": str(write_principals_file(self.credentials.folder / "workspace-principals.yaml")),
            "RR_WORKSPACE_SIGNING_KEY_FILE": str(self.credentials.workspace_signing_key),
            "RR_WORKSPACE_SESSION_KEY_FILE": str(self.credentials.workspace_session_key),
            "RR_DATABASE_URL": self.database_url,
            "RR_NATS_URL": self.nats_url,
            "RR_DATA_DIR": str(self.data_dir),
            # The services' registry: the workspace checks at start that its mapping file names only these.
            "RR_PARTNERSHIP_CONFIG_FILE": os.environ.get("RR_PARTNERSHIP_CONFIG_FILE", str(self.partnerships)),
        })
        env.update(self.credentials.service_env())  # the read model decrypts the child reference with the key ring
        if self.nats_users is not None:
            env.update(self.nats_users.service_env("workspace"))  # the read model's own NATS user
        env.update(self.extra_env)
        return env

    def start_workspace(self, timeout: float = 90.0) -> None:
        """Starts the OIDC provider and the workspace (if not running) and waits for /healthz."""
        from rapidreview.workspace.demo import provider_arguments

        assert self.oidc_provider is not None and self.web is not None
        if not self.oidc_provider.is_running:
            self._spawn_command(self.oidc_provider, [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
                                                     "--port", str(self.oidc_provider.port), *provider_arguments()],
                                {**os.environ, "NO_COLOR": "1"})
        self._wait_http(self.oidc_provider, f"{self.oidc_issuer}/.well-known/openid-configuration", timeout)
        if not self.web.is_running:
            self._spawn_command(self.web, [sys.executable, "-m", "rapidreview.workspace"], self.workspace_env())
        self._wait_http(self.web, f"{self.workspace_url}/healthz", timeout)

    def stop_workspace(self) -> None:
        for proc in (self.web, self.oidc_provider):
            if proc is not None and proc.process is not None and proc.process.poll() is None:
                proc.process.send_signal(signal.SIGTERM)
                try:
                    proc.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.process.kill()
                    proc.process.wait(timeout=5)

    def _spawn_command(self, proc: ServiceProcess, command: list[str], env: dict[str, str]) -> None:
        with open(proc.log_path, "ab") as log:
            proc.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @staticmethod
    def _wait_http(proc: ServiceProcess, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.process is not None and proc.process.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.process.returncode}; see {proc.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL we built
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{proc.name} not ready after {timeout:.0f}s ({url}); see {proc.log_path}")

    def _spawn(self, proc: ServiceProcess) -> None:
        with open(proc.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            proc.process = subprocess.Popen(
                [sys.executable, "-m", f"rapidreview.{proc.service}"],
                env=self.service_env(proc),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_service(self, name: str, timeout: float = 90.0) -> None:
        """Starts process `name` again (no-op while it runs) and waits for its health."""
        proc = self.process(name)
        if not proc.is_running:
            self._spawn(proc)
        self.wait_healthy(timeout, names=[name])
        self.write_state()

    def kill_service(self, name: str) -> None:
        """SIGKILL to process `name`, as in a crash: no drain, no goodbye. Idempotent."""
        proc = self.process(name)
        if proc.process is None:
            return
        if proc.process.poll() is None:
            os.kill(proc.process.pid, signal.SIGKILL)
        proc.process.wait(timeout=30)

    def stop_service(self, name: str, timeout: float = 20.0) -> None:
        """Graceful stop of process `name` (SIGTERM; SIGKILL after `timeout`). Idempotent."""
        proc = self.process(name)
        if proc.process is None or proc.process.poll() is not None:
            return
        proc.process.send_signal(signal.SIGTERM)
        try:
            proc.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_service(name)

    def restart_service(self, name: str, *, kill: bool = False, timeout: float = 90.0) -> None:
        """Stops (or with `kill`, SIGKILLs) process `name`, starts it and waits for its health."""
        if kill:
            self.kill_service(name)
        else:
            self.stop_service(name)
        self.start_service(name, timeout)

    def wait_healthy(self, timeout: float, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        pending = {p.name for p in self.processes} if names is None else set(names)
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
            **({"workspace_url": self.workspace_url, "oidc_issuer": self.oidc_issuer} if self.workspace else {}),
            "nats_url": self.nats_url,
            "database_url": self.postgres.display_url("rapidreview"),  # the password stays in credentials/
            "services": {p.name: {"address": p.address, "pid": p.process.pid if p.process else None, "log": str(p.log_path)}
                         for p in self.processes},
        }
        (self.data_dir / "stack.json").write_text(json.dumps(state, indent=2))

    def stop(self) -> None:
        if self.workspace:
            self.stop_workspace()
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
        if self.nats_cluster is not None:
            self.nats_cluster.stop()
        self.nats.stop()
        self.postgres.stop()
        state = self.data_dir / "stack.json"
        if state.exists():
            state.unlink()
