"""Song, Miller & Abbott (2000): STDP makes a neuron's input weights bimodal.

One conductance-based integrate-and-fire neuron receives 1000 excitatory Poisson
inputs whose conductance increments learn by additive STDP (all-to-all pairing,
bounded in [0, g_max]) and 200 fixed inhibitory Poisson inputs at 10 Hz (Song, Miller
& Abbott 2000, Nat. Neurosci. 3:919, Methods):

    tau_m dV/dt = V_rest - V + g_ex (E_ex - V) + g_in (E_in - V)

with conductances in units of the leak conductance (here g_L = 10 nS, so R = 100 MOhm;
any g_L gives the same voltage). Because depression slightly outweighs potentiation
(A_-/A_+ = 1.05), only inputs whose spikes help to cause output spikes stay strong:
the weights split towards 0 and g_max and the output rate falls and settles, as in the
paper's Figs. 1 and 2. Initial weights are uniform on [0, g_max]. The input rate
defaults to 20 Hz (the paper uses 10 to 40 Hz): from uniform weights at 10 Hz the
neuron starts almost silent and learning takes far longer than a few minutes.

    python examples/song_miller_abbott.py [--duration 300] [--rate 20] [--out DIR] [--seed 0]
"""

import argparse
import time
from pathlib import Path

import jax.numpy as jnp
import numpy as np
from matplotlib.figure import Figure

import neurodyn as nd
from neurodyn import units as u
from neurodyn.plasticity import STDP

N_EXC, N_INH = 1000, 200
g_L = 10.0 * u.nS  # the unit of conductance: the paper gives conductances in g_L
tau_m = 20.0 * u.ms
V_rest, V_th, V_reset = -70.0 * u.mV, -54.0 * u.mV, -60.0 * u.mV
E_ex, E_in = 0.0 * u.mV, -70.0 * u.mV
tau_ex = tau_in = 5.0 * u.ms
g_max = 0.015 * g_L  # bound of the excitatory increments
g_in = 0.05 * g_L  # fixed inhibitory increment
rate_in = 10.0 * u.Hz
A_plus, tau_plus, tau_minus = 0.005, 20.0 * u.ms, 20.0 * u.ms
DEPRESSION_RATIO = 1.05  # A_- / A_+
NEAR = 0.1  # "near a bound": within 10 % of g_max of it


class SongMillerAbbott(nd.Module):
    """The neuron, its plastic excitatory and fixed inhibitory inputs, and the rule.

    Each step: the inputs spike, their spikes reach the conductances, the neuron
    updates, and STDP pairs this step's input spikes with this step's output spike.
    """

    def __init__(self, rate_ex, seed, A_plus=A_plus):
        super().__init__("song_miller_abbott")
        nd.random.seed(seed)
        self.neuron = nd.LIF(1, tau=tau_m, R=1.0 / g_L, V_rest=V_rest, V_th=V_th,
                             V_reset=V_reset)  # fmt: skip
        self.exc = nd.PoissonSpike(N_EXC, freqs=rate_ex)
        self.inh = nd.PoissonSpike(N_INH, freqs=rate_in)
        self.E = nd.AlignPostProj(
            nd.AllToAll(N_EXC, 1, nd.init.Uniform(0.0 * u.nS, g_max)),
            nd.Expon(1, tau=tau_ex, g_initializer=nd.init.ZeroInit(u.nS)),
            nd.COBA(E=E_ex),
            self.neuron,
        )
        self.I = nd.AlignPostProj(
            nd.AllToAll(N_INH, 1, g_in),
            nd.Expon(1, tau=tau_in, g_initializer=nd.init.ZeroInit(u.nS)),
            nd.COBA(E=E_in),
            self.neuron,
        )
        self.stdp = STDP(self.E, w_max=g_max, tau_plus=tau_plus, tau_minus=tau_minus,
                         A_plus=A_plus, A_minus=DEPRESSION_RATIO * A_plus,
                         pairing="all")  # fmt: skip

    def update(self):
        exc, inh = self.exc(), self.inh()
        self.E(exc)
        self.I(inh)
        spike = self.neuron()
        self.stdp(exc, spike)
        return spike


def fractions_near_bounds(w):
    """Fractions of the weights ``w`` (in g_max) within ``NEAR`` of 0 and of 1."""
    return float(np.mean(w < NEAR)), float(np.mean(w > 1.0 - NEAR))


def bimodal(w):
    """Whether the weights ``w`` (in g_max) pile up at both bounds: in a histogram of
    ten bins, each end bin holds at least twice as many as the emptiest bin between
    them, and at least 2 % of the weights."""
    counts = np.histogram(w, np.linspace(0.0, 1.0, 11))[0]
    return bool(min(counts[0], counts[-1]) >= max(2 * counts[1:-1].min(), 0.02 * np.size(w)))


