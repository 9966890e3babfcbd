"""The network API: NEST's Create/Connect/Simulate/GetStatus/SetStatus, delays, errors."""

import numpy as np
import pytest

import neurodyn as nd
import neurodyn.network as nest
from neurodyn import units as u


@pytest.fixture(autouse=True)
def float64():
    nd.environ.set(precision=64)
    nest.ResetKernel()
    yield
    nd.environ.set(precision=32)


def _driven_pair(delay_ms, weight=2.0):
    """Neuron 0 fires (strong I_e); neuron 1 (iaf_psc_delta, quiet) gets its spike."""
    net = nd.Network()
    source = net.create("iaf_psc_delta", 1, {"I_e": 1000.0})
    target = net.create("iaf_psc_delta", 1)
    spikes = net.create("spike_recorder")
    volts = net.create("voltmeter", params={"interval": 0.1})
    net.connect(source, target, "one_to_one", {"weight": weight, "delay": delay_ms})
    net.connect(source, spikes)
    net.connect(volts, target)
    return net, spikes, volts


@pytest.mark.parametrize("delay_ms,steps", [(0.1, 1), (1.0, 10), (1.27, 13), (1.25, 13), (3.3, 33)])
def test_a_spike_arrives_exactly_delay_steps_later(delay_ms, steps):
    net, spikes, volts = _driven_pair(delay_ms)
    net.simulate(20.0 * u.ms)
    first_spike = spikes.get("events")["times"][0]  # end of the step it was emitted in
    V = volts.get("events")["V_m"]
    times = volts.get("events")["times"]
    jump = np.flatnonzero(np.diff(V) > 1.0)[0] + 1  # the first sample after the jump
    # emitted in step s (stamp (s+1) dt), seen in the update of step s + d (stamp s+d+1)
    expected = first_spike + steps * 0.1
    assert times[jump] == pytest.approx(expected)
    # the jump is the weight, after the membrane's decay over that step (E_L = -70 mV)
    decay = np.exp(-0.1 / 10.0)
    assert V[jump] - (-70.0 + (V[jump - 1] + 70.0) * decay) == pytest.approx(2.0, abs=1e-9)


def test_time_continues_and_recorders_keep_their_events():
    net, spikes, volts = _driven_pair(1.5)
    net.simulate(10.0 * u.ms)
    once = spikes.get("n_events")
    net.simulate(10.0)  # NEST's plain ms
    assert net.time == 20.0 * u.ms
    whole, whole_spikes, _ = _driven_pair(1.5)
    whole.simulate(20.0 * u.ms)
    np.testing.assert_array_equal(spikes.get("events")["times"],
                                  whole_spikes.get("events")["times"])  # fmt: skip
    assert spikes.get("n_events") > once > 0
    assert len(volts.get("events")["times"]) == 200


def test_module_functions_act_on_the_default_network():
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": 3})
    neurons = nest.Create("iaf_psc_alpha", 4, params={"I_e": 500.0})
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    nest.Simulate(30.0)
    assert nest.GetKernelStatus("biological_time") == pytest.approx(30.0)
    assert nest.GetStatus(recorder, "n_events") > 0
    nest.SetStatus(neurons[:2], {"I_e": 0.0})
    np.testing.assert_array_equal(np.asarray(nest.GetStatus(neurons, "I_e").mantissa),
                                  [0.0, 0.0, 500.0, 500.0])  # fmt: skip


def test_setstatus_validates_as_construction_does_and_changes_nothing_on_error():
    neurons = nest.Create("iaf_psc_delta", 3)
    with pytest.raises(nd.ParameterError, match="tau_m must be > 0 ms"):
        nest.SetStatus(neurons, {"tau_m": -1.0})
    with pytest.raises(nd.ParameterError, match="V_reset must be < V_th"):
        nest.SetStatus(neurons[1:], {"V_reset": -40.0})
    assert float(neurons.node.tau_m.to_decimal(u.ms)) == 10.0
    nest.SetStatus(neurons[1:], {"V_m": -60.0})
    np.testing.assert_array_equal(np.asarray(neurons.get("V_m").mantissa), [-70.0, -60.0, -60.0])


@pytest.mark.parametrize(
    "build,match",
    [
        (lambda: nest.Create("iaf_psc_dleta", 2), "unknown model 'iaf_psc_dleta'"),
        (lambda: nest.Create("iaf_psc_delta", 0), "n must be a positive whole number"),
        (lambda: nest.Create("iaf_psc_delta", 2, {"tau": 3.0}), "has no parameter 'tau'"),
        (lambda: nest.Create("iaf_psc_delta", 2, {"C_m": -1.0}), "C_m must be > 0"),
    ],
)
def test_create_errors(build, match):
    with pytest.raises(nd.ParameterError, match=match):
        build()


