"""COBAHH of BENCHMARKS.md in neurodyn: ``neurodyn.networks.cobahh.run_cobahh``.

setup_s is building the network plus compiling the simulation loop; sim_s is the compiled
loop alone. Runs with a Python that has neurodyn's dependencies and imports this
checkout's ``neurodyn``.
"""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(BENCHMARKS / "peers"), str(BENCHMARKS.parent)]

import _common as common  # noqa: E402


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--method", choices=["exp_euler", "rk2", "rk4"], default="exp_euler")
    args = parser.parse_args()
    with common.stdout_to_stderr():
        import neurodyn
        from neurodyn.networks.cobahh import run_cobahh

        result = run_cobahh(
            n_neurons=args.n, duration_ms=args.duration_ms, seed=args.seed, method=args.method
        )
    n_spikes = result["rate_hz"] * result["n_neurons"] * args.duration_ms / 1000.0
    common.emit(
        "neurodyn", result["n_neurons"], result["n_synapses"], args.duration_ms,
        result["build_s"] + result["compile_s"], result["sim_s"], n_spikes,
        version=getattr(neurodyn, "__version__", "?"),
    )  # fmt: skip


if __name__ == "__main__":
    main()
