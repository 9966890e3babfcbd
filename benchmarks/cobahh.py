"""COBAHH benchmark: neurodyn against Brian2, measured in the same run on the same machine.

    python benchmarks/cobahh.py [--sizes 4000] [--duration-ms 1000]
        [--peers brian2-cpp-1t,brian2-cpp-2t,brian2-runtime] [--seed 42]
        [--timeout 900] [--slow-cap 40000] [--repeat 1] [--json results.json]

Brette et al. (2007) benchmark 3: COBA's network with Traub–Miles Hodgkin–Huxley cells
(neurodyn/networks/cobahh.py, peers/brian2_cobahh.py). Each run is its own process (see
harness.py); both simulators integrate with exponential Euler at dt = 0.1 ms. The table's
ratio is the peer's simulation time over neurodyn's at the same size: above 1, neurodyn
is faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

import harness
from harness import Runner

NEURODYN = Runner(None, "runners/neurodyn_cobahh.py")
PEERS = {
    "brian2-cpp-1t": Runner(
        "brian2", "peers/brian2_cobahh.py", ("--device", "cpp_standalone", "--threads", "1")
    ),
    "brian2-cpp-2t": Runner(
        "brian2", "peers/brian2_cobahh.py", ("--device", "cpp_standalone", "--threads", "2")
    ),
    "brian2-runtime": Runner("brian2", "peers/brian2_cobahh.py", ("--device", "runtime"), True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, of: %(default)s")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--slow-cap", type=int, default=40000, help="skip Brian2 runtime above this N (0: no cap)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs each, the fastest counts")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")

    load = harness.warn_if_loaded()
    runners = [("neurodyn", NEURODYN), *((p, PEERS[p]) for p in peers)]
    runs = {(n, name): [] for n in args.sizes for name, _ in runners}
    for _ in range(args.repeat):  # rounds, so that a burst of other work hits all alike
        for n in args.sizes:
            for name, runner in runners:
                arguments = ["--n", str(n), "--duration-ms", str(args.duration_ms),
                             "--seed", str(args.seed)]  # fmt: skip
                row = harness.run_one(name, runner, n, arguments, args.timeout, args.slow_cap)
                runs[n, name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [harness.best(tries) for tries in runs.values()]
    print(f"COBAHH, exponential Euler, dt 0.1 ms, seed {args.seed}")
    print(harness.table(rows))
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
