"""The bad-input suite: every declared parameter of every public model, synapse, output
and input class, under every kind of fault, must raise a ParameterError that names it.

A new model is covered by adding it to ``MODELS``; ``test_every_public_model_is_listed``
fails until it is. The faults come from each parameter's declaration (its unit, sign
rule, bounds and whether infinity is meaningful), so the rules and the suite cannot
drift apart. Each fault is tried both at construction and by assignment afterwards
(which must leave the old value in place).
"""

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core._module import Module
from neurodyn.core._params import ANY_UNIT

N = 4

#: Every public class with declared parameters, with the arguments it needs.
_PLASTIC = nd.AlignPostProj(
    nd.AllToAll(3, N, 0.5 * u.nS),
    nd.Expon(N, g_initializer=nd.init.ZeroInit(u.nS)),
    nd.COBA(E=0.0 * u.mV),
    nd.LIF(N),
)

MODELS = {
    "LIF": (nd.LIF, {}),
    "ExpIF": (nd.ExpIF, {}),
    "AdExIF": (nd.AdExIF, {}),
    "QuaIF": (nd.QuaIF, {}),
    "Izhikevich": (nd.Izhikevich, {}),
    "ALIF": (nd.ALIF, {}),
    "GIF": (nd.GIF, {}),
    "HH": (nd.HH, {}),
    "TraubMilesHH": (nd.TraubMilesHH, {}),
    "MorrisLecar": (nd.MorrisLecar, {}),
    "PinskyRinzelModel": (nd.PinskyRinzelModel, {}),
    "WangBuzsakiModel": (nd.WangBuzsakiModel, {}),
    "Expon": (nd.Expon, {}),
    "Alpha": (nd.Alpha, {}),
    "DualExpon": (nd.DualExpon, {}),
    "STP": (nd.STP, {}),
    "STD": (nd.STD, {}),
    "AMPA": (nd.AMPA, {}),
    "GABAa": (nd.GABAa, {}),
    "NMDA": (nd.NMDA, {}),
    "COBA": (nd.COBA, {"E": 0.0 * u.mV}),
    "MgBlock": (nd.MgBlock, {}),
    "PoissonSpike": (nd.PoissonSpike, {"freqs": 10.0 * u.Hz}),
    "SectionInput": (nd.SectionInput, {"values": [1.0] * u.nA, "durations": [1.0] * u.ms}),
    "ConstantInput": (nd.ConstantInput, {"I_and_duration": [(1.0 * u.nA, 1.0 * u.ms)]}),
    "StepInput": (nd.StepInput, {"amplitudes": [1.0] * u.nA, "step_times": [1.0] * u.ms}),
    "RampInput": (nd.RampInput, {"c_start": 0 * u.nA, "c_end": 1 * u.nA, "t_end": 5 * u.ms}),
    "SinusoidalInput": (nd.SinusoidalInput, {"amplitude": 1 * u.nA, "frequency": 1 * u.Hz}),
    "OUProcess": (nd.OUProcessInput, {"mean": 1 * u.nA, "sigma": 1 * u.nA, "tau": 5 * u.ms}),
    "WienerProcessInput": (nd.WienerProcessInput, {}),
    "LeakyRateReadout": (nd.LeakyRateReadout, {"out_size": 3}),
    "IF": (nd.IF, {}),
    "LIFRef": (nd.LIFRef, {}),
    "CubaLIF": (nd.CubaLIF, {}),
    "CobaLIF": (nd.CobaLIF, {}),
    "ExpIFRef": (nd.ExpIFRef, {}),
    "AdExIFRef": (nd.AdExIFRef, {}),
    "AdQuaIF": (nd.AdQuaIF, {}),
    "AdQuaIFRef": (nd.AdQuaIFRef, {}),
    "IzhikevichRef": (nd.IzhikevichRef, {}),
    "GifRef": (nd.GifRef, {}),
    "FitzHughNagumo": (nd.FitzHughNagumo, {}),
    "HindmarshRose": (nd.HindmarshRose, {}),
    "BioNMDA": (nd.BioNMDA, {}),
    "PoissonInput": (
        nd.PoissonInput,
        {
            "target": (nd.LIF(N), "V"),
            "indices": None,
            "num_input": 10,
            "freq": 10.0 * u.Hz,
            "weight": 0.1 * u.mV,
        },
    ),
    "SymmetryGapJunction": (
        nd.SymmetryGapJunction,
        {
            "couples": nd.LIF(N),
            "states": "V",
            "conn": nd.connectivity.all_to_all(N, N),
            "weight": 1.0 * u.nS,
        },
    ),
    "AsymmetryGapJunction": (
        nd.AsymmetryGapJunction,
        {
            "pre": nd.LIF(N),
            "pre_state": "V",
            "post": nd.LIF(N),
            "post_state": "V",
            "conn": nd.connectivity.one_to_one(N, N),
            "weight": [1.0, 2.0] * u.nS,
        },
    ),
    "STDP": (nd.plasticity.STDP, {"proj": _PLASTIC, "w_max": 1.0 * u.nS}),
    "SpikeTime": (nd.SpikeTime, {"indices": [0, 1], "times": [1.0, 2.0] * u.ms}),
    **{
        f"nest.{name}": (getattr(nd.nest, name), {})
        for name in nd.nest.__all__
        if name not in ("NESTNeuron", "GapJunction")
    },
    **{f"nest.synapses.{name}": (cls, {}) for name, cls in nd.nest.synapses.SYNAPSE_MODELS.items()},
}

#: Noise amplitudes and other optional parameters are off by default; give them a value
#: so that their shape and sign rules are tested against a set value too.
OPTIONAL_VALUES = {"noise": 0.1 * u.mV / u.ms**0.5, "g_max": 1.0 * u.nS}