def simulate(duration_s=300.0, rate_hz=20.0, seed=0, snapshots=10, A_plus=A_plus):
    """Build and run the model for ``duration_s`` seconds with inputs at ``rate_hz``
    (``A_plus``: the learning rate, the paper's by default; ``A_- = 1.05 A_+``).

    **Returns:** a dict with ``rate_t_s`` and ``rate_hz`` (output rate per second of
    simulated time), ``weights`` (``snapshots + 1`` snapshots, the initial one first,
    in units of g_max), ``snapshot_t_s``, ``near_zero`` and ``near_max`` (fractions of
    the weights near the bounds, per snapshot), and the wall-clock ``build_s``,
    ``compile_s`` and ``simulate_s``.
    """
    start = time.perf_counter()
    model = SongMillerAbbott(rate_hz * u.Hz, seed, A_plus)
    nd.init_all_states(model)
    build_s = time.perf_counter() - start
    weights = model.stdp.weight
    initial = np.asarray(u.to_float(weights.value, u.nS)).ravel()
    steps_per_second = int(round(1000.0 / float(u.to_float(nd.environ.get_dt(), u.ms))))
    n_seconds = int(duration_s)
    every = int(round(duration_s * steps_per_second)) // snapshots
    result = nd.run(
        model,
        duration_s * u.second,
        monitors={
            "spikes": nd.Monitor(lambda: jnp.sum(model.neuron.spike.value)),
            "weights": nd.Monitor(weights, every=every),
        },
    )
    spikes = np.asarray(result["spikes"])[: n_seconds * steps_per_second]
    later = np.asarray(u.to_float(result["weights"], u.nS)).reshape(snapshots, -1)
    all_weights = np.vstack([initial, later]) / float(u.to_float(g_max, u.nS))
    near = [fractions_near_bounds(w) for w in all_weights]
    return {
        "rate_t_s": np.arange(n_seconds) + 0.5,
        "rate_hz": spikes.reshape(n_seconds, steps_per_second).sum(axis=1).astype(float),
        "weights": all_weights,
        "snapshot_t_s": np.arange(snapshots + 1) * every / steps_per_second,
        "near_zero": np.array([n[0] for n in near]),
        "near_max": np.array([n[1] for n in near]),
        "build_s": build_s,
        "compile_s": result.compile_time,
        "simulate_s": result.run_time,
    }


def plot_weights(result, path):
    """Histograms of the weights (in g_max) at the start and at the end."""
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    bins = np.linspace(0.0, 1.0, 41)
    ax.hist(result["weights"][0], bins, color="0.7", label="initial")
    ax.hist(result["weights"][-1], bins, histtype="step", color="C0", lw=2,
            label=f"after {result['snapshot_t_s'][-1]:g} s")  # fmt: skip
    ax.set_xlabel("g_a / g_max")
    ax.set_ylabel("synapses")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def plot_rate(result, path):
    """The output rate per second, and the fractions of weights near the bounds."""
    fig = Figure(figsize=(7, 5))
    ax_rate, ax_near = fig.subplots(2, 1, sharex=True)
    ax_rate.plot(result["rate_t_s"], result["rate_hz"], "k", lw=1)
    ax_rate.set_ylabel("output rate (Hz)")
    ax_near.plot(result["snapshot_t_s"], result["near_zero"], "o-", label="near 0")
    ax_near.plot(result["snapshot_t_s"], result["near_max"], "s-", label="near g_max")
    ax_near.set_ylabel(f"fraction (within {NEAR:g} g_max)")
    ax_near.set_xlabel("time (s)")
    ax_near.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of simulated time")
    parser.add_argument("--rate", type=float, default=20.0, help="excitatory input rate (Hz)")
    parser.add_argument("--out", default=".", help="directory for the figures")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.duration < 1.0:
        parser.error(f"--duration must be at least 1 s (rates are counted per second), "
                     f"got {args.duration:g}")  # fmt: skip

    start = time.perf_counter()
    result = simulate(args.duration, args.rate, args.seed)
    wall = time.perf_counter() - start
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rates, last = result["rate_hz"], min(10, len(result["rate_hz"]))
    print(f"Song, Miller & Abbott (2000): {N_EXC} plastic excitatory inputs at {args.rate:g} Hz, "
          f"{N_INH} inhibitory at {float(u.to_float(rate_in, u.Hz)):g} Hz, "
          f"{args.duration:g} s simulated")  # fmt: skip
    print(f"build {result['build_s']:.1f} s, compile {result['compile_s']:.1f} s, "
          f"simulate {result['simulate_s']:.1f} s, total {wall:.1f} s")  # fmt: skip
    print(f"output rate: {rates[0]:.1f} Hz in the first second, "
          f"{rates[-last:].mean():.1f} Hz in the last {last} s")  # fmt: skip
    for name, k in (("initial", 0), ("final", -1)):
        w = result["weights"][k]
        print(f"{name} weights: {result['near_zero'][k]:.0%} near 0, "
              f"{result['near_max'][k]:.0%} near g_max (within {NEAR:g} g_max), "
              f"mean {w.mean():.2f} g_max, bimodal: {'yes' if bimodal(w) else 'no'}")  # fmt: skip
    print("final histogram (10 bins from 0 to g_max):",
          np.histogram(result["weights"][-1], np.linspace(0.0, 1.0, 11))[0].tolist())  # fmt: skip
    print(f"figures written to {plot_weights(result, out / 'song_weights.png')} and "
          f"{plot_rate(result, out / 'song_rate.png')}")  # fmt: skip


if __name__ == "__main__":
    main()
