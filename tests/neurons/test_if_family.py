"""ExpIF and QuaIF against their f-I curves; AdExIF and Izhikevich against solve_ivp;
shared behaviour (batching, surrogate gradients, refractoriness, validation) of the
integrate-and-fire family."""

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

import neurodyn as nd
from neurodyn import units as u

DT = 0.1  # ms, the test default


def _spike_times(result, column):
    """Times (ms) of the steps in which neuron ``column`` spiked."""
    spikes = np.asarray(result["spike"])[:, column] > 0
    return np.asarray(result.ts.to_decimal(u.ms))[spikes]


# ----------------------------------------------------------------- f-I curves
EXPIF = dict(tau=10.0, R=10.0, V_rest=-65.0, V_reset=-68.0, V_th=-30.0, V_T=-59.9, delta_T=3.48)
QUAIF = dict(tau=10.0, R=10.0, c=0.07, V_rest=-65.0, V_c=-50.0, V_reset=-68.0, V_th=-30.0)


def _expif_time_to_cutoff(I):
    """Time (ms) from V_reset to V_th at constant I (nA): the integral of dV / (dV/dt)."""
    p = EXPIF

    def dV_dt(V):
        spike_current = p["delta_T"] * np.exp((V - p["V_T"]) / p["delta_T"])
        return (-(V - p["V_rest"]) + spike_current + p["R"] * I) / p["tau"]

    return quad(lambda V: 1.0 / dV_dt(V), p["V_reset"], p["V_th"], epsabs=1e-10)[0]


def _quaif_time_to_cutoff(I):
    """Closed form: with m the midpoint of V_rest, V_c and h their half-distance,
    tau dV/dt = c ((V - m)^2 + K), K = R I / c - h^2 > 0, which integrates to arctans."""
    p = QUAIF
    m, h = (p["V_rest"] + p["V_c"]) / 2, (p["V_c"] - p["V_rest"]) / 2
    s = np.sqrt(p["R"] * I / p["c"] - h**2)
    angle = np.arctan((p["V_th"] - m) / s) - np.arctan((p["V_reset"] - m) / s)
    return p["tau"] / (p["c"] * s) * angle


def test_quaif_closed_form_agrees_with_quadrature():
    p = QUAIF
    for I in (0.45, 1.0, 4.0):

        def dV_dt(V, I=I):
            return (p["c"] * (V - p["V_rest"]) * (V - p["V_c"]) + p["R"] * I) / p["tau"]

        numeric = quad(lambda V: 1.0 / dV_dt(V), p["V_reset"], p["V_th"], epsabs=1e-10)[0]
        assert abs(_quaif_time_to_cutoff(I) - numeric) < 1e-8 * numeric


def _expif(tau_ref, size):
    p = EXPIF
    return nd.ExpIF(
        size,
        tau=p["tau"] * u.ms,
        R=p["R"] * u.Mohm,
        V_rest=p["V_rest"] * u.mV,
        V_reset=p["V_reset"] * u.mV,
        V_th=p["V_th"] * u.mV,
        V_T=p["V_T"] * u.mV,
        delta_T=p["delta_T"] * u.mV,
        tau_ref=tau_ref * u.ms,
        V_initializer=p["V_reset"] * u.mV,
    )


def _quaif(tau_ref, size):
    p = QUAIF
    return nd.QuaIF(
        size,
        tau=p["tau"] * u.ms,
        R=p["R"] * u.Mohm,
        c=p["c"] / u.mV,
        V_rest=p["V_rest"] * u.mV,
        V_c=p["V_c"] * u.mV,
        V_reset=p["V_reset"] * u.mV,
        V_th=p["V_th"] * u.mV,
        tau_ref=tau_ref * u.ms,
        V_initializer=p["V_reset"] * u.mV,
    )


