"""pp_psc_delta against NEST 3.10 (``make_stochastic_models.py``).

(a) With the rate 0 or certain firing (``c_1 = 1e12`` Hz/mV, ``c_2 = 0``: a spike with
probability 1 as soon as ``V_eff > 0.4`` nV), V_m and E_sfa replay NEST's recordings and
the spike times are NEST's, with and without reset. (b) With random firing (a fixed
dead time, none: Poisson spikes with multiplicity, a gamma-distributed one), rate, CV
of the interspike intervals and Fano factor of 200 neurons over 2 s agree with NEST's
within sampling error.
"""

import numpy as np
import pytest
from make_stochastic_models import CONDITIONS, load_deterministic, load_stats
from protocol_driver import nest_spike_times
from stochastic_driver import assert_same_statistics, our_statistics, replay

import neurodyn as nd
from neurodyn import units as u

# Largest differences from NEST seen (float64, x86-64): V_m 9.1e-14 mV, E_sfa 0.
_TOL = 1e-9


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)


def test_rate_zero_or_certain_replays_nest():
    runs, ref = replay(nd.nest.pp_psc_delta, "pp_psc_delta", u.mV)
    theirs = nest_spike_times(ref, len(runs))
    for k, (ours, spikes) in enumerate(runs):
        np.testing.assert_allclose(spikes, theirs[k], rtol=0, atol=1e-9, err_msg=f"neuron {k}")
        for name in ("V_m", "E_sfa"):
            np.testing.assert_allclose(
                ours[name], ref[name][:, k], rtol=0, atol=_TOL, err_msg=f"{name} neuron {k}"
            )
    assert [len(s) for s in theirs] == [0, 17, 38]


def test_defaults_are_nests():
    neuron = nd.nest.pp_psc_delta(1)
    status = load_deterministic("pp_psc_delta")["neuron_status"][0]
    overridden = load_deterministic("pp_psc_delta")["protocol"]["neurons"][0]
    for key, value in status.items():
        if key in overridden or not hasattr(neuron, key) or key in ("V_m", "E_sfa"):
            continue
        ours = getattr(neuron, key)
        if isinstance(ours, bool):
            assert ours == bool(value), key
            continue
        unit = u.get_unit(ours) if u.is_quantity(ours) else u.UNITLESS
        assert float(u.to_float(ours, unit)) == pytest.approx(value, rel=1e-12), key


@pytest.mark.parametrize("condition", CONDITIONS["pp_psc_delta"])
def test_firing_statistics_match_nest(condition):
    ours = our_statistics(nd.nest.pp_psc_delta, "pp_psc_delta", condition)
    assert_same_statistics(ours, load_stats("pp_psc_delta", condition))


def test_dead_time_zero_sends_spikes_with_multiplicity():
    nd.random.seed(1)
    n = nd.init_all_states(nd.nest.pp_psc_delta(100, dead_time=0.0 * u.ms, c_2=2e4 * u.Hz))
    out = nd.run(n, 20.0 * u.ms, monitors={"spike": n.spike})
    assert np.asarray(out["spike"]).max() > 1  # mean 2 spikes per step and neuron


def test_t_ref_remaining_starts_a_dead_time():
    n = nd.nest.pp_psc_delta(1, t_ref_remaining=0.55 * u.ms, c_1=1e12 * u.Hz / u.mV, c_2=0 * u.Hz,
                             I_e=300.0 * u.pA)  # fmt: skip
    nd.init_all_states(n)
    out = nd.run(n, 1.0 * u.ms, monitors={"spike": n.spike})
    assert np.nonzero(np.asarray(out["spike"])[:, 0])[0][0] == 6  # steps 0..5 dead


def test_bad_lists_and_shape():
    with pytest.raises(nd.ParameterError, match="q_sfa and tau_sfa must have the same length"):
        nd.nest.pp_psc_delta(1, q_sfa=[1.0, 2.0] * u.mV, tau_sfa=[10.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="dead_time_shape must be >= 1"):
        nd.nest.pp_psc_delta(1, dead_time_shape=0.5)


def test_network_create():
    """Through ``nd.Network().create``: spikes (mV) move V_m, and certain firing follows."""
    net = nd.Network()
    pop = net.create("pp_psc_delta", 2, {"c_1": 1e12, "c_2": 0.0, "q_sfa": [5.0] * u.mV,
                                         "tau_sfa": [20.0] * u.ms})  # fmt: skip
    source = net.create("spike_generator", params={"spike_times": [5.0, 25.0]})
    net.connect(source, pop[0], "all_to_all", {"weight": 1.0})
    net.connect(source, pop[1], "all_to_all", {"weight": -1.0})
    recorder = net.create("spike_recorder")
    net.connect(pop, recorder)
    net.simulate(40.0)
    events = recorder.get("events")
    assert set(events["senders"].tolist()) == {1}
    # the spike at 6 ms raises the threshold by 5 mV: at 26 ms it is still 1.8 mV above
    np.testing.assert_allclose(events["times"], [6.0])
