"""compile_program: the copy-avoiding XLA option, and not where a kernel works in place."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurodyn.core._compiler import WANTED, compile_program, compiler_options
from neurodyn.ops import csr_event_delayed
from neurodyn.ops._build import ffi_target


def _leaky_loop(x):
    """A loop whose carried arrays are each read by several fusions (as a neuron's are)."""

    def step(carry, _):
        v, w = carry
        v_new = jnp.where(v > 0.5, 0.0, 0.9 * v + 0.1 * w)
        w_new = jnp.where(v > 0.5, w + 1.0, 0.99 * w)
        return (v_new, w_new), jnp.sum(v > 0.5)

    return jax.lax.scan(step, (x, x), None, length=50)


def test_this_jaxlib_takes_the_option():
    assert compiler_options() == WANTED


def test_a_plain_loop_gets_the_option_and_the_same_result():
    x = jnp.linspace(0.0, 1.0, 64)
    compiled = compile_program(_leaky_loop, x)
    default = jax.jit(_leaky_loop).lower(x).compile()
    assert compiled.as_text().count(" copy(") < default.as_text().count(" copy(")
    for got, want in zip(jax.tree.leaves(compiled(x)), jax.tree.leaves(default(x)), strict=True):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


@pytest.mark.skipif(
    ffi_target("spikes", "neurodyn_csr_event_delayed") is None, reason="kernels unavailable"
)
def test_a_loop_with_an_in_place_kernel_compiles_as_by_default():
    indptr, indices = jnp.array([0, 1, 2], jnp.int32), jnp.array([1, 0], jnp.int32)

    def delayed(x):
        def step(buffer, i):
            spikes = (x + i) % 3 == 0
            arrived = csr_event_delayed(spikes, indptr, indices, 1.0, 2, buffer, i % 4)
            return buffer, arrived

        return jax.lax.scan(step, jnp.zeros((4, 2)), jnp.arange(10))

    x = jnp.arange(2.0)
    compiled = compile_program(delayed, x)
    default = jax.jit(delayed).lower(x).compile()
    assert compiled.as_text().count(" copy(") == default.as_text().count(" copy(")
