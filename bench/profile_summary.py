"""Summarises a py-spy profile in raw (collapsed stack) format: the share of samples
under each function (inclusive), most first — what to look at before changing code.

    py-spy record -p <pid> -d 30 -f raw -o gathering.txt --nonblocking
    .venv/bin/python bench/profile_summary.py gathering.txt [--top 40] [--match rapidreview]

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


def summarise(path: Path) -> tuple[int, Counter[str]]:
    """Total samples, and samples under each function (file and name, line numbers dropped)."""
    total, inclusive = 0, Counter[str]()
    for line in path.read_text().splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        count = int(match.group(2))
        total += count
        frames = {_LOCATION.sub(lambda m: f" ({m.group(1)})", frame) for frame in match.group(1).split(";")}
        for frame in frames:
            inclusive[frame] += count
    return total, inclusive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose name or file contains this")
    args = parser.parse_args()
    total, inclusive = summarise(args.profile)
    print(f"{total} samples")
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
