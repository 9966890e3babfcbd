"""table_counts: compiled kernel == plain-JAX reference, and the counts follow the table."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from neurodyn.devices import _sampling as sampling
from neurodyn.ops import hashed_words, table_counts, table_counts_reference


@pytest.mark.parametrize("mean", [0.02, 0.8, 2.0, 12.0])
@pytest.mark.parametrize("seed", range(3))
def test_kernel_equals_reference(mean, seed):
    thresholds = jnp.asarray(sampling.poisson_thresholds(mean, sampling.poisson_terms(mean)))
    key = jnp.asarray(np.random.default_rng(seed).integers(0, 2**32, 2, dtype=np.uint64),
                      jnp.uint32)  # fmt: skip
    got = jax.jit(table_counts, static_argnums=2)(key, thresholds, 5000)
    np.testing.assert_array_equal(
        np.asarray(got), np.asarray(table_counts_reference(key, thresholds, 5000))
    )


def test_counts_follow_the_poisson_law_across_keys():
    mean = 2.0
    thresholds = jnp.asarray(sampling.poisson_thresholds(mean, sampling.poisson_terms(mean)))
    keys = np.asarray(jax.random.split(jax.random.PRNGKey(0), 40), np.uint32)  # (40, 2)
    draws = np.concatenate([np.asarray(table_counts(key, thresholds, 5000)) for key in keys])
    observed = np.bincount(draws, minlength=9)[:9].astype(float)
    observed[8] += (draws > 8).sum()
    expected = stats.poisson.pmf(np.arange(9), mean) * len(draws)
    expected[8] += stats.poisson.sf(8, mean) * len(draws)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, df=8) > 1e-4
    assert abs(draws.mean() - mean) < 5 * np.sqrt(mean / len(draws))


def test_hashed_words_are_uniform_bits():
    words = np.asarray(hashed_words(jnp.array([7, 11], jnp.uint32), (200000,)))
    for bit in (0, 1, 15, 16, 31):
        assert abs(((words >> bit) & 1).mean() - 0.5) < 5 * 0.5 / np.sqrt(len(words))
    assert len(np.unique(words)) == len(words)  # a bijection of the index
