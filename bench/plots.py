"""Plots of the latest results (bench/results/latest.json) into docs/performance/.

    .venv/bin/python bench/plots.py

- latency-vs-load.png: p50/p95/p99 notify -> full checklist, and the cases/s
  achieved, against the offered load (with the targets);
- stages-vs-baselines.png: each stage's rate beside the building block it stands on;
- cpu-per-case.png: CPU milliseconds one case costs in each component;
- before-after.png: CPU per case by component and per operation by stage, before and
  after a change (section "compare", written by bench/compare.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from harness import PLOTS, REPO, RESULTS, in_pipeline_order  # noqa: E402

OUT = PLOTS


def latency_vs_load(e2e: dict, path: Path) -> None:
    loads = e2e["loads"]
    offered = [r["offered_per_second"] for r in loads]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for key, style in (("p50_ms", "o-"), ("p95_ms", "s-"), ("p99_ms", "^-")):
        left.plot(offered, [r["latency_ms"][key] / 1e3 for r in loads], style, label=key.split("_")[0])
    left.axhline(0.25, color="red", linestyle="--", linewidth=1, label="target p99 at 100/s: 0.25 s")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xticks(offered, [f"{o:g}" for o in offered])
    left.set_xlabel("offered load (cases/s)")
    left.set_ylabel("notify -> full checklist (s)")
    left.set_title("Latency against offered load")
    left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)

    right.plot(offered, [r["throughput_per_second"] for r in loads], "o-", label="achieved (measured)")
    right.plot(offered, [r["capacity"]["cases_per_second_by_cpu"] for r in loads], "s--",
               label="CPU bound: cores / stack CPU per case")
    right.plot(offered, offered, ":", color="grey", label="offered")
    right.axhline(200, color="red", linestyle="--", linewidth=1, label="target 200 cases/s")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xticks(offered, [f"{o:g}" for o in offered])
    right.set_xlabel("offered load (cases/s)")
    right.set_ylabel("cases/s")
    right.set_title("Throughput against offered load")
    right.legend(fontsize=8)
    right.grid(True, which="both", alpha=0.3)
    cores = e2e.get("machine", {}).get("cpu_cores", "?")
    fig.suptitle(f"End to end on the embedded stack ({cores} cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def stages_vs_baselines(e2e: dict, path: Path) -> None:
    rows = e2e["ratios"]
    names = in_pipeline_order(list(rows))
    fig, ax = plt.subplots(figsize=(11, 0.55 * len(names) + 1.5))
    y = range(len(names))
    ax.barh([i + 0.2 for i in y], [rows[n]["baseline_per_second"] for n in names], height=0.4, label="baseline (raw building block)",
            color="#bbbbbb")
    ax.barh([i - 0.2 for i in y], [rows[n]["stage_per_second"] for n in names], height=0.4, label="pipeline stage", color="#3a6ea5")
    for i, n in enumerate(names):
        ax.text(rows[n]["stage_per_second"] * 1.1, i - 0.2, f"{rows[n]['ratio']:.3f}", va="center", fontsize=8)
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("operations per second (log scale); the number is stage / baseline")
    ax.set_title("Each stage alone against the building block it stands on (same run, same machine)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cpu_per_case(e2e: dict, path: Path) -> None:
    runs = [(f"{r['offered_per_second']:g}/s", r["cpu_ms_per_case"]) for r in e2e["loads"]]
    if "saturation" in e2e:
        runs.append((f"closed x{e2e['saturation']['concurrency']}", e2e["saturation"]["cpu_ms_per_case"]))
    components = ["intake", "gathering", "criteria", "decisions", "postgres", "nats", "driver"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    bottom = [0.0] * len(runs)
    for component in components:
        values = [cpu.get(component, 0.0) for _, cpu in runs]
        ax.bar([label for label, _ in runs], values, bottom=bottom, label=component)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.axhline(10, color="red", linestyle="--", linewidth=1, label="budget for 200 cases/s on 2 cores (10 ms)")
    ax.set_ylabel("CPU ms per case")
    ax.set_xlabel("offered load")
    ax.set_title("Where a case's CPU goes (driver = the load generator, not part of the product)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def before_after(compare: dict, path: Path) -> None:
    rows = {r["measure"].strip(): r for r in compare["table"]}
    components = ["intake", "gathering", "criteria", "decisions", "postgres", "nats"]
    stacked = [(side, [rows[f"{c} CPU per case, closed loop (ms)"][side] for c in components]) for side in ("before", "after")]
    stages = [m for m in rows if m.startswith("stage ") and "its service's CPU" in m]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [1, 2]})
    for i, (side, values) in enumerate(stacked):
        bottom = 0.0
        for component, value in zip(components, values):
            left.bar(i, value, bottom=bottom, color=f"C{components.index(component)}", label=component if i == 0 else None)
            bottom += value
        left.text(i, bottom + 4, f"{bottom:.0f} ms", ha="center", fontsize=9)
    left.set_xticks([0, 1], [f"before ({compare['before']})", f"after ({compare['after']})"])
    left.set_ylabel("stack CPU ms per case (closed loop)")
    left.set_title("CPU per case by component")
    left.legend(fontsize=8)
    left.grid(True, axis="y", alpha=0.3)
    names = [m.removeprefix("stage ").split(":")[0] for m in stages]
    y = range(len(stages))
    right.barh([i - 0.2 for i in y], [rows[m]["before"] for m in stages], height=0.4, color="#bbbbbb", label="before")
    right.barh([i + 0.2 for i in y], [rows[m]["after"] for m in stages], height=0.4, color="#3a6ea5", label="after")
    for i, m in enumerate(stages):
        right.text(rows[m]["before"] + 0.3, i, f"x{rows[m]['after_over_before']:.2f}", va="center", fontsize=8)
    right.set_yticks(list(y), names, fontsize=8)
    right.invert_yaxis()
    right.set_xlabel("the stage's own service: CPU ms per operation (each stage alone)")
    right.set_title("Each stage alone")
    right.set_xlim(0, max(rows[m]["before"] for m in stages) * 1.15)
    right.legend(fontsize=8, loc="center right")
    right.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"Before and after the changes (mean of {compare['pairs']} alternating runs each)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    results = json.loads(RESULTS.read_text())
    OUT.mkdir(parents=True, exist_ok=True)
    e2e = results.get("e2e")
    if e2e:
        e2e = {**e2e, "machine": e2e.get("machine", {})}
        if e2e.get("loads"):
            latency_vs_load(e2e, OUT / "latency-vs-load.png")
            cpu_per_case(e2e, OUT / "cpu-per-case.png")
        if e2e.get("ratios"):
            stages_vs_baselines(e2e, OUT / "stages-vs-baselines.png")
    if results.get("compare", {}).get("table"):
        before_after(results["compare"], OUT / "before-after.png")
    if results.get("compare_round2", {}).get("table"):  # compare.py --section compare_round2
        before_after(results["compare_round2"], OUT / "before-after-round2.png")
    if results.get("compare_round3", {}).get("table"):  # compare.py --section compare_round3
        before_after(results["compare_round3"], OUT / "before-after-round3.png")
    print(f"plots written to {OUT.relative_to(REPO) if OUT.is_relative_to(REPO) else OUT}/")


if __name__ == "__main__":
    main()
