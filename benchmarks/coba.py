"""COBA benchmark: neurodyn against its peers, measured in the same run on the same machine.

    python benchmarks/coba.py [--sizes 4000 40000 400000] [--duration-ms 1000]
        [--peers brian2-runtime,brian2-cpp-1t,brian2-cpp-2t,nest-2t,brainpy] [--seed 42]
        [--timeout 900] [--slow-cap 40000] [--repeat 1] [--json results.json]

Every run is a separate process (neurodyn with this Python, each peer with the Python of
its environment under benchmarks/.peers/, made by setup_peers.sh), one after the other,
each printing one JSON line; with ``--repeat K`` all of them K times over, and the fastest
try of each counts. The table's ratio is the peer's simulation time over neurodyn's at the
same size: above 1, neurodyn is faster.
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

# --integrator NAME -> the value of each runner family's own --method option. NEST
# (iaf_cond_exp: adaptive RKF45) and brainpy (exponential Euler) keep their own.
INTEGRATORS = {
    "exponential_euler": {"neurodyn": "exp_euler", "brian2": "exponential_euler"},
    "euler": {"neurodyn": "euler", "brian2": "euler"},
}


NEURODYN = Runner(None, "runners/neurodyn_coba.py", family="neurodyn")
PEERS = {
    "brian2-runtime": Runner(
        "brian2", "peers/brian2_coba.py", ("--device", "runtime"), True, "brian2"
    ),
    "brian2-cpp-1t": Runner(
        "brian2",
        "peers/brian2_coba.py",
        ("--device", "cpp_standalone", "--threads", "1"),
        family="brian2",
    ),
    "brian2-cpp-2t": Runner(
        "brian2",
        "peers/brian2_coba.py",
        ("--device", "cpp_standalone", "--threads", "2"),
        family="brian2",
    ),
    "nest-2t": Runner("nest", "peers/nest_coba.py", ("--threads", "2"), True),
    "brainpy": Runner("brainpy", "peers/brainpy_coba.py"),
}


def run_one(name: str, runner: Runner, n: int, args: argparse.Namespace) -> dict:
    """One COBA run of ``runner`` at size ``n`` (see :func:`harness.run_one`)."""
    arguments = [
        "--n", str(n), "--duration-ms", str(args.duration_ms), "--seed", str(args.seed),
    ]  # fmt: skip
    if runner.family:
        arguments += ["--method", INTEGRATORS[args.integrator][runner.family]]
    return harness.run_one(name, runner, n, arguments, args.timeout, args.slow_cap)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 40000, 400000])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated, of: %(default)s")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--integrator", choices=sorted(INTEGRATORS), default="exponential_euler",
        help="membrane integrator of neurodyn and Brian2 (NEST, brainpy: their own)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--slow-cap", type=int, default=40000,
        help="skip Brian2 runtime and NEST above this N (0: no cap)",
    )  # fmt: skip
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
                row = run_one(name, runner, n, args)
                runs[n, name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [harness.best(tries) for tries in runs.values()]
    print(f"COBA, integrator {args.integrator} (neurodyn, Brian2), seed {args.seed}")
    print(harness.table(rows))
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
