"""The garbage collector's work in every Python process started with this folder first on
PYTHONPATH (Python imports `sitecustomize` at startup), so in each service of the embedded stack
a benchmark starts:

    PYTHONPATH=bench/gc_probe:services:. RR_GC_PROBE_DIR=/tmp/gc .venv/bin/python bench/e2e_bench.py ...

Every process writes `RR_GC_PROBE_DIR/gc-<pid>.txt` (at most every 2 s, after a collection): its
command line, its CPU time so far, and per generation the collections made, the seconds they took
and the unreachable objects they found. Startup is included (the gen-2 collections are mostly
startup's). docs/performance.md, change 23, shows what it found."""

from __future__ import annotations

import gc
import os
import time

_FOLDER = os.environ.get("RR_GC_PROBE_DIR")
_started = {"at": 0.0}
_counts = [0, 0, 0]
_seconds = [0.0, 0.0, 0.0]
_found = [0, 0, 0]
_written = {"at": 0.0}
_cpu_at_start = time.process_time()


def _write() -> None:
    with open("/proc/self/cmdline", "rb") as f:
        command = f.read().replace(b"\0", b" ").decode(errors="replace")[:160]
    with open(os.path.join(_FOLDER or ".", f"gc-{os.getpid()}.txt"), "w") as out:
        out.write(f"{command}\ncpu {time.process_time() - _cpu_at_start:.2f} s; collections by generation {_counts}, "
                  f"seconds {[round(s, 3) for s in _seconds]}, unreachable objects found {_found}\n")


def _on_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _started["at"] = time.perf_counter()
        return
    generation = info["generation"]
    _counts[generation] += 1
    _seconds[generation] += time.perf_counter() - _started["at"]
    _found[generation] += info.get("collected", 0)
    now = time.monotonic()
    if now - _written["at"] > 2:
        _written["at"] = now
        try:
            _write()
        except OSError:
            pass


if _FOLDER:
    os.makedirs(_FOLDER, exist_ok=True)
    gc.callbacks.append(_on_collection)
