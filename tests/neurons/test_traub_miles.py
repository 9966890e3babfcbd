"""The Traub–Miles HH neuron (COBAHH's cell) against scipy's solve_ivp.

The reference (``tests/references/traub_miles.npz``) comes from
``tests/references/make_traub_miles.py``, which writes the same equations again in
NumPy and integrates them with DOP853 at rtol = atol = 1e-10: from -70 mV a holding
current of -0.1 nA for 50 ms, then a step to each of seven currents (-0.1 to 1 nA)
until 200 ms.

Measured agreement:

- rk4 at dt = 0.01 ms, float64: spike counts equal at every current; every spike is
  reported in the step whose end follows the reference crossing by less than one step;
  |V - V_ref| at the 0.5 ms samples below 0.024 mV over the whole trace (the upstroke
  of a spike is steep) and below 9e-5 mV more than 5 ms away from any spike. The
  trace tolerances are about ten times those numbers.
- exp_euler at dt = 0.1 ms, float32 (the benchmark's setting): exponential Euler is
  first order, and its interspike intervals are 5 % (0.05 nA) to 11 % (1 nA) longer
  than the exact ones, so the counts fall short by up to two: 0, 2, 3, 4, 6, 11, 18
  against 0, 2, 3, 5, 7, 12, 20. Brian2 2.11's ``exponential_euler`` at 0.1 ms gives
  the same counts and the same spike steps (checked once by hand). The tolerance: a
  count between ``0.9 n_ref - 1`` and ``n_ref``; the first spike after the step within
  1 ms of the reference's (measured: 0.63 ms at most).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.neurons import TraubMilesHH

REFERENCE = np.load(Path(__file__).parents[1] / "references" / "traub_miles.npz")
CURRENTS = REFERENCE["currents"]
T_STEP = float(REFERENCE["t_step"])
DURATION = float(REFERENCE["duration"])
SAMPLE_MS = 0.5  # the reference's sampling interval

#: (method, dt in ms, float precision): the accurate run and the benchmark's setting.
RK4 = ("rk4", 0.01, 64)
EXP_EULER = ("exp_euler", 0.1, 32)


@functools.cache
def _simulate(method: str, dt: float, precision: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """V at the reference's sample times (mV) and each neuron's spike times (ms)."""
    nd.environ.set(precision=precision, dt=dt * u.ms)  # the autouse fixture restores it
    cells = TraubMilesHH(len(CURRENTS), V_initializer=float(REFERENCE["V0"]) * u.mV, method=method)
    nd.init_all_states(cells)
    hold_steps = round(T_STEP / dt)
    I_hold = float(REFERENCE["I_hold"])
    sample_every = round(SAMPLE_MS / dt)
    result = nd.run(
        cells,
        DURATION * u.ms,
        inputs=lambda i, t: jnp.where(i < hold_steps, I_hold, jnp.asarray(CURRENTS)) * u.nA,
        monitors={"V": nd.Monitor(cells.V, every=sample_every), "spike": cells.spike},
    )
    V = np.asarray(result["V"].to_decimal(u.mV))
    spikes = np.asarray(result["spike"])
    step_ends = (np.arange(spikes.shape[0]) + 1) * dt  # a spike lies in (end - dt, end]
    return V, [step_ends[spikes[:, j] > 0] for j in range(len(CURRENTS))]


def _reference_spikes() -> list[np.ndarray]:
    return [row[~np.isnan(row)] for row in REFERENCE["spike_times"]]


def test_rk4_step_response_matches_solve_ivp():
    V, spikes = _simulate(*RK4)
    dt = RK4[1]
    for j, (times, times_ref) in enumerate(zip(spikes, _reference_spikes(), strict=True)):
        assert len(times) == len(times_ref), (CURRENTS[j], times, times_ref)
        # each spike is reported at the end of the step holding the reference crossing
        assert np.all(times_ref > times - dt - 1e-6) and np.all(times_ref <= times + 1e-6), (
            CURRENTS[j],
            times - times_ref,
        )
    times_ref = np.concatenate(_reference_spikes())
    sample_times = (np.arange(V.shape[0]) + 1) * SAMPLE_MS
    near_spike = np.any(np.abs(sample_times[:, None] - times_ref[None, :]) < 5.0, axis=1)
    error = np.abs(V - REFERENCE["V"].astype(np.float64))
    assert error.max() < 0.25, error.max()
    away = error[~near_spike]  # samples more than 5 ms from a spike of any neuron
    assert away.size > 0 and away.max() < 1e-3, away.max()


def test_exp_euler_at_the_benchmark_step_gives_the_f_I_curve():
    _, spikes = _simulate(*EXP_EULER)
    reference = _reference_spikes()
    counts = np.array([len(times) for times in spikes])
    expected = np.array([len(times) for times in reference])
    # exponential Euler fires slower than the exact solution (see the module docstring)
    assert np.all((counts >= 0.9 * expected - 1) & (counts <= expected)), (counts, expected)
    assert counts[0] == 0 and np.all(np.diff(counts) >= 0) and counts[-1] >= 15
    for times, times_ref in zip(spikes, reference, strict=True):
        first, first_ref = times[times > T_STEP], times_ref[times_ref > T_STEP]
        if len(first_ref):
            assert abs(first[0] - first_ref[0]) < 1.0, (first[0], first_ref[0])


def test_no_spike_before_the_step_and_none_while_hyperpolarised():
    for setting in (RK4, EXP_EULER):
        _, spikes = _simulate(*setting)
        assert all(np.all(times > T_STEP) for times in spikes)
        assert len(spikes[0]) == 0  # held at -0.1 nA throughout


def test_gates_start_at_steady_state_of_initial_voltage():
    cells = TraubMilesHH(1, V_initializer=-63.0 * u.mV)  # v = V - V_T = 0
    nd.init_all_states(cells)
    alpha_m, beta_m = 0.32 * 13.0 / (np.exp(13.0 / 4.0) - 1.0), 0.28 * -40.0 / (np.exp(-8.0) - 1.0)
    alpha_h, beta_h = 0.128 * np.exp(17.0 / 18.0), 4.0 / (1.0 + np.exp(8.0))
    alpha_n, beta_n = 0.032 * 15.0 / (np.exp(3.0) - 1.0), 0.5 * np.exp(0.25)
    for gate, alpha, beta in (
        ("m", alpha_m, beta_m),
        ("h", alpha_h, beta_h),
        ("n", alpha_n, beta_n),
    ):
        assert abs(float(getattr(cells, gate).value[0]) - alpha / (alpha + beta)) < 1e-6, gate


def test_rates_are_finite_at_the_removable_singularities():
    cells = TraubMilesHH(3)
    V = (jnp.array([13.0, 40.0, 15.0]) - 63.0) * u.mV  # v = 13, 40, 15 mV
    rates = cells.rates(V)
    np.testing.assert_allclose(float(rates["m"][0][0]), 0.32 * 4.0, rtol=1e-6)
    np.testing.assert_allclose(float(rates["m"][1][1]), 0.28 * 5.0, rtol=1e-6)
    np.testing.assert_allclose(float(rates["n"][0][2]), 0.032 * 5.0, rtol=1e-6)


@functools.cache
def _first_spikes(method: str) -> np.ndarray:
    """Spike times (ms) of a cell from -70 mV under 1 nA for 20 ms, at dt = 0.01 ms."""
    nd.environ.set(dt=0.01 * u.ms)
    cells = TraubMilesHH(1, V_initializer=-70.0 * u.mV, method=method)
    nd.init_all_states(cells)
    result = nd.run(cells, 20.0 * u.ms, inputs=lambda i, t: 1.0 * u.nA, monitors={"s": cells.spike})
    assert cells.method == method
    return (np.nonzero(np.asarray(result["s"])[:, 0])[0] + 1) * 0.01


@pytest.mark.parametrize("method", ["euler", "rk2", "heun", "exp_euler"])
def test_every_integrator_can_be_chosen(method):
    # measured against rk4: 3 spikes each, the first-order methods up to 0.22 ms late
    reference = _first_spikes("rk4")
    times = _first_spikes(method)
    assert len(reference) == 3 and len(times) == 3, (times, reference)
    np.testing.assert_allclose(times, reference, atol=0.3)


def test_batched_states_and_spike_shape():
    cells = TraubMilesHH((2, 3))
    nd.init_all_states(cells, batch_size=4)
    for name in ("V", "m", "h", "n"):
        assert np.shape(u.magnitude(getattr(cells, name).value)) == (4, 2, 3), name
    assert cells(0.1 * u.nA).shape == (4, 2, 3)


def test_input_must_be_a_current():
    cells = TraubMilesHH(2)
    nd.init_all_states(cells)
    with pytest.raises(nd.ParameterError, match="input x must be a current"):
        cells(1.0 * u.uA / u.cm2)  # a density: this model's parameters are per cell


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"C_m": 1.0 * u.uF / u.cm2}, "C_m must be a capacitance"),
        ({"g_Na": 100.0 * u.mS / u.cm2}, "g_Na must be a conductance"),
        ({"g_K": -1.0 * u.nS}, "g_K must be >= 0"),
        ({"V_T": 1.0 * u.nS}, "V_T must be a"),
        ({"m_initializer": 1.5}, r"m_initializer must lie in \[0.0, 1.0\]"),
        ({"h_initializer": -0.1}, r"h_initializer must lie in \[0.0, 1.0\]"),
        ({"method": "rk9"}, "method must be one of"),
    ],
)
def test_parameter_validation(kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        TraubMilesHH(3, **kwargs)
