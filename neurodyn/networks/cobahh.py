"""The COBAHH benchmark network: conductance-based Hodgkin–Huxley E/I network.

Brette et al. (2007), J. Comput. Neurosci. 23:349, benchmark 3: COBA's network and
synapses (:mod:`neurodyn.networks.coba`) with Traub–Miles Hodgkin–Huxley cells
(:class:`~neurodyn.neurons.TraubMilesHH`) instead of integrate-and-fire ones. N neurons
(80 % excitatory), each pair connected with probability p = 80 / N (0.02 at N = 4000),
exponential conductances, no external drive: the activity is self-sustained.

================  ===========  ==============================================
quantity          value        meaning
================  ===========  ==============================================
``C_m``           200 pF       capacitance (1 uF/cm^2 times 20 000 um^2)
``g_L``           10 nS        leak conductance (5e-5 S/cm^2)
``g_Na/g_K``      20 / 6 uS    sodium, potassium (100 / 30 mS/cm^2)
``E_L``           -60 mV       leak reversal potential
``E_Na/E_K``      50 / -90 mV  sodium, potassium reversal potentials
``V_T``           -63 mV       offset of the Traub–Miles rate functions
``V_th``          -20 mV       a spike is an upward crossing
``tau_e/tau_i``   5 / 10 ms    conductance decay
``E_e/E_i``       0 / -80 mV   synaptic reversal potentials
``w_e/w_i``       6 / 67 nS    conductance jumps
================  ===========  ==============================================

Initial state (``shared/benchmarks/BENCHMARKS.md``), n ~ N(0, 1) per neuron and
variable: V = E_L + (5 n - 5) mV, g_e = (1.5 n + 4) 10 nS, g_i = (12 n + 20) 10 nS.
The benchmark leaves the gates open; they start at 0, as Brian2's and BrainPy's
COBAHH examples leave them (starting them at their steady state instead changes the
rate by less than its spread over seeds).
"""

from __future__ import annotations

import time
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import init
from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._module import Module, init_all_states
from ..neurons import TraubMilesHH
from ..projections import AlignPostProj, FixedProb
from ..running import Monitor, run
from ..synapses import COBA, Expon
from .coba import MEAN_IN_DEGREE, E_e, E_i, tau_e, tau_i, w_e, w_i

E_L = -60.0 * u.mV


class COBAHHNetwork(Module):
    """The COBAHH network of ``n_neurons`` neurons, built from public pieces.

    Each step: the previous step's spikes are delivered through the excitatory
    and inhibitory projections, then the neurons update.

    **Arguments:**

    - ``n_neurons``: population size (80 % excitatory).
    - ``seed``: seed of connectivity and initial state.
    - ``method``: the membrane integrator (default exponential Euler).
    """

    def __init__(self, n_neurons: int = 4000, seed: int = 42, method: str = "exp_euler"):
        super().__init__("COBAHH")
        nd_random.seed(seed)
        self.n_exc = int(0.8 * n_neurons)
        self.n_inh = n_neurons - self.n_exc
        prob = min(1.0, MEAN_IN_DEGREE / n_neurons)
        self.N = TraubMilesHH(
            n_neurons,
            E_L=E_L,
            V_initializer=init.Normal(E_L - 5.0 * u.mV, 5.0 * u.mV),
            m_initializer=0.0,
            h_initializer=0.0,
            n_initializer=0.0,
            method=method,
        )
        self.E = AlignPostProj(
            comm=FixedProb(self.n_exc, n_neurons, prob=prob, weight=w_e),
            syn=Expon(n_neurons, tau=tau_e, g_initializer=init.Normal(40.0 * u.nS, 15.0 * u.nS)),
            out=COBA(E=E_e),
            post=self.N,
        )
        self.I = AlignPostProj(
            comm=FixedProb(self.n_inh, n_neurons, prob=prob, weight=w_i),
            syn=Expon(n_neurons, tau=tau_i, g_initializer=init.Normal(200.0 * u.nS, 120.0 * u.nS)),
            out=COBA(E=E_i),
            post=self.N,
        )

    @property
    def n_synapses(self) -> int:
        return self.E.comm.n_synapses + self.I.comm.n_synapses

    def update(self) -> Any:
        spikes = self.N.spike.value
        self.E(spikes[..., : self.n_exc])
        self.I(spikes[..., self.n_exc :])
        return self.N()


def run_cobahh(
    n_neurons: int = 4000,
    duration_ms: float = 1000.0,
    seed: int = 42,
    record_neurons: int = 0,
    progress_bar: bool = False,
    method: str = "exp_euler",
) -> dict[str, Any]:
    """Build, compile and run COBAHH; returns sizes, timings, rate and (optionally) spikes.

    **Returns:** a dict with ``n_neurons``, ``n_synapses``, ``build_s``, ``compile_s``,
    ``sim_s``, ``rate_hz``, ``dt_ms`` and, if ``record_neurons > 0``, ``spike_steps`` and
    ``spike_neurons`` (spikes of the first ``record_neurons`` neurons), as
    :func:`~neurodyn.networks.run_coba` does.
    """
    start = time.perf_counter()
    net = COBAHHNetwork(n_neurons, seed, method)
    init_all_states(net)
    build_s = time.perf_counter() - start
    monitors = {"count": Monitor(lambda: jnp.sum(net.N.spike.value))}
    if record_neurons:
        monitors["spikes"] = Monitor(net.N.spike, indices=np.arange(min(record_neurons, n_neurons)))
    result = run(net, duration_ms * u.ms, monitors=monitors, progress_bar=progress_bar)
    total_spikes = float(np.asarray(u.magnitude(result["count"])).sum())
    out = {
        "n_neurons": n_neurons,
        "n_synapses": net.n_synapses,
        "build_s": build_s,
        "compile_s": result.compile_time,
        "sim_s": result.run_time,
        "rate_hz": total_spikes / n_neurons / (duration_ms / 1000.0),
        "dt_ms": float(u.to_float(environ.get_dt(), u.ms)),
    }
    if record_neurons:
        steps, neurons = np.nonzero(np.asarray(u.magnitude(result["spikes"])))
        out["spike_steps"], out["spike_neurons"] = steps, neurons
    return out
