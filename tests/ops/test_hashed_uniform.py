"""hashed_uniform: compiled kernel == plain-JAX reference, bit for bit, also batched."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurodyn.ops import hashed_uniform, hashed_uniform_reference, hashed_words


def _key(seed):
    return jnp.asarray(np.random.default_rng(seed).integers(0, 2**32, 2, dtype=np.uint64),
                       jnp.uint32)  # fmt: skip


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
@pytest.mark.parametrize("shape", [(1,), (1000,), (7, 3)])
def test_kernel_equals_reference(dtype, shape):
    with jax.enable_x64(dtype == jnp.float64):
        for seed in range(3):
            key = _key(seed)
            got = jax.jit(hashed_uniform, static_argnums=(1, 2))(key, shape, dtype)
            want = hashed_uniform_reference(key, shape, dtype)
            assert got.dtype == dtype and got.shape == shape
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_reference_is_built_from_the_hashed_words():
    with jax.enable_x64(True):
        key = _key(4)
        words = np.asarray(hashed_words(key, (50, 2))).astype(np.float64)
        want = (words[:, 0] * 2.0**21 + np.floor(words[:, 1] / 2.0**11)) * 2.0**-53
        got = np.asarray(hashed_uniform(key, (50,), jnp.float64))
        np.testing.assert_array_equal(got, want)
    got32 = np.asarray(hashed_uniform(key, (50,), jnp.float32))
    want32 = np.floor(np.asarray(hashed_words(key, (50,))) / 2.0**8) * 2.0**-24
    np.testing.assert_array_equal(got32, want32.astype(np.float32))


def test_batched_keys_give_the_rows_of_single_calls():
    keys = jnp.stack([_key(s) for s in range(4)])
    batched = jax.vmap(lambda k: hashed_uniform(k, (100,), jnp.float32))(keys)
    for row, key in zip(np.asarray(batched), keys, strict=True):
        np.testing.assert_array_equal(row, np.asarray(hashed_uniform(key, (100,), jnp.float32)))
    assert not np.array_equal(np.asarray(batched[0]), np.asarray(batched[1]))
