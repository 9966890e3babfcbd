"""Plastic connections in the network: what the NEST recordings do not cover —
many connections and spikes per step, heterogeneous delays in one projection,
stochastic release, synapse model defaults, and the errors."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core._errors import ParameterError
from neurodyn.network import _plastic


@pytest.fixture(autouse=True)
def float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def parrots(net, trains, delay=0.1):
    """One parrot per train, spiking at its times."""
    nodes = net.create("parrot_neuron", len(trains))
    for k, times in enumerate(trains):
        if len(times):
            gen = net.create("spike_generator", params={"spike_times": [t - delay for t in times]})
            net.connect(gen, nodes[k], syn_spec={"delay": delay})
    return nodes


def trains(rng, n, rate_hz, duration):
    steps = int(duration / 0.1)
    return [list(np.round((np.flatnonzero(rng.random(steps) < rate_hz * 1e-4) + 1) * 0.1, 6))
            for _ in range(n)]  # fmt: skip


def test_many_spikes_per_step_and_heterogeneous_delays_equal_separate_projections(monkeypatch):
    """40 presynaptic neurons spiking together (10 chunks of 4) onto 3 postsynaptic
    neurons, delays of 1, 1.7 and 2.5 ms mixed in one projection, give the same weights
    as one projection per (delay, postsynaptic neuron) with a single delay."""
    monkeypatch.setattr(_plastic, "CHUNK", 4)
    rng = np.random.default_rng(5)
    pre_trains = [sorted({*t, 50.0}) for t in trains(rng, 40, 40.0, 300.0)]
    post_trains = trains(rng, 3, 30.0, 300.0)
    choices = np.array([1.0, 1.7, 2.5])
    delays = choices[rng.integers(0, 3, size=(40, 3))]
    syn = {"synapse_model": "stdp_synapse", "Wmax": 50.0, "lambda": 0.05, "weight": 20.0,
           "receptor_type": 1}  # fmt: skip

    one = nd.Network()
    pre, post = parrots(one, pre_trains), parrots(one, post_trains)
    one.connect(pre, post, "all_to_all", {**syn, "delay": delays.ravel()})
    one.simulate(300.0)
    w_one = one.get_connections(pre, post).get("weight").reshape(40, 3)

    many = nd.Network()
    pre2, post2 = parrots(many, pre_trains), parrots(many, post_trains)
    for b in range(3):
        for d in choices:
            rows = np.flatnonzero(delays[:, b] == d)
            many.connect(pre2[rows], post2[b], "all_to_all", {**syn, "delay": float(d)})
    many.simulate(300.0)
    conns = many.get_connections(pre2, post2)
    w_many = np.zeros((40, 3))
    w_many[conns.get("source") - pre2.ids[0], conns.get("target") - post2.ids[0]] = conns.get(
        "weight"
    )
    assert len(np.unique(w_one)) > 60  # plastic, and not all alike
    np.testing.assert_allclose(w_one, w_many, rtol=1e-13)


def _expected_quantal_release(times, U, u0, tau_rec, tau_fac, n, a0):
    """Expected released sites per spike: the recursion of the means (each site recovers
    and releases independently, so the mean evolves linearly)."""
    use, a, last, out = u0, float(a0), None, []
    for t in times:
        if last is not None:
            h = t - last
            use = U + use * (1 - U) * np.exp(-h / tau_fac)
            a = a + (n - a) * (1 - np.exp(-h / tau_rec))
        out.append(use * a)
        a -= use * a
        last = t
    return np.array(out)


def test_quantal_release_statistics():
    """2000 independent connections of one presynaptic train: the mean number of
    released sites per spike follows the expected recursion within sampling error."""
    times = [5.0, 10.0, 15.0, 40.0, 41.0, 100.0, 300.0, 305.0]
    n_targets = 2000
    net = nd.Network()
    pre = parrots(net, [times])
    post = net.create("parrot_neuron", n_targets)
    wr = net.create("weight_recorder")
    params = {"U": 0.3, "u": 0.3, "tau_rec": 300.0, "tau_fac": 50.0, "n": 10, "a": 10}
    net.connect(pre, post, "all_to_all", {"synapse_model": "quantal_stp_synapse",
                "weight": 2.0, "receptor_type": 1, "weight_recorder": wr, **params})  # fmt: skip
    net.simulate(310.0)
    events = wr.get("events")
    steps = np.rint(events["times"] / 0.1).astype(int)
    sites = events["weights"] / 2.0
    np.testing.assert_array_equal(sites, np.rint(sites))
    assert sites.min() >= 1 and sites.max() <= 10
    expected = _expected_quantal_release(times, 0.3, 0.3, 300.0, 50.0, 10, 10)
    for k, t in enumerate(times):
        released = np.zeros(n_targets)
        mine = steps == round(t / 0.1)
        released[: mine.sum()] = sites[mine]  # failures transmit nothing
        error = 4.5 * released.std() / np.sqrt(n_targets) + 1e-9
        assert abs(released.mean() - expected[k]) < error, (t, released.mean(), expected[k])


def test_defaults_and_copies():
    net = nd.Network()
    assert net.get_defaults("stdp_synapse")["Wmax"] == 100.0
    assert net.get_defaults("stdp_synapse")["tau_plus"] == 20.0
    net.copy_model("stdp_synapse", "my_stdp", {"Wmax": 30.0, "weight": 5.0})
    assert net.get_defaults("my_stdp")["Wmax"] == 30.0
    assert net.get_defaults("stdp_synapse")["Wmax"] == 100.0
    pre, post = parrots(net, [[10.0]]), parrots(net, [[]])
    net.connect(pre, post, syn_spec={"synapse_model": "my_stdp", "receptor_type": 1})
    conn = net.get_connections(synapse_model="my_stdp")
    assert len(conn) == 1 and conn.get("weight")[0] == 5.0
    assert conn.get("synapse_model")[0] == "my_stdp"
    with pytest.raises(ParameterError, match="exists already"):
        net.copy_model("stdp_synapse", "my_stdp")
    with pytest.raises(ParameterError, match="tau_plus must be > 0"):
        net.set_defaults("stdp_synapse", {"tau_plus": -1.0})
    assert net.get_defaults("stdp_synapse")["tau_plus"] == 20.0


def _two_neurons(net):
    return net.create("iaf_psc_alpha"), net.create("iaf_psc_alpha")


@pytest.mark.parametrize(
    ("syn_spec", "match"),
    [
        ({"synapse_model": "stdp_synapse", "weight": 120.0}, r"within the rule's bounds"),
        ({"synapse_model": "stdp_synapse", "weight": 10.0, "Wmax": 5.0}, r"\[0, 5\]"),
        ({"synapse_model": "stdp_synapse", "weight": -1.0}, r"bounds"),
        ({"synapse_model": "vogels_sprekeler_synapse", "weight": 0.5, "Wmax": -1.0}, "bounds"),
        ({"synapse_model": "stdp_dopa", "weight": 1.0}, "unknown synapse_model"),
        ({"synapse_model": "stdp_synapse", "tau_plus": 20.0 * u.mV}, "tau_plus"),
        ({"synapse_model": "stdp_synapse", "lambda": 0.01 * u.ms}, "lambda"),
        ({"synapse_model": "stdp_synapse", "tau_plus": -3.0}, "tau_plus must be > 0"),
        ({"synapse_model": "stdp_synapse", "Wmax": 50.0 * u.mV}, "Wmax|weight must be in"),
        ({"synapse_model": "stdp_synapse", "Kplus": -1.0}, "Kplus must be >= 0"),
        ({"synapse_model": "stdp_synapse", "tau_minus": 10.0}, "unknown keys"),
        ({"synapse_model": "tsodyks_synapse", "u": 1.5}, r"u must lie in \[0, 1\]"),
        ({"synapse_model": "tsodyks_synapse", "tau_psc": 800.0}, "tau_psc must differ"),
        ({"synapse_model": "quantal_stp_synapse", "n": 2.5}, "whole number"),
        ({"synapse_model": "quantal_stp_synapse", "n": 3, "a": 4}, r"\[0, n=3\]"),
        ({"weight_recorder": "wr"}, "static_synapse has none"),
    ],
)
def test_errors_name_the_parameter_and_rule(syn_spec, match):
    net = nd.Network()
    a, b = _two_neurons(net)
    if syn_spec.get("weight_recorder") == "wr":
        syn_spec = {"weight_recorder": net.create("weight_recorder")}
    with pytest.raises(ParameterError, match=match):
        net.connect(a, b, syn_spec=syn_spec)


def test_plastic_synapse_needs_a_neuron_as_source():
    net = nd.Network()
    gen = net.create("poisson_generator", params={"rate": 10.0})
    neuron = net.create("iaf_psc_alpha")
    with pytest.raises(ParameterError, match="parrot_neuron between"):
        net.connect(gen, neuron, syn_spec={"synapse_model": "stdp_synapse"})
    wr = net.create("weight_recorder")
    with pytest.raises(ParameterError, match="is not connected"):
        net.connect(neuron, wr)


def test_postsynaptic_time_constants_are_the_neurons():
    net = nd.Network()
    neuron = net.create("iaf_psc_alpha", 2, {"tau_minus": 30.0})
    assert float(u.to_float(neuron.get("tau_minus")[0], u.ms)) == 30.0
    with pytest.raises(ParameterError, match="tau_minus must be > 0"):
        neuron.set({"tau_minus": -1.0})


def test_get_connections_of_a_device_and_of_static_synapses():
    net = nd.Network()
    gen = net.create("poisson_generator", params={"rate": 20.0})
    pre = net.create("parrot_neuron", 4)
    post = net.create("iaf_psc_alpha", 2)
    net.connect(gen, pre, syn_spec={"weight": 1.0, "delay": 0.5})
    net.connect(pre, post, "all_to_all", {"weight": 7.0})
    from_gen = net.get_connections(gen)
    assert len(from_gen) == 4
    np.testing.assert_array_equal(from_gen.get("source"), gen.ids[0])
    np.testing.assert_array_equal(np.sort(from_gen.get("target")), pre.ids)
    np.testing.assert_allclose(from_gen.get("delay"), 0.5)
    static = net.get_connections(pre, post[1])
    assert len(static) == 4 and set(static.get("target")) == {post.ids[1]}
    np.testing.assert_array_equal(static.get("weight"), 7.0)
    assert set(static.get("synapse_model")) == {"static_synapse"}
    with pytest.raises(ParameterError, match="no entry 'Kplus'"):
        static.get("Kplus")


class _NoArchive(nd.LIF):
    """A population that takes weights in mV but keeps no postsynaptic spike trace."""

    WEIGHT_UNIT = u.mV


def test_a_rule_that_reads_the_postsynaptic_trace_needs_an_archiving_target():
    net = nd.Network()
    pre = net.create("parrot_neuron", 2)
    target = net.create(_NoArchive, 2)
    with pytest.raises(ParameterError, match="reads the postsynaptic spike trace"):
        net.connect(pre, target, syn_spec={"synapse_model": "stdp_synapse", "weight": 1.0})
    # a rule without postsynaptic terms is fine there
    net.connect(pre, target, syn_spec={"synapse_model": "tsodyks2_synapse", "weight": 1.0})
    assert len(net.get_connections(pre, target)) == 4
