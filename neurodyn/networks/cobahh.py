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

from .. import init
from .. import units as u
from ..core import random as nd_random
from ..core._module import init_all_states
from ..neurons import TraubMilesHH
from .coba import EINetwork, run_ei_network

E_L = -60.0 * u.mV


class COBAHHNetwork(EINetwork):
    """The COBAHH network of ``n_neurons`` Traub–Miles neurons, built from public pieces
    (COBA's network around :class:`~neurodyn.TraubMilesHH` cells).

    **Arguments:**

    - ``n_neurons``: population size (80 % excitatory).
    - ``seed``: seed of connectivity and initial state.
    - ``method``: the membrane integrator (default exponential Euler).
    """

    def __init__(self, n_neurons: int = 4000, seed: int = 42, method: str = "exp_euler"):
        nd_random.seed(seed)
        neurons = TraubMilesHH(
            n_neurons,
            E_L=E_L,
            V_initializer=init.Normal(E_L - 5.0 * u.mV, 5.0 * u.mV),
            m_initializer=0.0,
            h_initializer=0.0,
            n_initializer=0.0,
            method=method,
        )
        super().__init__(neurons, "COBAHH")


def run_cobahh(
    n_neurons: int = 4000,
    duration_ms: float = 1000.0,
    seed: int = 42,
    record_neurons: int = 0,
    progress_bar: bool = False,
    method: str = "exp_euler",
) -> dict[str, Any]:
    """Build, compile and run COBAHH; returns what
    :func:`~neurodyn.networks.coba.run_ei_network` does."""
    start = time.perf_counter()
    net = COBAHHNetwork(n_neurons, seed, method)
    init_all_states(net)
    return run_ei_network(net, time.perf_counter() - start, duration_ms, record_neurons,
                          progress_bar)  # fmt: skip
