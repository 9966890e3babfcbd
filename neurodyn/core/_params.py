"""Model parameters declared as data and checked whenever they are set.

A model declares each parameter once, on the class, as a :class:`Param`: its unit,
sign rule, bounds and whether infinity is meaningful. Orderings between parameters
(``V_reset < V_th``) are declared in the class attribute ``ORDERED``. Setting a
parameter, in the constructor or afterwards (``lif.tau = 10 * u.ms``), goes through
:meth:`ParamHolder.set`: every rule is checked before anything changes, so a model
never holds a value its constructor would have refused.

>>> import neurodyn as nd
>>> from neurodyn import units as u
>>> lif = nd.LIF(3)
>>> lif.tau = -2.5 * u.ms
Traceback (most recent call last):
...
neurodyn.core._errors.ParameterError: LIF.tau must be > 0 ms, got -2.5 ms
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ._errors import ParameterError

#: Unit rule of a parameter that may carry any unit (its unit sets the model's, e.g. ``g_max``).
ANY_UNIT = None

_version = 0  # bumped by every parameter change; compiled programs built earlier are stale


def parameters_version() -> int:
    """How many times parameters have been set (a cheap staleness check for caches)."""
    return _version


class Param:
    """One declared model parameter, checked whenever it is set.

    **Arguments:**

    - ``unit``: a unit of the required dimension; ``u.UNITLESS`` for plain numbers;
      :data:`ANY_UNIT` for a value whose unit the user chooses.
    - ``positive`` / ``nonnegative``: sign rules (time constants, conductances, rates).
    - ``bounds``: inclusive ``(low, high)``, in ``unit`` (e.g. ``(0, 1)`` for fractions).
    - ``allow_inf``: infinity is meaningful for this parameter (e.g. ``V_min = -inf``:
      no lower bound). NaN is never accepted.
    - ``optional``: ``None`` is accepted and means "absent" (e.g. no noise).
    - ``per_neuron``: the value is a scalar or an array that broadcasts to the
      population shape *exactly* (its shape is not widened by the broadcast);
      otherwise it must be a scalar.
    - ``flag``: a switch, ``True`` or ``False`` (no other value, no array).
    """

    def __init__(
        self,
        unit: Any = u.UNITLESS,
        *,
        positive: bool = False,
        nonnegative: bool = False,
        bounds: tuple[float, float] | None = None,
        allow_inf: bool = False,
        optional: bool = False,
        per_neuron: bool = True,
        flag: bool = False,
    ):
        self.unit = unit
        self.positive = positive
        self.nonnegative = nonnegative
        self.bounds = bounds
        self.allow_inf = allow_inf
        self.optional = optional
        self.per_neuron = per_neuron and not flag
        self.flag = flag
        self.name = "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{type(obj).__name__}.{self.name} has not been set yet") from None

    def __set__(self, obj: Any, value: Any) -> None:
        obj.set(**{self.name: value})

    def check(self, owner: str, value: Any, shape: tuple[int, ...] | None) -> Any:
        """``value`` if it obeys every rule; else :class:`ParameterError` naming
        ``owner.name``. ``shape``: the population shape (``None``: no shape rule)."""
        label = f"{owner}.{self.name}"
        if value is None and self.optional:
            return None
        if self.flag:
            if not isinstance(value, (bool, np.bool_)):
                raise ParameterError(f"{label} must be True or False, got {value!r}")
            return bool(value)
        return check_value(
            label,
            value,
            self.unit,
            shape=shape if self.per_neuron else (),
            positive=self.positive,
            nonnegative=self.nonnegative,
            bounds=self.bounds,
            allow_inf=self.allow_inf,
        )

    def __repr__(self) -> str:
        return f"Param({self.name}, unit={self.unit})"


class ParamHolder:
    """Mixin for classes that declare :class:`Param` attributes.

    ``ORDERED``: pairs ``(a, b)`` of parameter names with the rule ``a < b``
    everywhere; subclasses add to their parents' pairs.
    """

    ORDERED: tuple[tuple[str, str], ...] = ()

    @classmethod
    def declared_params(cls) -> dict[str, Param]:
        """Every declared parameter of this class, by name (parents' first)."""
        found: dict[str, Param] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Param):
                    found[name] = value
        return found

    @classmethod
    def ordering_rules(cls) -> Iterator[tuple[str, str]]:
        """The ``a < b`` rules of this class and its parents."""
        seen: set[tuple[str, str]] = set()
        for klass in reversed(cls.__mro__):
            for rule in vars(klass).get("ORDERED", ()):
                if rule not in seen:
                    seen.add(rule)
                    yield rule

    def parameter_shape(self) -> tuple[int, ...] | None:
        """The shape per-neuron parameters broadcast to (``None``: no rule)."""
        return getattr(self, "varshape", None)

    def set(self, **values: Any) -> None:
        """Set parameters, checking every rule first: on any error nothing changes.

        Several related parameters can be changed together
        (``lif.set(V_th=-40 * u.mV, V_reset=-45 * u.mV)``).
        """
        params = self.declared_params()
        owner = type(self).__name__
        checked = {}
        for name, value in values.items():
            if name not in params:
                raise ParameterError(
                    f"{owner} has no parameter {name!r}; its parameters are {sorted(params)}"
                )
            checked[name] = params[name].check(owner, value, self.parameter_shape())
        missing = object()
        previous = {name: self.__dict__.get(name, missing) for name in checked}
        self.__dict__.update(checked)
        try:
            self.check_parameters()
        except BaseException:
            for name, old in previous.items():
                if old is missing:
                    self.__dict__.pop(name, None)
                else:
                    self.__dict__[name] = old
            raise
        global _version
        _version += 1

    def check_parameters(self) -> None:
        """Check the rules between parameters (``ORDERED``) among those set so far.

        Models with rules that are not orderings extend this method."""
        for low, high in self.ordering_rules():
            if low in self.__dict__ and high in self.__dict__:
                require_less(
                    low, self.__dict__[low], high, self.__dict__[high], type(self).__name__
                )


