"""Brian2's mean firing rate of the COBAHH network over several seeds.

Writes ``cobahh_brian2.npz`` beside this script: the network of
``benchmarks/peers/brian2_cobahh.py`` (Brette et al. 2007 benchmark 3, built from the
benchmark's facts), N = 4000 neurons for 1 s at dt = 0.1 ms, cpp_standalone, one
network per seed. The file holds ``seeds``, ``rates_hz`` (mean rate per neuron over
the whole second), ``n_synapses``, ``n_neurons``, ``duration_ms`` and
``brian2_version``. Seeds of Brian2 and neurodyn do not correspond: each seed is an
independent sample of network and initial state, and the test compares means.

Run with Brian2's environment (``bash benchmarks/setup_peers.sh brian2``):

    benchmarks/.peers/brian2/bin/python tests/references/make_cobahh_brian2.py

(about 35 s per seed, most of it compiling C++).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PEERS = Path(__file__).resolve().parents[2] / "benchmarks" / "peers"

N_NEURONS = 4000
DURATION_MS = 1000.0
SEEDS = list(range(1, 11))


def main() -> None:
    # Brian2 is imported here: the test suite imports this module (doctests) without it
    sys.path.insert(0, str(PEERS))
    import brian2
    import brian2_cobahh
    from _common import stdout_to_stderr

    rates, synapses = [], []
    for seed in SEEDS:
        with stdout_to_stderr():
            r = brian2_cobahh.simulate(N_NEURONS, DURATION_MS, seed, "cpp_standalone")
        rates.append(r["n_spikes"] / N_NEURONS / (DURATION_MS / 1000.0))
        synapses.append(r["n_synapses"])
        print(f"seed {seed}: {rates[-1]:.3f} Hz, {synapses[-1]} synapses", flush=True)
    rates = np.asarray(rates)
    print(f"mean {rates.mean():.3f} Hz, sd {rates.std(ddof=1):.3f} Hz over {len(SEEDS)} seeds")
    path = Path(__file__).with_name("cobahh_brian2.npz")
    np.savez(
        path,
        seeds=np.asarray(SEEDS),
        rates_hz=rates,
        n_synapses=np.asarray(synapses),
        n_neurons=np.asarray(N_NEURONS),
        duration_ms=np.asarray(DURATION_MS),
        brian2_version=np.asarray(brian2.__version__),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
