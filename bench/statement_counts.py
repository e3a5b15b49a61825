"""Which statements a case runs, and how often: groups a statement log kept by
`bench/e2e_bench.py --statement-log FILE` (5 cases, one after the other) by statement text.

    .venv/bin/python bench/statement_counts.py FILE [--cases 5] [--top 40]

Prints, per statement (its text shortened, parameters left out): executions per case and the
schema it touches first, most frequent first. BEGIN and COMMIT are counted like any statement.
The log also holds the idle background of the same window (relay polls, health pings), which
`e2e_bench.py` subtracts from its totals but this listing does not.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

#: A logged statement: "duration: 0.123 ms  statement: SQL" or "... execute <name>: SQL".
_STATEMENT = re.compile(r"duration: [\d.]+ ms\s+(?:statement|execute [^:]*):\s*(.*)$")
_SCHEMA = re.compile(r"\b(intake|gathering|criteria|decisions|workspace)\.")


def statements(log_text: str) -> Counter[str]:
    """Executions of each statement text in `log_text` (whitespace folded)."""
    counts: Counter[str] = Counter()
    for line in log_text.splitlines():
        match = _STATEMENT.search(line)
        if match:
            counts[" ".join(match.group(1).split())] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    parser.add_argument("--cases", type=int, default=5, help="cases the log covers")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--width", type=int, default=150, help="characters of each statement shown")
    args = parser.parse_args()
    with open(args.log, encoding="utf-8", errors="replace") as f:
        counts = statements(f.read())
    total = sum(counts.values())
    print(f"{total / args.cases:.1f} statements a case, {len(counts)} distinct")
    for text, n in counts.most_common(args.top):
        schema = _SCHEMA.search(text)
        print(f"{n / args.cases:6.1f}  {schema.group(1) if schema else '-':<10} {text[: args.width]}")


if __name__ == "__main__":
    main()
