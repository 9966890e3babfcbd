"""Batching over examples: a model written for one example, run on a batch.

``jax.vmap`` maps a pure function over a leading axis; a model step reads and writes
:class:`State` objects instead. :func:`vmap` finds the states a function touches and
decides for each, from its kind, whether it is per example or shared:

- :class:`HiddenState` and :class:`ShortTermState` (membrane potentials, synaptic
  variables, the spikes of the last step) are per example: their values carry a leading
  batch axis, and the function sees one example's slice.
- :class:`ParamState` (weights) and plain :class:`State` (connectivity structure) are
  shared by all examples, as is a scalar state (a model's clock: the batch shares one
  time). Their gradients sum over the batch.
- The default random stream (:mod:`neurodyn.random`) is split: every example draws from
  a stream of its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from . import random as nd_random
from ._errors import ParameterError
from ._state import (
    HiddenState,
    ShortTermState,
    State,
    StateTrace,
    read_values,
    write_values,
)

__all__ = ["vmap"]

_PER_EXAMPLE, _SHARED, _RANDOM = "per example", "shared", "random"


def vmap(
    fn: Callable[..., Any],
    in_axes: int | None | tuple[int | None, ...] = 0,
    out_axes: Any = 0,
    batch_size: int | None = None,
) -> Callable[..., Any]:
    """Run ``fn``, written for one example, on a batch of examples.

    ``fn`` may read and write states. Per-example states (:class:`HiddenState`,
    :class:`ShortTermState` with at least one axis) carry a leading batch axis, and
    ``fn`` sees one example's slice; parameters (:class:`ParamState`), plain
    :class:`State` and scalar states (a model's clock step) are shared by the batch, so
    the gradient of a loss summed over the batch with respect to a parameter is the sum
    of the examples' gradients. Writing a different value per example into a shared
    state is an error. Each example draws random numbers from a stream of its own: the
    default stream (:mod:`neurodyn.random`) gives one key, ``jax.random.split`` of it
    gives one key per example, and the default stream afterwards continues from where
    that one key left it (so example ``b``'s draws are those of an unbatched run
    started from ``jax.random.split(nd.random.split_key(), batch_size)[b]``).

    Per-example states are created with their batch axis by
    ``nd.init_all_states(model, batch_size=B)`` (and set back by
    ``nd.reset_all_states(model, batch_size=B)``), outside ``fn``; ``fn`` must not
    create or reset states. ``vmap`` does not compile; compose it with
    :func:`neurodyn.jit`, :func:`neurodyn.for_loop` and :func:`neurodyn.grad` in any
    order (``nd.for_loop(nd.vmap(step), xs)`` batches each step,
    ``nd.vmap(lambda x: nd.for_loop(step, x))`` a whole run).

    **Arguments:**

    - ``fn``: a function of positional arguments (arrays, quantities or pytrees of
      them; an unmapped argument may be any object).
    - ``in_axes``: the batch axis of every argument (an int), ``None`` (not batched:
      passed to every example as it is), or a tuple with one of these per argument.
    - ``out_axes``: where the batch axis goes in the outputs (as in ``jax.vmap``).
    - ``batch_size``: the number of examples; needed when no argument is batched,
      otherwise it must equal the batched arguments' size.

    **Returns:** a function with ``fn``'s arguments, giving the outputs of all examples
    stacked along ``out_axes``; afterwards every per-example state holds each example's
    value.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> lif = nd.LIF(1, tau=10. * u.ms)  # one neuron, written for one example
    >>> _ = nd.init_all_states(lif, batch_size=3)
    >>> currents = jnp.array([[1.], [2.], [4.]]) * u.mA  # one current per example
    >>> spikes = nd.core.vmap(lif)(currents)
    >>> lif.V.value.shape
    (3, 1)
    >>> lif.V.value[:, 0].to_decimal(u.mV).round(5)  # R I (1 - exp(-dt / tau))
    Array([0.00995, 0.0199 , 0.0398 ], dtype=float32)
    """

    @functools.wraps(fn)
    def batched(*args: Any) -> Any:
        axes = _argument_axes(fn, in_axes, len(args))
        size = _batch_size(fn, args, axes, batch_size)
        states = _discover(fn, args, axes)
        roles = [_role(state) for state in states]
        per_example = [s for s, r in zip(states, roles, strict=True) if r == _PER_EXAMPLE]
        shared = [s for s, r in zip(states, roles, strict=True) if r == _SHARED]
        streams = [s for s, r in zip(states, roles, strict=True) if r == _RANDOM]
        for state in per_example:
            _check_batched(state, size)
        keys = nd_random.split(nd_random.split_key(), size) if streams else None
        originals = read_values(states)  # the random stream already advanced past ``keys``
        stream_keys = read_values(streams)
        mapped = [i for i, axis in enumerate(axes) if axis is not None]

        def one_example(per_values: list[Any], key: Any, mapped_args: list[Any]) -> Any:
            write_values(per_example, per_values)
            write_values(streams, [key] * len(streams))
            full = list(args)
            for i, value in zip(mapped, mapped_args, strict=True):
                full[i] = value
            out = fn(*full)
            return out, read_values(per_example), read_values(shared)

        def mapped_call(shared_axes: Any) -> Callable[..., Any]:
            return jax.vmap(
                one_example,
                in_axes=(0, 0, [axes[i] for i in mapped]),
                out_axes=(out_axes, 0, shared_axes),
                axis_size=size,
            )

        inputs = (read_values(per_example), keys, [args[i] for i in mapped])
        try:
            out, new_per_example, new_shared = mapped_call(None)(*inputs)
        except ValueError as error:
            try:
                _raise_if_shared_written(mapped_call, inputs, shared, error)
            finally:
                write_values(states, originals)
            raise
        except BaseException:
            write_values(states, originals)
            raise
        write_values(per_example, new_per_example)
        write_values(shared, new_shared)
        write_values(streams, stream_keys)
        return out

    return batched


def _role(state: State) -> str:
    """Whether ``state`` is per example, shared, or the default random stream's key."""
    if state is nd_random.DEFAULT.key:
        return _RANDOM
    if isinstance(state, (HiddenState, ShortTermState)):
        leaves = jax.tree_util.tree_leaves(state._value)
        if any(np.ndim(leaf) > 0 for leaf in leaves):
            return _PER_EXAMPLE
    return _SHARED


def _argument_axes(fn: Any, in_axes: Any, n_args: int) -> list[int | None]:
    """``in_axes`` as one entry per argument, each checked."""
    if isinstance(in_axes, (tuple, list)):
        if len(in_axes) != n_args:
            raise ParameterError(
                f"in_axes has {len(in_axes)} entries but {_name(fn)} got {n_args} arguments; "
                f"give one axis (or None) per argument"
            )
        axes = list(in_axes)
    else:
        axes = [in_axes] * n_args
    for index, axis in enumerate(axes):
        if axis is not None and (not isinstance(axis, (int, np.integer)) or isinstance(axis, bool)):
            raise ParameterError(
                f"in_axes for {_argument(fn, index)} must be an int or None, got {axis!r}"
            )
    return [None if axis is None else int(axis) for axis in axes]


def _batch_size(fn: Any, args: tuple, axes: list[int | None], batch_size: int | None) -> int:
    """The batch size all mapped arguments (and ``batch_size``, if given) agree on."""
    if batch_size is not None and (
        not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool)
        or batch_size < 1
    ):  # fmt: skip
        raise ParameterError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    size, source = batch_size, f"batch_size={batch_size}"
    for index, axis in enumerate(axes):
        if axis is None:
            continue
        for leaf in jax.tree_util.tree_leaves(args[index]):
            shape = np.shape(leaf)
            if not -len(shape) <= axis < len(shape):
                raise ParameterError(
                    f"{_argument(fn, index)} has shape {shape}, which has no axis {axis} "
                    f"to batch over (in_axes)"
                )
            if size is None:
                size, source = shape[axis], _argument(fn, index)
            elif shape[axis] != size:
                raise ParameterError(
                    f"{_argument(fn, index)} has size {shape[axis]} along its batch axis "
                    f"{axis}, but {source} gives a batch of {size}; all batched arguments "
                    f"must have the same batch size"
                )
    if size is None:
        raise ParameterError(
            f"vmap of {_name(fn)}: no argument is batched (in_axes all None), so give "
            f"batch_size, the number of examples"
        )
    return int(size)