def _build(key, **overrides):
    cls, required = MODELS[key]
    kwargs = {**required, **overrides}
    args = (N,) if "in_size" in inspect.signature(cls).parameters else ()
    return cls(*args, **kwargs)


def _params(key):
    cls, _ = MODELS[key]
    return cls.declared_params()


def _unit_of(spec, value):
    return u.get_unit(value) if spec.unit is ANY_UNIT else spec.unit


def _other_unit(unit):
    """A unit of another dimension than ``unit``."""
    if unit.is_unitless:
        return u.mV
    return u.mV if not u.same_dimension(1.0 * unit, u.mV) else u.ms


def _faults(key, name):
    """(label, value) pairs that break one rule each of parameter ``name``."""
    spec = _params(key)[name]
    current = getattr(_build(key, **_optional(key)), name)
    unit = _unit_of(spec, current) if current is not None else spec.unit
    magnitude = np.asarray(u.magnitude(current) if current is not None else 1.0, float)
    good = float(np.ravel(magnitude)[0])
    faults = []
    if spec.unit is not ANY_UNIT:  # a parameter whose unit the user picks has no unit rule
        if not unit.is_unitless:
            faults.append(("missing unit", good))
        faults.append(("wrong unit", u.with_unit(good, _other_unit(unit))))
    faults.append(("NaN", u.with_unit(np.nan, unit)))
    if not spec.allow_inf:
        faults.append(("inf", u.with_unit(np.inf, unit)))
    if spec.positive:
        faults.append(("zero", u.with_unit(0.0, unit)))
    if spec.positive or spec.nonnegative:
        faults.append(("negative", u.with_unit(-abs(good) - 1.0, unit)))
    if spec.bounds is not None:
        faults.append(("above bounds", u.with_unit(spec.bounds[1] + 1.0, unit)))
    if spec.per_neuron and "in_size" in inspect.signature(MODELS[key][0]).parameters:
        faults.append(("wrong shape", u.with_unit(np.full(N + 1, good), unit)))
        faults.append(("widening shape", u.with_unit(np.full((N, 1), good), unit)))
    elif not spec.per_neuron:
        faults.append(("not a scalar", u.with_unit(np.full(2, good), unit)))
    return faults


def _optional(key):
    params = _params(key)
    return {name: value for name, value in OPTIONAL_VALUES.items() if name in params}


CASES = [(key, name) for key in MODELS for name in _params(key)]
#: Those a constructor takes (NEST's iaf_bw_2001 has no I_e argument, for instance).
CONSTRUCTOR_CASES = [
    (key, name) for key, name in CASES if name in inspect.signature(MODELS[key][0]).parameters
]


def test_every_public_model_is_listed():
    listed = {cls for cls, _ in MODELS.values()}
    public = [getattr(nd, name) for name in nd.__all__] + [
        getattr(nd.nest, name) for name in nd.nest.__all__
    ]
    missing = [
        cls.__name__
        for cls in public
        if inspect.isclass(cls)
        and issubclass(cls, Module)
        and cls.declared_params()
        and cls not in listed
        and cls not in (nd.nest.NESTNeuron, nd.nest.GapJunction)
    ]
    assert not missing, f"add these to MODELS: {missing}"
    assert len(CASES) > 300  # the suite covers every declared parameter


@pytest.mark.parametrize("key,name", CASES, ids=[f"{k}.{n}" for k, n in CASES])
def test_every_fault_by_assignment_names_the_parameter_and_changes_nothing(key, name):
    model = _build(key, **_optional(key))
    before = getattr(model, name)
    for label, value in _faults(key, name):
        with pytest.raises(nd.ParameterError, match=rf"\b{name}\b") as caught:
            setattr(model, name, value)
        assert getattr(model, name) is before, f"{label}: the failed assignment changed {name}"
        assert "\n" not in str(caught.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_faults_at_construction_name_the_parameter(data):
    key, name = data.draw(st.sampled_from(CONSTRUCTOR_CASES), label="parameter")
    label, value = data.draw(st.sampled_from(_faults(key, name)), label="fault")
    if label == "negative":  # any negative magnitude, not just one
        spec = _params(key)[name]
        magnitude = data.draw(st.floats(min_value=-1e6, max_value=-1e-6), label="magnitude")
        value = u.with_unit(magnitude, _unit_of(spec, value))
    with pytest.raises(nd.ParameterError, match=rf"\b{name}\b"):
        _build(key, **{**_optional(key), name: value})


@pytest.mark.parametrize("key", list(MODELS))
def test_defaults_are_valid_and_a_valid_assignment_is_kept(key):
    model = _build(key, **_optional(key))
    for name in _params(key):
        value = getattr(model, name)
        if value is None:
            continue
        setattr(model, name, value)
        assert getattr(model, name) is value


ORDERING_CASES = [(key, rule) for key in MODELS for rule in MODELS[key][0].ordering_rules()]


@pytest.mark.parametrize(
    "key,rule", ORDERING_CASES, ids=[f"{k}.{a}<{b}" for k, (a, b) in ORDERING_CASES]
)
def test_orderings_are_checked_at_construction_and_on_assignment(key, rule):
    low, high = rule
    model = _build(key, **_optional(key))
    above = getattr(model, high) + 1.0 * u.get_unit(getattr(model, high))
    message = rf"{low} must be < {high}"
    with pytest.raises(nd.ParameterError, match=message):
        setattr(model, low, above)
    with pytest.raises(nd.ParameterError, match=message):
        setattr(model, high, getattr(model, low))  # equal is not less
    with pytest.raises(nd.ParameterError, match=message):
        _build(key, **{**_optional(key), low: above})
