"""Physical units: the one place where neurodyn touches ``saiunit``.

Every other module imports units, quantities and unit-aware maths from here, so a
change of saiunit's API is absorbed in this file alone. Users may import this
module (``from neurodyn import units as u``) or saiunit itself; the objects are
the same.

>>> from neurodyn import units as u
>>> tau = 20. * u.ms
>>> u.to_float(tau, u.second)
0.02
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import saiunit as _su

Quantity = _su.Quantity
Unit = _su.Unit
math = _su.math
UnitMismatchError = _su.UnitMismatchError
DimensionMismatchError = _su.DimensionMismatchError

# Units used across the package and its examples.
second = _su.second
ms = _su.ms
us = _su.us
Hz = _su.Hz
kHz = _su.kHz
volt = _su.volt
mV = _su.mV
amp = _su.amp
nA = _su.nA
pA = _su.pA
uA = _su.uA
mA = _su.mA
siemens = _su.siemens
mS = _su.mS
uS = _su.uS
nS = _su.nS
farad = _su.farad
uF = _su.uF
nF = _su.nF
pF = _su.pF
ohm = _su.ohm
Mohm = _su.Mohm
Gohm = _su.Gohm
meter = _su.meter
cm = _su.cm
um = _su.um
mM = _su.mM
uM = _su.uM
molar = _su.molar
cm2 = _su.cm**2
um2 = _su.um**2

UNITLESS = _su.get_unit(1.0)


def get_unit(x: Any) -> Unit:
    """The unit of ``x`` (the unitless unit for plain numbers and arrays)."""
    return _su.get_unit(x)


def is_quantity(x: Any) -> bool:
    """True when ``x`` is a quantity (possibly dimensionless)."""
    return isinstance(x, Quantity)


def has_unit(x: Any) -> bool:
    """True when ``x`` is a quantity with a physical dimension."""
    return isinstance(x, Quantity) and not _su.get_unit(x).is_unitless


def same_dimension(x: Any, unit: Unit) -> bool:
    """True when ``x`` has the physical dimension of ``unit``."""
    return _su.get_dim(x) == _su.get_dim(unit)


def describe(x: Any) -> str:
    """A short human-readable rendering of a value for error messages."""
    unit = x.unit if isinstance(x, Quantity) else None
    mantissa = x.mantissa if isinstance(x, Quantity) else x
    if isinstance(mantissa, jax.core.Tracer):
        text = f"a traced array of shape {mantissa.shape}"
    else:
        mantissa = np.asarray(mantissa)
        text = f"{mantissa.item():g}" if mantissa.size == 1 else f"array{mantissa.shape}"
    if unit is None or unit.is_unitless:
        return f"{text} (no units)"
    return f"{text} {unit}"


def dimension_name(unit: Unit) -> str:
    """A name for the physical dimension of ``unit``, e.g. 'time' for ms."""
    for name, ref in _DIMENSION_NAMES:
        if _su.get_dim(unit) == _su.get_dim(ref):
            return name
    return f"dimension {_su.get_dim(unit)}"


_DIMENSION_NAMES = (
    ("time", second),
    ("voltage", volt),
    ("current", amp),
    ("conductance", siemens),
    ("capacitance", farad),
    ("resistance", ohm),
    ("frequency", Hz),
    ("concentration", molar),
    ("current density", amp / meter**2),
    ("conductance density", siemens / meter**2),
    ("capacitance density", farad / meter**2),
)


def to_float(x: Any, unit: Unit) -> Any:
    """The magnitude of ``x`` expressed in ``unit`` (a plain number or array)."""
    if unit.is_unitless and not isinstance(x, Quantity):
        return x
    return Quantity(x).to_decimal(unit) if not isinstance(x, Quantity) else x.to_decimal(unit)


def with_unit(magnitude: Any, unit: Unit) -> Any:
    """Attach ``unit`` to a plain magnitude (returns the magnitude when unitless)."""
    if unit.is_unitless:
        return magnitude
    return Quantity(magnitude, unit=unit)


def magnitude(x: Any) -> Any:
    """The mantissa of ``x`` in its own unit (plain values pass through)."""
    return x.mantissa if isinstance(x, Quantity) else x
