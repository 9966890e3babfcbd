"""LeakyRateReadout against its closed forms: step response, impulse response, units."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.core import vmap
from neurodyn.neurons import LeakyRateReadout


def test_constant_input_follows_the_geometric_sum():
    nd.environ.set(precision=64)
    tau = jnp.array([2.0, 5.0, 20.0]) * u.ms  # one time constant per output unit
    w = np.random.default_rng(0).normal(size=(4, 3))
    readout = LeakyRateReadout(4, 3, tau=tau, w_init=jnp.asarray(w))
    nd.init_all_states(readout)
    x = jnp.array([1.0, 0.0, 1.0, 1.0])
    r = np.asarray(nd.for_loop(readout, jnp.tile(x, (50, 1))))
    n = np.arange(1, 51)[:, None]
    decay = np.exp(-0.1 / np.array([2.0, 5.0, 20.0]))
    expected = (np.asarray(x) @ w) * (1 - decay**n) / (1 - decay)
    np.testing.assert_allclose(r, expected, rtol=1e-12)


def test_impulse_decays_with_tau_and_keeps_the_weights_unit():
    nd.environ.set(precision=64)
    readout = LeakyRateReadout((2, 2), 2, tau=5.0 * u.ms, w_init=nd.init.Constant(3.0 * u.pA))
    nd.init_all_states(readout)
    pulse = jnp.zeros((30, 2, 2)).at[0].set(jnp.array([[1.0, 1.0], [0.0, 1.0]]))
    r = nd.for_loop(readout, pulse)
    assert u.same_dimension(r, u.pA)
    expected = 9.0 * np.exp(-0.1 * np.arange(30) / 5.0)
    np.testing.assert_allclose(np.asarray(r.to_decimal(u.pA)), np.tile(expected[:, None], 2))


def test_batched_readout_equals_each_example():
    readout = LeakyRateReadout(3, 2, tau=4.0 * u.ms)
    x = jnp.asarray(np.random.default_rng(1).random((5, 10, 3)))
    nd.init_all_states(readout, batch_size=5)
    batched = vmap(lambda x: nd.for_loop(readout, x))(x)
    for b in range(5):
        nd.init_all_states(readout)
        np.testing.assert_allclose(batched[b], nd.for_loop(readout, x[b]), rtol=1e-6)


def test_bad_input_is_refused():
    with pytest.raises(nd.ParameterError, match="LeakyRateReadout.tau must be > 0 ms"):
        LeakyRateReadout(3, 2, tau=-1.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="out_size must be a positive whole number"):
        LeakyRateReadout(3, 0)
    readout = LeakyRateReadout(3, 2)
    nd.init_all_states(readout)
    with pytest.raises(nd.ParameterError, match="input x must be dimensionless"):
        readout(jnp.ones(3) * u.mV)
    with pytest.raises(nd.ParameterError, match=r"expected trailing shape \(3,\)"):
        readout(jnp.ones(4))
