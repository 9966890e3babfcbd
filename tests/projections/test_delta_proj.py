"""DeltaProj: weighted spikes into a model's receptors, as NEST's connections deliver them."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


class _Net(nd.Module):
    def __init__(self, w_ex, w_in):
        super().__init__()
        self.post = nd.nest.iaf_psc_exp(4, I_e=300.0 * u.pA)
        self.ex = nd.DeltaProj(nd.AllToAll(5, 4, w_ex * u.pA), self.post)
        self.inh = nd.DeltaProj(nd.AllToAll(5, 4, w_in * u.pA), self.post)

    def update(self, spikes):
        self.ex(spikes)
        self.inh(spikes)
        self.post()
        return self.post.I_syn_ex.value, self.post.I_syn_in.value, self.post.V.value


def test_delta_proj_delivers_each_sign_to_its_receptor():
    nd.environ.set(precision=64)
    rng = np.random.default_rng(0)
    w_ex, w_in = rng.uniform(50, 150, (5, 4)), -rng.uniform(50, 150, (5, 4))
    raster = (rng.random((200, 5)) < 0.1).astype(np.float64)
    net = _Net(w_ex, w_in)
    nd.init_all_states(net)
    I_ex, I_in, V = nd.for_loop(net, jnp.asarray(raster))
    # the same currents by hand: decay exp(-dt/tau_syn) then add this step's weights
    decay = np.exp(-0.1 / 2.0)
    expect_ex, expect_in = np.zeros(4), np.zeros(4)
    for k in range(200):
        expect_ex = expect_ex * decay + raster[k] @ w_ex
        expect_in = expect_in * decay + raster[k] @ w_in
        np.testing.assert_allclose(np.asarray(I_ex[k].to_decimal(u.pA)), expect_ex, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(I_in[k].to_decimal(u.pA)), expect_in, rtol=1e-12)
    assert np.all(np.asarray(I_in.to_decimal(u.pA)) <= 0)


def test_delta_proj_checks_sizes_and_sign():
    post = nd.nest.iaf_psc_exp(4)
    with pytest.raises(nd.ParameterError, match="projects onto 3"):
        nd.DeltaProj(nd.AllToAll(2, 3, 1.0 * u.pA), post)
    with pytest.raises(nd.ParameterError, match="one sign"):
        nd.DeltaProj(nd.AllToAll(2, 4, jnp.array([[1.0] * 4, [-1.0] * 4]) * u.pA), post)
    labelled = nd.DeltaProj(nd.AllToAll(2, 4, 5.0 * u.pA), post, label="in")
    nd.init_all_states(post)
    nd.init_all_states(labelled)
    labelled(jnp.array([1.0, 1.0]))
    post()
    np.testing.assert_allclose(np.asarray(post.I_syn_in.value.to_decimal(u.pA)), -10.0)
