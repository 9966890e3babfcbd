"""csr_event_delayed: compiled kernel == plain-JAX reference == a numpy loop over synapses."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurodyn.ops import csr_event_delayed, csr_event_delayed_reference

from .test_csr_event import N_POST, N_PRE, NNZ, PATTERNS, TOLERANCE, random_csr, random_spikes

N_SLOTS = 6


def numpy_delivery(spikes, indptr, indices, weights, delays, buffer, cursor):
    """The definition, synapse by synapse, in float64: deliver, then take out the next
    step's slot."""
    out = np.array(buffer, np.float64)
    w = np.broadcast_to(np.asarray(weights, np.float64), indices.shape)
    d = np.broadcast_to(np.asarray(delays), indices.shape)
    s = np.asarray(spikes, np.float64)
    for i in range(len(indptr) - 1):
        for k in range(indptr[i], indptr[i + 1]):
            out[..., (cursor + d[k]) % out.shape[-2], indices[k]] += w[k] * s[..., i]
    following = (cursor + 1) % out.shape[-2]
    arrived = out[..., following, :].copy()
    out[..., following, :] = 0.0
    return out, arrived


def _case(seed, pattern, homogeneous, dtype, batch=()):
    rng = np.random.default_rng(seed)
    indptr, indices = random_csr(rng)
    weights = np.asarray(rng.normal(), dtype) if homogeneous else rng.normal(size=NNZ).astype(dtype)
    delays = np.int32(rng.integers(1, N_SLOTS)) if homogeneous else rng.integers(1, N_SLOTS, NNZ)
    buffer = rng.normal(size=(*batch, N_SLOTS, N_POST)).astype(dtype)
    spikes = random_spikes(rng, (*batch, N_PRE), pattern, dtype)
    cursor = int(rng.integers(0, N_SLOTS))
    return spikes, indptr, indices, weights, np.asarray(delays, np.int32), buffer, cursor


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("homogeneous", [True, False])
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", range(3))
def test_kernel_and_reference_equal_the_definition(seed, pattern, homogeneous, dtype):
    if dtype == np.float64 and not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
    try:
        args = _case(seed, pattern, homogeneous, dtype)
        expected = numpy_delivery(*args)
        got = jax.jit(csr_event_delayed)(*args)
        ref = csr_event_delayed_reference(*args)
        for part in range(2):  # the buffer, the next step's slot
            np.testing.assert_allclose(np.asarray(got[part]), expected[part], **TOLERANCE[dtype])
            np.testing.assert_allclose(np.asarray(ref[part]), expected[part], **TOLERANCE[dtype])
            assert got[part].dtype == dtype
    finally:
        jax.config.update("jax_enable_x64", False)


def test_in_a_scan_each_step_lands_delay_steps_later():
    """A ring buffer carried through a loop, as a network does: a spike of neuron i in
    step s is taken out at the end of step s + delay - 1, for step s + delay."""
    rng = np.random.default_rng(7)
    indptr, indices = random_csr(rng)
    weights = rng.normal(size=NNZ).astype(np.float32)
    delays = rng.integers(1, N_SLOTS, NNZ).astype(np.int32)
    spike_train = rng.random((40, N_PRE)) < 0.2

    def step(buffer, x):
        i, spikes = x
        buffer, arrived = csr_event_delayed(
            spikes, indptr, indices, weights, delays, buffer, i % N_SLOTS
        )
        return buffer, arrived  # what step i + 1 receives

    _, arrivals = jax.lax.scan(step, jnp.zeros((N_SLOTS, N_POST)), (jnp.arange(40), spike_train))
    arrivals = np.concatenate([np.zeros((1, N_POST)), np.asarray(arrivals)[:-1]])
    expected = np.zeros((40 + N_SLOTS, N_POST))
    rows = np.repeat(np.arange(N_PRE), np.diff(indptr))
    for s in range(40):
        for k in np.flatnonzero(spike_train[s][rows]):
            expected[s + delays[k], indices[k]] += weights[k]
    np.testing.assert_allclose(np.asarray(arrivals), expected[:40], rtol=1e-5, atol=1e-5)


def test_vmap_over_examples_equals_each_example():
    spikes, indptr, indices, weights, delays, buffer, cursor = _case(3, "float", False, np.float32,
                                                                     batch=(4,))  # fmt: skip
    batched = jax.vmap(csr_event_delayed, (0, None, None, None, None, 0, None))(
        spikes, indptr, indices, weights, delays, buffer, cursor
    )
    for b in range(4):
        one = csr_event_delayed(spikes[b], indptr, indices, weights, delays, buffer[b], cursor)
        for part in range(2):
            np.testing.assert_allclose(np.asarray(batched[part][b]), np.asarray(one[part]),
                                       rtol=1e-6)  # fmt: skip
    # per-example weights take the reference path, with the same result
    w4 = np.stack([weights * (b + 1) for b in range(4)])
    per_example = jax.vmap(csr_event_delayed, (0, None, None, 0, None, 0, None))(
        spikes, indptr, indices, w4, delays, buffer, cursor
    )
    for b in range(4):
        one = numpy_delivery(spikes[b], indptr, indices, w4[b], delays, buffer[b], cursor)
        for part in range(2):
            np.testing.assert_allclose(np.asarray(per_example[part][b]), one[part], rtol=1e-5,
                                       atol=1e-5)  # fmt: skip


def test_gradients_equal_the_reference_gradients():
    spikes, indptr, indices, weights, delays, buffer, cursor = _case(5, "float", False, np.float32)
    probe = np.random.default_rng(0).normal(size=buffer.shape).astype(np.float32)

    def loss(fn, spikes, weights, buffer):
        out, arrived = fn(spikes, indptr, indices, weights, delays, buffer, cursor)
        return jnp.sum(jnp.sin(out) * probe) + jnp.sum(jnp.cos(arrived) * probe[0])

    got = jax.grad(lambda *a: loss(csr_event_delayed, *a), argnums=(0, 1, 2))(
        spikes, weights, buffer
    )
    ref = jax.grad(lambda *a: loss(csr_event_delayed_reference, *a), argnums=(0, 1, 2))(
        spikes, weights, buffer
    )
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-5, atol=1e-5)
