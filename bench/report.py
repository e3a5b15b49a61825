"""Markdown tables of the latest results (bench/results/latest.json), as pasted into
docs/performance.md.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
from typing import Any

from harness import RESULTS, in_pipeline_order


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1e3:.1f} s" if value >= 10_000 else f"{value:,.0f} ms"


def loads_table(section: dict[str, Any]) -> list[str]:
    rows = ["| offered (cases/s) | cases done | achieved (cases/s) | p50 | p95 | p99 | stack CPU per case | cases/s by CPU (2 cores) | other processes (cores) | errors |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    runs = list(section.get("loads", []))
    if "saturation" in section:
        runs.append(section["saturation"])
    for r in runs:
        offered = f"{r['offered_per_second']:g}" if r.get("offered_per_second") else f"closed loop, {r['concurrency']} in flight"
        lat, cap = r["latency_ms"], r["capacity"]
        errors = ", ".join(f"{k} x{v}" for k, v in r["errors"].items()) or "none"
        rows.append(f"| {offered} | {r['completed']}/{r['cases']} | {r['throughput_per_second']:.1f} | {_ms(lat['p50_ms'])} | "
                    f"{_ms(lat['p95_ms'])} | {_ms(lat['p99_ms'])} | {cap['stack_cpu_ms_per_case']:.0f} ms | "
                    f"{cap['cases_per_second_by_cpu']:.1f} | {r['cpu']['other_processes_cores']:.2f} | {errors} |")
    return rows


def cpu_table(section: dict[str, Any]) -> list[str]:
    components = ["intake", "gathering", "criteria", "decisions", "postgres", "nats", "driver"]
    rows = ["| offered (cases/s) | " + " | ".join(components) + " |", "|---:|" + "---:|" * len(components)]
    runs = list(section.get("loads", []))
    if "saturation" in section:
        runs.append(section["saturation"])
    for r in runs:
        offered = f"{r['offered_per_second']:g}" if r.get("offered_per_second") else "closed loop"
        rows.append(f"| {offered} | " + " | ".join(f"{r['cpu_ms_per_case'].get(c, 0):.0f}" for c in components) + " |")
    return rows


def stages_table(section: dict[str, Any]) -> list[str]:
    rows = ["| stage (others paused) | rate | unit | its service's CPU per op | whole stack CPU per op |", "|---|---:|---|---:|---:|"]
    order = ["intake_notify", "gathering_consume", "criteria_initial", "gathering_submit", "criteria_full", "decisions_consume"]
    stages = section.get("stages", {})
    for name in [n for n in order if n in stages] + [n for n in stages if n not in order]:
        s = stages[name]
        rows.append(f"| {name} | {s['per_second']:.1f}/s | {s['unit']} | {s['component_cpu_ms_per_op']:.1f} ms | {s['stack_cpu_ms_per_op']:.1f} ms |")
    rows += ["", "| stage against its building block | stage (/s) | baseline (/s) | ratio |", "|---|---:|---:|---:|"]
    ratios = section.get("ratios", {})
    for name in in_pipeline_order(list(ratios)):
        r = ratios[name]
        rows.append(f"| {name} | {r['stage_per_second']:,.1f} | {r['baseline_per_second']:,.0f} | {r['ratio']:.3f} |")
    return rows


def baselines_table(base: dict[str, Any]) -> list[str]:
    def cpu(key: str) -> str:
        value = base[key].get("cpu_ms_per_op")
        return f"{value:.2f} ms" if value else "–"

    js, pg, dr = base["jetstream"], base["postgres"], base["durable_rules"]
    return [
        "| building block | rate | CPU per op (all processes) |", "|---|---:|---:|",
        f"| gRPC aio unary echo, 1 KiB, {base['grpc_echo']['concurrency']} in flight | {base['grpc_echo']['per_second']:,.0f} calls/s | {cpu('grpc_echo')} |",
        f"| gRPC aio unary echo, one at a time | {base['grpc_echo_c1']['per_second']:,.0f} calls/s | {cpu('grpc_echo_c1')} |",
        f"| JetStream publish (async, acknowledged, file storage) | {js['publish_per_second']:,.0f} msg/s | |",
        f"| JetStream publish, one at a time | {js['publish_sync_per_second']:,.0f} msg/s | |",
        f"| JetStream pull + ack (durable, batches of 32) | {js['pull_ack_per_second']:,.0f} msg/s | |",
        f"| JetStream publish then pull + ack, together | {js['publish_then_pull_ack_per_second']:,.0f} msg/s | {cpu('jetstream')} |",
        f"| PostgreSQL single-row transaction, asyncpg, {pg['concurrency']} connections | {pg['asyncpg_per_second']:,.0f} tx/s | {cpu('postgres')} |",
        f"| PostgreSQL single-row transaction, SQLAlchemy async, {pg['concurrency']} connections | {pg['sqlalchemy_per_second']:,.0f} tx/s | |",
        f"| PostgreSQL single-row transaction, asyncpg / SQLAlchemy, one connection | {base['postgres_c1']['asyncpg_per_second']:,.0f} / {base['postgres_c1']['sqlalchemy_per_second']:,.0f} tx/s | {cpu('postgres_c1')} |",
        f"| durable-rules assert_fact + delete_state, {dr['rules']} criteria rules, Child K facts | {dr['raw_per_second']:,.0f} evaluations/s | {cpu('durable_rules')} |",
        f"| full Rulebook.evaluate (derived facts, clocks, rationales) | {dr['rulebook_evaluate_per_second']:,.0f} evaluations/s | |",
    ]


def scaleout_table(section: dict[str, Any]) -> list[str]:
    """Per replica: events handled per durable (acknowledged, less copies already handled), RPCs served,
    CPU; the split of each service."""
    rows = ["| process | events handled (per durable consumer) | RPCs served | CPU | split: events / RPCs / CPU |",
            "|---|---|---|---:|---|"]
    for service, data in section["services"].items():
        sp = data["split"]
        for i, (name, rep) in enumerate(data["replicas"].items()):
            events = ", ".join(f"{d} {n:,}" for d, n in rep["events_handled"].items()) or "–"
            rpcs = ", ".join(f"{m} {n:,}" for m, n in rep["rpcs"].items()) or "–"
            shares = f"{sp['events']} / {sp['rpcs']} / {sp['cpu']}" if i == 0 else ""
            rows.append(f"| {name} | {events} | {rpcs} | {rep['cpu_seconds']:.1f} s | {shares} |")
    rec = section["reconciliation"]
    rows += ["", f"{section['cases_done']}/{section['cases_target']} cases, {section['cases_per_second']:.1f} cases/s measured, "
             f"stack CPU {section['stack_cpu_ms_per_case']:.0f} ms a case ({section['cases_per_second_by_cpu']:.1f} cases/s by CPU), "
             f"other processes {section['cpu']['other_processes_cores']:.2f} cores; reconciliation: lost {rec['lost']}, "
             f"doubled {rec['doubled']}, wrong {rec['wrong']}, dead letters {rec['dead_letters']}"]
    return rows


def main() -> None:
    results = json.loads(RESULTS.read_text())
    for key in ("e2e", "e2e_light"):
        section = results.get(key)
        if not section:
            continue
        print(f"\n## {key} (recorded {section['recorded_at']}, {section['machine']['cpu_cores']} cores)\n")
        if "baselines" in section:
            print("\n".join(baselines_table(section["baselines"])) + "\n")
        print("\n".join(loads_table(section)) + "\n")
        print("\n".join(cpu_table(section)) + "\n")
        if section.get("stages"):
            print("\n".join(stages_table(section)) + "\n")
    if results.get("scaleout"):
        section = results["scaleout"]
        print(f"\n## scaleout (recorded {section['recorded_at']}, {section['machine']['cpu_cores']} cores)\n")
        print("\n".join(scaleout_table(section)) + "\n")
    for key in ("collation", "backfill", "prototypes"):
        if key in results:
            print(f"\n## {key}\n\n```json\n{json.dumps({k: v for k, v in results[key].items() if k != 'cpu'}, indent=1)[:3000]}\n```")


if __name__ == "__main__":
    main()
