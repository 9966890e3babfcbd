"""Plastic synapses benchmark: Brunel's network with STDP on every excitatory connection,
neurodyn against NEST, measured in the same run on the same machine.

    python benchmarks/plasticity.py [--orders 100 500] [--duration-ms 1000]
        [--peers nest-1t,nest-2t] [--seed 42] [--timeout 1800] [--repeat 1] [--json out.json]

One script builds the network in both simulators (``peers/plastic_brunel.py``, NEST's API
and ``neurodyn.network``'s): 5 x order ``iaf_psc_delta`` neurons, in-degree
0.1 N_E + 0.1 N_I, every excitatory connection an additive ``stdp_synapse``. The ratio is
NEST's simulation time over neurodyn's (above 1, neurodyn is faster). ``mean_weight``
(GetStatus at the end) differs on purpose between the two: NEST keeps the potentiation of
postsynaptic spikes since each synapse's last presynaptic spike pending, neurodyn has
applied it (see docs/porting.md); the weights they transmit agree.
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

SCRIPT = "peers/plastic_brunel.py"
NEURODYN = Runner(None, SCRIPT, ("--simulator", "neurodyn"))
PEERS = {
    "nest-1t": Runner("nest", SCRIPT, ("--simulator", "nest", "--threads", "1")),
    "nest-2t": Runner("nest", SCRIPT, ("--simulator", "nest", "--threads", "2")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument(
        "--peers", default="nest-1t,nest-2t", help=f"comma-separated, of: {', '.join(PEERS)}"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs each, the fastest counts")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args()
    peers = [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}; known: {', '.join(PEERS)}")
    load = harness.warn_if_loaded()
    runners = [("neurodyn", NEURODYN), *((p, PEERS[p]) for p in peers)]
    runs = {(order, name): [] for order in args.orders for name, _ in runners}
    for _ in range(args.repeat):
        for order in args.orders:
            for name, runner in runners:
                arguments = ["--order", str(order), "--duration-ms", str(args.duration_ms),
                             "--seed", str(args.seed)]  # fmt: skip
                row = harness.run_one(name, runner, 5 * order, arguments, args.timeout)
                runs[order, name].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    rows = [harness.best(tries) for tries in runs.values()]
    print(f"Brunel (2000) with stdp_synapse on the excitatory connections, seed {args.seed}")
    print(harness.table(rows))
    print("peak memory (MB), mean weight: " + ", ".join(
        f"{r['simulator']} N={r['n_neurons']}: {r['peak_rss_mb']:.0f}, {r['mean_weight']:.4f}"
        for r in rows if "peak_rss_mb" in r
    ))  # fmt: skip
    if args.json:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_avg": load}
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.json.write_text(
            json.dumps({"machine": machine, "settings": settings, "results": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
