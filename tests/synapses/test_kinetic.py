"""AMPA and GABAa: closed-form pulse responses, spike trains against solve_ivp, units."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u

DT = 0.1  # ms


def _run(syn, spike_steps, n_steps, amount=1.0):
    """Record g after each step; a spike given in step k arrives at t = k * DT ms."""
    nd.init_all_states(syn)
    drive = np.zeros((n_steps, *syn.varshape))
    drive[spike_steps] = amount
    g_unit = u.get_unit(syn.g.value)
    result = nd.run(
        syn,
        n_steps * DT * u.ms,
        inputs=u.with_unit(jnp.asarray(drive), g_unit),
        monitors={"g": syn.g},
    )
    return np.asarray(u.to_float(result["g"], g_unit))


def _pulse_response(t, alpha, beta, T, T_dur):
    """g(t) after one release at t = 0: relaxation during the pulse, decay after it."""
    k = alpha * T + beta
    rising = alpha * T / k * (1 - np.exp(-k * np.minimum(t, T_dur)))
    return rising * np.exp(-beta * np.maximum(t - T_dur, 0.0))


@pytest.mark.parametrize(
    "model,alpha,beta,T", [(nd.AMPA, 0.98, 0.18, 0.5), (nd.GABAa, 0.53, 0.18, 1.0)]
)
def test_single_spike_closed_form(model, alpha, beta, T):
    nd.environ.set(precision=64)
    T_dur = np.array([0.5, 0.55, 1.23, 0.0])  # whole steps, a step and a half, ..., none
    syn = model(4, T_dur=T_dur * u.ms)
    n = 300
    g = _run(syn, [0], n)
    t = np.arange(n) * DT  # time since the spike
    expected = _pulse_response(t[:, None], alpha, beta, T, T_dur)
    np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-14)
    # peak at the end of the pulse (to the step), then decay with rate beta
    peak_steps = np.argmax(g[:, :3], axis=0)
    np.testing.assert_array_equal(peak_steps, np.ceil(T_dur[:3] / DT - 1e-9))
    late = g[100:, 0] / g[100, 0]
    np.testing.assert_allclose(late, np.exp(-beta * (t[100:] - t[100])), rtol=1e-10)
    assert not g[:, 3].any()


def _piecewise_solve(alpha, beta, T, T_dur, releases, t_eval, g_max=1.0):
    """solve_ivp of dg/dt = alpha [T](t) (g_max - g) - beta g, split at every pulse edge."""
    edges = sorted({0.0, t_eval[-1]} | {t for t, _ in releases} | {t + T_dur for t, _ in releases})

    def concentration(t):
        return T * sum(s for t0, s in releases if t0 <= t < t0 + T_dur)

    g, out = 0.0, np.zeros_like(t_eval)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        c = concentration(0.5 * (a + b))
        inside = (t_eval >= a) & (t_eval < b)
        sol = solve_ivp(
            lambda t, y, c=c: alpha * c * (g_max - y) - beta * y,
            (a, b),
            [g],
            t_eval=np.r_[t_eval[inside], b],
            rtol=1e-11,
            atol=1e-14,
            method="DOP853",
        )
        out[inside], g = sol.y[0, :-1], sol.y[0, -1]
    out[t_eval == edges[-1]] = g
    return out


def test_spike_train_against_solve_ivp():
    """Overlapping pulses (spikes 0.2 ms apart, T_dur 0.5 ms) add their transmitter."""
    nd.environ.set(precision=64)
    spike_steps, n = [0, 30, 32, 33, 120], 250
    g = _run(nd.AMPA(1), spike_steps, n)[:, 0]
    t = np.arange(n) * DT
    expected = _piecewise_solve(0.98, 0.18, 0.5, 0.5, [(k * DT, 1.0) for k in spike_steps], t)
    np.testing.assert_allclose(g, expected, rtol=1e-8, atol=1e-12)


def test_conductance_units_weights_and_saturation():
    nd.environ.set(precision=64)
    # g in nS saturating at g_max = 2 nS; a spike of weight 0.5 nS releases 0.25 T
    syn = nd.AMPA(
        2,
        g_max=2.0 * u.nS,
        T_dur=np.array([0.5, 40.0]) * u.ms,
        g_initializer=nd.init.ZeroInit(u.nS),
    )
    n = 600
    g = _run(syn, [0], n, amount=0.5)
    t = np.arange(n) * DT
    for k, T_dur in enumerate([0.5, 40.0]):
        expected = 2.0 * _pulse_response(t, 0.98, 0.18, 0.5 * 0.25, T_dur)
        np.testing.assert_allclose(g[:, k], expected, rtol=1e-10, atol=1e-14)
    # a long pulse saturates at g_max alpha T / (alpha T + beta)
    k_on = 0.98 * 0.5 * 0.25
    assert g[399, 1] == pytest.approx(2.0 * k_on / (k_on + 0.18), rel=1e-3)
    # bool spikes are one release of strength 1, whatever the unit of g
    syn = nd.AMPA(1, g_max=3.0 * u.nS, g_initializer=nd.init.ZeroInit(u.nS))
    nd.init_all_states(syn)
    syn(jnp.array([True]))
    g1 = syn()
    assert float(g1.to_decimal(u.nS)[0]) == pytest.approx(
        3.0 * _pulse_response(0.1, 0.98, 0.18, 0.5, 0.5)
    )


def test_batch_and_multidimensional_population():
    syn = nd.GABAa((2, 3))
    nd.init_all_states(syn, batch_size=4)
    assert syn.pulses.value.shape == (4, 2, 3, 10)
    syn(jnp.ones((4, 2, 3), bool))
    g = syn()
    assert g.shape == (4, 2, 3) and np.allclose(np.asarray(g), np.asarray(g)[0, 0, 0])


def test_validation_and_input_errors():
    with pytest.raises(nd.ParameterError, match="alpha must be > 0"):
        nd.AMPA(2, alpha=0.0 / (u.ms * u.mM))
    with pytest.raises(nd.ParameterError, match="alpha must be a"):
        nd.AMPA(2, alpha=0.98 / u.ms)
    with pytest.raises(nd.ParameterError, match="beta must be > 0"):
        nd.GABAa(2, beta=-0.1 / u.ms)
    with pytest.raises(nd.ParameterError, match="T_dur must be >= 0 ms"):
        nd.AMPA(2, T_dur=-0.5 * u.ms)
    with pytest.raises(nd.ParameterError, match="T must be >= 0"):
        nd.GABAa(2, T=-1.0 * u.mM)
    with pytest.raises(nd.ParameterError, match="g_max must be > 0"):
        nd.AMPA(2, g_max=0.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="must have the unit of g"):
        nd.init_all_states(nd.AMPA(2, g_max=1.0 * u.nS))  # g is dimensionless by default
    syn = nd.init_all_states(nd.AMPA(2, g_initializer=nd.init.ZeroInit(u.nS)))
    with pytest.raises(nd.ParameterError, match="input must be in the unit of g"):
        syn(jnp.ones(2))
    with nd.environ.context(dt=0.05 * u.ms), pytest.raises(nd.ParameterError, match="dt changed"):
        syn()
