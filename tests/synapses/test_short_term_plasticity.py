"""STP and STD against the Tsodyks-Markram per-spike recursion computed in numpy."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

DT = 0.1  # ms
# a regular 20 Hz train of 30 spikes, then one spike after a 400 ms pause
SPIKE_STEPS = np.r_[np.arange(30) * 500, 29 * 500 + 4000]


def _spike_train(n_units):
    spikes = np.zeros((SPIKE_STEPS[-1] + 10, n_units))
    spikes[SPIKE_STEPS] = 1.0
    return spikes


def _tsodyks_markram(U, tau_f, tau_d, intervals):
    """Per-spike recursion: u jumps, r = u x is released, x drops; decay in between."""
    u_, x_ = 0.0, 1.0
    us, xs, rs = [], [], []
    for delta in intervals:
        u_ = u_ * np.exp(-delta / tau_f)
        x_ = 1.0 - (1.0 - x_) * np.exp(-delta / tau_d)
        u_ = u_ + U * (1.0 - u_)
        r = u_ * x_
        x_ = x_ - r
        us.append(u_), xs.append(x_), rs.append(r)
    return np.array(us), np.array(xs), np.array(rs)


def _run(syn, spikes):
    nd.init_all_states(syn)
    states = [syn.u, syn.x] if isinstance(syn, nd.STP) else [syn.x]

    def step(s):
        return syn(s), *(state.value for state in states)

    return [np.asarray(a) for a in nd.for_loop(step, jnp.asarray(spikes))]


def test_stp_recursion_at_each_spike():
    nd.environ.set(precision=64)
    U = np.array([0.15, 0.5, 0.03])  # mixed, depressing, facilitating
    tau_f = np.array([1500.0, 50.0, 530.0])
    tau_d = np.array([200.0, 800.0, 130.0])
    spikes = _spike_train(3)
    stp = nd.STP(3, U=U, tau_f=tau_f * u.ms, tau_d=tau_d * u.ms)
    released, u_trace, x_trace = _run(stp, spikes)
    intervals = np.diff(np.r_[0, SPIKE_STEPS]) * DT  # the first interval does not matter
    for k in range(3):
        u_ref, x_ref, r_ref = _tsodyks_markram(U[k], tau_f[k], tau_d[k], intervals)
        np.testing.assert_allclose(u_trace[SPIKE_STEPS, k], u_ref, rtol=1e-5)
        np.testing.assert_allclose(x_trace[SPIKE_STEPS, k], x_ref, rtol=1e-5)
        np.testing.assert_allclose(released[SPIKE_STEPS, k], r_ref, rtol=1e-5)
    # no release without spikes; the first spike releases U
    assert np.count_nonzero(released) == 3 * len(SPIKE_STEPS)
    np.testing.assert_allclose(released[0], U, rtol=1e-12)
    # between spikes u decays to 0 and x recovers to 1 with their time constants
    gap = slice(SPIKE_STEPS[-2], SPIKE_STEPS[-1])
    t = np.arange(SPIKE_STEPS[-1] - SPIKE_STEPS[-2]) * DT
    np.testing.assert_allclose(u_trace[gap], u_trace[gap][:1] * np.exp(-t[:, None] / tau_f))
    np.testing.assert_allclose(
        1 - x_trace[gap], (1 - x_trace[gap][:1]) * np.exp(-t[:, None] / tau_d), rtol=1e-9
    )
    # the regular train approaches the closed-form steady state (Tsodyks et al. 1998)
    E_f, E_d = np.exp(-50.0 / tau_f), np.exp(-50.0 / tau_d)
    u_inf = U / (1 - (1 - U) * E_f)
    x_minus_inf = (1 - E_d) / (1 - (1 - u_inf) * E_d)
    np.testing.assert_allclose(released[SPIKE_STEPS[29]], u_inf * x_minus_inf, rtol=2e-2)


def test_std_recursion_at_each_spike():
    nd.environ.set(precision=64)
    U = np.array([0.07, 0.4])
    tau = np.array([200.0, 800.0])
    std = nd.STD(2, tau=tau * u.ms, U=U)
    released, x_trace = _run(std, _spike_train(2))
    intervals = np.diff(np.r_[0, SPIKE_STEPS]) * DT
    for k in range(2):
        x_, x_ref, r_ref = 1.0, [], []
        for delta in intervals:
            x_ = 1.0 - (1.0 - x_) * np.exp(-delta / tau[k])
            r_ref.append(U[k] * x_)
            x_ = x_ - U[k] * x_
            x_ref.append(x_)
        np.testing.assert_allclose(x_trace[SPIKE_STEPS, k], x_ref, rtol=1e-5)
        np.testing.assert_allclose(released[SPIKE_STEPS, k], r_ref, rtol=1e-5)
    # STD is STP with u held at U: tau_f -> 0 reproduces it
    stp = nd.STP(2, U=U, tau_f=1e-9 * u.ms, tau_d=tau * u.ms)
    released_stp = _run(stp, _spike_train(2))[0]
    np.testing.assert_allclose(released_stp, released, rtol=1e-9, atol=1e-15)


def test_bool_spikes_batch_and_float32():
    stp = nd.STP(4, U=0.3)
    nd.init_all_states(stp, batch_size=2)
    out = stp(jnp.array([[True, False, True, False], [False] * 4]))
    np.testing.assert_allclose(np.asarray(out), [[0.3, 0, 0.3, 0], [0] * 4], rtol=1e-6)
    assert out.dtype == jnp.float32 and stp.x.value.shape == (2, 4)
    assert np.asarray(stp.output()).shape == (2, 4)


def test_validation():
    for bad in (1.5, -0.1):
        with pytest.raises(nd.ParameterError, match=r"U must lie in \[0.0, 1.0\]"):
            nd.STP(2, U=bad)
        with pytest.raises(nd.ParameterError, match=r"U must lie in \[0.0, 1.0\]"):
            nd.STD(2, U=bad)
    with pytest.raises(nd.ParameterError, match="tau_f must be > 0 ms"):
        nd.STP(2, tau_f=0.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau_d must be > 0 ms"):
        nd.STP(2, tau_d=-5.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau must be a time quantity"):
        nd.STD(2, tau=200.0)
    with pytest.raises(nd.ParameterError, match="U has shape"):
        nd.STP(2, U=np.array([0.1, 0.2, 0.3]))
    stp = nd.init_all_states(nd.STP(2))
    with pytest.raises(nd.ParameterError, match="spikes must be dimensionless"):
        stp(jnp.ones(2) * u.mS)
