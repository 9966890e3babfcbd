"""The inverse-transform tables against scipy's Poisson and binomial laws."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from neurodyn.devices import _sampling as sampling


@pytest.mark.parametrize("mean", [1e-4, 0.05, 0.7, 2.0, 12.0])
def test_poisson_thresholds_are_the_survival_function(mean):
    terms = sampling.poisson_terms(mean)
    assert stats.poisson.sf(terms, mean) < sampling.TAIL
    thresholds = sampling.poisson_thresholds(mean, terms).astype(np.float64)
    np.testing.assert_allclose(
        thresholds / 2.0**32, stats.poisson.sf(np.arange(terms), mean), rtol=1e-9, atol=2**-32
    )


def test_traced_thresholds_match_the_host_tables():
    means = np.array([0.0, 0.003, 0.4, 3.0])
    terms = sampling.poisson_terms(means.max())
    traced = np.asarray(sampling.traced_poisson_thresholds(jnp.asarray(means), terms))
    for row, mean in zip(traced, means, strict=True):
        host = sampling.poisson_thresholds(mean, terms).astype(np.float64)
        # float32 survival sums: relative error ~1e-6, exact zeros where the law is zero
        np.testing.assert_allclose(row.astype(np.float64), host, rtol=1e-5, atol=2)


def test_large_means_fall_back():
    assert sampling.poisson_terms(40.0) is None
    assert sampling.binomial_terms(10_000, 0.05) is None


def test_counts_from_words_follow_the_law():
    mean = 1.3
    thresholds = jnp.asarray(sampling.poisson_thresholds(mean, sampling.poisson_terms(mean)))
    words = sampling.random_words(jax.random.PRNGKey(3), (200_000,))
    counts = np.asarray(sampling.count_below(words, thresholds))
    observed = np.bincount(counts, minlength=8)[:8]
    expected = stats.poisson.pmf(np.arange(8), mean) * counts.size
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


@pytest.mark.parametrize("precision", [32, 64])
def test_uniform_numbers_are_uniform_and_fine_grained(precision):
    import neurodyn as nd

    previous = nd.environ.get_precision()
    nd.environ.set(precision=precision)
    try:
        x, again, other = (np.asarray(sampling.random_uniform(jax.random.PRNGKey(seed), (100_000,)))
                           for seed in (5, 5, 6))  # fmt: skip
    finally:
        nd.environ.set(precision=previous)
    assert x.dtype == (np.float64 if precision == 64 else np.float32)
    assert np.array_equal(x, again) and not np.array_equal(x, other)
    assert 0.0 <= x.min() and x.max() < 1.0
    assert stats.kstest(x, "uniform").pvalue > 1e-4
    assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < 5 / np.sqrt(x.size)  # neighbours independent
    # more bits than one 32-bit word where the float has them (a 2^-32 grid would not)
    fraction_bits = (x * 2.0**32) % 1.0
    assert (np.count_nonzero(fraction_bits) > 0) == (precision == 64)
