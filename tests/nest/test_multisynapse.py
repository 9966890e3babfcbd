"""iaf_psc_exp_multisynapse / iaf_psc_alpha_multisynapse against NEST 3.10 recordings.

The four shared protocols (``tests/nest_reference``) drive NEST's default neuron, one
receptor; ``receptors`` (``make_extra_models.py``) has three, with a spike train on
every receptor, of both signs on receptor 3 (the alpha model's third time constant
equals ``tau_m``: the singular case of its propagator).
"""

import jax.numpy as jnp
import numpy as np
import pytest
from make_extra_models import TAU_SYN
from make_extra_models import load as load_extra
from protocol_driver import DT, P, _Stimulated, build, input_arrays, merge_protocols, reference

import neurodyn as nd
from neurodyn import units as u

_MODELS = {
    "iaf_psc_exp_multisynapse": nd.nest.iaf_psc_exp_multisynapse,
    "iaf_psc_alpha_multisynapse": nd.nest.iaf_psc_alpha_multisynapse,
}
_SHARED = ["dc", "step", "spikes_ex", "spikes_in"]
# Largest differences from NEST seen (float64, x86-64): V_m 1.7e-13 mV, I_syn 6.8e-13 pA
# (exact propagators); tolerances with a wide margin:
_TOL = 1e-9  # mV and pA


def _simulate(neuron, protocol: dict) -> tuple[dict, np.ndarray]:
    """Recordings (mV, pA) and spikes per step of ``neuron`` through ``protocol``, its
    spike generators feeding the receptors they name."""
    current, spikes = input_arrays(protocol, neuron.num)
    labels = {number: name for name, number in neuron.RECEPTOR_TYPES.items()}
    driven = _Stimulated(neuron, labels, u.pA)
    nd.init_all_states(driven)
    weights = {r: jnp.asarray(spikes.get(r, np.zeros_like(current))) for r in labels}

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, weights)

    records, spike = nd.for_loop(step, jnp.arange(len(current)), jnp.asarray(current), weights)
    unit = {"V_m": u.mV}
    out = {k: np.asarray(u.to_float(v, unit.get(k, u.pA))) for k, v in records.items()}
    return out, np.asarray(spike)


