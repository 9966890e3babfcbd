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


_SURROGATES = [
    # (function, its derivative written out independently, total mass of the derivative)
    (
        nd.surrogate.Arctan(alpha=2.0),
        lambda x: 1.0 / (1.0 + (np.pi * x) ** 2),
        1.0,
    ),
    (nd.surrogate.SoftSign(alpha=2.0), lambda x: 1.0 / (1.0 + 2.0 * np.abs(x)) ** 2, 1.0),
    (
        nd.surrogate.GaussianGrad(sigma=0.5, alpha=0.5),
        lambda x: 0.5 * np.exp(-2.0 * x**2) / (np.sqrt(2 * np.pi) * 0.5),
        0.5,
    ),
    (nd.surrogate.Sigmoid(alpha=4.0), None, 1.0),
    (nd.surrogate.ReluGrad(alpha=0.3, width=1.0), None, 0.3),
]


@pytest.mark.parametrize("fn,derivative,mass", _SURROGATES)
def test_surrogate_gradients_match_formula_and_integrate_to_their_jump(fn, derivative, mass):
    x = np.linspace(-200.0, 200.0, 400001)
    grads = np.asarray(jax.vmap(jax.grad(lambda v: fn(v)))(jnp.asarray(x)), np.float64)
    if derivative is not None:
        np.testing.assert_allclose(grads, derivative(x), rtol=1e-5, atol=1e-7)
    # the surrogate stands in for a step of height `mass` (1 for a unit step); heavy
    # tails (SoftSign, Arctan) converge slowly, hence the tolerance
    assert abs(grads.sum() * (x[1] - x[0]) - mass) < 0.01 * mass
    np.testing.assert_array_equal(np.asarray(fn(jnp.asarray([-1e-3, 0.0, 1e-3]))), [0, 1, 1])


@pytest.mark.parametrize("cls", [nd.surrogate.Arctan, nd.surrogate.SoftSign, nd.surrogate.Sigmoid])
def test_surrogate_parameters_are_validated(cls):
    with pytest.raises(nd.ParameterError, match="alpha must be > 0"):
        cls(alpha=0.0)


@pytest.mark.parametrize(
    "init,variance",
    [
        (nd.init.KaimingNormal(unit=u.mS), 2.0 / 400),
        (nd.init.KaimingUniform(unit=u.mS), 2.0 / 400),
        (nd.init.XavierNormal(unit=u.mS), 2.0 / (400 + 300)),
        (nd.init.XavierUniform(unit=u.mS), 2.0 / (400 + 300)),
        (nd.init.KaimingNormal(mode="fan_out", unit=u.mS), 2.0 / 300),
    ],
)
def test_variance_scaling_initializers(init, variance):
    w = init((400, 300))
    assert u.same_dimension(w, u.mS) and w.shape == (400, 300)
    mags = np.asarray(w.to_decimal(u.mS), np.float64)
    assert abs(mags.mean()) < 3 * np.sqrt(variance / mags.size)
    assert abs(mags.var() / variance - 1.0) < 0.02
    if "Uniform" in type(init).__name__:
        assert np.abs(mags).max() <= np.sqrt(3 * variance) * (1 + 1e-6)


def test_variance_scaling_usable_as_projection_weights_and_validated():
    conn = nd.AllToAll(100, 50, nd.init.KaimingNormal(unit=u.mS))
    assert u.same_dimension(conn.weight.value, u.mS) and conn.weight.value.shape == (100, 50)
    with pytest.raises(nd.ParameterError, match="mode"):
        nd.init.KaimingNormal(mode="fan_sideways")
    with pytest.raises(nd.ParameterError, match="fan_in, fan_out"):
        nd.init.XavierNormal()((10,))
