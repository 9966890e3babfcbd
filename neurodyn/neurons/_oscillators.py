"""Dimensionless reduced neuron models without a reset: FitzHugh-Nagumo, Hindmarsh-Rose."""

from __future__ import annotations

from typing import Any

import jax

from .. import units as u
from ..core._errors import ParameterError
from ..core._params import Param
from ..integrators import check_method, integrate
from ..surrogate import Surrogate
from ._base import Neuron


def check_dimensionless(owner: str, x: Any) -> None:
    """Raise :class:`ParameterError` unless the input ``x`` of ``owner`` is a plain number."""
    if u.has_unit(x):
        raise ParameterError(
            f"{owner}: input x must be dimensionless (the model's units), got {u.describe(x)}"
        )


class Oscillator(Neuron):
    """A reduced model in dimensionless variables with no reset: ``V`` rides a limit
    cycle, and a spike is an upward crossing of ``V_th`` (``V_prev < V_th <= V``).

    Subclasses declare ``STATES`` (the names of the state variables, ``V`` first) and
    :meth:`derivative`. Each step, in order: (1) sum the input, (2) integrate every
    variable over ``dt``, (3) add delta inputs to ``V``, (4) detect the upward crossing.
    """

    STATES: tuple[str, ...] = ("V",)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, **dict.fromkeys(self.STATES, u.UNITLESS))

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        raise NotImplementedError

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th``: the argument of ``spk_fun`` (:meth:`get_spike`)."""
        return V - self.V_th

    def update(self, x: Any = 0.0) -> Any:
        check_dimensionless(self.name, x)
        V_prev = self.V.value
        y = integrate(
            lambda y, t: self.derivative(y, t, self.sum_current_inputs(x, y["V"])),
            {key: getattr(self, key).value for key in self.STATES},
            method=self.method,
        )
        y["V"] = self.sum_delta_inputs(y["V"])
        rising = jax.lax.stop_gradient(self.spike_argument(V_prev) < 0)
        spike = self.spk_fun(self.spike_argument(y["V"])) * rising
        for key in self.STATES:
            getattr(self, key).value = y[key]
        self.spike.value = spike
        return spike


class FitzHughNagumo(Oscillator):
    r"""FitzHugh-Nagumo model of an excitable membrane (FitzHugh 1961; Nagumo et al.
    1962).

    .. math::

       \tau \frac{dV}{dt} &= V - \frac{V^3}{3} - w + I(t) \\
       \tau_w \frac{dw}{dt} &= V + a - b\, w

    ``V`` (fast, voltage-like) and ``w`` (slow recovery) are dimensionless, as is the
    input ``I``; ``tau`` and ``tau_w`` set the time scale. There is no reset: a spike is
    an upward crossing of ``V_th``. With the defaults the rest state ``V = -1.2,
    w = -0.62`` becomes a limit cycle for ``I`` above about 0.33.

    Each step, in order: (1) sum the input, (2) integrate ``V`` and ``w`` over ``dt``,
    (3) add delta inputs to ``V``, (4) detect the upward crossing of ``V_th``.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``a``               0.7            recovery offset
    ``b``               0.8            recovery self-coupling
    ``tau``             1 ms           time constant of ``V``
    ``tau_w``           12.5 ms        time constant of ``w``
    ``V_th``            1.0            spike detection threshold
    ``V_initializer``   -1.2           initial ``V``
    ``w_initializer``   -0.62          initial ``w``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V``, ``w`` (dimensionless), ``spike``.

    References: R. FitzHugh (1961), Impulses and physiological states in theoretical
    models of nerve membrane, *Biophys. J.* 1(6):445-466; J. Nagumo, S. Arimoto,
    S. Yoshizawa (1962), An active pulse transmission line simulating nerve axon,
    *Proc. IRE* 50(10):2061-2070.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> import jax.numpy as jnp
    >>> neuron = nd.neurons.FitzHughNagumo(2)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: jnp.array([0., 0.5]),
    ...                 monitors={"spike": neuron.spike})
    >>> result["spike"].sum(axis=0)  # at rest, and on the limit cycle (period ~ 37 ms)
    Array([0., 5.], dtype=float32)
    """

    STATES = ("V", "w")

    a = Param()
    b = Param()
    tau = Param(u.ms, positive=True)
    tau_w = Param(u.ms, positive=True)
    V_th = Param()

    def __init__(
        self,
        in_size: Any,
        a: Any = 0.7,
        b: Any = 0.8,
        tau: Any = 1.0 * u.ms,
        tau_w: Any = 12.5 * u.ms,
        V_th: Any = 1.0,
        V_initializer: Any = -1.2,
        w_initializer: Any = -0.62,
        spk_fun: Surrogate | None = None,
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.a = a
        self.b = b
        self.tau = tau
        self.tau_w = tau_w
        self.V_th = V_th
        self.V_initializer = V_initializer
        self.w_initializer = w_initializer
        self.method = check_method(method)

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "w": dw/dt}`` (per ms)."""
        V, w = y["V"], y["w"]
        return {
            "V": (V - V**3 / 3.0 - w + I) / self.tau,
            "w": (V + self.a - self.b * w) / self.tau_w,
        }


