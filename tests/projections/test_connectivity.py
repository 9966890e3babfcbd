"""Connectivity: event-driven delivery equals a dense product; construction statistics."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _patterns(rng, n_pre):
    yield np.zeros(n_pre)  # silence
    yield np.ones(n_pre)  # every neuron spikes at once
    for rate in (0.02, 0.3):
        yield (rng.random(n_pre) < rate).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fixed_prob_equals_dense_matvec(seed):
    rng = np.random.default_rng(seed)
    n_pre, n_post = 300, 200
    comm = nd.FixedProb(n_pre, n_post, prob=0.1, weight=0.5 * u.nS, seed=seed)
    dense = np.asarray(comm.to_dense().to_decimal(u.nS))
    for spikes in _patterns(rng, n_pre):
        out = comm(jnp.asarray(spikes, jnp.float32))
        np.testing.assert_allclose(
            np.asarray(out.to_decimal(u.nS)), spikes @ dense, rtol=1e-5, atol=1e-5
        )


def test_fixed_prob_per_synapse_weights_and_bool_spikes():
    rng = np.random.default_rng(3)
    comm = nd.FixedProb(50, 70, prob=0.2, seed=1, weight=nd.init.Uniform(0.0 * u.pA, 2.0 * u.pA))
    dense = np.asarray(comm.to_dense().to_decimal(u.pA))
    spikes = rng.random(50) < 0.5
    out = comm(jnp.asarray(spikes))
    np.testing.assert_allclose(
        np.asarray(out.to_decimal(u.pA)), spikes @ dense, rtol=1e-5, atol=1e-5
    )


def test_fixed_prob_statistics():
    comm = nd.FixedProb(2000, 1000, prob=0.05, seed=0)
    dense = np.asarray(comm.to_dense()) > 0
    # binomial mean and spread of the in-degree; no pair connected twice
    assert comm.n_synapses == dense.sum()
    assert abs(dense.mean() - 0.05) < 0.002
    in_degree = dense.sum(axis=0)
    assert abs(in_degree.std() - np.sqrt(2000 * 0.05 * 0.95)) < 1.0


def test_fixed_prob_conn_num_and_self_connections():
    comm = nd.FixedProb(100, 100, conn_num=7, seed=0, allow_self_connections=False)
    dense = np.asarray(comm.to_dense()) > 0
    assert not dense.diagonal().any()
    assert (dense.sum(axis=1) == 7).all()
    full = nd.FixedProb(8, 8, conn_num=7, seed=0, allow_self_connections=False)
    np.testing.assert_array_equal(np.asarray(full.to_dense()) > 0, ~np.eye(8, dtype=bool))
    no_self = np.asarray(nd.FixedProb(50, 50, prob=0.5, allow_self_connections=False).to_dense())
    assert not no_self.diagonal().any() and no_self.sum() > 1000
    with pytest.raises(nd.ParameterError, match="in_size == out_size"):
        nd.FixedProb(10, 20, prob=0.1, allow_self_connections=False)
    with pytest.raises(nd.ParameterError, match=r"conn_num must be .* \[0, 7\]"):
        nd.FixedProb(8, 8, conn_num=8, allow_self_connections=False)


def test_same_seed_same_connectivity():
    a = nd.FixedProb(100, 80, prob=0.1, seed=5)
    b = nd.FixedProb(100, 80, prob=0.1, seed=5)
    np.testing.assert_array_equal(np.asarray(a.indices.value), np.asarray(b.indices.value))


def test_all_to_all_matches_matrix():
    w = np.random.default_rng(0).normal(size=(4, 3))
    comm = nd.AllToAll(4, 3, jnp.asarray(w, jnp.float32) * u.mS)
    spikes = np.array([1.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(
        np.asarray(comm(jnp.asarray(spikes)).to_decimal(u.mS)), spikes @ w, rtol=1e-5
    )


def test_errors():
    with pytest.raises(nd.ParameterError, match="prob must lie in"):
        nd.FixedProb(10, 10, prob=1.5)
    with pytest.raises(nd.ParameterError, match="exactly one of prob and conn_num"):
        nd.FixedProb(10, 10)
    comm = nd.FixedProb(10, 5, prob=0.5, seed=0)
    with pytest.raises(nd.ParameterError, match="shape \\(7,\\), expected trailing shape"):
        comm(jnp.zeros(7))


def test_multidimensional_presynaptic_population():
    comm = nd.FixedProb((2, 5), 4, prob=0.5, weight=1.0 * u.nS, seed=0)
    spikes = np.random.default_rng(0).random((2, 5)) < 0.5
    dense = np.asarray(comm.to_dense().to_decimal(u.nS))
    np.testing.assert_allclose(
        np.asarray(comm(jnp.asarray(spikes)).to_decimal(u.nS)), spikes.ravel() @ dense, rtol=1e-6
    )


def test_weight_units_must_match_the_synapse():
    post = nd.LIF(5)
    proj = nd.AlignPostProj(
        nd.FixedProb(4, 5, prob=0.5, weight=1.0 * u.mV, seed=0),
        nd.Expon(5),
        nd.COBA(E=0.0 * u.mV),
        post,
    )
    nd.init_all_states(proj)
    with pytest.raises(nd.ParameterError, match="comm's weights are in mV but syn's variable"):
        proj(jnp.ones(4))
    with pytest.raises(nd.ParameterError, match="weight has shape \\(3,\\)"):
        nd.AllToAll(4, 5, jnp.ones(3) * u.nS)
    with pytest.raises(nd.ParameterError, match="conn_num must be a whole number"):
        nd.FixedProb(4, 5, conn_num=2.5)


def test_projection_size_mismatch_is_reported():
    post = nd.LIF(50)
    with pytest.raises(nd.ParameterError, match="comm projects onto 40 neurons"):
        nd.AlignPostProj(nd.FixedProb(10, 40, prob=0.1), nd.Expon(50), nd.CUBA(), post)
    with pytest.raises(nd.ParameterError, match="syn has in_size=\\(40,\\)"):
        nd.AlignPostProj(nd.FixedProb(10, 50, prob=0.1), nd.Expon(40), nd.CUBA(), post)
    with pytest.raises(nd.ParameterError, match="out must be a SynOut"):
        nd.AlignPostProj(nd.FixedProb(10, 50, prob=0.1), nd.Expon(50), "CUBA", post)


def test_align_post_projection_drives_postsynaptic_current():
    # one presynaptic spike, all-to-all weight 1 nS onto COBA E=0: I = g (0 - V)
    post = nd.LIF(
        3, V_rest=-60.0 * u.mV, V_th=-50.0 * u.mV, V_reset=-60.0 * u.mV, V_initializer=-60.0 * u.mV
    )
    proj = nd.AlignPostProj(
        nd.AllToAll(1, 3, 1.0 * u.nS), nd.Expon(3, tau=5.0 * u.ms), nd.COBA(E=0.0 * u.mV), post
    )
    nd.init_all_states(proj)
    proj(jnp.ones(1))
    current = post.sum_current_inputs(0.0 * u.pA, post.V.value)
    np.testing.assert_allclose(np.asarray(current.to_decimal(u.pA)), 60.0, rtol=1e-5)


def test_conn_num_with_conn_weight_and_the_positional_form():
    comm = nd.EventFixedProb(100, 100, conn_num=10, conn_weight=0.5 * u.mS, seed=0)
    assert comm.n_synapses == 1000
    np.testing.assert_array_equal(np.asarray(comm.weight.value.to_decimal(u.mS)), 0.5)
    rows = np.asarray(comm.to_dense().to_decimal(u.mS)) > 0
    assert (rows.sum(axis=1) == 10).all()  # each presynaptic neuron: 10 distinct targets
    positional = nd.EventFixedProb(100, 50, 0.1, 0.5, seed=0)  # (pre, post, prob, weight)
    assert float(positional.weight.value) == 0.5 and positional.n_post == 50
    with pytest.raises(nd.ParameterError, match="weight=... or conn_weight=..., not both"):
        nd.EventFixedProb(10, 10, conn_num=2, weight=1.0, conn_weight=1.0)
