"""Exact counts from one random word each: inverse-transform sampling against tables.

A count ``N`` with probabilities ``p_0, p_1, ...`` is drawn from one uniform 32-bit word
``b``: with the survival thresholds ``T_k = round(2^32 P(N > k))`` (decreasing in
``k``), ``N = #{k : b < T_k}``, so ``P(N >= m) = T_{m-1} / 2^32``. The tables stop at the
first ``K`` with ``P(N > K) < 1e-12``, far below the 2^-32 resolution of the word. The
survival function is summed from the tail, so small tail probabilities keep their
relative accuracy (also in float32).

One word and ``K`` comparisons per draw replace ``jax.random.poisson`` (a rejection
loop, about 15 times slower inside a compiled loop); when the mean is so large that
``K`` would exceed :data:`MAX_TERMS`, the callers fall back to ``jax.random.poisson`` /
``jax.random.binomial``.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core import environ
from ..ops import hashed_uniform, hashed_words

#: Tables stop where the remaining tail probability is below this.
TAIL = 1e-12
#: Longest table used; larger means fall back to JAX's samplers.
MAX_TERMS = 64

_TWO32 = 2.0**32
_LARGEST_F32_BELOW_TWO32 = 4294967040.0  # float32 cannot hold 2^32 - 1


def poisson_terms(mean: float) -> int | None:
    """The table length ``K`` for Poisson counts of mean up to ``mean`` (``P(N > K)
    < TAIL``), or ``None`` when it would exceed :data:`MAX_TERMS`."""
    if mean <= 0:
        return 1
    log_pmf = -mean
    cdf = 0.0
    for k in range(MAX_TERMS + 1):
        cdf += math.exp(log_pmf)
        if 1.0 - cdf < TAIL:
            return max(k, 1)
        log_pmf += math.log(mean) - math.log(k + 1)
    return None


def binomial_terms(n: int, p: float) -> int | None:
    """The table length for ``Binomial(n', p)`` with ``n' <= n`` and for NEST's Poisson
    stand-in of mean ``n p`` (whichever is longer), or ``None`` past :data:`MAX_TERMS`."""
    poisson = poisson_terms(n * p)
    if poisson is None:
        return None
    binomial, cdf = n, 0.0
    for k in range(min(n, MAX_TERMS + 1) + 1):
        cdf += math.exp(_log_binomial_pmf(n, k, p))
        if 1.0 - cdf < TAIL:
            binomial = k
            break
    terms = max(binomial, poisson, 1)
    return terms if terms <= MAX_TERMS else None


def _log_binomial_pmf(n: int, k: int, p: float) -> float:
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        + k * math.log(p) + (n - k) * math.log1p(-p)
    )  # fmt: skip


def log_factorials(n: int) -> np.ndarray:
    """``log(k!)`` for ``k = 0 .. n`` (float64)."""
    return np.array([math.lgamma(k + 1) for k in range(n + 1)])


def survival_thresholds(pmf: Any, xp: Any = jnp) -> Any:
    """uint32 thresholds ``round(2^32 P(N > k))``, ``k = 0 .. K-1``, from the
    probabilities ``pmf[..., 0 .. K]`` (last axis); ``xp`` is ``numpy`` (host tables,
    float64) or ``jax.numpy`` (traced)."""
    tail = xp.cumsum(pmf[..., :0:-1], axis=-1)[..., ::-1]  # sum_{j > k} pmf_j
    scaled = xp.floor(tail * _TWO32 + 0.5)
    top = _TWO32 - 1 if xp is np else _LARGEST_F32_BELOW_TWO32
    return xp.clip(scaled, 0, top).astype(xp.uint32)


def poisson_pmf_table(mean: float, terms: int) -> np.ndarray:
    """``P(N = k)``, ``k = 0 .. terms``, of a Poisson count (float64, host)."""
    k = np.arange(terms + 1)
    if mean <= 0:
        return (k == 0).astype(np.float64)
    return np.exp(k * math.log(mean) - mean - log_factorials(terms))


def poisson_thresholds(mean: float, terms: int) -> np.ndarray:
    """Host thresholds of a Poisson count of mean ``mean`` (see the module docs)."""
    return survival_thresholds(poisson_pmf_table(mean, terms), np)


def traced_poisson_thresholds(mean: Any, terms: int) -> jax.Array:
    """Thresholds of Poisson counts of a traced mean (any shape; last axis added)."""
    dtype = environ.dftype()
    k = jnp.arange(terms + 1, dtype=dtype)
    mean = jnp.asarray(mean, dtype)[..., None]
    positive = mean > 0
    log_mean = jnp.log(jnp.where(positive, mean, 1.0))
    log_fact = jnp.asarray(log_factorials(terms), dtype)
    log_pmf = jnp.where(positive, k * log_mean - mean - log_fact, jnp.where(k == 0, 0.0, -jnp.inf))
    return survival_thresholds(jnp.exp(log_pmf))


def count_below(bits: jax.Array, thresholds: Any) -> jax.Array:
    """``#{k : bits < thresholds[..., k]}`` (int32): the drawn counts."""
    return jnp.sum(bits[..., None] < thresholds, axis=-1, dtype=jnp.int32)


def key_words(key: jax.Array) -> jax.Array:
    """The two uint32 words of a JAX key (typed or raw)."""
    data = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key
    return jnp.asarray(data, jnp.uint32).reshape(-1)[-2:]


def random_uniform(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Uniform numbers in ``[0, 1)`` of the default float type from the words of
    :func:`random_words` (:func:`neurodyn.ops.hashed_uniform`): 53 random bits each in
    float64, 24 bits in float32, so every value is exactly representable and no
    probability below the float's resolution is rounded away. About five times cheaper
    than ``jax.random.uniform`` on a CPU."""
    return hashed_uniform(key_words(key), shape, environ.dftype())


def random_words(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Uniform uint32 words, one per draw: a keyed hash of the draw's index
    (:func:`neurodyn.ops.hashed_words`), counter-based, so one fresh key from the seeded
    stream gives every draw of a step; about seven times cheaper than
    ``jax.random.bits`` on a CPU, where threefry costs ~10 ns per word. Their uniformity
    and independence across draws and steps are what the generators' statistical tests
    check."""
    return hashed_words(key_words(key), shape)
