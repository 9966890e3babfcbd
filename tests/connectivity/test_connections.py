"""Connections: CSR rows by pre, the post-sorted view, degrees, delays in steps, validation.

References are NumPy's stable sorts and hand-computed values of NEST's rounding rule
``steps = floor(delay / dt + 0.5)``.
"""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.connectivity import Connections, _connections


def _random_arrays(seed, n_pre=40, n_post=30, size=500):
    rng = np.random.default_rng(seed)
    # few distinct values: many ties in pre and many repeated pairs (multapses)
    return rng.integers(0, n_pre, size), rng.integers(0, n_post, size), n_pre, n_post


def test_from_arrays_sorts_by_pre_stably_and_permutes_weights():
    c = Connections.from_arrays(
        [2, 0, 2, 1, 0], [1, 3, 0, 2, 2], 3, 4, weight=np.array([10.0, 20, 30, 40, 50]) * u.nS
    )
    np.testing.assert_array_equal(c.pre, [0, 0, 1, 2, 2])
    np.testing.assert_array_equal(c.post, [3, 2, 2, 1, 0])
    np.testing.assert_array_equal(c.weight.to_decimal(u.nS), [20, 50, 40, 10, 30])
    np.testing.assert_array_equal(c.indptr, [0, 2, 3, 5])
    assert c.pre.dtype == c.post.dtype == c.indptr.dtype == np.int32
    assert (c.n_pre, c.n_post, c.n_connections, len(c)) == (3, 4, 5, 5)


@pytest.mark.parametrize("seed", [0, 1])
def test_csr_and_post_view_are_consistent(seed):
    pre, post, n_pre, n_post = _random_arrays(seed)
    order_given = np.arange(pre.size, dtype=float)  # weight = position in the input
    c = Connections.from_arrays(pre, post, n_pre, n_post, weight=order_given)
    # rows by pre, ties in the given order
    np.testing.assert_array_equal(c.weight, np.argsort(pre, kind="stable"))
    np.testing.assert_array_equal(c.pre, pre[c.weight.astype(int)])
    np.testing.assert_array_equal(c.post, post[c.weight.astype(int)])
    counts_pre = np.bincount(pre, minlength=n_pre)
    np.testing.assert_array_equal(c.indptr, np.concatenate([[0], np.cumsum(counts_pre)]))
    for i in (0, 7, n_pre - 1):
        assert (c.pre[c.indptr[i] : c.indptr[i + 1]] == i).all()
    # post-sorted view: a stable sort of the synapses by post
    np.testing.assert_array_equal(c.post_order, np.argsort(c.post, kind="stable"))
    counts_post = np.bincount(post, minlength=n_post)
    np.testing.assert_array_equal(c.post_indptr, np.concatenate([[0], np.cumsum(counts_post)]))
    np.testing.assert_array_equal(c.out_degrees(), counts_pre)
    np.testing.assert_array_equal(c.in_degrees(), counts_post)


@pytest.mark.parametrize("overflow", [False, True])
def test_stable_sort_by(overflow, monkeypatch):
    if overflow:  # as if key * M + index overflowed int64: NumPy's stable argsort instead
        monkeypatch.setattr(_connections, "_COMPOSITE_LIMIT", 0)
    keys = np.random.default_rng(0).integers(0, 5, 200)
    order, indptr = _connections.stable_sort_by(keys, 6)
    np.testing.assert_array_equal(order, np.argsort(keys, kind="stable"))
    np.testing.assert_array_equal(indptr, np.searchsorted(np.sort(keys), np.arange(7)))


def test_to_dense_sums_multapses_and_keeps_units():
    pre, post, n_pre, n_post = _random_arrays(2, size=300)
    weight = np.random.default_rng(3).normal(size=300)
    dense = np.zeros((n_pre, n_post))
    np.add.at(dense, (pre, post), weight)
    c = Connections.from_arrays(pre, post, n_pre, n_post, weight=weight * u.mV)
    np.testing.assert_allclose(c.to_dense().to_decimal(u.mV), dense)
    homogeneous = Connections.from_arrays(pre, post, n_pre, n_post, weight=0.5)
    counts = np.zeros((n_pre, n_post))
    np.add.at(counts, (pre, post), 1)
    np.testing.assert_allclose(homogeneous.to_dense(), 0.5 * counts)


def test_data_is_read_only_and_repr_summarises():
    c = Connections.from_arrays([0, 1], [1, 0], 2, 2, weight=np.ones(2) * u.nS)
    with pytest.raises(ValueError):
        c.pre[0] = 1
    with pytest.raises(ValueError):
        c.post_order[0] = 1
    text = repr(c)
    assert "n_connections=2" in text and "nS" in text and "one step" in text


