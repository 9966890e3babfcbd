"""append_spike_events: compiled kernel == plain-JAX reference == the definition."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurodyn.ops import append_spike_events, append_spike_events_reference


def definition(spikes, indices, ids, step, steps, senders, count):
    steps, senders = np.array(steps), np.array(senders)
    for k, i in enumerate(indices):
        if spikes[i]:
            if count < len(steps):
                steps[count], senders[count] = step, ids[k]
            count += 1
    return steps, senders, count


@pytest.mark.parametrize("dtype", [bool, np.float32])
@pytest.mark.parametrize("start,capacity", [(0, 500), (30, 500), (0, 10), (12, 12)])
@pytest.mark.parametrize("pattern", ["none", "sparse", "all"])
def test_kernel_and_reference_equal_the_definition(dtype, start, capacity, pattern):
    rng = np.random.default_rng(capacity + start)
    n = 300
    spikes = {"none": np.zeros(n), "sparse": rng.random(n) < 0.05, "all": np.ones(n)}[pattern]
    spikes = spikes.astype(dtype)
    indices = rng.permutation(n)[:200].astype(np.int32)  # a subset, in any order
    ids = (indices + 1000).astype(np.int32)
    steps = rng.integers(0, 9, capacity).astype(np.int32)  # earlier events stay as they are
    senders = rng.integers(0, 9, capacity).astype(np.int32)
    expected = definition(spikes, indices, ids, 77, steps, senders, start)
    for op in (append_spike_events, append_spike_events_reference):
        got = jax.jit(op)(spikes, indices, ids, 77, steps, senders, start)
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_array_equal(np.asarray(g), e)


def test_in_a_loop_every_step_is_recorded_in_order():
    rng = np.random.default_rng(1)
    train = rng.random((50, 40)) < 0.1

    def step(carry, x):
        i, spikes = x
        return append_spike_events(spikes, jnp.arange(40), jnp.arange(40), i, *carry), None

    empty = jnp.zeros(1000, jnp.int32)
    (steps, senders, count), _ = jax.lax.scan(step, (empty, empty, 0), (jnp.arange(50), train))
    expected_steps, expected_senders = np.nonzero(train)
    assert int(count) == len(expected_steps)
    np.testing.assert_array_equal(np.asarray(steps)[: int(count)], expected_steps)
    np.testing.assert_array_equal(np.asarray(senders)[: int(count)], expected_senders)
