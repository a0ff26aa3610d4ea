"""Start-up of the ``saypro`` command line, as a ratio to a bare ``python -c pass`` measured in the same run.

    .venv/bin/python bench/bench_cli_start.py [--runs 15] [--tree DIR]

Each command runs in a fresh process, the commands interleaved so that other work on the machine falls on
all of them alike; medians of wall time. ``--tree`` measures another checkout of the code (e.g. an older
commit unpacked with ``git archive``) with this venv, to compare before and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands() -> dict[str, list[str]]:
    py = sys.executable
    return {
        "python -c pass": [py, "-c", "pass"],
        "saypro --help": [py, "-m", "saypro_desktop", "--help"],
        "saypro inquiry --help": [py, "-m", "saypro_desktop", "inquiry", "--help"],
        "saypro report monthly --help": [py, "-m", "saypro_desktop", "report", "monthly", "--help"],
        # What a command that opens the store pays anyway (SQLAlchemy, the models, the migrations check).
        "import the services": [py, "-c", "import saypro_desktop.services.inquiries"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose saypro_desktop is measured")
    args = ap.parse_args()
    tree = args.tree.resolve()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmds = commands()
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the file cache and the .pyc files once
        subprocess.run(cmd, cwd=tree, env=env, capture_output=True, check=True)
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, cwd=tree, env=env, capture_output=True, check=True)
            samples[name].append(time.perf_counter() - t)
    bare = statistics.median(samples["python -c pass"])
    out = {"runs": args.runs, "tree": tree.name}
    for name, values in samples.items():
        median = statistics.median(values)
        out[name] = {"median_s": round(median, 3), "vs_python_c_pass": round(median / bare, 1)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
