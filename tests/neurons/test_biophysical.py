"""Hodgkin–Huxley, Morris–Lecar, Wang–Buzsáki and Pinsky–Rinzel neurons against
scipy's solve_ivp.

The reference traces (``tests/references/biophysical.npz``) come from
``tests/references/make_biophysical.py``, which writes the same equations again in
NumPy and integrates them with DOP853 at rtol = atol = 1e-10. Each model is run here
once (cached), in float64 with rk4 at dt = 0.01 ms, as one population whose neurons
get the reference's constant currents for 200 ms.

Measured agreement (rk4, dt = 0.01 ms): spike counts equal at every current; every
spike is reported in the step whose end follows the reference crossing by less than
one step (dt); |V - V_ref| at the 0.1 ms samples is below 2e-4 mV (HH), 2e-6 mV
(Morris–Lecar: the float32 rounding of the stored reference), 0.015 mV
(Wang–Buzsáki) and 0.27 mV (Pinsky–Rinzel, whose dendritic calcium spike is steep)
over the whole trace, and below 5e-6, 2e-6, 5e-5 and 0.012 mV more than 5 ms away
from any spike. The tolerances below are about ten times those numbers.

The default integrators (rk2; rk4 for Pinsky–Rinzel) are checked at default settings
against a denser f–I grid (``biophysical_fI.npz``, also from solve_ivp).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

REFERENCE = np.load(Path(__file__).parents[1] / "references" / "biophysical.npz")
DT = 0.01  # ms
DURATION = 200.0  # ms
SAMPLE_EVERY = 10  # steps: the reference's 0.1 ms
PR_V_TH = -40.0  # mV, low enough to count the spikes riding on the dendritic calcium spike
UA_CM2 = u.uA / u.cm2

# key: (max |dV| over the whole trace, max |dV| more than 5 ms from any spike), in mV
TRACE_TOLERANCE = {
    "hh": (2e-3, 5e-5),
    "ml": (2e-5, 2e-5),
    "wb": (0.15, 5e-4),
    "pr": (2.5, 0.1),
}


def _build(key: str, n: int) -> tuple[nd.Neuron, str]:
    """The model of ``key`` for ``n`` neurons, started as the reference is, and the
    name of its (somatic) voltage state."""
    V0 = float(REFERENCE[f"{key}_V0"]) * u.mV
    if key == "hh":
        return nd.HH(n, V_initializer=V0, method="rk4"), "V"
    if key == "ml":
        return nd.MorrisLecar(n, V_initializer=V0, W_initializer=None, method="rk4"), "V"
    if key == "wb":
        model = nd.WangBuzsakiModel(
            n, V_initializer=V0, h_initializer=None, n_initializer=None, method="rk4"
        )
        return model, "V"
    return nd.PinskyRinzelModel(n, V_th=PR_V_TH * u.mV, method="rk4"), "Vs"


@functools.cache
def _simulate(key: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """V at the reference's sample times (mV) and the spike times of each neuron (ms)."""
    nd.environ.set(precision=64, dt=DT * u.ms)  # the autouse fixture restores the context
    currents = REFERENCE[f"{key}_currents"]
    model, voltage = _build(key, len(currents))
    nd.init_all_states(model)
    result = nd.run(
        model,
        DURATION * u.ms,
        inputs=lambda i, t: currents * UA_CM2,
        monitors={
            "V": nd.Monitor(getattr(model, voltage), every=SAMPLE_EVERY),
            "spike": model.spike,
        },
    )
    V = np.asarray(result["V"].to_decimal(u.mV))
    spikes = np.asarray(result["spike"])
    step_ends = (np.arange(spikes.shape[0]) + 1) * DT  # a spike lies in (end - dt, end]
    return V, [step_ends[spikes[:, j] > 0] for j in range(len(currents))]


def _reference_spikes(key: str) -> list[np.ndarray]:
    return [row[~np.isnan(row)] for row in REFERENCE[f"{key}_spike_times"]]


@pytest.mark.parametrize("key", ["hh", "ml", "wb", "pr"])
def test_step_response_matches_solve_ivp(key):
    V, spikes = _simulate(key)
    V_ref = REFERENCE[f"{key}_V"].astype(np.float64)
    sample_times = (np.arange(V_ref.shape[0]) + 1) * SAMPLE_EVERY * DT
    whole, away = TRACE_TOLERANCE[key]
    for j, (times, times_ref) in enumerate(zip(spikes, _reference_spikes(key), strict=True)):
        assert len(times) == len(times_ref), (key, j, times, times_ref)
        # each spike is reported at the end of the step holding the reference crossing
        assert np.all(times_ref > times - DT - 1e-3) and np.all(times_ref <= times + 1e-3), (
            key,
            j,
            times - times_ref,
        )
        error = np.abs(V[:, j] - V_ref[:, j])
        near_spike = np.any(np.abs(sample_times[:, None] - times_ref[None, :]) < 5.0, axis=1)
        assert error.max() < whole, (key, j, error.max())
        assert error[~near_spike].max(initial=0.0) < away, (key, j, error[~near_spike].max())


