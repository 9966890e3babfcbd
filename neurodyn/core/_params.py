"""Checked model parameters: units, sign, ordering and shape, with clear errors.

Model constructors pass every parameter through :func:`parameter` before storing
it, so a wrong unit, a negative time constant or a shape that does not broadcast
to the population fails at construction with a message naming the parameter.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ._errors import ParameterError


def parameter(
    name: str,
    value: Any,
    unit: u.Unit = u.UNITLESS,
    *,
    shape: tuple[int, ...] = (),
    positive: bool = False,
    nonnegative: bool = False,
    bounds: tuple[float, float] | None = None,
) -> Any:
    """Validate one parameter and return it as a quantity (or array if unitless).

    **Arguments:**

    - ``name``: the parameter's name, used in error messages.
    - ``value``: a number, array or quantity.
    - ``unit``: a unit of the required physical dimension (unitless by default).
    - ``shape``: the population shape the value must broadcast to.
    - ``positive`` / ``nonnegative``: sign rules.
    - ``bounds``: inclusive ``(low, high)`` rule for unitless values, e.g. fractions.

    **Returns:** the value as given (a quantity keeps its own unit).
    """
    if callable(value):
        raise ParameterError(f"{name} must be a value, not a callable ({value!r})")
    unitless = unit.is_unitless
    if unitless and u.has_unit(value):
        raise ParameterError(f"{name} must be dimensionless, got {u.describe(value)}")
    if not unitless and not (u.has_unit(value) and u.same_dimension(value, unit)):
        raise ParameterError(
            f"{name} must be a {u.dimension_name(unit)} quantity (e.g. 1.0 * u.{unit}), "
            f"got {u.describe(value)}"
        )
    magnitude = np.asarray(u.to_float(value, unit) if not unitless else u.magnitude(value))
    if not np.issubdtype(magnitude.dtype, np.number) and magnitude.dtype != bool:
        raise ParameterError(f"{name} must be numeric, got {value!r}")
    try:
        np.broadcast_shapes(magnitude.shape, tuple(shape))
    except ValueError:
        raise ParameterError(
            f"{name} has shape {magnitude.shape}, which does not broadcast to the "
            f"population shape {tuple(shape)}"
        ) from None
    if np.isnan(magnitude).any():
        raise ParameterError(f"{name} must not be NaN, got {u.describe(value)}")
    zero = f"0 {unit}" if not unitless else "0"
    if positive and (magnitude <= 0).any():
        raise ParameterError(f"{name} must be > {zero}, got {u.describe(value)}")
    if nonnegative and (magnitude < 0).any():
        raise ParameterError(f"{name} must be >= {zero}, got {u.describe(value)}")
    if bounds is not None and ((magnitude < bounds[0]) | (magnitude > bounds[1])).any():
        raise ParameterError(
            f"{name} must lie in [{bounds[0]}, {bounds[1]}], got {u.describe(value)}"
        )
    if unitless and not isinstance(value, u.Quantity):
        return jnp.asarray(value)
    return value


def require_less(name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Raise unless ``a < b`` everywhere (e.g. ``V_reset < V_th``)."""
    unit = u.get_unit(a)
    a_val = np.asarray(u.to_float(a, unit))
    b_val = np.asarray(u.to_float(b, unit))
    if not (a_val < b_val).all():
        raise ParameterError(
            f"{name_a} must be < {name_b}, got {name_a}={u.describe(a)}, {name_b}={u.describe(b)}"
        )


def size_tuple(name: str, size: Any) -> tuple[int, ...]:
    """Normalise a population size (int or tuple of ints) to a shape tuple."""
    shape = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    if not shape or any(not isinstance(n, (int, np.integer)) or n <= 0 for n in shape):
        raise ParameterError(f"{name} must be a positive int or tuple of ints, got {size!r}")
    return tuple(int(n) for n in shape)
