"""AlignPreProj: equal to AlignPostProj for a linear synapse, to a numpy recursion, and
exact for a nonlinear synapse with converging inputs (where AlignPostProj is not)."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.projections import AlignPreProj

N_PRE, N_POST, N_STEPS, DT = 4, 3, 500, 0.1
W = np.array([[1.5, 0.0, 0.5], [0.0, 2.0, 1.0], [0.7, 0.3, 0.0], [1.0, 1.0, 1.0]])  # nS
RNG = np.random.default_rng(7)
SPIKES = (RNG.random((N_STEPS, N_PRE)) < 0.02).astype(float)
SPIKES[40, :] = 1.0  # every neuron at once
ZERO = nd.init.ZeroInit()


def _post():
    return nd.LIF(N_POST, tau=20.0 * u.ms, R=0.1 * u.Gohm, V_rest=-65.0 * u.mV, V_th=-50.0 * u.mV)


class Net(nd.Module):
    def __init__(self, proj, post):
        super().__init__()
        self.proj, self.post = proj, post

    def update(self, spikes):
        self.proj(spikes)
        return self.post(0.0 * u.pA)


def _simulate(proj, post, g):
    net = nd.init_all_states(Net(proj, post))
    result = nd.run(
        net, N_STEPS * DT * u.ms, inputs=jnp.asarray(SPIKES), monitors={"g": g, "V": "post.V"}
    )
    return np.asarray(result["g"].to_decimal(u.nS)), np.asarray(result["V"].to_decimal(u.mV))


@pytest.mark.parametrize("comm", ["AllToAll", "FixedProb"])
def test_expon_equals_align_post_and_the_recursion(comm):
    nd.environ.set(precision=64, dt=DT * u.ms)
    tau = 5.0

    def connectivity():
        if comm == "AllToAll":
            return nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS)
        return nd.FixedProb(N_PRE, N_POST, prob=1.0, weight=jnp.asarray(W).ravel() * u.nS)

    post_pre = _post()
    pre = AlignPreProj(
        comm=connectivity(),
        syn=nd.Expon(N_PRE, tau=tau * u.ms, g_initializer=nd.init.ZeroInit()),
        out=nd.COBA(E=0.0 * u.mV),
        post=post_pre,
    )
    g_pre, V_pre = _simulate(pre, post_pre, "proj.g")
    post_post = _post()
    aligned_post = nd.AlignPostProj(
        comm=connectivity(),
        syn=nd.Expon(N_POST, tau=tau * u.ms, g_initializer=nd.init.ZeroInit(u.nS)),
        out=nd.COBA(E=0.0 * u.mV),
        post=post_post,
    )
    g_post, V_post = _simulate(aligned_post, post_post, "proj.syn.g")
    # independent reference: s_k = s_{k-1} exp(-dt/tau) + spikes_k, g_k = s_k W
    s, expected = np.zeros(N_PRE), np.zeros((N_STEPS, N_POST))
    for k in range(N_STEPS):
        s = s * np.exp(-DT / tau) + SPIKES[k]
        expected[k] = s @ W
    np.testing.assert_allclose(g_pre, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g_pre, g_post, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(V_pre, V_post, rtol=1e-12)
    assert (V_pre > -65.0).any()


def test_stp_scales_spikes_before_the_synapse():
    nd.environ.set(precision=64, dt=DT * u.ms)
    stp_args = dict(U=0.3, tau_f=40.0 * u.ms, tau_d=60.0 * u.ms)
    post = _post()
    proj = AlignPreProj(
        comm=nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS),
        syn=nd.Expon(N_PRE, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit()),
        out=nd.CUBA(scale=1.0 * u.mV),
        post=post,
        stp=nd.STP(N_PRE, **stp_args),
    )
    g, _ = _simulate(proj, post, "proj.g")
    # reference: the efficacies of a standalone STP, filtered by the exponential
    stp = nd.init_all_states(nd.STP(N_PRE, **stp_args))
    s, expected = np.zeros(N_PRE), np.zeros((N_STEPS, N_POST))
    for k in range(N_STEPS):
        efficacy = np.asarray(stp(jnp.asarray(SPIKES[k])))
        s = s * np.exp(-DT / 5.0) + efficacy
        expected[k] = s @ W
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-14)
    assert 0 < g.max() < W.sum(axis=0).max()  # depressed below a full release


def test_nonlinear_synapse_with_converging_inputs():
    """AMPA per presynaptic neuron: g = W^T g_AMPA(spikes of each neuron), exactly."""
    nd.environ.set(precision=64, dt=DT * u.ms)
    post = _post()
    proj = AlignPreProj(
        comm=nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS),
        syn=nd.AMPA(N_PRE),
        out=nd.COBA(E=0.0 * u.mV),
        post=post,
    )
    g, _ = _simulate(proj, post, "proj.g")
    ampa = nd.init_all_states(nd.AMPA(N_PRE))
    g_ampa = np.asarray(
        nd.run(ampa, N_STEPS * DT * u.ms, inputs=jnp.asarray(SPIKES), monitors={"g": ampa.g})["g"]
    )
    np.testing.assert_allclose(g, g_ampa @ W, rtol=1e-12, atol=1e-15)


def test_batch_and_errors():
    nd.environ.set(dt=DT * u.ms)
    post = _post()
    proj = AlignPreProj(
        comm=nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS),
        syn=nd.Expon(N_PRE, g_initializer=nd.init.ZeroInit()),
        out=nd.COBA(E=0.0 * u.mV),
        post=post,
    )
    nd.init_all_states(Net(proj, post), batch_size=2)
    g = proj(jnp.asarray(SPIKES[[40, 0]]))
    np.testing.assert_allclose(np.asarray(g.to_decimal(u.nS)), SPIKES[[40, 0]] @ W, rtol=1e-6)
    comm = nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS)
    with pytest.raises(nd.ParameterError, match="syn has in_size=\\(3,\\), but comm starts from 4"):
        AlignPreProj(comm, nd.Expon(N_POST, g_initializer=ZERO), nd.COBA(E=0.0 * u.mV), _post())
    with pytest.raises(nd.ParameterError, match="stp has in_size=\\(2,\\)"):
        AlignPreProj(
            comm, nd.Expon(N_PRE, g_initializer=ZERO), nd.COBA(E=0.0 * u.mV), _post(), stp=nd.STP(2)
        )
    with pytest.raises(nd.ParameterError, match="comm projects onto 3 neurons"):
        AlignPreProj(comm, nd.Expon(N_PRE, g_initializer=ZERO), nd.COBA(E=0.0 * u.mV), nd.LIF(5))
    with pytest.raises(nd.ParameterError, match="syn must be a Synapse"):
        AlignPreProj(comm, nd.LIF(N_PRE), nd.COBA(E=0.0 * u.mV), _post())
    with pytest.raises(nd.ParameterError, match="comm.weight must be >= 0"):
        AlignPreProj(
            nd.AllToAll(N_PRE, N_POST, -1.0 * u.nS),
            nd.Expon(N_PRE, g_initializer=ZERO),
            nd.COBA(E=0.0 * u.mV),
            _post(),
        )
    with pytest.raises(nd.ParameterError, match="syn's variable must be dimensionless"):
        AlignPreProj(comm, nd.Expon(N_PRE), nd.COBA(E=0.0 * u.mV), _post())  # g in mS
