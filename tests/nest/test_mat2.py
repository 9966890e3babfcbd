"""mat2_psc_exp / amat2_psc_exp against NEST 3.10 (``make_mat2.py``).

Deterministic models with exact propagators: every recordable replays NEST's recording
and every spike is in NEST's step (constant and stepped currents, spike trains of both
signs, non-default parameters with a refractory period that is not a whole number of
steps).
"""

import inspect

import jax.numpy as jnp
import numpy as np
import pytest
from make_mat2 import load
from protocol_driver import DT, _Stimulated, input_arrays

import neurodyn as nd
from neurodyn import units as u

_MODELS = {"mat2_psc_exp": nd.nest.mat2_psc_exp, "amat2_psc_exp": nd.nest.amat2_psc_exp}
_UNITS = {"V_m": u.mV, "V_th": u.mV, "V_th_v": u.mV, "I_syn_ex": u.pA, "I_syn_in": u.pA}
# Largest differences from NEST seen (float64, x86-64): mat2_psc_exp V_m 1.4e-13 mV,
# V_th 0; amat2_psc_exp V_m 3.9e-13 mV, I_syn 2.3e-13 pA, V_th and V_th_v 1.7e-11 mV
# (beta = 0.5/ms: NEST's propagators of the voltage-dependent threshold cancel terms).
# Tolerance with a wide margin:
_TOL = 1e-9


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def _build(cls, ref: dict):
    """One neuron per protocol neuron, NEST's overrides (else its defaults) applied."""
    neurons, signature = ref["protocol"]["neurons"], inspect.signature(cls).parameters
    params = {}
    for key in sorted({k for n in neurons for k in n}):
        values = np.array([n.get(key, ref["defaults"][key]) for n in neurons], np.float64)
        params[key] = u.with_unit(values, u.get_unit(signature[key].default))
    return cls(len(neurons), **params)


def _simulate(neuron, protocol: dict) -> tuple[dict, np.ndarray]:
    """Recordings in NEST's units and spikes per step through ``protocol``."""
    current, spikes = input_arrays(protocol, neuron.num)
    driven = _Stimulated(neuron, {0: None}, u.pA)
    nd.init_all_states(driven)

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, weights)

    records, spike = nd.for_loop(
        step, jnp.arange(len(current)), jnp.asarray(current), {0: jnp.asarray(spikes[0])}
    )
    return {k: np.asarray(u.to_float(v, _UNITS[k])) for k, v in records.items()}, np.asarray(spike)


@pytest.mark.parametrize("model", _MODELS)
def test_replays_nest(model):
    ref = load(model)
    ours, spike = _simulate(_build(_MODELS[model], ref), ref["protocol"])
    expected = np.zeros(spike.shape)
    np.add.at(expected, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    np.testing.assert_array_equal(spike, expected)
    assert (spike.sum(axis=0)[1:] > 0).all()  # every neuron but the subthreshold one fires
    recorded = {k for k in ref if k[0].isupper()}
    assert recorded == set(_MODELS[model].RECORDABLES)
    for name in recorded:
        np.testing.assert_allclose(ours[name], ref[name], rtol=0, atol=_TOL, err_msg=name)


@pytest.mark.parametrize("model", _MODELS)
def test_defaults_are_nests(model):
    """Every parameter NEST reports (``omega`` absolute, ``beta`` in 1/ms) is our default,
    and so is the initial ``V_m``."""
    ref = load(model)
    neuron = _MODELS[model](1)
    checked = 0
    for key, value in ref["defaults"].items():
        if key in type(neuron).declared_params() and key not in ("tau_minus", "tau_minus_triplet"):
            ours = getattr(neuron, key)
            assert float(u.to_float(ours, u.get_unit(ours))) == pytest.approx(value, abs=1e-12), key
            checked += 1
    assert checked == len(type(neuron).declared_params()) - 2
    nd.init_all_states(neuron)
    assert float(neuron.record("V_m").to_decimal(u.mV)[0]) == ref["defaults"]["V_m"]
    assert float(neuron.record("V_th").to_decimal(u.mV)[0]) == ref["defaults"]["V_th"]


def test_amat2_without_beta_is_mat2():
    """NEST's documented identity: with ``beta = 0`` and the same parameters,
    ``amat2_psc_exp`` is ``mat2_psc_exp``."""
    ref = load("mat2_psc_exp")
    mat2 = _build(nd.nest.mat2_psc_exp, ref)
    same = {name: getattr(mat2, name) for name in type(mat2).declared_params()}
    for name in ("tau_minus", "tau_minus_triplet"):
        same.pop(name)
    amat2 = nd.nest.amat2_psc_exp(mat2.num, beta=0.0 / u.ms, tau_v=7.0 * u.ms, **same)
    (a, spike_a), (b, spike_b) = (_simulate(n, ref["protocol"]) for n in (mat2, amat2))
    np.testing.assert_array_equal(spike_a, spike_b)
    np.testing.assert_allclose(a["V_m"], b["V_m"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(b["V_th_v"], 0.0)


@pytest.mark.parametrize(("a", "b"), nd.nest.amat2_psc_exp.DISTINCT)
def test_amat2_time_constants_must_differ(a, b):
    with pytest.raises(nd.ParameterError, match=f"{a} must differ from {b}"):
        nd.nest.amat2_psc_exp(1, **{a: 4.0 * u.ms, b: 4.0 * u.ms})
    neuron = nd.nest.amat2_psc_exp(1)
    with pytest.raises(nd.ParameterError, match="must differ"):
        setattr(neuron, a, getattr(neuron, b))


@pytest.mark.parametrize("model", _MODELS)
def test_network_create(model):
    """Through ``nd.Network().create`` (plain numbers in NEST's units): strong excitatory
    spikes make a neuron fire, inhibitory ones do not; the threshold jumps by alpha_1."""
    net = nd.Network()
    pop = net.create(model, 2, {"alpha_1": 30.0, "beta": 0.1} if model[0] == "a" else {})
    source = net.create("spike_generator", params={"spike_times": [5.0]})
    net.connect(source, pop[0], "all_to_all", {"weight": 3000.0})
    net.connect(source, pop[1], "all_to_all", {"weight": -3000.0})
    recorder = net.create("spike_recorder")
    net.connect(pop, recorder)
    net.simulate(10.0)
    assert recorder.get("events")["senders"].tolist() == [1]
