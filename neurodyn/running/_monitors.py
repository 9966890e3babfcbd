"""Monitors: what a run records, for which neurons, and how often."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._state import ShortTermState, State


class Monitor:
    """Records a value every ``every`` steps of a run, optionally for some neurons only.

    **Arguments:**

    - ``target``: a :class:`State`, an attribute path from the model (``"N.V"``),
      or a function of no arguments returning an array or quantity.
    - ``indices``: neurons to keep (indices along the last axis); default all.
    - ``every``: record every ``every``-th step (the last step of each block).

    Only ``n_steps // every`` records are held in memory, in a state that the
    compiled loop carries.
    """

    def __init__(self, target: Any, indices: Any = None, every: int = 1):
        if not isinstance(every, (int, np.integer)) or every <= 0:
            raise ParameterError(f"every must be a positive whole number of steps, got {every}")
        self.target = target
        self.indices = None if indices is None else _index_array(indices)
        self.every = int(every)
        self.unit = u.UNITLESS
        self.buffer: ShortTermState | None = None

    def bind(self, model: Module, n_steps: int) -> None:
        """Resolve the target against ``model`` and allocate the record buffer."""
        if self.every > n_steps:
            raise ParameterError(
                f"monitor every={self.every} steps is longer than the run ({n_steps} steps)"
            )
        self._read = _reader(self.target, model)
        if self.indices is not None:
            size = jax.eval_shape(lambda: jnp.asarray(u.magnitude(self._read()))).shape[-1]
            if bool((self.indices < 0).any() | (self.indices >= size).any()):
                raise ParameterError(
                    f"monitor indices must lie in [0, {size}), got {np.asarray(self.indices)}"
                )
        sample = jax.eval_shape(self._select)
        n_records = n_steps // self.every
        self.buffer = ShortTermState(
            jnp.zeros((n_records, *sample.shape), sample.dtype), name="monitor"
        )

    def _select(self) -> Any:
        value = self._read()
        self.unit = u.get_unit(value)
        value = jnp.asarray(u.magnitude(value))
        return value if self.indices is None else value[..., self.indices]

    def record(self, step: Any) -> None:
        """Store the current value if ``step`` ends a block of ``every`` steps."""
        buffer = self.buffer.value
        slot = step // self.every
        value = self._select().astype(buffer.dtype)
        if self.every > 1:
            old = jax.lax.dynamic_index_in_dim(buffer, slot, keepdims=False)
            value = jnp.where((step + 1) % self.every == 0, value, old)
        self.buffer.value = jax.lax.dynamic_update_index_in_dim(buffer, value, slot, 0)

    def result(self) -> Any:
        """The records, shape ``(n_records, ...)``, with units."""
        return u.with_unit(self.buffer.value, self.unit)


def _index_array(indices: Any) -> jnp.ndarray:
    """Monitor indices as int32, refusing anything but whole numbers."""
    array = np.asarray(indices)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ParameterError(
            f"monitor indices must be whole numbers (neuron indices), got {indices!r}"
        )
    if array.ndim != 1:
        raise ParameterError(f"monitor indices must be a list of indices, got shape {array.shape}")
    return jnp.asarray(array, jnp.int32)


def _reader(target: Any, model: Module) -> Callable[[], Any]:
    if isinstance(target, State):
        return lambda: target.value
    if isinstance(target, str):
        obj: Any = model
        for part in target.split("."):
            if not hasattr(obj, part):
                raise ParameterError(
                    f"monitor target {target!r}: {type(obj).__name__} has no attribute {part!r}"
                )
            obj = getattr(obj, part)
        if isinstance(obj, State):
            return lambda: obj.value
        if callable(obj):
            return obj
        raise ParameterError(f"monitor target {target!r} is neither a state nor callable")
    if callable(target):
        return target
    raise ParameterError(f"cannot monitor {target!r}: give a State, a path or a function")
