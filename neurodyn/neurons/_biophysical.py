"""What the conductance-based neurons share: units per membrane area, gating
kinetics, threshold-crossing spikes and membrane noise.

The models work per unit membrane area, as their papers do: conductances in
mS/cm^2, capacitances in uF/cm^2, currents in uA/cm^2 (any units of the same
dimensions are accepted). Rate functions are empirical fits of the voltage in mV
that return rates in 1/ms; they are evaluated on plain magnitudes and the
derivatives of the gating variables get their unit (1/ms) back here.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import parameter
from ..core._state import HiddenState
from ..integrators import integrate, phi1
from ..surrogate import Surrogate
from ._base import initial_value

CONDUCTANCE_DENSITY = u.mS / u.cm2
CAPACITANCE_DENSITY = u.uF / u.cm2
CURRENT_DENSITY = u.uA / u.cm2
NOISE_UNIT = u.mV / u.ms**0.5  # diffusion coefficient of the membrane potential


def linoid(x: Any, k: float) -> Any:
    """``x / (1 - exp(-x / k))``, continuous at ``x = 0`` where it equals ``k``.

    The shape of the Hodgkin–Huxley activation rates, e.g.
    ``alpha_m = 0.1 * linoid(V + 40, 10)``; written as ``k / phi1(-x / k)``
    (``phi1(z) = (e^z - 1) / z``) so that the removable singularity is harmless.
    """
    return k / phi1(-x / k)


def steady_state(alpha: Any, beta: Any) -> Any:
    """``alpha / (alpha + beta)``: the value a gating variable relaxes to."""
    return alpha / (alpha + beta)


def gating(x: Any, alpha: Any, beta: Any) -> Any:
    """``dx/dt = alpha (1 - x) - beta x`` for rates ``alpha``, ``beta`` in 1/ms."""
    return (alpha * (1.0 - x) - beta * x) / u.ms


def in_mV(V: Any) -> Any:
    """The magnitude of the voltage ``V`` in mV (the argument of the rate functions)."""
    return u.to_float(V, u.mV)


def check_current_density(owner: str, name: str, x: Any) -> None:
    """Raise :class:`ParameterError` unless input ``name`` of ``owner`` is a current density."""
    if not (u.has_unit(x) and u.same_dimension(x, CURRENT_DENSITY)):
        raise ParameterError(
            f"{owner}: input {name} must be a current per membrane area "
            f"(e.g. 1.0 * u.uA / u.cm2), got {u.describe(x)}"
        )


def add_noise(V: Any, noise: Any) -> Any:
    """``V + noise * sqrt(dt) * xi``, ``xi`` standard normal: the Euler–Maruyama
    increment of ``dV = ... dt + noise dW`` (``V`` unchanged when ``noise`` is None)."""
    if noise is None:
        return V
    xi = nd_random.normal(0.0, 1.0, size=np.shape(u.magnitude(V)))
    return V + noise * u.math.sqrt(environ.get_dt()) * xi


def threshold_crossing(spk_fun: Surrogate, V_prev: Any, V: Any, V_th: Any) -> Any:
    """Spikes (floats in {0, 1}) where ``V_prev < V_th <= V``.

    The surrogate ``spk_fun`` sees ``V - V_th`` in mV, so its gradient flows through
    the new ``V``; the condition on ``V_prev`` is a gate without gradient.
    """
    rising = jax.lax.stop_gradient(in_mV(V_prev) < in_mV(V_th))
    return spk_fun(in_mV(V - V_th)) * rising


def crossing_step(neuron: Any, x: Any, states: tuple[str, ...], noise: Any = None) -> Any:
    """One step of a model whose spikes are upward crossings of ``V_th``: integrate the
    hidden states ``states`` (``"V"`` among them) together with ``neuron.derivative``
    and the input current ``x``, add delta inputs and the ``noise`` increment to ``V``,
    detect the crossing. Returns the spikes."""
    V_prev = neuron.V.value
    y = integrate(
        lambda y, t: neuron.derivative(y, t, neuron.sum_current_inputs(x, y["V"])),
        {name: getattr(neuron, name).value for name in states},
        method=neuron.method,
    )
    y["V"] = add_noise(neuron.sum_delta_inputs(y["V"]), noise)
    spike = threshold_crossing(neuron.spk_fun, V_prev, y["V"], neuron.V_th)
    for name in states:
        getattr(neuron, name).value = y[name]
    neuron.spike.value = spike
    return spike


def gating_initial_value(
    name: str, initializer: Any, steady: Any, shape: tuple[int, ...], batch_size: int | None
) -> Any:
    """The initial value of a gating variable: ``steady`` (its steady state at the
    initial voltage) when ``initializer`` is None, else the initializer's values,
    which must lie in [0, 1]."""
    if initializer is None:
        return steady
    value = initial_value(name, initializer, u.UNITLESS, shape, batch_size)
    check_fraction(name, value)
    return value


def init_gates(neuron: Any, batch_size: int | None, steady: dict[str, Any]) -> None:
    """Create the gating states named by ``steady``'s keys from the neuron's
    ``{gate}_initializer`` (see :func:`gating_initial_value`; ``steady[gate]`` is the
    steady state at the initial voltage)."""
    for gate, steady_value in steady.items():
        key = f"{gate}_initializer"
        value = gating_initial_value(
            key, getattr(neuron, key), steady_value, neuron.varshape, batch_size
        )
        setattr(neuron, gate, HiddenState(value, name=gate))


def check_fraction(name: str, value: Any) -> None:
    """Raise unless a concrete ``value`` lies in [0, 1] (gating variables are fractions)."""
    if value is None or callable(value) or isinstance(value, jax.core.Tracer):
        return
    parameter(name, value, shape=None, bounds=(0.0, 1.0))