def test_empty_connections():
    c = Connections([], [], 3, 2)
    assert c.n_connections == 0
    np.testing.assert_array_equal(c.indptr, [0, 0, 0, 0])
    np.testing.assert_array_equal(c.in_degrees(), [0, 0])
    assert c.post_indptr.tolist() == [0, 0, 0]


# -- delays ------------------------------------------------------------------------------

# (delay in ms, steps at dt = 0.1 ms), from floor(delay / dt + 0.5) worked by hand
_ROUNDING = [(0.15, 2), (1.27, 13), (0.05, 1), (0.25, 3), (0.35, 4), (1.0, 10), (0.1, 1)]


def test_delay_steps_round_to_nearest_with_halves_up():
    delays = np.array([d for d, _ in _ROUNDING])
    c = Connections(
        np.zeros(delays.size, int), np.zeros(delays.size, int), 1, 1, delay=delays * u.ms
    )
    np.testing.assert_array_equal(c.delay_steps(0.1 * u.ms), [s for _, s in _ROUNDING])
    assert c.delay_steps(0.1 * u.ms).dtype == np.int32
    # float32 delays (e.g. from JAX) round like the decimals they hold
    low = Connections([0, 0], [0, 0], 1, 1, delay=jnp.array([0.35, 0.45], jnp.float32) * u.ms)
    np.testing.assert_array_equal(low.delay_steps(0.1 * u.ms), [4, 5])
    # other units and a scalar delay; dt from the context by default
    seconds = Connections([0], [0], 1, 1, delay=np.array([0.00127]) * u.second)
    np.testing.assert_array_equal(seconds.delay_steps(), [13])
    scalar = Connections([0, 0], [0, 0], 1, 1, delay=0.15 * u.ms)
    assert int(scalar.delay_steps(0.1 * u.ms)) == 2
    assert int(scalar.delay_steps(0.05 * u.ms)) == 3
    assert int(Connections([0], [0], 1, 1).delay_steps(0.1 * u.ms)) == 1  # no delay: one step


def test_delay_shorter_than_dt_is_refused():
    c = Connections([0, 0], [0, 0], 1, 1, delay=np.array([1.0, 0.04]) * u.ms)
    with pytest.raises(nd.ParameterError, match=r"delay 0\.04 ms is shorter than dt = 0\.1 ms"):
        c.delay_steps(0.1 * u.ms)
    with pytest.raises(nd.ParameterError, match="dt must be a single time quantity"):
        c.delay_steps(0.1)


def test_delay_needs_time_units_and_positive_values():
    with pytest.raises(nd.ParameterError, match="delay must be a time quantity"):
        Connections([0], [0], 1, 1, delay=1.5)
    with pytest.raises(nd.ParameterError, match="delay must be a time quantity"):
        Connections([0], [0], 1, 1, delay=1.5 * u.mV)
    with pytest.raises(nd.ParameterError, match="delay must be > 0"):
        Connections.from_arrays([0, 0], [0, 0], 1, 1, delay=np.array([1.0, -1.0]) * u.ms)


# -- validation --------------------------------------------------------------------------


def test_index_and_shape_errors():
    with pytest.raises(nd.ParameterError, match=r"post holds index 5, outside \[0, 5\)"):
        Connections.from_arrays([0, 1], [0, 5], 2, 5)
    with pytest.raises(nd.ParameterError, match="pre holds index -1"):
        Connections.from_arrays([-1, 1], [0, 1], 2, 5)
    with pytest.raises(nd.ParameterError, match="pre and post must have one entry per synapse"):
        Connections.from_arrays([0, 1], [0], 2, 5)
    with pytest.raises(nd.ParameterError, match="pre must be sorted"):
        Connections([1, 0], [0, 0], 2, 2)
    with pytest.raises(nd.ParameterError, match="pre must be a 1-D array of whole-number"):
        Connections.from_arrays([0.5], [0], 2, 2)
    with pytest.raises(nd.ParameterError, match="n_post must be a whole number"):
        Connections([0], [0], 1, 0)
    with pytest.raises(nd.ParameterError, match=r"weight has shape \(3,\)"):
        Connections([0, 0], [0, 1], 1, 2, weight=np.ones(3))
    with pytest.raises(nd.ParameterError, match="weight must be finite"):
        Connections([0, 0], [0, 1], 1, 2, weight=np.array([1.0, np.nan]) * u.nS)
