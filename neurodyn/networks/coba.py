"""The COBA benchmark network: conductance-based LIF E/I network.

Brette et al. (2007), J. Comput. Neurosci. 23:349, benchmark 1, after Vogels &
Abbott (2005), J. Neurosci. 25:10786. N neurons (80 % excitatory), each pair
connected with probability p = 80 / N (mean in-degree 80), exponential
conductances, no external drive: the activity is self-sustained.

================  ===========  ==============================
quantity          value        meaning
================  ===========  ==============================
``C_m``           200 pF       membrane capacitance
``g_L``           10 nS        leak conductance (tau_m 20 ms)
``E_L``           -60 mV       leak reversal, reset potential
``V_th``          -50 mV       threshold
``t_ref``         5 ms         refractory period (V clamped)
``tau_e/tau_i``   5 / 10 ms    conductance decay
``E_e/E_i``       0 / -80 mV   synaptic reversal potentials
``w_e/w_i``       6 / 67 nS    conductance jumps
================  ===========  ==============================
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
from ..neurons import LIF
from ..projections import AlignPostProj, FixedProb
from ..running import Monitor, run
from ..synapses import COBA, Expon

C_m = 200.0 * u.pF
g_L = 10.0 * u.nS
E_L = -60.0 * u.mV
V_th = -50.0 * u.mV
t_ref = 5.0 * u.ms
tau_e, tau_i = 5.0 * u.ms, 10.0 * u.ms
E_e, E_i = 0.0 * u.mV, -80.0 * u.mV
w_e, w_i = 6.0 * u.nS, 67.0 * u.nS
MEAN_IN_DEGREE = 80


class EINetwork(Module):
    """Brette et al.'s (2007) E/I network around a population of conductance-driven
    neurons: 80 % excitatory, each pair connected with probability ``80 / N``,
    exponential conductances onto every neuron (COBA's synapses, above).

    Each step: the previous step's spikes are delivered through the excitatory
    and inhibitory projections, then the neurons update.

    **Arguments:**

    - ``neurons``: the population (its ``N`` neurons, the first 80 % excitatory).
    - ``name``: the network's name.
    """

    def __init__(self, neurons: Any, name: str):
        super().__init__(name)
        n_neurons = neurons.num
        self.n_exc = int(0.8 * n_neurons)
        self.n_inh = n_neurons - self.n_exc
        prob = min(1.0, MEAN_IN_DEGREE / n_neurons)
        self.N = neurons
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


class COBANetwork(EINetwork):
    """The COBA network of ``n_neurons`` LIF neurons, built from public pieces.

    **Arguments:**

    - ``n_neurons``: population size (80 % excitatory).
    - ``seed``: seed of connectivity and initial state.
    - ``method``: the membrane integrator (default exponential Euler).
    """

    def __init__(self, n_neurons: int = 4000, seed: int = 42, method: str = "exp_euler"):
        nd_random.seed(seed)
        neurons = LIF(
            n_neurons,
            tau=C_m / g_L,
            R=1.0 / g_L,
            V_rest=E_L,
            V_th=V_th,
            V_reset=E_L,
            tau_ref=t_ref,
            V_initializer=init.Normal(E_L - 5.0 * u.mV, 5.0 * u.mV),
            method=method,
        )
        super().__init__(neurons, "COBA")


def run_coba(
    n_neurons: int = 4000,
    duration_ms: float = 1000.0,
    seed: int = 42,
    record_neurons: int = 0,
    progress_bar: bool = False,
    method: str = "exp_euler",
) -> dict[str, Any]:
    """Build, compile and run COBA; see :func:`run_ei_network` for what it returns."""
    start = time.perf_counter()
    net = COBANetwork(n_neurons, seed, method)
    init_all_states(net)
    return run_ei_network(net, time.perf_counter() - start, duration_ms, record_neurons,
                          progress_bar)  # fmt: skip


def run_ei_network(
    net: EINetwork, build_s: float, duration_ms: float, record_neurons: int, progress_bar: bool
) -> dict[str, Any]:
    """Compile and run ``net`` (states created) for ``duration_ms``.

    **Returns:** a dict with ``n_neurons``, ``n_synapses``, ``build_s``, ``compile_s``,
    ``sim_s``, ``rate_hz``, ``dt_ms`` and, if ``record_neurons > 0``, ``spike_steps`` and
    ``spike_neurons`` (spikes of the first ``record_neurons`` neurons).
    """
    n_neurons = net.N.num
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
