"""COBA of BENCHMARKS.md in Brian2, runtime (Cython) or cpp_standalone (C++, OpenMP threads).

setup_s is everything before the simulation loop: building the network, generating and
compiling code (Cython or C++; Brian2 keeps compiled Cython code in a cache across runs)
and, for cpp_standalone, creating the synapses inside the binary. sim_s is, for
cpp_standalone, the run time that the compiled binary measures around its time loop; for
runtime, the wall time of ``run`` (the loop and ~0.1 s of Brian2's per-run preparation).
The integrator is exponential Euler, as in neurodyn (``--method euler``, Brian2's own
choice for these equations when none is given, is several times faster per step).
"""

from __future__ import annotations

import shutil
import tempfile
import time

import _common as coba
import brian2 as b2
from brian2 import ms, mV, nS, pF

EQUATIONS = """
dv/dt = (g_L * (E_L - v) + g_e * (E_e - v) + g_i * (E_i - v)) / C_m : volt (unless refractory)
dg_e/dt = -g_e / tau_e : siemens
dg_i/dt = -g_i / tau_i : siemens
"""
CONSTANTS = {
    "C_m": coba.C_M * pF, "g_L": coba.G_L * nS, "E_L": coba.E_L * mV,
    "E_e": coba.E_E * mV, "E_i": coba.E_I * mV,
    "tau_e": coba.TAU_E * ms, "tau_i": coba.TAU_I * ms,
    "V_th": coba.V_TH * mV, "V_reset": coba.V_RESET * mV,
    "w_e": coba.W_E * nS, "w_i": coba.W_I * nS,
}  # fmt: skip


def build(n_neurons: int, method: str) -> tuple[b2.Network, list[b2.Synapses], b2.SpikeMonitor]:
    """The network: the neurons, the two projections and a spike counter."""
    n_exc, _, prob = coba.sizes(n_neurons)
    neurons = b2.NeuronGroup(
        n_neurons, EQUATIONS, threshold="v > V_th", reset="v = V_reset",
        refractory=coba.T_REF * ms, method=method, namespace=CONSTANTS,
    )  # fmt: skip
    exc = b2.Synapses(neurons[:n_exc], neurons, on_pre="g_e += w_e", namespace=CONSTANTS)
    inh = b2.Synapses(neurons[n_exc:], neurons, on_pre="g_i += w_i", namespace=CONSTANTS)
    exc.connect(p=prob)
    inh.connect(p=prob)
    (v_mean, v_std), (ge_mean, ge_std), (gi_mean, gi_std) = coba.V0, coba.GE0, coba.GI0
    neurons.v = f"{v_mean}*mV + {v_std}*mV * randn()"
    neurons.g_e = f"{ge_mean}*nS + {ge_std}*nS * randn()"
    neurons.g_i = f"{gi_mean}*nS + {gi_std}*nS * randn()"
    counter = b2.SpikeMonitor(neurons, record=False)
    return b2.Network(neurons, exc, inh, counter), [exc, inh], counter


def main() -> None:
    parser = coba.parser(__doc__, threads=True)
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    parser.add_argument(
        "--method", choices=["exponential_euler", "euler"], default="exponential_euler",
        help="integrator (Brian2 picks euler when none is given; neurodyn uses exp. Euler)",
    )  # fmt: skip
    args = parser.parse_args()
    standalone = args.device == "cpp_standalone"
    with coba.stdout_to_stderr():
        start = time.perf_counter()
        if standalone:
            project = tempfile.mkdtemp(prefix="brian2_coba_")
            b2.set_device("cpp_standalone", directory=project, build_on_run=False)
            b2.prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        b2.defaultclock.dt = coba.DT * ms
        b2.seed(args.seed)
        net, synapses, counter = build(args.n, args.method)
        if standalone:
            net.run(args.duration_ms * ms)
            b2.device.build(directory=project, compile=True, run=True, with_output=False)
            sim_s = b2.device._last_run_time  # measured by the binary around its time loop
            setup_s = time.perf_counter() - start - sim_s
        else:
            net.run(0 * ms)  # code generation and Cython compilation, no time step
            setup_s = time.perf_counter() - start
            start = time.perf_counter()
            net.run(args.duration_ms * ms)
            sim_s = time.perf_counter() - start
        n_synapses = sum(len(s) for s in synapses)
        n_spikes = int(counter.count[:].sum())
        if standalone:
            shutil.rmtree(project, ignore_errors=True)
    name = f"brian2-cpp_standalone-{args.threads}t" if standalone else "brian2-runtime"
    coba.emit(
        name, args.n, n_synapses, args.duration_ms, setup_s, sim_s, n_spikes,
        version=b2.__version__,
    )  # fmt: skip


if __name__ == "__main__":
    main()
