"""Rules engine benchmark: the adapter against raw durable-rules, and memory
over many evaluations.

    .venv/bin/python bench/engine_bench.py [--evaluations 100000] [--throughput 20000]

Prints:
- raw durable-rules throughput (assert_fact + delete_state, no recording) and
  the adapter's throughput on the same 10-rule set, with their ratio;
- the full Rulebook evaluation of the Child K case (derived facts, clocks,
  rationales) per second;
- resident memory before and after N adapter evaluations (it must stay flat:
  every session is deleted) and the live sessions left (must be 0);
- the number of CPU cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
import uuid
from pathlib import Path

from durable import engine as durable_engine
from google.protobuf import json_format

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules import Rulebook, RulesEngine
from rapidreview.v1 import facts_pb2

REPO = Path(__file__).resolve().parents[1]
CONDITIONS = {f"r{i}": {"$and": [{"$gte": {"x": i}}, {"kind": "case"}]} for i in range(10)}


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def raw_rate(n: int) -> float:
    host = durable_engine.Host()
    name = f"raw_{uuid.uuid4().hex[:8]}"
    definition = {key: {"all": [{"m": cond}], "run": lambda c: None} for key, cond in CONDITIONS.items()}
    definition["catch_all"] = {"all": [{"m": {"kind": "case"}}], "run": lambda c: None}
    host.register_rulesets({name: definition})
    start = time.perf_counter()
    for i in range(n):
        sid = str(i)
        try:
            host.assert_fact(name, {"sid": sid, "kind": "case", "x": i % 12})
        finally:
            host.delete_state(name, sid)
    return n / (time.perf_counter() - start)


def adapter_rate(engine: RulesEngine, name: str, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        engine.evaluate(name, {"kind": "case", "x": i % 12})
    return n / (time.perf_counter() - start)


def rulebook_rate(n: int) -> float:
    book = Rulebook.load(REPO / "rules", engine=RulesEngine())
    facts = json_format.Parse((REPO / "docs" / "examples" / "case-facts.json").read_text(), facts_pb2.CaseFacts())
    calendar = WorkingDayCalendar(lambda: dt.date(2024, 6, 20))
    start = time.perf_counter()
    for _ in range(n):
        book.evaluate(facts, calendar=calendar)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluations", type=int, default=100_000, help="evaluations for the memory run")
    parser.add_argument("--throughput", type=int, default=20_000, help="evaluations per throughput run")
    args = parser.parse_args()

    print(f"cpu cores: {os.cpu_count()}")
    raw = raw_rate(args.throughput)
    engine = RulesEngine()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine.register(name, CONDITIONS)
    adapter = adapter_rate(engine, name, args.throughput)
    print(f"raw durable-rules (assert_fact + delete_state, 10 rules): {raw:,.0f} evaluations/s")
    print(f"adapter (fresh session, recording, catch-all, bound):      {adapter:,.0f} evaluations/s")
    print(f"adapter / raw ratio: {adapter / raw:.2f}")
    book_n = max(1, args.throughput // 10)
    print(f"Rulebook.evaluate of Child K (23 rules, clocks, rationales): {rulebook_rate(book_n):,.0f} evaluations/s")

    before = rss_mb()
    start = time.perf_counter()
    checkpoints = {args.evaluations // 4 * k for k in (1, 2, 3)}
    for i in range(1, args.evaluations + 1):
        engine.evaluate(name, {"kind": "case", "x": i % 12})
        if i in checkpoints:
            print(f"  after {i:,} evaluations: RSS {rss_mb():.1f} MB, live sessions {engine.live_sessions}")
    elapsed = time.perf_counter() - start
    after = rss_mb()
    print(f"memory over {args.evaluations:,} adapter evaluations: RSS {before:.1f} MB -> {after:.1f} MB "
          f"({after - before:+.1f} MB) in {elapsed:.1f} s; live sessions left: {engine.live_sessions}")


if __name__ == "__main__":
    main()