# rheobase: ExpIF (V_T - V_rest - delta_T) / R = 0.162 nA; QuaIF c (V_c - V_rest)^2 / 4R = 0.394 nA
F_I_CASES = {
    "ExpIF": (_expif, _expif_time_to_cutoff, 0.162, [0.1, 0.2, 0.5, 1.0, 2.0]),
    "QuaIF": (_quaif, _quaif_time_to_cutoff, 0.39375, [0.3, 0.45, 1.0, 2.0, 4.0]),
}


@pytest.mark.parametrize("tau_ref", [0.0, 2.0])
@pytest.mark.parametrize("model", sorted(F_I_CASES))
def test_firing_period_matches_f_I_reference(model, tau_ref):
    # Reset at a step's end, V needs T to reach V_th and the spike is seen at the end of
    # the step containing the crossing: every interval lies within one step of T + tau_ref.
    build, time_to_cutoff, rheobase, currents = F_I_CASES[model]
    neuron = build(tau_ref, len(currents))
    nd.init_all_states(neuron)
    result = nd.run(
        neuron,
        300.0 * u.ms,
        inputs=lambda i, t: jnp.asarray(currents) * u.nA,
        monitors={"spike": neuron.spike},
    )
    for column, I in enumerate(currents):
        times = _spike_times(result, column)
        if I < rheobase:
            assert times.size == 0, (I, times)
            continue
        T = time_to_cutoff(I)
        assert times.size >= 2, (I, T)
        assert abs(times[0] - T) <= DT + 1e-4, (I, times[0], T)  # from V_reset at t = 0
        np.testing.assert_allclose(np.diff(times), T + tau_ref, atol=DT + 1e-4, rtol=0)


# ------------------------------------------------------- solve_ivp references
REFERENCE = np.load(Path(__file__).parents[1] / "references" / "if_family.npz")
UNITS = {
    "ms": u.ms,
    "Mohm": u.Mohm,
    "mV": u.mV,
    "nS": u.nS,
    "nA": u.nA,
    "pF": u.pF,
    "1/ms": u.ms**-1,
    "mV/ms": u.mV / u.ms,
}


def _reference_parameters(key):
    """The reference's parameters as quantities, by name."""
    pairs = (entry.split(":") for entry in REFERENCE[f"{key}_units"])
    return {name: float(REFERENCE[f"{key}_{name}"]) * UNITS[unit] for name, unit in pairs}


def _adex(method, size):
    p = _reference_parameters("adex")
    V0, w0 = p.pop("V0"), p.pop("w0")
    return nd.AdExIF(size, **p, V_initializer=V0, w_initializer=w0, method=method), "w", u.nA


def _izhikevich(method, size):
    p = _reference_parameters("izh")
    V0, _ = p.pop("V0"), p.pop("w0")  # u starts at b V0, the default
    return nd.Izhikevich(size, **p, V_initializer=V0, method=method), "u", u.mV / u.ms


# tolerances between spikes (after aligning the spike delays), measured with
# dt = 0.01 ms in float64: AdExIF V 0.01 mV, w 0.3 pA; Izhikevich V 0.1 mV, u 0.003 mV/ms
REFERENCE_CASES = {
    "adex": (_adex, u.nA, 0.02, 1e-3),
    "izh": (_izhikevich, u.pA, 0.15, 0.01),
}
# subthreshold neuron, whole trace (mV): rk4 5e-6 (the reference's float32 rounding),
# exp_euler 2.2e-4
SUBTHRESHOLD_TOL = {"rk4": 2e-5, "exp_euler": 1e-3}


def _aligned_error(t, trace, ref_trace, sim_spikes, ref_spikes):
    """Largest difference between spikes, the reference shifted by each spike's delay.

    The simulation resets at the end of the step in which ``V`` crossed ``V_th``, up to
    one step after the event; from there its trajectory is the reference's, delayed.
    Compared from 0.5 ms after each reset to 1 ms before the next reference spike.
    """
    starts = np.concatenate([[0.0], ref_spikes])
    ends = np.concatenate([ref_spikes, [np.inf]])
    delays = np.concatenate([[0.0], sim_spikes - ref_spikes])
    worst = 0.0
    for start, end, delay in zip(starts, ends, delays, strict=True):
        piece = (t >= start) & (t < end)
        window = (t > start + delay + 0.5) & (t < end - 1.0)
        if window.any():
            shifted = np.interp(t[window] - delay, t[piece], ref_trace[piece])
            worst = max(worst, float(np.abs(trace[window] - shifted).max()))
    return worst


