"""The Brunel (2000) sparse balanced network, as NEST's ``brunel_delta`` example builds it.

Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory and
inhibitory spiking neurons. *J. Comput. Neurosci.* 8(3):183-208.

``N_E = 4 order`` excitatory and ``N_I = order`` inhibitory ``iaf_psc_delta`` neurons;
each receives ``C_E = 0.1 N_E`` excitatory and ``C_I = 0.1 N_I`` inhibitory
connections (``fixed_indegree``) and an independent Poisson drive, all with a delay of
1.5 ms; at ``g = 5``, ``eta = 2`` the network is in the asynchronous irregular state.

================  ===========  ============================================
quantity          value        meaning
================  ===========  ============================================
``C_m``           1 pF         membrane capacitance (weights are jumps in mV)
``tau_m``         20 ms        membrane time constant
``t_ref``         2 ms         refractory period
``E_L``           0 mV         resting potential, also ``V_reset`` and ``V_m(0)``
``V_th``          20 mV        threshold
``J``             0.1 mV       excitatory weight; inhibitory ``-g J``
``g``             5            relative inhibition
``eta``           2            drive rate over the threshold rate
``delay``         1.5 ms       every connection's delay
================  ===========  ============================================

The drive: each neuron its own Poisson train of rate ``eta nu_th C_E`` with
``nu_th = V_th / (J C_E tau_m)``, weight ``J``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..network import Network

NEURON = {"C_m": 1.0, "tau_m": 20.0, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
          "V_th": 20.0}  # fmt: skip
J, G, ETA, DELAY, EPSILON = 0.1, 5.0, 2.0, 1.5, 0.1


def build_brunel(order: int = 2500, seed: int = 42) -> tuple[Network, dict[str, Any]]:
    """The network (in NEST's units: ms, mV, Hz) and its parts: ``excitatory``,
    ``inhibitory``, ``noise``, ``spikes`` (a spike_recorder of every neuron)."""
    nd_random.seed(seed)
    n_exc, n_inh = 4 * order, order
    c_exc, c_inh = int(EPSILON * n_exc), int(EPSILON * n_inh)
    nu_th = NEURON["V_th"] / (J * c_exc * NEURON["tau_m"])  # per ms
    rate = 1000.0 * ETA * nu_th * c_exc  # Hz
    net = Network("brunel")
    excitatory = net.create("iaf_psc_delta", n_exc, NEURON)
    inhibitory = net.create("iaf_psc_delta", n_inh, NEURON)
    noise = net.create("poisson_generator", params={"rate": rate})
    spikes = net.create("spike_recorder")
    excitatory_syn = {"weight": J, "delay": DELAY}
    net.connect(noise, excitatory, syn_spec=excitatory_syn)
    net.connect(noise, inhibitory, syn_spec=excitatory_syn)
    for source, c in ((excitatory, c_exc), (inhibitory, c_inh)):
        weight = J if source is excitatory else -G * J
        for target in (excitatory, inhibitory):
            net.connect(source, target, {"rule": "fixed_indegree", "indegree": c},
                        {"weight": weight, "delay": DELAY})  # fmt: skip
    net.connect(excitatory, spikes)
    net.connect(inhibitory, spikes)
    parts = {"excitatory": excitatory, "inhibitory": inhibitory, "noise": noise,
             "spikes": spikes, "n_synapses": (n_exc + n_inh) * (c_exc + c_inh)}  # fmt: skip
    return net, parts


def run_brunel(order: int = 2500, duration_ms: float = 1000.0, seed: int = 42) -> dict[str, Any]:
    """Build, compile and run Brunel's network; returns sizes, timings, rates (Hz) of
    the excitatory and inhibitory neurons, their mean CV of inter-spike intervals, and
    every spike (``spike_times`` in ms, ``spike_neurons`` from 0)."""
    start = time.perf_counter()
    net, parts = build_brunel(order, seed)
    build_s = time.perf_counter() - start
    net.simulate(duration_ms * u.ms)
    events = parts["spikes"].get("events")
    first = parts["excitatory"].first_id
    neurons = events["senders"] - first
    n_exc, n_inh = len(parts["excitatory"]), len(parts["inhibitory"])
    seconds = duration_ms / 1000.0
    excitatory = neurons < n_exc
    return {
        "n_neurons": n_exc + n_inh,
        "n_exc": n_exc,
        "n_synapses": parts["n_synapses"],
        "build_s": build_s,
        "compile_s": net.last_timing["compile_s"],
        "sim_s": net.last_timing["simulate_s"],
        "rate_exc_hz": float(excitatory.sum()) / n_exc / seconds,
        "rate_inh_hz": float((~excitatory).sum()) / n_inh / seconds,
        "rate_hz": len(neurons) / (n_exc + n_inh) / seconds,
        "cv_isi": mean_cv(events["times"], neurons),
        "spike_times": events["times"],
        "spike_neurons": neurons,
        "dt_ms": float(u.to_float(environ.get_dt(), u.ms)),
    }


def mean_cv(times: np.ndarray, neurons: np.ndarray, after_ms: float = 0.0) -> float:
    """The mean over neurons with at least two intervals of the coefficient of
    variation of their inter-spike intervals (spikes after ``after_ms``)."""
    keep = times > after_ms
    times, neurons = times[keep], neurons[keep]
    order = np.lexsort((times, neurons))
    times, neurons = times[order], neurons[order]
    same = neurons[1:] == neurons[:-1]
    isi, owner = np.diff(times)[same], neurons[1:][same]
    if isi.size == 0:
        return float("nan")
    counts = np.bincount(owner)
    mean = np.bincount(owner, isi) / np.maximum(counts, 1)
    var = np.bincount(owner, isi**2) / np.maximum(counts, 1) - mean**2
    valid = counts >= 2
    return float(np.mean(np.sqrt(np.maximum(var[valid], 0.0)) / mean[valid]))