@pytest.mark.parametrize("key", ["hh", "wb", "ml"])
def test_f_I_curve_matches_solve_ivp(key):
    _, spikes = _simulate(key)
    counts = [len(times) for times in spikes]
    expected = [len(times) for times in _reference_spikes(key)]
    assert counts == expected
    assert counts[0] == 0  # the lowest current is below rheobase
    assert all(c > 0 for c in counts[1:])
    assert counts == sorted(counts) and counts[-1] > counts[1]  # f grows with I


def _bursts(times: np.ndarray, gap: float = 10.0) -> list[np.ndarray]:
    """Spike times split where the interval to the next spike exceeds ``gap`` ms."""
    return np.split(times, np.nonzero(np.diff(times) > gap)[0] + 1) if len(times) else []


def test_pinsky_rinzel_bursts():
    _, spikes = _simulate("pr")
    reference = _reference_spikes("pr")
    assert len(spikes[0]) == 0  # I_s = -0.5 uA/cm^2, the paper's resting condition
    n_bursts = 0
    for times, times_ref in zip(spikes[1:], reference[1:], strict=True):
        bursts = _bursts(times)
        assert [len(b) for b in bursts] == [len(b) for b in _bursts(times_ref)]
        assert all(len(b) >= 2 for b in bursts), bursts
        assert all(np.all(np.diff(b) < 5.0) for b in bursts)  # spikes within a burst are close
        n_bursts += len(bursts)
    assert n_bursts >= 4


def test_noise_gives_the_ornstein_uhlenbeck_variance():
    # Without sodium and potassium, V is an OU process: dV = -(V - E_L)/tau dt + sigma dW,
    # whose exact one-step update has stationary variance sigma^2 dt / (1 - exp(-2 dt/tau)).
    sigma, tau, dt, n = 0.5, 10.0, 0.1, 4000
    passive = dict(gNa=0.0 * u.mS / u.cm2, gK=0.0 * u.mS / u.cm2, gL=0.1 * u.mS / u.cm2)
    hh = nd.HH(
        n, **passive, EL=-65.0 * u.mV, V_initializer=-65.0 * u.mV, noise=sigma * u.mV / u.ms**0.5
    )
    nd.init_all_states(hh)
    nd.random.seed(3)
    nd.run(hh, 100.0 * u.ms)
    V = np.asarray(hh.V.value.to_decimal(u.mV))
    expected = sigma**2 * dt / (1.0 - np.exp(-2.0 * dt / tau))
    assert abs(V.mean() + 65.0) < 4 * np.sqrt(expected / n)
    assert abs(V.var() / expected - 1.0) < 0.1  # sampling error of the variance: 2.2 %
    # the same seed gives the same trace
    nd.init_all_states(hh)
    nd.random.seed(3)
    nd.run(hh, 100.0 * u.ms)
    np.testing.assert_array_equal(np.asarray(hh.V.value.to_decimal(u.mV)), V)


def test_noise_is_off_by_default():
    hh = nd.HH(3, V_initializer=-65.0 * u.mV)
    nd.init_all_states(hh)
    hh(0.0 * UA_CM2)
    V = np.asarray(hh.V.value.to_decimal(u.mV))
    assert np.all(V == V[0])


@pytest.mark.parametrize(
    "model,states",
    [
        (nd.HH, ("V", "m", "h", "n")),
        (nd.MorrisLecar, ("V", "W")),
        (nd.WangBuzsakiModel, ("V", "h", "n")),
        (nd.PinskyRinzelModel, ("Vs", "Vd", "Ca", "h", "n", "s", "c", "q")),
    ],
)
def test_batched_states_and_spike_shape(model, states):
    neuron = model((2, 3))
    nd.init_all_states(neuron, batch_size=4)
    for name in states:
        assert np.shape(u.magnitude(getattr(neuron, name).value)) == (4, 2, 3), name
    assert neuron(1.0 * UA_CM2).shape == (4, 2, 3)


def test_gates_start_at_steady_state_of_initial_voltage():
    hh = nd.HH(1, V_initializer=-65.0 * u.mV)
    nd.init_all_states(hh)
    # Hodgkin & Huxley's rates at -65 mV
    alpha_m, beta_m = 0.1 * -25.0 / (1.0 - np.exp(2.5)), 4.0
    alpha_h, beta_h = 0.07, 1.0 / (1.0 + np.exp(3.0))
    alpha_n, beta_n = 0.01 * -10.0 / (1.0 - np.exp(1.0)), 0.125
    for gate, alpha, beta in (
        ("m", alpha_m, beta_m),
        ("h", alpha_h, beta_h),
        ("n", alpha_n, beta_n),
    ):
        assert abs(float(getattr(hh, gate).value[0]) - alpha / (alpha + beta)) < 1e-6, gate


