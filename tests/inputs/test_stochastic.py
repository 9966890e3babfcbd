"""Stochastic inputs, statistically: each estimate within 5 standard errors of the
closed form (independent samples across elements; Gaussian sampling errors)."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

DT = 0.1  # ms
Z = 5.0  # standard errors allowed


def _steps(source, n_steps, unit, *args):
    out = nd.for_loop(lambda: source.update(*args), length=n_steps, clock=source)
    return np.asarray(u.to_float(out, unit), dtype=np.float64)


def test_ou_stationary_mean_variance_and_autocorrelation():
    mean, sigma, tau, n = 2.0, 0.5, 1.5, 4000
    ou = nd.inputs.OUProcessInput(n, mean * u.nA, sigma * u.nA, tau * u.ms)
    nd.init_all_states(ou)
    x = _steps(ou, 200, u.nA)
    for step in (0, 199):  # stationary from the first step
        sample = x[step]
        assert abs(sample.mean() - mean) < Z * sigma / np.sqrt(n)
        assert abs(sample.var() - sigma**2) < Z * sigma**2 * np.sqrt(2.0 / n)
    for lag in (1, 5, 20):
        rho = np.exp(-lag * DT / tau)
        estimate = np.mean((x[100] - mean) * (x[100 + lag] - mean)) / sigma**2
        assert abs(estimate - rho) < Z * np.sqrt((1 + rho**2) / n), lag


def test_wiener_increments_have_variance_dt_and_are_independent():
    sigma, n = 2.0, 4000
    w = nd.inputs.WienerProcessInput(n, sigma=sigma * u.pA)
    nd.init_all_states(w)
    dw = _steps(w, 50, u.pA * u.ms**0.5)
    var = sigma**2 * DT
    assert abs(dw.mean()) < Z * np.sqrt(var / dw.size)
    assert abs(dw.var() - var) < Z * var * np.sqrt(2.0 / dw.size)
    lag1 = np.mean(dw[:-1] * dw[1:]) / var
    assert abs(lag1) < Z / np.sqrt(dw[1:].size)


def test_poisson_encoder_rate_per_input_value():
    rates = np.array([0.0, 20.0, 150.0, 900.0])  # Hz
    per_value, n_steps = 500, 200
    freqs = jnp.asarray(np.repeat(rates, per_value)) * u.Hz
    encoder = nd.inputs.PoissonEncoder()
    nd.init_all_states(encoder)
    spikes = _steps(encoder, n_steps, u.UNITLESS, freqs).reshape(n_steps, len(rates), per_value)
    assert set(np.unique(spikes)) <= {0.0, 1.0}
    for k, rate in enumerate(rates):
        p = rate * DT / 1000.0
        estimate = spikes[:, k].mean()
        count = n_steps * per_value
        assert abs(estimate - p) < Z * np.sqrt(p * (1 - p) / count) + 1e-12, rate


@pytest.mark.parametrize(
    "make,args",
    [
        (lambda: nd.inputs.OUProcessInput(50, 0.0 * u.nA, 1.0 * u.nA, 2.0 * u.ms), ()),
        (lambda: nd.inputs.WienerProcessInput(50), ()),
        (lambda: nd.inputs.PoissonEncoder(), (jnp.full(50, 300.0) * u.Hz,)),
    ],
    ids=["OUProcessInput", "WienerProcessInput", "PoissonEncoder"],
)
def test_same_seed_same_draws(make, args):
    def draws(seed):
        nd.random.seed(seed)
        source = make()
        nd.init_all_states(source)
        return _steps(source, 20, u.get_unit(source.update(*args)), *args)

    np.testing.assert_array_equal(draws(7), draws(7))
    assert not np.array_equal(draws(7), draws(8))
