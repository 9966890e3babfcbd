"""ignore_and_fire against NEST 3.10: the same spikes in the same steps.

``make_extra_models.py`` records NEST's ``ignore_and_fire`` with several ``phase`` /
``rate`` pairs (including off-grid periods and the smallest phase), fed spikes and a
strong current that it must ignore.
"""

import numpy as np
import pytest
from make_extra_models import load as load_extra
from protocol_driver import DT

import neurodyn as nd
from neurodyn import units as u


def _spike_steps(neuron, steps: int) -> list[np.ndarray]:
    """The steps (1-based stamps, as NEST's ``time_in_steps``) in which each neuron fires."""
    nd.init_all_states(neuron)
    neuron.add_delta_input("ignored", lambda: 1000.0)  # spikes are accepted and dropped
    out = nd.run(neuron, steps * DT * u.ms, monitors={"spike": neuron.spike})
    spike = np.asarray(out["spike"])
    return [np.flatnonzero(spike[:, k]) + 1 for k in range(neuron.num)]


def test_matches_nest():
    ref = load_extra("ignore_and_fire", "rates")
    neurons = ref["protocol"]["neurons"]
    neuron = nd.nest.ignore_and_fire(
        len(neurons),
        phase=np.array([n["phase"] for n in neurons]),
        rate=np.array([n["rate"] for n in neurons]) * u.Hz,
    )
    ours = _spike_steps(neuron, int(round(ref["protocol"]["duration"] / DT)))
    for k in range(len(neurons)):
        theirs = ref["spike_steps"][ref["spike_senders"] == k]
        np.testing.assert_array_equal(ours[k], theirs, err_msg=str(neurons[k]))
    assert len(ref["spike_steps"]) > 1000


def test_spike_times_follow_phase_and_rate():
    # P = phase/rate and T = 1/rate in steps (rounded up): spikes at (P + 1 + jT) h
    neuron = nd.nest.ignore_and_fire(1, phase=0.25, rate=50.0 * u.Hz)  # P = 50, T = 200
    np.testing.assert_array_equal(_spike_steps(neuron, 700)[0], [51, 251, 451, 651])


def test_defaults_are_nests():
    neuron = nd.nest.ignore_and_fire(1)
    assert float(neuron.phase) == 1.0 and float(neuron.rate.to_decimal(u.Hz)) == 10.0
    assert neuron.recordables == ()


@pytest.mark.parametrize(
    "override,match",
    [(dict(phase=0.0), "phase must be > 0"), (dict(phase=1.5), "phase must lie in"),
     (dict(rate=0.0 * u.Hz), "rate must be > 0"), (dict(rate=10.0), "rate")],
)  # fmt: skip
def test_parameters_validated_as_nest_does(override, match):
    with pytest.raises(nd.ParameterError, match=match):
        nd.nest.ignore_and_fire(2, **override)


def test_through_the_network_layer():
    net = nd.Network()
    relay = net.create("ignore_and_fire", 2, params={"rate": 1000.0, "phase": 0.5})
    generator = net.create("spike_generator", params={"spike_times": [1.0]})
    net.connect(generator, relay, syn_spec={"weight": 5.0})  # accepted, ignored
    recorder = net.create("spike_recorder")
    net.connect(relay, recorder)
    net.simulate(3.0)
    times = recorder.get("events")["times"]
    # P = 5, T = 10 steps: spikes at steps 6, 16, 26 of both neurons
    np.testing.assert_allclose(np.unique(times.round(6)), [0.6, 1.6, 2.6])
    assert len(times) == 6
