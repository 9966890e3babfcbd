"""The COBAHH network (Brette et al. 2007, benchmark 3) fires as Brian2's does.

Brian2 2.11's mean rates (10 seeds, N = 4000, 1 s, cpp_standalone, exponential Euler;
``tests/references/make_cobahh_brian2.py`` running ``benchmarks/peers/brian2_cobahh.py``)
against neurodyn's over 4 seeds of the same network: the means agree within five
standard errors of their difference. Seeds of the two simulators do not correspond;
each is an independent sample of connectivity and initial state.
"""

from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.networks.cobahh import COBAHHNetwork, run_cobahh

BRIAN2 = np.load(Path(__file__).parents[1] / "references" / "cobahh_brian2.npz")
N_NEURONS = int(BRIAN2["n_neurons"])
DURATION_MS = float(BRIAN2["duration_ms"])


@pytest.fixture(scope="module")
def neurodyn_runs():
    return [run_cobahh(N_NEURONS, DURATION_MS, seed=seed) for seed in (1, 2, 3, 4)]


def test_mean_rate_equals_brian2_within_sampling_error(neurodyn_runs):
    brian2 = BRIAN2["rates_hz"]
    ours = np.array([r["rate_hz"] for r in neurodyn_runs])
    difference = ours.mean() - brian2.mean()
    standard_error = np.sqrt(ours.var(ddof=1) / len(ours) + brian2.var(ddof=1) / len(brian2))
    assert abs(difference) < 5 * standard_error, (ours, brian2)
    assert brian2.mean() > 20.0  # the reference is the self-sustained active network


def test_connectivity_has_brian2s_size(neurodyn_runs):
    # p = 0.02 between every ordered pair: 0.02 N^2 synapses, binomial spread ~570
    ours = np.array([r["n_synapses"] for r in neurodyn_runs], float)
    expected = 0.02 * N_NEURONS**2
    assert np.all(np.abs(ours - expected) < 5 * np.sqrt(expected))
    assert abs(BRIAN2["n_synapses"].mean() - expected) < 5 * np.sqrt(expected)


def test_initial_state_is_the_benchmarks():
    net = nd.init_all_states(COBAHHNetwork(4000, seed=5))
    V = np.asarray(net.N.V.value.to_decimal(u.mV), float)
    g_e = np.asarray(net.E.syn.g.value.to_decimal(u.nS), float)
    g_i = np.asarray(net.I.syn.g.value.to_decimal(u.nS), float)
    # V = E_L + (5 n - 5) mV, g_e = (1.5 n + 4) 10 nS, g_i = (12 n + 20) 10 nS
    for values, mean, sd in ((V, -65.0, 5.0), (g_e, 40.0, 15.0), (g_i, 200.0, 120.0)):
        assert abs(values.mean() - mean) < 5 * sd / np.sqrt(values.size), (mean, values.mean())
        assert abs(values.std() / sd - 1.0) < 0.06, (sd, values.std())
    for gate in ("m", "h", "n"):
        assert np.all(np.asarray(getattr(net.N, gate).value) == 0.0), gate
    assert net.n_exc == 3200 and net.n_inh == 800


def test_same_seed_same_spikes():
    a = run_cobahh(300, 50.0, seed=7, record_neurons=300)
    b = run_cobahh(300, 50.0, seed=7, record_neurons=300)
    np.testing.assert_array_equal(a["spike_steps"], b["spike_steps"])
    np.testing.assert_array_equal(a["spike_neurons"], b["spike_neurons"])
    assert set(a) >= {"n_neurons", "n_synapses", "build_s", "compile_s", "sim_s", "rate_hz"}
    assert a["dt_ms"] == 0.1 and len(a["spike_steps"]) > 0