def _check_batched(state: State, size: int) -> None:
    """Raise unless every leaf of the per-example ``state`` has a leading axis ``size``."""
    for leaf in jax.tree_util.tree_leaves(state._value):
        shape = np.shape(leaf)
        if not shape or shape[0] != size:
            label = state.name or "?"
            raise ParameterError(
                f"{type(state).__name__} {label!r} has shape {shape}: a per-example state "
                f"needs a leading batch axis of size {size}; create the model's states with "
                f"nd.init_all_states(model, batch_size={size})"
            )


def _discover(fn: Callable[..., Any], args: tuple, axes: list[int | None]) -> list[State]:
    """The states ``fn`` touches when called on one example, found by abstract tracing.

    States are found as they are touched; until a state is known it still holds its
    batched value, which one example's code may not accept. So a trace that fails is
    repeated, with the states found so far holding one example's slice, as long as it
    finds new states. No state changes.
    """
    found: list[State] = []
    values: dict[int, Any] = {}  # each state's value before the call
    mapped = [i for i, axis in enumerate(axes) if axis is not None]
    while True:

        def probe(mapped_args: list[Any]) -> None:
            for state in found:
                if _role(state) == _PER_EXAMPLE:
                    state._value = jax.tree_util.tree_map(lambda x: x[0], values[id(state)])
            one = list(args)  # unmapped arguments (any object) as they are
            for i, value in zip(mapped, mapped_args, strict=True):
                one[i] = jax.tree_util.tree_map(lambda x, axis=axes[i]: _take0(x, axis), value)
            fn(*one)

        error = None
        try:
            with StateTrace() as trace:
                jax.eval_shape(probe, [args[i] for i in mapped])
        except Exception as exc:  # a batched value met one example's code: retry
            error = exc
        new = [s for s in trace.states if id(s) not in values]
        for state in found:
            state._value = values[id(state)]
        for state in new:
            values[id(state)] = state._value
        found.extend(new)
        if error is None:
            return found
        if not new:
            raise error


