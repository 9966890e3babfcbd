"""Binary neurons (mcculloch_pitts_neuron, ginzburg_neuron, erfc_neuron) against NEST
3.10 (``make_binary.py``), through the network API as a NEST script builds them.

(a) Unconnected neurons at five constant inputs (a ``noise_generator``): per input,
the mean activity, the number of transitions and the time of the first up transition
agree with NEST's within sampling error, and the activity and transition rate with
the closed forms ``g`` and ``2 g (1 - g) / tau_m``. (b) A random E/I network of 500
erfc neurons: its mean activity, the fluctuations of the E population activity and
the mean input fields agree with NEST's trials. (c) Exactly: the input field is
``h_i(t) = sum_j w_ij S_j(t - d)`` in every step, and a McCulloch-Pitts neuron only
ever changes to ``H(h + c - theta)``.
"""

import sys
from math import erfc, sqrt, tanh
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

sys.path.insert(0, str(Path(__file__).parent))
from make_binary import (  # noqa: E402
    DATA,
    DURATION,
    GAIN_PARAMS,
    LEVELS,
    N_PER_LEVEL,
    NETWORK,
    TAU_M,
    WARMUP,
    transition_statistics,
)

N_GAIN = N_PER_LEVEL * len(LEVELS)


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


@pytest.fixture(scope="module")
def nest_data():
    with np.load(DATA) as z:
        return {key: z[key] for key in z.files}


def gain(model: str, params: dict, h: float) -> float:
    """NEST's gain functions, written out here (independent of neurodyn)."""
    theta = params.get("theta", 0.0)
    if model == "mcculloch_pitts_neuron":
        return float(h > theta)
    if model == "erfc_neuron":
        return 0.5 * erfc(-(h - theta) / (sqrt(2.0) * params["sigma"]))
    g = params["c_1"] * h + params["c_2"] * 0.5 * (1.0 + tanh(params["c_3"] * (h - theta)))
    return min(max(g, 0.0), 1.0)


@pytest.fixture(scope="module")
def gain_runs():
    """Every model's neurons at every input level, in one network (one compilation):
    per model, per-neuron activity (S sampled every ms after the warm-up), number of
    transitions after the warm-up and time of the first transition (an up one)."""
    nd.environ.set(precision=64)
    nd.random.seed(7)
    net = nd.Network()
    parts = {}
    for model, params in GAIN_PARAMS.items():
        pop = net.create(model, N_GAIN, dict(params, tau_m=TAU_M))
        recorder = net.create("spike_recorder")
        net.connect(pop, recorder)
        meter = net.create("multimeter", params={"record_from": ["S"], "interval": 1.0,
                                                 "start": WARMUP})  # fmt: skip
        net.connect(meter, pop)
        for k, level in enumerate(LEVELS):
            drive = net.create("noise_generator", params={"mean": level, "std": 0.0})
            net.connect(drive, pop[k * N_PER_LEVEL : (k + 1) * N_PER_LEVEL],
                        syn_spec={"delay": 0.1})  # fmt: skip
        parts[model] = (pop, recorder, meter)
    net.simulate(DURATION)
    out = {}
    for model, (pop, recorder, meter) in parts.items():
        events = recorder.get("events")
        sender = np.asarray(events["senders"]) - pop.tolist()[0]
        # the recorder's events decoded as NEST's were (two at an up transition)
        decoded = transition_statistics(np.asarray(events["times"]), sender, N_GAIN,
                                        DURATION, WARMUP)  # fmt: skip
        S = np.asarray(meter.get("events")["S"]).reshape(-1, N_GAIN)
        out[model] = {
            "activity": S.mean(axis=0),
            "transitions": decoded["transitions"],
            "first_up": decoded["first_up"],
        }
    return out


def test_recorder_counts_an_up_transition_twice():
    """NEST's spike recorder gets a binary neuron's up transition as a spike of
    multiplicity 2 (two events) and a down transition as one event."""
    net = nd.Network()
    pop = net.create("mcculloch_pitts_neuron", 2, {"theta": 1.2, "tau_m": 1.0})
    recorder = net.create("spike_recorder")
    net.connect(pop, recorder)
    drive = net.create("noise_generator", params={"mean": 2.0, "std": 0.0})
    net.connect(drive, pop[:1], syn_spec={"delay": 0.1})  # the second stays at 0
    net.simulate(30.0)
    drive.set({"mean": -1.0})
    net.simulate(30.0)
    events = recorder.get("events")
    senders, times = np.asarray(events["senders"]), np.asarray(events["times"])
    assert set(senders.tolist()) == {pop.tolist()[0]}
    t, counts = np.unique(times, return_counts=True)
    assert counts.tolist() == [2, 1], (t, counts)  # up (both events at once), then down
    assert t[0] < 30.0 < t[1]


