"""Replays ``make_stochastic_models``' NEST recordings on the neurodyn models.

- :func:`replay`: the deterministic protocol, one neuron per run (their flags and
  kernel counts differ), recordables in NEST's units and spike times;
- :func:`our_statistics`: the statistics of a condition, over the same number of
  neurons and the same time as NEST's, from neurodyn's random stream.
"""

from __future__ import annotations

import inspect

import jax.numpy as jnp
import numpy as np
from make_stochastic_models import (
    CONDITIONS,
    DURATION,
    N_NEURONS,
    load_deterministic,
    spike_statistics,
)
from protocol_driver import DT, _Stimulated, input_arrays

import neurodyn as nd
from neurodyn import units as u

#: NEST's units of the recordables
UNITS = {"V_m": u.mV, "E_sfa": u.mV, "I_stc": u.pA, "I_syn_ex": u.pA, "I_syn_in": u.pA,
         "g_ex": u.nS, "g_in": u.nS}  # fmt: skip


def nest_parameters(cls, overrides: dict) -> dict:
    """A NEST status dictionary as keyword arguments of ``cls``, in its units."""
    signature = inspect.signature(cls).parameters
    params = {}
    for key, value in overrides.items():
        default = signature[key].default
        if isinstance(default, bool):
            params[key] = bool(value)
        elif u.is_quantity(default):
            params[key] = u.with_unit(np.asarray(value, np.float64), u.get_unit(default))
        elif isinstance(default, tuple):  # a kernel list: its unit is the model's
            params[key] = u.with_unit(np.asarray(value, np.float64), getattr(cls, key).unit)
        else:
            params[key] = value
    return params


def replay(cls, model: str, weight_unit) -> tuple[list, dict]:
    """Each neuron of the deterministic protocol run alone; returns ``[(ours, our spike
    times), ...]`` per neuron and the NEST recording."""
    ref = load_deterministic(model)
    protocol = ref["protocol"]
    current, spikes = input_arrays(protocol, len(protocol["neurons"]))
    out = []
    for k, overrides in enumerate(protocol["neurons"]):
        nd.random.seed(k)
        neuron = cls(1, **nest_parameters(cls, overrides))
        driven = _Stimulated(neuron, {0: None}, weight_unit)
        nd.init_all_states(driven)
        weights = {0: jnp.asarray(spikes[0][:, k : k + 1])}

        def step(i, current, weights, driven=driven):
            with nd.environ.context(t=i * DT * u.ms):
                return driven(current, weights)

        records, spike = nd.for_loop(
            step, jnp.arange(len(current)), jnp.asarray(current[:, k : k + 1]), weights
        )
        ours = {name: np.asarray(u.to_float(v, UNITS[name]))[:, 0] for name, v in records.items()}
        times = (np.arange(len(current)) + 1) * DT
        out.append((ours, np.repeat(times, np.asarray(spike[:, 0], int))))
    return out, ref


def our_statistics(cls, model: str, condition: str, seed: int = 0) -> dict:
    """``spike_statistics`` of ``N_NEURONS`` neurons of ``condition`` run for ``DURATION``."""
    nd.random.seed(seed)
    neuron = cls(N_NEURONS, **nest_parameters(cls, CONDITIONS[model][condition]))
    nd.init_all_states(neuron)
    n_steps = int(round(DURATION / DT))
    result = nd.run(neuron, n_steps * DT * u.ms, monitors={"spike": neuron.spike})
    counts = np.asarray(result["spike"], int)
    step, sender = np.nonzero(counts)
    multiplicity = counts[step, sender]
    return spike_statistics(
        np.repeat(step + 1, multiplicity), np.repeat(sender, multiplicity), N_NEURONS, n_steps
    )


def assert_same_statistics(ours: dict, theirs: dict, z_max: float = 4.0) -> dict:
    """The means over neurons of rate, CV and Fano factor agree within ``z_max``
    standard errors (the neurons are independent, so per-neuron values are i.i.d.).
    Returns the z-scores."""
    scores = {}
    for key in ("rate", "cv", "fano"):
        a, b = ours[key][np.isfinite(ours[key])], theirs[key][np.isfinite(theirs[key])]
        error = np.hypot(a.std(ddof=1) / np.sqrt(len(a)), b.std(ddof=1) / np.sqrt(len(b)))
        scores[key] = (a.mean() - b.mean()) / error
        assert abs(scores[key]) < z_max, (key, a.mean(), b.mean(), scores[key])
    return scores
