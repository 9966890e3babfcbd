"""A network with heterogeneous delays, built through the network API, against NEST 3.10.

tests/nest_reference/data/network_delays.npz: 10 iaf_psc_alpha and 10 iaf_psc_delta with
their own I_e, 60 connections in all four directions with delays from 0.1 to 5 ms
(ties such as 0.15 and 1.25 ms rounded as NEST rounds them), a spike_generator onto
four neurons. Same spikes (step and sender) and V_m of every neuron in every step.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd

DATA = Path(__file__).parents[1] / "nest_reference" / "data" / "network_delays.npz"


@pytest.fixture(scope="module")
def reference():
    data = np.load(DATA)
    return {key: data[key] for key in data.files}


@pytest.fixture(scope="module")
def simulated(reference):
    nd.environ.set(precision=64)
    try:
        protocol = json.loads(str(reference["protocol_json"]))
        neurons = protocol["neurons"]
        net = nd.Network()
        alpha = net.create("iaf_psc_alpha", 10, {"I_e": [n["I_e"] for n in neurons[:10]]})
        delta = net.create("iaf_psc_delta", 10, {"I_e": [n["I_e"] for n in neurons[10:]]})
        pops = (alpha, delta)
        c = protocol["connections"]
        pre, post = np.array(c["pre"]), np.array(c["post"])
        weight, delay = np.array(c["weight"]), np.array(c["delay"])
        for a in (0, 1):
            for b in (0, 1):
                chosen = (pre // 10 == a) & (post // 10 == b)
                rule = {"rule": "explicit", "pre": pre[chosen] % 10, "post": post[chosen] % 10}
                net.connect(pops[a], pops[b], rule,
                            {"weight": weight[chosen], "delay": delay[chosen]})  # fmt: skip
        generator = protocol["spike_generator"]
        source = net.create("spike_generator", params=generator["params"])
        for target, w, d in zip(generator["targets"], generator["weight"], generator["delay"],
                                strict=True):  # fmt: skip
            net.connect(source, pops[target // 10][target % 10], "all_to_all",
                        {"weight": w, "delay": d})  # fmt: skip
        spikes = net.create("spike_recorder")
        meter = net.create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
        for pop in pops:
            net.connect(pop, spikes)
            net.connect(meter, pop)
        net.simulate(protocol["duration"])
        return spikes.get("events"), meter.get("events")
    finally:
        nd.environ.set(precision=32)


def test_the_same_spikes_in_the_same_steps(simulated, reference):
    events, _ = simulated
    steps = np.round(events["times"] / 0.1).astype(int) - 1  # stamp (s + 1) dt: step s
    senders = events["senders"] - 1  # ids from 1, NEST's indices from 0
    order = np.lexsort((senders, steps))
    np.testing.assert_array_equal(steps[order] + 1, reference["spike_steps"])
    np.testing.assert_array_equal(senders[order], reference["spike_senders"])
    assert len(steps) > 50


def test_membrane_potential_of_every_neuron_in_every_step(simulated, reference):
    _, samples = simulated
    V = samples["V_m"].reshape(-1, 20)
    np.testing.assert_allclose(samples["times"].reshape(-1, 20)[:, 0], reference["times"])
    np.testing.assert_allclose(V, reference["V_m"], rtol=0, atol=1e-9)
