"""iaf_psc_delta / _exp / _alpha against NEST 3.10 recordings (exact propagators)."""

import numpy as np
import pytest
from protocol_driver import compare, reference, simulate

import neurodyn as nd
from neurodyn import units as u

_MODELS = {
    "iaf_psc_delta": (nd.nest.iaf_psc_delta, u.mV),
    "iaf_psc_exp": (nd.nest.iaf_psc_exp, u.pA),
    "iaf_psc_alpha": (nd.nest.iaf_psc_alpha, u.pA),
}


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize("protocol", ["dc", "step", "spikes_ex", "spikes_in"])
def test_matches_nest(model, protocol):
    nd.environ.set(precision=64)
    cls, weight_unit = _MODELS[model]
    ref = reference(model, protocol)
    from protocol_driver import build

    neuron = build(cls, model, ref["protocol"])
    ours, spikes = simulate(neuron, ref["protocol"], weight_unit)
    compare(model, protocol, ours, spikes, ref, tol_before=1e-6, tol_after=1e-6)
    for name in neuron.recordables:
        np.testing.assert_allclose(ours[name], ref[name], atol=1e-6, err_msg=name)


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize(
    "override,match",
    [
        (dict(V_reset=-50.0 * u.mV), "V_reset"),
        (dict(C_m=0.0 * u.pF), "C_m"),
        (dict(tau_m=-1.0 * u.ms), "tau_m"),
        (dict(t_ref=-0.1 * u.ms), "t_ref"),
        (dict(E_L=-70.0 * u.pA), "E_L"),
    ],
)
def test_parameters_validated_as_nest_does(model, override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model][0](3, **override)


@pytest.mark.parametrize("model", ["iaf_psc_exp", "iaf_psc_alpha"])
def test_synaptic_time_constants_validated(model):
    with pytest.raises(nd.ParameterError, match="tau_syn_in"):
        _MODELS[model][0](3, tau_syn_in=0.0 * u.ms)


@pytest.mark.parametrize("model", list(_MODELS))
def test_defaults_and_recordables_match_nest(model):
    from protocol_driver import P

    cls = _MODELS[model][0]
    neuron = cls(1)
    defaults = P.load(model)["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES[model])
    for name, unit in [("E_L", u.mV), ("C_m", u.pF), ("tau_m", u.ms), ("t_ref", u.ms),
                       ("V_th", u.mV), ("V_reset", u.mV), ("I_e", u.pA)]:  # fmt: skip
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    nd.init_all_states(neuron)
    assert float(neuron.V.value.to_decimal(u.mV)[0]) == defaults["V_m"]


def test_labelled_spike_inputs_must_name_a_receptor():
    neuron = nd.nest.iaf_psc_exp(2)
    nd.init_all_states(neuron)
    neuron.add_delta_input("bad", lambda: 1.0 * u.pA, label="NMDA")
    with pytest.raises(nd.ParameterError, match="NMDA"):
        neuron()
