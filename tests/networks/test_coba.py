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


def test_first_step_matches_each_integrators_formula():
    # one step from the initial state, conductances frozen over the step (they have
    # decayed once before the neurons update); exp_euler is then exact, euler is V + dt f
    import neurodyn as nd
    from neurodyn import units as u
    from neurodyn.networks import COBANetwork

    dt, tau_m, R = 0.1, 20.0, 0.1  # ms, ms, Gohm (1 / 10 nS)
    for method in ("euler", "exp_euler"):
        net = nd.init_all_states(COBANetwork(200, seed=1, method=method))
        V0 = np.asarray(net.N.V.value.to_decimal(u.mV), float)
        ge = np.asarray(net.E.syn.g.value.to_decimal(u.nS), float) * np.exp(-dt / 5.0)
        gi = np.asarray(net.I.syn.g.value.to_decimal(u.nS), float) * np.exp(-dt / 10.0)
        net.update()
        V1 = np.asarray(net.N.V.value.to_decimal(u.mV), float)
        rate = (1 + R * (ge + gi)) / tau_m  # dV/dt = -rate (V - V_inf)
        V_inf = (-60.0 + R * (ge * 0.0 + gi * -80.0)) / (1 + R * (ge + gi))
        if method == "euler":
            expected = V0 - dt * rate * (V0 - V_inf)
        else:
            expected = V_inf + (V0 - V_inf) * np.exp(-dt * rate)
        free = expected < -50.0  # neurons that did not spike and reset
        np.testing.assert_allclose(V1[free], expected[free], atol=2e-4)
