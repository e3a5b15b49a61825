"""What the benchmarks share: percentiles, the results file, the embedded stack
started for a benchmark, authenticated callers and the example payloads.

Benchmarks run on demand (scripts/bench), never in the test suite. Every
server they start listens on 127.0.0.1 and every loop is bounded in count and
time.
"""

from __future__ import annotations

import functools
import json
import math
import os
import platform
import shutil
import signal
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import gathering_pb2, intake_pb2

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "docs" / "examples"
# scripts/bench --quick points these elsewhere, so a smoke run never replaces the published results.
RESULTS = Path(os.environ.get("RR_BENCH_RESULTS", REPO / "bench" / "results" / "latest.json"))
PLOTS = Path(os.environ.get("RR_BENCH_PLOTS", REPO / "docs" / "performance"))

# The Child K example: agency id -> its documented example return.
EXAMPLE_RETURNS = {
    "west-yorkshire-police": "police", "gp-practice": "gp-late", "leeds-childrens-social-work": "social-care",
    "health-visiting": "health-visiting", "acute-hospital-trust": "hospital", "sibling-nursery": "nursery",
    "housing-association": "housing",
}

# Settings of the benchmark stack. The per-caller rate limit (20/s by default)
# protects the partner-facing API from one misbehaving partner system; a
# migration or backfill raises it the same way, through configuration. "Today"
# is pinned just after the example case's dates, as for a service working on
# live cases (left to the real date, every clock of the 2024 example would be
# two years overdue and each rendering would count working days across them).
BENCH_TODAY = "2024-06-26"
BENCH_ENV = {
    "RR_TODAY": BENCH_TODAY,
    "RR_RATE_LIMIT_RPS": "1000000",
    "RR_RATE_LIMIT_BURST": "1000000",
    "RR_CLOCK_WATCH_INTERVAL": "3600",
}


# Stage-against-baseline rows in pipeline order (the results file may not keep it).
RATIO_ORDER = ("intake NotifyIncident", "intake RPC", "gathering incident", "gathering requests", "criteria consumer",
               "gathering SubmitAgencyReturn vs gRPC", "gathering SubmitAgencyReturn vs Postgre", "criteria evaluations vs raw",
               "criteria evaluations vs Postgre")


def in_pipeline_order(names: list[str]) -> list[str]:
    def rank(name: str) -> int:
        return next((i for i, prefix in enumerate(RATIO_ORDER) if name.startswith(prefix)), len(RATIO_ORDER))

    return sorted(names, key=rank)


def cores() -> int:
    return os.cpu_count() or 1


