"""iaf_psc_exp_htum / iaf_tum_2000 against NEST 3.10 recordings (exact propagators).

``iaf_psc_exp_htum`` runs with ``t_ref_abs = 1 ms < t_ref_tot = 8 ms`` (V crosses V_th
inside the total period in the strong step); ``iaf_tum_2000``'s ``spikes_stp`` sends
the spikes of one neuron, scaled by its release ``u x`` (NEST's spike offset), to
another through receptor 1.
"""

import numpy as np
import pytest
from protocol_driver import P, build, reference, simulate, simulate_protocols, simulate_wired

import neurodyn as nd
from neurodyn import units as u

_MODELS = {"iaf_psc_exp_htum": nd.nest.iaf_psc_exp_htum, "iaf_tum_2000": nd.nest.iaf_tum_2000}
_SHARED = ["dc", "step", "spikes_ex", "spikes_in"]
# Largest differences from NEST seen (float64, x86-64): V_m 1.8e-13 mV, I_syn 4.6e-13 pA,
# release u*x 2.8e-17 (exact propagators); tolerances with a wide margin:
_TOL = 1e-9  # mV, pA


def _same_spikes(ref: dict, spikes: list) -> None:
    for k, ours in enumerate(spikes):
        theirs = ref["spike_times"][ref["spike_senders"] == k]
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@pytest.fixture(scope="module", params=list(_MODELS))
def shared(request):
    model = request.param
    nd.environ.set(precision=64)
    try:
        return model, simulate_protocols(_MODELS[model], model, _SHARED, u.pA)
    finally:
        nd.environ.set(precision=32)


@pytest.mark.parametrize("protocol", _SHARED)
def test_matches_nest(shared, protocol):
    model, runs = shared
    ours, spikes, ref = runs[protocol]
    _same_spikes(ref, spikes)
    for name in P.RECORDABLES[model]:
        np.testing.assert_allclose(ours[name], ref[name], rtol=0, atol=_TOL, err_msg=name)


def test_total_refractoriness_delays_a_spike_past_threshold():
    """In the strong step V reaches V_th before t_ref_tot ends: the spike waits for it."""
    ref = reference("iaf_psc_exp_htum", "step")
    V, V_th = ref["V_m"][:, 0], ref["neuron_status"][0]["V_th"]
    steps = ref["spike_steps"]
    late = [s for s in steps if V[s - 2] >= V_th]  # V was above V_th a step before
    assert late, "the protocol should show a delayed spike"


def test_stp_spikes_match_nest():
    model = "iaf_tum_2000"
    nd.environ.set(precision=64)
    try:
        ref = reference(model, "spikes_stp")
        protocol = ref["protocol"]
        neuron = build(nd.nest.iaf_tum_2000, model, protocol)
        weights = np.zeros((P.n_steps(protocol), 2))
        stimulus = protocol["stimuli"][0]
        for t_s in stimulus["params"]["spike_times"]:
            weights[int(round((t_s + stimulus["syn"]["delay"]) / P.DT)) - 1, 0] += stimulus["syn"][
                "weight"
            ]
        ours, spikes = simulate_wired(
            neuron,
            protocol,
            {"ex": u.pA, "1": u.pA},
            {"ex": weights},
            payload=lambda n, receptor: n.spike_offset.value,
            extra=("spike_offset",),
        )
    finally:
        nd.environ.set(precision=32)
    _same_spikes(ref, spikes)
    assert len(spikes[1]) > 0, "the scaled spikes should make neuron 1 fire"
    for name in P.RECORDABLES[model]:
        np.testing.assert_allclose(ours[name], ref[name], rtol=0, atol=_TOL, err_msg=name)
    # the release each spike carried, as NEST's spike offsets
    fired = ref["spike_senders"] == 0
    offsets = ours["spike_offset"][ref["spike_steps"][fired] - 1, 0]
    np.testing.assert_allclose(offsets, ref["spike_offsets"][fired], rtol=1e-12, atol=0)


def test_stp_closed_form():
    """Two spikes ``T`` apart from a neuron whose synapse starts recovered (``x = 1``):
    the releases are ``U`` and ``u_2 x_2`` with Tsodyks' closed forms."""
    U, tau_fac, tau_rec, tau_psc = 0.3, 50.0, 200.0, 3.0
    nd.environ.set(precision=64)
    try:
        neuron = nd.nest.iaf_tum_2000(1, U=U, tau_fac=tau_fac * u.ms, tau_rec=tau_rec * u.ms,
                                      tau_psc=tau_psc * u.ms, x=1.0)  # fmt: skip
        nd.init_all_states(neuron)
        released = []
        neuron.release(np.array([1.0]), np.array([0.0]))
        released.append(float(neuron.spike_offset.value[0]))
        T = 20.0
        neuron.release(np.array([1.0]), np.array([T]))
        released.append(float(neuron.spike_offset.value[0]))
    finally:
        nd.environ.set(precision=32)
    y1 = U  # released by the first spike, from x = 1
    u2 = U * np.exp(-T / tau_fac)
    u2 = u2 + U * (1 - u2)
    # y decays with tau_psc into z (inactive), z recovers into x with tau_rec
    y_T = y1 * np.exp(-T / tau_psc)
    z_T = y1 / tau_psc * (np.exp(-T / tau_psc) - np.exp(-T / tau_rec)) / (1 / tau_rec - 1 / tau_psc)
    x_T = 1.0 - y_T - z_T
    np.testing.assert_allclose(released, [U, u2 * x_T], rtol=1e-12)


