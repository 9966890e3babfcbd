"""Brunel's network with plastic excitatory synapses, in NEST or in neurodyn: one timed
run, one JSON line. The same code builds both (``neurodyn.network`` has NEST's API).

    python benchmarks/peers/plastic_brunel.py --simulator neurodyn --order 500
    benchmarks/.peers/nest/bin/python benchmarks/peers/plastic_brunel.py \
        --simulator nest --order 500 --threads 2

brunel_delta's network (see nest_brunel.py: iaf_psc_delta, in-degree 0.1 N_E + 0.1 N_I,
J = 0.1 mV, g = 5, delay 1.5 ms, Poisson drive with eta = 2), but every excitatory
connection is an additive ``stdp_synapse`` (lambda 0.01, alpha 1.05, mu_plus = mu_minus
= 0, Wmax = 3 J, tau_plus = tau_minus = 20 ms): each presynaptic spike updates its
fan-out, each postsynaptic spike its fan-in. setup_s is building (and, for neurodyn,
compiling); sim_s the simulation; ``mean_weight`` the excitatory weights at the end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _common import emit, stdout_to_stderr  # noqa: E402

J, G, ETA, DELAY, EPSILON = 0.1, 5.0, 2.0, 1.5, 0.1
NEURON = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
          "V_th": 20.0, "tau_minus": 20.0}  # fmt: skip
STDP = {"synapse_model": "stdp_synapse", "lambda": 0.01, "alpha": 1.05, "mu_plus": 0.0,
        "mu_minus": 0.0, "Wmax": 3 * J, "tau_plus": 20.0}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--simulator", choices=("nest", "neurodyn"), required=True)
    parser.add_argument("--order", type=int, default=500)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1, help="NEST's threads")
    args = parser.parse_args()
    with stdout_to_stderr():
        start = time.perf_counter()
        if args.simulator == "nest":
            import nest

            nest.ResetKernel()
            nest.set(resolution=0.1, rng_seed=args.seed + 1, local_num_threads=args.threads,
                     print_time=False)  # fmt: skip
        else:
            import neurodyn as nd
            import neurodyn.network as nest

            nd.environ.set(precision=64)  # NEST's arithmetic
            nest.ResetKernel()
            nest.SetKernelStatus({"rng_seed": args.seed + 1})
        n_exc, n_inh = 4 * args.order, args.order
        c_exc, c_inh = int(EPSILON * n_exc), int(EPSILON * n_inh)
        nu_th = NEURON["V_th"] / (J * c_exc * NEURON["tau_m"])
        excitatory = nest.Create("iaf_psc_delta", n_exc, params=NEURON)
        inhibitory = nest.Create("iaf_psc_delta", n_inh, params=NEURON)
        noise = nest.Create("poisson_generator", params={"rate": 1000.0 * ETA * nu_th * c_exc})
        recorder = nest.Create("spike_recorder")
        for population in (excitatory, inhibitory):
            nest.Connect(noise, population, syn_spec={"weight": J, "delay": DELAY})
            nest.Connect(excitatory, population, {"rule": "fixed_indegree", "indegree": c_exc},
                         {**STDP, "weight": J, "delay": DELAY})  # fmt: skip
            nest.Connect(inhibitory, population, {"rule": "fixed_indegree", "indegree": c_inh},
                         {"weight": -G * J, "delay": DELAY})  # fmt: skip
            nest.Connect(population, recorder)
        if args.simulator == "nest":
            nest.Prepare()
            setup_s = time.perf_counter() - start
            start = time.perf_counter()
            nest.Run(args.duration_ms)
            sim_s = time.perf_counter() - start
            nest.Cleanup()
        else:
            build_s = time.perf_counter() - start
            nest.Simulate(args.duration_ms)
            timing = nest._kernel._network().last_timing
            setup_s, sim_s = build_s + timing["compile_s"], timing["simulate_s"]
        weights = nest.GetStatus(nest.GetConnections(excitatory, synapse_model="stdp_synapse"),
                                 "weight")  # fmt: skip
        n_spikes = recorder.get("n_events")
    mean_weight = sum(weights) / len(weights)
    emit(
        f"nest-{args.threads}t" if args.simulator == "nest" else "neurodyn",
        n_exc + n_inh, (n_exc + n_inh) * (c_exc + c_inh), args.duration_ms, setup_s, sim_s,
        n_spikes, order=args.order, mean_weight=round(float(mean_weight), 5),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )  # fmt: skip


if __name__ == "__main__":
    main()
