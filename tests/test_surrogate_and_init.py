"""Surrogate spike functions and initializers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


@pytest.mark.parametrize(
    "fn,derivative",
    [
        (
            nd.surrogate.ReluGrad(alpha=0.3, width=1.0),
            lambda x: 0.3 * np.maximum(1.0 - np.abs(x), 0.0),
        ),
        (
            nd.surrogate.Sigmoid(alpha=4.0),
            lambda x: 4.0 / (1 + np.exp(-4 * x)) * (1 - 1 / (1 + np.exp(-4 * x))),
        ),
    ],
)
def test_surrogate_forward_is_step_and_backward_is_surrogate(fn, derivative):
    x = jnp.linspace(-2.0, 2.0, 41)
    np.testing.assert_array_equal(np.asarray(fn(x)), (np.asarray(x) >= 0).astype(float))
    grads = jax.vmap(jax.grad(lambda v: fn(v)))(x)
    np.testing.assert_allclose(np.asarray(grads), derivative(np.asarray(x)), rtol=1e-5, atol=1e-7)


def test_initializers_shapes_units_and_statistics():
    v = nd.init.Constant(-65.0 * u.mV)((3, 2))
    assert v.shape == (3, 2) and float(v[0, 0].to_decimal(u.mV)) == -65.0
    samples = nd.init.Normal(40.0 * u.nS, 15.0 * u.nS)((20000,))
    mags = np.asarray(samples.to_decimal(u.nS))
    assert abs(mags.mean() - 40.0) < 0.5 and abs(mags.std() - 15.0) < 0.5
    uni = np.asarray(nd.init.Uniform(-1.0, 1.0)((10000,)))
    assert uni.min() >= -1.0 and uni.max() < 1.0 and abs(uni.mean()) < 0.05
    with pytest.raises(ValueError, match="gave shape"):
        nd.init.initialize(lambda shape: jnp.zeros(3), (4,))
