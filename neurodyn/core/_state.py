"""State containers: the mutable values a model carries from one step to the next.

A state holds a pytree value (arrays or quantities). Compiled transforms
(:func:`neurodyn.for_loop`, :func:`neurodyn.run`) find the states a function
touches by tracing it once with a :class:`StateTrace` active, then thread those
states' values through the compiled program explicitly.

Three kinds say what a value is for:

- :class:`HiddenState`: a dynamical variable (membrane potential, conductance).
- :class:`ShortTermState`: a per-step transient (the spikes of the last step).
- :class:`ParamState`: a trainable parameter (synaptic weights).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ._errors import ParameterError

_trace_stack: list[StateTrace] = []
_states_created = 0  # bumped by every new State; lets compiled wrappers notice new states
_counting = True


class State:
    """A named, mutable pytree value.

    **Arguments:**

    - ``value``: the initial value (array, quantity or pytree of them).
    - ``name``: an optional label used in error messages.
    """

    __slots__ = ("_value", "name")

    def __init__(self, value: Any, name: str | None = None):
        global _states_created
        _states_created += _counting
        self._value = value
        self.name = name

    @property
    def value(self) -> Any:
        if _trace_stack:
            _trace_stack[-1].record(self)
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        new = _compatible(self, new)
        if _trace_stack:
            _trace_stack[-1].record(self)
        self._value = new

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"{type(self).__name__}{label}({self._value!r})"


class HiddenState(State):
    """A dynamical variable of a model (e.g. membrane potential ``V``)."""

    __slots__ = ()


class ShortTermState(State):
    """A per-step transient of a model (e.g. the spikes emitted this step)."""

    __slots__ = ()


class ParamState(State):
    """A trainable parameter (e.g. synaptic weights)."""

    __slots__ = ()


def _compatible(state: State, new: Any) -> Any:
    """``new`` as the state's next value: assignments that change a state's units or
    tree structure are refused; a leaf that broadcasts to the state's shape without
    having it (``neuron.V.value = -50 * u.mV``) is broadcast, so the state keeps its
    shape."""
    old = state._value
    old_leaves, old_tree = jax.tree_util.tree_flatten(old, is_leaf=u.is_quantity)
    new_leaves, new_tree = jax.tree_util.tree_flatten(new, is_leaf=u.is_quantity)
    label = state.name or type(state).__name__
    if old_tree != new_tree:
        raise ParameterError(
            f"state {label}: new value has structure {new_tree}, expected {old_tree}"
        )
    broadcast = False
    for index, (old_leaf, new_leaf) in enumerate(zip(old_leaves, new_leaves, strict=True)):
        if u.get_unit(old_leaf).dim != u.get_unit(new_leaf).dim:
            raise ParameterError(
                f"state {label}: cannot assign a value in {u.get_unit(new_leaf)} "
                f"to a state in {u.get_unit(old_leaf)}"
            )
        old_shape, new_shape = jnp.shape(u.magnitude(old_leaf)), jnp.shape(u.magnitude(new_leaf))
        if new_shape != old_shape and _broadcasts(new_shape, old_shape):
            new_leaves[index] = u.math.broadcast_to(new_leaf, old_shape)
            broadcast = True
    return jax.tree_util.tree_unflatten(new_tree, new_leaves) if broadcast else new


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to ``target`` (not to an empty one: a state that
    grows along an empty axis, as NMDA ports are added, takes the new shape)."""
    if 0 in target:
        return False
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


class StateTrace:
    """Records, in first-use order, every state read or written while active.

    On exit the original values of all recorded states are restored, so tracing
    a function (with abstract or concrete values) leaves the model untouched.
    """

    def __init__(self) -> None:
        self.states: list[State] = []
        self._seen: set[int] = set()
        self._originals: list[Any] = []

    def record(self, state: State) -> None:
        if id(state) not in self._seen:
            self._seen.add(id(state))
            self.states.append(state)
            self._originals.append(state._value)

    def __enter__(self) -> StateTrace:
        _trace_stack.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _trace_stack.pop()
        for state, original in zip(self.states, self._originals, strict=True):
            state._value = original
        # Let an enclosing trace see the states this one found.
        if _trace_stack:
            for state, original in zip(self.states, self._originals, strict=True):
                outer = _trace_stack[-1]
                if id(state) not in outer._seen:
                    outer._seen.add(id(state))
                    outer.states.append(state)
                    outer._originals.append(original)


def discover_states(fn: Any, *args: Any) -> tuple[list[State], list[Any]]:
    """The states ``fn(*args)`` reads or writes, found by abstract tracing, and the
    abstract values (shapes, dtypes) they hold after the call. No state changes."""
    with StateTrace() as trace:

        def probe(*args: Any) -> list[Any]:
            fn(*args)
            return read_values(trace.states)

        after = jax.eval_shape(probe, *args)
    return trace.states, after


def states_created() -> int:
    """How many states have been created so far (a cheap staleness check for caches)."""
    return _states_created


@contextlib.contextmanager
def uncounted_states() -> Iterator[None]:
    """States created inside are not counted: for a reset, which keeps the old objects."""
    global _counting
    previous, _counting = _counting, False
    try:
        yield
    finally:
        _counting = previous


def count_new_state() -> None:
    """Count a state that an uncounted block really added."""
    global _states_created
    _states_created += 1


def read_values(states: list[State]) -> list[Any]:
    """The current values of ``states`` (without recording)."""
    return [s._value for s in states]


def write_values(states: list[State], values: list[Any]) -> None:
    """Assign ``values`` to ``states`` (without recording or checks)."""
    for state, value in zip(states, values, strict=True):
        state._value = value
