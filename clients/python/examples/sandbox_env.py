"""Prints `export RR_<SERVICE>_ADDR=...` lines for the services of a running
embedded stack (`rapidreview up` writes their addresses to <data dir>/stack.json).
Standard library only.

    eval "$(python3 clients/python/examples/sandbox_env.py)"            # default data dir: .rr-data
    eval "$(python3 clients/python/examples/sandbox_env.py --data-dir /path/to/.rr-data)"
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=os.environ.get("RR_DATA_DIR", ".rr-data"))
    args = parser.parse_args(argv)
    state_file = Path(args.data_dir) / "stack.json"
    if not state_file.exists():
        print(f"no {state_file}: start the embedded stack with `rapidreview up` first", file=sys.stderr)
        return 1
    services = json.loads(state_file.read_text())["services"]
    for name, info in sorted(services.items()):
        print(f"export RR_{name.upper()}_ADDR={shlex.quote(info['address'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