def _take0(x: Any, axis: int) -> Any:
    """The first slice of ``x`` along ``axis``."""
    return x[(slice(None),) * (axis % np.ndim(x)) + (0,)]


def _raise_if_shared_written(
    mapped_call: Callable[[Any], Callable[..., Any]],
    inputs: tuple,
    shared: list[State],
    error: ValueError,
) -> None:
    """Raise :class:`ParameterError` naming the shared states that ``fn`` wrote with a
    different value per example, if that is what ``error`` was about: one abstract call
    per shared state, with only that state's output kept unbatched. The caller restores
    the states."""
    written = []
    for index, state in enumerate(shared):
        axes = [None if j == index else 0 for j in range(len(shared))]
        try:
            jax.eval_shape(mapped_call(axes), *inputs)
        except ValueError:
            written.append(state)
    if written:
        names = ", ".join(f"{type(s).__name__} {s.name or '?'!r}" for s in written)
        raise ParameterError(
            f"vmap: {names} is shared by all examples (a parameter, structure or clock), "
            f"but the function wrote a different value into it for each example"
        ) from error


def _argument(fn: Any, index: int) -> str:
    """``fn``'s positional argument ``index``, by name where the signature tells it."""
    try:
        names = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        names = []
    if index < len(names):
        return f"argument {names[index]!r} (position {index})"
    return f"argument {index}"


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)
