"""aeif_* against NEST 3.10 recordings: spikes, resets and refractoriness inside RKF45.

Each model runs once, in float64: the neurons of the four shared protocols, of the extra
protocol of ``make_aeif_extra.py`` (refractoriness, ``Delta_T = 0``, ``V_peak``, initial
state, several spikes per step; recorded from NEST into ``data/aeif_extra.npz``) and two
neurons that become numerically unstable, side by side in one population (neurons are
independent, each with its own RKF45 step size). The tests then compare each
protocol's columns with NEST's recording.
"""

import functools
import inspect
import math

import jax.numpy as jnp
import numpy as np
import pytest
from make_aeif_extra import load as load_extra
from protocol_driver import DT, P, _Stimulated, input_arrays, nest_defaults, reference

import neurodyn as nd
from neurodyn import units as u
from neurodyn.neurons._base import refractory_steps

_MODELS = {
    "aeif_cond_alpha": (nd.nest.aeif_cond_alpha, u.nS),
    "aeif_cond_exp": (nd.nest.aeif_cond_exp, u.nS),
    "aeif_psc_exp": (nd.nest.aeif_psc_exp, u.pA),
}
_PROTOCOLS = ["dc", "step", "spikes_ex", "spikes_in"]
# NEST state entries set in a protocol, and the constructor arguments that set them.
_INITIAL = {"V_m": ("V_initializer", u.mV), "w": ("w_initializer", u.pA)}
_UNITS = {"V_m": u.mV, "w": u.pA, "g_ex": u.nS, "g_in": u.nS, "I_syn_ex": u.pA, "I_syn_in": u.pA}
# Largest differences from NEST seen (float64, x86-64): V_m 9.1e-12 mV, w 3.4e-11 pA,
# g 3.2e-11 nS, I_syn 2.0e-12 pA; tolerances with a wide margin:
_TOL_V = 1e-9  # mV, before and after the first spike
_TOL = 1e-9  # other recordables, in NEST's units
# Except the burst neuron of the extra protocol (several spikes in every step): there
# RKF45 takes ~500 substeps per step and one-ulp differences (XLA's exp is not glibc's)
# flip accept/reject decisions, which moves V by ~1e-5 mV per step (an exact Python
# replica of GSL's loop moves as much when I_e changes by one ulp). Spike counts still
# agree in every step; seen: V_m 4.5e-3 mV, w 1.4e-4 pA (w ~ 7000 pA).
_BURST = 4  # the burst neuron's column in the extra protocol
_TOL_BURST = {"V_m": 5e-2, "w": 1e-3}


def _merge(protocols: list[dict]) -> tuple[dict, list[range]]:
    """One protocol holding the neurons of ``protocols`` side by side, and the columns
    each protocol's neurons occupy."""
    neurons, stimuli, columns = [], [], []
    for protocol in protocols:
        offset = len(neurons)
        neurons += protocol["neurons"]
        for stim in protocol["stimuli"]:
            stimuli.append(dict(stim, targets=[t + offset for t in stim["targets"]]))
        columns.append(range(offset, len(neurons)))
    duration = max(p["duration"] for p in protocols)
    return {"duration": duration, "neurons": neurons, "stimuli": stimuli}, columns


def _build(model: str, neurons: list[dict]):
    """The population, with NEST's defaults and each neuron's overrides."""
    cls = _MODELS[model][0]
    signature = inspect.signature(cls).parameters
    defaults = nest_defaults(model)
    params = {}
    for key in sorted({k for n in neurons for k in n}):
        name, unit = _INITIAL.get(key, (key, None))
        unit = unit or u.get_unit(signature[key].default)
        values = np.array([n.get(key, defaults[key]) for n in neurons], np.float64)
        params[name] = u.with_unit(jnp.asarray(values), unit)
    return cls(len(neurons), **params)


def _simulate(model: str, protocol: dict):
    """Recordings (NEST's units) and spike counts per step, shape (steps, neurons)."""
    neuron = _build(model, protocol["neurons"])
    current, spikes = input_arrays(protocol, neuron.num)
    driven = _Stimulated(neuron, {0: None}, _MODELS[model][1])
    nd.init_all_states(driven)
    weights = {0: jnp.asarray(spikes.get(0, np.zeros_like(current)))}

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            return driven(current, weights)

    steps = jnp.arange(current.shape[0])
    records, counts = nd.for_loop(step, steps, jnp.asarray(current), weights)
    out = {name: np.asarray(u.to_float(v, _UNITS[name])) for name, v in records.items()}
    return neuron, out, np.asarray(counts)


