"""Explicit Runge–Kutta methods, each declared as a Butcher tableau.

A step of an ``s``-stage method for ``dy/dt = f(y, t)``:

.. math::

   k_i = f\\left(y_n + h \\sum_{j<i} a_{ij} k_j,\\; t_n + c_i h\\right),\\qquad
   y_{n+1} = y_n + h \\sum_i b_i k_i
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._system import MagnitudeSystem


@dataclass(frozen=True)
class ButcherTableau:
    """Coefficients of an explicit Runge–Kutta method (``a`` strictly lower triangular)."""

    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]
    order: int


EULER = ButcherTableau(a=((),), b=(1.0,), c=(0.0,), order=1)
MIDPOINT = ButcherTableau(a=((), (0.5,)), b=(0.0, 1.0), c=(0.0, 0.5), order=2)
HEUN = ButcherTableau(a=((), (1.0,)), b=(0.5, 0.5), c=(0.0, 1.0), order=2)
RK4 = ButcherTableau(
    a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
    b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
    c=(0.0, 0.5, 0.5, 1.0),
    order=4,
)


def rk_step(tableau: ButcherTableau, system: MagnitudeSystem) -> list[Any]:
    """One explicit Runge–Kutta step of ``system``; returns the new magnitudes."""
    h, y0 = system.dt, system.y0
    stages: list[list[Any]] = []
    for a_row, c in zip(tableau.a, tableau.c, strict=True):
        y_stage = list(y0)
        for a, k in zip(a_row, stages, strict=False):
            if a:
                y_stage = [y + (h * a) * kk for y, kk in zip(y_stage, k, strict=True)]
        stages.append(system.rhs(y_stage, system.t + c * h))
    y_new = list(y0)
    for b, k in zip(tableau.b, stages, strict=True):
        if b:
            y_new = [y + (h * b) * kk for y, kk in zip(y_new, k, strict=True)]
    return y_new
