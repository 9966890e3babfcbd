"""NMDA gating against solve_ivp and a closed form; the Mg2+ block output against its formula."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u


def _run(syn, spike_steps, n_steps, dt=0.1):
    nd.environ.set(dt=dt * u.ms)
    nd.init_all_states(syn)
    drive = np.zeros((n_steps, *syn.varshape))
    drive[spike_steps] = 1.0
    result = nd.run(
        syn, n_steps * dt * u.ms, inputs=jnp.asarray(drive), monitors={"g": syn.g, "x": syn.x}
    )
    return np.asarray(result["g"]), np.asarray(result["x"])


def _reference(alpha, tau_rise, tau_decay, spike_times, t_eval):
    """solve_ivp of dx/dt = -x/tau_rise, dg/dt = alpha x (1 - g) - g/tau_decay; x += 1 at spikes."""

    def field(t, y):
        x, g = y
        return [-x / tau_rise, alpha * x * (1 - g) - g / tau_decay]

    edges = [*spike_times, t_eval[-1]]
    y, out = np.zeros(2), np.zeros((len(t_eval), 2))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        y = y + [1.0, 0.0]
        inside = (t_eval >= a) & (t_eval < b)
        sol = solve_ivp(
            field,
            (a, b),
            y,
            t_eval=np.r_[t_eval[inside], b],
            rtol=1e-10,
            atol=1e-13,
            method="DOP853",
        )
        out[inside], y = sol.y[:, :-1].T, sol.y[:, -1]
    out[-1] = y
    return out[:, 0], out[:, 1]


def test_spike_train_against_solve_ivp():
    nd.environ.set(precision=64)
    alpha = np.array([0.5, 0.5, 2.0])
    tau_rise = np.array([2.0, 5.0, 2.0])
    tau_decay = np.array([100.0, 30.0, 100.0])
    spike_steps, n = [0, 100, 120, 600], 1500
    syn = nd.NMDA(3, alpha=alpha / u.ms, tau_rise=tau_rise * u.ms, tau_decay=tau_decay * u.ms)
    g, x = _run(syn, spike_steps, n)
    t = np.arange(n) * 0.1  # the spike of step k arrives at t = 0.1 k ms
    for k in range(3):
        x_ref, g_ref = _reference(
            alpha[k], tau_rise[k], tau_decay[k], [s * 0.1 for s in spike_steps], t
        )
        np.testing.assert_allclose(x[:, k], x_ref, rtol=1e-9, atol=1e-10)  # x is exact
        # g: second-order exponential step at dt = 0.1 ms, within 1e-5 of the peak (~5e-6 seen)
        np.testing.assert_allclose(g[:, k], g_ref, rtol=0, atol=1e-5 * g_ref.max())
    assert g.max() < 1.0 and g.min() >= 0.0


def test_second_order_convergence():
    nd.environ.set(precision=64)
    errors = []
    for dt in (0.2, 0.1):
        n = int(round(40 / dt))
        g, _ = _run(nd.NMDA(1, tau_decay=20.0 * u.ms), [0], n, dt=dt)
        t = np.arange(n) * dt
        g_ref = _reference(0.5, 2.0, 20.0, [0.0], t)[1]
        errors.append(np.abs(g[:, 0] - g_ref).max())
    assert 3.5 < errors[0] / errors[1] < 4.5  # error ~ dt^2


def test_exact_without_closing():
    """With tau_decay -> infinity, 1 - g = exp(-alpha tau_rise (1 - exp(-t / tau_rise)))."""
    nd.environ.set(precision=64)
    n = 400
    g, _ = _run(nd.NMDA(1, alpha=0.3 / u.ms, tau_decay=1e12 * u.ms), [0], n)
    t = np.arange(n) * 0.1
    expected = 1 - np.exp(-0.3 * 2.0 * (1 - np.exp(-t / 2.0)))
    np.testing.assert_allclose(g[:, 0], expected, rtol=1e-9, atol=1e-14)


def test_conductance_units_and_validation():
    nd.environ.set(precision=64)
    syn = nd.NMDA(1, g_max=4.0 * u.nS, g_initializer=nd.init.ZeroInit(u.nS))
    nd.init_all_states(syn)
    syn(2.0 * u.nS)  # half a standard release: x jumps by 0.5
    assert float(syn.x.value[0]) == pytest.approx(0.5)
    unitless = nd.init_all_states(nd.NMDA(1))
    unitless(0.5)
    for _ in range(20):
        g_ns, g_1 = syn(), unitless()
    np.testing.assert_allclose(np.asarray(g_ns.to_decimal(u.nS)), 4.0 * np.asarray(g_1), rtol=1e-12)
    with pytest.raises(nd.ParameterError, match="alpha must be a frequency quantity"):
        nd.NMDA(2, alpha=0.5)
    with pytest.raises(nd.ParameterError, match="tau_rise must be > 0 ms"):
        nd.NMDA(2, tau_rise=0.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_decay must be > 0 ms"):
        nd.NMDA(2, tau_decay=-1.0 * u.ms)


def test_mg_block_formula():
    V = np.array([-100.0, -80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 40.0])
    g = 5.0  # nS
    out = nd.MgBlock(E=0.0 * u.mV, cc_Mg=1.2 * u.mM)
    current = np.asarray(out(g * u.nS, jnp.asarray(V) * u.mV).to_decimal(u.pA))
    block = 1.0 / (1.0 + 1.2 / 3.57 * np.exp(-0.062 * V))  # Jahr & Stevens (1990)
    np.testing.assert_allclose(current, g * (0.0 - V) * block, rtol=1e-5)
    # with an offset, another reversal and no magnesium
    shifted = nd.MgBlock(
        E=10.0 * u.mV, cc_Mg=2.0 * u.mM, alpha=0.08 / u.mV, beta=3.0 * u.mM, V_offset=-10.0 * u.mV
    )
    current = np.asarray(shifted(g * u.nS, jnp.asarray(V) * u.mV).to_decimal(u.pA))
    block = 1.0 / (1.0 + 2.0 / 3.0 * np.exp(-0.08 * (V + 10.0)))
    np.testing.assert_allclose(current, g * (10.0 - V) * block, rtol=1e-5)
    free = nd.MgBlock(cc_Mg=0.0 * u.mM)(g * u.nS, -70.0 * u.mV)
    assert float(free.to_decimal(u.pA)) == pytest.approx(350.0)
    with pytest.raises(nd.ParameterError, match="cc_Mg must be >= 0 mM"):
        nd.MgBlock(cc_Mg=-1.0 * u.mM)
    with pytest.raises(nd.ParameterError, match="beta must be > 0 mM"):
        nd.MgBlock(beta=0.0 * u.mM)
    with pytest.raises(nd.ParameterError, match="alpha must be"):
        nd.MgBlock(alpha=0.062)
    with pytest.raises(nd.ParameterError, match="E must be a voltage quantity"):
        nd.MgBlock(E=0.0)
