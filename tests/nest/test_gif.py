"""gif_psc_exp / gif_cond_exp against NEST 3.10 (``make_stochastic_models.py``).

(a) With the escape noise off or certain, V_m, E_sfa, I_stc and the synaptic variables
replay NEST's recordings and the spike times are NEST's. (b) With real escape noise,
the firing rate, CV of the interspike intervals and Fano factor of 200 neurons over 2 s
agree with NEST's within sampling error.
"""

import numpy as np
import pytest
from make_stochastic_models import CONDITIONS, load_deterministic, load_stats
from protocol_driver import nest_spike_times
from stochastic_driver import assert_same_statistics, our_statistics, replay

import neurodyn as nd
from neurodyn import units as u

_MODELS = {"gif_psc_exp": (nd.nest.gif_psc_exp, u.pA), "gif_cond_exp": (nd.nest.gif_cond_exp, u.nS)}
# Largest differences from NEST seen (float64, x86-64): gif_psc_exp V_m 4.3e-13 mV,
# E_sfa and I_stc 7.1e-15 (exact propagators); gif_cond_exp V_m 7.1e-15 mV, g 8.9e-16 nS
# (the RKF45 steps of GSL's). Tolerance with a wide margin:
_TOL = 1e-9


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)


@pytest.mark.parametrize("model", _MODELS)
def test_noise_off_or_certain_replays_nest(model):
    cls, weight_unit = _MODELS[model]
    runs, ref = replay(cls, model, weight_unit)
    theirs = nest_spike_times(ref, len(runs))
    for k, (ours, spikes) in enumerate(runs):
        np.testing.assert_allclose(spikes, theirs[k], rtol=0, atol=1e-9, err_msg=f"neuron {k}")
        for name, values in ours.items():
            np.testing.assert_allclose(
                values, ref[name][:, k], rtol=0, atol=_TOL, err_msg=f"{model} {name} neuron {k}"
            )
    assert [len(s) for s in theirs] == [0, 5, 2]  # the kernels' jumps are exercised


@pytest.mark.parametrize("model", _MODELS)
def test_defaults_are_nests(model):
    """Every scalar parameter NEST reports for a neuron it did not override is our default."""
    cls, _ = _MODELS[model]
    neuron = cls(1)
    status = load_deterministic(model)["neuron_status"][0]
    overridden = load_deterministic(model)["protocol"]["neurons"][0]
    for key, value in status.items():
        if key in overridden or not hasattr(neuron, key) or key in ("V_m", "E_sfa", "I_stc"):
            continue
        ours = getattr(neuron, key)
        unit = u.get_unit(ours) if u.is_quantity(ours) else u.UNITLESS
        assert float(u.to_float(ours, unit)) == pytest.approx(value, rel=1e-12), key


@pytest.mark.parametrize(("model", "condition"), [(m, c) for m in _MODELS for c in CONDITIONS[m]])
def test_escape_noise_statistics_match_nest(model, condition):
    cls, _ = _MODELS[model]
    assert_same_statistics(our_statistics(cls, model, condition), load_stats(model, condition))


def test_lists_are_fixed_at_construction_and_paired():
    n = nd.nest.gif_psc_exp(2, q_sfa=[1.0, 2.0] * u.mV, tau_sfa=[10.0, 50.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="set at construction"):
        n.q_sfa = [3.0, 4.0] * u.mV
    with pytest.raises(nd.ParameterError, match="q_stc and tau_stc must have the same length"):
        nd.nest.gif_psc_exp(2, q_stc=[1.0] * u.pA, tau_stc=[10.0, 50.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_sfa"):
        nd.nest.gif_cond_exp(2, q_sfa=[1.0] * u.mV, tau_sfa=[-10.0] * u.ms)


def test_runs_continue_the_random_stream_and_reproduce_from_the_seed():
    """Two runs of 50 ms draw what one run of 100 ms draws, from the same seed."""

    def spikes(chunks):
        nd.random.seed(3)
        n = nd.init_all_states(nd.nest.gif_psc_exp(50, I_e=150.0 * u.pA, Delta_V=2.0 * u.mV))
        out = [
            nd.run(n, 100.0 / chunks * u.ms, monitors={"s": n.spike})["s"] for _ in range(chunks)
        ]
        return np.concatenate([np.asarray(s) for s in out])

    once, twice = spikes(1), spikes(2)
    assert once.sum() > 0
    np.testing.assert_array_equal(once, twice)


@pytest.mark.parametrize("model", _MODELS)
def test_network_create(model):
    """Through ``nd.Network().create`` (plain numbers in NEST's units; the kernel lists,
    which are not declared parameters, with units), excitatory spikes make a neuron with
    certain escape noise fire and inhibitory ones keep it quiet."""
    weight = {"gif_psc_exp": 2000.0, "gif_cond_exp": 50.0}[model]
    net = nd.Network()
    params = {"Delta_V": 1e-6, "lambda_0": 1e6, "q_sfa": [5.0] * u.mV, "tau_sfa": [20.0] * u.ms}
    pop = net.create(model, 2, params)
    source = net.create("spike_generator", params={"spike_times": [5.0, 25.0]})
    net.connect(source, pop[0], "all_to_all", {"weight": weight})
    net.connect(source, pop[1], "all_to_all", {"weight": -weight})
    recorder = net.create("spike_recorder")
    net.connect(pop, recorder)
    net.simulate(40.0)
    assert set(recorder.get("events")["senders"].tolist()) == {1}
