"""astrocyte_lr_1994 and aeif_cond_alpha_astro against NEST 3.10 (``make_astrocyte.py``),
through the network API as NEST's script builds them: three astrocytes driven by spike
trains and a calcium current replay NEST's IP3, Ca_astro and h_IP3R, and through
``sic_connection`` their SIC drives aeif_cond_alpha_astro neurons (which also get
spikes) to NEST's I_SIC, V_m, conductances, adaptation and spike times."""

import json

import numpy as np
import pytest
from make_astrocyte import NEURONS, SIC_DELAY, load

import neurodyn as nd
from neurodyn import units as u

#: the astrocyte's recordables and their units
UNITS = {"IP3": u.uM, "Ca_astro": u.uM, "h_IP3R": u.UNITLESS}


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def test_network_with_sic_connection_matches_nest():
    data, protocol = load()
    net = nd.Network()
    astrocytes = net.create("astrocyte_lr_1994", len(protocol["neurons"]))
    for k, overrides in enumerate(protocol["neurons"]):
        astrocytes[k].set(overrides)  # parameters and initial values, as NEST's SetStatus
    neurons = net.create("aeif_cond_alpha_astro", len(astrocytes), NEURONS["params"])
    sic = {"synapse_model": "sic_connection", "weight": NEURONS["sic_weight"], "delay": SIC_DELAY}
    net.connect(astrocytes, neurons, "one_to_one", syn_spec=sic)
    for stim in protocol["stimuli"]:
        device = net.create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            net.connect(device, astrocytes[target], syn_spec=stim["syn"])
    for stim in NEURONS["stimuli"]:
        device = net.create("spike_generator", params={"spike_times": stim["spike_times"]})
        net.connect(device, neurons, syn_spec={"weight": stim["weight"], "delay": 1.0})
    spikes = net.create("spike_recorder")
    net.connect(neurons, spikes)
    recorded = dict.fromkeys(["I_SIC", "V_m", "g_ex", "g_in", "w"], neurons)
    recorded |= dict.fromkeys(["IP3", "Ca_astro", "h_IP3R"], astrocytes)
    meters = {}
    for nodes in (neurons, astrocytes):
        names = [name for name, of in recorded.items() if of is nodes]
        meters[nodes.model] = net.create("multimeter", params={"record_from": names,
                                                               "interval": 1.0})  # fmt: skip
        net.connect(meters[nodes.model], nodes)
    net.simulate(protocol["duration"])
    # largest deviations seen (float64, x86-64): I_SIC 2.2e-12 pA, V_m 1.5e-12 mV,
    # g_ex 8.9e-16 nS, g_in 1.8e-15 nS, w 1.7e-13 pA, IP3 5.6e-17 uM, Ca_astro
    # 1.4e-16 uM, h_IP3R 0; the SIC is off at first, then up to ~380 pA
    assert data["I_SIC"].max() > 100.0 and (data["I_SIC"][0] == 0).all()
    for name, nodes in recorded.items():
        events = meters[nodes.model].get("events")
        ours = np.asarray(events[name]).reshape(-1, len(nodes))
        np.testing.assert_allclose(ours, data[name], rtol=0, atol=1e-9, err_msg=name)
    events = spikes.get("events")
    senders = np.asarray(events["senders"]) - neurons.tolist()[0]
    ours = sorted(zip(np.asarray(events["times"]).round(6), senders, strict=True))
    theirs = sorted(zip(data["spike_times"].round(6), data["spike_senders"], strict=True))
    assert len(theirs) > 50 and ours == theirs


def test_sic_connection_refuses_other_nodes():
    net = nd.Network()
    astrocyte = net.create("astrocyte_lr_1994")
    neuron = net.create("aeif_cond_alpha_astro")
    other = net.create("iaf_psc_alpha")
    sic = {"synapse_model": "sic_connection"}
    with pytest.raises(nd.ParameterError, match="starts at astrocytes"):
        net.connect(other, neuron, syn_spec=sic)
    with pytest.raises(nd.ParameterError, match="ends on neurons that take a SIC"):
        net.connect(astrocyte, other, syn_spec=sic)
    with pytest.raises(nd.ParameterError, match="is a factor"):
        net.connect(astrocyte, neuron, syn_spec={**sic, "weight": 1.0 * u.pA})
    net.connect(astrocyte, other)  # a static synapse: the astrocyte has no spikes to send
    with pytest.raises(nd.ParameterError, match="does not spike"):
        net.simulate(1.0)


def test_defaults_are_nests():
    data, _ = load()
    nodes = nd.Network().create("astrocyte_lr_1994")
    declared = nodes.node.declared_params()
    checked = 0
    for key, value in json.loads(str(data["defaults_json"])).items():
        if key in declared or key in UNITS:
            unit = declared[key].unit if key in declared else UNITS[key]
            ours = nodes.get(key)
            ours = u.to_float(ours, unit) if u.is_quantity(ours) else ours
            assert float(np.ravel(ours)[0]) == pytest.approx(value, rel=1e-12), key
            checked += 1
    assert checked == len(declared) + len(UNITS)  # every parameter and initial value