@pytest.mark.parametrize(
    "conn_spec,syn_spec,match",
    [
        ({"rule": "pairwise_bernoulli", "p": 1.5}, None, r"p must lie in \[0"),
        ({"rule": "fixed_indegree", "indegree": 11, "allow_multapses": False}, None, "indegree"),
        ({"rule": "fixed_tota_number", "N": 3}, None, "rule 'fixed_tota_number' is not known"),
        ("all_to_all", {"delay": 0.04}, "shorter than dt"),
        ("all_to_all", {"delay": 1.0 * u.mV}, "delay"),
        ("all_to_all", {"weight": 1.0 * u.nS}, "weight must be in units of mV"),
        ("all_to_all", {"receptor_type": 3}, "no receptor_type 3"),
        ("all_to_all", {"synapse_model": "bogus_synapse"}, "synapse_model"),
        ("all_to_all", {"wieght": 1.0}, "unknown keys"),
    ],
)
def test_connect_errors_name_the_parameter_and_rule(conn_spec, syn_spec, match):
    a = nest.Create("iaf_psc_delta", 10)
    b = nest.Create("iaf_psc_delta", 10)
    with pytest.raises(nd.ParameterError, match=match):
        nest.Connect(a, b, conn_spec, syn_spec)


def test_devices_connected_to_what_they_cannot_drive_are_refused():
    neurons = nest.Create("iaf_psc_delta", 3)
    recorder = nest.Create("spike_recorder")
    meter = nest.Create("multimeter", params={"record_from": ["V_m"]})
    with pytest.raises(nd.ParameterError, match="cannot connect spike_recorder to"):
        nest.Connect(recorder, neurons)
    with pytest.raises(nd.ParameterError, match="cannot connect iaf_psc_delta to multimeter"):
        nest.Connect(neurons, meter)
    bad_meter = nest.Create("multimeter", params={"record_from": ["g_ex"]})
    with pytest.raises(nd.ParameterError, match="has no recordable 'g_ex'"):
        nest.Connect(bad_meter, neurons)


@pytest.mark.parametrize(
    "model,params",
    [
        ("aeif_cond_alpha_multisynapse", {"E_rev": [0.0, -80.0], "tau_syn": [2.0, 5.0]}),
        ("aeif_cond_beta_multisynapse",
         {"E_rev": [0.0], "tau_rise": [1.0], "tau_decay": [3.0]}),
        ("gif_cond_exp_multisynapse", {"E_rev": [0.0, -80.0], "tau_syn": [2.0, 5.0]}),
    ],
)  # fmt: skip
def test_negative_weights_onto_conductance_receptors_are_refused(model, params):
    source = nest.Create("iaf_psc_delta", 4, {"I_e": 1000.0})
    target = nest.Create(model, 2, params)
    nest.Connect(source, target, syn_spec={"weight": 1.0, "receptor_type": 1})
    weights = np.array([1.0, 2.0, -0.5, 1.0, 1.0, 1.0, 1.0, 1.0])  # one per synapse
    with pytest.raises(nd.ParameterError, match=f"{model} takes non-negative weights only"):
        nest.Connect(source, target, syn_spec={"weight": weights, "receptor_type": 1})
    with pytest.raises(nd.ParameterError, match="got -3"):
        nest.Connect(source, target, syn_spec={"weight": -3.0, "receptor_type": 1})


def test_a_recorder_that_overflows_its_buffer_keeps_every_event():
    """~400 Hz is more than the buffer is first sized for (100 Hz): the call is run again
    with room for every event, and the record equals ten short calls' record."""

    def fast_network():
        net = nd.Network()
        neurons = net.create("iaf_psc_delta", 200, {"I_e": 10000.0})
        recorder = net.create("spike_recorder")
        net.connect(neurons, recorder)
        return net, recorder

    net, recorder = fast_network()
    net.simulate(100.0)
    short, short_recorder = fast_network()
    for _ in range(10):
        short.simulate(10.0)
    long_events, short_events = recorder.get("events"), short_recorder.get("events")
    assert len(long_events["times"]) > 200 * 100 * 1e-4 * 100 + 1024  # it did overflow
    np.testing.assert_array_equal(long_events["times"], short_events["times"])
    np.testing.assert_array_equal(long_events["senders"], short_events["senders"])


def test_list_parameters_in_nest_units_through_create():
    """NEST's list parameters (tau_syn, q_sfa, tau_sfa, ...) as plain numbers in NEST's
    units, as a NEST script gives them."""
    net = nd.Network()
    multi = net.create("iaf_psc_exp_multisynapse", 2, {"tau_syn": [0.5, 2.0, 5.0]})
    assert multi.node.n_synapses == 3
    np.testing.assert_allclose(u.to_float(multi.node.tau_syn, u.ms), [0.5, 2.0, 5.0])
    gif = net.create("gif_psc_exp", 1, {"q_sfa": [10.0, 2.0], "tau_sfa": [50.0, 200.0]})
    np.testing.assert_allclose(u.to_float(gif.node.q_sfa, u.mV), [10.0, 2.0])
    with pytest.raises(nd.ParameterError, match="tau_syn must list one value per receptor"):
        net.create("iaf_psc_alpha_multisynapse", 1, {"tau_syn": []})
    with pytest.raises(nd.ParameterError, match="tau_syn must be > 0"):
        net.create("iaf_psc_alpha_multisynapse", 1, {"tau_syn": [1.0, -2.0]})
