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
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ._errors import ParameterError

__all__ = ["set", "get", "get_dt", "context", "get_precision", "dftype"]

_DEFAULTS: dict[str, Any] = {"dt": 0.1 * u.ms, "t": 0.0 * u.ms, "i": 0, "precision": 32}
_settings: dict[str, Any] = dict(_DEFAULTS)
_context_stack: list[dict[str, Any]] = []


def _check(key: str, value: Any) -> Any:
    if key == "dt":
        if not (u.has_unit(value) and u.same_dimension(value, u.ms)):
            raise ParameterError(
                f"dt must be a time quantity (e.g. 0.1 * u.ms), got {u.describe(value)}"
            )
        if not isinstance(value.mantissa, jax.core.Tracer) and float(value.to_decimal(u.ms)) <= 0:
            raise ParameterError(f"dt must be > 0 ms, got {u.describe(value)}")
    elif key == "t":
        if not (u.has_unit(value) and u.same_dimension(value, u.ms)):
            raise ParameterError(f"t must be a time quantity, got {u.describe(value)}")
    elif key == "precision":
        if value not in (32, 64):
            raise ParameterError(f"precision must be 32 or 64, got {value!r}")
    return value


def set(**settings: Any) -> None:  # noqa: A001 - mirrors the spec's ``environ.set``
    """Set global simulation settings, e.g. ``set(dt=0.1 * u.ms, precision=64)``.

    ``precision=64`` switches JAX to double precision (needed for NEST comparisons).
    """
    for key, value in settings.items():
        _settings[key] = _check(key, value)
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
    """Temporarily set context values (``t``, ``i``, ``dt``, ...) for a block."""
    _context_stack.append({key: _check(key, value) for key, value in values.items()})
    try:
        yield
    finally:
        _context_stack.pop()