@pytest.mark.parametrize("model", list(_MODELS))
def test_defaults_and_recordables_match_nest(model):
    neuron = _MODELS[model](1)
    defaults = P.load(model)["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES[model])
    for name, spec in type(neuron).declared_params().items():
        if name in defaults:
            value = u.to_float(getattr(neuron, name), spec.unit)
            assert float(value) == defaults[name], name
    assert set(type(neuron).declared_params()) - {"tau_minus", "tau_minus_triplet"} <= set(defaults)
    nd.init_all_states(neuron)
    assert float(neuron.V.value.to_decimal(u.mV)[0]) == defaults["V_m"]
    if model == "iaf_tum_2000":
        for key in ("x", "y", "u"):
            assert float(getattr(neuron, key).value[0]) == defaults[key]


@pytest.mark.parametrize(
    "model,kwargs,match",
    [
        ("iaf_psc_exp_htum", dict(t_ref_abs=3.0 * u.ms), "t_ref_abs must be <= t_ref_tot"),
        ("iaf_psc_exp_htum", dict(t_ref_tot=0.0 * u.ms), "t_ref_tot"),
        ("iaf_psc_exp_htum", dict(V_reset=-50.0 * u.mV), "V_reset"),
        ("iaf_tum_2000", dict(U=1.5), "U"),
        ("iaf_tum_2000", dict(tau_fac=-1.0 * u.ms), "tau_fac"),
        ("iaf_tum_2000", dict(delta=1.0 * u.mV), "delta must be 0"),
        ("iaf_tum_2000", dict(x=0.7, y=0.5), "x \\+ y must be <= 1"),
        ("iaf_tum_2000", dict(u=2.0), "u must lie in"),
    ],
)
def test_parameters_validated_as_nest_does(model, kwargs, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model](2, **kwargs)


@pytest.mark.parametrize("model", list(_MODELS))
def test_through_the_network_layer(model):
    net = nd.Network()
    neuron = net.create(model, params={"I_e": 0.0})
    assert type(neuron.node).WEIGHT_UNIT == u.pA
    generator = net.create("spike_generator", params={"spike_times": [1.0]})
    net.connect(generator, neuron, syn_spec={"weight": 100.0})
    meter = net.create("multimeter", params={"record_from": ["I_syn_ex", "V_m"]})
    net.connect(meter, neuron)
    net.simulate(3.0)
    events = meter.get("events")
    times, current = events["times"], events["I_syn_ex"]
    # the spike sent at 1 ms arrives (delay 1 ms) at the end of the step ending at 2 ms
    assert np.all(current[times < 1.95] == 0.0) and current[times > 1.95].max() == 100.0


def test_single_step_simulate_equals_protocol_run():
    """build + simulate (one protocol) gives what the merged run gives."""
    nd.environ.set(precision=64)
    try:
        ref = reference("iaf_psc_exp_htum", "dc")
        ours, _ = simulate(build(nd.nest.iaf_psc_exp_htum, "iaf_psc_exp_htum", ref["protocol"]),
                           ref["protocol"], u.pA)  # fmt: skip
    finally:
        nd.environ.set(precision=32)
    np.testing.assert_allclose(ours["V_m"], ref["V_m"], rtol=0, atol=_TOL)


def test_iaf_tum_2000_release_travels_through_the_network_on_receptor_1():
    """Through nd.Network, a spike on receptor 1 carries weight * (the presynaptic
    neuron's release u x), as NEST sends it in the spike's offset; receptor 0 carries
    the plain weight."""
    nd.environ.set(precision=64)
    try:
        net = nd.Network()
        pre = net.create("iaf_tum_2000", 1, {"I_e": 600.0})
        stp, plain = net.create("iaf_tum_2000", 1), net.create("iaf_tum_2000", 1)
        net.connect(pre, stp, syn_spec={"weight": 100.0, "receptor_type": 1, "delay": 1.0})
        net.connect(pre, plain, syn_spec={"weight": 100.0, "delay": 1.0})
        net.simulate(60.0)
        i_stp = float(u.to_float(stp.node.I_syn_ex.value[0], u.pA))
        i_plain = float(u.to_float(plain.node.I_syn_ex.value[0], u.pA))
        assert 0.0 < i_stp < 0.9 * i_plain  # each spike scaled by its release u x < 1
    finally:
        nd.environ.set(precision=32)