def machine() -> dict[str, Any]:
    return {"cpu_cores": cores(), "python": platform.python_version(), "platform": platform.machine()}


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100, nearest rank) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds."""
    return {
        "p50_ms": percentile(seconds, 50) * 1e3,
        "p95_ms": percentile(seconds, 95) * 1e3,
        "p99_ms": percentile(seconds, 99) * 1e3,
        "max_ms": (max(seconds) * 1e3) if seconds else math.nan,
    }


def save_results(section: str, data: dict[str, Any], path: Path = RESULTS) -> None:
    """Merges `data` under `section` into the results file (one file, each benchmark its section)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = json.loads(path.read_text())
        except json.JSONDecodeError:
            current = {}
    current[section] = {**data, "machine": machine(), "recorded_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    path.write_text(json.dumps(current, indent=2, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def print_header(title: str) -> None:
    print(f"\n=== {title} (cpu cores: {cores()}) ===", flush=True)


# -- example payloads ------------------------------------------------------------------------


def notification_request(n: int) -> intake_pb2.NotifyIncidentRequest:
    """The Child K notification as case `n`: its own child reference and idempotency key
    (the same child and incident date would be flagged as a possible duplicate of every earlier case)."""
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"bench-{os.getpid()}-{n}-{time.monotonic_ns()}"
    request.notification.child.child_ref = f"Child {uuid.uuid4().hex[:12]}"
    return request


def example_returns() -> dict[str, gathering_pb2.SubmitAgencyReturnRequest]:
    """The documented example return of each Child K agency."""
    out = {}
    for agency_id, name in EXAMPLE_RETURNS.items():
        request = json_format.Parse((EXAMPLES / f"agency-return-{name}.json").read_text(), gathering_pb2.SubmitAgencyReturnRequest())
        out[agency_id] = request
    return out


# -- the embedded stack ------------------------------------------------------------------------


class BenchStack:
    """The embedded stack (NATS, PostgreSQL, each service as its own process) in a
    temporary folder, with tokens for the callers a case needs and the admin
    NATS user for watching events. `pause`/`resume` stop and continue a service
    process (SIGSTOP/SIGCONT) so that one stage can be measured alone."""

    def __init__(self, extra_env: dict[str, str] | None = None, keep: bool = False, *, replicas: dict[str, int] | None = None,
                 nats_cluster_size: int = 1, metrics: bool = False) -> None:
        """`replicas`: processes per service (replicas share the service's durable consumers);
        `nats_cluster_size`: 3 for a JetStream cluster on loopback (streams with 3 replicas);
        `metrics`: each service process serves Prometheus /metrics on a port of its own."""
        from rapidreview.stack.supervisor import EmbeddedStack

        self.folder = Path(tempfile.mkdtemp(prefix="rr-bench-"))
        self.keep = keep
        stack_class = _metered_stack_class() if metrics else EmbeddedStack
        self.stack = stack_class(self.folder, extra_env={**BENCH_ENV, **(extra_env or {})}, replicas=replicas or {},
                                 nats_cluster_size=nats_cluster_size)

    def start(self) -> BenchStack:
        started = time.perf_counter()
        self.stack.start(timeout=180)
        self.start_seconds = time.perf_counter() - started
        return self

    def stop(self) -> None:
        for proc in self.stack.processes:
            if proc.process is not None and proc.process.poll() is None:
                os.kill(proc.process.pid, signal.SIGCONT)
        self.stack.stop()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> BenchStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def address(self, service: str) -> str:
        return next(p.address for p in self.stack.processes if p.name == service)

    def target(self, service: str) -> str:
        """A gRPC target naming every replica of `service` ("ipv4:A,B"); with the channel option
        ROUND_ROBIN the calls are spread over them, as a load balancer in front of replicas would."""
        return "ipv4:" + ",".join(p.address for p in self.stack.replicas_of(service))

    def metrics_url(self, process: str) -> str:
        """The /metrics URL of the service process called `process` ("intake", "intake-2", ...)."""
        ports = getattr(self.stack, "metrics_ports", None)
        assert ports is not None, "the stack was started without metrics"
        return f"http://127.0.0.1:{ports[process]}/metrics"

    def pid(self, service: str) -> int:
        proc = next(p for p in self.stack.processes if p.name == service)
        assert proc.process is not None
        return proc.process.pid

    def pause(self, *services: str) -> None:
        for service in services:
            os.kill(self.pid(service), signal.SIGSTOP)

    def resume(self, *services: str) -> None:
        for service in services:
            os.kill(self.pid(service), signal.SIGCONT)

    def metadata(self, role: Role, agency: str = "") -> tuple[tuple[str, str], ...]:
        token = self.stack.credentials.token(role, partnership="leeds", agency=agency)
        return (("authorization", f"Bearer {token}"),)

    @property
    def nats_url(self) -> str:
        """The NATS URL (every node's, comma-joined, for a cluster)."""
        return self.stack.nats_url

    def nats_admin(self) -> dict[str, str]:
        users = self.stack.nats_users
        return {"user": "admin", "password": users.passwords["admin"]} if users is not None else {}

    @property
    def database_url(self) -> str:
        return self.stack.database_url

    def components(self) -> dict[str, list[int]]:
        """Process ids to account CPU to: each service, PostgreSQL (postmaster and
        backends), nats-server, and this process (the load generator)."""
        out: dict[str, list[int]] = {p.name: [p.process.pid] for p in self.stack.processes if p.process is not None}
        nats_servers = self.stack.nats_cluster.nodes if self.stack.nats_cluster is not None else [self.stack.nats]
        out["postgres"] = [-self.stack.postgres.pid] if self.stack.postgres.pid else []  # negative: the whole process tree
        out["nats"] = [-server.pid for server in nats_servers if server.pid]
        out["driver"] = [os.getpid()]
        return out


@functools.cache
def _metered_stack_class() -> type:
    from rapidreview.stack.ports import free_port
    from rapidreview.stack.supervisor import EmbeddedStack

    class MeteredStack(EmbeddedStack):
        """The embedded stack with RR_METRICS_LISTEN set per service process (each its own port)."""

        def __post_init__(self) -> None:
            super().__post_init__()
            self.metrics_ports = {proc.name: free_port() for proc in self.processes}

        def service_env(self, proc):  # type: ignore[no-untyped-def]
            return {**super().service_env(proc), "RR_METRICS_LISTEN": f"127.0.0.1:{self.metrics_ports[proc.name]}"}

    return MeteredStack




def scrape_counters(url: str, timeout: float = 10.0) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every counter sample (`*_total`) a Prometheus /metrics endpoint serves, keyed by
    (sample name, sorted labels)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        text = response.read().decode("utf-8")
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_total"):
                out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


# -- CPU accounting ------------------------------------------------------------------------------
#
# The machine may be shared: wall-clock rates then depend on what else runs. CPU seconds
# spent by each component per case do not, so every measurement records both, and the
# share of the machine's CPU that other processes took meanwhile.

_TICK = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def process_cpu(pid: int, reaped_children: bool = False) -> float:
    """User + system CPU seconds of a process (all its threads), with those of its
    children that exited and were reaped when `reaped_children`; 0 when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if reaped_children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu(root: int) -> float:
    """CPU seconds of a process tree (a server and its worker processes, such as
    PostgreSQL's backends): the root with its reaped children, plus the live ones."""
    return process_cpu(root, reaped_children=True) + sum(process_cpu(pid) for pid in descendants(root))


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


class CpuMeter:
    """CPU seconds per component between `start()` and `stop()`, and the machine's
    busy share taken by processes outside the components. A component is a list of
    process ids; a negative id -P stands for the whole process tree under P."""

    def __init__(self, components: dict[str, list[int]]) -> None:
        self.components = components

    def _sample(self) -> dict[str, float]:
        return {name: sum(tree_cpu(-pid) if pid < 0 else process_cpu(pid) for pid in pids)
                for name, pids in self.components.items()}

    def start(self) -> CpuMeter:
        self._before = self._sample()
        self._machine_before = machine_cpu()
        self._wall = time.perf_counter()
        return self

    def stop(self) -> dict[str, Any]:
        after = self._sample()
        busy1, total1 = machine_cpu()
        wall = time.perf_counter() - self._wall
        used = {name: after[name] - self._before.get(name, 0.0) for name in after}
        machine_busy = busy1 - self._machine_before[0]
        ours = sum(used.values())
        return {
            "wall_seconds": wall,
            "cpu_seconds": used,
            "stack_cpu_seconds": ours - used.get("driver", 0.0),
            "machine_busy_cores": machine_busy / wall if wall else 0.0,
            "other_processes_cores": max(machine_busy - ours, 0.0) / wall if wall else 0.0,
            "load_average": os.getloadavg()[0],
        }


@contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)