@pytest.mark.parametrize("method", ["rk4", "exp_euler"])
@pytest.mark.parametrize("key", sorted(REFERENCE_CASES))
def test_trace_matches_solve_ivp_reference(key, method):
    dt = 0.01
    nd.environ.set(dt=dt * u.ms, precision=64)
    build, current_unit, V_tol, w_tol = REFERENCE_CASES[key]
    currents = REFERENCE[f"{key}_currents"]
    neuron, adaptation, adaptation_unit = build(method, len(currents))
    nd.init_all_states(neuron)
    every = round(0.1 / dt)
    result = nd.run(
        neuron,
        200.0 * u.ms,
        inputs=lambda i, t: jnp.asarray(currents) * current_unit,
        monitors={
            "spike": neuron.spike,
            "V": nd.Monitor(neuron.V, every=every),
            "w": nd.Monitor(getattr(neuron, adaptation), every=every),
        },
    )
    t = np.arange(1, 2001) * 0.1
    V = np.asarray(result["V"].to_decimal(u.mV))
    w = np.asarray(result["w"].to_decimal(adaptation_unit))
    for column in range(len(currents)):
        ref_spikes = REFERENCE[f"{key}_spike_times"][column]
        ref_spikes = ref_spikes[np.isfinite(ref_spikes)]
        sim_spikes = _spike_times(result, column)
        ref_V, ref_w = REFERENCE[f"{key}_V"][:, column], REFERENCE[f"{key}_w"][:, column]
        assert sim_spikes.size == ref_spikes.size, (column, sim_spikes, ref_spikes)
        if ref_spikes.size == 0:
            assert np.abs(V[:, column] - ref_V).max() < SUBTHRESHOLD_TOL[method]
            continue
        # spike delays: observed at most 1.3 steps (rk4) and 1.9 steps (exp_euler)
        step_tol = {"rk4": 2, "exp_euler": 3}[method] * dt
        assert abs(sim_spikes[0] - ref_spikes[0]) <= step_tol
        np.testing.assert_allclose(np.diff(sim_spikes), np.diff(ref_spikes), atol=step_tol, rtol=0)
        assert _aligned_error(t, V[:, column], ref_V, sim_spikes, ref_spikes) < V_tol
        assert _aligned_error(t, w[:, column], ref_w, sim_spikes, ref_spikes) < w_tol


