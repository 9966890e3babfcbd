"""The COBA network: reproducible, asynchronous irregular, in the expected rate range."""

import numpy as np

from neurodyn.networks import run_coba


def test_same_seed_same_spike_trains_and_plausible_activity():
    a = run_coba(n_neurons=1000, duration_ms=200.0, seed=3, record_neurons=1000)
    b = run_coba(n_neurons=1000, duration_ms=200.0, seed=3, record_neurons=1000)
    c = run_coba(n_neurons=1000, duration_ms=200.0, seed=4, record_neurons=1000)
    np.testing.assert_array_equal(a["spike_steps"], b["spike_steps"])
    np.testing.assert_array_equal(a["spike_neurons"], b["spike_neurons"])
    assert not np.array_equal(a["spike_neurons"], c["spike_neurons"])
    assert 5.0 < a["rate_hz"] < 60.0
    # asynchronous irregular: interspike intervals are irregular (CV near 1, not 0)
    isis = [np.diff(a["spike_steps"][a["spike_neurons"] == n]) for n in range(1000)]
    isis = np.concatenate([x for x in isis if len(x) > 0])
    assert isis.std() / isis.mean() > 0.5
    assert abs(a["n_synapses"] / 1000 - 80) < 3  # mean in-degree 80


def test_integrator_choice_reaches_the_neurons():
    from neurodyn.networks import COBANetwork

    assert COBANetwork(100, method="euler").N.method == "euler"
    assert COBANetwork(100).N.method == "exp_euler"