@pytest.mark.parametrize(
    "model", [nd.HH, nd.MorrisLecar, nd.WangBuzsakiModel, nd.PinskyRinzelModel]
)
def test_input_must_be_a_current_density(model):
    neuron = model(2)
    nd.init_all_states(neuron)
    with pytest.raises(nd.ParameterError, match="must be a current per membrane area"):
        neuron(1.0 * u.nA)


MS_CM2 = u.mS / u.cm2
UF_CM2 = u.uF / u.cm2


@pytest.mark.parametrize(
    "model,kwargs,message",
    [
        (nd.HH, {"C": 1.0 * u.uF}, "C must be a capacitance density"),
        (nd.HH, {"gNa": 120.0 * u.mS}, "gNa must be a conductance density"),
        (nd.HH, {"m_initializer": 1.5}, r"m_initializer must lie in \[0.0, 1.0\]"),
        (nd.HH, {"h_initializer": -0.1}, r"h_initializer must lie in \[0.0, 1.0\]"),
        (nd.HH, {"n_initializer": 2.0}, r"n_initializer must lie in \[0.0, 1.0\]"),
        (nd.HH, {"noise": 1.0 * u.mV}, "noise must be a"),
        (nd.HH, {"method": "rk9"}, "method must be one of"),
        (nd.MorrisLecar, {"phi": 0.04}, "phi must be a frequency"),
        (nd.MorrisLecar, {"W_initializer": 1.2}, r"W_initializer must lie in \[0.0, 1.0\]"),
        (nd.WangBuzsakiModel, {"h_initializer": 1.1}, r"h_initializer must lie in \[0.0, 1.0\]"),
        (nd.WangBuzsakiModel, {"n_initializer": -0.3}, r"n_initializer must lie in \[0.0, 1.0\]"),
        (nd.PinskyRinzelModel, {"p": 1.0}, r"p must lie in \(0, 1\)"),
        (nd.PinskyRinzelModel, {"p": 1.5}, r"p must lie in \(0, 1\)"),
        (nd.PinskyRinzelModel, {"Ca_initializer": -0.2}, "Ca_initializer must be >= 0"),
    ],
)
def test_parameter_validation(model, kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        model(3, **kwargs)


@pytest.mark.parametrize(
    "model,kwargs,message",
    [
        (nd.HH, {"m_initializer": nd.init.Uniform(1.1, 1.5)}, "m_initializer must lie in"),
        (nd.MorrisLecar, {"W_initializer": nd.init.Constant(-0.5)}, "W_initializer must lie in"),
        (nd.WangBuzsakiModel, {"V_initializer": 1.0 * u.nS}, "V_initializer must give a"),
        (nd.PinskyRinzelModel, {"Ca_initializer": nd.init.Constant(-1.0)}, "Ca_initializer"),
    ],
)
def test_initial_values_are_checked(model, kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        nd.init_all_states(model(3, **kwargs))


F_I = np.load(Path(__file__).parents[1] / "references" / "biophysical_fI.npz")


def _default_model(key: str, n: int) -> nd.Neuron:
    """``key``'s model with its default parameters and integrator, started as the
    reference is (gates at their steady state at V0; Pinsky–Rinzel: its defaults)."""
    V0 = float(REFERENCE[f"{key}_V0"]) * u.mV
    if key == "hh":
        return nd.HH(n, V_initializer=V0)
    if key == "ml":
        return nd.MorrisLecar(n, V_initializer=V0, W_initializer=None)
    if key == "wb":
        return nd.WangBuzsakiModel(n, V_initializer=V0, h_initializer=None, n_initializer=None)
    return nd.PinskyRinzelModel(n)


@pytest.mark.parametrize("key", ["hh", "ml", "wb", "pr"])
def test_default_integrator_reproduces_the_f_I_curve_of_solve_ivp(key):
    """Default settings (float32, the default method) at dt = 0.01 ms: the spike counts
    of solve_ivp over 200 ms at every current of the f–I grid, and each first spike
    within one step of the step holding solve_ivp's first crossing
    (``docs/integrators.md``)."""
    nd.environ.set(dt=DT * u.ms)
    currents = F_I[f"{key}_fI_currents"]
    model = nd.init_all_states(_default_model(key, len(currents)))
    result = nd.run(
        model, DURATION * u.ms, inputs=lambda i, t: currents * UA_CM2,
        monitors={"spike": model.spike},
    )  # fmt: skip
    spikes = np.asarray(result["spike"])
    for j, row in enumerate(F_I[f"{key}_fI_spike_times"]):
        times_ref = row[~np.isnan(row)]
        steps = np.nonzero(spikes[:, j] > 0)[0] + 1  # a spike lies in (step - 1, step] * dt
        assert len(steps) == len(times_ref), (key, currents[j], len(steps), len(times_ref))
        if len(steps):
            offset = steps[0] - int(np.ceil(times_ref[0] / DT - 1e-9))
            assert abs(offset) <= 1, (key, currents[j], offset)
