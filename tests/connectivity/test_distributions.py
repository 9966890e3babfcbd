"""Weight and delay distributions: moments within sampling error, bounds, units, errors."""

import math

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.connectivity import ClippedNormal, Lognormal, Normal, Uniform

N = 200_000


def _rng(seed=0):
    return np.random.default_rng(seed)


def _phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):  # noqa: N802 - the usual symbol
    return 0.5 * math.erfc(-x / math.sqrt(2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_normal_moments_and_units(dtype):
    x = Normal(2.0 * u.nS, 0.5 * u.nS).sample(_rng(), N, dtype)
    assert x.shape == (N,) and x.mantissa.dtype == dtype
    values = np.asarray(x.to_decimal(u.nS), np.float64)
    assert abs(values.mean() - 2.0) < 5 * 0.5 / math.sqrt(N)
    assert abs(values.std() - 0.5) < 5 * 0.5 / math.sqrt(2 * N)


def test_uniform_moments_and_support():
    x = Uniform(1.0 * u.ms, 3.0 * u.ms).sample(_rng(), N).to_decimal(u.ms)
    assert x.min() >= 1.0 and x.max() < 3.0
    assert abs(x.mean() - 2.0) < 5 * math.sqrt(4 / 12 / N)
    assert abs(x.var() - 4 / 12) < 0.01
    unitless = Uniform(-1.0, 1.0).sample(_rng(), 10, np.float32)
    assert isinstance(unitless, np.ndarray) and unitless.dtype == np.float32


def test_lognormal_parameters_are_those_of_the_underlying_normal():
    mu, sigma = -0.5, 0.4
    x = Lognormal(mu, sigma, unit=u.nS).sample(_rng(), N).to_decimal(u.nS)
    logs = np.log(x)
    assert abs(logs.mean() - mu) < 5 * sigma / math.sqrt(N)
    assert abs(logs.std() - sigma) < 5 * sigma / math.sqrt(2 * N)
    mean = math.exp(mu + sigma**2 / 2)
    spread = math.sqrt((math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2))
    assert abs(x.mean() - mean) < 5 * spread / math.sqrt(N)
    assert (x > 0).all()


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (-0.5, None), (None, 2.5), (1.0, 1.4)], ids=str)
def test_clipped_normal_is_the_truncated_normal(low, high):
    mean, std = 1.0, 0.8
    dist = ClippedNormal(
        mean * u.ms,
        std * u.ms,
        low=None if low is None else low * u.ms,
        high=None if high is None else high * u.ms,
    )
    x = dist.sample(_rng(1), N).to_decimal(u.ms)
    a = -math.inf if low is None else (low - mean) / std
    b = math.inf if high is None else (high - mean) / std
    if low is not None:
        assert x.min() >= low
    if high is not None:
        assert x.max() <= high
    mass = _Phi(b) - _Phi(a)
    phi_a = 0.0 if math.isinf(a) else _phi(a)
    phi_b = 0.0 if math.isinf(b) else _phi(b)
    expected_mean = mean + std * (phi_a - phi_b) / mass
    assert abs(x.mean() - expected_mean) < 5 * std / math.sqrt(N)


def test_clipped_normal_bounds_hold_in_float32():
    x = ClippedNormal(0.0, 1.0, low=-0.1, high=0.1).sample(_rng(), N, np.float32)
    assert x.dtype == np.float32
    assert x.min() >= np.float32(-0.1) and x.max() <= np.float32(0.1)


def test_same_seed_same_samples():
    dist = ClippedNormal(0.0 * u.mV, 1.0 * u.mV, low=-1.0 * u.mV)
    a, b = dist.sample(_rng(7), 1000), dist.sample(_rng(7), 1000)
    np.testing.assert_array_equal(a.mantissa, b.mantissa)


def test_errors_name_the_parameter():
    with pytest.raises(nd.ParameterError, match="Normal.std must be >= 0"):
        Normal(1.0 * u.nS, -0.1 * u.nS)
    with pytest.raises(nd.ParameterError, match="Normal.std must be a conductance"):
        Normal(1.0 * u.nS, 0.1 * u.ms)
    with pytest.raises(nd.ParameterError, match="Normal.std must be dimensionless"):
        Normal(1.0, 0.1 * u.ms)
    with pytest.raises(nd.ParameterError, match="Uniform.low must be < high"):
        Uniform(2.0 * u.ms, 1.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="Uniform.high must be a time"):
        Uniform(1.0 * u.ms, 2.0)
    with pytest.raises(nd.ParameterError, match="Lognormal.sigma must be >= 0"):
        Lognormal(0.0, -1.0)
    with pytest.raises(nd.ParameterError, match="Lognormal.mu must be dimensionless"):
        Lognormal(1.0 * u.nS, 1.0)
    with pytest.raises(nd.ParameterError, match="Lognormal.unit must be a unit"):
        Lognormal(0.0, 1.0, unit="nS")
    with pytest.raises(nd.ParameterError, match="ClippedNormal.low must be < high"):
        ClippedNormal(0.0, 1.0, low=1.0, high=1.0)
    with pytest.raises(nd.ParameterError, match="ClippedNormal.high must be a time"):
        ClippedNormal(0.0 * u.ms, 1.0 * u.ms, high=1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="ClippedNormal bounds .* hold a fraction"):
        ClippedNormal(0.0, 1.0, low=8.0)
    with pytest.raises(nd.ParameterError, match="dtype must be float32 or float64"):
        Normal(0.0, 1.0).sample(_rng(), 3, np.int32)
    with pytest.raises(nd.ParameterError, match="n must be a whole number"):
        Normal(0.0, 1.0).sample(_rng(), -1)
