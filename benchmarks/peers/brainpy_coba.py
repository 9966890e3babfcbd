"""COBA of BENCHMARKS.md in BrainPy's ``brainpy.state`` API (brainstate + brainevent).

Neurons are ``LIFRef`` (hard reset, V held while refractory), each projection is an
``AlignPostProj`` of a Bernoulli (p = 80 / N) event-driven CSR matrix onto an ``Expon``
conductance with a ``COBA`` output. Spikes of step k reach the conductances at step k + 1.
setup_s covers building the network and compiling the simulation loop ahead of time;
sim_s is the compiled loop alone.
"""

from __future__ import annotations

import time

import _common as coba
import brainevent
import brainpy
import brainstate
import braintools
import brainunit as u
import jax
import numpy as np

bp = brainpy.state
mV, ms, nS, pF = u.mV, u.ms, u.nS, u.pF


def bernoulli_csr(n_pre: int, n_post: int, prob: float, rng: np.random.Generator):
    """Each (pre, post) pair connected with probability ``prob``: CSR rows, cols sorted."""
    n_pairs = n_pre * n_post
    chunks, position = [], -1
    while position < n_pairs:  # successive connected pairs are geometric gaps apart
        gaps = rng.geometric(prob, size=int(n_pairs * prob * 1.05) + 1000)
        chunk = position + np.cumsum(gaps)
        position = int(chunk[-1])
        chunks.append(chunk[chunk < n_pairs])
    pairs = np.concatenate(chunks)
    rows, cols = np.divmod(pairs, n_post)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_pre))])
    return cols.astype(np.int32), indptr.astype(np.int32)


def normal(mean_std: tuple[float, float], unit) -> braintools.init.Normal:
    """The initialiser of a per-neuron normal draw of (mean, standard deviation) in ``unit``."""
    return braintools.init.Normal(mean_std[0] * unit, mean_std[1] * unit)


class Bernoulli(brainstate.nn.Module):
    """Event-driven spike delivery through a fixed random CSR matrix of one weight (nS)."""

    def __init__(self, n_pre: int, n_post: int, prob: float, weight: float, rng):
        super().__init__()
        self.in_size = (n_pre,)
        indices, indptr = bernoulli_csr(n_pre, n_post, prob, rng)
        self.n_synapses = indices.size
        data = u.math.asarray([weight], dtype=np.float32) * nS
        self.csr = brainevent.CSR((data, indices, indptr), shape=(n_pre, n_post))

    def update(self, spikes):
        return brainevent.BinaryArray(spikes) @ self.csr


class COBANetwork(brainstate.nn.Module):
    """LIF neurons, the excitatory and the inhibitory projection, seeded by ``seed``."""

    def __init__(self, n_neurons: int, seed: int):
        super().__init__()
        brainstate.random.seed(seed)
        rng = np.random.default_rng(seed)
        self.n_exc, n_inh, prob = coba.sizes(n_neurons)
        self.neurons = bp.LIFRef(
            n_neurons, R=1.0 / (coba.G_L * nS), tau=coba.C_M * pF / (coba.G_L * nS),
            tau_ref=coba.T_REF * ms, V_th=coba.V_TH * mV, V_reset=coba.V_RESET * mV,
            V_rest=coba.E_L * mV, V_initializer=normal(coba.V0, mV), spk_reset="hard",
        )  # fmt: skip
        self.exc, self.inh = (
            bp.AlignPostProj(
                comm=Bernoulli(n_pre, n_neurons, prob, weight, rng),
                syn=bp.Expon.desc(n_neurons, tau=tau * ms, g_initializer=normal(g0, nS)),
                out=bp.COBA.desc(E=reversal * mV),
                post=self.neurons,
            )
            for n_pre, weight, tau, g0, reversal in (
                (self.n_exc, coba.W_E, coba.TAU_E, coba.GE0, coba.E_E),
                (n_inh, coba.W_I, coba.TAU_I, coba.GI0, coba.E_I),
            )
        )

    @property
    def n_synapses(self) -> int:
        return self.exc.comm.n_synapses + self.inh.comm.n_synapses

    def update(self, step: int):
        with brainstate.environ.context(i=step, t=step * coba.DT * ms):
            spikes = self.neurons.get_spike()  # last step's spikes
            self.exc(spikes[: self.n_exc])
            self.inh(spikes[self.n_exc :])
            return self.neurons().sum()


def main() -> None:
    args = coba.parser(__doc__).parse_args()
    with coba.stdout_to_stderr():
        brainstate.environ.set(dt=coba.DT * ms)
        start = time.perf_counter()
        net = COBANetwork(args.n, args.seed)
        brainstate.nn.init_all_states(net)
        steps = np.arange(int(round(args.duration_ms / coba.DT)))

        @brainstate.transform.jit
        def simulate(steps):
            return brainstate.transform.for_loop(net.update, steps)

        simulate.compile(steps)
        setup_s = time.perf_counter() - start
        start = time.perf_counter()
        counts = jax.block_until_ready(simulate(steps))
        sim_s = time.perf_counter() - start
        n_spikes = float(np.asarray(counts).sum())
    coba.emit(
        "brainpy", args.n, net.n_synapses, args.duration_ms, setup_s, sim_s, n_spikes,
        version=brainpy.__version__,
    )  # fmt: skip


if __name__ == "__main__":
    main()
