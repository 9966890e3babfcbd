"""COBA of BENCHMARKS.md in NEST, with ``iaf_cond_exp`` and ``--threads`` local threads.

The model's parameters are those of the benchmark one to one: conductances in nS, and a
spike adds |weight| nS to g_ex (positive weight) or to g_in (negative weight), one time
step (the minimum delay, 0.1 ms) after it was emitted. setup_s covers creating and
connecting the network and ``nest.Prepare`` (which builds the connection tables); sim_s is
``nest.Run``.
"""

from __future__ import annotations

import time

import _common as coba

NEURON_PARAMS = {
    "C_m": coba.C_M, "g_L": coba.G_L, "E_L": coba.E_L, "V_th": coba.V_TH,
    "V_reset": coba.V_RESET, "t_ref": coba.T_REF, "E_ex": coba.E_E, "E_in": coba.E_I,
    "tau_syn_ex": coba.TAU_E, "tau_syn_in": coba.TAU_I, "I_e": 0.0,
}  # fmt: skip


def build(nest, n_neurons: int):
    """The network and a spike recorder; returns the recorder."""
    n_exc, _, prob = coba.sizes(n_neurons)
    neurons = nest.Create("iaf_cond_exp", n_neurons, params=NEURON_PARAMS)
    neurons.set(
        V_m=nest.random.normal(*coba.V0),
        g_ex=nest.random.normal(*coba.GE0),
        g_in=nest.random.normal(*coba.GI0),
    )
    rule = {"rule": "pairwise_bernoulli", "p": prob, "allow_autapses": True}
    for sources, weight in ((neurons[:n_exc], coba.W_E), (neurons[n_exc:], -coba.W_I)):
        syn = {"synapse_model": "static_synapse", "weight": weight, "delay": coba.DT}
        nest.Connect(sources, neurons, rule, syn)
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    return recorder


def main() -> None:
    args = coba.parser(__doc__, threads=True).parse_args()
    with coba.stdout_to_stderr():
        import nest  # prints its banner on import

        nest.verbosity = nest.VerbosityLevel.ERROR
        start = time.perf_counter()
        nest.ResetKernel()
        nest.SetKernelStatus(
            {"resolution": coba.DT, "local_num_threads": args.threads, "rng_seed": args.seed}
        )
        recorder = build(nest, args.n)
        n_synapses = nest.GetKernelStatus("num_connections") - args.n  # less the recorder's
        nest.Prepare()
        setup_s = time.perf_counter() - start
        start = time.perf_counter()
        nest.Run(args.duration_ms)
        sim_s = time.perf_counter() - start
        nest.Cleanup()
        n_spikes = recorder.n_events
    coba.emit(
        f"nest-{args.threads}t", args.n, n_synapses, args.duration_ms, setup_s, sim_s, n_spikes,
        version=nest.__version__,
    )  # fmt: skip


if __name__ == "__main__":
    main()
