"""Brunel (2000) benchmark: neurodyn against NEST, measured in the same run on the same machine.

    python benchmarks/brunel.py [--orders 2500 5000] [--duration-ms 1000]
        [--peers nest-1t,nest-2t] [--seed 42] [--timeout 1800] [--repeat 1] [--json out.json]

The network of neurodyn/networks/brunel.py (NEST's brunel_delta form): 5 x order
iaf_psc_delta neurons, in-degree 0.1 N_E + 0.1 N_I, delay 1.5 ms, Poisson drive. Each run
is its own process (see harness.py); the table's ratio is NEST's simulation time over
neurodyn's at the same order (above 1, neurodyn is faster), and peak MB the process's
peak memory.
"""

from __future__ import annotations

import harness
from harness import Runner

NEURODYN = Runner(None, "runners/neurodyn_brunel.py")
PEERS = {
    "nest-1t": Runner("nest", "peers/nest_brunel.py", ("--threads", "1")),
    "nest-2t": Runner("nest", "peers/nest_brunel.py", ("--threads", "2")),
}


def main() -> None:
    harness.order_benchmark(
        __doc__.split("\n")[0], NEURODYN, PEERS, "Brunel (2000), brunel_delta",
        default_orders=[2500], default_peers="nest-2t", extra=None,
    )  # fmt: skip


if __name__ == "__main__":
    main()