def z_score(a: np.ndarray, b: np.ndarray) -> float:
    """The difference of the means of two i.i.d. samples in standard errors."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == len(b) == 0 or (np.ptp(a) == np.ptp(b) == 0 and a[0] == b[0]):
        return 0.0  # nothing to compare, or the same constant (a deterministic case)
    error = np.hypot(a.std(ddof=1) / sqrt(len(a)), b.std(ddof=1) / sqrt(len(b)))
    return (a.mean() - b.mean()) / error


@pytest.mark.parametrize("model", GAIN_PARAMS)
def test_activity_and_transitions_match_nest(model, gain_runs, nest_data):
    ours = gain_runs[model]
    for key in ("activity", "transitions", "first_up"):
        theirs = nest_data[f"gain/{model}/{key}"].reshape(len(LEVELS), N_PER_LEVEL)
        mine = ours[key].astype(float).reshape(len(LEVELS), N_PER_LEVEL)
        for k, level in enumerate(LEVELS):
            # |z| < 4 per level (largest seen: 2.9, erfc first_up at 1.5 pA)
            z = z_score(mine[k], theirs[k])
            assert abs(z) < 4.0, (key, level, mine[k].mean(), theirs[k].mean(), z)


@pytest.mark.parametrize("model", GAIN_PARAMS)
def test_activity_is_the_gain_function(model, gain_runs):
    activity = gain_runs[model]["activity"].reshape(len(LEVELS), N_PER_LEVEL)
    transitions = gain_runs[model]["transitions"].reshape(len(LEVELS), N_PER_LEVEL)
    for k, level in enumerate(LEVELS):
        g = gain(model, GAIN_PARAMS[model], level)
        # stationary: P(S = 1) = g; 2 g (1 - g) / tau_m transitions per ms (|z| < 4)
        error = activity[k].std(ddof=1) / sqrt(N_PER_LEVEL) + 1e-3
        assert abs(activity[k].mean() - g) < 4 * error, (level, activity[k].mean(), g)
        expected = 2 * g * (1 - g) / TAU_M * (DURATION - WARMUP)
        error = transitions[k].std(ddof=1) / sqrt(N_PER_LEVEL) + 0.1
        assert abs(transitions[k].mean() - expected) < 4 * error, (level, expected)
    if model == "mcculloch_pitts_neuron":  # the first update after the input arrives
        first_up = gain_runs[model]["first_up"].reshape(len(LEVELS), N_PER_LEVEL)
        on = np.asarray(LEVELS) > GAIN_PARAMS[model]["theta"]
        assert np.isnan(first_up[~on]).all() and np.isfinite(first_up[on]).all()
        # the update in step floor(t_next / dt) + 1, the spike stamped at its end
        expected = 0.1 * (1.0 / np.expm1(0.1 / TAU_M) + 2.0)  # tau_m + 1.5 dt
        error = TAU_M / sqrt(first_up[on].size)
        assert abs(first_up[on].mean() - expected) < 4 * error, (first_up[on].mean(), expected)


def build_ei_network(net: nd.Network, spec: dict) -> list:
    """NEST's E/I network of ``make_binary.run_network`` (fixed in-degrees from E and from
    I onto every neuron, no autapses or multapses, a constant drive); returns the
    multimeters of E and I."""
    exc = net.create(spec["model"], spec["N_E"], spec["params"])
    inh = net.create(spec["model"], spec["N_I"], spec["params"])
    for source, k, weight in ((exc, spec["K_E"], spec["J_E"]), (inh, spec["K_I"], spec["J_I"])):
        for target in (exc, inh):
            rule = {"rule": "fixed_indegree", "indegree": k, "allow_autapses": False,
                    "allow_multapses": False}  # fmt: skip
            net.connect(source, target, rule, {"weight": weight, "delay": spec["delay"]})
    meters = []
    for pop in (exc, inh):
        drive = net.create("noise_generator", params={"mean": spec["drive"], "std": 0.0})
        net.connect(drive, pop, syn_spec={"delay": 0.1})
        meter = net.create("multimeter", params={"record_from": ["S", "h"], "interval": 1.0,
                                          "start": spec["warmup"]})  # fmt: skip
        net.connect(meter, pop)
        meters.append(meter)
    return meters


def test_ei_network_matches_nest(nest_data):
    nd.random.seed(11)
    net = nd.Network()
    meter_E, meter_I = build_ei_network(net, NETWORK)
    net.simulate(NETWORK["duration"])
    E, I = meter_E.get("events"), meter_I.get("events")
    S_E = np.asarray(E["S"]).reshape(-1, NETWORK["N_E"])
    ours = {
        "activity_E": S_E.mean(),
        "activity_I": np.mean(I["S"]),
        "fluctuation_E": S_E.mean(axis=1).std(),
        "h_E": np.mean(E["h"]),
        "h_I": np.mean(I["h"]),
    }
    for key, value in ours.items():
        theirs = nest_data[f"network/{key}"]
        # within 4 standard deviations of NEST's 8 network realisations (largest seen: 0.8)
        z = (value - theirs.mean()) / theirs.std(ddof=1)
        assert abs(z) < 4.0, (key, value, theirs.round(4))


def test_input_field_is_the_delayed_weighted_sum_of_states():
    nd.random.seed(3)
    n, delay_steps = 20, 3
    net = nd.Network()
    pop = net.create("ginzburg_neuron", n, {"tau_m": 2.0, "c_3": 2.0, "theta": 0.5})
    rng = np.random.default_rng(0)
    weight = rng.uniform(-1.0, 1.0, (n, n)) * (rng.random((n, n)) < 0.3)
    np.fill_diagonal(weight, 0.0)
    post, pre = np.nonzero(weight)
    net.connect(pop, pop, {"rule": "explicit", "pre": pre, "post": post},
                {"weight": weight[post, pre], "delay": 0.1 * delay_steps})  # fmt: skip
    meter = net.create("multimeter", params={"record_from": ["S", "h"], "interval": 0.1})
    net.connect(meter, pop)
    net.simulate(200.0)
    events = meter.get("events")
    S, h = (np.asarray(events[key]).reshape(-1, n) for key in ("S", "h"))
    predicted = np.vstack([np.zeros((delay_steps, n)), S[:-delay_steps] @ weight.T])
    assert S.std() > 0.1 and np.abs(h).max() > 0.5  # the network is active
    np.testing.assert_allclose(h, predicted, rtol=0, atol=1e-12)  # largest seen: 1.8e-15


def test_mcculloch_pitts_becomes_heaviside_of_its_input():
    nd.random.seed(5)
    n = nd.nest.mcculloch_pitts_neuron(200, theta=1.0 * u.mV, tau_m=2.0 * u.ms)
    nd.init_all_states(n)
    steps = 2000
    levels = np.random.default_rng(0).uniform(-1.0, 3.0, (steps // 100, 200))
    current = np.repeat(levels, 100, axis=0)  # a new level every 10 ms
    out = nd.run(n, steps * 0.1 * u.ms, inputs=current * u.pA,
                 monitors={"S": n.S, "spike": n.spike})  # fmt: skip
    S, spike = np.asarray(out["S"]), np.asarray(out["spike"])
    assert spike.sum() > 1000  # up and down, many times
    changed = spike > 0
    np.testing.assert_array_equal(S[changed], (current > 1.0)[changed])
    np.testing.assert_array_equal(S[-1], current[-1] > 1.0)  # all updated in 10 ms


def test_binary_neurons_refuse_spiking_partners():
    net = nd.Network()
    binary = net.create("erfc_neuron", 3)
    spiking = net.create("iaf_psc_delta", 3)
    for pre, post in ((binary, spiking), (spiking, binary)):
        with pytest.raises(nd.ParameterError, match="binary neurons connect to binary neurons"):
            net.connect(pre, post)
    for device in ("spike_generator", "dc_generator"):
        with pytest.raises(nd.ParameterError, match="noise_generator"):
            net.connect(net.create(device), binary)
    with pytest.raises(nd.ParameterError, match="sigma"):
        nd.nest.erfc_neuron(2, sigma=0.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="no recordable 'V_m'"):
        binary.node.record("V_m")


def test_defaults_are_nests():
    defaults = {
        "mcculloch_pitts_neuron": {"tau_m": 10.0, "theta": 0.0},
        "ginzburg_neuron": {"tau_m": 10.0, "theta": 0.0, "c_1": 0.0, "c_2": 1.0, "c_3": 1.0},
        "erfc_neuron": {"tau_m": 10.0, "theta": 0.0, "sigma": 1.0},
    }  # NEST 3.10's GetDefaults
    for model, values in defaults.items():
        nodes = nd.Network().create(model, 1)
        assert set(nodes.node.declared_params()) - {"tau_minus", "tau_minus_triplet"} == set(values)
        for key, value in values.items():
            assert float(u.magnitude(nodes.get(key))[0]) == value, (model, key)
        assert float(nodes.get("S")[0]) == 0.0 and float(u.magnitude(nodes.get("h"))[0]) == 0.0