def check_value(
    name: str,
    value: Any,
    unit: Any = u.UNITLESS,
    *,
    shape: tuple[int, ...] | None = (),
    positive: bool = False,
    nonnegative: bool = False,
    bounds: tuple[float, float] | None = None,
    allow_inf: bool = False,
) -> Any:
    """Validate one value and return it (a quantity keeps its own unit; a unitless
    value becomes an array). Raises :class:`ParameterError` naming ``name``.

    ``shape``: the population shape the value must broadcast to without growing
    (``None``: any shape). See :class:`Param` for the other rules.
    """
    if callable(value):
        raise ParameterError(f"{name} must be a value, not a callable ({value!r})")
    if unit is ANY_UNIT:
        unit = u.get_unit(value)
    unitless = unit.is_unitless
    if unitless and u.has_unit(value):
        raise ParameterError(f"{name} must be dimensionless, got {u.describe(value)}")
    if not unitless and not (u.has_unit(value) and u.same_dimension(value, unit)):
        raise ParameterError(
            f"{name} must be a {u.dimension_name(unit)} quantity (e.g. 1.0 * u.{unit}), "
            f"got {u.describe(value)}"
        )
    raw = u.magnitude(value) if unitless else value
    if isinstance(u.magnitude(raw), jax.core.Tracer):
        return value  # set inside a transform (e.g. a gradient): checked when concrete
    try:
        magnitude = np.asarray(u.to_float(value, unit) if not unitless else raw)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be numeric, got {value!r}") from None
    if not np.issubdtype(magnitude.dtype, np.number) and magnitude.dtype != bool:
        raise ParameterError(f"{name} must be numeric, got {value!r}")
    if shape is not None:
        try:
            grown = np.broadcast_shapes(magnitude.shape, tuple(shape))
        except ValueError:
            grown = None
        if grown != tuple(shape) and not shape:
            raise ParameterError(
                f"{name} must be a single value for the population, got shape {magnitude.shape}"
            )
        if grown != tuple(shape):
            raise ParameterError(
                f"{name} has shape {magnitude.shape}, which does not broadcast to the "
                f"population shape {tuple(shape)} (give a scalar or an array of that shape)"
            )
    if np.isnan(magnitude).any():
        raise ParameterError(f"{name} must not be NaN, got {u.describe(value)}")
    if not allow_inf and np.isinf(magnitude).any():
        raise ParameterError(f"{name} must be finite, got {u.describe(value)}")
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


def parameter(
    name: str,
    value: Any,
    unit: Any = u.UNITLESS,
    *,
    shape: tuple[int, ...] | None = (),
    positive: bool = False,
    nonnegative: bool = False,
    bounds: tuple[float, float] | None = None,
    allow_inf: bool = False,
) -> Any:
    """Validate a value that is not a declared model parameter (a connection weight,
    a probability, a setting); the same rules as :class:`Param`."""
    return check_value(
        name, value, unit, shape=shape, positive=positive, nonnegative=nonnegative,
        bounds=bounds, allow_inf=allow_inf,
    )  # fmt: skip


def require_less(name_a: str, a: Any, name_b: str, b: Any, owner: str | None = None) -> None:
    """Raise unless ``a < b`` everywhere (e.g. ``V_reset < V_th``)."""
    unit = u.get_unit(a)
    a_val = np.asarray(u.to_float(a, unit))
    b_val = np.asarray(u.to_float(b, unit))
    if not (a_val < b_val).all():
        prefix = f"{owner}." if owner else ""
        raise ParameterError(
            f"{prefix}{name_a} must be < {name_b}, got {name_a}={u.describe(a)}, "
            f"{name_b}={u.describe(b)}"
        )


def size_tuple(name: str, size: Any) -> tuple[int, ...]:
    """Normalise a population size (a positive int or tuple of them) to a shape tuple."""

    def whole(n: Any) -> bool:
        return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0

    if whole(size):
        return (int(size),)
    if isinstance(size, (tuple, list)) and size and all(whole(n) for n in size):
        return tuple(int(n) for n in size)
    raise ParameterError(
        f"{name} must be a positive whole number or a tuple of them (e.g. 100 or (10, 10)), "
        f"got {size!r}"
    )
