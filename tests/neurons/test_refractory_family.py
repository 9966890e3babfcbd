"""The BrainPy-style integrate-and-fire models: IF, LIFRef, CubaLIF against closed forms
(membrane response, time to first spike, firing period with the refractory period);
AdQuaIF and CobaLIF below threshold against solve_ivp; the refractory variants hold
their whole state for tau_ref and equal their parents without it."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u
from neurodyn.neurons import (
    IF,
    AdExIFRef,
    AdQuaIF,
    AdQuaIFRef,
    CobaLIF,
    CubaLIF,
    ExpIFRef,
    GifRef,
    IzhikevichRef,
    LIFRef,
)

DT = 0.1  # ms
TAU, R, V_TH = 10.0, 1.0, 10.0  # ms, Mohm, mV (rest and reset at 0 mV)


def _spike_steps(result, column=0):
    return np.flatnonzero(np.asarray(result["spike"])[:, column] > 0)


# ------------------------------------------------------- membrane closed forms
LINEAR = {
    "IF": lambda **kw: IF(3, tau=TAU * u.ms, R=R * u.Mohm, V_th=V_TH * u.mV),
    "LIFRef": lambda **kw: LIFRef(
        3, tau=TAU * u.ms, R=R * u.Mohm, V_th=V_TH * u.mV, tau_ref=kw.get("tau_ref", 5 * u.ms)
    ),
    "LIF": lambda **kw: nd.LIF(
        3, tau=TAU * u.ms, R=R * u.Mohm, V_th=V_TH * u.mV, tau_ref=kw.get("tau_ref", 0 * u.ms)
    ),
}


@pytest.mark.parametrize("key", sorted(LINEAR))
def test_subthreshold_response_is_the_closed_form(key):
    """V(t) = R I (1 - exp(-t / tau)); exponential Euler is exact for this linear field."""
    currents = np.array([2.0, 5.0, 9.0])  # nA: R I < V_th, no spike
    neuron = LINEAR[key]()
    nd.init_all_states(neuron)
    result = nd.run(
        neuron, 50.0 * u.ms, inputs=lambda i, t: jnp.asarray(currents) * u.nA,
        monitors={"V": neuron.V, "spike": neuron.spike},
    )  # fmt: skip
    t = np.arange(1, 501) * DT
    expected = R * currents * (1.0 - np.exp(-t[:, None] / TAU))
    V = np.asarray(result["V"].to_decimal(u.mV))
    np.testing.assert_allclose(V, expected, atol=2e-5)  # worst seen: 3.9e-6 mV (float32)
    assert np.asarray(result["spike"]).sum() == 0


def _time_to_threshold(I):
    """Time (ms) from 0 mV to V_th at constant I (nA): tau ln(R I / (R I - V_th))."""
    return TAU * np.log(R * I / (R * I - V_TH))


@pytest.mark.parametrize(
    "key,tau_ref",
    [("IF", 0.0), ("LIF", 0.0), ("LIF", 3.0), ("LIFRef", 5.0), ("LIFRef", 2.35)],
)
def test_first_spike_and_period_are_the_closed_form(key, tau_ref):
    """The first spike is in the step where V crosses V_th; every later period is that
    many steps plus the refractory period in whole steps (rounded up)."""
    currents = np.array([12.0, 20.0, 45.0])  # nA
    neuron = LINEAR[key](tau_ref=tau_ref * u.ms)
    nd.init_all_states(neuron)
    result = nd.run(
        neuron, 150.0 * u.ms, inputs=lambda i, t: jnp.asarray(currents) * u.nA,
        monitors={"spike": neuron.spike},
    )  # fmt: skip
    held = int(np.ceil(tau_ref / DT - 1e-9))
    for column, I in enumerate(currents):
        to_threshold = int(np.ceil(_time_to_threshold(I) / DT))  # steps from the reset
        steps = _spike_steps(result, column)
        assert steps[0] + 1 == to_threshold
        np.testing.assert_array_equal(np.diff(steps), held + to_threshold)


def test_cuba_lif_response_is_the_closed_form():
    """tau_s dI/dt = I_in - I, tau dV/dt = -V + R I from rest: V = R I_in (1 - (tau
    e^{-t/tau} - tau_s e^{-t/tau_s}) / (tau - tau_s))."""
    nd.environ.set(precision=64)
    tau_syn, dt = 3.0, 0.01
    nd.environ.set(dt=dt * u.ms)
    currents = np.array([2.0, 8.0])
    neuron = CubaLIF(2, tau=TAU * u.ms, tau_syn=tau_syn * u.ms, R=R * u.Mohm,
                     V_th=V_TH * u.mV, method="rk4")  # fmt: skip
    nd.init_all_states(neuron)
    result = nd.run(
        neuron, 40.0 * u.ms, inputs=lambda i, t: jnp.asarray(currents) * u.nA,
        monitors={"V": neuron.V, "I": neuron.I_syn},
    )  # fmt: skip
    t = np.arange(1, 4001)[:, None] * dt
    shape = (TAU * np.exp(-t / TAU) - tau_syn * np.exp(-t / tau_syn)) / (TAU - tau_syn)
    np.testing.assert_allclose(
        result["V"].to_decimal(u.mV), R * currents * (1 - shape), atol=1e-9
    )  # worst seen: 1.3e-12 mV
    np.testing.assert_allclose(
        result["I"].to_decimal(u.nA), currents * (1 - np.exp(-t / tau_syn)), atol=1e-9
    )


# ------------------------------------------------------- solve_ivp references
def test_adquaif_below_threshold_matches_solve_ivp():
    nd.environ.set(dt=0.01 * u.ms, precision=64)
    p = dict(tau=10.0, R=10.0, tau_w=30.0, a=2.0, c=0.07, V_rest=-65.0, V_c=-50.0)
    currents = np.array([0.1, 0.3])  # nA; rheobase without adaptation 0.394 nA
    neuron = AdQuaIF(
        2, tau=p["tau"] * u.ms, R=p["R"] * u.Mohm, tau_w=p["tau_w"] * u.ms, a=p["a"] * u.nS,
        c=p["c"] / u.mV, V_rest=p["V_rest"] * u.mV, V_c=p["V_c"] * u.mV, method="rk4",
    )  # fmt: skip
    nd.init_all_states(neuron)
    result = nd.run(
        neuron, 100.0 * u.ms, inputs=lambda i, t: jnp.asarray(currents) * u.nA,
        monitors={"V": neuron.V, "w": neuron.w, "spike": neuron.spike},
    )  # fmt: skip
    assert np.asarray(result["spike"]).sum() == 0
    t = np.arange(1, 10001) * 0.01
    for column, I in enumerate(currents):

        def field(_, y, I=I):
            V, w = y  # mV, nA (a in nS times mV is pA: / 1000 for nA)
            dV = p["c"] * (V - p["V_rest"]) * (V - p["V_c"]) - p["R"] * w + p["R"] * I
            return [dV / p["tau"], (p["a"] * (V - p["V_rest"]) / 1000 - w) / p["tau_w"]]

        ref = solve_ivp(field, (0, 100), [p["V_rest"], 0.0], t_eval=t, rtol=1e-11, atol=1e-12)
        V = np.asarray(result["V"].to_decimal(u.mV))[:, column]
        w = np.asarray(result["w"].to_decimal(u.nA))[:, column]
        np.testing.assert_allclose(V, ref.y[0], atol=1e-8)  # worst seen: 4.1e-10 mV
        np.testing.assert_allclose(w, ref.y[1], atol=1e-10)


def test_coba_lif_epsp_and_ipsp_match_solve_ivp():
    nd.environ.set(dt=0.01 * u.ms, precision=64)
    neuron = CobaLIF(2, g_E_initializer=jnp.array([10.0, 0.0]) * u.nS,
                     g_I_initializer=jnp.array([0.0, 15.0]) * u.nS, method="rk4")  # fmt: skip
    nd.init_all_states(neuron)
    result = nd.run(neuron, 60.0 * u.ms, monitors={"V": neuron.V, "spike": neuron.spike})
    assert np.asarray(result["spike"]).sum() == 0
    t = np.arange(1, 6001) * 0.01
    tau, R, tau_E, tau_I, E_E, E_I, V_rest = 20.0, 100.0, 5.0, 10.0, 0.0, -80.0, -60.0
    for column, (gE0, gI0) in enumerate([(10.0, 0.0), (0.0, 15.0)]):

        def field(s, y, gE0=gE0, gI0=gI0):
            gE, gI = gE0 * np.exp(-s / tau_E), gI0 * np.exp(-s / tau_I)  # nS
            syn = (gE * (E_E - y[0]) + gI * (E_I - y[0])) / 1000  # nA
            return [(-(y[0] - V_rest) + R * syn) / tau]

        ref = solve_ivp(field, (0, 60), [V_rest], t_eval=t, rtol=1e-11, atol=1e-12)
        V = np.asarray(result["V"].to_decimal(u.mV))[:, column]
        np.testing.assert_allclose(V, ref.y[0], atol=2e-8)  # worst seen: 5.7e-9 mV


def test_coba_lif_conductance_jumps_arrive_through_labelled_delta_inputs():
    neuron = CobaLIF(1)
    nd.init_all_states(neuron)
    neuron.add_delta_input("exc", lambda: 3.0 * u.nS, label="g_E")
    neuron.add_delta_input("inh", lambda: 1.0 * u.nS, label="g_I")
    with nd.environ.context(t=0.0 * u.ms, i=0):
        neuron.update()
    # the jump, then one step of exact exponential decay
    np.testing.assert_allclose(neuron.g_E.value.to_decimal(u.nS), 3.0 * np.exp(-0.1 / 5), 1e-6)
    np.testing.assert_allclose(neuron.g_I.value.to_decimal(u.nS), 1.0 * np.exp(-0.1 / 10), 1e-6)


# ---------------------------------------------------- the refractory variants
REF_MODELS = {
    "LIFRef": (lambda **kw: LIFRef(1, R=1.0 * u.Mohm, V_th=10.0 * u.mV, **kw), 30.0 * u.nA),
    "ExpIFRef": (lambda **kw: ExpIFRef(1, R=10.0 * u.Mohm, **kw), 3.0 * u.nA),
    "AdExIFRef": (
        lambda **kw: AdExIFRef(
            1, R=10.0 * u.Mohm, a=1.0 * u.nS, b=0.05 * u.nA, V_th=-40.0 * u.mV, **kw
        ),  # fmt: skip
        3.0 * u.nA,
    ),
    "AdQuaIFRef": (
        lambda **kw: AdQuaIFRef(1, R=10.0 * u.Mohm, a=1.0 * u.nS, b=0.05 * u.nA, **kw),
        3.0 * u.nA,
    ),
    "IzhikevichRef": (lambda **kw: IzhikevichRef(1, **kw), 10.0 * u.pA),
    "GifRef": (
        lambda **kw: GifRef(1, R=1.0 * u.Gohm, A1=5.0 * u.pA, a=0.005 / u.ms, **kw),
        60.0 * u.pA,
    ),
}
PARENTS = {
    "LIFRef": nd.LIF,
    "ExpIFRef": nd.ExpIF,
    "AdExIFRef": nd.AdExIF,
    "AdQuaIFRef": AdQuaIF,
    "IzhikevichRef": nd.Izhikevich,
    "GifRef": nd.GIF,
}


def _run_recording_hidden(neuron, current, duration=150.0):
    nd.init_all_states(neuron)
    hidden = {k: v for k, v in vars(neuron).items() if isinstance(v, nd.HiddenState)}
    monitors = {"spike": neuron.spike, "last": neuron.last_spike_time, **hidden}
    return nd.run(neuron, duration * u.ms, inputs=lambda i, t: current, monitors=monitors), hidden


@pytest.mark.parametrize("key", sorted(REF_MODELS))
def test_every_hidden_state_is_held_for_tau_ref_after_a_spike(key):
    build, current = REF_MODELS[key]
    tau_ref = 2.35  # ms: 24 steps of 0.1 ms (rounded up)
    result, hidden = _run_recording_hidden(build(tau_ref=tau_ref * u.ms), current)
    steps = _spike_steps(result)
    assert steps.size >= 3
    held = 24
    assert np.diff(steps).min() > held
    for name in hidden:
        trace = np.asarray(u.magnitude(result[name]))[:, 0]
        for n in steps:
            np.testing.assert_array_equal(trace[n + 1 : n + held + 1], trace[n], err_msg=name)
    V = np.asarray(u.magnitude(result["V"]))[:, 0]
    assert V[steps[0] + held + 1] != V[steps[0]]  # the first free step integrates again
    last = np.asarray(result["last"].to_decimal(u.ms))[:, 0]
    np.testing.assert_allclose(last[-1], (steps[-1] + 1) * DT, rtol=1e-6)  # end of its step
    assert last[steps[0] - 1] == -1e7  # never spiked before


@pytest.mark.parametrize("key", sorted(REF_MODELS))
def test_without_a_refractory_period_a_variant_is_its_parent(key):
    build, current = REF_MODELS[key]
    ref_result, _ = _run_recording_hidden(build(tau_ref=0.0 * u.ms), current, 100.0)
    ref_model = build(tau_ref=0.0 * u.ms)
    params = {name: getattr(ref_model, name) for name in PARENTS[key].declared_params()}
    parent = PARENTS[key](1, **params)
    nd.init_all_states(parent)
    result = nd.run(parent, 100.0 * u.ms, inputs=lambda i, t: current,
                    monitors={"spike": parent.spike, "V": parent.V})  # fmt: skip
    np.testing.assert_array_equal(_spike_steps(result), _spike_steps(ref_result))
    np.testing.assert_array_equal(result["V"].to_decimal(u.mV), ref_result["V"].to_decimal(u.mV))


def test_brainpy_state_defaults():
    for cls, tau_ref in ((LIFRef, 5.0), (ExpIFRef, 1.7), (AdExIFRef, 1.7), (AdQuaIFRef, 1.7),
                         (GifRef, 1.7), (IzhikevichRef, 0.0)):  # fmt: skip
        neuron = cls(2)
        assert float(neuron.tau_ref.to_decimal(u.ms)) == tau_ref
        assert neuron.ref_var is False
    q = AdQuaIF(2)
    assert (float(q.tau_w.to_decimal(u.ms)), float(q.b.to_decimal(u.mA))) == (10.0, 0.1)
    with pytest.raises(nd.ParameterError, match=r"IF\.V_reset must be < V_th"):
        IF(2, V_th=-1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match=r"ref_var must be True or False"):
        LIFRef(2, ref_var=1)