class HindmarshRose(Oscillator):
    r"""Hindmarsh-Rose model of a bursting neuron (Hindmarsh & Rose 1984).

    .. math::

       \tau \frac{dV}{dt} &= y - a V^3 + b V^2 - z + I(t) \\
       \tau \frac{dy}{dt} &= c - d V^2 - y \\
       \tau \frac{dz}{dt} &= r\,\big(s\,(V - V_r) - z\big)

    ``V`` (the paper's ``x``), the fast recovery ``y``, the slow adaptation ``z`` and
    the input ``I`` are dimensionless; ``tau`` sets the time scale and the small ``r``
    makes ``z`` slow, which turns tonic spiking into bursts. There is no reset: a spike
    is an upward crossing of ``V_th``.

    Each step, in order: (1) sum the input, (2) integrate ``V``, ``y``, ``z`` over
    ``dt``, (3) add delta inputs to ``V``, (4) detect the upward crossing of ``V_th``.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``a``               1.0            cubic coefficient
    ``b``               3.0            quadratic coefficient
    ``c``               1.0            constant drive of ``y``
    ``d``               5.0            quadratic coefficient of ``y``
    ``r``               0.006          rate of ``z`` (small: slow bursting)
    ``s``               4.0            adaptation coupling
    ``V_r``             -1.6           rest value of ``V`` in the ``z`` equation
    ``tau``             1 ms           time scale
    ``V_th``            1.0            spike detection threshold
    ``V_initializer``   -1.6           initial ``V``
    ``y_initializer``   -10.0          initial ``y``
    ``z_initializer``   0.0            initial ``z``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V``, ``y``, ``z`` (dimensionless), ``spike``.

    Reference: J. L. Hindmarsh, R. M. Rose (1984), A model of neuronal bursting using
    three coupled first order differential equations, *Proc. R. Soc. Lond. B*
    221(1222):87-102.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.HindmarshRose(1)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 1000. * u.ms, inputs=lambda i, t: 3.0,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # fast at first, then every 33 ms as z builds up
    44
    """

    STATES = ("V", "y", "z")

    a = Param()
    b = Param()
    c = Param()
    d = Param()
    r = Param()
    s = Param()
    V_r = Param()
    tau = Param(u.ms, positive=True)
    V_th = Param()

    def __init__(
        self,
        in_size: Any,
        a: Any = 1.0,
        b: Any = 3.0,
        c: Any = 1.0,
        d: Any = 5.0,
        r: Any = 0.006,
        s: Any = 4.0,
        V_r: Any = -1.6,
        tau: Any = 1.0 * u.ms,
        V_th: Any = 1.0,
        V_initializer: Any = -1.6,
        y_initializer: Any = -10.0,
        z_initializer: Any = 0.0,
        spk_fun: Surrogate | None = None,
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, name=name)
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.r = r
        self.s = s
        self.V_r = V_r
        self.tau = tau
        self.V_th = V_th
        self.V_initializer = V_initializer
        self.y_initializer = y_initializer
        self.z_initializer = z_initializer
        self.method = check_method(method)

    def derivative(self, y: dict[str, Any], t: Any, I: Any) -> dict[str, Any]:
        """The vector field: ``{"V": dV/dt, "y": dy/dt, "z": dz/dt}`` (per ms)."""
        V, fast, slow = y["V"], y["y"], y["z"]
        return {
            "V": (fast - self.a * V**3 + self.b * V**2 - slow + I) / self.tau,
            "y": (self.c - self.d * V**2 - fast) / self.tau,
            "z": self.r * (self.s * (V - self.V_r) - slow) / self.tau,
        }
