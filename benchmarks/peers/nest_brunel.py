"""Brunel (2000) network (NEST's brunel_delta form) in NEST: one timed run, one JSON line.

    benchmarks/.peers/nest/bin/python benchmarks/peers/nest_brunel.py --order 2500 \
        --duration-ms 1000 --seed 42 --threads 2

The network of neurodyn/networks/brunel.py: iaf_psc_delta (C_m 1 pF, tau_m 20 ms,
t_ref 2 ms, E_L = V_reset = V_m(0) = 0 mV, V_th 20 mV), N_E = 4 order, N_I = order,
fixed_indegree C_E = 0.1 N_E and C_I = 0.1 N_I, J = 0.1 mV, -g J with g = 5, delay
1.5 ms, one poisson_generator (independent trains) of rate eta nu_th C_E, eta = 2.
Every neuron's spikes are recorded (the rate check); setup_s is building and
connecting, sim_s the Simulate call; peak_rss_mb the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

from _common import emit, stdout_to_stderr

J, G, ETA, DELAY, EPSILON = 0.1, 5.0, 2.0, 1.5, 0.1
NEURON = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
          "V_th": 20.0}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--order", type=int, default=2500)
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with stdout_to_stderr():
        import nest

        start = time.perf_counter()
        nest.ResetKernel()
        nest.set(resolution=0.1, rng_seed=args.seed + 1, local_num_threads=args.threads,
                 print_time=False)  # fmt: skip
        n_exc, n_inh = 4 * args.order, args.order
        c_exc, c_inh = int(EPSILON * n_exc), int(EPSILON * n_inh)
        nu_th = NEURON["V_th"] / (J * c_exc * NEURON["tau_m"])
        excitatory = nest.Create("iaf_psc_delta", n_exc, params=NEURON)
        inhibitory = nest.Create("iaf_psc_delta", n_inh, params=NEURON)
        noise = nest.Create("poisson_generator", params={"rate": 1000.0 * ETA * nu_th * c_exc})
        recorder = nest.Create("spike_recorder")
        nodes = excitatory + inhibitory
        nest.Connect(noise, nodes, syn_spec={"weight": J, "delay": DELAY})
        nest.Connect(excitatory, nodes, {"rule": "fixed_indegree", "indegree": c_exc},
                     {"weight": J, "delay": DELAY})  # fmt: skip
        nest.Connect(inhibitory, nodes, {"rule": "fixed_indegree", "indegree": c_inh},
                     {"weight": -G * J, "delay": DELAY})  # fmt: skip
        nest.Connect(nodes, recorder)
        nest.Prepare()  # NEST builds its connection infrastructure here: part of setup
        setup_s = time.perf_counter() - start
        start = time.perf_counter()
        nest.Run(args.duration_ms)
        sim_s = time.perf_counter() - start
        nest.Cleanup()
        n_spikes = recorder.get("n_events")
    emit(
        f"nest-{args.threads}t", n_exc + n_inh, (n_exc + n_inh) * (c_exc + c_inh),
        args.duration_ms, setup_s, sim_s, n_spikes, order=args.order,
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )  # fmt: skip


if __name__ == "__main__":
    main()
