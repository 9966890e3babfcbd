"""Tiny AlignPostProj networks with each new synapse (and STP/STD before the connectivity)."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

N_PRE, N_POST, N_STEPS = 2, 3, 400
# every postsynaptic neuron has one presynaptic source: the single-synapse model is exact
W = np.array([[1.5, 0.0, 0.5], [0.0, 2.0, 0.0]])  # nS
SPIKES = np.zeros((N_STEPS, N_PRE))
SPIKES[[5, 150], 0] = 1.0
SPIKES[[40, 41, 300], 1] = 1.0


class Net(nd.Module):
    """Presynaptic spikes (given per step) -> [stp] -> projection -> LIF."""

    def __init__(self, syn, out, stp=None):
        super().__init__()
        self.post = nd.LIF(
            N_POST,
            tau=20.0 * u.ms,
            R=0.1 * u.Gohm,
            V_rest=-65.0 * u.mV,
            V_th=-50.0 * u.mV,
            V_reset=-65.0 * u.mV,
        )
        self.stp = stp
        self.proj = nd.AlignPostProj(
            comm=nd.AllToAll(N_PRE, N_POST, jnp.asarray(W) * u.nS), syn=syn, out=out, post=self.post
        )

    def update(self, spikes):
        self.proj(spikes if self.stp is None else self.stp(spikes))
        return self.post(0.0 * u.pA)


def _simulate(net):
    nd.init_all_states(net)
    result = nd.run(
        net,
        N_STEPS * 0.1 * u.ms,
        inputs=jnp.asarray(SPIKES),
        monitors={"g": net.proj.syn.output, "V": net.post.V},
    )
    return np.asarray(result["g"].to_decimal(u.nS)), result["V"]


def _standalone(syn, spikes):
    nd.init_all_states(syn)
    result = nd.run(syn, N_STEPS * 0.1 * u.ms, inputs=jnp.asarray(spikes), monitors={"g": syn.g})
    return np.asarray(result["g"])


# per-postsynaptic-neuron drive: the spikes of its one source
POST_SPIKES = SPIKES[:, [0, 1, 0]]
WEIGHT = W.max(axis=0)


@pytest.mark.parametrize(
    "model,out",
    [
        (nd.AMPA, nd.COBA(E=0.0 * u.mV)),
        (nd.GABAa, nd.COBA(E=-80.0 * u.mV)),
        (nd.NMDA, nd.MgBlock(E=0.0 * u.mV, cc_Mg=1.2 * u.mM)),
    ],
)
def test_saturating_synapses_in_projection(model, out):
    nd.environ.set(precision=64)
    syn = model(N_POST, g_max=jnp.asarray(WEIGHT) * u.nS, g_initializer=nd.init.ZeroInit(u.nS))
    net = Net(syn, out)
    g, V = _simulate(net)
    # one source of weight w = g_max per neuron: g is w times the unit-less model
    np.testing.assert_allclose(g, WEIGHT * _standalone(model(N_POST), POST_SPIKES), rtol=1e-9)
    assert g.max() > 0.05
    # the neurons receive out(g, V) as their synaptic current
    current = net.post.sum_current_inputs(0.0 * u.pA, net.post.V.value)
    np.testing.assert_allclose(
        np.asarray(current.to_decimal(u.pA)),
        np.asarray(out(net.proj.syn.output(), net.post.V.value).to_decimal(u.pA)),
        rtol=1e-12,
    )
    V = np.asarray(V.to_decimal(u.mV))
    assert (V > -65.0).any() if model is not nd.GABAa else (V < -65.0).any()


@pytest.mark.parametrize("kind", ["STP", "STD"])
def test_short_term_plasticity_before_the_connectivity(kind):
    nd.environ.set(precision=64)
    stp = (
        nd.STP(N_PRE, U=0.4, tau_f=50.0 * u.ms, tau_d=20.0 * u.ms)
        if kind == "STP"
        else (nd.STD(N_PRE, tau=20.0 * u.ms, U=0.4))
    )
    tau = 5.0
    net = Net(
        nd.Expon(N_POST, tau=tau * u.ms, g_initializer=nd.init.ZeroInit(u.nS)),
        nd.COBA(E=0.0 * u.mV),
        stp=stp,
    )
    g, _ = _simulate(net)
    # reference: release r of each spike from the per-spike recursion, g jumps by W^T r
    released = np.zeros_like(SPIKES)
    for i in range(N_PRE):
        u_, x_, last = 0.0, 1.0, 0
        for k in np.flatnonzero(SPIKES[:, i]):
            delta = (k - last) * 0.1
            u_ = u_ * np.exp(-delta / 50.0) + 0.4 * (1 - u_ * np.exp(-delta / 50.0))
            u_ = u_ if kind == "STP" else 0.4
            x_ = 1 - (1 - x_) * np.exp(-delta / 20.0)
            released[k, i] = u_ * x_
            x_, last = x_ - u_ * x_, k
    expected = np.zeros((N_STEPS, N_POST))
    g_k = np.zeros(N_POST)
    for k in range(N_STEPS):
        g_k = g_k * np.exp(-0.1 / tau) + released[k] @ W
        expected[k] = g_k
    np.testing.assert_allclose(g, expected, rtol=1e-9, atol=1e-12)
    assert released[41, 1] < released[40, 1]  # the second of two close spikes is depressed
