"""An ODE system seen in plain magnitudes, so integrators need not handle units.

The user's vector field works with quantities: ``f(y, t, *args) -> dy/dt`` for a
pytree ``y`` of quantities. :class:`MagnitudeSystem` expresses every state in its
own unit and every derivative in (state unit) / (time unit), and checks each
derivative's dimension once, at trace time, with an error naming the variable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from .. import units as u
from ..core._errors import ParameterError


class MagnitudeSystem:
    """``f`` and ``y`` with units stripped.

    **Arguments:**

    - ``f``: the vector field, ``f(y, t, *args) -> dy/dt`` (same pytree as ``y``).
    - ``y``: the state, a quantity or a pytree of quantities/arrays.
    - ``t``, ``dt``: time and step, time quantities.
    - ``args``: extra arguments passed to ``f`` unchanged.
    """

    def __init__(self, f: Callable[..., Any], y: Any, t: Any, dt: Any, args: tuple):
        leaves, self.tree = jax.tree_util.tree_flatten(y, is_leaf=u.is_quantity)
        self.units = [u.get_unit(leaf) for leaf in leaves]
        self.time_unit = u.ms
        self.y0 = [u.to_float(leaf, unit) for leaf, unit in zip(leaves, self.units, strict=True)]
        self.t = u.to_float(t, self.time_unit)
        self.dt = u.to_float(dt, self.time_unit)
        self._f, self._args = f, args

    def rhs(self, ys: list[Any], t: Any) -> list[Any]:
        """The derivatives, in (state unit) per ms, at magnitudes ``ys`` and time ``t`` (ms)."""
        y = self.unflatten(ys)
        dy = self._f(y, u.with_unit(t, self.time_unit), *self._args)
        leaves, tree = jax.tree_util.tree_flatten(dy, is_leaf=u.is_quantity)
        if tree != self.tree:
            raise ParameterError(
                f"the vector field returned {tree}, but the state has structure {self.tree}"
            )
        out = []
        for index, (leaf, unit) in enumerate(zip(leaves, self.units, strict=True)):
            expected = unit / self.time_unit
            if u.get_unit(leaf).dim != expected.dim:
                raise ParameterError(
                    f"derivative of state variable {index} has units {u.get_unit(leaf)}, "
                    f"expected {unit}/ms"
                )
            out.append(u.to_float(leaf, expected))
        return out

    def unflatten(self, ys: list[Any]) -> Any:
        """Magnitudes back to the user's pytree of quantities."""
        leaves = [u.with_unit(m, unit) for m, unit in zip(ys, self.units, strict=True)]
        return jax.tree_util.tree_unflatten(self.tree, leaves)
