"""The compiled time loop: one XLA program for a whole run.

:func:`for_loop` traces the step function once to find the states it touches,
then runs it under ``jax.lax.scan`` with those states' values as the loop carry,
so nothing returns to Python between steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ._clock import Clock, clock_of, tick
from ._progress import ProgressBar
from ._state import discover_states, read_values, write_values

__all__ = ["for_loop", "scan_states"]


def for_loop(
    step_fn: Callable[..., Any],
    *xs: Any,
    length: int | None = None,
    progress_bar: bool | ProgressBar = False,
    clock: Any = None,
) -> Any:
    """Call ``step_fn(*x)`` for each slice ``x`` of ``xs`` along their first axis.

    Every state ``step_fn`` reads or writes is carried through the loop, and holds
    its final value afterwards. The outputs of all steps are stacked. The loop is
    compiled as it is; to compile or differentiate a function around it, use
    :func:`neurodyn.jit` / :func:`neurodyn.grad`, which thread the states (plain
    ``jax.jit`` would leave them holding tracers).

    **Arguments:**

    - ``step_fn``: the function of one step.
    - ``xs``: arrays or quantities with a leading time axis (may be empty).
    - ``length``: the number of steps, required when ``xs`` is empty.
    - ``progress_bar``: ``True`` or a :class:`ProgressBar` to show progress.
    - ``clock``: a model (or its :class:`~neurodyn.core.Clock`) whose time the loop
      continues: each call runs with ``t`` and ``i`` of the model's next step set,
      as in :func:`neurodyn.run`, and the clock advances by the number of steps.

    **Returns:** the stacked outputs of ``step_fn``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> total = nd.ShortTermState(jnp.zeros(()))
    >>> def step(x):
    ...     total.value = total.value + x
    ...     return total.value
    >>> nd.for_loop(step, jnp.arange(4.))
    Array([0., 1., 3., 6.], dtype=float32)
    """

    if clock is None:

        def body(x: Any) -> Any:
            return step_fn(*x)

    else:
        owner = clock
        clock = clock if isinstance(clock, Clock) else clock_of(clock)
        clock.check_settings(getattr(owner, "name", "model"))

        def body(x: Any) -> Any:
            return tick(clock, step_fn, *x)

    return scan_states(body, xs, length=length, progress_bar=progress_bar)


def scan_states(
    body: Callable[[Any], Any],
    xs: Any,
    *,
    length: int | None = None,
    progress_bar: bool | ProgressBar = False,
) -> Any:
    """Scan ``body`` over ``xs`` threading every state it touches; returns the stacked outputs."""
    length = _loop_length(xs, length)
    first = jax.tree_util.tree_map(lambda x: x[0], xs)
    states, new_avals = discover_states(body, first)
    init = [_cast_like(v, a) for v, a in zip(read_values(states), new_avals, strict=True)]

    def step(carry: list[Any], x: Any) -> tuple[list[Any], Any]:
        write_values(states, carry)
        y = body(x)
        new = [_match_unit(n, c) for n, c in zip(read_values(states), carry, strict=True)]
        return new, y

    bar = ProgressBar() if progress_bar is True else (progress_bar or None)
    originals = read_values(states)
    try:
        final, ys = _scan(step, init, xs, length, bar)
    except BaseException:
        write_values(states, originals)
        raise
    write_values(states, final)
    return ys


def repeat_states(count: Any, body: Callable[[Any], None]) -> None:
    """``for c in range(count): body(c)`` with a traced ``count``, threading every
    state ``body`` touches (a ``while_loop``: its length is data, not a constant)."""
    states, avals = discover_states(body, jnp.zeros((), jnp.int32))
    originals = read_values(states)
    init = [_cast_like(v, a) for v, a in zip(originals, avals, strict=True)]

    def step(carry: tuple[Any, list[Any]]) -> tuple[Any, list[Any]]:
        c, values = carry
        write_values(states, values)
        body(c)
        new = [_match_unit(n, v) for n, v in zip(read_values(states), values, strict=True)]
        return c + 1, new

    start = (jnp.zeros((), jnp.int32), init)
    try:
        _, final = jax.lax.while_loop(lambda carry: carry[0] < count, step, start)
    except BaseException:
        write_values(states, originals)
        raise
    write_values(states, final)


def _loop_length(xs: Any, length: int | None) -> int:
    leaves = jax.tree_util.tree_leaves(xs)
    if leaves:
        n = leaves[0].shape[0]
        if any(leaf.shape[0] != n for leaf in leaves):
            raise ValueError("all loop inputs must have the same leading (time) length")
        if length is not None and length != n:
            raise ValueError(f"length={length} does not match the inputs' length {n}")
        return int(n)
    if length is None:
        raise ValueError("for_loop needs inputs with a time axis or an explicit length")
    return int(length)


def _cast_like(value: Any, aval: Any) -> Any:
    """Give an initial carry value the dtype its updated value will have (units kept)."""
    leaves, tree = jax.tree_util.tree_flatten(value, is_leaf=u.is_quantity)
    avals = jax.tree_util.tree_leaves(aval, is_leaf=u.is_quantity)
    cast = []
    for leaf, new in zip(leaves, avals, strict=True):
        dtype = u.magnitude(new).dtype
        if u.is_quantity(leaf):
            cast.append(u.Quantity(jnp.asarray(leaf.mantissa, dtype), unit=leaf.unit))
        else:
            cast.append(jnp.asarray(leaf, dtype))
    return jax.tree_util.tree_unflatten(tree, cast)


def _match_unit(new: Any, old: Any) -> Any:
    """Express ``new`` in the units of ``old`` so the loop carry keeps its structure."""
    if isinstance(old, u.Quantity) and isinstance(new, u.Quantity):
        return new.in_unit(old.unit)
    return new


def _scan(step: Callable, init: Any, xs: Any, length: int, bar: ProgressBar | None) -> Any:
    if bar is None:
        return jax.lax.scan(step, init, xs, length=length)
    chunk = bar.chunk_size(length)
    n_chunks, rest = divmod(length, chunk)

    def chunked(x: Any) -> Any:
        return jax.tree_util.tree_map(
            lambda a: a[: n_chunks * chunk].reshape(n_chunks, chunk, *a.shape[1:]), x
        )

    def outer(carry: Any, x_chunk: Any) -> Any:
        carry, ys = jax.lax.scan(step, carry, x_chunk, length=chunk)
        bar.advance(chunk)
        return carry, ys

    bar.expect(length)
    carry, ys = jax.lax.scan(outer, init, chunked(xs), length=n_chunks)
    ys = jax.tree_util.tree_map(lambda a: a.reshape(n_chunks * chunk, *a.shape[2:]), ys)
    if rest:
        tail = jax.tree_util.tree_map(lambda a: a[n_chunks * chunk :], xs)
        carry, ys_tail = jax.lax.scan(step, carry, tail, length=rest)
        bar.advance(rest)
        ys = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a, b]), ys, ys_tail)
    return carry, ys