# ------------------------------------------------------------ shared behaviour
MODELS = {
    "ExpIF": lambda size, **kw: nd.ExpIF(size, R=10.0 * u.Mohm, **kw),
    "AdExIF": lambda size, **kw: nd.AdExIF(
        size, R=10.0 * u.Mohm, a=1.0 * u.nS, b=0.05 * u.nA, V_th=-40.0 * u.mV, **kw
    ),
    "QuaIF": lambda size, **kw: nd.QuaIF(size, R=10.0 * u.Mohm, **kw),
    "Izhikevich": lambda size, **kw: nd.Izhikevich(size, C=100.0 * u.pF, **kw),
    "ALIF": lambda size, **kw: nd.ALIF(
        size, tau=10.0 * u.ms, R=10.0 * u.Mohm, V_th=10.0 * u.mV, beta=1.0 * u.mV, **kw
    ),
    "GIF": lambda size, **kw: nd.GIF(size, R=10.0 * u.Mohm, A2=-0.1 * u.nA, **kw),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_batched_states_have_batch_axis(model):
    neuron = MODELS[model]((2, 3))
    nd.init_all_states(neuron, batch_size=4)
    hidden = [s.value for s in neuron.states(nd.HiddenState).values()]
    assert hidden and all(jnp.shape(u.magnitude(v)) == (4, 2, 3) for v in hidden)
    assert neuron(2.0 * u.nA).shape == (4, 2, 3)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_surrogate_gradient_through_steps_is_finite_and_nonzero(model):
    # 30 steps (3 ms) at a drive that fires every neuron once or twice; the spike count
    # depends on the drive only through the surrogate derivative
    neuron = MODELS[model](3)
    nd.init_all_states(neuron)
    gain = nd.ParamState(jnp.array([1.0, 1.5, 2.0]))

    def step(i):
        with nd.environ.context(t=i * DT * u.ms, i=i):
            return neuron(gain.value * 20.0 * u.nA)

    def spike_count():
        return nd.for_loop(step, jnp.arange(30)).sum()

    grads, count = nd.jit(nd.grad(spike_count, gain, return_value=True))()
    grads = np.asarray(grads)
    assert float(count) >= 3
    assert np.all(np.isfinite(grads)) and np.any(grads != 0.0), grads


@pytest.mark.parametrize("model", sorted(MODELS))
def test_refractory_neuron_is_silent_and_holds_V(model):
    neuron = MODELS[model](1, tau_ref=2.0 * u.ms)
    nd.init_all_states(neuron)
    result = nd.run(
        neuron,
        30.0 * u.ms,
        inputs=lambda i, t: 20.0 * u.nA,
        monitors={"spike": neuron.spike, "V": neuron.V},
    )
    spikes = np.asarray(result["spike"])[:, 0]
    V = np.asarray(result["V"].to_decimal(u.mV))[:, 0]
    first = int(np.argmax(spikes))
    assert spikes[first] == 1.0 and spikes[first + 1 : first + 21].sum() == 0.0
    np.testing.assert_array_equal(V[first : first + 21], V[first])  # held at the reset
    assert V[first + 21] != V[first]


@pytest.mark.parametrize("model", sorted(MODELS))
def test_input_must_be_a_current(model):
    neuron = MODELS[model](2)
    nd.init_all_states(neuron)
    with pytest.raises(nd.ParameterError, match="input x must be a current"):
        neuron(1.0 * u.mV)


@pytest.mark.parametrize(
    "model,kwargs,message",
    [
        ("GIF", {"spk_reset": "medium"}, "spk_reset must be 'hard' or 'soft'"),
        ("GIF", {"method": "rk9"}, "method must be one of"),
    ],
)
def test_parameter_validation(model, kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        getattr(nd, model)(3, **kwargs)


@pytest.mark.parametrize(
    "model,name,value",
    [
        ("AdExIF", "w_initializer", 1.0 * u.mV),
        ("Izhikevich", "u_initializer", 1.0 * u.mV),
        ("ALIF", "a_initializer", 1.0 * u.mV),
        ("GIF", "V_th_initializer", 1.0 * u.nA),
        ("GIF", "I1_initializer", 1.0 * u.mV),
    ],
)
def test_initializers_must_give_the_state_unit(model, name, value):
    with pytest.raises(nd.ParameterError, match=f"{name} must give"):
        nd.init_all_states(MODELS[model](2, **{name: value}))


@pytest.mark.parametrize("cls", [nd.ExpIF, nd.AdExIF, nd.QuaIF])
def test_surrogate_gradient_finite_with_far_cut_off_and_exp_euler(cls):
    # V_th = 20 mV lies many delta_T above V_T: the crossing step's growth is huge
    neuron = cls(1, V_th=20.0 * u.mV, R=10.0 * u.Mohm, method="exp_euler")
    nd.init_all_states(neuron)
    scale = nd.ParamState(jnp.ones(1))

    def spike_count():
        return jnp.sum(nd.for_loop(lambda i: neuron(scale.value * 2.0 * u.nA), jnp.arange(600)))

    grads, count = nd.grad(spike_count, scale, return_value=True)()
    assert float(count) >= 1
    assert np.all(np.isfinite(np.asarray(grads))) and float(np.abs(grads).max()) > 0
