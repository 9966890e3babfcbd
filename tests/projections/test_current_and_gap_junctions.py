"""CurrentProj against the exact step of a passive membrane; gap junctions against the
exact recursion of their splitting and the closed form of the coupled linear ODEs."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.linalg import expm

import neurodyn as nd
from neurodyn import units as u
from neurodyn.projections import AsymmetryGapJunction, CurrentProj, SymmetryGapJunction

TAU, R = 20.0, 0.1  # ms, GOhm (so nS * GOhm and pA * GOhm are unitless / mV)


def _passive(n, V_rest):
    return nd.LIF(
        n,
        tau=TAU * u.ms,
        R=R * u.Gohm,
        V_rest=jnp.asarray(V_rest) * u.mV,
        V_th=1e4 * u.mV,
        V_reset=jnp.asarray(V_rest) * u.mV,
    )


def _exact_step(V, dt, leak, forcing):
    """One step of tau dV/dt = -leak V + forcing, constant coefficients (per neuron)."""
    steady = forcing / leak
    return steady + (V - steady) * np.exp(-leak * dt / TAU)


# -- CurrentProj ------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["CUBA", "COBA"])
def test_current_proj_against_the_exact_membrane_step(output):
    nd.environ.set(precision=64, dt=0.1 * u.ms)
    n_pre, n_post, n_steps = 3, 2, 400
    rng = np.random.default_rng(1)
    W = rng.uniform(0.0, 2.0, (n_pre, n_post))
    signal = rng.uniform(0.0, 1.0, (n_steps, n_pre))  # e.g. presynaptic rates, any scale
    post = _passive(n_post, [-65.0, -60.0])
    unit, out = (u.pA, nd.CUBA()) if output == "CUBA" else (u.nS, nd.COBA(E=0.0 * u.mV))
    if output == "CUBA":
        W = 100 * W  # pA
    proj = CurrentProj(nd.AllToAll(n_pre, n_post, jnp.asarray(W) * unit), out, post)

    class Net(nd.Module):
        def __init__(self):
            super().__init__()
            self.proj, self.post = proj, post

        def update(self, x):
            self.proj(x)
            return self.post(0.0 * u.pA)

    net = nd.init_all_states(Net())
    result = nd.run(net, n_steps * 0.1 * u.ms, inputs=jnp.asarray(signal), monitors={"V": post.V})
    V_run = np.asarray(result["V"].to_decimal(u.mV))
    V, V_rest = np.array([-65.0, -60.0]), np.array([-65.0, -60.0])
    expected = np.zeros_like(V_run)
    for k in range(n_steps):
        g = signal[k] @ W
        if output == "CUBA":  # tau dV/dt = -(V - V_rest) + R I
            V = _exact_step(V, 0.1, 1.0, V_rest + R * g)
        else:  # tau dV/dt = -(V - V_rest) + R g (E - V), E = 0
            V = _exact_step(V, 0.1, 1.0 + R * g, V_rest)
        expected[k] = V
    np.testing.assert_allclose(V_run, expected, rtol=1e-12)
    assert np.ptp(V_run) > 1.0
    np.testing.assert_allclose(
        np.asarray(proj.g.value.to_decimal(unit)), signal[-1] @ W, rtol=1e-12
    )


def test_current_proj_errors():
    post = nd.LIF(2)
    with pytest.raises(nd.ParameterError, match="comm projects onto 3 neurons"):
        CurrentProj(nd.AllToAll(2, 3, 1.0 * u.pA), nd.CUBA(), post)
    with pytest.raises(nd.ParameterError, match="out must be a SynOut"):
        CurrentProj(nd.AllToAll(2, 2, 1.0 * u.pA), nd.LIF(2), post)
    with pytest.raises(nd.ParameterError, match="comm.weight must be >= 0"):
        CurrentProj(nd.AllToAll(2, 2, -1.0 * u.nS), nd.COBA(E=0.0 * u.mV), post)
    proj = nd.init_all_states(CurrentProj(nd.AllToAll(2, 2, 1.0 * u.pA), nd.CUBA(), post))
    with pytest.raises(nd.ParameterError, match="presynaptic signal must be dimensionless"):
        proj(jnp.ones(2) * u.Hz)
    nd.init_all_states(post)
    bad = nd.init_all_states(CurrentProj(nd.AllToAll(2, 2, 1.0 * u.nS), nd.CUBA(), post))
    bad(jnp.ones(2))
    with pytest.raises(nd.ParameterError, match="into nS, not a current"):
        post(0.0 * u.pA)


# -- gap junctions ----------------------------------------------------------------------


def _coupled_reference(C, V0, V_rest, I_ext, dt, n_steps):
    """The splitting's exact recursion and the closed form of the coupled linear ODEs
    tau dV_i/dt = -(V_i - V_rest_i) + R (I_i + sum_j C_ij (V_j - V_i)) (C_ij into i from j)."""
    G = C.sum(axis=1)
    V, recursion = V0.copy(), np.zeros((n_steps, V0.size))
    for k in range(n_steps):
        V = _exact_step(V, dt, 1.0 + R * G, V_rest + R * I_ext + R * (C @ V))
        recursion[k] = V
    A = (-np.diag(1.0 + R * G) + R * C) / TAU
    b = (V_rest + R * I_ext) / TAU
    steady = -np.linalg.solve(A, b)
    times = dt * np.arange(1, n_steps + 1)
    closed = np.array([steady + expm(A * t) @ (V0 - steady) for t in times])
    return recursion, closed


def _run_pair(gap, a, b, I_a, I_b, n_steps):
    class Net(nd.Module):
        def __init__(self):
            super().__init__()
            self.gap, self.a, self.b = gap, a, b

        def update(self):
            self.gap()
            self.a(I_a)
            if self.b is not self.a:
                self.b(I_b)

    net = nd.init_all_states(Net())
    monitors = {"a": a.V} if b is a else {"a": a.V, "b": b.V}
    result = nd.run(net, n_steps * nd.environ.get_dt(), monitors=monitors)
    return np.concatenate([np.asarray(result[k].to_decimal(u.mV)) for k in monitors], axis=1)


@pytest.mark.parametrize("dt", [0.1, 0.05])
def test_symmetric_chain_within_a_population(dt):
    """Three neurons, junctions 0-1 (2 nS) and 1-2 (5 nS), different drives and rests."""
    nd.environ.set(precision=64, dt=dt * u.ms)
    V_rest, I_ext = np.array([-65.0, -70.0, -55.0]), np.array([150.0, 0.0, -50.0])
    cells = _passive(3, V_rest)
    gap = SymmetryGapJunction(
        cells, "V", nd.connectivity.explicit(3, 3, [0, 1], [1, 2]), jnp.array([2.0, 5.0]) * u.nS
    )
    n = int(round(60 / dt))
    V = _run_pair(gap, cells, cells, jnp.asarray(I_ext) * u.pA, None, n)
    C = np.zeros((3, 3))
    C[0, 1] = C[1, 0] = 2.0
    C[1, 2] = C[2, 1] = 5.0
    recursion, closed = _coupled_reference(C, V_rest, V_rest, I_ext, dt, n)
    np.testing.assert_allclose(V, recursion, rtol=1e-12)
    # the splitting is first order: the error against the closed form scales with dt
    error = np.abs(V - closed).max()
    assert error < 0.004 * dt / 0.1, error  # 0.002 mV seen at dt = 0.1 ms
    assert np.ptp(closed[-1]) < np.ptp(V_rest + R * I_ext)  # coupling pulls them together


def test_first_order_convergence_and_conservation():
    errors = []
    for dt in (0.2, 0.1, 0.05):
        nd.environ.set(precision=64, dt=dt * u.ms)
        a, b = _passive(1, [-50.0]), _passive(1, [-70.0])
        gap = SymmetryGapJunction((a, b), ("V", "V"), nd.connectivity.one_to_one(1, 1), 8.0 * u.nS)
        n = int(round(30 / dt))
        V = _run_pair(gap, a, b, 0.0 * u.pA, 0.0 * u.pA, n)
        C = np.array([[0.0, 8.0], [8.0, 0.0]])
        _, closed = _coupled_reference(
            C, np.array([-50.0, -70.0]), np.array([-50.0, -70.0]), 0, dt, n
        )
        errors.append(np.abs(V - closed).max())
        # at the partners' potentials of the step's start, the currents cancel
        gap()
        I_a = a.sum_current_inputs(0.0 * u.pA, a.V.value)
        I_b = b.sum_current_inputs(0.0 * u.pA, b.V.value)
        assert float((I_a + I_b).to_decimal(u.pA)[0]) == pytest.approx(0.0, abs=1e-9)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert ((1.8 < ratios) & (ratios < 2.2)).all(), ratios


def test_asymmetric_junctions_between_two_populations():
    """Two populations, one junction per neuron pair plus a converging one; column 0 of the
    weight is the conductance into post, column 1 into pre."""
    nd.environ.set(precision=64, dt=0.1 * u.ms)
    V_pre_rest, V_post_rest = np.array([-50.0, -60.0]), np.array([-70.0, -65.0])
    pre, post = _passive(2, V_pre_rest), _passive(2, V_post_rest)
    weight = jnp.array([[4.0, 1.0], [0.5, 3.0], [2.0, 0.0]]) * u.nS
    conn = nd.connectivity.explicit(2, 2, [0, 1, 0], [0, 1, 1])
    gap = AsymmetryGapJunction(pre, "V", post, "V", conn, weight)
    I_pre, I_post = np.array([100.0, 0.0]), np.array([0.0, 50.0])
    V = _run_pair(gap, pre, post, jnp.asarray(I_pre) * u.pA, jnp.asarray(I_post) * u.pA, 600)
    C = np.zeros((4, 4))  # neurons: pre 0, pre 1, post 0, post 1
    # per-junction weights follow conn's order, its synapses sorted by pre
    np.testing.assert_array_equal(conn.pre, [0, 0, 1])
    np.testing.assert_array_equal(conn.post, [0, 1, 1])
    for i, j, (g_post, g_pre) in zip(conn.pre, conn.post, np.asarray(weight.mantissa), strict=True):
        C[2 + j, i] += g_post
        C[i, 2 + j] += g_pre
    V0 = np.r_[V_pre_rest, V_post_rest]
    recursion, closed = _coupled_reference(C, V0, V0, np.r_[I_pre, I_post], 0.1, 600)
    np.testing.assert_allclose(V, recursion, rtol=1e-12)
    assert np.abs(V - closed).max() < 0.02
    # a uniform pair of conductances for all junctions
    uniform = AsymmetryGapJunction(pre, "V", post, "V", conn, [1.0, 2.0] * u.nS)
    nd.init_all_states(uniform)
    uniform()
    I = post.sum_current_inputs(0.0 * u.pA, post.V.value) - gap._current(post.V.value, "post")
    V_pre_now, V_post_now = np.asarray(pre.V.value.mantissa), np.asarray(post.V.value.mantissa)
    expected = np.array(
        [V_pre_now[0] - V_post_now[0], V_pre_now[1] + V_pre_now[0] - 2 * V_post_now[1]]
    )
    np.testing.assert_allclose(np.asarray(I.to_decimal(u.pA)), 1.0 * expected, rtol=1e-12)


def test_batch_elements_are_coupled_separately():
    nd.environ.set(precision=64, dt=0.1 * u.ms)
    cells = _passive(2, [-65.0, -65.0])
    gap = SymmetryGapJunction(cells, "V", nd.connectivity.explicit(2, 2, [0], [1]), 3.0 * u.nS)
    nd.init_all_states(gap, batch_size=2)
    cells.V.value = jnp.array([[-50.0, -70.0], [-60.0, -60.0]]) * u.mV
    gap()
    I = cells.sum_current_inputs(0.0 * u.pA, cells.V.value)
    np.testing.assert_allclose(np.asarray(I.to_decimal(u.pA)), [[-60.0, 60.0], [0.0, 0.0]])


def test_gap_junction_errors():
    a, b = nd.LIF(2), nd.LIF(3)
    pairs = nd.connectivity.explicit(2, 3, [0, 1], [2, 2])
    with pytest.raises(nd.ParameterError, match="conn connects 2 onto 3 neurons, but pre has 3"):
        SymmetryGapJunction((b, a), "V", pairs, 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="weight must be a conductance quantity"):
        SymmetryGapJunction((a, b), "V", pairs, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="weight must be >= 0 nS"):
        SymmetryGapJunction((a, b), "V", pairs, -1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="weight has shape \\(3,\\)"):
        SymmetryGapJunction((a, b), "V", pairs, jnp.ones(3) * u.nS)
    with pytest.raises(nd.ParameterError, match="weight must end in an axis of 2"):
        AsymmetryGapJunction(a, "V", b, "V", pairs, jnp.ones(2)[:, None] * u.nS)
    with pytest.raises(nd.ParameterError, match="conn carries the pairs only"):
        weighted = nd.connectivity.explicit(2, 3, [0], [1], weight=1.0 * u.nS)
        SymmetryGapJunction((a, b), "V", weighted, 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="couples must be one value or a pair"):
        SymmetryGapJunction((a, b, a), "V", pairs, 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="conn must be a Connections"):
        SymmetryGapJunction((a, b), "V", [(0, 2)], 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="pre_state must be a state name"):
        AsymmetryGapJunction(a, 0, b, "V", pairs, [1.0, 1.0] * u.nS)
    gap = SymmetryGapJunction((a, b), ("V", "refractory"), pairs, 1.0 * u.nS)
    nd.init_all_states(gap)
    with pytest.raises(nd.ParameterError, match="LIF has no voltage state 'refractory'"):
        gap()
