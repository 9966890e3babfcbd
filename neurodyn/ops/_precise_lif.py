"""One step of NEST's precise-timing neurons (``*_ps``) as one compiled loop over the neurons."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from ._build import ffi_target

_KERNEL = "precise_lif"
_COMMON = ("E_L", "theta", "y_reset", "V_min", "tau_m", "C", "I_e", "steps", "expm1_m")
_CURRENTS = (*_COMMON, "P20", "tau_syn_ex", "tau_syn_in", "P32_ex", "P32_in", "decay_ex",
             "decay_in")  # fmt: skip
#: Each kernel's parameter operands, in the order of ``Row`` in ``precise_lif.c``:
#: the model's parameters (voltages relative to ``E_L``; ms, pF, pA; ``steps`` the
#: refractory period in steps) and its propagators over a whole step.
PARAMETERS = {
    "delta": _COMMON,
    "exp": _CURRENTS,
    "exp_lossless": _CURRENTS,
    "alpha": (*_CURRENTS, "P31_ex", "P31_in"),
}
#: The kernels take up to this many event slots per neuron (more: the reference runs).
MAX_EVENTS = 255


def precise_lif_step(
    model: str,
    reference: Callable[..., tuple],
    parameters: Mapping[str, Any],
    *operands: Any,
    current: Any,
) -> tuple:
    """``reference(*operands)`` and the stimulation current of the next step, one step
    of the precise-timing neurons of kernel ``model`` (a key of :data:`PARAMETERS`),
    computed by a compiled CPU kernel where one is available.

    The kernel covers float64 populations with fewer than :data:`MAX_EVENTS` event
    slots per neuron; elsewhere (float32, other platforms, ``jax.vmap``, or with
    ``NEURODYN_DISABLE_KERNELS=1``) the plain-JAX ``reference`` runs.

    Parameters
    ----------
    model : str
        ``"delta"``, ``"exp"``, ``"exp_lossless"`` or ``"alpha"``.
    reference : callable
        The plain-JAX step: ``(p, h, t_end, V, synapse, refractory, count,
        last_offset, last_time, y0, offsets, weights)`` to ``(V, synapse, refractory,
        count, spike_offset, last_offset, last_time, spike)``, with ``synapse`` a tuple
        of the synaptic states and every state of the population's shape.
    parameters : mapping
        The values named in ``PARAMETERS[model]`` (each a scalar or of the
        population's shape); the kernel's parameter operands.
    *operands
        The reference's arguments.
    current : array
        This step's stimulation current (pA), broadcasting to the population's shape:
        the next step's ``y0``. The kernel writes it over ``y0`` in place.

    Returns
    -------
    tuple
        The reference's results, then ``current`` in the population's shape.
    """
    V, offsets = operands[3], operands[-2]
    symbol = f"neurodyn_precise_{model}"
    current = jnp.asarray(current, V.dtype)

    def plain(current: Any, *operands: Any) -> tuple:
        return (*reference(*operands), jnp.broadcast_to(current, operands[3].shape))

    if (
        V.dtype != jnp.float64
        or offsets.shape[-1] > MAX_EVENTS
        or ffi_target(_KERNEL, symbol) is None
    ):
        return plain(current, *operands)
    rows = tuple(_row(parameters[name], V.shape) for name in PARAMETERS[model])
    kernel = _cpu_kernel(symbol, plain)
    return jax.lax.platform_dependent(
        rows, current, *operands, cpu=kernel, default=lambda _, *operands: plain(*operands)
    )


def _row(value: Any, shape: tuple[int, ...]) -> Any:
    """A parameter as a float64 operand of length 1 (shared) or one per neuron."""
    value = jnp.asarray(value, jnp.float64)
    return value.reshape(1) if value.size == 1 else jnp.broadcast_to(value, shape).reshape(-1)


def _cpu_kernel(symbol: str, reference: Callable[..., tuple]) -> Callable[..., tuple]:
    """The FFI kernel ``symbol`` (``rows``: its parameter operands), batched by
    ``reference`` (which takes the current first)."""

    @jax.custom_batching.custom_vmap
    def kernel(rows, current, p, h, t_end, V, synapse, refractory, count, *states):
        shape = V.shape
        flat = lambda x: jnp.reshape(x, -1)  # noqa: E731
        last_offset, last_time, y0, offsets, weights = states
        state = (V, *synapse, refractory, count, last_offset, last_time, y0)
        args = (
            *rows,
            jnp.asarray(h, jnp.float64),
            jnp.asarray(t_end, jnp.float64),
            *map(flat, state),
            jnp.reshape(offsets, (V.size, offsets.shape[-1])),
            jnp.reshape(weights, (V.size, weights.shape[-1])),
            _row(current, shape),
        )
        f64 = jax.ShapeDtypeStruct((V.size,), jnp.float64)
        results = (
            f64,
            *(f64 for _ in synapse),
            jax.ShapeDtypeStruct((V.size,), jnp.bool_),
            jax.ShapeDtypeStruct((V.size,), jnp.int32),
            f64,
            f64,
            f64,
            f64,
            f64,
        )
        # the states are updated in place (V, synapse, refractory, count; the last
        # spike; y0 becomes the current)
        first, n = len(rows) + 2, len(synapse)
        aliases = {first + k: k for k in range(n + 3)}
        aliases.update({first + n + 3: n + 4, first + n + 4: n + 5, first + n + 5: n + 7})
        out = jax.ffi.ffi_call(symbol, results, input_output_aliases=aliases)(*args)
        out = [jnp.reshape(x, shape) for x in out]
        return (out[0], tuple(out[1 : 1 + n]), *out[1 + n :])

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, rows, *operands):
        in_axes = jax.tree_util.tree_map(lambda batched: 0 if batched else None, in_batched[1:])
        out = jax.vmap(reference, in_axes=tuple(in_axes))(*operands)
        return out, jax.tree_util.tree_map(lambda _: True, out)

    return kernel
