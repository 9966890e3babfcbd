"""``stdp_dopamine_synapse`` and ``volume_transmitter`` through the network, against
NEST 3.10's recordings (``tests/nest_reference/make_plasticity.py``,
``data/plasticity_stdp_dopamine_synapse.npz``).

Each run is rebuilt as NEST ran it: parrots driven by spike_generators (drive delay 0.1
ms, or 1 ms in ``*_mindelay1``: min_delay 1 ms), a volume transmitter fed by a
dopamine parrot (delay 1 ms; ``deliver_interval`` 5 with the custom parameters), set
with the other parameters through ``set_defaults``, and the plastic connection onto a
parrot's receptor 1 or an ``iaf_psc_alpha``. Checked: every transmitted spike's time
and weight (to float64 rounding), the connection's ``weight``, ``Kplus``, ``c``, ``n``
at the end (NEST's ``conn_final``), and for the neuron runs the postsynaptic V_m and
spikes.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
from neurodyn.core._errors import ParameterError

_spec = importlib.util.spec_from_file_location(
    "nest_reference_make_plasticity",
    Path(__file__).parents[1] / "nest_reference" / "make_plasticity.py",
)
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)

MODEL = "stdp_dopamine_synapse"
RUNS = list(M.PROTOCOLS[MODEL])


@pytest.fixture(autouse=True)
def float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def build(p: dict) -> dict:
    """The network of one protocol run (see the module docstring)."""
    net = nd.Network()
    drive = p["drive_delay"]

    def parrot(times: list) -> nd.network.NodeCollection:
        times = [round(t - drive, 6) for t in times]
        generator = net.create("spike_generator", params={"spike_times": times})
        node = net.create("parrot_neuron")
        net.connect(generator, node, syn_spec={"delay": drive})
        return node

    parts = {"net": net, "weights": net.create("weight_recorder")}
    vt = net.create("volume_transmitter", params=p["volume_transmitter"])
    net.set_defaults(
        MODEL, {**p["synapse"], "weight_recorder": parts["weights"], "volume_transmitter": vt}
    )
    parts["pre"] = parrot(p["pre_times"])
    if p["post_model"] == "parrot_neuron":
        post = parrot(p["post_times"])
        if p["post"]:
            post.set(p["post"])
    else:
        post = net.create(p["post_model"], params=p["post"])
        parts["meter"] = net.create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
        parts["spikes"] = net.create("spike_recorder")
        net.connect(parts["meter"], post)
        net.connect(post, parts["spikes"])
    dopa = parrot(p["dopa_times"])
    net.connect(dopa, vt, syn_spec={"delay": p["dopa_delay"]})
    net.connect(parts["pre"], post, syn_spec={"synapse_model": MODEL, "delay": p["delay"],
                                              "receptor_type": p["post_receptor"]})  # fmt: skip
    parts["post"] = post
    return parts


@pytest.mark.parametrize("run", RUNS)
def test_transmitted_weights_equal_nest(run):
    p = M.PROTOCOLS[MODEL][run]
    z = M.load(MODEL)
    parts = build(p)
    net = parts["net"]
    assert net.min_delay.mantissa == pytest.approx(p["drive_delay"])
    # NEST ran the neuron runs one step longer (its multimeter lags by min_delay)
    steps = round(p["duration"] / M.DT) + (1 if p["record_V_m"] else 0)
    net.simulate(steps * M.DT)
    events = parts["weights"].get("events")
    np.testing.assert_array_equal(
        np.rint(events["times"] / M.DT), np.rint(z[f"{run}/wr_times"] / M.DT)
    )
    np.testing.assert_allclose(events["weights"], z[f"{run}/wr_weights"], rtol=1e-13, atol=1e-13)
    assert set(events["senders"]) == set(parts["pre"].ids)
    assert set(events["targets"]) == set(parts["post"].ids)
    conn = net.get_connections(parts["pre"], parts["post"])
    assert conn.get("delay")[0] == pytest.approx(p["delay"])
    final = M.json_of(z["status_json"])[run]["conn_final"]
    for key in ("weight", "Kplus", "c", "n"):
        np.testing.assert_allclose(conn.get(key), [final[key]], rtol=1e-12, atol=1e-14,
                                   err_msg=key)  # fmt: skip
    if p["record_V_m"]:
        v_m = parts["meter"].get("events")["V_m"][: len(z[f"{run}/V_m"])]
        np.testing.assert_allclose(v_m, z[f"{run}/V_m"], rtol=0, atol=1e-9)
        times = parts["spikes"].get("events")["times"]
        times = times[times <= p["duration"] + 1e-9]
        np.testing.assert_array_equal(np.rint(times / M.DT), np.rint(z[f"{run}/post_times"] / M.DT))


# -- errors ------------------------------------------------------------------------------


def _pair(net: nd.Network) -> tuple:
    return net.create("parrot_neuron"), net.create("iaf_psc_alpha")


def test_dopamine_synapse_needs_a_volume_transmitter():
    net = nd.Network()
    pre, post = _pair(net)
    with pytest.raises(ParameterError, match="no volume transmitter"):
        net.connect(pre, post, syn_spec={"synapse_model": MODEL})
    with pytest.raises(ParameterError, match="volume_transmitter must be a single"):
        net.set_defaults(MODEL, {"volume_transmitter": pre})
    other = nd.Network().create("volume_transmitter")
    with pytest.raises(ParameterError, match="volume_transmitter must be a single"):
        net.connect(pre, post, syn_spec={"synapse_model": MODEL, "volume_transmitter": other})
    with pytest.raises(ParameterError, match="no parameter 'volume_transmitter'"):
        net.set_defaults("stdp_synapse", {"volume_transmitter": net.create("volume_transmitter")})


def test_bounds_are_checked():
    net = nd.Network()
    pre, post = _pair(net)
    vt = net.create("volume_transmitter")
    with pytest.raises(ParameterError, match="Wmin must be <= Wmax"):
        net.set_defaults(MODEL, {"Wmin": 5.0, "Wmax": 1.0, "volume_transmitter": vt})
    net.set_defaults(MODEL, {"Wmin": 1.0, "Wmax": 5.0, "volume_transmitter": vt})
    for weight in (0.5, 6.0):
        with pytest.raises(ParameterError, match="within the rule's bounds"):
            net.connect(pre, post, syn_spec={"synapse_model": MODEL, "weight": weight})
    with pytest.raises(ParameterError, match="Kplus must be >= 0"):
        net.connect(pre, post, syn_spec={"synapse_model": MODEL, "weight": 2.0, "Kplus": -1.0})
    net.connect(pre, post, syn_spec={"synapse_model": MODEL, "weight": 2.0})


def test_volume_transmitter_connections_and_parameters():
    net = nd.Network()
    pre, post = _pair(net)
    vt = net.create("volume_transmitter")
    with pytest.raises(ParameterError, match="whole number"):
        vt.set({"deliver_interval": 2.5})
    with pytest.raises(ParameterError, match="deliver_interval must be > 0"):
        vt.set({"deliver_interval": 0})
    with pytest.raises(ParameterError, match="receives the spikes of neurons"):
        net.connect(vt, post)
    generator = net.create("spike_generator")
    with pytest.raises(ParameterError, match="receives the spikes of neurons"):
        net.connect(generator, vt)
    with pytest.raises(ParameterError, match="static_synapse"):
        net.connect(pre, vt, syn_spec={"synapse_model": "stdp_synapse"})
