r"""The input nonlinearities of NEST's rate models, as data.

Each of NEST's rate families (``lin_rate``, ``tanh_rate``, ...) is one
:class:`Nonlinearity`: the gain function :math:`\phi(h)` that the rate models apply
to their input, its parameters with NEST's defaults, and the factors
:math:`H_{ex}(X), H_{in}(X)` of multiplicative coupling (1 for every family but
``lin_rate``). :mod:`neurodyn.nest._rate` builds the models from these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core._params import Param


@dataclass(frozen=True)
class Nonlinearity:
    """One family's gain function and its parameters.

    **Arguments:**

    - ``name``: NEST's family name (``'tanh_rate'``); the models are
      ``<name>_ipn``, ``<name>_opn`` and ``rate_transformer_<short>``.
    - ``formula``: :math:`\\phi(h)` in LaTeX, for the docstrings.
    - ``params``: each parameter's ``(default, meaning)``.
    - ``phi``: :math:`\\phi(h, **params)`.
    - ``coupling``: ``(X, **params) -> (H_ex, H_in)``, the factors of multiplicative
      coupling; ``None``: both 1.
    - ``rules``: each parameter's :class:`~neurodyn.core._params.Param` options
      beyond being a plain number (e.g. ``allow_inf``).
    """

    name: str
    formula: str
    params: dict[str, tuple[float, str]]
    phi: Callable[..., Any]
    coupling: Callable[..., tuple[Any, Any]] | None = None
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def declare(self, name: str) -> Param:
        """The :class:`Param` of parameter ``name`` (plain numbers, per neuron)."""
        return Param(u.UNITLESS, **self.rules.get(name, {}))


def _lin(h: Any, g: Any, **_: Any) -> Any:
    return g * h


def _lin_coupling(rate: Any, g_ex: Any, g_in: Any, theta_ex: Any, theta_in: Any,
                  **_: Any) -> tuple[Any, Any]:  # fmt: skip
    return g_ex * (theta_ex - rate), g_in * (theta_in + rate)


def _tanh(h: Any, g: Any, theta: Any, **_: Any) -> Any:
    return jnp.tanh(g * (h - theta))


def _threshold_lin(h: Any, g: Any, theta: Any, alpha: Any, **_: Any) -> Any:
    return jnp.minimum(jnp.maximum(g * (h - theta), 0.0), alpha)


def _sigmoid(h: Any, g: Any, beta: Any, theta: Any, **_: Any) -> Any:
    return g / (1.0 + jnp.exp(-beta * (h - theta)))


def _sigmoid_gg_1998(h: Any, g: Any, **_: Any) -> Any:
    gh4 = (g * h) ** 4
    return gh4 / (0.1**4 + gh4)


def _gauss(h: Any, g: Any, mu: Any, sigma: Any, **_: Any) -> Any:
    return g * jnp.exp(-((h - mu) ** 2) / (2.0 * sigma**2))


_GAIN = (1.0, "gain of the input nonlinearity")

LIN = Nonlinearity(
    "lin_rate",
    r"\phi(h) = g\,h",
    {
        "g": _GAIN,
        "g_ex": (1.0, r"slope of :math:`H_{ex}(X) = g_{ex}(\theta_{ex} - X)`"),
        "g_in": (1.0, r"slope of :math:`H_{in}(X) = g_{in}(\theta_{in} + X)`"),
        "theta_ex": (0.0, r"offset :math:`\theta_{ex}` of :math:`H_{ex}`"),
        "theta_in": (0.0, r"offset :math:`\theta_{in}` of :math:`H_{in}`"),
    },
    _lin,
    coupling=_lin_coupling,
)
TANH = Nonlinearity(
    "tanh_rate",
    r"\phi(h) = \tanh(g\,(h - \theta))",
    {"g": _GAIN, "theta": (0.0, "inflection point")},
    _tanh,
)
THRESHOLD_LIN = Nonlinearity(
    "threshold_lin_rate",
    r"\phi(h) = \min(\max(g\,(h - \theta), 0), \alpha)",
    {"g": _GAIN, "theta": (0.0, "threshold"), "alpha": (float("inf"), "saturation")},
    _threshold_lin,
    rules={"alpha": {"allow_inf": True}},
)
SIGMOID = Nonlinearity(
    "sigmoid_rate",
    r"\phi(h) = g / (1 + e^{-\beta (h - \theta)})",
    {"g": _GAIN, "beta": (1.0, "slope"), "theta": (0.0, "inflection point")},
    _sigmoid,
)
SIGMOID_GG_1998 = Nonlinearity(
    "sigmoid_rate_gg_1998",
    r"\phi(h) = (g h)^4 / (0.1^4 + (g h)^4)",
    {"g": _GAIN},
    _sigmoid_gg_1998,
)
GAUSS = Nonlinearity(
    "gauss_rate",
    r"\phi(h) = g\, e^{-(h - \mu)^2 / (2 \sigma^2)}",
    {"g": _GAIN, "mu": (0.0, "centre"), "sigma": (0.0, "width")},
    _gauss,
    rules={"sigma": {"nonnegative": True}},
)

#: The families, by NEST's name.
NONLINEARITIES = {n.name: n for n in (LIN, TANH, THRESHOLD_LIN, SIGMOID, SIGMOID_GG_1998, GAUSS)}
