"""gif_psc_exp_multisynapse / gif_cond_exp_multisynapse against NEST 3.10
(``make_gif_multisynapse.py``).

(a) With the escape noise off or certain, V_m, E_sfa and I_stc replay NEST's recordings
and the spikes are in NEST's steps, with a spike train on each of three receptors. (b)
With real escape noise and the same regular trains on the three receptors, the firing
rate, CV of the interspike intervals and Fano factor of 100 neurons over 1 s agree with
NEST's within sampling error.
"""

import inspect

import jax.numpy as jnp
import numpy as np
import pytest
from make_gif_multisynapse import (
    DRIVE,
    DRIVEN,
    DURATION,
    N_NEURONS,
    RECEPTORS,
    drive_times,
    load_deterministic,
    load_stats,
)
from make_stochastic_models import spike_statistics
from protocol_driver import DT, _Stimulated, input_arrays
from stochastic_driver import assert_same_statistics

import neurodyn as nd
from neurodyn import units as u

_MODELS = {
    "gif_psc_exp_multisynapse": (nd.nest.gif_psc_exp_multisynapse, u.pA),
    "gif_cond_exp_multisynapse": (nd.nest.gif_cond_exp_multisynapse, u.nS),
}
_UNITS = {"V_m": u.mV, "E_sfa": u.mV, "I_stc": u.pA}
# Largest differences from NEST seen (float64, x86-64): gif_psc_exp_multisynapse V_m
# 4.8e-13 mV, E_sfa 7.1e-15 mV, I_stc 3.6e-15 pA (exact propagators);
# gif_cond_exp_multisynapse V_m 7.1e-15 mV, E_sfa 7.1e-15 mV, I_stc 3.6e-15 pA (GSL's
# RKF45 steps). Tolerance with a wide margin:
_TOL = 1e-9


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def _params(cls, neurons: list[dict], defaults: dict) -> dict:
    """NEST's per-neuron overrides (else its defaults) as keyword arguments of ``cls``:
    scalars as per-neuron arrays, lists with a leading axis of neurons."""
    signature = inspect.signature(cls).parameters
    params = {}
    for key in sorted({k for n in neurons for k in n}):
        values = np.array([n.get(key, defaults.get(key)) for n in neurons], np.float64)
        default = signature[key].default
        unit = getattr(cls, key).unit if isinstance(default, tuple) else u.get_unit(default)
        params[key] = u.with_unit(values, unit)
    return params