def _compare(ref: dict, ours: dict, spike: np.ndarray) -> None:
    """The same spikes in the same steps as NEST; every NEST recordable within _TOL."""
    steps = spike.shape[0]
    expected = np.zeros(spike.shape)
    np.add.at(expected, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    np.testing.assert_array_equal(spike, expected[:steps])
    assert spike.sum() > 0
    for key in P.RECORDABLES["iaf_psc_exp_multisynapse"]:  # both models record these
        np.testing.assert_allclose(ours[key][:steps], ref[key], rtol=0, atol=_TOL, err_msg=key)


@pytest.fixture(scope="module", params=list(_MODELS))
def shared(request):
    """The shared protocols of one model, replayed in one run (float64)."""
    model = request.param
    refs = {name: reference(model, name) for name in _SHARED}
    merged, parts = merge_protocols({name: ref["protocol"] for name, ref in refs.items()})
    nd.environ.set(precision=64)
    try:
        ours, spike = _simulate(build(_MODELS[model], model, merged), merged)
    finally:
        nd.environ.set(precision=32)
    return {name: (ref, ours, spike, parts[name]) for name, ref in refs.items()}


@pytest.mark.parametrize("protocol", _SHARED)
def test_one_receptor_matches_nest(shared, protocol):
    ref, ours, spike, part = shared[protocol]
    steps = len(ref["times"])
    mine = {key: value[:steps, part] for key, value in ours.items()}
    _compare(ref, mine, spike[:steps, part])


@pytest.mark.parametrize("model", list(_MODELS))
def test_three_receptors_match_nest(model):
    ref = load_extra(model, "receptors")
    neurons = ref["protocol"]["neurons"]
    nd.environ.set(precision=64)
    try:
        neuron = _MODELS[model](
            len(neurons),
            tau_syn=np.asarray(TAU_SYN[model]) * u.ms,
            I_e=np.array([n.get("I_e", 0.0) for n in neurons]) * u.pA,
        )
        ours, spike = _simulate(neuron, ref["protocol"])
    finally:
        nd.environ.set(precision=32)
    _compare(ref, ours, spike)
    # I_syn is the sum of the receptors' currents, and every receptor was driven
    total = ours["I_syn_1"] + ours["I_syn_2"] + ours["I_syn_3"]
    np.testing.assert_allclose(ours["I_syn"], total, rtol=1e-12, atol=1e-12)
    for k in (1, 2, 3):
        assert np.abs(ours[f"I_syn_{k}"]).max() > 10.0


@pytest.mark.parametrize("model", list(_MODELS))
def test_defaults_and_recordables_match_nest(model):
    neuron = _MODELS[model](1)
    defaults = P.load(model)["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES[model])
    assert neuron.n_synapses == defaults["n_synapses"] == 1
    np.testing.assert_array_equal(u.to_float(neuron.tau_syn, u.ms), [2.0])  # NEST: [2.0]
    for name, unit in [("E_L", u.mV), ("C_m", u.pF), ("tau_m", u.ms), ("t_ref", u.ms),
                       ("V_th", u.mV), ("V_reset", u.mV), ("I_e", u.pA)]:  # fmt: skip
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    nd.init_all_states(neuron)
    assert float(neuron.record("V_m").to_decimal(u.mV)[0]) == defaults["V_m"]


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize(
    "tau_syn,match",
    [
        ([] * u.ms, "one value per receptor"),
        ([1.0, -1.0] * u.ms, "tau_syn must be > 0"),
        ([1.0, 2.0], "tau_syn must be a time"),
        (np.ones((3, 2)) * u.ms, "population shape"),
    ],
)
def test_time_constants_validated(model, tau_syn, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model](2, tau_syn=tau_syn)


def test_time_constants_per_neuron_and_fixed_after_construction():
    neuron = nd.nest.iaf_psc_alpha_multisynapse(2, tau_syn=[[1.0, 3.0], [2.0, 4.0]] * u.ms)
    assert neuron.RECEPTOR_TYPES == {"1": 1, "2": 2}
    with pytest.raises(nd.ParameterError, match="tau_syn is set at construction"):
        neuron.tau_syn = [1.0] * u.ms


def test_exponential_time_constants_must_differ_from_tau_m():
    # NEST's rule for iaf_psc_exp_multisynapse (not for the alpha model)
    with pytest.raises(nd.ParameterError, match="tau_syn must differ from tau_m"):
        nd.nest.iaf_psc_exp_multisynapse(1, tau_syn=[2.0, 10.0] * u.ms)
    neuron = nd.nest.iaf_psc_exp_multisynapse(1, tau_syn=[2.0, 5.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_syn must differ from tau_m"):
        neuron.tau_m = 5.0 * u.ms
    nd.nest.iaf_psc_alpha_multisynapse(1, tau_syn=[2.0, 10.0] * u.ms)


@pytest.mark.parametrize("model", list(_MODELS))
def test_spikes_need_a_receptor(model):
    # NEST refuses receptor_type 0 (and numbers above n_synapses) for these models
    neuron = nd.init_all_states(_MODELS[model](1, tau_syn=[1.0, 2.0] * u.ms))
    neuron.add_delta_input("unlabelled", lambda: 10.0 * u.pA)
    with pytest.raises(nd.ParameterError, match="receptor"):
        neuron()


@pytest.mark.parametrize("model", list(_MODELS))
def test_through_the_network_layer(model):
    net = nd.Network()
    neuron = net.create(model, params={"tau_syn": [0.5, 5.0] * u.ms})
    assert type(neuron.node).WEIGHT_UNIT == u.pA
    generator = net.create("spike_generator", params={"spike_times": [1.0]})
    net.connect(generator, neuron, syn_spec={"weight": 100.0, "receptor_type": 2})
    with pytest.raises(nd.ParameterError, match="no receptor_type 3"):
        net.connect(generator, neuron, syn_spec={"weight": 100.0, "receptor_type": 3})
    meter = net.create("multimeter", params={"record_from": ["I_syn_1", "I_syn_2"]})
    net.connect(meter, neuron)
    net.simulate(3.0)
    events = meter.get("events")
    assert np.all(events["I_syn_1"] == 0.0)
    # the spike sent at 1 ms arrives (delay 1 ms) at the end of the step ending at 2 ms
    times, current = events["times"], events["I_syn_2"]
    assert np.all(current[times < 1.95] == 0.0) and current[times > 2.05].min() > 10.0


@pytest.mark.parametrize("model", list(_MODELS))
def test_per_neuron_capacitance_scales_each_neurons_own_response(model):
    """Neurons with C_m 100, 200, 400 pF (three receptors, so the neuron axis could be
    mistaken for the receptor axis): the same spike moves each V by 1/C_m."""
    nd.environ.set(precision=64)
    C_m = jnp.array([100.0, 200.0, 400.0]) * u.pF
    neuron = nd.init_all_states(_MODELS[model](3, C_m=C_m, tau_syn=[0.5, 2.0, 5.0] * u.ms))
    neuron.add_delta_input("spike", lambda: 100.0 * u.pA * (nd.environ.get("i") == 0), label="2")
    V = nd.run(neuron, 2.0 * u.ms, monitors={"V": neuron.V})["V"]
    rise = np.asarray(u.to_float(V[-1] - (-70.0 * u.mV), u.mV))
    np.testing.assert_allclose(rise * np.array([1.0, 2.0, 4.0]), rise[0], rtol=1e-12)
