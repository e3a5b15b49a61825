"""Before and after: the same benchmarks on an earlier revision of the code and on the
working tree, run alternately on the same machine, so a change's effect is measured
rather than estimated.

    .venv/bin/python bench/compare.py --before <git revision> [--pairs 3] [--stage-cases 100] [--backfill-cases 250]

The earlier revision is checked out into a temporary git worktree and run with this
virtualenv (its `services/` first on PYTHONPATH, which the embedded stack's service
processes inherit), so both sides run the same dependencies; the command refuses a
revision that pins something the working tree pins otherwise or not at all (a dependency only the
working tree adds, such as uvloop, is allowed: the earlier code never imports it). Each pair runs `e2e_bench.py`
(2 cases/s for 10 s, a 20 s closed loop, each stage alone) and, with
`--backfill-cases`, the first N cases of the backfill, once on each side; the order
alternates between pairs so that a change in the neighbours' load falls on both sides
alike. CPU per case and per operation are the figures to read (wall-clock rates move
with whatever else the machine runs); SQL statements per case are counted by
PostgreSQL and do not move at all. Results: the table printed at the end and section
"compare" of bench/results/latest.json. Besides the ratio of the two sides' means, the table
gives each pair's own after/before ratio (median and range): a pair's two runs are minutes
apart, so a drift of the machine's speed over the whole comparison falls on both and cancels
out there, and a range on both sides of 1.00 says the change is within the noise.

A setting rather than a revision: `--before HEAD --before-env RR_EVENT_LOOP=asyncio` runs the
same code on both sides, the before side's stack with that setting (`--after-env` likewise).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import REPO, cores, print_header, save_results


def run_side(tree: Path, results: Path, argv: list[str], extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    env = dict(os.environ, **(extra_env or {}), RR_BENCH_RESULTS=str(results), RR_BENCH_PLOTS=str(results.parent))
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "services"), str(tree)])
    subprocess.run([sys.executable, str(tree / "bench" / argv[0]), *argv[1:]], cwd=tree, env=env, check=True)
    return json.loads(results.read_text())


def figures(e2e: dict[str, Any], backfill: dict[str, Any] | None) -> dict[str, float]:
    """The comparable numbers of one run."""
    out: dict[str, float] = {
        "SQL statements per case": e2e["sql"]["statements_per_case"],
        "committed transactions per case": e2e["sql"]["transactions_per_case"],
    }
    light = e2e["loads"][0]
    out[f"stack CPU per case at {light['offered_per_second']:.0f} cases/s (ms)"] = light["capacity"]["stack_cpu_ms_per_case"]
    out[f"p50 notify -> checklist at {light['offered_per_second']:.0f} cases/s (ms)"] = light["latency_ms"]["p50_ms"]
    closed = e2e["saturation"]
    out["stack CPU per case, closed loop (ms)"] = closed["capacity"]["stack_cpu_ms_per_case"]
    for component, ms in closed["cpu_ms_per_case"].items():
        out[f"  {component} CPU per case, closed loop (ms)"] = ms
    if "floor" in e2e:  # revisions before the floor was printed have none
        out["building-block floor per case (ms)"] = e2e["floor"]["floor_ms"]
        out["stack CPU per case / building-block floor"] = e2e["floor"]["ratio"]
    out["cases/s by CPU, closed loop (2 cores)"] = closed["capacity"]["cases_per_second_by_cpu"]
    out["cases/s measured, closed loop"] = closed["throughput_per_second"]
    for name, stage in e2e["stages"].items():
        out[f"stage {name}: its service's CPU per op (ms)"] = stage["component_cpu_ms_per_op"]
        out[f"stage {name}: whole stack CPU per op (ms)"] = stage["stack_cpu_ms_per_op"]
    if backfill:
        out["backfill slice: stack CPU per case (ms)"] = backfill["stack_cpu_ms_per_case"]
        for component, ms in backfill["cpu_ms_per_case"].items():
            out[f"  backfill {component} CPU per case (ms)"] = ms
        out["backfill slice: cases/s measured"] = backfill["cases_per_second"]
    out["other processes meanwhile (cores)"] = closed["cpu"]["other_processes_cores"]
    return out


def pins_changed(before: Path, after: Path) -> list[str]:
    """The earlier revision's pinned requirements that the working tree pins otherwise or not at
    all. Both sides run this virtualenv, so the earlier code must find exactly its own pins here;
    requirements only the working tree names are harmless to it."""
    import tomllib

    def pins(path: Path) -> dict[str, str]:
        project = tomllib.loads(path.read_text())["project"]
        requirements = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            requirements += extra
        return {r.split("==")[0].split("[")[0].strip().lower(): r.strip() for r in requirements}

    earlier, now = pins(before), pins(after)
    return sorted(f"{name}: {req} -> {now.get(name, 'not pinned')}" for name, req in earlier.items() if now.get(name) != req)


def _settings(parser: argparse.ArgumentParser, pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.startswith("RR_"):
            parser.error(f"expected RR_NAME=VALUE, got {pair!r}")
        out[name] = value
    return out


def _label(env: dict[str, str]) -> str:
    return "".join(f" with {name}={value}" for name, value in env.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--stage-cases", type=int, default=100)
    parser.add_argument("--backfill-cases", type=int, default=0, help="also run the backfill's first N cases (0: no)")
    parser.add_argument("--section", default="compare")
    parser.add_argument("--before-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the before side's stack (repeatable), e.g. RR_EVENT_LOOP=asyncio "
                             "with --before HEAD: the same code, one setting changed")
    parser.add_argument("--after-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the after side's stack (repeatable)")
    args = parser.parse_args()
    side_env = {"before": _settings(parser, args.before_env), "after": _settings(parser, args.after_env)}
    print_header(f"before ({args.before}{_label(side_env['before'])}) and after (working tree{_label(side_env['after'])})")
    rev = subprocess.run(["git", "rev-parse", "--short", args.before], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, check=True,
                                capture_output=True, text=True).stdout.strip())
    work = Path(tempfile.mkdtemp(prefix="rr-compare-"))
    before_tree = work / "before"
    subprocess.run(["git", "worktree", "add", "--detach", str(before_tree), rev], cwd=REPO, check=True, capture_output=True)
    try:
        changed = pins_changed(before_tree / "pyproject.toml", REPO / "pyproject.toml")
        if changed:
            sys.exit(f"{rev} pins other dependencies ({', '.join(changed)}): compare revisions with the same pins "
                     "(the working tree may add dependencies, which the earlier code does not import)")
        e2e_argv = ["e2e_bench.py", "--loads", "2", "--duration", "10", "--saturation", "20",
                    "--stage-cases", str(args.stage_cases), "--baseline-seconds", "1", "--section", "e2e"]
        backfill_argv = ["scale_bench.py", "backfill", "--cases", str(args.backfill_cases), "--section", "backfill"]
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for pair in range(args.pairs):
            order = [("before", before_tree), ("after", REPO)] if pair % 2 == 0 else [("after", REPO), ("before", before_tree)]
            for side, tree in order:
                print(f"\n--- pair {pair + 1}/{args.pairs}: {side} ---", flush=True)
                results = work / f"{side}-{pair}.json"
                e2e = run_side(tree, results, e2e_argv, side_env[side])["e2e"]
                backfill = run_side(tree, results, backfill_argv, side_env[side])["backfill"] if args.backfill_cases else None
                runs[side].append(figures(e2e, backfill))
        names = list(runs["after"][0])
        table = []
        for name in names:
            b = [r[name] for r in runs["before"] if name in r]
            a = [r[name] for r in runs["after"] if name in r]
            if not a or not b:
                continue
            mb, ma = statistics.mean(b), statistics.mean(a)
            # Each pair's own ratio: the two runs of a pair ran minutes apart, so a drift of the
            # machine's speed over the comparison moves both and cancels out here.
            paired = [after / before for before, after in zip(b, a) if before]
            table.append({"measure": name, "before": mb, "after": ma, "after_over_before": ma / mb if mb else None,
                          "pair_ratios": paired, "pair_ratio_median": statistics.median(paired) if paired else None,
                          "before_runs": b, "after_runs": a})
        print(f"\nbefore = {rev}{_label(side_env['before'])}, after = {head}{' + uncommitted changes' if dirty else ''}"
              f"{_label(side_env['after'])}; "
              f"mean of {args.pairs} runs each, alternating; cpu cores: {cores()}")
        print(f"{'measure':<62} {'before':>10} {'after':>10} {'after/before':>13} {'pairs: median (range)':>24}")
        for row in table:
            ratio = f"{row['after_over_before']:.2f}" if row["after_over_before"] is not None else "-"
            paired = row["pair_ratios"]
            spread = f"{row['pair_ratio_median']:.2f} ({min(paired):.2f}-{max(paired):.2f})" if paired else "-"
            print(f"{row['measure']:<62} {row['before']:>10.1f} {row['after']:>10.1f} {ratio:>13} {spread:>24}")
        save_results(args.section, {"before": rev, "after": head, "dirty": dirty, "pairs": args.pairs,
                                     "before_env": side_env["before"], "after_env": side_env["after"],
                                     "stage_cases": args.stage_cases, "backfill_cases": args.backfill_cases, "table": table})
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=REPO, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
