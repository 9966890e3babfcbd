"""Compiled operators (temporary reference; the kernel module replaces this file)."""

import jax.numpy as jnp


def csr_event_matvec(spikes, indptr, indices, weights, n_post):
    n_pre = indptr.shape[0] - 1
    row_of = jnp.repeat(jnp.arange(n_pre), jnp.diff(indptr), total_repeat_length=indices.shape[0])
    spikes = jnp.asarray(spikes, jnp.result_type(weights))
    contrib = spikes[..., row_of] * weights
    out = jnp.zeros((*spikes.shape[:-1], n_post), contrib.dtype)
    return out.at[..., indices].add(contrib)


csr_event_matvec_reference = csr_event_matvec
