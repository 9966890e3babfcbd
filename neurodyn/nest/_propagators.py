r"""Exact propagators of the linear subthreshold dynamics of the iaf_psc_* models.

Over one step :math:`h`, with :math:`\tau_m` the membrane and :math:`\tau_s` a synaptic
time constant, :math:`a = 1/\tau_s - 1/\tau_m` and :math:`x = a h`:

- a constant current :math:`I` moves :math:`V` by :math:`I\,\tau_m/C\,(1 - e^{-h/\tau_m})`;
- an exponential current :math:`I(t) = I_0 e^{-t/\tau_s}` moves it by
  :math:`I_0\, e^{-h/\tau_m}\, (h/C)\, \varphi_1(x)`, :math:`\varphi_1(x) = (1-e^{-x})/x`;
- an alpha current :math:`I(t) = \dot I_0\, t\, e^{-t/\tau_s}` moves it by
  :math:`\dot I_0\, e^{-h/\tau_m}\, (h^2/C)\, \varphi_2(x)`,
  :math:`\varphi_2(x) = (1 - e^{-x}(1+x))/x^2`.

:math:`\varphi_1, \varphi_2` switch to their Taylor series near :math:`x = 0`
(:math:`\tau_s \approx \tau_m`), where the closed forms lose precision (Rotter &
Diesmann 1999, Biol. Cybern. 81:381).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

_SMALL = 1e-3


def decay(h: Any, tau: Any) -> Any:
    """:math:`e^{-h/\\tau}`."""
    return jnp.exp(-h / tau)


def constant_current_to_V(h: Any, tau_m: Any, C: Any) -> Any:
    """The voltage change per unit constant current over ``h``."""
    return -tau_m / C * jnp.expm1(-h / tau_m)


def exp_current_to_V(h: Any, tau_s: Any, tau_m: Any, C: Any) -> Any:
    """The voltage change per unit initial exponential current over ``h``."""
    x = h * (1.0 / tau_s - 1.0 / tau_m)
    safe = jnp.where(jnp.abs(x) < _SMALL, 1.0, x)
    series = 1.0 - x / 2.0 + x**2 / 6.0 - x**3 / 24.0 + x**4 / 120.0
    phi1 = jnp.where(jnp.abs(x) < _SMALL, series, -jnp.expm1(-safe) / safe)
    return jnp.exp(-h / tau_m) * h / C * phi1


def alpha_current_to_V(h: Any, tau_s: Any, tau_m: Any, C: Any) -> Any:
    """The voltage change per unit initial alpha-current slope over ``h``."""
    x = h * (1.0 / tau_s - 1.0 / tau_m)
    safe = jnp.where(jnp.abs(x) < _SMALL, 1.0, x)
    series = 0.5 - x / 3.0 + x**2 / 8.0 - x**3 / 30.0 + x**4 / 144.0
    exact = (-jnp.expm1(-safe) - safe * jnp.exp(-safe)) / safe**2
    phi2 = jnp.where(jnp.abs(x) < _SMALL, series, exact)
    return jnp.exp(-h / tau_m) * h**2 / C * phi2


def exp_psc_step(I: Any, h: Any, tau_s: Any, tau_m: Any, C: Any) -> tuple[Any, Any]:
    """One step of exponentially decaying currents ``I`` (any shape, ``tau_s``
    broadcasting to it): the voltage change they cause and ``I`` at the step's end
    (before this step's spikes are added)."""
    return I * exp_current_to_V(h, tau_s, tau_m, C), I * decay(h, tau_s)


def alpha_psc_step(I: Any, dI: Any, h: Any, tau_s: Any, tau_m: Any, C: Any) -> tuple:
    """One step of alpha-shaped currents ``I`` with slopes ``dI``: the voltage change
    they cause, and ``I`` and ``dI`` at the step's end (before this step's spikes add
    ``e w / tau_s`` to ``dI``)."""
    dV = dI * alpha_current_to_V(h, tau_s, tau_m, C) + I * exp_current_to_V(h, tau_s, tau_m, C)
    P11 = decay(h, tau_s)
    return dV, P11 * (I + h * dI), P11 * dI
