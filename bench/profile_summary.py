"""Summarises py-spy profiles in raw (collapsed stack) format — what to look at before
changing code.

    py-spy record -p <pid> -d 30 -f raw -o gathering.txt --nonblocking
    .venv/bin/python bench/profile_summary.py gathering.txt [--top 40] [--match rapidreview]
    .venv/bin/python bench/profile_summary.py --by-kind gathering.txt=19.8 intake.txt=9.5 ...

The first form prints the share of samples under each function (inclusive), most first.
The second sorts every sample by the kind of work its innermost frame does (the event loop
and the drivers' native code, the PostgreSQL and NATS clients, the rules engine, the
product's own code, ...; see `KINDS`) and, where a profile is given as `FILE=MS` (the
service's CPU milliseconds per case, from the same benchmark run), turns each share into
milliseconds per case and adds them up across the profiles: how a case's CPU splits between
the building blocks' own client work and the product's work.

While a benchmark runs, `pgrep -f "rapidreview.gathering"` (or intake, criteria, decisions)
gives the service's process id.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^(.*) (\d+)$")
_LOCATION = re.compile(r" \((.*?):\d+\)$")
_FILE = re.compile(r" \((.*?)(?::\d+)?\)$")

#: Building blocks: the work the raw parts of a case (RPCs, publishes and deliveries,
#: transactions, rule evaluations) do in a service's process whatever the product does.
BUILDING_BLOCKS = "building blocks"
#: The product: what the services' own code, and the libraries it calls to do its work, add.
PRODUCT = "product"

#: (kind, family, what a frame's file path or function name contains), first match wins;
#: a sample is classified by its innermost frame (self time).
KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # The innermost Python frame is the loop's run call: the native code under it runs,
    # uvloop's I/O, asyncpg's protocol (Cython: encoding, sending, parsing rows) and
    # grpc's Cython callbacks.
    ("event loop and drivers' native code", BUILDING_BLOCKS, ("Runner.run", "run_forever", "run_until_complete")),
    # A thread with no Python frame under Thread.run: gRPC core's own thread.
    ("gRPC core thread and gRPC library", BUILDING_BLOCKS, ("Thread.run", "grpc/", "grpc_")),
    ("PostgreSQL client (asyncpg, SQLAlchemy)", BUILDING_BLOCKS, ("asyncpg/", "sqlalchemy/", "greenlet")),
    ("NATS client", BUILDING_BLOCKS, ("nats/",)),
    ("asyncio (tasks, futures, streams)", BUILDING_BLOCKS, ("asyncio/", "uvloop/")),
    ("rules engine (durable-rules)", BUILDING_BLOCKS, ("durable/",)),
    ("rules adapter and facts", PRODUCT, ("rapidreview/rules/",)),
    ("shared kernel (consumers, outbox, db, server)", PRODUCT, ("rapidreview/kernel/",)),
    ("services' own code", PRODUCT, ("rapidreview/",)),
    ("serialisation (json, protobuf)", PRODUCT, ("json/", "protobuf/", "google/")),
    ("logging", PRODUCT, ("structlog/", "logging/")),
    ("encryption", PRODUCT, ("cryptography/",)),
)
OTHER = ("other", PRODUCT)


def summarise(path: Path) -> tuple[int, Counter[str]]:
    """Total samples, and samples under each function (file and name, line numbers dropped)."""
    total, inclusive = 0, Counter[str]()
    for count, frames in _samples(path):
        total += count
        for frame in {_LOCATION.sub(lambda m: f" ({m.group(1)})", frame) for frame in frames}:
            inclusive[frame] += count
    return total, inclusive


def kind_of(frame: str) -> tuple[str, str]:
    """The kind of work, and its family, of a sample whose innermost frame is `frame`."""
    name = frame.split(" (", 1)[0]
    match = _FILE.search(frame)
    where = match.group(1) if match else ""
    for kind, family, marks in KINDS:
        if any(mark in where or mark == name for mark in marks):
            return kind, family
    return OTHER


def by_kind(path: Path) -> tuple[int, Counter[tuple[str, str]]]:
    """Total samples, and samples (self time) of each kind of work."""
    total, kinds = 0, Counter[tuple[str, str]]()
    for count, frames in _samples(path):
        total += count
        kinds[kind_of(frames[-1])] += count
    return total, kinds


def _samples(path: Path) -> list[tuple[int, list[str]]]:
    samples = []
    for line in path.read_text().splitlines():
        match = _LINE.match(line)
        if match:
            samples.append((int(match.group(2)), match.group(1).split(";")))
    return samples


def _profile(argument: str) -> tuple[Path, float | None]:
    """`FILE` or `FILE=MS`: a profile and, optionally, its service's CPU ms per case."""
    path, _, ms = argument.rpartition("=") if "=" in argument else (argument, "", "")
    return Path(path), float(ms) if ms else None


def print_by_kind(profiles: list[tuple[Path, float | None]]) -> None:
    summed: Counter[tuple[str, str]] = Counter()
    with_ms = all(ms is not None for _, ms in profiles)
    for path, ms in profiles:
        total, kinds = by_kind(path)
        print(f"{path.name}: {total} samples" + (f", {ms:.2f} ms a case" if ms is not None else ""))
        for (kind, family), count in kinds.most_common():
            share = count / max(total, 1)
            value = f"{share * ms:6.2f} ms" if ms is not None else ""
            print(f"  {100 * share:5.1f}%  {value}  {kind} [{family}]")
            summed[(kind, family)] += share * ms if ms is not None else 0
    if with_ms and len(profiles) > 1:
        print("all profiles, ms a case:")
        for (kind, family), value in summed.most_common():
            print(f"  {value:6.2f} ms  {kind} [{family}]")
        for family in (BUILDING_BLOCKS, PRODUCT):
            print(f"  {sum(v for (_, f), v in summed.items() if f == family):6.2f} ms  all {family}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", nargs="+", help="a py-spy raw profile; FILE=MS with --by-kind")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose name or file contains this")
    parser.add_argument("--by-kind", action="store_true", help="self time by kind of work (see KINDS)")
    args = parser.parse_args()
    profiles = [_profile(argument) for argument in args.profile]
    if args.by_kind:
        print_by_kind(profiles)
        return
    for path, _ in profiles:
        total, inclusive = summarise(path)
        print(f"{path.name}: {total} samples")
        shown = 0
        for frame, count in inclusive.most_common():
            if args.match and args.match not in frame:
                continue
            print(f"{100 * count / max(total, 1):5.1f}%  {frame}")
            shown += 1
            if shown >= args.top:
                break


if __name__ == "__main__":
    main()
