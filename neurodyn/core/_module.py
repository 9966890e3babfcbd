"""Modules: the building blocks of models, and the walk over a tree of them.

A :class:`Module` owns states and submodules as attributes. Its life cycle is
``init_state(batch_size)`` (create states), ``reset_state(batch_size)`` (set them
back to initial values) and ``update(...)`` (advance one time step; also what
calling the module does). :class:`Dynamics` adds a population shape and the
input channels other modules use to drive it: current inputs (summed into the
membrane equation) and delta inputs (added to a state after integration).
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ._errors import ParameterError
from ._params import ParamHolder, size_tuple
from ._state import State, count_new_state, uncounted_states

__all__ = ["Module", "Dynamics", "init_all_states", "reset_all_states"]


class Module(ParamHolder):
    """Base class of every model component.

    **Arguments:**

    - ``name``: an optional label.
    """

    def __init__(self, name: str | None = None):
        self.name = name or type(self).__name__

    def init_state(self, batch_size: int | None = None) -> None:
        """Create this module's own states (submodules are handled by the walk)."""

    def reset_state(self, batch_size: int | None = None) -> None:
        """Set this module's own states back to their initial values.

        The state objects keep their identity (monitors and closures holding them
        stay valid); only their values are replaced by fresh ``init_state`` values.
        """
        existing = {key: value for key, value in vars(self).items() if isinstance(value, State)}
        with uncounted_states():
            self.init_state(batch_size)
        for key, state in existing.items():
            fresh = getattr(self, key)
            if fresh is not state and isinstance(fresh, State):
                state._value = fresh._value
                setattr(self, key, state)
        if any(isinstance(v, State) and k not in existing for k, v in vars(self).items()):
            count_new_state()

    def check_health(self) -> None:
        """Raise :class:`SimulationError` if this module's states report a failure
        (called by :func:`neurodyn.run` after a run; default: nothing to check)."""

    def init_all_states(self, batch_size: int | None = None) -> Module:
        """Create the states of this module and all its submodules (see the function)."""
        return init_all_states(self, batch_size)

    def reset_all_states(self, batch_size: int | None = None) -> Module:
        """Reset the states of this module and all its submodules (see the function)."""
        return reset_all_states(self, batch_size)

    def __getattr__(self, name: str) -> Any:
        # Called only when ordinary lookup fails: say why a state is missing.
        if name in type(self).declared_params():
            raise AttributeError(f"{type(self).__name__}.{name} has not been set yet")
        if not name.startswith("__") and type(self).init_state is not Module.init_state:
            held = object.__getattribute__(self, "__dict__").values()
            if not any(isinstance(value, State) for value in held):
                raise AttributeError(
                    f"{type(self).__name__} has no attribute {name!r}: its states have not "
                    f"been created yet; call nd.init_all_states(model) first"
                )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def update(self, *args: Any, **kwargs: Any) -> Any:
        """Advance one time step."""
        raise NotImplementedError(f"{type(self).__name__}.update is not defined")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.update(*args, **kwargs)

    def children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules, with their attribute paths."""
        for key, value in vars(self).items():
            yield from _modules_in(key, value)

    def modules(self) -> Iterator[tuple[str, Module]]:
        """This module and all submodules, breadth first (parents before children), each once."""
        seen: set[int] = set()
        queue: deque[tuple[str, Module]] = deque([("", self)])
        while queue:
            path, module = queue.popleft()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            for key, child in module.children():
                queue.append((f"{path}.{key}" if path else key, child))

    def states(self, kind: type[State] = State) -> dict[str, State]:
        """All states of kind ``kind`` in this module tree, keyed by attribute path."""
        found: dict[str, State] = {}
        seen: set[int] = set()
        for path, module in self.modules():
            for key, value in vars(module).items():
                if isinstance(value, kind) and id(value) not in seen:
                    seen.add(id(value))
                    found[f"{path}.{key}" if path else key] = value
        return found

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _modules_in(key: str, value: Any) -> Iterator[tuple[str, Module]]:
    if isinstance(value, Module):
        yield key, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _modules_in(f"{key}[{index}]", item)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _modules_in(f"{key}[{name!r}]", item)


class Dynamics(Module):
    """A population with a shape, driven by current and delta inputs.

    **Arguments:**

    - ``in_size``: the population shape (int or tuple of ints).
    - ``name``: an optional label.

    Other modules (projections) register input functions with
    :meth:`add_current_input` / :meth:`add_delta_input`; the model sums them in its
    update with :meth:`sum_current_inputs` / :meth:`sum_delta_inputs`.
    """

    def __init__(self, in_size: Any, name: str | None = None):
        super().__init__(name)
        self.in_size = size_tuple("in_size", in_size)
        self._current_inputs: dict[str, Callable[..., Any]] = {}
        self._delta_inputs: dict[str, tuple[Callable[..., Any], str | None]] = {}

    @property
    def varshape(self) -> tuple[int, ...]:
        """The shape of one state variable (without a batch axis)."""
        return self.in_size

    @property
    def num(self) -> int:
        """The number of units in the population."""
        n = 1
        for size in self.in_size:
            n *= size
        return n

    def add_current_input(self, key: str, fn: Callable[..., Any]) -> None:
        """Register ``fn(V) -> current`` (or ``fn() -> current``, for a current that does
        not depend on the membrane potential) to be summed into the membrane current.

        ``fn`` is called at every evaluation of the membrane equation; a ``fn`` that
        reads a variable of the script (``lambda: I_gap``) sees its value at that time.
        """
        if key in self._current_inputs:
            raise ValueError(f"{self.name}: a current input named {key!r} exists already")
        if not callable(fn):
            raise ParameterError(
                f"{self.name}: current input {key!r} must be a function fn(V) or fn() "
                f"returning a current, got {type(fn).__name__} (wrap a value: lambda: value)"
            )
        self._current_inputs[key] = fn if _takes_one_argument(fn) else _ignoring_arguments(fn)

    def add_delta_input(self, key: str, fn: Callable[..., Any], label: str | None = None) -> None:
        """Register ``fn() -> jump`` to be added to the state after integration.

        ``label`` names the receiving port for models with several (e.g. a NEST
        model's receptor types); unlabelled inputs go to the default one.
        """
        if key in self._delta_inputs:
            raise ValueError(f"{self.name}: a delta input named {key!r} exists already")
        self._delta_inputs[key] = (fn, label)

    def sum_current_inputs(self, init: Any, *args: Any) -> Any:
        """``init`` plus every registered current input evaluated at ``*args``."""
        total = init
        for fn in self._current_inputs.values():
            total = total + fn(*args)
        return total

    def sum_delta_inputs(self, init: Any, label: str | None = None) -> Any:
        """``init`` plus every registered delta input with this ``label``."""
        total = init
        for jump in self.delta_inputs(label):
            total = total + jump
        return total

    def delta_inputs(self, label: str | None = None) -> list[Any]:
        """The current values of the registered delta inputs with this ``label``."""
        return [fn() for fn, fn_label in self._delta_inputs.values() if fn_label == label]

    def delta_input_labels(self) -> set[str | None]:
        """The labels of all registered delta inputs."""
        return {label for _, label in self._delta_inputs.values()}


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` can be called with one positional argument (builtins: assume so)."""
    try:
        inspect.signature(fn).bind(None)
    except TypeError:
        return False
    except ValueError:  # no signature to inspect
        return True
    return True


def _ignoring_arguments(fn: Callable[[], Any]) -> Callable[..., Any]:
    def current(*_: Any) -> Any:
        return fn()

    return current


def init_all_states(module: Module, batch_size: int | None = None) -> Module:
    """Call ``init_state`` on every module of the tree (children before parents).

    The tree's root gets a clock at step 0 (see :class:`~neurodyn.core.Clock`): a
    simulation of it starts at ``t = 0``.
    """
    from ._clock import clock_of

    clock_of(module)
    for _, child in reversed(list(module.modules())):
        child.init_state(batch_size)
    return module


def reset_all_states(module: Module, batch_size: int | None = None) -> Module:
    """Call ``reset_state`` on every module of the tree (children before parents),
    the root's clock included: the simulation starts over at ``t = 0``."""
    from ._clock import clock_of

    clock_of(module)
    for _, child in reversed(list(module.modules())):
        child.reset_state(batch_size)
    return module
