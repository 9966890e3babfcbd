"""COBAHH of BENCHMARKS.md in Brian2, runtime (Cython) or cpp_standalone (C++, OpenMP threads).

Brette et al. (2007) benchmark 3: COBA's network, synapses and initial V, g_e, g_i
(constants in ``_common.py``) with Traub–Miles Hodgkin–Huxley cells; the gates start at
0 (the benchmark does not set them; neurodyn's ``networks.cobahh`` does the same). A
spike is an upward crossing of -20 mV: the threshold ``v > V_th`` is only tested while
the neuron is not refractory, and it is refractory while ``v > V_th``.

setup_s and sim_s are measured as in ``brian2_coba.py``: sim_s is, for cpp_standalone,
the run time that the compiled binary measures around its time loop; for runtime, the
wall time of ``run``. The integrator is exponential Euler, as in neurodyn.
"""

from __future__ import annotations

import shutil
import tempfile
import time

import _common as common
import brian2 as b2
from brian2 import ms, mV, nS, pF, uS

# Traub–Miles cell of the benchmark, per cell (densities times 20 000 um^2).
# (Prefixed: Brian2 also looks names up in this module, so ``V_T`` here would clash.)
HH_G_NA = 20.0  # uS (100 mS/cm^2)
HH_G_K = 6.0  # uS (30 mS/cm^2)
HH_E_NA, HH_E_K = 50.0, -90.0  # mV
HH_V_T = -63.0  # mV
HH_V_SPIKE = -20.0  # mV

# Rates in 1/ms of v = V - V_T in mV (Traub & Miles 1991), written with
# exprel(x) = (exp(x) - 1) / x so that they are finite where numerator and denominator
# vanish: 0.32 (13 - v) / (exp((13 - v) / 4) - 1) = 1.28 / exprel((13 - v) / 4), etc.
EQUATIONS = """
dv/dt = (g_L * (E_L - v) + g_e * (E_e - v) + g_i * (E_i - v)
         - g_Na * m**3 * h * (v - E_Na) - g_K * n**4 * (v - E_K)) / C_m : volt
dm/dt = (alpha_m * (1 - m) - beta_m * m) / ms : 1
dh/dt = (alpha_h * (1 - h) - beta_h * h) / ms : 1
dn/dt = (alpha_n * (1 - n) - beta_n * n) / ms : 1
dg_e/dt = -g_e / tau_e : siemens
dg_i/dt = -g_i / tau_i : siemens
v_rel = (v - V_T) / mV : 1
alpha_m = 1.28 / exprel((13 - v_rel) / 4) : 1
beta_m = 1.4 / exprel((v_rel - 40) / 5) : 1
alpha_h = 0.128 * exp((17 - v_rel) / 18) : 1
beta_h = 4 / (1 + exp((40 - v_rel) / 5)) : 1
alpha_n = 0.16 / exprel((15 - v_rel) / 5) : 1
beta_n = 0.5 * exp((10 - v_rel) / 40) : 1
"""
CONSTANTS = {
    "C_m": common.C_M * pF, "g_L": common.G_L * nS, "E_L": common.E_L * mV,
    "g_Na": HH_G_NA * uS, "g_K": HH_G_K * uS, "E_Na": HH_E_NA * mV, "E_K": HH_E_K * mV,
    "V_T": HH_V_T * mV, "V_th": HH_V_SPIKE * mV, "E_e": common.E_E * mV, "E_i": common.E_I * mV,
    "tau_e": common.TAU_E * ms, "tau_i": common.TAU_I * ms,
    "w_e": common.W_E * nS, "w_i": common.W_I * nS,
}  # fmt: skip


def build(n_neurons: int) -> tuple[b2.Network, list[b2.Synapses], b2.SpikeMonitor]:
    """The network: the neurons, the two projections and a spike counter."""
    n_exc, _, prob = common.sizes(n_neurons)
    neurons = b2.NeuronGroup(
        n_neurons, EQUATIONS, threshold="v > V_th", refractory="v > V_th",
        method="exponential_euler", namespace=CONSTANTS,
    )  # fmt: skip
    exc = b2.Synapses(neurons[:n_exc], neurons, on_pre="g_e += w_e", namespace=CONSTANTS)
    inh = b2.Synapses(neurons[n_exc:], neurons, on_pre="g_i += w_i", namespace=CONSTANTS)
    exc.connect(p=prob)
    inh.connect(p=prob)
    (v_mean, v_std), (ge_mean, ge_std), (gi_mean, gi_std) = common.V0, common.GE0, common.GI0
    neurons.v = f"{v_mean}*mV + {v_std}*mV * randn()"
    neurons.g_e = f"{ge_mean}*nS + {ge_std}*nS * randn()"
    neurons.g_i = f"{gi_mean}*nS + {gi_std}*nS * randn()"
    counter = b2.SpikeMonitor(neurons, record=False)
    return b2.Network(neurons, exc, inh, counter), [exc, inh], counter


def simulate(n_neurons: int, duration_ms: float, seed: int, device: str, threads: int = 1) -> dict:
    """Build and run one network; ``setup_s``, ``sim_s``, ``n_synapses``, ``n_spikes``."""
    standalone = device == "cpp_standalone"
    start = time.perf_counter()
    if standalone:
        project = tempfile.mkdtemp(prefix="brian2_cobahh_")
        b2.set_device("cpp_standalone", directory=project, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
    b2.defaultclock.dt = common.DT * ms
    b2.seed(seed)
    net, synapses, counter = build(n_neurons)
    if standalone:
        net.run(duration_ms * ms)
        b2.device.build(directory=project, compile=True, run=True, with_output=False)
        sim_s = b2.device._last_run_time  # measured by the binary around its time loop
        setup_s = time.perf_counter() - start - sim_s
    else:
        net.run(0 * ms)  # code generation and Cython compilation, no time step
        setup_s = time.perf_counter() - start
        start = time.perf_counter()
        net.run(duration_ms * ms)
        sim_s = time.perf_counter() - start
    result = {
        "setup_s": setup_s,
        "sim_s": sim_s,
        "n_synapses": sum(len(s) for s in synapses),
        "n_spikes": int(counter.count[:].sum()),
    }
    if standalone:
        shutil.rmtree(project, ignore_errors=True)
        b2.device.reinit()  # so that a caller can build the next network
        b2.set_device("runtime")
    return result


def main() -> None:
    parser = common.parser(__doc__, threads=True)
    parser.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    args = parser.parse_args()
    with common.stdout_to_stderr():
        r = simulate(args.n, args.duration_ms, args.seed, args.device, args.threads)
    standalone = args.device == "cpp_standalone"
    name = f"brian2-cpp_standalone-{args.threads}t" if standalone else "brian2-runtime"
    common.emit(
        name, args.n, r["n_synapses"], args.duration_ms, r["setup_s"], r["sim_s"], r["n_spikes"],
        version=b2.__version__,
    )  # fmt: skip


if __name__ == "__main__":
    main()
