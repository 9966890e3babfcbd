"""The simulation context: time step ``dt``, current time ``t``, step index ``i``.

Global settings are made with :func:`set`; per-step values are pushed with
:func:`context` (the compiled loop does this for every step). Outside a loop,
``t`` is 0 ms and ``i`` is 0, and ``dt`` defaults to 0.1 ms as in NEST and Brian2.

>>> import neurodyn as nd
>>> from neurodyn import units as u
>>> nd.environ.get_dt()
Quantity(0.1, "ms")
>>> with nd.environ.context(dt=0.05 * u.ms):
...     print(nd.environ.get_dt())
0.05 ms
"""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ._errors import ParameterError

__all__ = ["set", "get", "get_dt", "context", "get_precision", "dftype"]

_DEFAULTS: dict[str, Any] = {"dt": 0.1 * u.ms, "t": 0.0 * u.ms, "i": 0, "precision": 32}
_settings: dict[str, Any] = dict(_DEFAULTS)
_GLOBAL = ("dt", "precision")  # what set() takes
_CONTEXT = ("dt", "t", "i")  # what context() takes
_context_stack: list[dict[str, Any]] = []


def _check(key: str, value: Any, settable: tuple[str, ...]) -> Any:
    if key not in settable:
        close = difflib.get_close_matches(key, settable, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(
            f"unknown setting {key!r}{hint}; the settings are {', '.join(settable)}"
        )
    if key == "dt":
        if not (u.has_unit(value) and u.same_dimension(value, u.ms)):
            raise ParameterError(
                f"dt must be a time quantity (e.g. 0.1 * u.ms), got {u.describe(value)}"
            )
        if not isinstance(value.mantissa, jax.core.Tracer):
            dt_ms = float(value.to_decimal(u.ms))
            if not math.isfinite(dt_ms) or dt_ms <= 0:
                raise ParameterError(f"dt must be a finite time > 0 ms, got {u.describe(value)}")
    elif key == "t":
        if not (u.has_unit(value) and u.same_dimension(value, u.ms)):
            raise ParameterError(f"t must be a time quantity, got {u.describe(value)}")
    elif key == "precision":
        if value not in (32, 64):
            raise ParameterError(f"precision must be 32 or 64, got {value!r}")
    return value


def set(**settings: Any) -> None:  # noqa: A001 - mirrors the spec's ``environ.set``
    """Set global simulation settings, e.g. ``set(dt=0.1 * u.ms, precision=64)``.

    The settings are ``dt`` and ``precision``; any other name is refused. ``precision=64``
    switches JAX to double precision (needed for NEST comparisons). States created
    under other settings are not converted: running a model after ``dt`` or the
    precision changed raises an error that says to re-create (or reset) its states.
    """
    checked = {key: _check(key, value, _GLOBAL) for key, value in settings.items()}
    for key, value in checked.items():
        _settings[key] = value
        if key == "precision":
            jax.config.update("jax_enable_x64", value == 64)


def get(key: str, default: Any = None) -> Any:
    """The innermost value of ``key``: the latest context, else the global setting."""
    for frame in reversed(_context_stack):
        if key in frame:
            return frame[key]
    return _settings.get(key, default)


def get_dt() -> u.Quantity:
    """The simulation time step."""
    return get("dt")


def get_precision() -> int:
    """Floating-point precision in bits (32 or 64)."""
    return get("precision")


def dftype() -> Any:
    """The default floating dtype for the current precision."""
    return jnp.float64 if get_precision() == 64 else jnp.float32


@contextlib.contextmanager
def context(**values: Any) -> Iterator[None]:
    """Temporarily set context values (``t``, ``i``, ``dt``) for a block; other names
    are refused."""
    _context_stack.append({key: _check(key, value, _CONTEXT) for key, value in values.items()})
    try:
        yield
    finally:
        _context_stack.pop()
