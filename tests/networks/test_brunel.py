"""Brunel (2000) through the network API equals NEST 3.10's network statistically.

NEST's rates and CVs (5 seeds, order 500, 1 s after a 100 ms warm-up, made by
tests/nest_reference/make_network.py) against neurodyn's over 3 seeds of the same
protocol: the means agree within five standard errors of their difference.
"""

from pathlib import Path

import numpy as np
import pytest

from neurodyn import units as u
from neurodyn.networks.brunel import build_brunel, mean_cv

DATA = Path(__file__).parents[1] / "nest_reference" / "data" / "network_brunel.npz"
ORDER = 500


@pytest.fixture(scope="module")
def neurodyn_statistics():
    stats = []
    for seed in (1, 2, 3):
        net, parts = build_brunel(ORDER, seed)
        net.simulate(100.0 * u.ms)  # warm-up, not recorded (as in NEST's protocol)
        parts["spikes"].node.clear()
        net.simulate(1000.0 * u.ms)
        events = parts["spikes"].get("events")
        neuron = events["senders"] - parts["excitatory"].first_id
        excitatory = neuron < 4 * ORDER
        stats.append(
            {
                "rate_E": excitatory.sum() / (4 * ORDER),
                "rate_I": (~excitatory).sum() / ORDER,
                "cv": mean_cv(events["times"], neuron),
            }
        )
    return {key: np.array([s[key] for s in stats]) for key in stats[0]}


@pytest.mark.parametrize("key", ["rate_E", "rate_I", "cv"])
def test_rates_and_cv_equal_nest_within_sampling_error(neurodyn_statistics, key):
    nest = np.load(DATA)[f"order{ORDER}/{key}"]
    ours = neurodyn_statistics[key]
    difference = ours.mean() - nest.mean()
    standard_error = np.sqrt(ours.var(ddof=1) / len(ours) + nest.var(ddof=1) / len(nest))
    assert abs(difference) < 5 * standard_error + 1e-3 * abs(nest.mean()), (ours, nest)
    assert nest.mean() > 0  # the reference is the active network
