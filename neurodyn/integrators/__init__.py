"""Numerical integrators behind one unit-aware interface.

A model gives its vector field ``f(y, t, *args) -> dy/dt`` (``y`` a quantity or a
pytree of them) and picks a method by name:

>>> import neurodyn as nd
>>> from neurodyn import units as u
>>> decay = lambda V, t: -V / (10. * u.ms)
>>> V = nd.integrate(decay, 1. * u.mV, 0. * u.ms, 0.1 * u.ms, method="exp_euler")
>>> round(float(V.to_decimal(u.mV)), 6)
0.99005

Fixed-step methods: ``euler``, ``rk2`` (midpoint), ``heun``, ``rk4``, ``exp_euler``.

The adaptive method carries a step size per neuron across calls, so it is not in
:data:`METHODS`: :func:`rkf45_step` (Runge–Kutta–Fehlberg 4(5) with GSL's step-size
control, as NEST's ``hh_psc_alpha``, ``aeif_*`` and ``iaf_cond_*`` use), with its
failure codes checked by :func:`check_rkf45_status`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core import environ
from ..core._errors import ParameterError
from ._exp_euler import exp_euler_step, phi1
from ._explicit_rk import EULER, HEUN, MIDPOINT, RK4, ButcherTableau, rk_step
from ._rkf45 import RKF45Result, RKF45Status, check_rkf45_status, rkf45_step
from ._system import MagnitudeSystem

__all__ = [
    "integrate",
    "METHODS",
    "ButcherTableau",
    "MagnitudeSystem",
    "phi1",
    "rkf45_step",
    "RKF45Result",
    "RKF45Status",
    "check_rkf45_status",
]


def _tableau_method(tableau: ButcherTableau) -> Callable[[MagnitudeSystem], list[Any]]:
    def step(system: MagnitudeSystem) -> list[Any]:
        return rk_step(tableau, system)

    return step


METHODS: dict[str, Callable[[MagnitudeSystem], list[Any]]] = {
    "euler": _tableau_method(EULER),
    "rk2": _tableau_method(MIDPOINT),
    "heun": _tableau_method(HEUN),
    "rk4": _tableau_method(RK4),
    "exp_euler": exp_euler_step,
}


def check_method(method: str) -> str:
    """Raise a clear error unless ``method`` names a known integrator."""
    if method not in METHODS:
        raise ParameterError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return method


def integrate(
    f: Callable[..., Any],
    y: Any,
    t: Any = None,
    dt: Any = None,
    *args: Any,
    method: str = "exp_euler",
) -> Any:
    """Advance ``y`` by one step ``dt`` of ``dy/dt = f(y, t, *args)``.

    **Arguments:**

    - ``f``: the vector field; returns a pytree like ``y`` in units of y per time.
    - ``y``: the state (quantity or pytree of quantities/arrays).
    - ``t``, ``dt``: current time and step (default: the simulation context's).
    - ``method``: one of :data:`METHODS`.

    **Returns:** the state after one step, in the same units.
    """
    t = environ.get("t") if t is None else t
    dt = environ.get_dt() if dt is None else dt
    system = MagnitudeSystem(f, y, t, dt, args)
    return system.unflatten(METHODS[check_method(method)](system))
