"""The size of a reliability run: the CI profile by default, the long profile
with RR_RELIABILITY_PROFILE=long, single figures overridable by environment
variables (scripts/reliability documents them). Results are printed and, when
RR_RELIABILITY_REPORT names a file, appended to it as JSON lines."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Profile:
    name: str
    #: Cases pushed through the whole pipeline by the fault suite.
    fault_cases: int
    #: Rounds of the fault schedule (each round: kill -9 every service, NATS, PostgreSQL).
    fault_rounds: int
    #: Load test: concurrent partner clients, seconds, and the most calls each client makes.
    load_clients: int
    load_seconds: float
    load_max_calls: int
    #: Cases of the scale-out test.
    scale_cases: int
    #: Seconds each long test may take before pytest-timeout stops it.
    timeout: int


PROFILES = {
    "ci": Profile("ci", fault_cases=200, fault_rounds=1, load_clients=32, load_seconds=20.0,
                  load_max_calls=400, scale_cases=200, timeout=1800),
    "long": Profile("long", fault_cases=1000, fault_rounds=3, load_clients=32, load_seconds=120.0,
                    load_max_calls=5000, scale_cases=600, timeout=7200),
}


def current() -> Profile:
    base = PROFILES[os.environ.get("RR_RELIABILITY_PROFILE", "ci")]
    values = asdict(base)
    for field in values:
        env = os.environ.get(f"RR_RELIABILITY_{field.upper()}")
        if env and field != "name":
            values[field] = type(values[field])(env)
    return Profile(**values)


def record(suite: str, figures: dict[str, Any]) -> None:
    """Prints the figures of a suite and appends them to RR_RELIABILITY_REPORT."""
    entry = {"suite": suite, "profile": current().name, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}
    line = json.dumps(entry, sort_keys=True, default=str)
    print(f"\nRELIABILITY {line}")
    target = os.environ.get("RR_RELIABILITY_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(line + "\n")
