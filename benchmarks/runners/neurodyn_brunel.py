"""Brunel (2000) network in neurodyn: one timed run, one JSON line.

    python benchmarks/runners/neurodyn_brunel.py --order 2500 --duration-ms 1000 --seed 42

neurodyn/networks/brunel.py through the network API; setup_s is building plus
compiling, sim_s the compiled simulation; peak_rss_mb the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import emit, stdout_to_stderr  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--order", type=int, default=2500)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with stdout_to_stderr():
        from neurodyn.networks.brunel import run_brunel

        r = run_brunel(args.order, args.duration_ms, args.seed)
    emit(
        "neurodyn", r["n_neurons"], r["n_synapses"], args.duration_ms,
        r["build_s"] + r["compile_s"], r["sim_s"], len(r["spike_times"]), order=args.order,
        compile_s=round(r["compile_s"], 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )  # fmt: skip


if __name__ == "__main__":
    main()