@pytest.mark.parametrize("model", _MODELS)
def test_noise_off_or_certain_replays_nest(model):
    cls, weight_unit = _MODELS[model]
    ref = load_deterministic(model)
    protocol = ref["protocol"]
    neuron = cls(len(protocol["neurons"]), **_params(cls, protocol["neurons"], ref["defaults"]))
    current, spikes = input_arrays(protocol, neuron.num)
    assert sorted(spikes) == [1, 2, 3]
    driven = _Stimulated(neuron, {r: str(r) for r in spikes}, weight_unit)
    nd.init_all_states(driven)

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, weights)

    records, spike = nd.for_loop(
        step,
        jnp.arange(len(current)),
        jnp.asarray(current),
        {r: jnp.asarray(w) for r, w in spikes.items()},
    )
    expected = np.zeros(spike.shape)
    np.add.at(expected, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    np.testing.assert_array_equal(np.asarray(spike), expected)
    assert (expected.sum(axis=0) > 0).tolist() == [False, True, True]
    assert set(records) == {k for k in ref if k[0].isupper()} == set(_UNITS)
    for name, value in records.items():
        ours = np.asarray(u.to_float(value, _UNITS[name]))
        np.testing.assert_allclose(ours, ref[name], rtol=0, atol=_TOL, err_msg=f"{model} {name}")


class _Driven(nd.Module):
    """The neuron with one labelled delta input per receptor, fed the same weight in
    every neuron."""

    def __init__(self, neuron, weight_unit):
        super().__init__()
        self.neuron, self.states = neuron, {}
        for label in neuron.RECEPTOR_TYPES:
            state = nd.ShortTermState(u.with_unit(jnp.zeros(neuron.varshape), weight_unit))
            neuron.add_delta_input(f"drive-{label}", (lambda s=state: s.value), label=label)
            self.states[label] = state

    def update(self, weights):
        for j, state in enumerate(self.states.values()):
            state.value = u.math.full_like(state.value, weights[j] * u.get_unit(state.value))
        return self.neuron()


@pytest.mark.parametrize("model", _MODELS)
def test_escape_noise_statistics_match_nest(model):
    cls, weight_unit = _MODELS[model]
    n_steps = int(round(DURATION / DT))
    weights = np.zeros((n_steps, len(RECEPTORS[model]["tau_syn"])))
    for receptor, weight, period, first in DRIVE[model]:
        for t in drive_times(period, first):  # delivered at the end of step (t + 1 ms) / dt
            weights[int(round((t + 1.0) / DT)) - 1, receptor - 1] += weight
    nd.random.seed(0)
    params = _params(cls, [dict(DRIVEN[model], **RECEPTORS[model])], {})
    neuron = cls(N_NEURONS, **{k: v[0] for k, v in params.items()})
    driven = _Driven(neuron, weight_unit)
    nd.init_all_states(driven)

    def step(i, w):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(w)

    counts = np.asarray(nd.for_loop(step, jnp.arange(n_steps), jnp.asarray(weights)), int)
    assert weights[:, 1].sum() != 0 and weights[:, 2].sum() != 0
    when, sender = np.nonzero(counts)
    ours = spike_statistics(when + 1, sender, N_NEURONS, n_steps)
    assert_same_statistics(ours, load_stats(model))


@pytest.mark.parametrize("model", _MODELS)
def test_defaults_are_nests(model):
    """Every scalar parameter NEST reports is our default; NEST has one receptor."""
    cls, _ = _MODELS[model]
    neuron = cls(1)
    defaults = load_deterministic(model)["defaults"]
    assert neuron.n_receptors == defaults["n_receptors"] == 1
    checked = []
    for key, value in defaults.items():
        if key in cls.declared_params() and key not in ("tau_minus", "tau_minus_triplet"):
            ours = getattr(neuron, key)
            unit = u.get_unit(ours) if u.is_quantity(ours) else u.UNITLESS
            assert float(u.to_float(ours, unit)) == pytest.approx(value, rel=1e-12), key
            checked.append(key)
    assert len(checked) >= 9
    np.testing.assert_array_equal(u.to_float(neuron.tau_syn, u.ms), [2.0])
    nd.init_all_states(neuron)
    assert float(neuron.record("V_m").to_decimal(u.mV)[0]) == defaults["V_m"]
    assert neuron.recordables == ("V_m", "E_sfa", "I_stc")


def test_receptor_lists_are_checked():
    with pytest.raises(nd.ParameterError, match="E_rev and tau_syn must have the same length"):
        nd.nest.gif_cond_exp_multisynapse(2, tau_syn=[1.0, 2.0] * u.ms, E_rev=[0.0] * u.mV)
    with pytest.raises(nd.ParameterError, match="one value per receptor"):
        nd.nest.gif_psc_exp_multisynapse(2, tau_syn=[] * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_syn must be > 0"):
        nd.nest.gif_psc_exp_multisynapse(2, tau_syn=[1.0, -2.0] * u.ms)
    neuron = nd.nest.gif_cond_exp_multisynapse(
        2, tau_syn=[1.0, 2.0] * u.ms, E_rev=[0.0, -80.0] * u.mV
    )
    with pytest.raises(nd.ParameterError, match="E_rev is set at construction"):
        neuron.E_rev = [0.0, -70.0] * u.mV


def test_spikes_need_a_receptor():
    neuron = nd.nest.gif_psc_exp_multisynapse(1, tau_syn=[1.0, 2.0] * u.ms)
    nd.init_all_states(neuron)
    neuron.add_delta_input("x", lambda: 1.0 * u.pA)
    with pytest.raises(nd.ParameterError, match="unlabelled spike input"):
        neuron()
