"""Devices through the network API against NEST 3.10 (tests/nest_reference/data/
network_devices.npz): current generators with start/stop/origin and a delay onto
iaf_psc_alpha (V_m in every step), and recorders with their windows and intervals."""

import json
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd

DATA = Path(__file__).parents[1] / "nest_reference" / "data" / "network_devices.npz"


@pytest.fixture(scope="module")
def reference():
    data = np.load(DATA)
    return {key: data[key] for key in data.files}, json.loads(str(data["protocol_json"]))


@pytest.fixture(autouse=True)
def float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def test_current_generators_drive_the_membrane_as_in_nest(reference):
    data, protocol = reference
    currents = protocol["currents"]
    net = nd.Network()
    meters = []
    for source in currents["sources"]:
        target = net.create(currents["target_model"])
        generator = net.create(source["device"], params=source["params"])
        net.connect(generator, target, syn_spec={"delay": currents["delay"]})
        meter = net.create("voltmeter", params={"interval": 0.1})
        net.connect(meter, target)
        meters.append(meter)
    net.simulate(currents["duration"])
    V = np.stack([m.get("events")["V_m"] for m in meters], axis=1)
    assert np.ptp(V) > 1.0  # the currents moved the membranes
    np.testing.assert_allclose(V, data["currents/V_m"], rtol=0, atol=1e-9)


def test_recorder_windows_and_sampling_as_in_nest(reference):
    data, protocol = reference
    setup = protocol["recorders"]
    net = nd.Network()
    neuron = net.create(setup["neuron"]["model"], params=setup["neuron"]["params"])
    # NEST's spikes come from a parrot_neuron repeating the drive (every step, stamps
    # 2.0 to 46.0 ms); an iaf_psc_delta without refractoriness kicked 100 mV by each
    # drive spike fires in exactly those steps
    relay = net.create("iaf_psc_delta", params={"t_ref": 0.0})
    drive = net.create("spike_generator", params={"spike_times": setup["drive"]["spike_times"]})
    net.connect(drive, relay, syn_spec={"weight": 100.0, "delay": setup["drive"]["delay"]})
    recorders = [net.create("spike_recorder", params=p) for p in setup["spike_recorders"]]
    for recorder in recorders:
        net.connect(relay, recorder)
    meters = {}
    for k, params in enumerate(setup["multimeters"]):
        if "offset" in params:
            continue  # NEST's multimeter offset is not implemented
        meters[k] = net.create("multimeter", params={**params, "record_from": ["V_m"]})
        net.connect(meters[k], neuron)
    net.simulate(setup["duration"])
    for k, recorder in enumerate(recorders):
        steps = np.round(recorder.get("events")["times"] / 0.1).astype(int)
        np.testing.assert_array_equal(steps, data[f"recorders/spike_recorder_{k}/steps"])
    assert len(data["recorders/spike_recorder_0/steps"]) > 3
    for k, meter in meters.items():
        events = meter.get("events")
        np.testing.assert_allclose(events["times"], data[f"recorders/multimeter_{k}/times"])
        np.testing.assert_allclose(events["V_m"], data[f"recorders/multimeter_{k}/V_m"],
                                   rtol=0, atol=1e-9)  # fmt: skip
