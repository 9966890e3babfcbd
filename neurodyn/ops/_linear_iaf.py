"""One step of NEST's current-based linear integrate-and-fire neurons (``iaf_psc_delta``,
``iaf_psc_exp``, ``iaf_psc_alpha``) as one compiled loop over the neurons."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from ._build import ffi_target

_KERNEL = "linear_iaf"
_MEMBRANE = ("E_L", "I_e", "P20", "P22", "theta", "y_reset", "steps", "held_above", "waits")
_EXP = ("P11_ex", "P11_in", "P21_ex", "P21_in")
#: Each kernel's parameter operands, in the order of ``*_ROWS`` in ``linear_iaf.c``:
#: voltages relative to ``E_L`` (mV), ``I_e`` (pA), the membrane's propagators ``P22``
#: (decay) and ``P20`` (constant current), ``steps`` (the refractory period in steps),
#: ``held_above`` (``V`` is held while more steps are left), ``waits`` (1: no spike
#: while refractory), ``y_min`` (the lower bound), and per receptor the current's decay
#: ``P11``, its effect on ``V`` ``P21`` (alpha: the slope's ``P31``), and for alpha
#: ``e / tau_syn`` and the step ``h``.
PARAMETERS = {
    "delta": (*_MEMBRANE, "y_min"),
    "exp": (*_MEMBRANE, *_EXP),
    "alpha": (*_MEMBRANE, "y_min", *_EXP, "P31_ex", "P31_in", "e_tau_ex", "e_tau_in", "h"),
}
#: The synaptic states of each kernel.
_SYNAPSES = {"delta": 0, "exp": 2, "alpha": 4}


def linear_iaf_step(
    model: str,
    reference: Callable[..., tuple],
    parameters: Mapping[str, Any],
    t_end: Any,
    stim: Any,
    inputs: tuple,
    states: tuple,
) -> tuple:
    """``reference(parameters, t_end, stim, inputs, states)``, one step of the linear
    integrate-and-fire neurons of kernel ``model`` (a key of :data:`PARAMETERS`),
    computed by a compiled CPU kernel where one is available.

    The kernel covers float64 populations; elsewhere (float32, other platforms, or with
    ``NEURODYN_DISABLE_KERNELS=1``) the plain-JAX ``reference`` runs, and under
    ``jax.vmap`` too. Derivatives are those of ``reference`` (its JVP is the rule).

    Parameters
    ----------
    model : str
        ``"delta"``, ``"exp"`` or ``"alpha"``.
    reference : callable
        The plain-JAX step: to ``((V, *synapse, count, last_spike_time, I_stim), spike)``.
    parameters : mapping
        At least the values named in ``PARAMETERS[model]``, each a scalar or of the
        population's shape.
    t_end : scalar
        The time at the end of the step (ms).
    stim : array
        The stimulation current to buffer for the next step (pA), broadcasting to the
        population's shape.
    inputs : tuple
        The step's spike inputs (delta: ``(w,)`` in mV; exp and alpha ``(w_ex, w_in)``
        in pA), each broadcasting to the population's shape.
    states : tuple
        ``(V, *synapse, count, last_spike_time, I_stim)``, each of the population's
        shape (``count`` int32): exp ``I_ex, I_in``; alpha ``I_ex, dI_ex, I_in, dI_in``.

    Returns
    -------
    tuple
        The reference's results.
    """
    V = states[0]
    symbol = f"neurodyn_linear_iaf_{model}"
    if V.dtype != jnp.float64 or ffi_target(_KERNEL, symbol) is None:
        return reference(parameters, t_end, stim, inputs, states)
    operands = jax.tree_util.tree_map(jnp.asarray, (dict(parameters), t_end, stim, inputs, states))
    return _step(model, symbol, reference)(*operands)


def _step(model: str, symbol: str, reference: Callable[..., tuple]) -> Callable[..., tuple]:
    """The kernel on CPU (the reference elsewhere), differentiated as the reference."""
    kernel = _cpu_kernel(model, symbol, reference)

    @jax.custom_jvp
    def step(parameters, t_end, stim, inputs, states):
        return jax.lax.platform_dependent(
            parameters, t_end, stim, inputs, states, cpu=kernel, default=reference
        )

    @step.defjvp
    def step_jvp(primals, tangents):
        return jax.jvp(reference, primals, tangents)

    return step


def _row(value: Any, shape: tuple[int, ...]) -> Any:
    """A value as a float64 operand of length 1 (shared) or one per neuron."""
    value = jnp.asarray(value, jnp.float64)
    return value.reshape(1) if value.size == 1 else jnp.broadcast_to(value, shape).reshape(-1)


def _cpu_kernel(model: str, symbol: str, reference: Callable[..., tuple]) -> Callable[..., tuple]:
    """The FFI kernel ``symbol``, batched by ``reference``."""

    @jax.custom_batching.custom_vmap
    def kernel(parameters, t_end, stim, inputs, states):
        shape, size = states[0].shape, states[0].size
        values = [jnp.asarray(parameters[name], jnp.float64) for name in PARAMETERS[model]]
        # one operand holds the shared parameters (each operand adds to the call's time)
        # and flags those given per neuron, which follow as operands of their own
        per_neuron = [value.size != 1 for value in values]
        shared = [jnp.nan if value.size != 1 else value.reshape(()) for value in values]
        table = jnp.stack([jnp.stack(shared), jnp.asarray(per_neuron, jnp.float64)])
        own = [_row(value, shape) for value in values if value.size != 1]
        args = (
            table,
            *own,
            jnp.asarray(t_end, jnp.float64).reshape(1),
            _row(stim, shape),
            *(_row(w, shape) for w in inputs),
            *(jnp.reshape(x, -1) for x in states),
        )
        f64 = jax.ShapeDtypeStruct((size,), jnp.float64)
        S = _SYNAPSES[model]
        results = (*(f64 for _ in range(1 + S)), jax.ShapeDtypeStruct((size,), jnp.int32),
                   f64, f64, f64)  # fmt: skip
        first = len(args) - len(states)  # the states are updated in place
        aliases = {first + k: k for k in range(len(states))}
        out = jax.ffi.ffi_call(symbol, results, input_output_aliases=aliases)(*args)
        out = [jnp.reshape(x, shape) for x in out]
        return tuple(out[:-1]), out[-1]

    @kernel.def_vmap
    def kernel_vmap(axis_size, in_batched, *operands):
        in_axes = jax.tree_util.tree_map(lambda batched: 0 if batched else None, in_batched)
        out = jax.vmap(reference, in_axes=tuple(in_axes))(*operands)
        return out, jax.tree_util.tree_map(lambda _: True, out)

    return kernel
