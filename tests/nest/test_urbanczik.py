"""pp_cond_exp_mc_urbanczik against NEST 3.10 (``make_urbanczik.py``).

(a) The potentials, conductances and currents do not depend on the spikes: they replay
NEST's recordings step by step, and with a rate function that is a step at ``theta``
(firing certain above it, impossible below) so do the spike times, dead times
included. (b) With NEST's rate function, the rate, CV and Fano factor of 100 neurons
over 1 s (with a dead time; without: Poisson spikes) agree with NEST's within sampling
error.
"""

import inspect

import jax.numpy as jnp
import make_urbanczik as M
import numpy as np
import pytest
from protocol_driver import input_arrays
from stochastic_driver import assert_same_statistics

import neurodyn as nd
from neurodyn import units as u
from neurodyn.nest._pp_cond_exp_mc_urbanczik import COMPARTMENT_PARAMETERS, COMPARTMENTS

MODEL = nd.nest.pp_cond_exp_mc_urbanczik
#: the unit of each recordable and of each receptor's weights
UNITS = {"V_m.s": u.mV, "g_ex.s": u.nS, "g_in.s": u.nS, "V_m.p": u.mV, "I_ex.p": u.pA,
         "I_in.p": u.pA}  # fmt: skip
WEIGHT_UNITS = {"soma_exc": u.nS, "soma_inh": u.nS, "dendritic_exc": u.pA,
                "dendritic_inh": u.pA}  # fmt: skip
# Largest differences from NEST seen (float64, x86-64): V_m.s 1.4e-14 mV, V_m.p 7.1e-15 mV,
# g 1.4e-14 nS, I 2.3e-13 pA (RKF45 as GSL); statistics |z| < 1. A wide margin:
_TOL = 1e-11


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)
    yield
    nd.environ.set(precision=32)


def build(neurons: list[dict]):
    """One population holding ``neurons`` (NEST status dicts, nested by compartment)."""
    signature = inspect.signature(MODEL).parameters
    defaults = M.defaults()

    def column(values, unit):
        return u.with_unit(np.asarray(values, np.float64), unit) if unit else np.asarray(values)

    params = {}
    for key in sorted({k for n in neurons for k in n} - set(COMPARTMENTS)):
        default = signature[key].default
        unit = u.get_unit(default) if u.is_quantity(default) else None
        params[key] = column([n.get(key, defaults[key]) for n in neurons], unit)
    initial = {}
    for compartment in COMPARTMENTS:
        given = [n.get(compartment, {}) for n in neurons]
        params[compartment] = {
            key: column([g.get(key, defaults[compartment][key]) for g in given], unit)
            for key, (unit, _, _) in COMPARTMENT_PARAMETERS.items()
        }
        initial[compartment] = column(
            [g.get("V_m", defaults[compartment]["V_m"]) for g in given], u.mV
        )
    return MODEL(len(neurons), V_initializer=initial, **params)


class _Driven(nd.Module):
    """The neuron with per-step spike weights on each receptor (in its unit)."""

    def __init__(self, neuron):
        super().__init__()
        self.neuron = neuron
        self.inputs = {}
        for label, unit in WEIGHT_UNITS.items():
            state = nd.ShortTermState(u.with_unit(jnp.zeros(neuron.varshape), unit))
            self.inputs[label] = state
            neuron.add_delta_input(f"stimulus-{label}", (lambda s=state: s.value), label=label)

    def update(self, current, weights):
        for label, state in self.inputs.items():
            state.value = u.with_unit(weights[label], WEIGHT_UNITS[label])
        spike = self.neuron(u.with_unit(current, u.pA))
        return {name: self.neuron.record(name) for name in self.neuron.recordables}, spike


