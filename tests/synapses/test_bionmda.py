"""BioNMDA: spike trains against solve_ivp of its two ODEs, convergence order, units."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u
from neurodyn.synapses import BioNMDA


def _run(syn, spike_steps, n_steps, dt=0.1, amount=1.0):
    """g and x after each step; a spike given in step k arrives at t = k * dt ms."""
    nd.environ.set(dt=dt * u.ms)
    nd.init_all_states(syn)
    drive = np.zeros((n_steps, *syn.varshape))
    drive[spike_steps] = amount
    g_unit = u.get_unit(syn.g.value)
    result = nd.run(
        syn,
        n_steps * dt * u.ms,
        inputs=u.with_unit(jnp.asarray(drive), g_unit),
        monitors={"g": syn.g, "x": syn.x},
    )
    return np.asarray(u.to_float(result["g"], g_unit)), np.asarray(result["x"])


def _reference(alpha1, beta1, alpha2, beta2, T, T_dur, releases, t_eval):
    """solve_ivp of dx/dt = alpha2 [T](t) (1 - x) - beta2 x, dg/dt = alpha1 x (1 - g) - beta1 g,
    with [T](t) = T * sum of the strengths of the releases whose pulse covers t; the
    integration is split at every pulse edge (where [T] jumps)."""
    edges = sorted({0.0, t_eval[-1]} | {t for t, _ in releases} | {t + T_dur for t, _ in releases})

    def field(t, y, concentration):
        x, g = y
        return [alpha2 * concentration * (1 - x) - beta2 * x, alpha1 * x * (1 - g) - beta1 * g]

    y, out = np.zeros(2), np.zeros((len(t_eval), 2))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        middle = 0.5 * (a + b)
        concentration = T * sum(s for t0, s in releases if t0 <= middle < t0 + T_dur)
        inside = (t_eval >= a) & (t_eval < b)
        sol = solve_ivp(
            field,
            (a, b),
            y,
            args=(concentration,),
            t_eval=np.r_[t_eval[inside], b],
            rtol=1e-11,
            atol=1e-14,
            method="DOP853",
        )
        out[inside], y = sol.y[:, :-1].T, sol.y[:, -1]
    out[t_eval == edges[-1]] = y
    return out[:, 0], out[:, 1]


def test_spike_train_against_solve_ivp():
    """Overlapping pulses (spikes 0.2 ms apart, T_dur 0.5 ms) add their transmitter;
    per-neuron parameters, pulses of whole and fractional steps."""
    nd.environ.set(precision=64)
    alpha1 = np.array([2.0, 0.5, 2.0])
    beta1 = np.array([0.01, 0.05, 0.01])
    T_dur = np.array([0.5, 0.5, 0.73])  # the last pulse ends inside a step
    spike_steps, n = [0, 30, 32, 33, 400], 1500
    syn = BioNMDA(3, alpha1=alpha1 / u.ms, beta1=beta1 / u.ms, T_dur=T_dur * u.ms)
    g, x = _run(syn, spike_steps, n)
    t = np.arange(n) * 0.1
    releases = [(k * 0.1, 1.0) for k in spike_steps]
    for k in range(3):
        x_ref, g_ref = _reference(alpha1[k], beta1[k], 1.0, 0.5, 1.0, T_dur[k], releases, t)
        np.testing.assert_allclose(x[:, k], x_ref, rtol=1e-8, atol=1e-10)  # x is exact
        # g: second-order step at dt = 0.1 ms, within 1e-4 of its peak
        np.testing.assert_allclose(g[:, k], g_ref, rtol=0, atol=1e-4 * g_ref.max())
    assert 0.0 <= g.min() and g.max() < 1.0 and g.max() > 0.5


def test_second_order_convergence_of_g():
    nd.environ.set(precision=64)
    errors = []
    for dt in (0.2, 0.1, 0.05):
        n = int(round(60 / dt))
        g, _ = _run(BioNMDA(1, beta1=0.1 / u.ms, T_dur=0.6 * u.ms), [0], n, dt=dt)
        t = np.arange(n) * dt
        g_ref = _reference(2.0, 0.1, 1.0, 0.5, 1.0, 0.6, [(0.0, 1.0)], t)[1]
        errors.append(np.abs(g[:, 0] - g_ref).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert ((3.5 < ratios) & (ratios < 4.5)).all(), ratios  # error ~ dt^2


def test_exact_without_closing():
    """With beta1 -> 0, 1 - g = exp(-alpha1 * integral of x): exact whatever dt."""
    nd.environ.set(precision=64)
    n = 300
    g, x = _run(BioNMDA(1, alpha1=0.2 / u.ms, beta1=1e-12 / u.ms), [0], n, dt=0.25)
    t = np.arange(n) * 0.25
    # x: rise during the 0.5 ms pulse at rate k = alpha2 T + beta2, then decay at beta2
    k, x_inf, T_dur = 1.5, 1.0 / 1.5, 0.5
    during = np.minimum(t, T_dur)
    x_exact = x_inf * (1 - np.exp(-k * during)) * np.exp(-0.5 * np.maximum(t - T_dur, 0.0))
    area = x_inf * (during + np.expm1(-k * during) / k)
    x_end = x_inf * (1 - np.exp(-k * T_dur))
    area = area + x_end * (1 - np.exp(-0.5 * np.maximum(t - T_dur, 0.0))) / 0.5
    np.testing.assert_allclose(x[:, 0], x_exact, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(g[:, 0], 1 - np.exp(-0.2 * area), rtol=1e-9, atol=1e-14)


def test_conductance_units_weights_and_validation():
    nd.environ.set(precision=64)
    # g in nS saturating at g_max = 4 nS; an input of 2 nS releases 0.5 T
    syn = BioNMDA(1, g_max=4.0 * u.nS, g_initializer=nd.init.ZeroInit(u.nS))
    g_ns, _ = _run(syn, [0, 50], 400, amount=2.0)
    g_1, _ = _run(BioNMDA(1, T=0.5 * u.mM), [0, 50], 400)
    np.testing.assert_allclose(g_ns, 4.0 * g_1, rtol=1e-12)
    # bool spikes are releases of strength 1
    spikes = BioNMDA(1, g_max=4.0 * u.nS, g_initializer=nd.init.ZeroInit(u.nS))
    nd.init_all_states(spikes)
    spikes(jnp.array([True]))
    unitless = nd.init_all_states(BioNMDA(1))
    unitless(1.0)
    np.testing.assert_allclose(
        np.asarray(spikes().to_decimal(u.nS)), 4.0 * np.asarray(unitless()), rtol=1e-12
    )
    for name, value, message in [
        ("alpha1", 2.0, "alpha1 must be a frequency quantity"),
        ("beta1", 0.0 / u.ms, "beta1 must be > 0"),
        ("alpha2", 1.0 / u.ms, "alpha2 must be a"),
        ("beta2", -0.5 / u.ms, "beta2 must be > 0"),
        ("T", -1.0 * u.mM, "T must be >= 0 mM"),
        ("T_dur", 1.0 * u.mV, "T_dur must be a time quantity"),
    ]:
        with pytest.raises(nd.ParameterError, match=message):
            BioNMDA(2, **{name: value})
    with pytest.raises(nd.ParameterError, match="x_initializer must give a dimensionless"):
        nd.init_all_states(BioNMDA(2, x_initializer=nd.init.ZeroInit(u.nS)))
    with pytest.raises(nd.ParameterError, match="input must be in the unit of g"):
        nd.init_all_states(BioNMDA(1))(1.0 * u.nS)


def test_in_projection_with_mg_block():
    """Pre-aligned (one synapse per presynaptic neuron) into a LIF with an Mg2+ block:
    the conductance is W^T g_pre with g_pre the standalone synapses' g."""
    nd.environ.set(precision=64)
    n_steps = 300
    spikes = np.zeros((n_steps, 2))
    spikes[[5, 100], 0] = 1.0
    spikes[[40, 41], 1] = 1.0
    W = np.array([[1.5, 0.0, 0.5], [2.0, 2.0, 0.0]])  # nS
    post = nd.LIF(3, tau=20.0 * u.ms, R=0.1 * u.Gohm, V_rest=-65.0 * u.mV, V_th=-50.0 * u.mV)
    proj = nd.projections.AlignPreProj(
        comm=nd.AllToAll(2, 3, jnp.asarray(W) * u.nS),
        syn=BioNMDA(2),
        out=nd.MgBlock(E=0.0 * u.mV),
        post=post,
    )

    class Net(nd.Module):
        def __init__(self):
            super().__init__()
            self.proj, self.post = proj, post

        def update(self, s):
            self.proj(s)
            return self.post(0.0 * u.pA)

    net = nd.init_all_states(Net())
    result = nd.run(net, n_steps * 0.1 * u.ms, inputs=jnp.asarray(spikes), monitors={"g": proj.g})
    standalone = nd.init_all_states(BioNMDA(2))
    g_pre = np.asarray(
        nd.run(
            standalone,
            n_steps * 0.1 * u.ms,
            inputs=jnp.asarray(spikes),
            monitors={"g": standalone.g},
        )["g"]
    )
    np.testing.assert_allclose(
        np.asarray(result["g"].to_decimal(u.nS)), g_pre @ W, rtol=1e-12, atol=1e-15
    )
    assert (np.asarray(post.V.value.to_decimal(u.mV)) > -65.0).all()
