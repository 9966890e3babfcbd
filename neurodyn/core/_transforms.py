"""Compiled and differentiated functions over stateful models.

``jax.jit`` and ``jax.grad`` transform pure functions; a model step reads and
writes :class:`State` objects instead. :func:`jit` and :func:`grad` bridge the
two: they find the states a function touches (by tracing it once), pass their
values in and out of the JAX transform explicitly, and write the new values back
afterwards, so the states never hold tracers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from .. import units as u
from ._errors import ParameterError
from ._params import parameters_version
from ._state import State, discover_states, read_values, states_created, write_values

__all__ = ["jit", "grad"]


def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``fn``, threading the states it reads or writes.

    The states are found on the first call for each input signature and cached;
    a call after new states were created (e.g. by ``init_all_states``) finds them
    again, and one after a model parameter was set compiles anew (parameters are
    constants of the compiled program). Use this, not ``jax.jit``, on functions that touch states.

    **Arguments:**

    - ``fn``: any function of arrays/quantities that may read and write states.

    **Returns:** a function with the same signature and effects, compiled.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> total = nd.ShortTermState(jnp.zeros(()))
    >>> @nd.jit
    ... def add(x):
    ...     total.value = total.value + x
    ...     return total.value
    >>> add(2.0), add(3.0)
    (Array(2., dtype=float32), Array(5., dtype=float32))
    """
    cache: dict[Any, tuple[tuple[int, int], list[State], Callable[..., Any]]] = {}

    @functools.wraps(fn)
    def compiled(*args: Any) -> Any:
        key = _signature(args)
        entry = cache.get(key)
        version = (states_created(), parameters_version())
        if entry is None or entry[0] != version:
            states, _ = discover_states(fn, *args)

            def pure(values: list[Any], *args: Any) -> tuple[Any, list[Any]]:
                write_values(states, values)
                out = fn(*args)
                return out, read_values(states)

            entry = (version, states, jax.jit(pure))
            cache[key] = entry
        _, states, pure_jit = entry
        originals = read_values(states)
        try:
            out, new_values = pure_jit(originals, *args)
        except BaseException:
            write_values(states, originals)
            raise
        write_values(states, new_values)
        return out

    return compiled


def grad(
    fn: Callable[..., Any],
    grad_states: State | list[State] | tuple[State, ...] | dict[str, State],
    has_aux: bool = False,
    return_value: bool = False,
) -> Callable[..., Any]:
    """The gradient of the scalar ``fn(*args)`` with respect to the values of states.

    Every state ``fn`` touches is threaded through the differentiated call, and
    afterwards holds the value one call of ``fn`` leaves it (as if ``fn`` had run).
    A gradient carries the unit ``unit(loss) / unit(state)``.

    **Arguments:**

    - ``fn``: a function returning a scalar loss (or ``(loss, aux)`` with ``has_aux``).
    - ``grad_states``: a state, or a list, tuple or dict of states, to differentiate by.
    - ``has_aux``: ``fn`` returns ``(loss, aux)``.
    - ``return_value``: also return the loss.

    **Returns:** a function of ``fn``'s arguments giving the gradients in the structure
    of ``grad_states``; then ``loss`` if ``return_value`` and ``aux`` if ``has_aux``, as
    ``(grads, loss, aux)``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> w = nd.ParamState(jnp.array([1.0, 2.0]))
    >>> nd.grad(lambda x: jnp.sum(w.value**2 * x), w)(3.0)
    Array([ 6., 12.], dtype=float32)
    """
    targets, rebuild = _flatten_targets(grad_states)

    def differentiated(*args: Any) -> Any:
        found, _ = discover_states(fn, *args)
        target_ids = {id(s) for s in targets}
        others = [s for s in found if id(s) not in target_ids]
        values = read_values(targets)
        leaves_per_target = [jax.tree_util.tree_flatten(v, is_leaf=u.is_quantity) for v in values]
        units = [[u.get_unit(leaf) for leaf in leaves] for leaves, _ in leaves_per_target]
        magnitudes = [
            [u.to_float(leaf, unit) for leaf, unit in zip(leaves, us, strict=True)]
            for (leaves, _), us in zip(leaves_per_target, units, strict=True)
        ]
        loss_unit: list[u.Unit] = []

        def pure(mags: list[list[Any]], other_values: list[Any]) -> Any:
            write_values(
                targets,
                [
                    jax.tree_util.tree_unflatten(
                        tree, [u.with_unit(m, unit) for m, unit in zip(ms, us, strict=True)]
                    )
                    for ms, us, (_, tree) in zip(mags, units, leaves_per_target, strict=True)
                ],
            )
            write_values(others, other_values)
            out = fn(*args)
            loss, aux = out if has_aux else (out, None)
            loss_unit.append(u.get_unit(loss))
            loss_value = u.to_float(loss, loss_unit[-1])
            if np.shape(loss_value) != ():
                raise ParameterError(
                    f"grad needs fn to return a scalar loss, got shape {np.shape(loss_value)}"
                )
            return loss_value, (loss, aux, read_values(targets), read_values(others))

        originals = read_values(targets), read_values(others)
        try:
            grads, (loss, aux, new_targets, new_others) = jax.grad(pure, has_aux=True)(
                magnitudes, originals[1]
            )
        except BaseException:
            write_values(targets, originals[0])
            write_values(others, originals[1])
            raise
        write_values(targets, new_targets)
        write_values(others, new_others)
        per_target = [
            jax.tree_util.tree_unflatten(
                tree,
                [u.with_unit(g, loss_unit[-1] / unit) for g, unit in zip(gs, us, strict=True)],
            )
            for gs, us, (_, tree) in zip(grads, units, leaves_per_target, strict=True)
        ]
        result = rebuild(per_target)
        if not (return_value or has_aux):
            return result
        extra = ((loss,) if return_value else ()) + ((aux,) if has_aux else ())
        return (result, *extra)

    return differentiated


def _flatten_targets(grad_states: Any) -> tuple[list[State], Callable[[list[Any]], Any]]:
    """The states to differentiate by, and a function giving results their structure."""
    if isinstance(grad_states, State):
        return [grad_states], lambda results: results[0]
    if isinstance(grad_states, dict):
        keys = list(grad_states)
        states = [grad_states[k] for k in keys]
        rebuild = lambda results: dict(zip(keys, results, strict=True))  # noqa: E731
    elif isinstance(grad_states, (list, tuple)):
        states = list(grad_states)
        rebuild = lambda results: type(grad_states)(results)  # noqa: E731
    else:
        raise ParameterError(
            f"grad_states must be a State or a list, tuple or dict of States, "
            f"got {type(grad_states).__name__}"
        )
    bad = [type(s).__name__ for s in states if not isinstance(s, State)]
    if bad:
        raise ParameterError(f"grad_states must all be States, got {bad}")
    return states, rebuild


def _signature(args: Any) -> Any:
    """A hashable description of the arguments' structure, shapes and dtypes."""
    leaves, tree = jax.tree_util.tree_flatten(args, is_leaf=u.is_quantity)
    described = []
    for leaf in leaves:
        mantissa = u.magnitude(leaf)
        unit = str(u.get_unit(leaf))
        if hasattr(mantissa, "shape") and hasattr(mantissa, "dtype"):
            described.append((tuple(mantissa.shape), str(mantissa.dtype), unit))
        else:
            described.append((type(mantissa).__name__, unit))
    return tree, tuple(described)