def test_replays_nest():
    ref = M.load("deterministic")
    protocol = ref["protocol"]
    # NEST ignores currents into the dendrite: only those into the soma are replayed
    soma = [s for s in protocol["stimuli"] if s["syn"].get("receptor_type") != 6]
    current, spikes = input_arrays(dict(protocol, stimuli=soma), len(protocol["neurons"]))
    weights = {label: jnp.asarray(spikes[number]) for label, number in MODEL.RECEPTOR_TYPES.items()}
    driven = _Driven(build(protocol["neurons"]))
    nd.init_all_states(driven)

    def step(i, current, weights):
        with nd.environ.context(t=i * M.DT * u.ms):
            return driven(current, weights)

    records, spike = nd.for_loop(step, jnp.arange(len(current)), jnp.asarray(current), weights)
    expected = np.zeros(spike.shape)
    np.add.at(expected, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    np.testing.assert_array_equal(np.asarray(spike), expected)
    assert (expected.sum(axis=0) > 0).all()
    for name, unit in UNITS.items():
        ours = np.asarray(u.to_float(records[name], unit))
        np.testing.assert_allclose(ours, ref[name], rtol=0, atol=_TOL, err_msg=name)


@pytest.mark.parametrize("condition", list(M.CONDITIONS))
def test_firing_statistics_match_nest(condition):
    nd.random.seed(0)
    neuron = build([M.CONDITIONS[condition]] * M.N_NEURONS)
    nd.init_all_states(neuron)
    n_steps = int(round(M.STATS_DURATION / M.DT))
    result = nd.run(neuron, n_steps * M.DT * u.ms, monitors={"spike": neuron.spike})
    counts = np.asarray(result["spike"], int)
    step, sender = np.nonzero(counts)
    multiplicity = counts[step, sender]
    if condition == "poisson":
        assert multiplicity.max() > 1  # several spikes in a step, sent as one
    ours = M.spike_statistics(
        np.repeat(step + 1, multiplicity), np.repeat(sender, multiplicity), M.N_NEURONS, n_steps
    )
    assert_same_statistics(ours, M.load(f"stats/{condition}"))


def test_defaults_and_receptors_match_nest():
    neuron = MODEL(1)
    defaults = M.defaults()
    assert sorted(neuron.recordables) == sorted(defaults["recordables"])
    spikes = {k: v for k, v in defaults["receptor_types"].items() if not k.endswith("curr")}
    assert neuron.RECEPTOR_TYPES == spikes
    for key in ("t_ref", "phi_max", "rate_slope", "beta", "theta", "g_sp", "g_ps"):
        value = getattr(neuron, key)
        ours = u.to_float(value, u.get_unit(value)) if u.is_quantity(value) else value
        assert float(ours) == pytest.approx(defaults[key], rel=1e-15), key
    for compartment in COMPARTMENTS:
        for key, (unit, _, _) in COMPARTMENT_PARAMETERS.items():
            ours = float(u.to_float(neuron.compartment(key, compartment), unit))
            assert ours == defaults[compartment][key], (compartment, key)
    nd.init_all_states(neuron)
    assert float(neuron.record("V_m.s").to_decimal(u.mV)[0]) == defaults["soma"]["V_m"]
    assert float(neuron.record("V_m.p").to_decimal(u.mV)[0]) == defaults["dendritic"]["V_m"]


def test_inputs_are_checked():
    with pytest.raises(nd.ParameterError, match="soma has no parameter 'V_th'"):
        MODEL(1, soma={"V_th": -50.0 * u.mV})
    with pytest.raises(nd.ParameterError, match="C_m_dendritic must be > 0"):
        MODEL(1, dendritic={"C_m": 0.0 * u.pF})
    neuron = nd.init_all_states(MODEL(1))
    neuron.add_delta_input("nS", lambda: 1.0 * u.nS, label="dendritic_exc")
    with pytest.raises(nd.ParameterError, match="dendritic_exc take weights in pA"):
        neuron()
    neuron = nd.init_all_states(MODEL(1))
    neuron.add_delta_input("unlabelled", lambda: 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="receptor"):
        neuron()
