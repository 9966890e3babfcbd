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

import harness
from harness import Runner

SCRIPT = "peers/plastic_brunel.py"
NEURODYN = Runner(None, SCRIPT, ("--simulator", "neurodyn"))
PEERS = {
    "nest-1t": Runner("nest", SCRIPT, ("--simulator", "nest", "--threads", "1")),
    "nest-2t": Runner("nest", SCRIPT, ("--simulator", "nest", "--threads", "2")),
}


def main() -> None:
    harness.order_benchmark(
        __doc__.split("\n")[0], NEURODYN, PEERS,
        "Brunel (2000) with stdp_synapse on the excitatory connections",
        default_orders=[100, 500], default_peers="nest-1t,nest-2t", extra="mean_weight",
    )  # fmt: skip


if __name__ == "__main__":
    main()