@functools.cache
def _run(model: str) -> dict:
    """One float64 run of all protocols of ``model`` (shared and extra), split again
    into ``{protocol: (NEST's recording, our recordings, our spike counts)}``; the
    last two neurons become unstable (``"unstable"``: the neuron and its columns)."""
    refs = {name: reference(model, name) for name in _PROTOCOLS}
    refs["extra"] = load_extra(model)
    merged, columns = _merge([ref["protocol"] for ref in refs.values()])
    # NEST 3.10 raises NumericalInstability for both (V < -1000 mV; w > 1e6 pA)
    merged["neurons"] += [{"I_e": -1e7}, {"I_e": 1e4, "b": 2e6}]
    nd.environ.set(precision=64)
    try:
        neuron, ours, counts = _simulate(model, merged)
    finally:
        nd.environ.set(precision=32)
    out = {"unstable": (neuron, columns[-1][-1] + 1)}
    for (name, ref), cols in zip(refs.items(), columns, strict=True):
        steps = ref["V_m"].shape[0]
        mine = {key: value[:steps, cols] for key, value in ours.items()}
        out[name] = (ref, mine, counts[:steps, cols])
    return out


def _nest_counts(ref: dict) -> np.ndarray:
    """NEST's spikes per step and neuron (several events in one step add up)."""
    counts = np.zeros(ref["V_m"].shape, int)
    np.add.at(counts, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    return counts


def _check(model: str, name: str, columns: list[int] | None = None) -> tuple:
    """Spike counts equal NEST's in every step; V_m and the other recordables of
    ``columns`` (default: all neurons) within tolerance. Returns the largest V_m
    errors before and after the first spike."""
    ref, ours, counts = _run(model)[name]
    np.testing.assert_array_equal(counts, _nest_counts(ref), err_msg=f"{model} {name}")
    cols = list(range(counts.shape[1])) if columns is None else columns
    errors = np.abs(ours["V_m"] - ref["V_m"])[:, cols]
    spiked = np.flatnonzero(counts.any(axis=1))
    first = spiked[0] if len(spiked) else len(errors)  # the step of the first spike
    before, after = errors[:first].max(initial=0.0), errors[first:].max(initial=0.0)
    assert before <= _TOL_V and after <= _TOL_V, (model, name, before, after)
    for key in ours:
        np.testing.assert_allclose(
            ours[key][:, cols], ref[key][:, cols], rtol=0, atol=_TOL, err_msg=f"{name} {key}"
        )
    return before, after


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize("protocol", _PROTOCOLS)
def test_matches_nest(model, protocol):
    _check(model, protocol)


@pytest.mark.parametrize("model", list(_MODELS))
def test_refractoriness_sharp_threshold_and_bursts_match_nest(model):
    ref, ours, counts = _run(model)["extra"]
    _check(model, "extra", [k for k in range(counts.shape[1]) if k != _BURST])
    for key, atol in _TOL_BURST.items():
        np.testing.assert_allclose(ours[key][:, _BURST], ref[key][:, _BURST], rtol=0, atol=atol)
    # the cases are really exercised: several spikes in one step, and clamping for
    # t_ref / dt = 20 steps after the spike step
    assert counts[:, _BURST].max() >= 4
    spike_step = int(np.argmax(counts[:, 0] > 0))
    np.testing.assert_array_equal(ours["V_m"][spike_step : spike_step + 21, 0], -60.0)
    assert ours["V_m"][spike_step + 21, 0] != -60.0


def test_nest_rounds_refractory_periods_up_to_whole_steps():
    # NEST: Time(Time::ms(t)).get_steps() rounds t to tics (1e-3 ms), then up to steps
    t_ref = jnp.array([0.0, 0.04, 0.1, 0.25, 0.2000001, 2.0, 2.05]) * u.ms
    assert refractory_steps(t_ref).tolist() == [0, 1, 1, 3, 2, 20, 21]


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize(
    "override,match",
    [
        (dict(V_reset=0.0 * u.mV), "V_reset must be < V_peak"),
        (dict(Delta_T=-1.0 * u.mV), "Delta_T must be >= 0"),
        (dict(Delta_T=0.01 * u.mV), r"\(V_peak - V_th\) / Delta_T"),
        (dict(V_peak=-55.0 * u.mV, V_reset=-70.0 * u.mV), "V_peak must be >= V_th"),
        (dict(C_m=0.0 * u.pF), "C_m must be > 0"),
        (dict(t_ref=-0.1 * u.ms), "t_ref must be >= 0"),
        (dict(tau_syn_ex=0.0 * u.ms), "tau_syn_ex must be > 0"),
        (dict(tau_syn_in=-1.0 * u.ms), "tau_syn_in must be > 0"),
        (dict(tau_w=0.0 * u.ms), "tau_w must be > 0"),
        (dict(gsl_error_tol=0.0), "gsl_error_tol must be > 0"),
        (dict(gsl_error_tol=np.array([1e-6, 1e-3])), "gsl_error_tol must be a single"),
        (dict(g_L=30.0 * u.mV), "g_L"),
    ],
)
def test_parameters_validated_as_nest_does(model, override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model][0](2, **override)


@pytest.mark.parametrize("model", list(_MODELS))
def test_sharp_threshold_and_peak_equal_threshold_are_allowed(model):
    # NEST accepts Delta_T = 0 (no exponential term) and V_peak = V_th
    _MODELS[model][0](2, Delta_T=0.0 * u.mV, V_peak=-50.4 * u.mV)


def test_overflow_guard_is_nests():
    limit = math.log(np.finfo(np.float64).max / 1e20)  # (V_peak - V_th) / Delta_T < limit
    V_th = -50.4 * u.mV
    nd.nest.aeif_cond_exp(1, Delta_T=1.0 * u.mV, V_peak=V_th + (limit - 0.01) * u.mV)
    with pytest.raises(nd.ParameterError, match="Delta_T"):
        nd.nest.aeif_cond_exp(1, Delta_T=1.0 * u.mV, V_peak=V_th + (limit + 0.01) * u.mV)


@pytest.mark.parametrize("model", list(_MODELS))
def test_defaults_and_recordables_match_nest(model):
    nd.environ.set(precision=64)
    neuron = _MODELS[model][0](1)
    defaults = P.load(model)["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES[model])
    names = ["V_peak", "V_reset", "t_ref", "g_L", "C_m", "E_L", "Delta_T", "tau_w", "a",
             "b", "V_th", "tau_syn_ex", "tau_syn_in", "I_e"]  # fmt: skip
    names += ["E_ex", "E_in"] if "cond" in model else []
    signature = inspect.signature(type(neuron)).parameters
    for name in names:
        unit = u.get_unit(signature[name].default)
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    assert neuron.gsl_error_tol == defaults["gsl_error_tol"]
    nd.init_all_states(neuron)
    # NEST 3.10 starts IntegrationStep_ at the resolution (older NEST: min(0.01 ms, dt));
    # with it the first 10 ms of the dc protocol equal NEST's to the last bit
    assert float(neuron.integration_step.value.to_decimal(u.ms)[0]) == 0.1
    assert float(neuron.record("V_m").to_decimal(u.mV)[0]) == defaults["V_m"]
    for name in neuron.recordables[1:]:
        assert float(u.magnitude(neuron.record(name))[0]) == defaults[name], name


def test_needs_float64():
    neuron = nd.nest.aeif_cond_exp(1)
    with pytest.raises(nd.ParameterError, match="float64"):
        nd.init_all_states(neuron)


@pytest.mark.parametrize("model", list(_MODELS))
def test_numerical_instability_is_reported_as_nest_does(model):
    # NEST raises NumericalInstability when V < -1000 mV or |w| > 1e6 pA after a substep
    neuron, first_unstable = _run(model)["unstable"]
    flags = np.asarray(neuron.numerical_instability.value)
    assert np.flatnonzero(flags).tolist() == [first_unstable, first_unstable + 1]
    match = rf"NumericalInstability.*\({first_unstable},\), \({first_unstable + 1},\)\."
    with pytest.raises(nd.SimulationError, match=match):
        neuron.check_health()  # what nd.run calls after a run
