"""NEST's izhikevich against NEST 3.10 recordings, and its published-numerics variant
against a numpy recursion of NEST's update."""

import inspect

import jax.numpy as jnp
import numpy as np
import pytest
from protocol_driver import DT, P, compare, input_arrays, simulate, simulate_protocols

import neurodyn as nd
from neurodyn import units as u

_PROTOCOLS = ["dc", "step", "spikes_ex", "spikes_in"]
# Largest differences from NEST seen (float64, x86-64): V_m 9.9e-13 mV before the first
# spike, 1.1e-11 mV after; U_m 1.6e-14 mV/ms. (XLA fuses a * b + c into FMA
# instructions where NEST rounds twice; a numpy recursion matches NEST bitwise.)
_TOL_BEFORE, _TOL_AFTER, _TOL_U = 1e-10, 1e-9, 1e-11


def test_matches_nest():
    nd.environ.set(precision=64)
    runs = simulate_protocols(nd.nest.izhikevich, "izhikevich", _PROTOCOLS, u.mV)
    for protocol, (ours, spikes, ref) in runs.items():
        compare("izhikevich", protocol, ours, spikes, ref, _TOL_BEFORE, _TOL_AFTER)
        np.testing.assert_allclose(ours["U_m"], ref["U_m"], rtol=0, atol=_TOL_U)


def _published_numerics(protocol, a, b, c, d, V_th, I_e):
    """NEST's update with consistent_integration=False (models/izhikevich.cpp), in numpy."""
    current, spikes = input_arrays(protocol, len(I_e))
    jumps = spikes.get(0, np.zeros_like(current))
    V, U, I, h = np.full(len(I_e), -65.0), np.full(len(I_e), -13.0), 0.0 * I_e, DT
    trace_V, trace_U, fired = [], [], []
    for step in range(current.shape[0]):
        for _ in range(2):
            V = V + h * 0.5 * (0.04 * V * V + 5.0 * V + 140.0 - U + I + I_e + jumps[step])
        U = U + h * a * (b * V - U)
        spike = V >= V_th
        V, U = np.where(spike, c, V), np.where(spike, U + d, U)
        I = current[step]
        trace_V.append(V), trace_U.append(U), fired.append(spike)
    return np.array(trace_V), np.array(trace_U), np.array(fired)


def test_published_numerics_match_nest_recursion():
    # neuron 0: regular spiking with I_e; 1: chattering (c, d) with a step current;
    # 2: fast spiking (a) receiving spikes, which act as a current over the step here
    nd.environ.set(precision=64)
    protocol = {
        "duration": 60.0,
        "neurons": [{}, {}, {}],
        "stimuli": [
            {
                "device": "step_current_generator",
                "params": {"amplitude_times": [5.0, 30.0], "amplitude_values": [12.0, -2.0]},
                "targets": [1],
                "syn": {"delay": 0.1},
            },
            {
                "device": "spike_generator",
                "params": {"spike_times": [3.0, 3.0, *np.arange(10.0, 40.0, 0.3).tolist()]},
                "targets": [2],
                "syn": {"weight": 40.0, "delay": 1.0},
            },
        ],
    }
    a, b = np.array([0.02, 0.02, 0.1]), np.array([0.2, 0.2, 0.25])
    c, d = np.array([-65.0, -50.0, -65.0]), np.array([8.0, 2.0, 2.0])
    I_e = np.array([10.0, 0.0, 0.0])
    neuron = nd.nest.izhikevich(
        3, a=jnp.asarray(a) / u.ms, b=jnp.asarray(b) / u.ms, c=jnp.asarray(c) * u.mV,
        d=jnp.asarray(d) * u.mV / u.ms, I_e=jnp.asarray(I_e) * u.pA,
        consistent_integration=False,
    )  # fmt: skip
    ours, spikes = simulate(neuron, protocol, u.mV)
    V, U, fired = _published_numerics(protocol, a, b, c, d, 30.0, I_e)
    assert all(fired[:, k].sum() >= 2 for k in range(3))
    times = (np.arange(len(V)) + 1) * DT
    for k in range(3):
        np.testing.assert_allclose(spikes[k], times[fired[:, k]], atol=1e-9)
    np.testing.assert_allclose(ours["V_m"], V, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["U_m"], U, rtol=0, atol=1e-11)


def test_V_min_bounds_V_and_reset_at_or_above_threshold_fires_every_step():
    nd.environ.set(precision=64)
    neuron = nd.nest.izhikevich(2, V_min=jnp.array([-70.0, -1e300]) * u.mV,
                                c=jnp.array([-65.0, 35.0]) * u.mV,
                                V_initializer=jnp.array([-65.0, 35.0]) * u.mV)  # fmt: skip
    nd.init_all_states(neuron)
    result = nd.run(neuron, 2.0 * u.ms, inputs=lambda i, t: jnp.array([-500.0, 0.0]) * u.pA,
                    monitors={"V": neuron.V, "spike": neuron.spike})  # fmt: skip
    V = np.asarray(result["V"].to_decimal(u.mV))
    assert V[1:, 0].min() == -70.0  # driven far down, held at V_min
    assert result["spike"][:, 1].tolist() == [1.0] * 20  # c = 35 mV >= V_th: NEST allows it


def test_parameters_validated_as_nest_does():
    # NEST checks no value of a, b, c, d, V_th or V_min; it accepts e.g. c >= V_th, a < 0
    nd.nest.izhikevich(2, c=40.0 * u.mV, a=-1.0 / u.ms, V_min=50.0 * u.mV)
    # ... but consistent_integration must be a bool (NEST: "Failed to cast ... to bool")
    with pytest.raises(nd.ParameterError, match="consistent_integration must be a bool"):
        nd.nest.izhikevich(2, consistent_integration=1)
    # units are checked (NEST has none): U is in mV/ms, so d is too
    with pytest.raises(nd.ParameterError, match="d must be"):
        nd.nest.izhikevich(2, d=8.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="a must be"):
        nd.nest.izhikevich(2, a=0.02)


def test_defaults_and_recordables_match_nest():
    neuron = nd.nest.izhikevich(1)
    nd.init_all_states(neuron)
    defaults = P.load("izhikevich")["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES["izhikevich"])
    for name in ["a", "b", "c", "d", "I_e", "V_th"]:
        unit = u.get_unit(inspect.signature(nd.nest.izhikevich).parameters[name].default)
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    assert defaults["V_min"] == -np.finfo(np.float64).max  # NEST's "no bound" is -inf here
    assert float(neuron.V_min.to_decimal(u.mV)) == -np.inf
    assert neuron.consistent_integration is defaults["consistent_integration"]
    assert float(neuron.V.value[0].to_decimal(u.mV)) == defaults["V_m"]
    assert float(neuron.U.value[0].to_decimal(u.mV / u.ms)) == defaults["U_m"]
